//! Alipay payment against the fake gateway (a real local server with its own key pair): the
//! signed pay URL, paying, the notification applied exactly once, the result page and its
//! query fallback, refused forgeries, the reconciliation, races with the time-out and a
//! payment for a cancelled order.

use std::collections::BTreeMap;
use std::time::Duration;

use dadashop_server::alipay::{private_key, public_key, sign, signing_string, verify};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Options, TestApp, test_key};
use crate::on_both_backends;
use crate::orders::{order_status, shopper, stock_and_sales};

on_both_backends!(
    the_pay_url_is_a_signed_page_pay_request,
    paying_on_the_gateway_marks_the_order_paid_once,
    forged_or_mismatched_notifications_change_nothing,
    the_result_page_asks_the_gateway_when_the_notification_is_lost,
    the_reconciliation_finds_a_payment_whose_notification_was_lost,
    a_payment_for_a_cancelled_order_is_flagged_for_refund,
    a_notification_racing_the_time_out_has_one_outcome,
);

pub(crate) async fn paying_shop(b: Backend, no_worker: bool) -> TestApp {
    TestApp::spawn_with(
        b,
        Options {
            seed_demo: true,
            fake_alipay: true,
            no_worker,
            ..Options::default()
        },
    )
    .await
}

/// An unpaid buy-now order of `count` units of SKU 3 by a new shopper `user`: its token,
/// id, pay URL and amount in fen.
pub(crate) async fn unpaid_order(
    app: &TestApp,
    user: &str,
    count: i64,
) -> (String, String, String, i64) {
    let (token, address) = shopper(app, user).await;
    let (status, body) = app
        .post(
            &format!("/v1/orders/{user}"),
            json!({"address_id": address, "settlement_type": 1, "sku_id": 3, "buy_count": count}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = &body["data"];
    let id = data["order_id"].as_str().expect("order id").to_owned();
    let amount = dadashop_types::money::parse_yuan(data["total_amount"].as_str().expect("amount"))
        .expect("yuan");
    (
        token,
        id,
        data["pay_url"].as_str().expect("pay_url").to_owned(),
        amount,
    )
}

pub(crate) fn query_params(url: &str) -> BTreeMap<String, String> {
    let parsed = reqwest::Url::parse(url).expect("url");
    parsed.query_pairs().into_owned().collect()
}

/// The payment rows of `order_id`: (trade_no, source, outcome).
async fn payments_of(app: &TestApp, order_id: &str) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT trade_no, source, outcome FROM payments WHERE order_id = ?")
        .bind(order_id)
        .fetch_all(&app.state.db)
        .await
        .expect("payments")
}

/// Waits up to 10 s for `order_id` to reach `status`.
pub(crate) async fn wait_status(app: &TestApp, order_id: &str, status: i64) {
    for _ in 0..200 {
        if order_status(app, order_id).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "order {order_id} stayed at status {}, expected {status}",
        order_status(app, order_id).await
    );
}

/// A notification as the gateway would send it for `order_id`, signed with `key_name` (a
/// test key) unless `sign_with` is `None`.
fn notification(
    order_id: &str,
    amount: &str,
    trade_no: &str,
    sign_with: Option<&str>,
) -> BTreeMap<String, String> {
    let mut params: BTreeMap<String, String> = [
        ("notify_time", "2026-11-30 18:31:00"),
        ("notify_type", "trade_status_sync"),
        ("notify_id", "2026113000222183100012345678901234"),
        ("app_id", "2021000000000001"),
        ("auth_app_id", "2021000000000001"),
        ("charset", "utf-8"),
        ("version", "1.0"),
        ("trade_no", trade_no),
        ("out_trade_no", order_id),
        ("buyer_id", "2088000000000002"),
        ("seller_id", "2088000000000001"),
        ("trade_status", "TRADE_SUCCESS"),
        ("total_amount", amount),
        ("receipt_amount", amount),
        ("buyer_pay_amount", amount),
        ("subject", "达达商城订单"),
        ("gmt_create", "2026-11-30 18:30:10"),
        ("gmt_payment", "2026-11-30 18:30:59"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    if let Some(key_name) = sign_with {
        let key = private_key(&test_key(key_name)).expect("key");
        let signature = sign(&key, &signing_string(&params, true)).expect("signs");
        params.insert("sign".into(), signature);
        params.insert("sign_type".into(), "RSA2".into());
    }
    params
}

/// POSTs `params` as the gateway does; the status and the plain-text answer.
async fn post_notification(
    app: &TestApp,
    params: &BTreeMap<String, String>,
) -> (StatusCode, String) {
    let res = app
        .client
        .post(format!("{}/v1/orders/success/", app.base))
        .form(params)
        .send()
        .await
        .expect("sent");
    let status = res.status();
    (status, res.text().await.expect("text"))
}

/// `GET /v1/orders/result/?<query>` as the result page does.
async fn result(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/v1/orders/result/?{query}"), Some(token))
        .await
}

pub(crate) fn fake(app: &TestApp) -> &dadashop_fakes::alipay::FakeAlipay {
    app.alipay.as_ref().expect("fake gateway")
}

/// The notification attempts the gateway made for `order_id`.
fn attempts(app: &TestApp, order_id: &str) -> Vec<dadashop_fakes::alipay::NotifyAttempt> {
    fake(app)
        .trade(order_id)
        .map(|t| t.notify_attempts)
        .unwrap_or_default()
}

async fn the_pay_url_is_a_signed_page_pay_request(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, pay_url, amount) = unpaid_order(&app, "pia", 2).await;
    assert!(pay_url.starts_with(&fake(&app).gateway_url()), "{pay_url}");
    let params = query_params(&pay_url);
    for (k, v) in [
        ("app_id", "2021000000000001"),
        ("method", "alipay.trade.page.pay"),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("version", "1.0"),
    ] {
        assert_eq!(params.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert_eq!(
        params["notify_url"],
        format!("{}/v1/orders/success/", app.base)
    );
    assert!(params["return_url"].ends_with("/payment/result"));
    assert_eq!(params["timestamp"].len(), 19, "yyyy-MM-dd HH:mm:ss");
    let biz: Value = serde_json::from_str(&params["biz_content"]).expect("biz_content");
    assert_eq!(biz["out_trade_no"], id);
    assert_eq!(
        biz["total_amount"],
        dadashop_types::money::format_fen(amount)
    );
    assert_eq!(biz["product_code"], "FAST_INSTANT_TRADE_PAY");
    let minutes = biz["timeout_express"].as_str().expect("timeout_express");
    assert!(
        ["29m", "30m"].contains(&minutes),
        "the order's 30 minutes: {minutes}"
    );
    assert!(biz["subject"].as_str().expect("subject").contains(&id));
    // The app's public key verifies the signature over the sorted k=v string with sign_type.
    let app_public = public_key(&test_key("app_public")).expect("key");
    verify(
        &app_public,
        &signing_string(&params, false),
        &params["sign"],
    )
    .expect("verifies");

    // The gateway shows its cashier for it.
    let page = app.client.get(&pay_url).send().await.expect("page");
    let html = page.text().await.expect("html");
    assert!(html.contains("收银台"), "{html}");
    assert!(html.contains(&dadashop_types::money::format_fen(amount)));

    // Paying again (type=5) answers a fresh URL for the same order; a paid order has none.
    let (status, body) = app
        .get(
            &format!("/v1/orders/pia?type=5&order_id={id}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = query_params(body["data"]["pay_url"].as_str().expect("url"));
    assert_eq!(again["biz_content"], params["biz_content"]);
}

async fn paying_on_the_gateway_marks_the_order_paid_once(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, pay_url, amount) = unpaid_order(&app, "quinn", 1).await;
    let stock = stock_and_sales(&app, 3).await.0;
    // The shopper opens the cashier and pays; the gateway notifies the shop and sends two
    // extra copies of the notification.
    app.client.get(&pay_url).send().await.expect("page");
    fake(&app).set(dadashop_fakes::alipay::Switches {
        duplicate_notifications: 2,
        ..Default::default()
    });
    let return_url = fake(&app).pay(&id).expect("pays");
    wait_status(&app, &id, 2).await;
    for _ in 0..40 {
        if attempts(&app, &id).len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let made = attempts(&app, &id);
    assert_eq!(made.len(), 3, "{made:?}");
    assert!(
        made.iter()
            .all(|a| a.body.as_deref().map(str::trim) == Some("success")),
        "every copy answered success: {made:?}"
    );
    let rows = payments_of(&app, &id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].1.as_str(), rows[0].2.as_str()), ("notify", "paid"));
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        stock,
        "payment takes no more stock"
    );

    // The result page with the return parameters.
    let query = reqwest::Url::parse(&return_url)
        .expect("url")
        .query()
        .expect("query")
        .to_owned();
    let (status, body) = result(&app, &token, &query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["order_id"], id);
    assert_eq!(
        body["data"]["total_amount"],
        dadashop_types::money::format_fen(amount)
    );
    // Another shopper cannot read it; the list shows it as 待发货; it can no longer be paid.
    let other = app.register("rory").await;
    let (status, body) = result(&app, &other, &query).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(50106))
    );
    let (_, list) = app.get("/v1/orders/quinn?type=2", Some(&token)).await;
    assert_eq!(list["data"]["orders_list"][0]["order_id"], id);
    assert_eq!(list["data"]["orders_list"][0]["status_name"], "待发货");
    let (status, _) = app
        .get(
            &format!("/v1/orders/quinn?type=5&order_id={id}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // A cancel after payment is refused.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/v1/orders/quinn/{id}/cancel"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107))
    );
}

async fn forged_or_mismatched_notifications_change_nothing(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, _, amount) = unpaid_order(&app, "sage", 1).await;
    let paid = dadashop_types::money::format_fen(amount);
    let trade = "2026113022001400000000077";

    let tampered = {
        let mut p = notification(&id, &paid, trade, Some("gateway_private"));
        p.insert("total_amount".into(), "0.01".into());
        p
    };
    let wrong_amount = notification(&id, "0.01", trade, Some("gateway_private"));
    let wrong_key = notification(&id, &paid, trade, Some("app_private"));
    let unsigned = notification(&id, &paid, trade, None);
    let other_app = {
        let mut p = notification(&id, &paid, trade, None);
        p.insert("app_id".into(), "2021000000009999".into());
        let key = private_key(&test_key("gateway_private")).expect("key");
        let signature = sign(&key, &signing_string(&p, true)).expect("signs");
        p.insert("sign".into(), signature);
        p
    };
    let unknown_order = notification(
        "2026113018300500000009999",
        &paid,
        trade,
        Some("gateway_private"),
    );
    let no_trade_no = notification(&id, &paid, "", Some("gateway_private"));
    for (name, params) in [
        ("paid without a trade number", no_trade_no),
        ("tampered amount", tampered),
        ("signed amount differs from the order's", wrong_amount),
        ("signed with the wrong key", wrong_key),
        ("no signature", unsigned),
        ("another app", other_app),
        ("unknown order", unknown_order),
    ] {
        let (status, text) = post_notification(&app, &params).await;
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::BAD_REQUEST, "failure"),
            "{name}"
        );
    }
    let status = app
        .client
        .post(format!("{}/v1/orders/success/", app.base))
        .body("")
        .send()
        .await
        .expect("sent")
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST, "an empty notification");
    assert_eq!(order_status(&app, &id).await, 1, "still unpaid");
    assert_eq!(app.count("payments").await, 0);

    // Forged return parameters are refused by the result endpoint too.
    let mut forged = notification(&id, &paid, trade, Some("app_private"));
    forged.insert("method".into(), "alipay.trade.page.pay.return".into());
    let query = form_query(&forged);
    let (status, body) = result(&app, &token, &query).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(50109))
    );
    let (status, body) = result(&app, &token, "").await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(50109))
    );

    // The genuine notification, then its replay: one change, `success` both times.
    let genuine = notification(&id, &paid, trade, Some("gateway_private"));
    for _ in 0..2 {
        let (status, text) = post_notification(&app, &genuine).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "success"));
    }
    assert_eq!(order_status(&app, &id).await, 2);
    assert_eq!(payments_of(&app, &id).await.len(), 1);
    // The same trade number cannot pay a second order.
    let (_, second, _, _) = unpaid_order(&app, "sami", 1).await;
    let reused = notification(&second, &paid, trade, Some("gateway_private"));
    let (status, text) = post_notification(&app, &reused).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::BAD_REQUEST, "failure")
    );
    assert_eq!(order_status(&app, &second).await, 1);
}

fn form_query(params: &BTreeMap<String, String>) -> String {
    let mut out = reqwest::Url::parse("http://x/").expect("url");
    out.query_pairs_mut().extend_pairs(params.iter());
    out.query().unwrap_or("").to_owned()
}

async fn the_result_page_asks_the_gateway_when_the_notification_is_lost(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, pay_url, amount) = unpaid_order(&app, "tess", 1).await;
    app.client.get(&pay_url).send().await.expect("page");
    fake(&app).set(dadashop_fakes::alipay::Switches {
        drop_notifications: true,
        ..Default::default()
    });
    // Before paying: the gateway says unpaid, the page says not paid.
    let unpaid_return = {
        let mut p = notification(&id, &dadashop_types::money::format_fen(amount), "", None);
        p.retain(|k, _| {
            [
                "app_id",
                "out_trade_no",
                "total_amount",
                "charset",
                "version",
            ]
            .contains(&k.as_str())
        });
        let key = private_key(&test_key("gateway_private")).expect("key");
        let signature = sign(&key, &signing_string(&p, true)).expect("signs");
        p.insert("sign".into(), signature);
        form_query(&p)
    };
    let (status, body) = result(&app, &token, &unpaid_return).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(50105))
    );

    let return_url = fake(&app).pay(&id).expect("pays");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        order_status(&app, &id).await,
        1,
        "the notification was dropped"
    );
    // The gateway is down: a clear 503, nothing changes.
    fake(&app).set(dadashop_fakes::alipay::Switches {
        drop_notifications: true,
        query_unavailable: true,
        ..Default::default()
    });
    let query = reqwest::Url::parse(&return_url)
        .expect("url")
        .query()
        .expect("q")
        .to_owned();
    let (status, body) = result(&app, &token, &query).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::SERVICE_UNAVAILABLE, json!(50110))
    );
    assert_eq!(order_status(&app, &id).await, 1);
    // The gateway is back: the page's query marks the order paid.
    fake(&app).set(dadashop_fakes::alipay::Switches {
        drop_notifications: true,
        ..Default::default()
    });
    let (status, body) = result(&app, &token, &query).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(order_status(&app, &id).await, 2);
    let rows = payments_of(&app, &id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "return");
}

async fn the_reconciliation_finds_a_payment_whose_notification_was_lost(b: Backend) {
    let app = paying_shop(b, true).await;
    let (_, id, pay_url, _) = unpaid_order(&app, "uma", 1).await;
    let (_, untouched, _, _) = unpaid_order(&app, "uli", 1).await;
    app.client.get(&pay_url).send().await.expect("page");
    fake(&app).set(dadashop_fakes::alipay::Switches {
        drop_notifications: true,
        ..Default::default()
    });
    fake(&app).pay(&id).expect("pays");
    let mut ctx = dadashop_server::jobs::JobContext::new(app.settings(), app.state.db.clone())
        .expect("context");
    ctx.alipay.clone_from(&app.state.alipay);
    // Far from their deadline and never returned: not asked about yet.
    assert_eq!(
        dadashop_server::jobs::orders::reconcile(&ctx)
            .await
            .expect("runs"),
        0
    );
    assert_eq!(order_status(&app, &id).await, 1);
    // Near the deadline both are asked about; only the paid one changes.
    app.exec("UPDATE orders SET pay_deadline = pay_deadline - 1700", &[])
        .await;
    assert_eq!(
        dadashop_server::jobs::orders::reconcile(&ctx)
            .await
            .expect("runs"),
        1
    );
    assert_eq!(order_status(&app, &id).await, 2);
    assert_eq!(order_status(&app, &untouched).await, 1);
    assert_eq!(payments_of(&app, &id).await[0].1, "query");
    // The time-out of the paid order changes nothing; the unpaid one is cancelled.
    app.exec("UPDATE orders SET pay_deadline = pay_deadline - 200", &[])
        .await;
    assert!(
        !dadashop_server::jobs::orders::expire(&ctx, &id)
            .await
            .expect("runs")
    );
    assert!(
        dadashop_server::jobs::orders::expire(&ctx, &untouched)
            .await
            .expect("runs")
    );
    assert_eq!(order_status(&app, &id).await, 2);
    assert_eq!(order_status(&app, &untouched).await, 5);
}

async fn a_payment_for_a_cancelled_order_is_flagged_for_refund(b: Backend) {
    let app = paying_shop(b, true).await;
    let (token, id, _, amount) = unpaid_order(&app, "vera", 2).await;
    let stock_before_cancel = stock_and_sales(&app, 3).await.0;
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/v1/orders/vera/{id}/cancel"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let restocked = stock_and_sales(&app, 3).await.0;
    assert_eq!(restocked, stock_before_cancel + 2);
    // The shopper had paid in another tab: the notification arrives after the cancel.
    let paid = notification(
        &id,
        &dadashop_types::money::format_fen(amount),
        "2026113022001400000000088",
        Some("gateway_private"),
    );
    for _ in 0..2 {
        let (status, text) = post_notification(&app, &paid).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "success"));
    }
    assert_eq!(order_status(&app, &id).await, 6, "flagged for refund");
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        restocked,
        "stock is not taken again"
    );
    let rows = payments_of(&app, &id).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].2, "refund");
    let (_, list) = app.get("/v1/orders/vera", Some(&token)).await;
    assert_eq!(
        list["data"]["orders_list"][0]["status_name"],
        "已取消，退款中"
    );

    // The operator's list names it; recording the refund moves it on, once.
    let listed = app.cli(&["orders", "refunds"]).await;
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success(), "{listed:?}");
    assert!(
        text.contains(&id) && text.contains("2026113022001400000000088"),
        "{text}"
    );
    assert!(text.contains("TO REFUND"), "{text}");
    let done = app.cli(&["orders", "refunded", &id]).await;
    assert!(done.status.success(), "{done:?}");
    let again = app.cli(&["orders", "refunded", &id]).await;
    assert!(!again.status.success(), "only once");
    assert_eq!(order_status(&app, &id).await, 7);
}

async fn a_notification_racing_the_time_out_has_one_outcome(b: Backend) {
    let app = paying_shop(b, true).await;
    // The gateway cannot be asked, so the time-out really races the notification.
    fake(&app).set(dadashop_fakes::alipay::Switches {
        query_unavailable: true,
        ..Default::default()
    });
    let mut ctx = dadashop_server::jobs::JobContext::new(app.settings(), app.state.db.clone())
        .expect("context");
    ctx.alipay.clone_from(&app.state.alipay);
    let start_stock = stock_and_sales(&app, 3).await.0;
    let mut ids = Vec::new();
    for i in 0..6 {
        let (_, id, _, amount) = unpaid_order(&app, &format!("racer{i}"), 1).await;
        ids.push((id, amount));
    }
    app.exec("UPDATE orders SET pay_deadline = pay_deadline - 1900", &[])
        .await;
    for (n, (id, amount)) in ids.iter().enumerate() {
        let params = notification(
            id,
            &dadashop_types::money::format_fen(*amount),
            &format!("20261130220014000000001{n:02}"),
            Some("gateway_private"),
        );
        let (notified, expired) = tokio::join!(
            post_notification(&app, &params),
            dadashop_server::jobs::orders::expire(&ctx, id)
        );
        assert_eq!(notified, (StatusCode::OK, "success".to_owned()));
        let status = order_status(&app, id).await;
        let cancelled = expired.expect("expire runs");
        // Paid first: the time-out did nothing. Cancelled first: the payment is flagged
        // for refund. Never both paid and cancelled, never neither.
        match status {
            2 => assert!(!cancelled, "{id}: paid and cancelled"),
            6 => assert!(cancelled, "{id}: refund without a cancel"),
            other => panic!("{id}: status {other}"),
        }
        assert_eq!(payments_of(&app, id).await.len(), 1);
    }
    let paid = {
        let mut n = 0;
        for (id, _) in &ids {
            if order_status(&app, id).await == 2 {
                n += 1;
            }
        }
        n
    };
    assert_eq!(
        stock_and_sales(&app, 3).await.0,
        start_stock - paid,
        "stock returned exactly for the cancelled orders"
    );
}
