//! The web origin (port 7000): serves the SPA that Trunk built into `DIST_DIR`.
//!
//! Files with a content hash in their name get a year of immutable caching, and are served
//! precompressed (`.br`, `.gz` beside them, chosen by `Accept-Encoding`) when the build made
//! them; `index.html` is answered for every app route of
//! [`dadashop_types::routes::APP_ROUTES`] (including the legacy `/dadashop/templates/*.html`
//! paths) with `no-cache`, the configured API origin written into its
//! `<meta name="dadashop-api-url">`, and a strict Content-Security-Policy whose script hashes
//! are computed from the inline module loader Trunk emits. Any other path answers 404 (with
//! the same page, which shows the SPA's 404 page).
//!
//! The public pages (home, catalog lists, product pages, search results, and the 404 page
//! for any other path) are rendered on the server (crate::ssr) and hydrated by the wasm: what
//! crawlers, link previews and shoppers without JavaScript read is the page itself, with its
//! own `<title>`, meta description, canonical link, Open Graph tags and schema.org JSON-LD. An
//! unknown or unlaunched product, or an unknown catalog, answers 404. The original client's
//! page paths of those pages (`/dadashop/templates/index.html`, `product_list.html`,
//! `product_details.html`, `search_list.html`) answer a permanent redirect to them. The
//! other pages (login, cart, orders, personal center, the console) get `index.html` and are
//! rendered in the browser. `robots.txt` names `sitemap.xml`, which lists the home page,
//! every catalog and every launched product. Rendered pages and the sitemap are cached for
//! the current goods generation (crate::catalog), like the API's goods answers.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::Uri;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use http::{HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use crate::catalog::{self, Cached};
use crate::state::AppState;

/// The page and the headers answered for every app route.
#[derive(Debug)]
struct Shell {
    /// The rewritten page; `Bytes` so that each answer shares it instead of copying it.
    html: axum::body::Bytes,
    csp: HeaderValue,
}

/// Name of the meta tag through which the SPA learns the API origin.
pub const API_URL_META: &str = "dadashop-api-url";

/// What the page handlers need: the page and the shop's state.
#[derive(Debug, Clone)]
struct Web {
    shell: Arc<Shell>,
    /// The server-rendered public pages.
    pages: crate::ssr::Pages,
    state: AppState,
    /// `PUBLIC_WEB_URL` without a trailing slash.
    web_url: Arc<str>,
    /// `DIST_DIR/robots.txt` (empty when absent).
    robots: Arc<str>,
}

/// Builds the web router. Fails when `DIST_DIR/index.html` is missing or unreadable, with a
/// message saying how to build the SPA.
pub fn router(state: &AppState) -> anyhow::Result<Router> {
    let settings = &state.settings;
    let dist = settings.dist_dir.clone();
    let index = std::fs::read_to_string(dist.join("index.html")).with_context(|| {
        format!(
            "{} has no index.html: build the SPA first (`bash scripts/build-spa.sh`), or run `dadashop serve --no-web`",
            dist.display()
        )
    })?;
    let api = settings.public_api_url.trim_end_matches('/').to_owned();
    let html = set_api_meta(&index, &api);
    let mut images = avatar_sources(settings);
    images.extend(media_source(settings));
    let csp = content_security_policy(&html, &api, &images);
    let build_head = head_of(&html);
    let pages = {
        let (api, images) = (api.clone(), images.clone());
        crate::ssr::Pages::new(state, &build_head, &browse_preloads(&dist), move |page| {
            content_security_policy(page, &api, &images)
        })
    };
    let shell = Arc::new(Shell {
        html: html.into(),
        csp: HeaderValue::from_str(&csp).context("CSP header")?,
    });

    let web = Web {
        shell: shell.clone(),
        pages,
        state: state.clone(),
        web_url: settings.public_web_url.trim_end_matches('/').into(),
        robots: std::fs::read_to_string(dist.join("robots.txt"))
            .unwrap_or_default()
            .into(),
    };
    let files = ServeDir::new(&dist)
        .append_index_html_on_directories(false)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(axum::routing::get(app_page).with_state(web.clone()));
    // The rendered pages by their own routes: through the fallback each request would first
    // look for a file of that name in `dist/` (a blocking stat on a thread of its own), which
    // cost the product page two thirds of its throughput (bench/pages.sh).
    let rendered = RENDERED_ROUTES
        .iter()
        .fold(Router::new(), |router, pattern| {
            router.route(&axum_path(pattern), axum::routing::get(app_page))
        });
    let router = rendered
        .route("/index.html", axum::routing::get(app_page))
        .route("/robots.txt", axum::routing::get(robots))
        .route("/sitemap.xml", axum::routing::get(sitemap))
        .with_state(web)
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(shell, security_headers));
    Ok(crate::routes::with_common_layers(router, settings))
}

/// An app route pattern (`/product/:id`) as an axum path (`/product/{id}`).
fn axum_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The wasm group of the browsing pages (app/src/lib.rs, `lazy`: catalog, product, search,
/// cart), as preload links: the product and catalog pages are where shoppers land from a
/// search engine or a shared link, and without the hint the browser would ask for these
/// files only once the main module runs and routes. Read from `DIST_DIR/lazy-modules.json`
/// (`{"<group>": ["<file>", ...]}`, written by scripts/finish-spa.mjs); empty when it is
/// missing (a `trunk serve` build has no lazily loaded modules) or unreadable (logged).
fn browse_preloads(dist: &Path) -> String {
    let path = dist.join("lazy-modules.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return String::new();
    };
    let groups: std::collections::HashMap<String, Vec<String>> = match serde_json::from_str(&text) {
        Ok(groups) => groups,
        Err(err) => {
            tracing::warn!(path = %path.display(), error = %err, "lazily loaded modules not preloaded");
            return String::new();
        }
    };
    groups
        .get("shop")
        .into_iter()
        .flatten()
        .filter(|file| is_hashed_asset(file) && !file.contains(['"', '<', '>', '/', '\\']))
        .map(|file| {
            format!(r#"<link rel="preload" href="/{file}" as="fetch" type="application/wasm" crossorigin>"#)
        })
        .collect()
}

fn html_response(status: StatusCode, html: axum::body::Bytes) -> Response {
    let mut response = (status, Html(html)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The routes rendered on the server (crate::ssr); every other app route is rendered in the
/// browser from `index.html`.
pub const RENDERED_ROUTES: [&str; 4] = ["/", "/catalog/:id", "/product/:id", "/search"];

/// The original client's files of the rendered pages: answered with a permanent redirect
/// to the page that replaced them (`app::pages::legacy_target`).
const RENDERED_LEGACY_FILES: [&str; 4] = [
    "index.html",
    "product_list.html",
    "product_details.html",
    "search_list.html",
];

/// The page for an app route: rendered on the server for the public pages, `index.html` for
/// the others; the rendered 404 page (marked `noindex`) for anything else, and for a product
/// or catalog that does not exist.
async fn app_page(State(web): State<Web>, uri: Uri) -> Response {
    let path = uri.path();
    let route = dadashop_types::routes::app_route(path);
    if let Some(file) = path.strip_prefix("/dadashop/templates/")
        && RENDERED_LEGACY_FILES.contains(&file)
    {
        let search = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
        let param = |name: &str| crate::ssr::query_param(uri.query(), name);
        return match ::app::pages::legacy_target(file, &search, param) {
            Some(target) => axum::response::Redirect::permanent(&target).into_response(),
            None => crate::ssr::respond(web.pages.page(None, &uri).await),
        };
    }
    match route {
        Some(route) if RENDERED_ROUTES.contains(&route) => {
            if route == "/product/:id"
                && let Some(id) = crate::ssr::product_id(path)
                && let Some(sku) = web.pages.chosen_sku(id, uri.query()).await
            {
                // Another colour or size without JavaScript (`?attr=&value=`).
                return axum::response::Redirect::to(&::app::Page::product(sku)).into_response();
            }
            crate::ssr::respond(web.pages.page(Some(route), &uri).await)
        }
        Some(_) => html_response(StatusCode::OK, web.shell.html.clone()),
        None => crate::ssr::respond(web.pages.page(None, &uri).await),
    }
}

/// The inside of the build's `<head>` (`index.html`), empty when it has none.
fn head_of(html: &str) -> String {
    match (html.find("<head>"), html.find("</head>")) {
        (Some(start), Some(end)) if start < end => html[start + "<head>".len()..end].to_owned(),
        _ => String::new(),
    }
}

/// A cached page of the current goods generation under `key`, made by `make` (`None`:
/// the thing does not exist; not cached) from the pool it gets: the replica when it may
/// serve, else the primary (crate::db::replica).
async fn cached_page<F, Fut>(
    web: &Web,
    key: String,
    make: F,
) -> anyhow::Result<Option<axum::body::Bytes>>
where
    F: Fn(sqlx::AnyPool) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<String>>>,
{
    let generation = catalog::read_generation(&web.state.kv).await;
    if let Some(hit) = web.state.goods_cache.get(&generation, &key) {
        return Ok(Some(hit.body));
    }
    let Some(html) = web.state.catalog_reads(&generation).run(make).await? else {
        return Ok(None);
    };
    let entry = Cached::new(html.into_bytes());
    web.state.goods_cache.put(&generation, key, entry.clone());
    Ok(Some(entry.body))
}

/// `robots.txt` of the build plus the sitemap's address.
async fn robots(State(web): State<Web>) -> Response {
    let mut text = web.robots.trim_end().to_owned();
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!("Sitemap: {}/sitemap.xml\n", web.web_url));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// `sitemap.xml`: the home page, every catalog and every launched product.
async fn sitemap(State(web): State<Web>) -> Response {
    let web = &web;
    let made = cached_page(web, "web:sitemap".to_owned(), |db| async move {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut add = |path: String| {
            xml.push_str(&format!(
                "<url><loc>{}{}</loc></url>\n",
                escape_attr(&web.web_url),
                path
            ));
        };
        add("/".to_owned());
        for c in crate::db::goods::catalogs(&db).await? {
            add(format!("/catalog/{}", c.id));
        }
        for id in crate::db::goods::launched_ids(&db).await? {
            add(format!("/product/{id}"));
        }
        xml.push_str("</urlset>\n");
        Ok(Some(xml))
    })
    .await;
    match made {
        Ok(Some(xml)) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            )],
            xml,
        )
            .into_response(),
        Ok(None) | Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// CSP, `nosniff`, referrer policy and framing on every answer; cache lifetime by file kind.
async fn security_headers(
    State(shell): State<Arc<Shell>>,
    request: Request,
    next: Next,
) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let ok = response.status() == StatusCode::OK;
    let headers = response.headers_mut();
    // A server-rendered page brings its own (its inline scripts' hashes).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, shell.csp.clone());
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if ok && !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=3600"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether a file name carries a Trunk content hash: `name-<16+ hex digits>[_bg].ext`.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    stem.rsplit_once('-').is_some_and(|(_, tail)| {
        let hex = tail.trim_end_matches("_bg");
        hex.len() >= 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Replaces the `content` of `<meta name="dadashop-api-url" ...>` (or adds the tag to
/// `<head>` when absent).
fn set_api_meta(html: &str, api: &str) -> String {
    let tag = format!(
        r#"<meta name="{API_URL_META}" content="{}">"#,
        escape_attr(api)
    );
    let needle = format!(r#"name="{API_URL_META}""#);
    if let Some(at) = html.find(&needle)
        && let (Some(start), Some(len)) = (html[..at].rfind('<'), html[at..].find('>'))
    {
        return format!("{}{tag}{}", &html[..start], &html[at + len + 1..]);
    }
    html.replacen("<head>", &format!("<head>{tag}"), 1)
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The origin of `MEDIA_PUBLIC_URL` when pictures come from a CDN or a bucket of their own.
fn media_source(settings: &crate::config::Settings) -> Option<String> {
    let base = reqwest::Url::parse(&settings.media_public_url).ok()?;
    let origin = base.origin().ascii_serialization();
    (origin != "null").then_some(origin)
}

/// Where Weibo avatars may come from when Weibo login is on: the origin of `WEIBO_API_BASE`
/// (the local fake serves them itself) and Weibo's image hosts (`*.sinaimg.cn`, where
/// `2/users/show.json` points `avatar_large` and `profile_image_url`).
fn avatar_sources(settings: &crate::config::Settings) -> Vec<String> {
    if settings.weibo_client_id.is_none() {
        return Vec::new();
    }
    let mut sources = vec!["https://*.sinaimg.cn".to_owned()];
    if let Ok(base) = reqwest::Url::parse(&settings.weibo_api_base) {
        let origin = base.origin().ascii_serialization();
        if origin != "null" {
            sources.push(origin);
        }
    }
    sources
}

/// `default-src 'self'`, scripts only from this origin plus the hashes of the page's inline
/// scripts and wasm compilation, images and `fetch` to this origin and the API origin (and
/// images from `images`, the Weibo avatar hosts).
fn content_security_policy(html: &str, api: &str, images: &[String]) -> String {
    let hashes: String = inline_scripts(html)
        .map(|s| {
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s))
            )
        })
        .collect();
    let images: String = images.iter().map(|source| format!(" {source}")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: {api}{images}; connect-src 'self' {api}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of the `<script>` elements that run: without a `src` attribute, and not data
/// (`type="application/json"`, `application/ld+json`).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|chunk| {
        let open_end = chunk.find('>')?;
        let attrs = &chunk[..open_end];
        if attrs.contains("src=") || attrs.contains("json\"") {
            return None;
        }
        let body = &chunk[open_end + 1..];
        Some(&body[..body.find("</script>")?])
    })
}

/// Whether `dist` holds a built SPA.
pub fn is_built(dist: &Path) -> bool {
    dist.join("index.html").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_route_patterns_become_axum_paths() {
        assert_eq!(axum_path("/"), "/");
        assert_eq!(axum_path("/product/:id"), "/product/{id}");
        assert_eq!(axum_path("/search"), "/search");
    }

    #[test]
    fn product_and_catalog_pages_preload_the_browsing_pages_wasm() {
        let dist = tempfile::tempdir().expect("temp dir");
        assert_eq!(browse_preloads(dist.path()), "", "no split build: nothing");
        std::fs::write(
            dist.path().join("lazy-modules.json"),
            r#"{"shop": ["pages-shop-3fd76b77b93e88a0.wasm", "chunk-4-fc57648623945ea5.wasm", "x\"><script>.wasm"],
                "member": ["pages-member-1c6b5008e0d4c3ff.wasm"]}"#,
        )
        .expect("write");
        let links = browse_preloads(dist.path());
        assert_eq!(
            links,
            concat!(
                r#"<link rel="preload" href="/pages-shop-3fd76b77b93e88a0.wasm" as="fetch" type="application/wasm" crossorigin>"#,
                r#"<link rel="preload" href="/chunk-4-fc57648623945ea5.wasm" as="fetch" type="application/wasm" crossorigin>"#,
            )
        );
        std::fs::write(dist.path().join("lazy-modules.json"), "not json").expect("write");
        assert_eq!(browse_preloads(dist.path()), "");
    }

    #[test]
    fn the_api_meta_tag_is_rewritten() {
        let html = r#"<html><head><meta name="dadashop-api-url" content="http://127.0.0.1:8000"/></head></html>"#;
        let out = set_api_meta(html, "https://api.shop.example");
        assert!(
            out.contains(r#"<meta name="dadashop-api-url" content="https://api.shop.example">"#),
            "{out}"
        );
        assert!(!out.contains("127.0.0.1"));
    }

    #[test]
    fn inline_scripts_are_hashed_into_the_policy() {
        let html = r#"<script src="/a.js"></script><script type="module">init()</script>"#;
        let csp = content_security_policy(html, "http://api", &[]);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest("init()"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("sha256-").count(), 1);
    }

    #[test]
    fn hashed_assets_are_recognised() {
        assert!(is_hashed_asset("/frontend-5f2a9c0d1e3b4a6f_bg.wasm"));
        assert!(is_hashed_asset("/main-0123456789abcdef.css"));
        // The split build's lazily loaded modules and loader (scripts/finish-spa.mjs).
        assert!(is_hashed_asset("/pages-shop-3fd76b77b93e88a0.wasm"));
        assert!(is_hashed_asset("/chunk-4-fc57648623945ea5.wasm"));
        assert!(is_hashed_asset("/wasm-split-9116e5db164e332c.js"));
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/dadashop/templates/login.html"));
    }
}
