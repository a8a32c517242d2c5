//! Goods (docs/api.md, tag "goods"): home, catalog lists, detail, SKU switching, search and
//! the browsing history.

use dadashop_types::goods::{
    CatalogListResponse, DetailResponse, HistoryResponse, IndexResponse, SearchResponse,
    SkuSwitchResponse,
};
use gloo_net::http::Request;

use super::{ApiError, Credentials, authorized, segment, send, url};

/// `GET /v1/goods/index`: the home page catalog blocks and the `base_url` of their images.
pub async fn index() -> Result<IndexResponse, ApiError> {
    send(Request::get(&url("/v1/goods/index")).build()).await
}

/// What a catalog list shows: page from 1, sort (`""` default, `price`, `-price`, `sales`,
/// `new`) and a price range in yuan (empty: no bound), as the page's query holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub page: u64,
    pub sort: String,
    pub min_price: String,
    pub max_price: String,
}

impl ListFilter {
    /// The query string of the API call and of the page's URL (without `?`); empty values
    /// are left out.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        for (name, value) in [
            ("sort", &self.sort),
            ("min_price", &self.min_price),
            ("max_price", &self.max_price),
        ] {
            if !value.trim().is_empty() {
                parts.push(format!("{name}={}", crate::encode_component(value.trim())));
            }
        }
        parts.join("&")
    }
}

/// `GET /v1/goods/catalogs/<id>?...`: one page of a catalog.
pub async fn catalog(id: i64, filter: &ListFilter) -> Result<CatalogListResponse, ApiError> {
    let query = filter.query();
    let path = if query.is_empty() {
        format!("/v1/goods/catalogs/{id}")
    } else {
        format!("/v1/goods/catalogs/{id}?{query}")
    };
    send(Request::get(&url(&path)).build()).await
}

/// `GET /v1/goods/detail/<sku_id>`.
pub async fn detail(sku_id: i64) -> Result<DetailResponse, ApiError> {
    send(Request::get(&url(&format!("/v1/goods/detail/{sku_id}"))).build()).await
}

/// `POST /v1/goods/sku`: the SKU of SPU `spu` with exactly `values` (sale attribute id,
/// value id).
pub async fn switch_sku(spu: i64, values: &[(i64, i64)]) -> Result<i64, ApiError> {
    let body = super::body::SkuSwitch { spu, values };
    send::<SkuSwitchResponse>(Request::post(&url("/v1/goods/sku")).json(&body))
        .await
        .map(|answer| answer.data)
}

/// `POST /v1/goods/search` (a form, as the original): page `page` of the hits for `q`.
pub async fn search(q: &str, page: u64) -> Result<SearchResponse, ApiError> {
    let body = format!("q={}&page={page}", crate::encode_component(q));
    let request = Request::post(&url("/v1/goods/search"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    send(request).await
}

/// `GET /v1/users/<username>/history`: the SKUs the shopper viewed last.
pub async fn history(credentials: &Credentials) -> Result<HistoryResponse, ApiError> {
    let path = format!("/v1/users/{}/history", segment(&credentials.username));
    send(authorized(Request::get(&url(&path)), credentials).build()).await
}

/// `POST /v1/users/<username>/history`: records a view of `sku_id`.
pub async fn record_view(credentials: &Credentials, sku_id: i64) -> Result<(), ApiError> {
    let path = format!("/v1/users/{}/history", segment(&credentials.username));
    let body = super::body::SkuId { sku_id };
    let request = authorized(Request::post(&url(&path)), credentials).json(&body);
    send::<HistoryResponse>(request).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::ListFilter;

    #[test]
    fn list_queries_leave_out_defaults_and_encode_values() {
        assert_eq!(ListFilter::default().query(), "");
        let f = ListFilter {
            page: 2,
            sort: "-price".into(),
            min_price: " 100 ".into(),
            max_price: String::new(),
        };
        assert_eq!(f.query(), "page=2&sort=-price&min_price=100");
    }
}
