//! The home page goods and media files.

use reqwest::StatusCode;

use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;

on_both_backends!(the_home_page_lists_the_demo_catalog_with_images);

async fn the_home_page_lists_the_demo_catalog_with_images(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let (status, body) = app.get("/v1/goods/index", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["base_url"], "http://127.0.0.1:8000/media/");
    let catalogs = body["data"].as_array().expect("data");
    assert!(catalogs.len() >= 3, "{body}");
    for catalog in catalogs {
        assert!(catalog["catalog_id"].is_i64());
        assert!(!catalog["catalog_name"].as_str().unwrap_or("").is_empty());
        let skus = catalog["sku"].as_array().expect("sku");
        assert_eq!(skus.len(), 3, "the first three launched SKUs: {catalog}");
        for sku in skus {
            let price = sku["price"].as_str().expect("price is a string");
            let (yuan, fen) = price.split_once('.').expect("two decimals");
            assert!(yuan.parse::<u32>().is_ok() && fen.len() == 2, "{price}");
            assert!(!sku["caption"].as_str().unwrap_or("").is_empty());
            let image = sku["image"].as_str().expect("image");
            let res = app
                .client
                .get(format!("{}/media/{image}", app.base))
                .send()
                .await
                .expect("sent");
            assert_eq!(res.status(), StatusCode::OK, "{image}");
            assert_eq!(res.headers()["content-type"], "image/svg+xml");
            assert!(res.text().await.expect("svg").contains("<svg"));
        }
    }
    // A second seeding changes nothing.
    let before = app.count("skus").await;
    let again = dadashop_server::seed::seed_demo(&app.state.db, &app.state.media)
        .await
        .expect("seed");
    assert!(again.is_none());
    assert_eq!(app.count("skus").await, before);
}

#[tokio::test]
async fn unlaunched_skus_stay_off_the_home_page() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let (_, before) = app.get("/v1/goods/index", None).await;
    let first = before["data"][0]["sku"][0]["skuid"]
        .as_i64()
        .expect("sku id");
    sqlx::query("UPDATE skus SET is_launched = 0 WHERE id = ?")
        .bind(first)
        .execute(&app.state.db)
        .await
        .expect("update");
    app.goods_changed().await;
    let (_, after) = app.get("/v1/goods/index", None).await;
    let shown: Vec<i64> = after["data"][0]["sku"]
        .as_array()
        .expect("sku")
        .iter()
        .filter_map(|s| s["skuid"].as_i64())
        .collect();
    assert!(!shown.contains(&first));
    assert_eq!(shown.len(), 3, "the next launched SKU takes its place");
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["database"], "ok");
    assert_eq!(body["redis"], "not configured");
    let (status, body) = app.get("/v1/no/such/thing", None).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::NOT_FOUND, Some(404))
    );
}

#[tokio::test]
async fn readiness_reports_a_closed_database_as_503() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.state.db.close().await;
    let (status, body) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["database"], "error");
    let (status, body) = app
        .post(
            "/v1/tokens",
            serde_json::json!({"username": "tom", "password": "whatever-pass"}),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::SERVICE_UNAVAILABLE, Some(503)),
        "{body}"
    );
}
