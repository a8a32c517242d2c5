//! Goods reads. For now the home page (`GET /v1/goods/index`); lists, detail and search come
//! with the catalog issue.

use std::collections::HashMap;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::goods::{IndexCatalog, IndexResponse, IndexSku};
use dadashop_types::money::format_fen;

use crate::db::goods;
use crate::error::ApiResult;
use crate::state::AppState;

/// `GET /v1/goods/index`.
pub fn router() -> Router<AppState> {
    Router::new().route("/goods/index", get(index))
}

/// Every catalog with its first three launched SKUs (a catalog without any has an empty
/// `sku` list), and `base_url` to prefix the image paths with.
#[utoipa::path(get, path = "/v1/goods/index", tag = "goods",
    responses((status = 200, body = IndexResponse), (status = 503, body = dadashop_types::ErrorBody)))]
async fn index(State(state): State<AppState>) -> ApiResult<Json<IndexResponse>> {
    let catalogs = goods::catalogs(&state.db).await?;
    let mut by_catalog: HashMap<i64, Vec<IndexSku>> = HashMap::new();
    for row in goods::index_skus(&state.db).await? {
        by_catalog
            .entry(row.catalog_id)
            .or_default()
            .push(IndexSku {
                skuid: row.id,
                caption: row.caption,
                name: row.name,
                price: format_fen(row.price),
                image: row.default_image_url,
            });
    }
    let data = catalogs
        .into_iter()
        .map(|c| IndexCatalog {
            catalog_id: c.id,
            catalog_name: c.name,
            sku: by_catalog.remove(&c.id).unwrap_or_default(),
        })
        .collect();
    Ok(Json(IndexResponse {
        code: codes::OK,
        data,
        base_url: state.settings.media_base_url(),
    }))
}
