//! The JSON API router: one `router()` per resource module, merged here, plus the
//! cross-cutting layers (request ids, tracing, the JSON error shape for every error, security
//! headers, CORS, URI and header limits, panic guard, time-out, body limit, compression).

pub mod addresses;
pub mod admin;
pub mod after_sales;
pub mod carts;
pub mod favourites;
pub mod goods;
pub mod health;
pub mod orders;
pub mod password_reset;
pub mod payments;
pub mod processing;
pub mod tokens;
pub mod users;
pub mod verification;
pub mod weibo;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request as AxumRequest};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};

use crate::client_ip::TrustedProxies;
use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest accepted request body, in bytes. A larger `Content-Length` gets 413 before the
/// body is read (no `100 Continue`).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// Longest accepted request target (path and query), in bytes; longer gets 414.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest accepted header block (names and values), in bytes; larger gets 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Most request headers accepted; more get 431.
pub const MAX_HEADER_COUNT: usize = 100;
/// Content-Security-Policy of everything under `/media/`: an SVG opened directly can run no
/// script, load nothing and is sandboxed (OWASP "Unrestricted File Upload").
pub const MEDIA_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";
/// `Cache-Control` of `/media/` files: a week, then revalidated with `Last-Modified` (an
/// operator replacing a picture under the same name sees it within the week; new pictures
/// get new names).
pub const MEDIA_CACHE_CONTROL: &str = "public, max-age=604800";
/// Preflight cache lifetime, in seconds (docs/api.md "Conventions").
pub const CORS_MAX_AGE_SECS: u64 = 86_400;

/// Request headers a browser may send cross-origin: the original's django-cors-headers list,
/// and `idempotency-key` (order creation).
const CORS_ALLOWED_HEADERS: [&str; 9] = [
    "accept-encoding",
    "authorization",
    "content-type",
    "dnt",
    "idempotency-key",
    "origin",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// The whole API: `/v1/...`, `/media/...`, `/healthz`, `/readyz`, `/openapi.json`, the
/// `/docs` viewer (crate::docs) and `/metrics` (crate::metrics).
///
/// Every error it answers is `{"code", "error"}` JSON, also those made by the HTTP layers
/// (408, 413, 414, 431, media 404); every answer carries `X-Content-Type-Options: nosniff`;
/// `/v1` answers carry `Cache-Control: no-store` unless a handler sets its own (they hold
/// personal data and tokens; the cached goods reads set `public, no-cache` with an `ETag`);
/// media files are cached for a week.
pub fn api_router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let proxies = Arc::clone(&state.proxies);
    let v1 = Router::new()
        .merge(users::router())
        .merge(tokens::router())
        .merge(addresses::router())
        .merge(goods::router())
        .merge(carts::router())
        .merge(favourites::router())
        .merge(orders::router())
        .merge(after_sales::router())
        .merge(processing::router())
        .merge(payments::router())
        .merge(weibo::router())
        .merge(verification::router())
        .merge(password_reset::router())
        .merge(admin::router())
        .fallback(|| async { ApiError::not_found(404, "接口不存在") })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let csp = SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(MEDIA_CSP),
    );
    let media: Router<AppState> = if state.media.is_remote() {
        // Pictures in object storage: read from there (crate::media::serve).
        Router::new()
            .route("/media/{*key}", axum::routing::get(crate::media::serve))
            .with_state(state.media.clone())
            .layer(csp)
    } else {
        let files = ServiceBuilder::new()
            .layer(csp)
            .map_response(media_cache_control)
            .service(ServeDir::new(&settings.media_dir));
        Router::new().nest_service("/media", files)
    };
    let timeout = Duration::from_secs(settings.request_timeout_secs);
    let router = Router::new()
        .nest("/v1", v1)
        .merge(health::router())
        .merge(crate::openapi::router())
        .merge(crate::docs::router())
        .merge(crate::metrics::router(&settings))
        .merge(media)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Picture uploads read their own bodies up to PICTURE_MAX_BYTES.
        .merge(admin::pictures::router())
        .merge(after_sales::upload_router())
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| {
                ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
            },
        ))
        .layer(middleware::from_fn(request_limits))
        .layer(cors_layer(&settings))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(
            Arc::new(settings.legacy_origins()),
            legacy_errors,
        ))
        // Outside every other layer: counts the status the client gets (408, 413, 500 of
        // the layers too).
        .layer(middleware::from_fn(crate::metrics::track_requests));
    with_request_ids(router, Arc::clone(&proxies), access_log_level(&settings))
}

/// The level of the access log line of each request: `INFO` in production (the operator's
/// access log), `DEBUG` in development and test, where a line per request (about 1,600 for
/// a first visit of the shop) would bury the SMS codes and mails printed on the terminal
/// (`RUST_LOG=info,tower_http=debug` shows them).
pub fn access_log_level(settings: &Settings) -> tracing::Level {
    if settings.dadashop_env == crate::config::Profile::Production {
        tracing::Level::INFO
    } else {
        tracing::Level::DEBUG
    }
}

/// 414 for a request target over [`MAX_URI_BYTES`], 431 for more than [`MAX_HEADER_COUNT`]
/// headers or a header block over [`MAX_HEADER_BYTES`]. hyper refuses still larger ones
/// itself (more than 256 headers, a head over its 400 KiB buffer) with an empty body.
async fn request_limits(request: AxumRequest, next: Next) -> Response {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::Transport(StatusCode::URI_TOO_LONG).into_response();
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADER_COUNT || bytes > MAX_HEADER_BYTES {
        return ApiError::Transport(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).into_response();
    }
    next.run(request).await
}

/// Gives every error answer that is not JSON yet (made by a layer or a file service) the
/// shop's `{"code", "error"}` body, keeping its other headers (`Allow`, `Retry-After`, CORS).
/// The Alipay notification endpoint keeps its plain-text `failure` (the gateway's protocol).
async fn json_errors(request: AxumRequest, next: Next) -> Response {
    let plain_text = request.uri().path() == payments::NOTIFY_PATH;
    let response = next.run(request).await;
    if plain_text {
        return response;
    }
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, _body) = response.into_parts();
    let error = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else {
        ApiError::Transport(status)
    };
    let mut fresh = error.into_response();
    let content = [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::TRANSFER_ENCODING,
    ];
    for (name, value) in &parts.headers {
        if !content.contains(name) {
            fresh.headers_mut().append(name.clone(), value.clone());
        }
    }
    fresh
}

/// The original's error convention for its own pages: a request under `/v1/` whose `Origin`
/// is one of `legacy` (`LEGACY_CLIENT_ORIGINS`) gets its error answer with HTTP 200, the
/// same `{"code", "error"}` body and the same headers (`Retry-After` of a 429 or 503, CORS).
/// Every other request keeps the real status. The gateway's notification is never touched.
async fn legacy_errors(
    axum::extract::State(legacy): axum::extract::State<Arc<Vec<String>>>,
    request: AxumRequest,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let from_legacy_page = !legacy.is_empty()
        && path.starts_with("/v1/")
        && path != payments::NOTIFY_PATH
        && request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| legacy.iter().any(|o| o == origin));
    let mut response = next.run(request).await;
    let status = response.status();
    if from_legacy_page && (status.is_client_error() || status.is_server_error()) {
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// `Cache-Control` of a `/media/` answer: [`MEDIA_CACHE_CONTROL`] for a file (200, 206, 304),
/// `no-store` for anything else, so that a 404 (a picture not uploaded yet, or one another
/// API process is still writing) is never kept by a browser or a proxy.
fn media_cache_control<B>(mut response: http::Response<B>) -> http::Response<B> {
    let status = response.status();
    let value = if status.is_success() || status == StatusCode::NOT_MODIFIED {
        MEDIA_CACHE_CONTROL
    } else {
        "no-store"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// The CORS policy of docs/api.md: an exact allow-list (never reflected, never `null`), the listed
/// methods and headers, 24 h preflight cache; expose-headers and credentials configurable.
pub fn cors_layer(settings: &Settings) -> CorsLayer {
    let origins: Vec<HeaderValue> = settings
        .cors_origins()
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

/// Longest request id taken from a trusted proxy, in characters (nginx's `$request_id` has
/// 32, a UUID 36).
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// Adds a request id (`x-request-id`, echoed back) and a tracing span per request carrying
/// it as `request_id` (path only: query strings may hold codes), with an access line per
/// response.
///
/// The id comes from the request only when its direct peer is one of `proxies` (nginx passes
/// its `$request_id`, so both logs share it) and it is 1 to [`MAX_REQUEST_ID_LEN`] visible
/// ASCII characters; otherwise a fresh UUID v4 replaces it: a browser does not choose the
/// ids under which its requests are logged.
///
/// Each answered request is logged at `access_level` (see [`access_log_level`]).
pub fn with_request_ids(
    router: Router,
    proxies: Arc<TrustedProxies>,
    access_level: tracing::Level,
) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    router.layer(
        ServiceBuilder::new()
            .layer(middleware::from_fn(move |request, next| {
                untrusted_request_ids(Arc::clone(&proxies), request, next)
            }))
            .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .on_response(DefaultOnResponse::new().level(access_level))
                    // The access line above already carries the status; an ERROR line per
                    // 5xx would flood the log (and the CPU) exactly when the shop sheds load.
                    .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG))
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
            .layer(PropagateRequestIdLayer::new(request_id)),
    )
}

/// Drops an `X-Request-Id` that did not come from a trusted proxy, or that is not 1 to
/// [`MAX_REQUEST_ID_LEN`] visible ASCII characters, so that `SetRequestIdLayer` makes one.
async fn untrusted_request_ids(
    proxies: Arc<TrustedProxies>,
    mut request: AxumRequest,
    next: Next,
) -> Response {
    let trusted_peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| proxies.contains(peer.ip()));
    let headers = request.headers();
    let keep = trusted_peer
        && headers.get_all("x-request-id").iter().count() == 1
        && headers.get("x-request-id").is_some_and(|v| {
            let bytes = v.as_bytes();
            !bytes.is_empty()
                && bytes.len() <= MAX_REQUEST_ID_LEN
                && bytes.iter().all(u8::is_ascii_graphic)
        });
    if !keep {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// The layers of the web origin: request ids and tracing, a panic guard, the request
/// time-out of `settings` and gzip.
pub fn with_common_layers(router: Router, settings: &Settings) -> Router {
    let router = router.layer(
        ServiceBuilder::new()
            .layer(CatchPanicLayer::custom(
                |_: Box<dyn std::any::Any + Send>| {
                    ApiError::Internal(anyhow::anyhow!("handler panicked")).into_response()
                },
            ))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(settings.request_timeout_secs),
            ))
            .layer(CompressionLayer::new()),
    );
    // validate() refused a malformed list; an empty one then trusts no proxy's id.
    let proxies =
        crate::client_ip::parse_trusted_proxies(&settings.trusted_proxies).unwrap_or_default();
    with_request_ids(router, Arc::new(proxies), access_log_level(settings))
}
