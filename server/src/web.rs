//! The web origin (port 7000): serves the SPA that Trunk built into `DIST_DIR`.
//!
//! Files with a content hash in their name get a year of immutable caching; `index.html` is
//! answered for every app route (including the legacy `/dadashop/templates/*.html` paths)
//! with `no-cache`, the configured API origin written into its
//! `<meta name="dadashop-api-url">`, and a strict Content-Security-Policy whose script hashes
//! are computed from the inline module loader Trunk emits.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use http::{HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;

use crate::config::Settings;

/// The page and the headers answered for every app route.
#[derive(Debug)]
struct Shell {
    /// The rewritten page; `Bytes` so that each answer shares it instead of copying it.
    html: axum::body::Bytes,
    csp: HeaderValue,
}

/// Name of the meta tag through which the SPA learns the API origin.
pub const API_URL_META: &str = "dadashop-api-url";

/// Builds the web router. Fails when `DIST_DIR/index.html` is missing or unreadable, with a
/// message saying how to build the SPA.
pub fn router(settings: &Settings) -> anyhow::Result<Router> {
    let dist = settings.dist_dir.clone();
    let index = std::fs::read_to_string(dist.join("index.html")).with_context(|| {
        format!(
            "{} has no index.html: build the SPA first (`trunk build --release`), or run `dadashop serve --no-web`",
            dist.display()
        )
    })?;
    let api = settings.public_api_url.trim_end_matches('/').to_owned();
    let html = set_api_meta(&index, &api);
    let csp = content_security_policy(&html, &api, &avatar_sources(settings));
    let shell = Arc::new(Shell {
        html: html.into(),
        csp: HeaderValue::from_str(&csp).context("CSP header")?,
    });

    let files = ServeDir::new(&dist)
        .append_index_html_on_directories(false)
        .fallback(axum::routing::get(index_page).with_state(shell.clone()));
    let router = Router::new()
        .route("/", axum::routing::get(index_page))
        .route("/index.html", axum::routing::get(index_page))
        .with_state(shell.clone())
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(shell, security_headers));
    Ok(crate::routes::with_common_layers(router, settings))
}

async fn index_page(State(shell): State<Arc<Shell>>) -> Response {
    let mut response = Html(shell.html.clone()).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
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
    headers.insert(header::CONTENT_SECURITY_POLICY, shell.csp.clone());
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
}

/// Where Weibo avatars may come from when Weibo login is on: the origin of `WEIBO_API_BASE`
/// (the local fake serves them itself) and Weibo's image hosts (`*.sinaimg.cn`, where
/// `2/users/show.json` points `avatar_large` and `profile_image_url`).
fn avatar_sources(settings: &Settings) -> Vec<String> {
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
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without a `src` attribute.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|chunk| {
        let open_end = chunk.find('>')?;
        let attrs = &chunk[..open_end];
        if attrs.contains("src=") {
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
        assert!(!is_hashed_asset("/favicon.ico"));
        assert!(!is_hashed_asset("/dadashop/templates/login.html"));
    }
}
