//! The server cart and the merge of the offline cart at login and registration, on the demo
//! catalog (SKUs 1-9 are SPU 1 with 颜色 and 尺寸).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Options, PASSWORD, TestApp, register_body};
use crate::on_both_backends;

on_both_backends!(
    cart_lines_are_added_changed_selected_and_deleted,
    bad_cart_input_gets_its_code_and_changes_nothing,
    the_offline_cart_merges_at_register_and_at_login,
);

pub async fn shop(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await
}

fn cart_path(user: &str) -> String {
    format!("/v1/carts/{user}")
}

/// `(sku id, count, selected)` of each line of a cart answer.
pub fn lines(body: &Value) -> Vec<(i64, i64, bool)> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("data: {body}"))
        .iter()
        .map(|l| {
            (
                l["id"].as_i64().expect("id"),
                l["count"].as_i64().expect("count"),
                l["selected"].as_bool().expect("selected"),
            )
        })
        .collect()
}

pub async fn add(
    app: &TestApp,
    user: &str,
    token: &str,
    sku: Value,
    count: Value,
) -> (StatusCode, Value) {
    app.post(
        &cart_path(user),
        json!({"sku_id": sku, "count": count}),
        Some(token),
    )
    .await
}

async fn put(app: &TestApp, user: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, &cart_path(user), Some(body), Some(token))
        .await
}

async fn cart_lines_are_added_changed_selected_and_deleted(b: Backend) {
    let app = shop(b).await;
    let token = app.register("carol").await;
    let (status, body) = add(&app, "carol", &token, json!(1), json!(2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lines(&body), vec![(1, 2, true)]);
    assert_eq!(body["carts_count"], 1);
    let line = &body["data"][0];
    assert!(line["price"].as_str().expect("price").contains('.'));
    assert_eq!(line["sku_sale_attr_name"], json!(["颜色", "尺寸"]));
    assert_eq!(line["sku_sale_attr_val"].as_array().map(Vec::len), Some(2));
    assert!(!line["name"].as_str().expect("name").is_empty());

    // Numeric strings, and more units on the same line.
    let (_, body) = add(&app, "carol", &token, json!("1"), json!("1")).await;
    assert_eq!(lines(&body), vec![(1, 3, true)]);
    let (_, body) = add(&app, "carol", &token, json!(2), json!(1)).await;
    assert_eq!(lines(&body), vec![(1, 3, true), (2, 1, true)]);
    assert_eq!(body["carts_count"], 2);

    let (_, body) = put(&app, "carol", &token, json!({"sku_id": 1, "state": "add"})).await;
    assert_eq!(lines(&body)[0], (1, 4, true));
    let (_, body) = put(&app, "carol", &token, json!({"sku_id": 1, "state": "del"})).await;
    assert_eq!(lines(&body)[0], (1, 3, true));
    // −1 stops at one unit.
    let (status, body) = put(&app, "carol", &token, json!({"sku_id": 2, "state": "del"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lines(&body)[1], (2, 1, true));

    let (_, body) = put(
        &app,
        "carol",
        &token,
        json!({"sku_id": 2, "state": "unselect"}),
    )
    .await;
    assert_eq!(lines(&body), vec![(1, 3, true), (2, 1, false)]);
    let (_, body) = put(&app, "carol", &token, json!({"state": "unselectall"})).await;
    assert_eq!(lines(&body), vec![(1, 3, false), (2, 1, false)]);
    let (_, body) = put(
        &app,
        "carol",
        &token,
        json!({"sku_id": "1", "state": "select"}),
    )
    .await;
    assert_eq!(lines(&body), vec![(1, 3, true), (2, 1, false)]);
    let (_, body) = put(&app, "carol", &token, json!({"state": "selectall"})).await;
    assert_eq!(lines(&body), vec![(1, 3, true), (2, 1, true)]);

    let (status, body) = app
        .call(
            Method::DELETE,
            &cart_path("carol"),
            Some(json!({"sku_id": 2})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(lines(&body), vec![(1, 3, true)]);
    assert_eq!(body["carts_count"], 1);

    let (status, body) = app.get(&cart_path("carol"), Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lines(&body), vec![(1, 3, true)]);
    assert!(
        body["base_url"]
            .as_str()
            .expect("base_url")
            .ends_with("/media/")
    );

    // A SKU taken off sale leaves the cart's answers (and its count) until it is back.
    app.exec("UPDATE skus SET is_launched = 0 WHERE id = 1", &[])
        .await;
    let (_, body) = app.get(&cart_path("carol"), Some(&token)).await;
    assert_eq!(lines(&body), vec![]);
    assert_eq!(body["carts_count"], 0);
}

async fn bad_cart_input_gets_its_code_and_changes_nothing(b: Backend) {
    let app = shop(b).await;
    let token = app.register("dave").await;
    let other = app.register("erin").await;
    add(&app, "dave", &token, json!(1), json!(1)).await;

    for (sku, count) in [
        (json!("abc"), json!(1)),
        (json!(0), json!(1)),
        (json!(1), json!(0)),
        (json!(1), json!(-1)),
        (json!(1), json!(1000)),
        (json!(1), json!("x")),
        (json!(1), json!(1.5)),
        (json!(null), json!(1)),
    ] {
        let (status, body) = add(&app, "dave", &token, sku.clone(), count.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{sku} {count}: {body}");
        assert_eq!(body["code"], 30102, "{sku} {count}");
    }
    let (status, body) = add(&app, "dave", &token, json!(99_999), json!(1)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(30101))
    );
    app.exec("UPDATE skus SET is_launched = 0 WHERE id = 3", &[])
        .await;
    let (status, body) = add(&app, "dave", &token, json!(3), json!(1)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(30101))
    );

    // More than the stock: refused, the line as it was.
    app.exec("UPDATE skus SET stock = 5 WHERE id = 4", &[])
        .await;
    add(&app, "dave", &token, json!(4), json!(5)).await;
    let (status, body) = add(&app, "dave", &token, json!(4), json!(1)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(30103)),
        "{body}"
    );
    let (status, body) = put(&app, "dave", &token, json!({"sku_id": 4, "state": "add"})).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(30103))
    );
    let (_, body) = app.get(&cart_path("dave"), Some(&token)).await;
    assert_eq!(lines(&body), vec![(1, 1, true), (4, 5, true)]);

    // 999 units a line.
    app.exec("UPDATE skus SET stock = 5000 WHERE id = 5", &[])
        .await;
    let (status, _) = add(&app, "dave", &token, json!(5), json!(999)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = add(&app, "dave", &token, json!(5), json!(1)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(30102))
    );

    // Lines that are not there, bad states.
    let (status, body) = put(&app, "dave", &token, json!({"sku_id": 7, "state": "add"})).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(30101))
    );
    let (status, body) = app
        .call(
            Method::DELETE,
            &cart_path("dave"),
            Some(json!({"sku_id": 7})),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(30101))
    );
    for state in [json!("grow"), json!(null)] {
        let (status, body) = put(&app, "dave", &token, json!({"sku_id": 1, "state": state})).await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(30102)),
            "{state}"
        );
    }
    // A field of the wrong JSON type is a malformed body (10123), as everywhere in the API.
    let (status, body) = put(&app, "dave", &token, json!({"sku_id": 1, "state": 1})).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10123))
    );

    // Someone else's cart, or no token.
    let (status, body) = app.get(&cart_path("dave"), Some(&other)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!(30104))
    );
    let (status, body) = add(&app, "dave", &other, json!(2), json!(1)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!(30104))
    );
    let (status, _) = app.get(&cart_path("dave"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, body) = app.get(&cart_path("dave"), Some(&token)).await;
    assert_eq!(
        lines(&body),
        vec![(1, 1, true), (4, 5, true), (5, 999, true)]
    );
    let (_, body) = app.get(&cart_path("erin"), Some(&other)).await;
    assert_eq!(lines(&body), vec![]);
}

async fn the_offline_cart_merges_at_register_and_at_login(b: Backend) {
    let app = shop(b).await;
    app.exec("UPDATE skus SET stock = 7 WHERE id = 4", &[])
        .await;
    app.exec("UPDATE skus SET is_launched = 0 WHERE id = 3", &[])
        .await;
    app.exec("UPDATE skus SET stock = 0 WHERE id = 6", &[])
        .await;
    let mut body = register_body("frank");
    body["carts"] = json!([
        {"id": 1, "count": 2, "name": "ignored", "selected": false},
        {"id": "2", "count": "3"},
        {"id": 99999, "count": 1},
        {"id": 3, "count": 1},
        {"id": 4, "count": 10000},
        {"id": 6, "count": 1},
        {"id": "x", "count": 1},
        {"count": 1},
        "junk"
    ]);
    let (status, reg) = app.post("/v1/users", body, None).await;
    assert_eq!(status, StatusCode::OK, "{reg}");
    assert_eq!(reg["carts_count"], 3);
    assert_eq!(reg["len"], 3);
    let token = reg["token"].as_str().expect("token").to_owned();
    let (_, cart) = app.get(&cart_path("frank"), Some(&token)).await;
    assert_eq!(lines(&cart), vec![(1, 2, true), (2, 3, true), (4, 7, true)]);

    // At login: max(offline, server), capped at the stock; merged lines selected.
    put(&app, "frank", &token, json!({"state": "unselectall"})).await;
    let (status, login) = app
        .post(
            "/v1/tokens",
            json!({"username": "frank", "password": PASSWORD,
                   "cart": [{"id": 1, "count": 1}, {"id": 2, "count": 5}, {"id": 5, "count": 2}]}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["carts_count"], 4);
    assert_eq!(login["data"]["len"], 4);
    let (_, cart) = app.get(&cart_path("frank"), Some(&token)).await;
    assert_eq!(
        lines(&cart),
        vec![(1, 2, true), (2, 5, true), (4, 7, false), (5, 2, true)]
    );

    // `carts` is accepted at login too; no cart at all reports the server's count.
    let (_, login) = app
        .post(
            "/v1/tokens",
            json!({"username": "frank", "password": PASSWORD, "carts": [{"id": 7, "count": 1}]}),
            None,
        )
        .await;
    assert_eq!(login["carts_count"], 5);
    let (_, login) = app.login("frank", PASSWORD).await;
    assert_eq!(login["carts_count"], 5);
    let (_, login) = app
        .post(
            "/v1/tokens",
            json!({"username": "frank", "password": PASSWORD, "cart": "not a list"}),
            None,
        )
        .await;
    assert_eq!(login["carts_count"], 5);
}
