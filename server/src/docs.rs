//! `GET /docs`: an OpenAPI viewer (Swagger UI) for `/openapi.json`, served by the API itself
//! so it works offline (issue #11, item 5).
//!
//! Swagger UI's bundle and stylesheet come from the `swagger-ui-dist` crate, which holds them
//! (`include_str!`): no CDN, no download at build time. Only those two files of the crate are
//! routed; the page and its start script are ours, so that the page has no inline script
//! (the crate's own page has one and echoes the request URI into it) and the
//! Content-Security-Policy ([`DOCS_CSP`]) can forbid everything remote.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};
use swagger_ui_dist::{ApiDefinition, OpenApiSource};

use crate::state::AppState;

/// Where the crate's assets are routed: `/docs/assets/swagger-ui-bundle.js` and
/// `/docs/assets/swagger-ui.css`.
pub const ASSETS_PREFIX: &str = "/docs/assets";

/// Content-Security-Policy of the viewer: scripts, styles, fonts and fetches from this origin
/// only; inline styles (Swagger UI's React components set `style` attributes) and `data:`
/// images (its icons); nothing from any other host, no framing, no forms, no plugins.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The viewer's page: the stylesheet, the bundle and [`INIT_JS`], all same-origin.
const INDEX_HTML: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dadashop API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"#;

/// Starts Swagger UI on `/openapi.json`; `validatorUrl: null` keeps it from asking the
/// public validator service about the document.
const INIT_JS: &str = r##"window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true
  });
});
"##;

/// `GET /docs`, `GET /docs/init.js` and the two assets of `swagger-ui-dist`, each with
/// [`DOCS_CSP`].
pub fn router() -> Router<AppState> {
    let assets = swagger_ui_dist::generate_routes(ApiDefinition {
        uri_prefix: ASSETS_PREFIX,
        api_definition: OpenApiSource::Uri("/openapi.json"),
        title: None,
    });
    Router::new()
        .route(
            "/docs",
            get(|| async { page(INDEX_HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/docs/init.js",
            get(|| async { page(INIT_JS, "text/javascript; charset=utf-8") }),
        )
        .route_service(
            &format!("{ASSETS_PREFIX}/swagger-ui-bundle.js"),
            assets.clone(),
        )
        .route_service(&format!("{ASSETS_PREFIX}/swagger-ui.css"), assets)
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        ))
        .layer(
            tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        )
}

/// A fixed text answer of `content_type`.
fn page(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
