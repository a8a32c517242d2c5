//! CORS as docs/api.md describes it.

use reqwest::{Method, StatusCode};

use crate::common::{Backend, TestApp};

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, format!("{}/v1/tokens", app.base))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_preflight_from_the_spa_origin_is_allowed_with_the_listed_methods_and_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for origin in ["http://127.0.0.1:7000", "http://localhost:7000"] {
        let res = preflight(&app, origin).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers();
        assert_eq!(h["access-control-allow-origin"], origin);
        assert_eq!(h["access-control-max-age"], "86400");
        let methods = h["access-control-allow-methods"].to_str().expect("ascii");
        for m in ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"] {
            assert!(methods.contains(m), "{methods} lacks {m}");
        }
        let headers = h["access-control-allow-headers"].to_str().expect("ascii");
        for name in [
            "accept-encoding",
            "authorization",
            "content-type",
            "dnt",
            "origin",
            "user-agent",
            "x-csrftoken",
            "x-requested-with",
        ] {
            assert!(headers.contains(name), "{headers} lacks {name}");
        }
        assert!(
            h.get("access-control-allow-credentials").is_none(),
            "credentials are off by default"
        );
    }
}

#[tokio::test]
async fn foreign_and_null_origins_get_no_allow_origin() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for origin in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:7001",
        "http://127.0.0.1:7000.evil.example",
    ] {
        let res = preflight(&app, origin).await;
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{origin} must not be allowed"
        );
        let res = app
            .client
            .get(format!("{}/v1/goods/index", app.base))
            .header("Origin", origin)
            .send()
            .await
            .expect("sent");
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{origin} must not be reflected"
        );
    }
}

#[tokio::test]
async fn a_simple_request_from_the_spa_origin_gets_the_origin_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let res = app
        .client
        .get(format!("{}/v1/goods/index", app.base))
        .header("Origin", "http://127.0.0.1:7000")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://127.0.0.1:7000"
    );
    let vary: Vec<&str> = res
        .headers()
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(vary.join(",").contains("origin"), "{vary:?}");
}
