//! After the sale (issue 27 items 1, 3, 5) on both backends: the 省/市/区 levels and an
//! address with codes; reviews only after receipt, one per line, hidden by an operator, text
//! kept as text; a return from the request to the refund through the fake gateway, the
//! refund made once under a retried request and the stock back once; nobody else's order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::{paid_order, staff, version};
use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;
use crate::payments::{fake, paying_shop};

on_both_backends!(
    regions_come_in_levels_and_addresses_keep_codes_and_names,
    reviews_come_after_receipt_once_per_line_and_operators_hide_them,
    a_return_is_refunded_once_and_restocked_once,
);

fn names(body: &Value) -> Vec<String> {
    body["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect()
}

async fn regions_come_in_levels_and_addresses_keep_codes_and_names(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            regions: true,
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let (status, body) = app.get("/v1/regions", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["regions"].as_array().map(Vec::len), Some(31), "{body}");
    assert!(names(&body).contains(&"广东省".to_owned()));
    let (status, body) = app.get("/v1/regions/440000", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["parent"]["name"], "广东省");
    let cities = body["regions"].as_array().expect("cities");
    let shenzhen = cities
        .iter()
        .find(|c| c["name"] == "深圳市")
        .expect("深圳市");
    assert_eq!(shenzhen["code"], "440300");
    assert_eq!(shenzhen["has_children"], true);
    // 东莞市 has no districts: the picker stops there.
    let dongguan = cities
        .iter()
        .find(|c| c["name"] == "东莞市")
        .expect("东莞市");
    assert_eq!(dongguan["has_children"], false, "{dongguan}");
    let (status, body) = app.get("/v1/regions/440300", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(names(&body).contains(&"南山区".to_owned()), "{body}");
    let (status, body) = app.get("/v1/regions/440305", None).await;
    assert_eq!(
        (status, body["regions"].clone()),
        (StatusCode::OK, json!([]))
    );
    for bad in ["999999", "44", "abcdef"] {
        let (status, _) = app.get(&format!("/v1/regions/{bad}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }

    let token = app.register("ada").await;
    let mut address = json!({"receiver": "张三", "address": "科技园科苑路 1 号",
        "receiver_phone": "13800138000", "postcode": "518057", "tag": "公司",
        "region_code": "440305"});
    // A province, a city that has districts, an unknown code: not a complete choice.
    for bad in ["440000", "440300", "440399", "4403", "x"] {
        address["region_code"] = json!(bad);
        let (status, body) = app
            .post("/v1/users/ada/address", address.clone(), Some(&token))
            .await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(10123)),
            "{bad}"
        );
    }
    let (_, body) = app.get("/v1/users/ada/address", Some(&token)).await;
    assert_eq!(body["addresslist"], json!([]), "nothing saved");
    address["region_code"] = json!("440305");
    let (status, body) = app
        .post("/v1/users/ada/address", address.clone(), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved = &body["addresslist"][0];
    assert_eq!(saved["address"], "科技园科苑路 1 号");
    assert_eq!(
        saved["region"],
        json!({"province_code": "440000", "province": "广东省", "city_code": "440300",
            "city": "深圳市", "district_code": "440305", "district": "南山区"})
    );
    let id = saved["id"].as_i64().expect("id");
    // A city without districts is a complete choice; the legacy edit (no region_code)
    // keeps the region; "" makes the address free text again.
    let edit = |region: Option<&str>| {
        let mut body = json!({"receiver": "张三", "address": "科技园科苑路 1 号",
            "receiver_mobile": "13800138000", "tag": "公司", "id": id});
        if let Some(r) = region {
            body["region_code"] = json!(r);
        }
        body
    };
    let path = format!("/v1/users/ada/address/{id}");
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(edit(Some("441900"))),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["addresslist"][0]["region"]["city"], "东莞市");
    assert!(body["addresslist"][0]["region"].get("district").is_none());
    let (_, body) = app
        .call(reqwest::Method::PUT, &path, Some(edit(None)), Some(&token))
        .await;
    assert_eq!(body["addresslist"][0]["region"]["city"], "东莞市", "kept");
    let (_, body) = app
        .call(
            reqwest::Method::PUT,
            &path,
            Some(edit(Some(""))),
            Some(&token),
        )
        .await;
    assert!(body["addresslist"][0].get("region").is_none(), "{body}");
    // The settlement shows the whole line; so does the order made with it.
    app.call(
        reqwest::Method::PUT,
        &path,
        Some(edit(Some("440305"))),
        Some(&token),
    )
    .await;
    let (status, body) = app
        .get(
            "/v1/orders/ada/advance?settlement_type=1&sku_id=3&buy_num=1",
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["data"]["addresses"][0]["address"], "广东省 深圳市 南山区 科技园科苑路 1 号",
        "{body}"
    );
}

/// A completed order of a new shopper `user`: paid, shipped by a clerk and received.
async fn received_order(app: &TestApp, user: &str, clerk: &str) -> (String, String) {
    let (id, shopper) = paid_order(app, user).await;
    let v = version(app, clerk, &id).await;
    let (status, body) = app
        .post(
            &format!("/v1/admin/orders/{id}/ship"),
            json!({"carrier": "顺丰速运", "tracking_no": "SF1234567890", "version": v}),
            Some(clerk),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("/v1/orders/{user}"),
            Some(json!({"order_id": id})),
            Some(&shopper),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (id, shopper)
}

async fn reviews_come_after_receipt_once_per_line_and_operators_hide_them(b: Backend) {
    let app = paying_shop(b, true).await;
    let clerk = staff(&app, "clerk", "orders").await;
    let (early, early_token) = paid_order(&app, "early").await;
    let review = json!({"sku_id": 3, "score": 5, "content": "很好"});
    let (status, body) = app
        .post(
            &format!("/v1/orders/early/{early}/reviews"),
            review.clone(),
            Some(&early_token),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107)),
        "before receipt: {body}"
    );

    let (id, token) = received_order(&app, "rita", &clerk).await;
    let path = format!("/v1/orders/rita/{id}/reviews");
    for bad in [
        json!({"sku_id": 3, "score": 0, "content": "x"}),
        json!({"sku_id": 3, "score": 6, "content": "x"}),
        json!({"sku_id": 3, "score": 5, "content": "   "}),
        json!({"sku_id": 3, "score": 5, "content": "长".repeat(501)}),
        json!({"score": 5, "content": "x"}),
    ] {
        let (status, body) = app.post(&path, bad.clone(), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, _) = app
        .post(
            &path,
            json!({"sku_id": 4, "score": 5, "content": "x"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a line of the order");
    // Another shopper's order is unknown to them.
    let (status, _) = app
        .post(
            &format!("/v1/orders/early/{id}/reviews"),
            review.clone(),
            Some(&early_token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let text = "<script>alert(1)</script> 质量不错 & 物流快";
    let (status, body) = app
        .post(
            &path,
            json!({"sku_id": "3", "score": "4", "content": text, "anonymous": false}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["content"], text, "kept as text, not changed");
    let (status, body) = app.post(&path, review.clone(), Some(&token)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107)),
        "one review per line: {body}"
    );
    // Edited within the window.
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            &format!("{path}/3"),
            Some(json!({"score": 5, "content": text, "anonymous": true})),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["score"], 5);

    // A second shopper's review of the same product, seen from another SKU of its SPU.
    let (other, other_token) = received_order(&app, "tony", &clerk).await;
    let (status, body) = app
        .post(
            &format!("/v1/orders/tony/{other}/reviews"),
            json!({"sku_id": 3, "score": 2, "content": "一般"}),
            Some(&other_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sibling: i64 = sqlx::query_scalar(
        "SELECT id FROM skus WHERE spu_id = (SELECT spu_id FROM skus WHERE id = 3) AND id <> 3 \
         AND is_launched = 1 ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("a sibling SKU");
    let (status, body) = app.get(&format!("/v1/goods/{sibling}/reviews"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["average"], "3.5");
    assert_eq!(
        body["reviews"][0]["author"], "t***y",
        "newest first, masked"
    );
    assert_eq!(body["reviews"][1]["author"], "匿名用户");
    assert_eq!(body["reviews"][1]["content"], text);
    assert!(
        !body.to_string().contains("rita"),
        "an anonymous name never shows"
    );

    // The order detail lists the shopper's reviews.
    let (_, detail) = app
        .get(&format!("/v1/orders/rita/{id}"), Some(&token))
        .await;
    assert_eq!(detail["after_sale"]["can_review"], true);
    assert_eq!(detail["after_sale"]["reviews"][0]["sku_id"], 3);

    // A clerk may not hide; 商品运营 may, with the audit log; hidden reviews are not counted.
    let review_id = body["reviews"][0]["id"].as_i64().expect("id");
    let hide = json!({"hidden": true, "reason": "广告"});
    let visibility = format!("/v1/admin/reviews/{review_id}/visibility");
    let (status, _) = app.post(&visibility, hide.clone(), Some(&clerk)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let editor = staff(&app, "editor", "catalog").await;
    let (status, body) = app.post(&visibility, hide, Some(&editor)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = app.get("/v1/goods/3/reviews", None).await;
    assert_eq!(
        (body["count"].clone(), body["average"].clone()),
        (json!(1), json!("5.0"))
    );
    let (status, body) = app.get("/v1/admin/reviews?hidden=1", Some(&editor)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["items"][0]["username"], "tony");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE resource = 'reviews' AND action = 'hide'",
    )
    .fetch_one(&app.state.db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    let (status, _) = app
        .post(
            "/v1/admin/reviews/999999/visibility",
            json!({"hidden": true}),
            Some(&editor),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn stock_of(app: &TestApp, sku: i64) -> i64 {
    sqlx::query_scalar("SELECT stock FROM skus WHERE id = ?")
        .bind(sku)
        .fetch_one(&app.state.db)
        .await
        .expect("stock")
}

async fn a_return_is_refunded_once_and_restocked_once(b: Backend) {
    let app = paying_shop(b, true).await;
    let clerk = staff(&app, "clerk", "orders").await;
    let finance = staff(&app, "money", "finance").await;
    let (id, token) = received_order(&app, "rosa", &clerk).await;
    let (_, intruder) = paid_order(&app, "ivan").await;
    let path = format!("/v1/orders/rosa/{id}/returns");
    let (status, _) = app
        .post(
            &format!("/v1/orders/ivan/{id}/returns"),
            json!({"lines": [{"sku_id": 3, "count": 1}], "reason": "不想要了"}),
            Some(&intruder),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not ivan's order");
    for bad in [
        json!({"lines": [], "reason": "不想要了"}),
        json!({"lines": [{"sku_id": 3, "count": 2}], "reason": "不想要了"}),
        json!({"lines": [{"sku_id": 3, "count": 0}], "reason": "不想要了"}),
        json!({"lines": [{"sku_id": 4, "count": 1}], "reason": "不想要了"}),
        json!({"lines": [{"sku_id": 3, "count": 1}, {"sku_id": 3, "count": 1}], "reason": "x"}),
        json!({"lines": [{"sku_id": 3, "count": 1}], "reason": ""}),
    ] {
        let (status, body) = app.post(&path, bad.clone(), Some(&token)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (_, detail) = app
        .get(&format!("/v1/orders/rosa/{id}"), Some(&token))
        .await;
    assert!(
        detail["after_sale"]["return_until"].as_i64().is_some(),
        "{detail}"
    );

    // A picture of what is sent back: the console's picture rules; only the shopper's own
    // returnable order takes one.
    let upload = |user: &'static str, token: String, bytes: Vec<u8>| {
        let url = format!("{}/v1/orders/{user}/{id}/return-pictures", app.base);
        let client = app.client.clone();
        async move {
            let res = client
                .post(url)
                .header("Authorization", token)
                .body(bytes)
                .send()
                .await
                .expect("sent");
            let status = res.status();
            (status, res.json::<Value>().await.expect("json"))
        }
    };
    let red = || crate::pictures::jpeg(64, 48, [200, 0, 0]);
    let (status, _) = upload("ivan", intruder.clone(), red()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not ivan's order");
    let (status, body) = upload("rosa", token.clone(), b"<svg></svg>".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = upload("rosa", token.clone(), red()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let picture = body["id"].as_i64().expect("picture id");
    let (status, _) = app
        .post(
            &path,
            json!({"lines": [{"sku_id": 3, "count": 1}], "reason": "破损", "pictures": [999999]}),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an unknown picture");

    // Asked, refused with a message, asked again, approved.
    let ask = json!({"lines": [{"sku_id": 3, "count": 1}], "reason": "尺码不合适",
        "pictures": [picture]});
    let (status, body) = app.post(&path, ask.clone(), Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status_name"], "待审核");
    assert_eq!(
        body["data"]["pictures"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    let first = body["data"]["id"].as_i64().expect("id");
    let (status, body) = app.post(&path, ask.clone(), Some(&token)).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(50107)),
        "open already"
    );
    let (status, _) = app
        .post(
            &format!("/v1/admin/returns/{first}/refuse"),
            json!({"version": 0}),
            Some(&clerk),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a refusal says why");
    let (status, body) = app
        .post(
            &format!("/v1/admin/returns/{first}/refuse"),
            json!({"version": 0, "message": "商品已拆封"}),
            Some(&clerk),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["reply"], "商品已拆封");
    let (status, body) = app.post(&path, ask, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["data"]["id"].as_i64().expect("id");
    let (status, body) = app
        .post(
            &format!("/v1/admin/returns/{second}/approve"),
            json!({"version": 1}),
            Some(&clerk),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(60102)),
        "stale"
    );
    let (status, body) = app
        .post(
            &format!("/v1/admin/returns/{second}/approve"),
            json!({"version": 0, "message": "请寄回：深圳市南山区仓库"}),
            Some(&clerk),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status_name"], "待寄回");

    // Received back: a clerk may not refund; finance may. The gateway fails the first time
    // (the stock is back already); the retry names the same request: one refund, one
    // restock.
    let receive = format!("/v1/admin/returns/{second}/receive");
    let (status, _) = app
        .post(&receive, json!({"version": 1}), Some(&clerk))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let before = stock_of(&app, 3).await;
    fake(&app).set(dadashop_fakes::alipay::Switches {
        refund_error_next: 1,
        ..Default::default()
    });
    let (status, body) = app
        .post(&receive, json!({"version": 1}), Some(&finance))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let (_, now) = app
        .get(&format!("/v1/admin/returns/{second}"), Some(&finance))
        .await;
    assert_eq!(now["data"]["status_name"], "退款中", "the goods are back");
    assert_eq!(stock_of(&app, 3).await, before + 1);
    let v = now["data"]["version"].clone();
    let (status, body) = app
        .post(&receive, json!({"version": v}), Some(&finance))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["status_name"], "已退款");
    assert_eq!(body["data"]["refunded_amount"], body["data"]["amount"]);
    let v = body["data"]["version"].clone();
    let (status, _) = app
        .post(&receive, json!({"version": v}), Some(&finance))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "refunded already");
    assert_eq!(stock_of(&app, 3).await, before + 1, "the stock back once");
    let refunds = fake(&app).refunds(&id);
    assert_eq!(refunds.len(), 1, "{refunds:?}");

    // The shopper follows it on the order page; nothing more may be returned.
    let (_, detail) = app
        .get(&format!("/v1/orders/rosa/{id}"), Some(&token))
        .await;
    let returns = detail["after_sale"]["returns"].as_array().expect("returns");
    assert_eq!(returns.len(), 2);
    assert_eq!(returns[0]["status_name"], "已退款");
    assert_eq!(returns[1]["status_name"], "已拒绝");
    let steps: Vec<&str> = detail["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|s| s["what"].as_str().expect("what"))
        .collect();
    assert!(steps.contains(&"退货退款"), "{steps:?}");
    assert!(detail["after_sale"].get("return_until").is_none());
}
