//! The goods a server-rendered page was rendered with (docs/architecture.md, "Server
//! rendering").
//!
//! The web origin answers the public pages (home, catalog lists, product pages, search) with
//! their HTML rendered from the same answers the JSON API gives: it asks its own goods
//! handlers in process, renders the app with the answers in a [`Preload`] context, and writes
//! them into the page as JSON (`<script type="application/json" id="dadashop-preloaded">` in
//! `<head>`: data, never run, so the Content-Security-Policy needs nothing for it). In the
//! browser the wasm reads that element back before it hydrates, so that every page renders
//! exactly what the server rendered and fetches nothing the page already holds. Each answer
//! is taken once: a later visit of the same page (a client-side navigation) asks the API as
//! before.

use dadashop_types::after_sales::ReviewsResponse;
use dadashop_types::goods::{CatalogListResponse, DetailResponse, IndexResponse, SearchResponse};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::api::goods::ListFilter;

/// Id of the `<script type="application/json">` element that holds a page's [`Preloaded`].
pub const ELEMENT_ID: &str = "dadashop-preloaded";

/// An API failure as the page showed it: HTTP status, business code, message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// HTTP status, e.g. 404.
    pub status: u16,
    /// Business code (`dadashop_types::codes`), e.g. 40300.
    pub code: u32,
    /// The answer's `error` text.
    pub message: String,
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        ApiError::Api {
            status: f.status,
            code: f.code,
            message: f.message,
        }
    }
}

/// An answer of the API or its failure.
pub type Answer<T> = Result<T, Failure>;

/// The data of the page's own route (made once per page and read once: its size does not
/// matter).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PageData {
    /// `GET /v1/goods/catalogs/<id>?<query>`, `query` as [`ListFilter::query`] writes it.
    Catalog {
        id: i64,
        query: String,
        answer: Answer<CatalogListResponse>,
    },
    /// `GET /v1/goods/detail/<id>`, and the first page of the product's reviews
    /// (`GET /v1/goods/<id>/reviews`; `None` when the product is unknown).
    Product {
        id: i64,
        answer: Answer<DetailResponse>,
        reviews: Option<Answer<ReviewsResponse>>,
    },
    /// `POST /v1/goods/search` with `q` (trimmed, not empty) and `page`.
    Search {
        q: String,
        page: u64,
        answer: Answer<SearchResponse>,
    },
}

/// Everything a server-rendered page was rendered from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preloaded {
    /// The shop's web origin (`PUBLIC_WEB_URL`, no trailing slash), for canonical links.
    pub web_url: String,
    /// `GET /v1/goods/index`: the header's catalog links, and the home page's blocks.
    pub index: Option<Answer<IndexResponse>>,
    /// The route's own data, as the JSON of a [`PageData`]; `None` for the home page and the
    /// 404 page. Kept as text until the page takes it, so that the code reading a product,
    /// a list or search results stays in the lazily loaded module of those pages instead of
    /// the main module that every page loads first.
    page: Option<String>,
    /// Reviews of the product page, once its answer was taken (not in the page's JSON).
    #[serde(skip)]
    reviews: Option<(i64, Answer<ReviewsResponse>)>,
}

impl Preloaded {
    /// A page's data: the web origin, the index answer and the route's own answer.
    pub fn new(
        web_url: String,
        index: Option<Answer<IndexResponse>>,
        page: Option<PageData>,
    ) -> Self {
        Self {
            web_url,
            index,
            page: page.and_then(|p| serde_json::to_string(&p).ok()),
            reviews: None,
        }
    }

    /// The JSON to write into the page: `<` is escaped (`\u003c`), so that no text of an
    /// answer can close the `<script>` element that holds it.
    pub fn to_script_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "{}".to_owned())
            .replace('<', "\\u003c")
    }
}

/// The [`Preloaded`] context: present while the app renders on the server, and in the
/// browser on a page that the server rendered (the wasm hydrates it). Each part is taken
/// once.
#[derive(Debug, Clone, Copy)]
pub struct Preload(StoredValue<Preloaded>);

impl Preload {
    /// The context of `data`.
    pub fn new(data: Preloaded) -> Self {
        Self(StoredValue::new(data))
    }

    /// The header's and home page's index answer, once.
    pub fn take_index(self) -> Option<Result<IndexResponse, ApiError>> {
        self.0
            .try_update_value(|d| d.index.take())
            .flatten()
            .map(|a| a.map_err(ApiError::from))
    }

    /// The route's data when `pick` says it is the page's, taken once; `get` reads it.
    fn take_page<T>(
        self,
        pick: impl FnOnce(&PageData) -> bool,
        get: impl FnOnce(PageData, &mut Preloaded) -> Option<T>,
    ) -> Option<T> {
        self.0
            .try_update_value(|d| {
                let text = d.page.take()?;
                match serde_json::from_str::<PageData>(&text) {
                    Ok(page) if pick(&page) => get(page, d),
                    _ => {
                        d.page = Some(text);
                        None
                    }
                }
            })
            .flatten()
    }

    /// The product page's answer for SKU `id`, once (its reviews are then kept for
    /// [`Preload::take_reviews`]).
    pub fn take_product(self, id: i64) -> Option<Result<DetailResponse, ApiError>> {
        self.take_page(
            |p| matches!(p, PageData::Product { id: i, .. } if *i == id),
            |p, d| match p {
                PageData::Product {
                    answer, reviews, ..
                } => {
                    d.reviews = reviews.map(|r| (id, r));
                    Some(answer.map_err(ApiError::from))
                }
                _ => None,
            },
        )
    }

    /// The first page of reviews of product `id`, once (after [`Preload::take_product`]).
    pub fn take_reviews(self, id: i64) -> Option<Result<ReviewsResponse, ApiError>> {
        self.0
            .try_update_value(|d| match d.reviews.take() {
                Some((for_id, answer)) if for_id == id => Some(answer.map_err(ApiError::from)),
                other => {
                    d.reviews = other;
                    None
                }
            })
            .flatten()
    }

    /// The shop's web origin, `""` when unknown.
    pub fn web_url(self) -> String {
        self.0.with_value(|d| d.web_url.clone())
    }

    /// The catalog page's answer for catalog `id` and `filter`, once.
    pub fn take_catalog(
        self,
        id: i64,
        filter: &ListFilter,
    ) -> Option<Result<CatalogListResponse, ApiError>> {
        let query = filter.query();
        self.take_page(
            |p| matches!(p, PageData::Catalog { id: i, query: q, .. } if *i == id && *q == query),
            |p, _| match p {
                PageData::Catalog { answer, .. } => Some(answer.map_err(ApiError::from)),
                _ => None,
            },
        )
    }

    /// The search page's answer for `q` and `page`, once.
    pub fn take_search(self, q: &str, page: u64) -> Option<Result<SearchResponse, ApiError>> {
        self.take_page(
            |p| matches!(p, PageData::Search { q: text, page: n, .. } if text == q && *n == page),
            |p, _| match p {
                PageData::Search { answer, .. } => Some(answer.map_err(ApiError::from)),
                _ => None,
            },
        )
    }
}

/// The [`Preload`] context, when the page was server-rendered.
pub fn use_preload() -> Option<Preload> {
    use_context::<Preload>()
}

/// Reads the page's [`Preloaded`] from its `<script id="dadashop-preloaded">` element: `Some`
/// on a server-rendered page (the wasm then hydrates it), `None` on the pages the browser
/// renders alone (login, cart, orders, the console...) or when the element does not parse.
#[cfg(target_arch = "wasm32")]
pub fn from_document() -> Option<Preloaded> {
    let text = leptos::prelude::document()
        .get_element_by_id(ELEMENT_ID)?
        .text_content()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_part_is_taken_once_and_only_for_its_own_page() {
        let owner = Owner::new();
        owner.with(|| {
            let failure = Failure {
                status: 404,
                code: 40300,
                message: "商品不存在或已下架".into(),
            };
            let preload = Preload::new(Preloaded::new(
                String::new(),
                None,
                Some(PageData::Product {
                    id: 7,
                    answer: Err(failure),
                    reviews: None,
                }),
            ));
            assert!(preload.take_product(8).is_none(), "another product");
            assert!(preload.take_search("包", 1).is_none(), "another page");
            assert!(matches!(
                preload.take_product(7),
                Some(Err(ApiError::Api { status: 404, .. }))
            ));
            assert!(preload.take_product(7).is_none(), "taken once");

            // A product's reviews come with it, once.
            let reviews = ReviewsResponse {
                code: 0,
                count: 0,
                average: None,
                page: 1,
                pages: 1,
                reviews: Vec::new(),
            };
            let preload = Preload::new(Preloaded::new(
                String::new(),
                None,
                Some(PageData::Product {
                    id: 3,
                    answer: Err(Failure {
                        status: 503,
                        code: 503,
                        message: String::new(),
                    }),
                    reviews: Some(Ok(reviews)),
                }),
            ));
            assert!(preload.take_reviews(3).is_none(), "not before the product");
            assert!(preload.take_product(3).is_some());
            assert!(matches!(preload.take_reviews(3), Some(Ok(r)) if r.pages == 1));
            assert!(preload.take_reviews(3).is_none(), "taken once");
        });
    }

    #[test]
    fn the_json_cannot_close_its_script_element() {
        let data = Preloaded::new(
            "http://127.0.0.1:7000".into(),
            None,
            Some(PageData::Search {
                q: "</script><script>alert(1)</script>".into(),
                page: 1,
                answer: Err(Failure {
                    status: 400,
                    code: 10123,
                    message: "x".into(),
                }),
            }),
        );
        let json = data.to_script_json();
        assert!(!json.contains('<'));
        let back: Preloaded = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(back, data);
    }
}
