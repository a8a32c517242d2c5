//! Observability (issue #11, item 5): `/metrics` and who may read it, request ids, the
//! offline `/docs` viewer.

use reqwest::StatusCode;

use crate::common::{Backend, Options, TestApp, trust_loopback};
use crate::on_both_backends;
use dadashop_server::config::Settings;

async fn app_with(backend: Backend, tweak: fn(&mut Settings)) -> TestApp {
    TestApp::spawn_with(
        backend,
        Options {
            tweak: Some(tweak),
            ..Options::default()
        },
    )
    .await
}

/// `GET path` with extra `headers`; returns the raw answer.
async fn raw_get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("sent")
}

/// The scrape, asserting it is allowed.
async fn scrape(app: &TestApp) -> String {
    let res = raw_get(app, "/metrics", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    res.text().await.expect("body")
}

/// The lines of `text` that start with `name{` (or `name ` without labels) and contain every
/// one of `parts`.
fn lines<'a>(text: &'a str, name: &str, parts: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect()
}

async fn metrics_count_requests_by_route_template_with_pool_and_queue_gauges(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..3 {
        let (status, _) = app.get("/v1/users/someone-unique-4711", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/no/such/path-4711", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let text = scrape(&app).await;

    let profile = [
        r#"method="GET""#,
        r#"route="/v1/users/{username}""#,
        r#"status="401""#,
    ];
    let counted = lines(&text, "http_requests_total", &profile);
    assert_eq!(counted.len(), 1, "{text}");
    let count: f64 = counted[0]
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a number");
    assert!(count >= 3.0, "{}", counted[0]);
    assert!(
        !text.contains("someone-unique-4711") && !text.contains("path-4711"),
        "raw paths must not become labels"
    );
    assert_eq!(
        lines(
            &text,
            "http_requests_total",
            &[r#"route="/healthz""#, r#"status="200""#]
        )
        .len(),
        1
    );
    assert!(
        !lines(
            &text,
            "http_requests_total",
            &[r#"route="unmatched""#, r#"status="404""#]
        )
        .is_empty(),
        "{text}"
    );
    for le in [r#"le="0.005""#, r#"le="30""#, r#"le="+Inf""#] {
        let mut parts = profile.to_vec();
        parts.push(le);
        assert_eq!(
            lines(&text, "http_request_duration_seconds_bucket", &parts).len(),
            1,
            "bucket {le}: {text}"
        );
    }
    assert_eq!(
        lines(&text, "http_request_duration_seconds_count", &profile).len(),
        1
    );
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    assert_eq!(lines(&text, "db_pool_connections", &[]).len(), 1, "{text}");
    assert_eq!(lines(&text, "db_pool_idle_connections", &[]).len(), 1);
    for kind in ["sms", "mail"] {
        let label = format!(r#"kind="{kind}""#);
        for name in ["job_queue_depth", "job_queue_running", "job_queue_failed"] {
            assert_eq!(
                lines(&text, name, &[&label]).len(),
                1,
                "{name} {kind}: {text}"
            );
        }
    }
}

on_both_backends!(metrics_count_requests_by_route_template_with_pool_and_queue_gauges);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_404_to_clients_outside_metrics_allow() {
    let app = app_with(Backend::Sqlite, trust_loopback).await;
    let outside = raw_get(&app, "/metrics", &[("x-forwarded-for", "203.0.113.9")]).await;
    assert_eq!(outside.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = outside.json().await.expect("JSON");
    let unknown = raw_get(&app, "/no-such-endpoint", &[]).await;
    let unknown: serde_json::Value = unknown.json().await.expect("JSON");
    assert_eq!(body, unknown, "the same answer as an unknown path");
    let spoofed = raw_get(
        &app,
        "/metrics",
        &[("x-forwarded-for", "127.0.0.1, 203.0.113.9")],
    )
    .await;
    assert_eq!(
        spoofed.status(),
        StatusCode::NOT_FOUND,
        "a left-most loopback entry is the client's own text"
    );
    let local = raw_get(&app, "/metrics", &[]).await;
    assert_eq!(local.status(), StatusCode::OK, "the proxy host itself");

    let allowed = app_with(Backend::Sqlite, |s| {
        trust_loopback(s);
        s.metrics_allow = "203.0.113.0/24".into();
    })
    .await;
    let inside = raw_get(&allowed, "/metrics", &[("x-forwarded-for", "203.0.113.9")]).await;
    assert_eq!(inside.status(), StatusCode::OK);
    let other = raw_get(&allowed, "/metrics", &[("x-forwarded-for", "198.51.100.1")]).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    let disabled = app_with(Backend::Sqlite, |s| s.metrics_enabled = false).await;
    let res = raw_get(&disabled, "/metrics", &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

fn request_id(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id echoed")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_from_an_untrusted_peer_is_replaced() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = raw_get(
        &app,
        "/healthz",
        &[("x-request-id", "chosen-by-the-browser")],
    )
    .await;
    let id = request_id(&res);
    assert_ne!(id, "chosen-by-the-browser");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "a fresh UUID: {id}");
    let fresh = request_id(&raw_get(&app, "/healthz", &[]).await);
    assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_from_a_trusted_proxy_is_kept_and_echoed_when_well_formed() {
    let app = app_with(Backend::Sqlite, trust_loopback).await;
    let nginx = "4b0c5e2f9d8a7b6c5d4e3f2a1b0c9d8e";
    let res = raw_get(&app, "/healthz", &[("x-request-id", nginx)]).await;
    assert_eq!(request_id(&res), nginx);
    let (status, _) = app.get("/v1/goods/index", None).await;
    assert_eq!(status, StatusCode::OK);

    let long = "a".repeat(65);
    let cases = [
        (long.as_str(), "longer than 64 characters"),
        ("two words", "a space is not visible ASCII"),
    ];
    for (sent, why) in cases {
        let res = raw_get(&app, "/healthz", &[("x-request-id", sent)]).await;
        let id = request_id(&res);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{why}: {id}");
    }
    let max = "b".repeat(64);
    let res = raw_get(&app, "/healthz", &[("x-request-id", &max)]).await;
    assert_eq!(request_id(&res), max, "64 characters are kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_uses_only_same_origin_assets_and_they_are_served() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = raw_get(&app, "/docs", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("text/html"));
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(
        csp.contains("script-src 'self';"),
        "no inline script: {csp}"
    );
    assert!(
        !csp.contains("http") && !csp.contains('*'),
        "nothing remote: {csp}"
    );
    let html = res.text().await.expect("body");
    assert!(!html.contains("<script>"), "no inline script");
    let mut assets = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for piece in html.split(attribute).skip(1) {
            let url = piece.split('"').next().unwrap_or_default();
            assert!(
                url.starts_with('/') && !url.starts_with("//"),
                "same-origin only: {url}"
            );
            assets.push(url.to_owned());
        }
    }
    assert!(assets.len() >= 3, "{assets:?}");
    for url in &assets {
        let res = raw_get(&app, url, &[]).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let body = res.text().await.expect("asset");
        assert!(!body.is_empty(), "{url}");
        if url.ends_with("init.js") {
            assert!(body.contains("\"/openapi.json\""), "{body}");
        }
        if url.ends_with("swagger-ui-bundle.js") {
            assert!(body.contains("SwaggerUIBundle"));
        }
    }
    let (status, _) = app.get("/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn payments_applied_and_ephemeral_store_errors_are_counted() {
    let handle = dadashop_server::metrics::handle();
    let trade = dadashop_server::alipay::PaidTrade {
        order_id: "20261130104700ab".into(),
        trade_no: "2026113022001400001".into(),
        amount_fen: 1000,
        paid_at: 0,
        buyer_id: None,
    };
    let unknown = dadashop_server::db::payments::Applied::UnknownOrder;
    dadashop_server::reconcile::log_applied(&trade, &unknown, "test");
    // Nothing listens on port 1: the connection fails like a Redis that is down.
    let refused = dadashop_server::kv::Kv::redis("redis://127.0.0.1:1", "t:").await;
    assert!(refused.is_err());

    let text = handle.render();
    assert_eq!(
        lines(
            &text,
            "payments_applied_total",
            &[r#"outcome="unknown_order""#]
        )
        .len(),
        1,
        "{text}"
    );
    assert_eq!(
        lines(&text, "ephemeral_store_errors_total", &[]).len(),
        1,
        "{text}"
    );
}
