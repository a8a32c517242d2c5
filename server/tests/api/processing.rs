//! The original shop's order endpoint `/v1/orders/processing/`, as its jQuery pages call it:
//! the settlement, creating an order, the order list, paying again and confirming receipt,
//! with the original's field names; ownership, stock and idempotency through this route; and
//! the original's error convention for the origins of `LEGACY_CLIENT_ORIGINS`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::carts::{add, lines};
use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;
use crate::orders::{order_status, price_fen, shopper, stock_and_sales, yuan};

on_both_backends!(
    the_original_pages_settle_order_list_and_pay_again,
    buy_now_through_the_original_route,
    receipt_is_confirmed_only_for_a_shipped_order_of_ones_own,
    stock_and_idempotency_hold_through_the_original_route,
    a_paid_order_answers_with_no_pay_url_a_cancelled_one_is_refused,
    bad_requests_get_their_codes_and_change_nothing,
    legacy_origins_get_errors_with_status_200,
);

const PATH: &str = "/v1/orders/processing/";
const LEGACY_ORIGIN: &str = "http://127.0.0.1:8080";

async fn shop(b: Backend) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            fake_alipay: true,
            ..Options::default()
        },
    )
    .await
}

/// `GET /v1/orders/processing/?<query>` with `token`.
async fn get(app: &TestApp, query: &str, token: &str) -> (StatusCode, Value) {
    app.get(&format!("{PATH}?{query}"), Some(token)).await
}

/// `POST /v1/orders/processing/` with `body` and `token`.
async fn post(app: &TestApp, body: Value, token: &str) -> (StatusCode, Value) {
    app.post(PATH, body, Some(token)).await
}

/// The order ids of an order-list answer, newest first.
fn order_ids(body: &Value) -> Vec<String> {
    body["data"]["orders_list"]
        .as_array()
        .unwrap_or_else(|| panic!("orders_list: {body}"))
        .iter()
        .map(|o| o["order_id"].as_str().expect("order_id").to_owned())
        .collect()
}

/// Checks that `line` has the original's order-line shape for `count` units of `sku`.
async fn assert_line(app: &TestApp, line: &Value, sku: i64, count: i64) {
    let price = price_fen(app, sku).await;
    assert_eq!(line["id"], sku, "{line}");
    assert_eq!(line["count"], count, "{line}");
    assert_eq!(line["price"], yuan(price), "{line}");
    assert_eq!(line["total_amount"], yuan(price * count), "{line}");
    assert!(
        line["name"].as_str().is_some_and(|n| !n.is_empty()),
        "{line}"
    );
    assert!(line["default_image_url"].is_string(), "{line}");
    let names = line["sku_sale_attr_names"].as_array().expect("names");
    let vals = line["sku_sale_attr_vals"].as_array().expect("vals");
    assert_eq!(names.len(), vals.len(), "{line}");
    assert!(!names.is_empty(), "{line}");
    assert!(names.iter().chain(vals).all(Value::is_string), "{line}");
    // Today's names stay beside the original's.
    assert_eq!(line["sku_sale_attr_name"], line["sku_sale_attr_names"]);
    assert_eq!(line["sku_sale_attr_val"], line["sku_sale_attr_vals"]);
}

async fn the_original_pages_settle_order_list_and_pay_again(b: Backend) {
    let app = shop(b).await;
    let (token, first_address) = shopper(&app, "olga").await;
    // A second address made the default comes first, with the original's keys.
    let list = app.add_address("olga", &token, "李四").await;
    let second = list
        .iter()
        .filter_map(|a| a["id"].as_i64())
        .find(|id| *id != first_address)
        .expect("second address");
    let (status, body) = app
        .post(
            "/v1/users/olga/address/default",
            json!({"id": second}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    add(&app, "olga", &token, json!(1), json!(2)).await;
    add(&app, "olga", &token, json!(2), json!(3)).await;
    add(&app, "olga", &token, json!(7), json!(1)).await;
    app.call(
        Method::PUT,
        "/v1/carts/olga",
        Some(json!({"sku_id": 7, "state": "unselect"})),
        Some(&token),
    )
    .await;
    let goods = 2 * price_fen(&app, 1).await + 3 * price_fen(&app, 2).await;

    // Order confirmation: GET status=0, settlement_type=0.
    let (status, body) = get(&app, "status=0&settlement_type=0", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    assert!(
        body["base_url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/media/"))
    );
    let data = &body["data"];
    let addresses = data["addresses"].as_array().expect("addresses");
    assert_eq!(addresses.len(), 2);
    assert_eq!(addresses[0]["id"], second);
    assert_eq!(addresses[0]["name"], "李四");
    for a in addresses {
        for key in ["name", "mobile", "title", "address"] {
            assert!(a[key].is_string(), "{key} of {a}");
        }
        assert!(a["id"].is_i64());
    }
    let sku_list = data["sku_list"].as_array().expect("sku_list");
    assert_eq!(sku_list.len(), 2, "{data}");
    assert_line(&app, &sku_list[0], 1, 2).await;
    assert_line(&app, &sku_list[1], 2, 3).await;
    assert_eq!(data["total_count"], 5);
    assert_eq!(data["total_amount"], yuan(goods));
    assert_eq!(data["transit"], "10.00");
    assert_eq!(data["payment_amount"], yuan(goods + 1000));

    // The payment page: POST status=0 creates the order from the cart.
    let before1 = stock_and_sales(&app, 1).await;
    let (status, body) = post(
        &app,
        json!({"status": 0, "address_id": first_address.to_string(), "settlement_type": 0}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    let created = &body["data"];
    assert_eq!(created["saller"], "达达商城");
    assert_eq!(created["total_amount"], yuan(goods + 1000));
    let order_id = created["order_id"].as_str().expect("order_id").to_owned();
    let pay_url = created["pay_url"].as_str().expect("pay_url");
    assert!(pay_url.contains("alipay.trade.page.pay"), "{pay_url}");
    assert!(pay_url.contains(&order_id), "{pay_url}");
    assert_eq!(created["carts_count"], 1);
    assert_eq!(
        stock_and_sales(&app, 1).await,
        (before1.0 - 2, before1.1 + 2)
    );
    let (_, cart) = app.get("/v1/carts/olga", Some(&token)).await;
    assert_eq!(lines(&cart), vec![(7, 1, false)]);
    // Nothing is left to settle: an empty settlement, as the original answered it.
    let (status, body) = get(&app, "status=0&settlement_type=0", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["sku_list"], json!([]));
    assert_eq!(body["data"]["total_count"], 0);
    assert_eq!(body["data"]["payment_amount"], "0.00");

    // My orders: GET status=1 with order_status 0 (all) and 1 (unpaid); the same order
    // through both routes.
    let (status, all) = get(&app, "status=1&order_status=0", &token).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(order_ids(&all), vec![order_id.clone()]);
    let (_, resource) = app.get("/v1/orders/olga?type=0", Some(&token)).await;
    assert_eq!(order_ids(&resource), vec![order_id.clone()]);
    let without_clock = |v: &Value| {
        let mut o = v["data"]["orders_list"][0].clone();
        o.as_object_mut()
            .expect("order")
            .remove("pay_remaining_secs");
        o
    };
    assert_eq!(
        without_clock(&all),
        without_clock(&resource),
        "one order, one shape"
    );
    let o = &all["data"]["orders_list"][0];
    assert_eq!(o["status"], 1);
    assert_eq!(o["order_total_count"], 5);
    assert_eq!(o["order_total_amount"], yuan(goods + 1000));
    assert_eq!(o["order_freight"], "10.00");
    assert_eq!(o["address"]["receiver"], "张三");
    for key in ["title", "address", "mobile", "receiver"] {
        assert!(o["address"][key].is_string(), "{key}");
    }
    assert_eq!(o["order_time"].as_str().map(str::len), Some(19));
    let order_sku = o["order_sku"].as_array().expect("order_sku");
    assert_eq!(order_sku.len(), 2);
    assert_line(&app, &order_sku[0], 1, 2).await;
    assert_line(&app, &order_sku[1], 2, 3).await;
    let (_, unpaid) = get(&app, "status=1&order_status=1", &token).await;
    assert_eq!(order_ids(&unpaid), vec![order_id.clone()]);
    for other in 2..=4 {
        let (status, none) = get(&app, &format!("status=1&order_status={other}"), &token).await;
        assert_eq!(status, StatusCode::OK, "{none}");
        assert!(order_ids(&none).is_empty(), "{none}");
    }
    // Pay again (gopay.html): a fresh pay URL for the same order; numbers or strings.
    for id in [
        json!(order_id),
        json!(order_id.parse::<u128>().expect("digits").to_string()),
    ] {
        let (status, again) = post(&app, json!({"status": 1, "order_id": id}), &token).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["data"]["order_id"], order_id);
        assert_eq!(again["data"]["saller"], "达达商城");
        assert_eq!(again["data"]["total_amount"], yuan(goods + 1000));
        assert!(
            again["data"]["pay_url"]
                .as_str()
                .is_some_and(|u| u.contains(&order_id))
        );
    }
    assert_eq!(order_status(&app, &order_id).await, 1);
}

async fn buy_now_through_the_original_route(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "boris").await;
    add(&app, "boris", &token, json!(1), json!(1)).await;
    // orderConfirm.html?sku_id=7&buy_num=2: the buy-now settlement leaves the cart alone.
    let (status, body) = get(
        &app,
        "sku_id=7&buy_num=2&status=0&settlement_type=1",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sku_list = body["data"]["sku_list"].as_array().expect("sku_list");
    assert_eq!(sku_list.len(), 1);
    assert_line(&app, &sku_list[0], 7, 2).await;
    assert_eq!(body["data"]["total_count"], 2);
    // The original's payment page sends no SKU for buy now: a clear refusal, nothing made.
    let before = stock_and_sales(&app, 7).await;
    let (status, body) = post(
        &app,
        json!({"status": 0, "address_id": address, "settlement_type": 1}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], 50101);
    assert_eq!(body["errmsg"], body["error"]);
    assert!(
        body["errmsg"]
            .as_str()
            .is_some_and(|m| m.contains("buy_num"))
    );
    assert_eq!(app.count("orders").await, 0);
    // With the SKU and the units (the page's one-line change), the order is made.
    let (status, body) = post(
        &app,
        json!({"status": 0, "address_id": address, "settlement_type": "1", "sku_id": "7", "buy_num": "2"}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let order_id = body["data"]["order_id"].as_str().expect("order_id");
    assert_eq!(stock_and_sales(&app, 7).await, (before.0 - 2, before.1 + 2));
    let (_, cart) = app.get("/v1/carts/boris", Some(&token)).await;
    assert_eq!(lines(&cart), vec![(1, 1, true)], "the cart is left alone");
    let (_, detail) = app
        .get(&format!("/v1/orders/boris/{order_id}"), Some(&token))
        .await;
    assert_eq!(detail["data"]["order_total_count"], 2);
}

async fn receipt_is_confirmed_only_for_a_shipped_order_of_ones_own(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "carl").await;
    let (other, _) = shopper(&app, "dora").await;
    let (_, body) = post(
        &app,
        json!({"status": 0, "address_id": address, "settlement_type": 1, "sku_id": 3, "buy_num": 1}),
        &token,
    )
    .await;
    let order_id = body["data"]["order_id"]
        .as_str()
        .expect("order_id")
        .to_owned();
    let confirm = format!("status=2&order_id={order_id}");
    // Unpaid: not shipped yet.
    let (status, body) = get(&app, &confirm, &token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!(50107)),
        "{body}"
    );
    assert_eq!(order_status(&app, &order_id).await, 1);
    sqlx::query("UPDATE orders SET status = 3 WHERE order_id = ?")
        .bind(&order_id)
        .execute(&app.state.db)
        .await
        .expect("ship");
    // Another shopper's token: answered like an unknown order, nothing changes.
    let (status, body) = get(&app, &confirm, &other).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::NOT_FOUND, &json!(50106)),
        "{body}"
    );
    let (_, theirs) = get(&app, "status=1&order_status=0", &other).await;
    assert!(order_ids(&theirs).is_empty());
    let (status, body) = post(&app, json!({"status": 1, "order_id": order_id}), &other).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::NOT_FOUND, &json!(50106)),
        "{body}"
    );
    assert_eq!(order_status(&app, &order_id).await, 3);
    // The owner confirms (myOrder.html's 确认收货): 3 → 4, once.
    let (status, body) = get(&app, &confirm, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    assert_eq!(order_status(&app, &order_id).await, 4);
    let (_, done) = get(&app, "status=1&order_status=4", &token).await;
    assert_eq!(order_ids(&done), vec![order_id.clone()]);
    let (status, body) = get(&app, &confirm, &token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!(50107)),
        "{body}"
    );
    // A mangled id (the page writes it as a JavaScript number): unknown.
    let (status, body) = get(&app, "status=2&order_id=2.0261205123456e%2B24", &token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::NOT_FOUND, &json!(50106)),
        "{body}"
    );
}

async fn stock_and_idempotency_hold_through_the_original_route(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "emil").await;
    add(&app, "emil", &token, json!(4), json!(3)).await;
    sqlx::query("UPDATE skus SET stock = 2 WHERE id = 4")
        .execute(&app.state.db)
        .await
        .expect("stock");
    let create = json!({"status": 0, "address_id": address, "settlement_type": 0});
    let (status, body) = post(&app, create.clone(), &token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!(50103)),
        "{body}"
    );
    assert_eq!(body["errmsg"], body["error"], "the original's errmsg");
    assert_eq!(stock_and_sales(&app, 4).await.0, 2);
    assert_eq!(app.count("orders").await, 0);
    let (_, cart) = app.get("/v1/carts/emil", Some(&token)).await;
    assert_eq!(lines(&cart), vec![(4, 3, true)], "the cart is kept");

    // Restocked: two tries of one payment page with one key make one order.
    sqlx::query("UPDATE skus SET stock = 10 WHERE id = 4")
        .execute(&app.state.db)
        .await
        .expect("stock");
    let mut ids = Vec::new();
    for _ in 0..2 {
        let res = app
            .client
            .post(format!("{}{PATH}", app.base))
            .header("Authorization", &token)
            .header("Idempotency-Key", "legacy-page-1")
            .json(&create)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.expect("json");
        ids.push(body["data"]["order_id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids[0], ids[1]);
    assert_eq!(app.count("orders").await, 1);
    assert_eq!(stock_and_sales(&app, 4).await.0, 7);

    // Two pages at once on the last units: one order, no oversell.
    add(&app, "emil", &token, json!(5), json!(1)).await;
    sqlx::query("UPDATE skus SET stock = 1 WHERE id = 5")
        .execute(&app.state.db)
        .await
        .expect("stock");
    let (a, b2) = tokio::join!(
        post(&app, create.clone(), &token),
        post(&app, create.clone(), &token)
    );
    let made = [&a, &b2]
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert_eq!(made, 1, "{a:?} {b2:?}");
    assert_eq!(stock_and_sales(&app, 5).await.0, 0);
}

async fn a_paid_order_answers_with_no_pay_url_a_cancelled_one_is_refused(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "fay").await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (status, body) = post(
            &app,
            json!({"status": 0, "address_id": address, "settlement_type": 1, "sku_id": 3, "buy_num": 1}),
            &token,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(body["data"]["order_id"].as_str().expect("id").to_owned());
    }
    sqlx::query("UPDATE orders SET status = 2 WHERE order_id = ?")
        .bind(&ids[0])
        .execute(&app.state.db)
        .await
        .expect("paid");
    // pay_success.html asks with status=1 after paying: the order, nothing to pay.
    let (status, body) = post(&app, json!({"status": 1, "order_id": ids[0]}), &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["order_id"], ids[0]);
    assert_eq!(body["data"]["pay_url"], "");
    assert_eq!(body["data"]["pay_remaining_secs"], 0);
    // The resource route keeps refusing a paid order.
    let (status, body) = app
        .get(
            &format!("/v1/orders/fay?type=5&order_id={}", ids[0]),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!(50107)),
        "{body}"
    );
    // Cancelled by the shopper: no pay URL through either route.
    let (status, body) = app
        .post(
            &format!("/v1/orders/fay/{}/cancel", ids[1]),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(&app, json!({"status": 1, "order_id": ids[1]}), &token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::CONFLICT, &json!(50107)),
        "{body}"
    );
    assert_eq!(body["errmsg"], body["error"]);
}

async fn bad_requests_get_their_codes_and_change_nothing(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "gus").await;
    add(&app, "gus", &token, json!(1), json!(1)).await;
    let bad_queries = [
        ("", 10123),
        ("status=", 10123),
        ("status=3", 10123),
        ("status=x", 10123),
        ("status=0&settlement_type=2", 10123),
        ("status=0&settlement_type=1&sku_id=999999&buy_num=1", 50101),
        ("status=0&settlement_type=1&sku_id=1&buy_num=0", 50101),
        ("status=0&settlement_type=1&sku_id=1&buy_num=1000", 50101),
        ("status=1&order_status=5", 10123),
        ("status=1&order_status=-1", 10123),
        ("status=1&order_status=0&page=0", 40200),
        ("status=1&order_status=0&page=2", 40200),
        (
            "status=1&order_status=0&page=99999999999999999999999",
            40200,
        ),
        ("status=1&order_status=0&page=9223372036854775807", 40200),
        ("status=1&order_status=0&page=18446744073709551615", 40200),
        ("status=2", 10123),
        ("status=2&order_id=1", 50106),
    ];
    for (query, code) in bad_queries {
        let (status, body) = get(&app, query, &token).await;
        assert!(status.is_client_error(), "{query}: {status} {body}");
        assert_eq!(body["code"], code, "{query}: {body}");
        assert_eq!(body["errmsg"], body["error"], "{query}: {body}");
    }
    let bad_bodies = [
        (json!({}), 10123),
        (json!({"status": 7}), 10123),
        (json!({"status": "zero"}), 10123),
        (json!({"status": 0}), 50102),
        (
            json!({"status": 0, "address_id": 999_999, "settlement_type": 0}),
            50102,
        ),
        (
            json!({"status": 0, "address_id": address, "settlement_type": 9}),
            10123,
        ),
        (json!({"status": 1}), 10123),
        (
            json!({"status": 1, "order_id": "20261205000000000000001"}),
            50106,
        ),
        (json!({"status": 1, "order_id": [1]}), 10123),
    ];
    for (body, code) in bad_bodies {
        let (status, answer) = post(&app, body.clone(), &token).await;
        assert!(status.is_client_error(), "{body}: {status} {answer}");
        assert_eq!(answer["code"], code, "{body}: {answer}");
    }
    // Not JSON at all, and no token.
    let res = app
        .client
        .post(format!("{}{PATH}", app.base))
        .header("Authorization", &token)
        .body("status=0&address_id=1")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let (status, body) = app
        .get(&format!("{PATH}?status=1&order_status=0"), None)
        .await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::UNAUTHORIZED, &json!(10101))
    );
    assert_eq!(app.count("orders").await, 0);
    let (_, cart) = app.get("/v1/carts/gus", Some(&token)).await;
    assert_eq!(lines(&cart), vec![(1, 1, true)]);
}

fn legacy(s: &mut dadashop_server::config::Settings) {
    s.legacy_client_origins = format!("{LEGACY_ORIGIN}, http://legacy.example/");
}

/// `method path` with `Origin: origin` (when given) and `token`: status, headers, body.
async fn from_origin(
    app: &TestApp,
    origin: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = app.client.request(method, format!("{}{path}", app.base));
    if let Some(origin) = origin {
        req = req.header("Origin", origin);
    }
    if let Some(token) = token {
        req = req.header("Authorization", token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.json().await.expect("json"))
}

async fn legacy_origins_get_errors_with_status_200(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            tweak: Some(legacy),
            ..Options::default()
        },
    )
    .await;
    let (token, _) = shopper(&app, "hugo").await;
    let bad = format!("{PATH}?status=9");
    // An origin of the list: 200 with the same body, and CORS lets the page read it.
    for origin in [LEGACY_ORIGIN, "http://legacy.example"] {
        let (status, headers, body) =
            from_origin(&app, Some(origin), Method::GET, &bad, None, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{origin}: {body}");
        assert_eq!(body["code"], 10123);
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()));
        assert_eq!(
            headers
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok()),
            Some(origin)
        );
    }
    // A failed login and a missing token, as the old login and cart pages see them.
    let (status, _, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::POST,
        "/v1/tokens",
        Some(json!({"username": "hugo", "password": "wrong-password-1"})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["code"], 200, "{body}");
    let (status, _, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::GET,
        "/v1/carts/hugo",
        None,
        None,
    )
    .await;
    assert_eq!((status, &body["code"]), (StatusCode::OK, &json!(10101)));
    // A success is unchanged.
    let (status, _, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::GET,
        "/v1/carts/hugo",
        None,
        Some(&token),
    )
    .await;
    assert_eq!((status, &body["code"]), (StatusCode::OK, &json!(200)));
    // Another allowed origin, an unknown one and no Origin at all keep today's statuses.
    for origin in [
        Some("http://127.0.0.1:7000"),
        Some("http://evil.example"),
        None,
    ] {
        let (status, headers, body) =
            from_origin(&app, origin, Method::GET, &bad, None, Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{origin:?}: {body}");
        assert_eq!(body["code"], 10123);
        if origin == Some("http://evil.example") {
            assert!(headers.get("access-control-allow-origin").is_none());
        }
    }
    // 429 keeps its Retry-After.
    let phone = json!({"phone": "13800001111"});
    let (status, _, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::POST,
        "/v1/users/sms/code",
        Some(phone.clone()),
        None,
    )
    .await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::OK, &json!(200)),
        "{body}"
    );
    let (status, headers, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::POST,
        "/v1/users/sms/code",
        Some(phone),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 10131, "{body}");
    let retry: u64 = headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry));
    // An unknown path: the fallback's 404 is answered the same way.
    let (status, _, body) = from_origin(
        &app,
        Some(LEGACY_ORIGIN),
        Method::GET,
        "/v1/nowhere",
        None,
        None,
    )
    .await;
    assert_eq!((status, &body["code"]), (StatusCode::OK, &json!(404)));
    let (status, _, _) = from_origin(&app, None, Method::GET, "/v1/nowhere", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
