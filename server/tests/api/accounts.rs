//! Register, profile, change password, ownership of profiles.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, PASSWORD, TestApp, register_body};
use crate::on_both_backends;

on_both_backends!(
    register_answers_the_token_superset_and_stores_an_argon2id_hash,
    register_accepts_json_sent_as_a_form,
    a_taken_username_gets_206_and_writes_nothing,
    two_registrations_of_one_name_at_once_create_one_user,
    the_profile_is_readable_by_its_owner_only,
    changing_the_password_revokes_every_earlier_token,
    changing_the_password_checks_old_and_new,
    passwords_are_kept_exactly_as_sent,
    usernames_that_differ_only_in_case_are_one_account,
    registrations_are_limited_per_address,
);

async fn passwords_are_kept_exactly_as_sent(b: Backend) {
    let app = TestApp::spawn(b).await;
    let spaced = "  SpacePass99  ";
    let body = json!({"uname": "tom", "password": spaced, "password2": spaced, "phone": "13812345678", "email": "tom@example.com"});
    let (status, answer) = app.post("/v1/users", body, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = app.login("tom", spaced).await;
    assert_eq!(status, StatusCode::OK, "the same string logs in: {answer}");
    let token = answer["token"].as_str().expect("token").to_owned();
    let (status, _) = app.login("tom", "SpacePass99").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the trimmed string is another password"
    );
    let renewed = " New Pass 42 ";
    let change = json!({"oldpassword": spaced, "password1": renewed, "password2": renewed});
    let (status, answer) = app
        .post("/v1/users/tom/password", change, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, _) = app.login("tom", renewed).await;
    assert_eq!(status, StatusCode::OK);
}

async fn usernames_that_differ_only_in_case_are_one_account(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("Tom").await;
    let (status, answer) = app.post("/v1/users", register_body("tom"), None).await;
    assert_eq!(
        (status, answer["code"].as_u64()),
        (StatusCode::CONFLICT, Some(206)),
        "{answer}"
    );
    assert_eq!(app.count("users").await, 1);
    let (status, answer) = app.login("TOM", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "login ignores letter case: {answer}"
    );
    assert_eq!(answer["username"], "Tom", "the stored spelling is answered");

    // An account from before case folding that differs only in case (the migration gave it
    // the key "tom#<id>") still logs in by its exact name.
    sqlx::query(
        "INSERT INTO users (username, username_key, password_hash, email, phone, is_active, token_version, created_at, updated_at) \
         SELECT 'tom', 'tom#legacy', password_hash, email, phone, 0, 0, 0, 0 FROM users WHERE username = 'Tom'",
    )
    .execute(&app.state.db)
    .await
    .expect("a legacy case twin");
    let (status, answer) = app.login("tom", PASSWORD).await;
    assert_eq!(
        (status, answer["username"].as_str()),
        (StatusCode::OK, Some("tom"))
    );
    let (status, answer) = app.login("Tom", PASSWORD).await;
    assert_eq!(
        (status, answer["username"].as_str()),
        (StatusCode::OK, Some("Tom"))
    );
}

fn three_registrations(s: &mut dadashop_server::config::Settings) {
    crate::common::trust_loopback(s);
    s.register_max_per_ip = 3;
}

async fn registrations_are_limited_per_address(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        crate::common::Options {
            tweak: Some(three_registrations),
            ..Default::default()
        },
    )
    .await;
    let register = |name: &'static str, ip: &'static str| {
        let app = &app;
        async move {
            let res = app
                .send_from(
                    ip,
                    reqwest::Method::POST,
                    "/v1/users",
                    Some(register_body(name)),
                )
                .await;
            let status = res.status();
            let retry = res.headers().get("retry-after").is_some();
            let body: serde_json::Value = res.json().await.expect("json");
            (status, body["code"].as_u64(), retry)
        }
    };
    let bad = json!({"uname": "x y", "password": PASSWORD, "phone": "13812345678", "email": "a@example.com"});
    let res = app
        .send_from(
            "198.51.100.1",
            reqwest::Method::POST,
            "/v1/users",
            Some(bad),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "bad input is refused and not counted"
    );
    for name in ["u1", "u2", "u3"] {
        let (status, _, _) = register(name, "198.51.100.1").await;
        assert_eq!(status, StatusCode::OK, "{name}");
    }
    let (status, code, retry) = register("u4", "198.51.100.1").await;
    assert_eq!(
        (status, code, retry),
        (StatusCode::TOO_MANY_REQUESTS, Some(10131), true)
    );
    assert_eq!(
        app.count("users").await,
        3,
        "the refused registration wrote nothing"
    );
    let (status, _, _) = register("u5", "198.51.100.2").await;
    assert_eq!(status, StatusCode::OK, "another address registers");
}

async fn register_answers_the_token_superset_and_stores_an_argon2id_hash(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (status, body) = app.post("/v1/users", register_body("tom"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    assert_eq!(body["username"], "tom");
    assert_eq!(body["carts_count"], 0);
    let token = body["token"].as_str().expect("token");
    assert_eq!(body["data"]["token"], token);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'tom'")
        .fetch_one(&app.state.db)
        .await
        .expect("user row");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
    // The new token works at once.
    let (status, me) = app.get("/v1/users/tom", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
}

async fn register_accepts_json_sent_as_a_form(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .client
        .post(format!("{}/v1/users", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(register_body("formuser").to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["username"], "formuser");
    assert!(body["data"]["token"].is_string());

    let res = app
        .client
        .post(format!("{}/v1/tokens", app.base))
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=UTF-8",
        )
        .body(json!({"username": "formuser", "password": PASSWORD}).to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["username"], "formuser");
    assert_eq!(body["len"], 0);
    assert_eq!(body["data"]["len"], 0);
    assert_eq!(body["token"], body["data"]["token"]);
}

async fn a_taken_username_gets_206_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    let (status, body) = app.post("/v1/users", register_body("tom"), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], 206);
    assert_eq!(app.count("users").await, 1);
}

async fn two_registrations_of_one_name_at_once_create_one_user(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (a, b2) = tokio::join!(
        app.post("/v1/users", register_body("twin"), None),
        app.post("/v1/users", register_body("twin"), None)
    );
    let mut codes = [a.1["code"].as_u64(), b2.1["code"].as_u64()];
    codes.sort();
    assert_eq!(codes, [Some(200), Some(206)], "{} / {}", a.1, b2.1);
    assert_eq!(app.count("users").await, 1);
}

async fn the_profile_is_readable_by_its_owner_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let alice = app.register("alice").await;
    app.register("bob").await;
    let (status, body) = app
        .get("/v1/users/alice", Some(&format!("Bearer {alice}")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["username"], "alice");
    assert_eq!(body["data"]["email"], "alice@example.com");
    assert_eq!(body["data"]["phone"], "13812345678");
    assert_eq!(body["data"]["is_active"], false);
    assert!(body["data"].get("password_hash").is_none());

    let (status, body) = app.get("/v1/users/bob", Some(&alice)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], 10101);
    let (status, _) = app.get("/v1/users/alice", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn changing_the_password_revokes_every_earlier_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let first = app.register("tom").await;
    let (_, second) = app.login("tom", PASSWORD).await;
    let second = second["token"].as_str().expect("token").to_owned();
    let body =
        json!({"oldpassword": PASSWORD, "password1": "n3w-password", "password2": "n3w-password"});
    let (status, answer) = app
        .post("/v1/users/tom/password", body, Some(&second))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"], "OK");
    for old in [&first, &second] {
        let (status, body) = app.get("/v1/users/tom", Some(old)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], 10101);
    }
    let (status, _) = app.login("tom", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the old password no longer works"
    );
    let (status, body) = app.login("tom", "n3w-password").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/v1/users/tom", body["token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);
}

async fn changing_the_password_checks_old_and_new(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    let bob = app.register("bob").await;
    let cases = [
        (
            json!({"oldpassword": "wrong-password", "password1": "n3w-password", "password2": "n3w-password"}),
            400,
            10103,
            "old password wrong",
        ),
        (
            json!({"oldpassword": PASSWORD, "password1": "n3w-password", "password2": "other-password"}),
            400,
            10102,
            "new passwords differ",
        ),
        (
            json!({"oldpassword": PASSWORD, "password1": PASSWORD, "password2": PASSWORD}),
            400,
            10109,
            "new equals old",
        ),
        (
            json!({"oldpassword": PASSWORD, "password1": "short", "password2": "short"}),
            400,
            10123,
            "too short",
        ),
        (
            json!({"password1": "n3w-password", "password2": "n3w-password"}),
            400,
            10123,
            "old missing",
        ),
    ];
    for (body, status, code, why) in cases {
        let (s, answer) = app.post("/v1/users/tom/password", body, Some(&token)).await;
        assert_eq!(
            (s.as_u16(), answer["code"].as_u64()),
            (status, Some(code)),
            "{why}: {answer}"
        );
    }
    let body =
        json!({"oldpassword": PASSWORD, "password1": "n3w-password", "password2": "n3w-password"});
    let (s, _) = app.post("/v1/users/tom/password", body, Some(&bob)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "bob cannot change tom's password");
    let (s, _) = app.get("/v1/users/tom", Some(&token)).await;
    assert_eq!(s, StatusCode::OK, "nothing changed: the token still works");
    let (s, _) = app.login("tom", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "nothing changed: the password still works"
    );
}
