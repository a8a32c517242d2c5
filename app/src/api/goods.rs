//! Goods (docs/api.md, tag "goods").

use dadashop_types::goods::IndexResponse;
use gloo_net::http::Request;

use super::{ApiError, send, url};

/// `GET /v1/goods/index`: the home page catalog blocks and the `base_url` of their images.
pub async fn index() -> Result<IndexResponse, ApiError> {
    send(Request::get(&url("/v1/goods/index")).build()).await
}
