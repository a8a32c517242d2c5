//! Table-driven bad input: each row gets its documented code and writes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, PASSWORD, TestApp, address_body, register_body};
use crate::on_both_backends;

on_both_backends!(
    register_refuses_bad_input_and_writes_nothing,
    login_refuses_bad_input,
    addresses_refuse_bad_input_and_write_nothing,
    bodies_must_be_json_objects,
    invisible_formatting_characters_never_reach_an_address,
);

async fn bodies_must_be_json_objects(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cases = [
        (
            r#"["u",null,"Passw0rd!x",null,"13800138000","a@ex.com"]"#,
            "an array matched by position",
        ),
        ("\"text\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("  [ ]", "an array after spaces"),
    ];
    for (body, why) in cases {
        let res = app
            .client
            .post(format!("{}/v1/users", app.base))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
        let answer: Value = res.json().await.expect("json");
        assert_eq!(answer["code"], 10123, "{why}: {answer}");
    }
    assert_eq!(app.count("users").await, 0, "no user was created");
}

async fn invisible_formatting_characters_never_reach_an_address(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    let body = json!({"receiver": "张\u{202E}三\u{200B}", "address": "\u{FEFF}北京市海淀区\u{2066}中关村", "receiver_phone": "13912345678", "postcode": "100080", "tag": "家\u{200D}"});
    let (status, answer) = app.post("/v1/users/tom/address", body, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let stored = &answer["addresslist"][0];
    assert_eq!(stored["receiver"], "张三");
    assert_eq!(stored["address"], "北京市海淀区中关村");
    assert_eq!(stored["tag"], "家");
    let only_invisible = json!({"receiver": "\u{200B}\u{202E}", "address": "北京市", "receiver_phone": "13912345678", "postcode": "100080", "tag": "家"});
    let (status, answer) = app
        .post("/v1/users/tom/address", only_invisible, Some(&token))
        .await;
    assert_eq!(
        (status, answer["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(10123))
    );
}

/// `body` with `key` set to `value` (`Value::Null` removes the key).
fn with(mut body: Value, key: &str, value: Value) -> Value {
    let map = body.as_object_mut().expect("object");
    if value.is_null() {
        map.remove(key);
    } else {
        map.insert(key.to_owned(), value);
    }
    body
}

fn register_with(key: &str, value: Value) -> Value {
    with(register_body("newbie"), key, value)
}

async fn register_refuses_bad_input_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("taken").await;
    let long = "x".repeat(5000);
    let cases: Vec<(Value, u16, u64, &str)> = vec![
        (
            register_with("uname", Value::Null),
            400,
            10123,
            "username missing",
        ),
        (
            register_with("uname", json!("")),
            400,
            10123,
            "username empty",
        ),
        (
            register_with("uname", json!(12345)),
            400,
            10123,
            "username not a string",
        ),
        (
            register_with("uname", json!("abcdefghijkl")),
            400,
            10127,
            "username of 12 characters",
        ),
        (
            register_with("uname", json!("tom smith")),
            400,
            10127,
            "username with a space",
        ),
        (
            register_with("uname", json!("<script>")),
            400,
            10127,
            "username with markup",
        ),
        (
            register_with("uname", json!(long)),
            400,
            10127,
            "username far too long",
        ),
        (
            register_with("uname", json!("taken")),
            409,
            206,
            "username taken",
        ),
        (
            register_with("password", Value::Null),
            400,
            10123,
            "password missing",
        ),
        (
            register_with("password", json!("short")),
            400,
            10123,
            "password too short",
        ),
        (
            register_with("password", json!("x".repeat(129))),
            400,
            10123,
            "password too long",
        ),
        (
            register_with("password", json!(["a"])),
            400,
            10123,
            "password not a string",
        ),
        (
            register_with("password2", json!("different-pass")),
            400,
            10102,
            "passwords differ",
        ),
        (
            register_with("phone", Value::Null),
            400,
            10123,
            "phone missing",
        ),
        (
            register_with("phone", json!("12812345678")),
            400,
            10117,
            "phone not a mobile prefix",
        ),
        (
            register_with("phone", json!("1381234567")),
            400,
            10117,
            "phone of 10 digits",
        ),
        (
            register_with("phone", json!("138123456789")),
            400,
            10117,
            "phone of 12 digits",
        ),
        (
            register_with("phone", json!(13812345678_u64)),
            400,
            10123,
            "phone as a number",
        ),
        (
            register_with("email", Value::Null),
            400,
            10123,
            "email missing",
        ),
        (
            register_with("email", json!("not-an-email")),
            400,
            10126,
            "email without @",
        ),
        (
            register_with("email", json!("a@b")),
            400,
            10126,
            "email without a dotted domain",
        ),
        (
            register_with("email", json!(format!("{}@example.com", "a".repeat(300)))),
            400,
            10126,
            "email too long",
        ),
        (json!([1, 2, 3]), 400, 10123, "body an array"),
        (json!("text"), 400, 10123, "body a string"),
    ];
    for (body, status, code, why) in cases {
        let (s, answer) = app.post("/v1/users", body, None).await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (status, Some(code)),
            "{why}: {answer}"
        );
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{why}: a message"
        );
    }
    for (raw, why) in [
        ("{not json", "malformed JSON"),
        ("uname=a&password=b", "a real form"),
    ] {
        let res = app
            .client
            .post(format!("{}/v1/users", app.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(raw)
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{why}");
        let answer: Value = res.json().await.expect("json");
        assert_eq!(answer["code"], 10123, "{why}");
    }
    let huge = json!({"uname": "big", "password": "y".repeat(100_000)});
    let (s, answer) = app.post("/v1/users", huge, None).await;
    assert_eq!(
        (s, answer["code"].as_u64()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some(10123))
    );
    assert_eq!(app.count("users").await, 1, "only the first user exists");
}

async fn login_refuses_bad_input(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    let cases: Vec<(Value, u16, u64, &str)> = vec![
        (
            json!({"password": PASSWORD}),
            400,
            10123,
            "username missing",
        ),
        (json!({"username": "tom"}), 400, 10123, "password missing"),
        (
            json!({"username": "tom", "password": ""}),
            400,
            10123,
            "password empty",
        ),
        (
            json!({"username": 1, "password": PASSWORD}),
            400,
            10123,
            "username a number",
        ),
        (
            json!({"username": "tom", "password": {"$ne": 1}}),
            400,
            10123,
            "password an object",
        ),
        (
            json!({"username": "x".repeat(500), "password": PASSWORD}),
            400,
            10104,
            "username far too long",
        ),
        (json!({}), 400, 10123, "empty object"),
    ];
    for (body, status, code, why) in cases {
        let (s, answer) = app.post("/v1/tokens", body, None).await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (status, Some(code)),
            "{why}: {answer}"
        );
    }
    let (s, _) = app.login("tom", PASSWORD).await;
    assert_eq!(s, StatusCode::OK, "malformed tries do not lock the account");
}

fn address_with(key: &str, value: Value) -> Value {
    with(address_body("张三"), key, value)
}

async fn addresses_refuse_bad_input_and_write_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    let path = "/v1/users/tom/address";
    let cases: Vec<(Value, u16, u64, &str)> = vec![
        (
            address_with("receiver", Value::Null),
            400,
            10123,
            "receiver missing",
        ),
        (
            address_with("receiver", json!("   ")),
            400,
            10123,
            "receiver blank",
        ),
        (
            address_with("receiver", json!("长".repeat(21))),
            400,
            10123,
            "receiver too long",
        ),
        (
            address_with("address", Value::Null),
            400,
            10123,
            "address missing",
        ),
        (
            address_with("address", json!("路".repeat(101))),
            400,
            10123,
            "address too long",
        ),
        (
            address_with("address", json!(42)),
            400,
            10123,
            "address a number",
        ),
        (
            address_with("receiver_phone", Value::Null),
            400,
            10123,
            "phone missing",
        ),
        (
            address_with("receiver_phone", json!("02012345678")),
            400,
            10117,
            "phone a landline",
        ),
        (
            address_with("postcode", json!("10008")),
            400,
            10123,
            "postcode of 5 digits",
        ),
        (
            address_with("postcode", json!("abcdef")),
            400,
            10123,
            "postcode not digits",
        ),
        (
            address_with("tag", json!("标".repeat(11))),
            400,
            10123,
            "tag too long",
        ),
        (address_with("tag", Value::Null), 400, 10123, "tag missing"),
    ];
    for (body, status, code, why) in cases {
        let (s, answer) = app.post(path, body, Some(&token)).await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (status, Some(code)),
            "{why}: {answer}"
        );
    }
    assert_eq!(app.count("addresses").await, 0);

    let id = app.add_address("tom", &token, "张三").await[0]["id"]
        .as_i64()
        .expect("id");
    let good_edit = json!({"receiver": "李四", "address": "上海", "receiver_mobile": "13712345678", "tag": "公司"});
    let edits: Vec<(String, Value, u16, u64, &str)> = vec![
        (
            format!("{path}/abc"),
            good_edit.clone(),
            400,
            10122,
            "id not a number",
        ),
        (
            format!("{path}/-1"),
            good_edit.clone(),
            400,
            10122,
            "id negative",
        ),
        (
            format!("{path}/999999"),
            good_edit.clone(),
            404,
            10122,
            "id unknown",
        ),
        (
            format!("{path}/{id}"),
            json!({"receiver": "李四", "address": "上海", "receiver_mobile": "13712345678", "tag": "公司", "id": id + 1}),
            400,
            10122,
            "body id differs",
        ),
        (
            format!("{path}/{id}"),
            json!({"receiver": "李四", "address": "上海", "receiver_mobile": "123", "tag": "公司"}),
            400,
            10117,
            "bad mobile",
        ),
        (
            format!("{path}/{id}"),
            json!({"address": "上海", "receiver_mobile": "13712345678", "tag": "公司"}),
            400,
            10123,
            "receiver missing",
        ),
    ];
    for (url, body, status, code, why) in edits {
        let (s, answer) = app.call(Method::PUT, &url, Some(body), Some(&token)).await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (status, Some(code)),
            "{why}: {answer}"
        );
    }
    for (body, why) in [
        (json!({}), "id missing"),
        (json!({"id": "x"}), "id not numeric"),
        (json!({"id": 0}), "id zero"),
        (json!({"id": [1]}), "id a list"),
    ] {
        let (s, answer) = app
            .post(&format!("{path}/default"), body, Some(&token))
            .await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (400, Some(10122)),
            "{why}: {answer}"
        );
    }
    let (_, body) = app.get(path, Some(&token)).await;
    let list = body["addresslist"].as_array().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["receiver"], "张三", "nothing was changed");
}
