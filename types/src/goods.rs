//! Goods as shoppers read them (docs/api.md, tag "goods"): the home page, catalog lists,
//! product detail, SKU switching, search and browsing history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// SKUs per page of a catalog list and of search results (docs/api.md, `paginator.pagesize`).
pub const PAGE_SIZE: u32 = 9;
/// SKUs kept in a shopper's browsing history (the sibling meiduo shop keeps 5).
pub const HISTORY_LEN: usize = 5;

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

/// One SKU in a catalog list, search results or the browsing history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListSku {
    pub skuid: i64,
    pub name: String,
    /// Yuan with two decimals, e.g. `"199.00"`.
    pub price: String,
    /// Path of the default image relative to `base_url`.
    pub image: String,
}

/// Paging of a list: `pagesize` SKUs per page, `total` SKUs in all (not pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paginator {
    /// Always [`PAGE_SIZE`] (9).
    pub pagesize: u32,
    /// Number of matching launched SKUs over all pages.
    pub total: u64,
}

impl Paginator {
    /// Pages needed for `total` SKUs (at least 1: an empty list has one, empty, page).
    pub fn pages(&self) -> u64 {
        let size = u64::from(self.pagesize.max(1));
        self.total.div_ceil(size).max(1)
    }
}

/// `GET /v1/goods/catalogs/<catalog_id>` answer: one page of the catalog's launched SKUs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogListResponse {
    pub code: u32,
    pub data: Vec<ListSku>,
    pub paginator: Paginator,
    /// `<public API origin>/media/`.
    pub base_url: String,
    /// The catalog's id and name (additions to the original, for the page title).
    pub catalog_id: i64,
    pub catalog_name: String,
}

/// `GET /v1/goods/detail/<sku_id>`: one launched SKU with its SPU's sale attributes.
///
/// The `sku_sale_attr_*` arrays are parallel (index `i` of each describes the same sale
/// attribute), in the SPU's attribute order. The two `sku_all_sale_attr_vals_*` maps are keyed
/// by sale attribute id (as a string: JSON object keys) and list every value of that attribute
/// in the SPU, whether or not a launched SKU has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuDetail {
    /// The SKU's id (an addition to the original).
    pub skuid: i64,
    /// Default image, relative to `base_url`.
    pub image: String,
    /// The SPU id.
    pub spu: i64,
    pub name: String,
    pub caption: String,
    /// Yuan with two decimals.
    pub price: String,
    /// Yuan with two decimals (the crossed-out list price).
    pub market_price: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    /// The brand's name (an addition); empty when the console hides the brand from shoppers.
    pub brand: String,
    /// Large picture for the detail tab, relative to `base_url` (the second SKU image when
    /// there is one, else the default image).
    pub detail_image: String,
    /// Every image of the SKU, default first, relative to `base_url` (an addition).
    pub images: Vec<String>,
    /// Units in stock; 0 means sold out.
    pub stock: i64,
    /// Units sold.
    pub sales: i64,
    pub sku_sale_attr_id: Vec<i64>,
    pub sku_sale_attr_names: Vec<String>,
    /// This SKU's value of each attribute.
    pub sku_sale_attr_val_id: Vec<i64>,
    pub sku_sale_attr_val_names: Vec<String>,
    pub sku_all_sale_attr_vals_id: BTreeMap<String, Vec<i64>>,
    pub sku_all_sale_attr_vals_name: BTreeMap<String, Vec<String>>,
    /// Spec name → this SKU's value, e.g. `{"材质": "PC", "重量": "2.9kg"}`.
    pub spec: BTreeMap<String, String>,
    /// The SPU's description: plain text with line breaks, to show as text, never as markup
    /// (an addition; empty when there is none).
    #[serde(default)]
    pub description: String,
}

/// `GET /v1/goods/detail/<sku_id>` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetailResponse {
    pub code: u32,
    pub data: SkuDetail,
    pub base_url: String,
}

/// `POST /v1/goods/sku` answer: the id of the launched SKU with exactly the chosen values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuSwitchResponse {
    pub code: u32,
    pub data: i64,
}

/// `POST /v1/goods/search` answer: one page of launched SKUs, best match first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    pub code: u32,
    pub data: Vec<ListSku>,
    pub paginator: Paginator,
    pub base_url: String,
    /// The query as it was searched (trimmed), to show back as text (an addition).
    pub q: String,
    /// `true` when no SKU matched every word of `q` and `data` holds the SKUs matching the
    /// most of them, best first (an addition; the page says so). Left out when `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// When no SKU matched every word: a query that would find goods, each word that matched
    /// nothing replaced by the nearest word of the catalog ("你是不是要找", an addition). Left
    /// out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// `GET /v1/users/<username>/history` answer: the SKUs the shopper viewed last, newest first,
/// at most [`HISTORY_LEN`], only launched ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryResponse {
    pub code: u32,
    pub data: Vec<ListSku>,
    pub base_url: String,
}

/// `POST /v1/users/<username>/history` body: the SKU just viewed (a number or numeric string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub sku_id: serde_json::Value,
}

/// Most SKUs one shopper may keep as favourites.
pub const FAVOURITES_MAX: usize = 500;

/// A favourite (收藏) as the shopper's list shows it: the SKU as it is now (price, stock,
/// launched or not), and when it was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Favourite {
    pub skuid: i64,
    pub name: String,
    /// The price now, yuan.
    pub price: String,
    /// Path of the card picture relative to `base_url`.
    pub image: String,
    /// Units in stock now (0: sold out).
    pub stock: i64,
    /// False once the operator took it off sale: shown, but not for sale.
    pub is_launched: bool,
    /// Unix seconds.
    pub created_at: i64,
}

/// `GET`, `POST` and `DELETE /v1/users/<username>/favourites[...]` answer: the shopper's
/// favourites, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FavouritesResponse {
    pub code: u32,
    pub data: Vec<Favourite>,
    pub base_url: String,
}

/// `POST /v1/users/<username>/favourites` body: the SKU (a number or numeric string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FavouriteRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub sku_id: serde_json::Value,
}

/// `GET /v1/users/<username>/favourites/<sku_id>` answer: whether the SKU is a favourite
/// (the heart on the product page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FavouriteStateResponse {
    pub code: u32,
    pub favourite: bool,
}
