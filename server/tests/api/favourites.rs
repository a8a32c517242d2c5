//! The shopper's favourites (收藏, issue 27 item 4) on both backends: added once however often
//! and however concurrently, listed newest first with the SKU as it is now (a SKU taken off
//! sale stays, marked), removed idempotently, and nobody else's.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;

on_both_backends!(favourites_follow_the_sku_and_stay_the_shoppers_own);

fn skus(body: &Value) -> Vec<i64> {
    body["data"]
        .as_array()
        .expect("favourites")
        .iter()
        .map(|f| f["skuid"].as_i64().expect("id"))
        .collect()
}

async fn favourites_follow_the_sku_and_stay_the_shoppers_own(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let token = app.register("hearts").await;
    let other = app.register("nosy").await;
    let path = "/v1/users/hearts/favourites";

    let (status, body) = app.get(path, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = app.get(path, Some(&other)).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::FORBIDDEN, Some(10101))
    );

    // Fifty adds of one SKU at once (a double click, several tabs) leave one favourite.
    let adds = (0..50).map(|_| app.post(path, json!({"sku_id": 1}), Some(&token)));
    for (status, body) in futures::future::join_all(adds).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (status, body) = app.post(path, json!({"sku_id": "2"}), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(skus(&body), [2, 1], "newest first");
    assert_eq!(body["data"][0]["is_launched"], true);
    assert!(
        body["base_url"]
            .as_str()
            .expect("base")
            .ends_with("/media/")
    );

    for bad in [json!({}), json!({"sku_id": "abc"}), json!({"sku_id": -1})] {
        let (status, body) = app.post(path, bad.clone(), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, body) = app
        .post(path, json!({"sku_id": 999_999}), Some(&token))
        .await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(40300))
    );
    let (status, body) = app.post(path, json!({"sku_id": 3}), Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (_, state) = app.get(&format!("{path}/1"), Some(&token)).await;
    assert_eq!(state["favourite"], true);
    let (_, state) = app.get(&format!("{path}/3"), Some(&token)).await;
    assert_eq!(state["favourite"], false);
    let (status, _) = app.get(&format!("{path}/x"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The SKU as it is now: a new price, then off sale (kept, marked, not addable again).
    sqlx::query("UPDATE skus SET price = 12345, is_launched = 0 WHERE id = 1")
        .execute(&app.state.db)
        .await
        .expect("update");
    app.goods_changed().await;
    let (_, body) = app.get(path, Some(&token)).await;
    let one = &body["data"][1];
    assert_eq!(
        (one["price"].as_str(), one["is_launched"].as_bool()),
        (Some("123.45"), Some(false))
    );
    let (status, _) = app.post(path, json!({"sku_id": 1}), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "off sale: not added again");
    let (_, body) = app.get(path, Some(&token)).await;
    assert_eq!(skus(&body), [2, 1]);

    // Removed, twice; another shopper cannot remove it.
    let (status, _) = app
        .call(Method::DELETE, &format!("{path}/2"), None, Some(&other))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for _ in 0..2 {
        let (status, body) = app
            .call(Method::DELETE, &format!("{path}/1"), None, Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(skus(&body), [2]);
    }
    let (_, theirs) = app.get("/v1/users/nosy/favourites", Some(&other)).await;
    assert_eq!(skus(&theirs), Vec::<i64>::new());
}
