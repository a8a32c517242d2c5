//! Server rendering of the shop's public pages on the web origin (docs/architecture.md,
//! "Server rendering").
//!
//! Home (`/`), catalog lists (`/catalog/<id>?page=&sort=&min_price=&max_price=`), product
//! pages (`/product/<sku_id>`), search results (`/search?q=&page=`) and the 404 page are
//! rendered here with `leptos_axum` from the same `app` the browser runs, then hydrated there.
//! The goods come from the JSON API's own goods handlers, asked in process through their
//! router ([`Pages::ask`]): the same validation, the same goods caches, the same answers a
//! browser would get from port 8000, and no extra network hop. The answers go into the page
//! as JSON (`app::preload`), so that hydration renders the same and fetches nothing again.
//!
//! A rendered page depends only on its URL and the goods (never on who asks: the shopper's
//! token lives in the browser), so it is cached per goods generation like the API's goods
//! answers (crate::catalog): an operator's change moves the generation, and the next request
//! renders afresh on every process.

use std::sync::Arc;

use ::app::api::goods::ListFilter;
use ::app::preload::{Answer, Failure, PageData, Preload, Preloaded};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, Request, StatusCode, Uri, header};
use leptos::prelude::provide_context;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::catalog::{self, GoodsCache};
use crate::state::AppState;

/// Longest path and query of a page that is cached (longer ones are rendered every time).
const MAX_CACHED_URL: usize = 300;

/// A rendered page: status, HTML and the Content-Security-Policy that allows its inline
/// scripts.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub status: StatusCode,
    pub html: Bytes,
    pub csp: HeaderValue,
}

/// The renderer of the public pages.
#[derive(Clone)]
pub struct Pages {
    /// The API's goods and review reads (`/v1/goods/...`), asked in process.
    goods: Router,
    state: AppState,
    /// The build's own head (style sheet, wasm boot tag, API origin...), without the title
    /// and description, which the pages give.
    build_head: Arc<str>,
    /// Preload links of the browsing pages' lazily loaded wasm (crate::web), for the pages
    /// other than home: the browser fetches them while it reads the page, and hydration
    /// does not wait for them.
    browse_head: Arc<str>,
    /// `PUBLIC_WEB_URL` without a trailing slash.
    web_url: Arc<str>,
    /// Makes the CSP of a page from its HTML (crate::web).
    csp: Arc<dyn Fn(&str) -> String + Send + Sync>,
    cache: Arc<GoodsCache<Rendered>>,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// What the URL asks for, checked: the route's data and the cache key.
enum Wanted {
    Home,
    Catalog { id: i64, filter: ListFilter },
    Product { id: i64 },
    Search { q: String, page: u64 },
    NotFound,
}

impl Pages {
    /// The renderer for `state`, with the build's `<head>` content (`index.html`'s, the API
    /// origin already written in) and the CSP maker of the web origin.
    pub fn new(
        state: &AppState,
        build_head: &str,
        browse_head: &str,
        csp: impl Fn(&str) -> String + Send + Sync + 'static,
    ) -> Self {
        // The server's reactive system runs its tasks on tokio (once per process).
        let _ = any_spawner::Executor::init_tokio();
        let goods = Router::new()
            .nest(
                "/v1",
                crate::routes::goods::router().merge(crate::routes::after_sales::router()),
            )
            .with_state(state.clone());
        Self {
            goods,
            state: state.clone(),
            build_head: without_title_and_description(build_head).into(),
            browse_head: browse_head.into(),
            web_url: state.settings.public_web_url.trim_end_matches('/').into(),
            csp: Arc::new(csp),
            cache: Arc::new(GoodsCache::default()),
        }
    }

    /// Asks the API's goods routes in process: `GET path`, or `POST path` with a form `body`.
    /// Statuses other than 200 become a [`Failure`] with the answer's code and message.
    async fn ask<T: DeserializeOwned>(&self, path: &str, form: Option<String>) -> Answer<T> {
        let request = match form {
            None => Request::get(path).body(Body::empty()),
            Some(body) => Request::builder()
                .method(Method::POST)
                .uri(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body)),
        };
        let unavailable = |message: String| Failure {
            status: 503,
            code: 503,
            message,
        };
        let request = request.map_err(|e| unavailable(e.to_string()))?;
        let Ok(response) = self.goods.clone().oneshot(request).await;
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if status == StatusCode::OK {
            return serde_json::from_slice(&body).map_err(|e| unavailable(e.to_string()));
        }
        #[derive(serde::Deserialize)]
        struct ErrorBody {
            code: u32,
            error: String,
        }
        let error: Option<ErrorBody> = serde_json::from_slice(&body).ok();
        Err(Failure {
            status: status.as_u16(),
            code: error
                .as_ref()
                .map_or(u32::from(status.as_u16()), |e| e.code),
            message: error.map_or_else(|| "服务暂时不可用，请稍后再试".to_owned(), |e| e.error),
        })
    }

    /// The page of `uri` (an app route of `route`, or `None`: the 404 page), from the cache
    /// of the current goods generation or rendered now.
    pub async fn page(&self, route: Option<&str>, uri: &Uri) -> Rendered {
        let wanted = wanted(route, uri);
        let key = match &wanted {
            Wanted::Home => Some("/".to_owned()),
            Wanted::Catalog { id, filter } => Some(format!("/catalog/{id}?{}", filter.query())),
            Wanted::Product { id } => Some(format!("/product/{id}")),
            Wanted::Search { q, page } => Some(format!("/search?{page}&{q}")),
            // Unknown paths are unbounded: not cached.
            Wanted::NotFound => None,
        }
        .filter(|key| key.len() <= MAX_CACHED_URL);
        let generation = catalog::read_generation(&self.state.kv).await;
        if let Some(hit) = key.as_ref().and_then(|k| self.cache.get(&generation, k)) {
            return hit;
        }
        let (status, data) = self.data(&wanted).await;
        let browsing = !matches!(wanted, Wanted::Home | Wanted::NotFound);
        let page = self.render(uri, status, data, browsing).await;
        // A failure of the goods reads (503) is not kept: the next request tries again.
        if let Some(key) = key
            && page.status != StatusCode::SERVICE_UNAVAILABLE
        {
            self.cache.put(&generation, key, page.clone());
        }
        page
    }

    /// The answers the page is rendered from, and its HTTP status: the route's answer's
    /// (404 for an unknown catalog or product, 503 when the goods cannot be read).
    async fn data(&self, wanted: &Wanted) -> (StatusCode, Preloaded) {
        let index = self.ask("/v1/goods/index", None).await;
        let mut status = match &index {
            Err(f) if f.status >= 500 => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::OK,
        };
        let page = match wanted {
            Wanted::Home => None,
            Wanted::NotFound => {
                status = StatusCode::NOT_FOUND;
                None
            }
            Wanted::Catalog { id, filter } => {
                let query = filter.query();
                let path = if query.is_empty() {
                    format!("/v1/goods/catalogs/{id}")
                } else {
                    format!("/v1/goods/catalogs/{id}?{query}")
                };
                let answer = self.ask(&path, None).await;
                status = status_of(status, &answer);
                Some(PageData::Catalog {
                    id: *id,
                    query,
                    answer,
                })
            }
            Wanted::Product { id } => {
                let answer = self.ask(&format!("/v1/goods/detail/{id}"), None).await;
                status = status_of(status, &answer);
                let reviews = match &answer {
                    Ok(_) => Some(self.ask(&format!("/v1/goods/{id}/reviews"), None).await),
                    Err(_) => None,
                };
                Some(PageData::Product {
                    id: *id,
                    answer,
                    reviews,
                })
            }
            Wanted::Search { q, page } => {
                let form = form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", q)
                    .append_pair("page", &page.to_string())
                    .finish();
                let answer = self.ask("/v1/goods/search", Some(form)).await;
                status = status_of(status, &answer);
                Some(PageData::Search {
                    q: q.clone(),
                    page: *page,
                    answer,
                })
            }
        };
        let data = Preloaded::new(self.web_url.to_string(), Some(index), page);
        (status, data)
    }

    /// Renders the app at `uri` from `data` (leptos_axum, every answer already there), and
    /// completes the document: the build's head first, the page's data last.
    async fn render(
        &self,
        uri: &Uri,
        status: StatusCode,
        data: Preloaded,
        browsing: bool,
    ) -> Rendered {
        let script = format!(
            r#"<script type="application/json" id="{}">{}</script>"#,
            ::app::preload::ELEMENT_ID,
            data.to_script_json()
        );
        let handler = leptos_axum::render_app_async_with_context(
            move || provide_context(Preload::new(data.clone())),
            ::app::Document,
        );
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
        let request = Request::get(path).body(Body::empty()).unwrap_or_default();
        let response = handler(request).await;
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        let mut html = String::from_utf8_lossy(&body).into_owned();
        if let Some(at) = html.find("<head>") {
            let head = if browsing {
                format!("{}{}", self.build_head, self.browse_head)
            } else {
                self.build_head.to_string()
            };
            html.insert_str(at + "<head>".len(), &head);
        }
        if let Some(at) = html.find("</head>") {
            html.insert_str(at, &script);
        }
        let csp = HeaderValue::from_str(&(self.csp)(&html))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
        Rendered {
            status,
            html: html.into(),
            csp,
        }
    }

    /// Where a sale attribute's link (`/product/<id>?attr=<attr id>&value=<value id>`, see
    /// `app::pages::choice_href`) leads: the product with that value and SKU `id`'s other
    /// values, or SKU `id` itself when there is none. `None` when the query asks for no
    /// value (then the page is rendered).
    pub async fn chosen_sku(&self, id: i64, query: Option<&str>) -> Option<i64> {
        let number = |name: &str| {
            query_param(query, name)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n > 0)
        };
        let (attr, value) = (number("attr")?, number("value")?);
        let detail: Answer<dadashop_types::goods::DetailResponse> =
            self.ask(&format!("/v1/goods/detail/{id}"), None).await;
        let Ok(detail) = detail else {
            return Some(id);
        };
        let sku = detail.data;
        let mut wanted = serde_json::Map::new();
        wanted.insert("spuid".into(), sku.spu.into());
        for (a, v) in sku.sku_sale_attr_id.iter().zip(&sku.sku_sale_attr_val_id) {
            let v = if *a == attr { value } else { *v };
            wanted.insert(a.to_string(), v.into());
        }
        let request = Request::post("/v1/goods/sku")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(serde_json::Value::Object(wanted).to_string()));
        let Ok(request) = request else {
            return Some(id);
        };
        let Ok(response) = self.goods.clone().oneshot(request).await;
        if response.status() != StatusCode::OK {
            return Some(id);
        }
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .unwrap_or_default();
        let switched: Option<dadashop_types::goods::SkuSwitchResponse> =
            serde_json::from_slice(&body).ok();
        Some(switched.map_or(id, |s| s.data))
    }
}

/// The page's status after the route's answer: its 4xx (unknown catalog or product, a page
/// past the last) or 503.
fn status_of<T>(before: StatusCode, answer: &Answer<T>) -> StatusCode {
    match answer {
        Ok(_) => before,
        Err(f) => StatusCode::from_u16(f.status)
            .ok()
            .filter(|s| s.is_client_error())
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
    }
}

/// The value of parameter `name` in a URL query (`a=1&b=2`, percent-decoded), if present.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The SKU id of a product page's path (`/product/<id>`), when it is one.
pub fn product_id(path: &str) -> Option<i64> {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .and_then(|id| id.parse::<i64>().ok())
        .filter(|id| *id > 0)
}

/// What `uri` asks for on `route` (an entry of `APP_ROUTES`; `None`: no app route), as the
/// app's pages read it.
fn wanted(route: Option<&str>, uri: &Uri) -> Wanted {
    let id = || product_id(uri.path());
    let param = |name: &str| query_param(uri.query(), name).unwrap_or_default();
    let page = || {
        param("page")
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    };
    match route {
        Some("/") => Wanted::Home,
        Some("/catalog/:id") => match id() {
            Some(id) => Wanted::Catalog {
                id,
                filter: ListFilter {
                    page: page(),
                    sort: param("sort"),
                    min_price: param("min_price"),
                    max_price: param("max_price"),
                },
            },
            None => Wanted::NotFound,
        },
        Some("/product/:id") => id().map_or(Wanted::NotFound, |id| Wanted::Product { id }),
        Some("/search") => Wanted::Search {
            q: param("q").trim().to_owned(),
            page: page(),
        },
        _ => Wanted::NotFound,
    }
}

/// `head` without its `<title>` element and meta description (the pages give their own).
fn without_title_and_description(head: &str) -> String {
    let mut out = head.to_owned();
    if let (Some(start), Some(end)) = (out.find("<title>"), out.find("</title>"))
        && start < end
    {
        out.replace_range(start..end + "</title>".len(), "");
    }
    if let Some(at) = out.find(r#"<meta name="description""#)
        && let Some(len) = out[at..].find('>')
    {
        out.replace_range(at..=at + len, "");
    }
    out
}

/// The answer of a rendered page: its status, HTML, CSP, and `no-cache` (shoppers' browsers
/// revalidate; the server's own cache follows the goods).
pub fn respond(page: Rendered) -> Response {
    let mut response = (page.status, page.html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::CONTENT_SECURITY_POLICY, page.csp);
    response
}
