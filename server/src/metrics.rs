//! `GET /metrics`: the Prometheus text format (issue #11, item 5), on the API listener.
//!
//! The `metrics` facade records; `metrics-exporter-prometheus` holds the values and renders
//! them, without its own HTTP listener: [`router`] answers the scrape. The recorder is global
//! to the process (a `metrics` rule), installed once by [`handle`]; the test harness builds
//! several apps in one process, which then share it.
//!
//! What is there:
//! - `http_requests_total{method,route,status}` (counter) and
//!   `http_request_duration_seconds{method,route,status}` (histogram, [`DURATION_BUCKETS`]),
//!   recorded by [`track_requests`]. `route` is the axum route template
//!   (`/v1/orders/{username}`) or `unmatched`, never the raw path: one series per route and
//!   status, however many users and orders there are.
//! - `db_pool_connections` and `db_pool_idle_connections` (gauges), sampled at scrape time.
//! - `job_queue_depth{kind}`, `job_queue_running{kind}`, `job_queue_failed{kind}` (gauges),
//!   sampled at scrape time from `Jobs::stats` with a [`JOB_STATS_TIMEOUT`]; left as they
//!   were when the broker does not answer in time.
//! - `ephemeral_store_errors_total` (counter): failed Redis commands (crate::kv).
//! - `background_worker_up{worker}` (gauge): 1 while the background loop `worker` of this
//!   process runs (a queue's worker by the queue's name, `sms`, `order_timeout`, ..., or the
//!   periodic `order_sweep` and `reconcile`), 0 while it is down and waits for its store
//!   (crate::jobs::supervise); sampled at scrape time, absent in a process without workers.
//! - `payments_applied_total{outcome}` (counter): Alipay payments applied, by outcome
//!   (`paid`, `refund_due`, `already`, `unknown_order`, `amount_mismatch`, `other_trade`).
//!
//! Access: served only with `METRICS_ENABLED` and only to a client (crate::client_ip, so
//! behind nginx the forwarded client) that is a loopback address or in `METRICS_ALLOW`; any
//! other gets the same 404 as an unknown path, so the endpoint does not show from outside.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, header};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::client_ip::TrustedProxies;
use crate::config::Settings;
use crate::error::ApiError;
use crate::state::AppState;

/// Upper bounds of the request-duration histogram's buckets, in seconds: 5 ms up to the
/// 30 s default request time-out (`REQUEST_TIMEOUT_SECS`).
pub const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
];

/// Longest wait for the job counts at scrape time; Prometheus' default scrape time-out is
/// 10 s, and a slow broker must not make the whole scrape fail.
pub const JOB_STATS_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the recorder's histogram samples are folded into their buckets, so that they
/// do not pile up between scrapes (metrics-exporter-prometheus "Upkeep and maintenance").
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

/// The `route` label of a request that matched no route (unknown paths, 404s of layers).
pub const UNMATCHED: &str = "unmatched";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's Prometheus handle, installing the global recorder on first use.
///
/// When another recorder is already installed (an embedding program's), this handle renders
/// an empty registry rather than failing the API's start.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".to_owned()),
                &DURATION_BUCKETS,
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed: /metrics will be empty");
        } else {
            describe();
            // Histogram samples pile up in per-series buckets until drained: without a
            // scraper (or with a rare one) they would grow with every request.
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new()
                .name("metrics-upkeep".to_owned())
                .spawn(move || {
                    loop {
                        std::thread::sleep(UPKEEP_INTERVAL);
                        upkeep.run_upkeep();
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "metrics: no upkeep thread; histograms drain at scrapes only");
            }
        }
        handle
    })
}

/// Help lines of the metrics (`# HELP` in the scrape).
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "http_requests_total",
        "API requests answered, by method, route template and status"
    );
    describe_histogram!(
        "http_request_duration_seconds",
        Unit::Seconds,
        "Time from the request reaching the router to its answer's head"
    );
    describe_gauge!(
        "db_pool_connections",
        "Open database connections of the pool"
    );
    describe_gauge!(
        "db_pool_idle_connections",
        "Open database connections not in use"
    );
    describe_gauge!(
        "job_queue_depth",
        "Jobs waiting for a worker (including retries), by kind"
    );
    describe_gauge!("job_queue_running", "Jobs held by a worker now, by kind");
    describe_gauge!(
        "job_queue_failed",
        "Jobs that failed their last try and wait for an operator, by kind"
    );
    describe_counter!(
        "ephemeral_store_errors_total",
        "Redis commands that failed or timed out"
    );
    describe_gauge!(
        "background_worker_up",
        "1 while the background loop of this process runs, 0 while it waits for its store"
    );
    describe_counter!(
        "goods_reads_without_generation_total",
        "Goods reads served while the goods generation could not be read from Redis (answers cached at most 2 s)"
    );
    describe_counter!(
        "payments_applied_total",
        "Alipay payments applied to orders, by outcome"
    );
}

/// Middleware counting and timing every request by method, route template and status.
/// Installed with `Router::layer`, so it runs after routing and sees [`MatchedPath`].
pub async fn track_requests(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        // A nested router's fallback matches a private catch-all, not a route of the API.
        .filter(|p| !p.contains("__private__"))
        .unwrap_or(UNMATCHED)
        .to_owned();
    let response = next.run(request).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_str().to_owned()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Who may scrape: `METRICS_ALLOW`, parsed once.
#[derive(Clone, Debug)]
struct Access {
    allow: Arc<TrustedProxies>,
}

/// `GET /metrics` when `METRICS_ENABLED`, else nothing (an unknown path).
///
/// `Settings::validate` refuses a malformed `METRICS_ALLOW`; should one get here anyway,
/// only loopback clients may scrape.
pub fn router(settings: &Settings) -> Router<AppState> {
    if !settings.metrics_enabled {
        return Router::new();
    }
    let allow =
        crate::client_ip::parse_trusted_proxies(&settings.metrics_allow).unwrap_or_else(|e| {
            tracing::error!(error = %format!("{e:#}"), "METRICS_ALLOW: only loopback may scrape");
            TrustedProxies::default()
        });
    handle();
    let access = Access {
        allow: Arc::new(allow),
    };
    Router::new().route(
        "/metrics",
        get(move |state: State<AppState>, request: Request| scrape(state, request, access.clone())),
    )
}

/// Renders the scrape after sampling the pool and the job queues; 404 for other clients.
async fn scrape(State(state): State<AppState>, request: Request, access: Access) -> Response {
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return ApiError::Transport(http::StatusCode::NOT_FOUND).into_response();
    };
    let client = state.proxies.client_ip(peer.ip(), request.headers());
    if !(client.is_loopback() || access.allow.contains(client)) {
        return ApiError::Transport(http::StatusCode::NOT_FOUND).into_response();
    }
    sample(&state).await;
    let handle = handle();
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Sets the gauges read at scrape time: the pool, the background loops, and the job counts
/// when the broker answers within [`JOB_STATS_TIMEOUT`].
async fn sample(state: &AppState) {
    metrics::gauge!("db_pool_connections").set(f64::from(state.db.size()));
    // A loop name is down when any loop of that name is (several worker sets in one process).
    let mut up = std::collections::BTreeMap::new();
    for (name, loop_state) in state.jobs.health().loops() {
        let running = loop_state != crate::jobs::supervise::LoopState::Down;
        *up.entry(name).or_insert(true) &= running;
    }
    for (name, running) in up {
        metrics::gauge!("background_worker_up", "worker" => name).set(if running {
            1.0
        } else {
            0.0
        });
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "a pool holds far fewer than 2^52 connections"
    )]
    metrics::gauge!("db_pool_idle_connections").set(state.db.num_idle() as f64);
    match tokio::time::timeout(JOB_STATS_TIMEOUT, state.jobs.stats()).await {
        Ok(Ok(stats)) => {
            for s in stats {
                #[expect(clippy::cast_precision_loss, reason = "job counts stay far below 2^52")]
                for (name, value) in [
                    ("job_queue_depth", s.pending as f64),
                    ("job_queue_running", s.running as f64),
                    ("job_queue_failed", s.failed as f64),
                ] {
                    metrics::gauge!(name, "kind" => s.kind).set(value);
                }
            }
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %format!("{e:#}"), "metrics: job counts unavailable");
        }
        Err(_) => tracing::warn!("metrics: job counts timed out"),
    }
}
