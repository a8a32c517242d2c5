//! Settlement, orders, cancellation, receipt, time-outs and concurrent checkouts, on the demo
//! catalog.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::carts::{add, lines};
use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;

on_both_backends!(
    settlement_lists_addresses_lines_freight_and_amounts,
    an_order_takes_stock_leaves_the_cart_and_is_listed,
    order_errors_get_their_codes_and_change_nothing,
    an_idempotency_key_makes_one_order,
    a_cancel_returns_the_stock_and_a_shipped_order_can_be_confirmed,
    the_time_out_cancels_an_unpaid_order_exactly_once,
    the_time_out_job_racing_a_cancel_returns_the_stock_once,
    the_sweep_catches_orders_whose_job_was_lost,
    two_hundred_buyers_for_ten_units_make_ten_orders,
);

async fn shop_with(
    b: Backend,
    tweak: Option<fn(&mut dadashop_server::config::Settings)>,
    no_worker: bool,
) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            tweak,
            no_worker,
            ..Options::default()
        },
    )
    .await
}

async fn shop(b: Backend) -> TestApp {
    shop_with(b, None, false).await
}

/// Registers `user` with one address; returns the token and the address id.
pub(crate) async fn shopper(app: &TestApp, user: &str) -> (String, i64) {
    let token = app.register(user).await;
    let list = app.add_address(user, &token, "张三").await;
    (token, list[0]["id"].as_i64().expect("address id"))
}

pub(crate) async fn stock_and_sales(app: &TestApp, sku: i64) -> (i64, i64) {
    sqlx::query_as::<_, (i64, i64)>("SELECT stock, sales FROM skus WHERE id = ?")
        .bind(sku)
        .fetch_one(&app.state.db)
        .await
        .expect("sku")
}

pub(crate) async fn price_fen(app: &TestApp, sku: i64) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT price FROM skus WHERE id = ?")
        .bind(sku)
        .fetch_one(&app.state.db)
        .await
        .expect("price")
}

pub(crate) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

async fn order(
    app: &TestApp,
    user: &str,
    token: &str,
    body: Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .post(format!("{}/v1/orders/{user}", app.base))
        .header("Authorization", token)
        .json(&body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    let res = req.send().await.expect("sent");
    let status = res.status();
    (status, res.json().await.expect("json"))
}

pub(crate) async fn order_status(app: &TestApp, order_id: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT status FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_one(&app.state.db)
        .await
        .expect("order")
}

/// Who cancelled `order_id` (`shopper`, `timeout`), as stored.
pub(crate) async fn cancel_reason(app: &TestApp, order_id: &str) -> String {
    sqlx::query_scalar("SELECT cancel_reason FROM orders WHERE order_id = ?")
        .bind(order_id)
        .fetch_one(&app.state.db)
        .await
        .expect("reason")
}

async fn settlement_lists_addresses_lines_freight_and_amounts(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "gina").await;
    add(&app, "gina", &token, json!(1), json!(2)).await;
    add(&app, "gina", &token, json!(2), json!(1)).await;
    app.call(
        Method::PUT,
        "/v1/carts/gina",
        Some(json!({"sku_id": 2, "state": "unselect"})),
        Some(&token),
    )
    .await;
    let p1 = price_fen(&app, 1).await;

    let (status, body) = app
        .get("/v1/orders/gina/advance?settlement_type=0", Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["addresses"][0]["id"], address);
    assert_eq!(data["addresses"][0]["name"], "张三");
    assert_eq!(data["addresses"][0]["title"], "家");
    assert_eq!(data["addresses"][0]["mobile"], "13912345678");
    assert_eq!(data["sku_list"].as_array().map(Vec::len), Some(1));
    assert_eq!(data["sku_list"][0]["id"], 1);
    assert_eq!(data["total_count"], 2);
    assert_eq!(data["total_amount"], yuan(2 * p1));
    assert_eq!(data["transit"], "10.00");
    assert_eq!(data["payment_amount"], yuan(2 * p1 + 1000));
    assert!(
        body["base_url"]
            .as_str()
            .expect("base_url")
            .ends_with("/media/")
    );

    let p5 = price_fen(&app, 5).await;
    let (status, body) = app
        .get(
            "/v1/orders/gina/advance?settlement_type=1&sku_id=5&buy_num=3",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["sku_list"][0]["id"], 5);
    assert_eq!(body["data"]["sku_list"][0]["count"], 3);
    assert_eq!(body["data"]["payment_amount"], yuan(3 * p5 + 1000));

    for (query, code) in [
        ("settlement_type=1&sku_id=5&buy_num=0", 50101),
        ("settlement_type=1&sku_id=5", 50101),
        ("settlement_type=1&sku_id=99999&buy_num=1", 50101),
        ("settlement_type=7", 10123),
    ] {
        let (status, body) = app
            .get(&format!("/v1/orders/gina/advance?{query}"), Some(&token))
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(code)),
            "{query}"
        );
    }
    app.call(
        Method::PUT,
        "/v1/carts/gina",
        Some(json!({"state": "unselectall"})),
        Some(&token),
    )
    .await;
    let (status, body) = app
        .get("/v1/orders/gina/advance?settlement_type=0", Some(&token))
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(50101))
    );
    let other = app.register("hank").await;
    let (status, _) = app
        .get("/v1/orders/gina/advance?settlement_type=0", Some(&other))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn an_order_takes_stock_leaves_the_cart_and_is_listed(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "ivy").await;
    add(&app, "ivy", &token, json!(1), json!(2)).await;
    add(&app, "ivy", &token, json!(2), json!(3)).await;
    add(&app, "ivy", &token, json!(7), json!(1)).await;
    app.call(
        Method::PUT,
        "/v1/carts/ivy",
        Some(json!({"sku_id": 7, "state": "unselect"})),
        Some(&token),
    )
    .await;
    let before1 = stock_and_sales(&app, 1).await;
    let before2 = stock_and_sales(&app, 2).await;
    let before7 = stock_and_sales(&app, 7).await;
    let amount = 2 * price_fen(&app, 1).await + 3 * price_fen(&app, 2).await + 1000;

    let (status, body) = order(
        &app,
        "ivy",
        &token,
        json!({"address_id": address, "settlement_type": 0}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    let order_id = data["order_id"].as_str().expect("order_id").to_owned();
    assert_eq!(order_id.len(), 25, "{order_id}");
    assert!(order_id.bytes().all(|b| b.is_ascii_digit()));
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'ivy'")
        .fetch_one(&app.state.db)
        .await
        .expect("user");
    assert_eq!(&order_id[14..23], format!("{user_id:09}"));
    assert_eq!(data["saller"], "达达商城");
    assert_eq!(data["total_amount"], yuan(amount));
    assert_eq!(data["pay_url"], "");
    assert_eq!(data["carts_count"], 1);
    let remaining = data["pay_remaining_secs"].as_i64().expect("remaining");
    assert!((1790..=1800).contains(&remaining), "{remaining}");

    assert_eq!(
        stock_and_sales(&app, 1).await,
        (before1.0 - 2, before1.1 + 2)
    );
    assert_eq!(
        stock_and_sales(&app, 2).await,
        (before2.0 - 3, before2.1 + 3)
    );
    assert_eq!(stock_and_sales(&app, 7).await, before7);
    let (_, cart) = app.get("/v1/carts/ivy", Some(&token)).await;
    assert_eq!(lines(&cart), vec![(7, 1, false)]);

    // The address is copied: a later edit of the address book leaves the order alone.
    app.exec(
        "UPDATE addresses SET address = 'elsewhere' WHERE id = ?",
        &[address],
    )
    .await;
    let (status, list) = app.get("/v1/orders/ivy?type=0", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let orders = list["data"]["orders_list"].as_array().expect("orders_list");
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o["order_id"], order_id);
    assert_eq!(o["status"], 1);
    assert_eq!(o["status_name"], "待付款");
    assert_eq!(o["order_total_count"], 5);
    assert_eq!(o["order_total_amount"], yuan(amount));
    assert_eq!(o["order_freight"], "10.00");
    assert_eq!(o["address"]["receiver"], "张三");
    assert_eq!(o["address"]["address"], "北京市海淀区中关村大街1号");
    assert_eq!(o["order_sku"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        o["order_sku"][0]["sku_sale_attr_name"],
        json!(["颜色", "尺寸"])
    );
    assert_eq!(o["order_time"].as_str().map(str::len), Some(19));
    assert!(o["pay_remaining_secs"].as_i64().expect("remaining") > 1700);
    assert_eq!(list["data"]["paginator"]["total"], 1);

    let (_, unpaid) = app.get("/v1/orders/ivy?type=1", Some(&token)).await;
    assert_eq!(
        unpaid["data"]["orders_list"].as_array().map(Vec::len),
        Some(1)
    );
    let (_, paid) = app.get("/v1/orders/ivy?type=2", Some(&token)).await;
    assert_eq!(
        paid["data"]["orders_list"].as_array().map(Vec::len),
        Some(0)
    );
    let (status, detail) = app
        .get(&format!("/v1/orders/ivy/{order_id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["data"]["order_id"], order_id);
    let (status, repay) = app
        .get(
            &format!("/v1/orders/ivy?type=5&order_id={order_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{repay}");
    assert_eq!(repay["data"]["order_id"], order_id);
    assert_eq!(repay["data"]["total_amount"], yuan(amount));

    // Buy now leaves the cart alone; a second order in the same second gets the next id.
    let (status, body) = order(
        &app,
        "ivy",
        &token,
        json!({"address_id": address, "settlement_type": 1, "sku_id": 7, "buy_count": 2}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["data"]["order_id"], order_id);
    assert_eq!(body["data"]["carts_count"], 1);
    assert_eq!(
        stock_and_sales(&app, 7).await,
        (before7.0 - 2, before7.1 + 2)
    );
    let (_, list) = app.get("/v1/orders/ivy", Some(&token)).await;
    assert_eq!(list["data"]["paginator"]["total"], 2);
    // The newest first.
    assert_eq!(
        list["data"]["orders_list"][0]["order_id"],
        body["data"]["order_id"]
    );
}

async fn order_errors_get_their_codes_and_change_nothing(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "jack").await;
    let (other, other_address) = shopper(&app, "kate").await;
    add(&app, "jack", &token, json!(1), json!(2)).await;
    add(&app, "jack", &token, json!(4), json!(3)).await;
    let cart_before = lines(&app.get("/v1/carts/jack", Some(&token)).await.1);
    let stock1 = stock_and_sales(&app, 1).await;

    for bad in [json!(other_address), json!(99_999), json!(null), json!("x")] {
        let (status, body) = order(
            &app,
            "jack",
            &token,
            json!({"address_id": bad, "settlement_type": 0}),
            None,
        )
        .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(50102)),
            "{bad}"
        );
    }
    // A deleted address is no address.
    let second = app.add_address("jack", &token, "李四").await;
    let deleted = second
        .iter()
        .find(|a| a["receiver"] == "李四")
        .expect("added")["id"]
        .clone();
    app.call(
        Method::DELETE,
        &format!("/v1/users/jack/address/{deleted}"),
        None,
        Some(&token),
    )
    .await;
    let (_, body) = order(
        &app,
        "jack",
        &token,
        json!({"address_id": deleted, "settlement_type": 0}),
        None,
    )
    .await;
    assert_eq!(body["code"], 50102);

    // Stock short: the SKU is named; nothing sold, the cart as it was.
    app.exec("UPDATE skus SET stock = 2 WHERE id = 4", &[])
        .await;
    let name: String = sqlx::query_scalar("SELECT name FROM skus WHERE id = 4")
        .fetch_one(&app.state.db)
        .await
        .expect("name");
    let (status, body) = order(
        &app,
        "jack",
        &token,
        json!({"address_id": address, "settlement_type": 0}),
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50103)),
        "{body}"
    );
    assert!(
        body["error"].as_str().expect("error").contains(&name),
        "{body}"
    );
    assert_eq!(stock_and_sales(&app, 1).await, stock1);
    assert_eq!(stock_and_sales(&app, 4).await.0, 2);
    assert_eq!(
        lines(&app.get("/v1/carts/jack", Some(&token)).await.1),
        cart_before
    );
    assert_eq!(app.count("orders").await, 0);
    assert_eq!(app.count("order_lines").await, 0);

    // Ownership and unknown orders.
    let (status, _) = order(
        &app,
        "jack",
        &other,
        json!({"address_id": address, "settlement_type": 0}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/v1/orders/jack", Some(&other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for id in ["2026", "abc", "2026113012000000000000100"] {
        let (status, body) = app
            .get(&format!("/v1/orders/jack/{id}"), Some(&token))
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::NOT_FOUND, json!(50106)),
            "{id}"
        );
    }
    for (query, code) in [
        ("type=9", 10123),
        ("type=x", 10123),
        ("page=0", 40200),
        ("page=x", 40200),
        ("page=2", 40200),
    ] {
        let (status, body) = app
            .get(&format!("/v1/orders/jack?{query}"), Some(&token))
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(code)),
            "{query}"
        );
    }

    // Kate's order is not Jack's to see, cancel or confirm.
    add(&app, "kate", &other, json!(2), json!(1)).await;
    let (_, made) = order(
        &app,
        "kate",
        &other,
        json!({"address_id": other_address, "settlement_type": 0}),
        None,
    )
    .await;
    let kates = made["data"]["order_id"].as_str().expect("order").to_owned();
    let (status, _) = app
        .get(&format!("/v1/orders/jack/{kates}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &format!("/v1/orders/jack/{kates}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .call(
            Method::PUT,
            "/v1/orders/jack",
            Some(json!({"order_id": kates})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &format!("/v1/orders/jack?type=5&order_id={kates}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(order_status(&app, &kates).await, 1);
    // Confirming an unpaid order is refused.
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/orders/kate",
            Some(json!({"order_id": kates})),
            Some(&other),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );
}

async fn an_idempotency_key_makes_one_order(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "liam").await;
    add(&app, "liam", &token, json!(1), json!(1)).await;
    let before = stock_and_sales(&app, 1).await;
    let body = json!({"address_id": address, "settlement_type": 0});
    let key = "7d3f0c2e-4a11-4c8e-9a55-0b6a1f2c9e10";

    // Two at once, then a late retry: one order, one answer.
    let (a, b2) = tokio::join!(
        order(&app, "liam", &token, body.clone(), Some(key)),
        order(&app, "liam", &token, body.clone(), Some(key)),
    );
    assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    assert_eq!(b2.0, StatusCode::OK, "{}", b2.1);
    assert_eq!(a.1["data"]["order_id"], b2.1["data"]["order_id"]);
    let (status, again) = order(&app, "liam", &token, body.clone(), Some(key)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["data"]["order_id"], a.1["data"]["order_id"]);
    assert_eq!(again["data"]["total_amount"], a.1["data"]["total_amount"]);
    assert_eq!(again["data"]["carts_count"], a.1["data"]["carts_count"]);
    assert_eq!(app.count("orders").await, 1);
    assert_eq!(stock_and_sales(&app, 1).await, (before.0 - 1, before.1 + 1));

    // The same key with another request.
    let (status, body) = order(
        &app,
        "liam",
        &token,
        json!({"address_id": address, "settlement_type": 1, "sku_id": 2, "buy_count": 1}),
        Some(key),
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(50108))
    );
    // A bad key.
    let (status, body) = order(
        &app,
        "liam",
        &token,
        json!({"address_id": address}),
        Some(&"k".repeat(65)),
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10123))
    );
    assert_eq!(app.count("orders").await, 1);
}

async fn a_cancel_returns_the_stock_and_a_shipped_order_can_be_confirmed(b: Backend) {
    let app = shop(b).await;
    let (token, address) = shopper(&app, "mona").await;
    let before = stock_and_sales(&app, 3).await;
    let buy = json!({"address_id": address, "settlement_type": 1, "sku_id": 3, "buy_count": 2});
    let (_, made) = order(&app, "mona", &token, buy.clone(), None).await;
    let first = made["data"]["order_id"].as_str().expect("id").to_owned();
    assert_eq!(stock_and_sales(&app, 3).await, (before.0 - 2, before.1 + 2));

    let (status, body) = app
        .post(
            &format!("/v1/orders/mona/{first}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status"], 5);
    assert_eq!(body["data"]["status_name"], "已取消");
    assert_eq!(stock_and_sales(&app, 3).await, before);
    let (status, body) = app
        .post(
            &format!("/v1/orders/mona/{first}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );
    assert_eq!(stock_and_sales(&app, 3).await, before);
    let (status, _) = app
        .get(
            &format!("/v1/orders/mona?type=5&order_id={first}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Paid (by hand until payment exists), shipped by the operator's command, confirmed.
    let (_, made) = order(&app, "mona", &token, buy, None).await;
    let second = made["data"]["order_id"].as_str().expect("id").to_owned();
    let refused = app.cli(&["orders", "ship", &second]).await;
    assert!(!refused.status.success(), "an unpaid order cannot ship");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("待付款"),
        "{refused:?}"
    );
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/orders/mona",
            Some(json!({"order_id": second})),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );

    app.exec(
        &format!("UPDATE orders SET status = 2 WHERE order_id = '{second}'"),
        &[],
    )
    .await;
    let shipped = app.cli(&["orders", "ship", &second]).await;
    assert!(shipped.status.success(), "{shipped:?}");
    assert_eq!(order_status(&app, &second).await, 3);
    let (_, list) = app.get("/v1/orders/mona?type=3", Some(&token)).await;
    assert_eq!(list["data"]["orders_list"][0]["status_name"], "待收货");
    let (status, body) = app
        .post(
            &format!("/v1/orders/mona/{second}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );
    let (status, body) = app
        .call(
            Method::PUT,
            "/v1/orders/mona",
            Some(json!({"order_id": second})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(order_status(&app, &second).await, 4);
    let (status, _) = app
        .call(
            Method::PUT,
            "/v1/orders/mona",
            Some(json!({"order_id": second})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, done) = app.get("/v1/orders/mona?type=4", Some(&token)).await;
    assert_eq!(
        done["data"]["orders_list"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(stock_and_sales(&app, 3).await, (before.0 - 2, before.1 + 2));
}

fn one_second(s: &mut dadashop_server::config::Settings) {
    s.order_pay_timeout_secs = 1;
}

async fn the_time_out_cancels_an_unpaid_order_exactly_once(b: Backend) {
    let app = shop_with(b, Some(one_second), false).await;
    let (token, address) = shopper(&app, "nina").await;
    let before = stock_and_sales(&app, 8).await;
    let (status, made) = order(
        &app,
        "nina",
        &token,
        json!({"address_id": address, "settlement_type": 1, "sku_id": 8, "buy_count": 3}),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let id = made["data"]["order_id"].as_str().expect("id").to_owned();
    // The delayed job cancels it once the second is over.
    let mut status = 1;
    for _ in 0..100 {
        status = order_status(&app, &id).await;
        if status != 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 5, "cancelled by its time-out");
    assert_eq!(stock_and_sales(&app, 8).await, before);

    // The job delivered again, and the sweep: nothing more comes back.
    let ctx =
        dadashop_server::jobs::JobContext::new(app.settings(), app.state.db.clone()).expect("ctx");
    for _ in 0..2 {
        assert!(
            !dadashop_server::jobs::orders::expire(&ctx, &id)
                .await
                .expect("expire")
        );
    }
    assert_eq!(
        dadashop_server::jobs::orders::sweep(&ctx)
            .await
            .expect("sweep"),
        0
    );
    assert_eq!(stock_and_sales(&app, 8).await, before);
    let (status, body) = app
        .post(
            &format!("/v1/orders/nina/{id}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );
    assert_eq!(cancel_reason(&app, &id).await, "timeout");
}

async fn the_time_out_job_racing_a_cancel_returns_the_stock_once(b: Backend) {
    // No worker: the test plays the job itself, at the same moment as the shopper's cancel.
    let app = shop_with(b, Some(one_second), true).await;
    let (token, address) = shopper(&app, "omar").await;
    let ctx =
        dadashop_server::jobs::JobContext::new(app.settings(), app.state.db.clone()).expect("ctx");
    let before = stock_and_sales(&app, 9).await;
    for _ in 0..5 {
        let (_, made) = order(
            &app,
            "omar",
            &token,
            json!({"address_id": address, "settlement_type": 1, "sku_id": 9, "buy_count": 1}),
            None,
        )
        .await;
        let id = made["data"]["order_id"].as_str().expect("id").to_owned();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let path = format!("/v1/orders/omar/{id}/cancel");
        let (job1, job2, shopper_cancel) = tokio::join!(
            dadashop_server::jobs::orders::expire(&ctx, &id),
            dadashop_server::jobs::orders::expire(&ctx, &id),
            app.post(&path, json!({}), Some(&token)),
        );
        let winners = [
            job1.expect("job"),
            job2.expect("job"),
            shopper_cancel.0 == StatusCode::OK,
        ]
        .iter()
        .filter(|w| **w)
        .count();
        assert_eq!(winners, 1, "exactly one canceller wins: {shopper_cancel:?}");
        assert_eq!(order_status(&app, &id).await, 5);
        assert_eq!(stock_and_sales(&app, 9).await, before);
    }
}

async fn the_sweep_catches_orders_whose_job_was_lost(b: Backend) {
    // No worker, so no time-out job ever runs: as if the broker had lost them.
    let app = shop_with(b, None, true).await;
    let (token, address) = shopper(&app, "pia").await;
    let before = stock_and_sales(&app, 10).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (_, made) = order(
            &app,
            "pia",
            &token,
            json!({"address_id": address, "settlement_type": 1, "sku_id": 10, "buy_count": 2}),
            None,
        )
        .await;
        ids.push(made["data"]["order_id"].as_str().expect("id").to_owned());
    }
    let ctx =
        dadashop_server::jobs::JobContext::new(app.settings(), app.state.db.clone()).expect("ctx");
    // Not yet due (30 minutes to pay).
    assert_eq!(
        dadashop_server::jobs::orders::sweep(&ctx)
            .await
            .expect("sweep"),
        0
    );
    // Half an hour later.
    app.exec(
        "UPDATE orders SET pay_deadline = ?",
        &[dadashop_server::db::now_secs() - 1],
    )
    .await;
    assert_eq!(
        dadashop_server::jobs::orders::sweep(&ctx)
            .await
            .expect("sweep"),
        3
    );
    assert_eq!(
        dadashop_server::jobs::orders::sweep(&ctx)
            .await
            .expect("sweep"),
        0
    );
    for id in &ids {
        assert_eq!(order_status(&app, id).await, 5);
    }
    assert_eq!(stock_and_sales(&app, 10).await, before);
}

/// A shopper `name` with one address, made directly in the database (Argon2 for hundreds of
/// registrations would dominate a test): `(user id, address id)`.
pub(crate) async fn buyer(db: &sqlx::AnyPool, name: &str, now: i64) -> (i64, i64) {
    use dadashop_server::db::{addresses, users};
    let email = format!("{name}@example.com");
    let user = users::insert(
        db,
        &users::NewUser {
            username: name,
            password_hash: "-",
            email: &email,
            phone: "13800000000",
        },
        now,
    )
    .await
    .expect("user");
    let fields = addresses::AddressFields {
        receiver: "买家".into(),
        address: "上海市浦东新区世纪大道1号".into(),
        receiver_mobile: "13900000000".into(),
        tag: "家".into(),
        region: addresses::RegionChange::Keep,
    };
    addresses::insert(db, user.id, &fields, "200120", now)
        .await
        .expect("address");
    let list = addresses::list(db, user.id).await.expect("addresses");
    (user.id, list[0].id)
}

async fn two_hundred_buyers_for_ten_units_make_ten_orders(b: Backend) {
    const BUYERS: usize = 200;
    const STOCK: i64 = 10;
    let app = shop(b).await;
    app.exec(
        "UPDATE skus SET stock = ?, sales = 0 WHERE id = 11",
        &[STOCK],
    )
    .await;
    let now = dadashop_server::db::now_secs();
    let mut buyers = Vec::new();
    for i in 0..BUYERS {
        let name = format!("b{i}");
        let (id, address) = buyer(&app.state.db, &name, now).await;
        dadashop_server::db::carts::add(&app.state.db, id, 11, 1)
            .await
            .expect("cart line");
        let token = app.state.tokens.issue(id, &name, 0, now).expect("token");
        buyers.push((name, token, address));
    }
    // Each buyer on a connection of its own, all at once.
    let base = app.base.clone();
    let mut tasks = Vec::new();
    for (name, token, address) in buyers {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let res = client
                .post(format!("{base}/v1/orders/{name}"))
                .header("Authorization", token)
                .json(&json!({"address_id": address, "settlement_type": 0}))
                .send()
                .await
                .expect("sent");
            let status = res.status();
            let body: Value = res.json().await.expect("json");
            (status, body)
        }));
    }
    let mut made: i64 = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            StatusCode::OK => made += 1,
            StatusCode::CONFLICT => {
                let code = body["code"].as_i64().expect("code");
                assert!(code == 50103 || code == 50104, "{body}");
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(made, STOCK);
    assert_eq!(stock_and_sales(&app, 11).await, (0, STOCK));
    assert_eq!(app.count("orders").await, STOCK);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cart_lines WHERE sku_id = 11")
        .fetch_one(&app.state.db)
        .await
        .expect("cart lines");
    assert_eq!(
        kept,
        BUYERS as i64 - STOCK,
        "the losers' carts are untouched"
    );
}
