//! The web origin that serves the SPA.

use reqwest::StatusCode;

use crate::common::{Backend, Options, TestApp};

const INDEX: &str = r#"<!doctype html><html><head><meta name="dadashop-api-url" content="http://placeholder"/><link rel="modulepreload" href="/frontend-0123456789abcdef.js"></head><body><script type="module">import init from '/frontend-0123456789abcdef.js';await init();</script></body></html>"#;

async fn web_app() -> (TestApp, String) {
    let dist = tempfile::tempdir().expect("dist").keep();
    std::fs::write(dist.join("index.html"), INDEX).expect("index");
    std::fs::write(
        dist.join("frontend-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .expect("js");
    std::fs::write(
        dist.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .expect("icon");
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            dist_dir: Some(dist),
            ..Options::default()
        },
    )
    .await;
    let web = app.web_base.clone().expect("web origin runs");
    (app, web)
}

#[tokio::test]
async fn every_app_route_gets_the_page_with_the_api_origin_and_a_strict_policy() {
    let (app, web) = web_app().await;
    for path in [
        "/",
        "/login",
        "/user/address",
        "/dadashop/templates/login.html",
        "/dadashop/templates/callback.html",
    ] {
        let res = app
            .client
            .get(format!("{web}{path}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        let csp = h["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(
            csp.contains("connect-src 'self' http://127.0.0.1:8000"),
            "{csp}"
        );
        assert!(
            csp.contains("'sha256-"),
            "the inline loader is allowed by hash: {csp}"
        );
        assert!(
            !csp.contains("'unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        let html = res.text().await.expect("html");
        assert!(
            html.contains(r#"<meta name="dadashop-api-url" content="http://127.0.0.1:8000">"#),
            "{html}"
        );
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_others_briefly() {
    let (app, web) = web_app().await;
    let res = app
        .client
        .get(format!("{web}/frontend-0123456789abcdef.js"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .contains("javascript")
    );
    let res = app
        .client
        .get(format!("{web}/favicon.svg"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");
}
