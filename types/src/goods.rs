//! Goods as the home page reads them (docs/api.md, tag "goods").

use serde::{Deserialize, Serialize};

/// One SKU in a catalog block of the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexSku {
    pub skuid: i64,
    pub caption: String,
    pub name: String,
    /// Yuan with two decimals, e.g. `"199.00"`.
    pub price: String,
    /// Path of the default image relative to `base_url`.
    pub image: String,
}

/// One catalog block of the home page with its first launched SKUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexCatalog {
    pub catalog_id: i64,
    pub catalog_name: String,
    pub sku: Vec<IndexSku>,
}

/// `GET /v1/goods/index` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndexResponse {
    pub code: u32,
    pub data: Vec<IndexCatalog>,
    /// `<public API origin>/media/`; an image URL is `base_url + image`.
    pub base_url: String,
}
