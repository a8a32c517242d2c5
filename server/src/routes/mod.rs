//! The JSON API router: one `router()` per resource module, merged here, plus the
//! cross-cutting layers (CORS, request ids, tracing, body limit, time-out, compression,
//! panic guard).

pub mod addresses;
pub mod goods;
pub mod health;
pub mod tokens;
pub mod users;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use http::{HeaderName, HeaderValue, Method, Request};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest accepted request body, in bytes.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// Longest time a request may take before the client gets 408, in seconds.
pub const REQUEST_TIMEOUT_SECS: u64 = 30;
/// Preflight cache lifetime, in seconds (API.md "CORS").
pub const CORS_MAX_AGE_SECS: u64 = 86_400;

/// Request headers a browser may send cross-origin (the original's django-cors-headers list).
const CORS_ALLOWED_HEADERS: [&str; 8] = [
    "accept-encoding",
    "authorization",
    "content-type",
    "dnt",
    "origin",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// The whole API: `/v1/...`, `/media/...`, `/healthz`, `/readyz`.
pub fn api_router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let v1 = Router::new()
        .merge(users::router())
        .merge(tokens::router())
        .merge(addresses::router())
        .merge(goods::router())
        .fallback(|| async { ApiError::not_found(404, "接口不存在") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed });
    let router = Router::new()
        .nest("/v1", v1)
        .merge(health::router())
        .merge(crate::openapi::router())
        .nest_service("/media", ServeDir::new(&settings.media_dir))
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(cors_layer(&settings));
    with_common_layers(router)
}

/// The CORS policy of API.md: an exact allow-list (never reflected, never `null`), the listed
/// methods and headers, 24 h preflight cache; expose-headers and credentials configurable.
pub fn cors_layer(settings: &Settings) -> CorsLayer {
    let origins: Vec<HeaderValue> = settings
        .allowed_origins()
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let expose: Vec<HeaderName> = settings
        .expose_headers()
        .iter()
        .filter_map(|h| HeaderName::try_from(h.as_str()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::DELETE,
            Method::GET,
            Method::OPTIONS,
            Method::PATCH,
            Method::POST,
            Method::PUT,
        ])
        .allow_headers(CORS_ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers(expose)
        .allow_credentials(settings.cors_allow_credentials)
        .max_age(Duration::from_secs(CORS_MAX_AGE_SECS))
}

/// Adds a request id (`x-request-id`, generated when absent, echoed back), a tracing span
/// per request carrying it (path only: query strings may hold codes), a time-out, gzip, and
/// a panic guard that answers the shop's 500 body.
pub fn with_common_layers(router: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                    .make_span_with(|req: &Request<_>| {
                        let id = req
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        tracing::info_span!(
                            "request",
                            method = %req.method(),
                            path = %req.uri().path(),
                            request_id = %id
                        )
                    }),
            )
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| {
                    ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
                },
            ))
            .layer(TimeoutLayer::with_status_code(
                http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(REQUEST_TIMEOUT_SECS),
            ))
            .layer(CompressionLayer::new()),
    )
}
