//! Liveness and readiness probes for nginx, systemd and the test harness.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

/// `GET /healthz` (the process is up) and `GET /readyz` (its dependencies answer).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Always `200 {"status": "ok"}` while the process serves requests.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `200` when the database and (if configured) Redis answer within 2 s and the background
/// workers of this process run, else `503`; the body names each check: `{"status":
/// "ready"|"unavailable", "database": "ok"|"error", "redis": "ok"|"error"|"not configured",
/// "workers": "ok"|"down"|"gave up"|"not run here", "replica": "ok"|"unusable"|"not
/// configured"}`, and with `"workers": "down"` also `"workers_down"`: the loops that failed
/// and wait for their store (a queue's worker by the queue's name, `sms`, `order_timeout`,
/// ..., or the periodic `order_sweep` and `reconcile`: crate::jobs::supervise). A process
/// without workers (`serve --no-worker`) is ready without them. The read replica does not
/// count toward readiness: without it catalog reads go to the primary (crate::db::replica).
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    use crate::jobs::supervise::Readiness;
    let database = crate::db::ping(&state.db).await;
    if let Err(e) = &database {
        tracing::warn!(error = %format!("{e:#}"), "readiness: database");
    }
    let redis = if state.kv.is_redis() {
        let r = tokio::time::timeout(std::time::Duration::from_secs(2), state.kv.ping()).await;
        Some(matches!(r, Ok(Ok(()))))
    } else {
        None
    };
    let workers = state.jobs.health().readiness();
    let workers_ok = matches!(workers, Readiness::Running | Readiness::NotHere);
    let ready = database.is_ok() && redis != Some(false) && workers_ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "database": if database.is_ok() { "ok" } else { "error" },
        "redis": match redis { Some(true) => "ok", Some(false) => "error", None => "not configured" },
        "workers": match &workers {
            Readiness::Running => "ok",
            Readiness::Down(_) => "down",
            Readiness::GaveUp => "gave up",
            Readiness::NotHere => "not run here",
        },
        "replica": match &state.replica {
            Some(r) if r.is_usable() => "ok",
            Some(_) => "unusable",
            None => "not configured",
        },
    });
    if let Readiness::Down(down) = workers {
        body["workers_down"] = json!(down);
    }
    (status, Json(body))
}
