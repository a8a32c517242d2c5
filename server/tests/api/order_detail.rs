//! The shopper's order detail (issue 27 item 2, the API) on both backends: the timeline of
//! an order from 下单 to 收货 with the payment's trade number and the parcel's tracking number,
//! a cancelled order's reason, 再次购买 capped by the stock, and nobody else's order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::{paid_order, staff, version};
use crate::common::Backend;
use crate::on_both_backends;
use crate::payments::{paying_shop, unpaid_order};

on_both_backends!(the_order_detail_tells_what_happened);

fn steps(body: &Value) -> Vec<String> {
    body["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|s| s["what"].as_str().expect("what").to_owned())
        .collect()
}

async fn the_order_detail_tells_what_happened(b: Backend) {
    let app = paying_shop(b, true).await;
    let (id, shopper) = paid_order(&app, "tracy").await;
    let path = format!("/v1/orders/tracy/{id}");
    let (status, body) = app.get(&path, Some(&shopper)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(steps(&body), ["下单", "付款"]);
    let trade_no = body["payment"]["trade_no"]
        .as_str()
        .expect("trade no")
        .to_owned();
    assert!(!trade_no.is_empty());
    assert!(
        body["timeline"][1]["note"]
            .as_str()
            .expect("note")
            .contains(&trade_no)
    );
    assert_eq!(
        body["payment"]["amount"],
        body["data"]["order_total_amount"]
    );

    let clerk = staff(&app, "clerk", "orders").await;
    let v = version(&app, &clerk, &id).await;
    let (status, shipped) = app
        .post(
            &format!("/v1/admin/orders/{id}/ship"),
            json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "version": v}),
            Some(&clerk),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shipped}");
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/v1/orders/tracy",
            Some(json!({"order_id": id})),
            Some(&shopper),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get(&path, Some(&shopper)).await;
    assert_eq!(steps(&body), ["下单", "付款", "发货", "收货"]);
    let ship = &body["timeline"][2];
    assert_eq!(ship["note"], "顺丰速运 SF1234567890");
    assert!(!ship.to_string().contains("clerk"), "no operator's name");
    assert_eq!(ship["time"].as_str().expect("time").len(), 19);

    // A cancelled order says why; another shopper's order is not theirs to read.
    let (token, unpaid, _, _) = unpaid_order(&app, "canny", 1).await;
    let (status, body) = app
        .post(
            &format!("/v1/orders/canny/{unpaid}/cancel"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(steps(&body), ["下单", "取消"]);
    assert_eq!(body["timeline"][1]["note"], "买家取消");
    assert!(body.get("payment").is_none());
    let (status, _) = app
        .get(&format!("/v1/orders/canny/{id}"), Some(&token))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "tracy's order under canny's name"
    );
    let (status, _) = app.get(&path, Some(&token)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "tracy's path with canny's token"
    );

    // 再次购买: the lines back into the cart, capped by the stock now.
    let (status, body) = app
        .post(&format!("{path}/buy-again"), json!({}), Some(&shopper))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"][0]["id"], 3);
    assert_eq!(body["data"][0]["count"], 1);
    assert_eq!(body["unavailable"], json!([]));
    let (status, _) = app
        .post(
            &format!("/v1/orders/canny/{id}/buy-again"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not canny's order");
    sqlx::query("UPDATE skus SET stock = 0 WHERE id = 3")
        .execute(&app.state.db)
        .await
        .expect("sold out");
    let (status, body) = app
        .post(
            &format!("/v1/orders/canny/{unpaid}/buy-again"),
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!([]));
    assert_eq!(
        body["unavailable"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
}
