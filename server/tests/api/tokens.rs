//! Login, logout, token checks, login throttling.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dadashop_server::auth::jwt::TokenService;
use dadashop_server::db::now_secs;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, Options, PASSWORD, SECRET, TestApp};
use crate::on_both_backends;

on_both_backends!(
    login_answers_the_token_superset,
    a_wrong_password_and_an_unknown_user_get_the_same_10104,
    logout_revokes_the_token_but_not_other_sessions,
    expired_tampered_unsigned_and_foreign_tokens_get_401,
    both_authorization_header_forms_are_accepted,
    five_wrong_passwords_lock_the_account_for_the_window,
    tokens_expire_after_the_configured_lifetime,
);

async fn login_answers_the_token_superset(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    let (status, body) = app.login("tom", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    assert_eq!(body["username"], "tom");
    assert_eq!(body["token"], body["data"]["token"]);
    assert_eq!(body["len"], 0);
    assert_eq!(body["carts_count"], 0);
    let claims = TokenService::new(SECRET.as_bytes(), 60)
        .verify(body["token"].as_str().expect("token"))
        .expect("valid");
    assert_eq!(claims.username, "tom");
    assert_eq!(claims.exp - claims.iat, 86_400, "default lifetime is 24 h");
    assert!(!claims.jti.is_empty());
}

async fn a_wrong_password_and_an_unknown_user_get_the_same_10104(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    let (s1, wrong) = app.login("tom", "not-the-password").await;
    let (s2, unknown) = app.login("nobody", "not-the-password").await;
    assert_eq!((s1, s2), (StatusCode::BAD_REQUEST, StatusCode::BAD_REQUEST));
    assert_eq!(
        wrong, unknown,
        "the answers must not tell which one was wrong"
    );
    assert_eq!(wrong["code"], 10104);
}

async fn logout_revokes_the_token_but_not_other_sessions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let first = app.register("tom").await;
    let (_, other) = app.login("tom", PASSWORD).await;
    let other = other["token"].as_str().expect("token").to_owned();
    let (status, body) = app
        .call(Method::DELETE, "/v1/tokens", None, Some(&first))
        .await;
    assert_eq!(
        (status, body["data"].as_str()),
        (StatusCode::OK, Some("OK"))
    );
    let (status, body) = app.get("/v1/users/tom", Some(&first)).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(10101))
    );
    let (status, _) = app
        .call(Method::DELETE, "/v1/tokens", None, Some(&first))
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token cannot log out twice"
    );
    let (status, _) = app.get("/v1/users/tom", Some(&other)).await;
    assert_eq!(status, StatusCode::OK, "the other session stays logged in");
}

async fn expired_tampered_unsigned_and_foreign_tokens_get_401(b: Backend) {
    let app = TestApp::spawn(b).await;
    let good = app.register("tom").await;
    let now = now_secs();
    let ours = TokenService::new(SECRET.as_bytes(), 3600);
    let expired = ours.issue("tom", 0, now - 7200).expect("issue");
    let foreign = TokenService::new(b"some-other-secret-some-other-secret!", 3600)
        .issue("tom", 0, now)
        .expect("issue");
    let parts: Vec<&str> = good.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"username":"bob","exp":{},"iat":{now},"jti":"x","ver":0}}"#,
        now + 3600
    ));
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let hs512 = {
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
        let claims =
            json!({"username": "tom", "exp": now + 3600, "iat": now, "jti": "y", "ver": 0});
        jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .expect("encode")
    };
    let cases = [
        (expired.as_str(), "expired"),
        (foreign.as_str(), "signed with another secret"),
        (tampered.as_str(), "payload changed after signing"),
        (unsigned.as_str(), "alg none"),
        (hs512.as_str(), "algorithm other than HS256"),
        ("garbage", "not a JWT"),
        ("Basic dG9tOnB3", "another scheme"),
    ];
    for (token, why) in cases {
        let (status, body) = app.get("/v1/users/tom", Some(token)).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::UNAUTHORIZED, Some(10101)),
            "{why}"
        );
    }
}

async fn both_authorization_header_forms_are_accepted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = app.register("tom").await;
    for header in [
        token.clone(),
        format!("Bearer {token}"),
        format!("bearer {token}"),
    ] {
        let (status, _) = app.get("/v1/users/tom", Some(&header)).await;
        assert_eq!(status, StatusCode::OK, "{header}");
    }
}

async fn five_wrong_passwords_lock_the_account_for_the_window(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    app.register("bob").await;
    for attempt in 1..=5 {
        let (status, body) = app.login("tom", "wrong-password").await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(10104)),
            "attempt {attempt}"
        );
    }
    let res = app
        .client
        .post(format!("{}/v1/tokens", app.base))
        .json(&json!({"username": "tom", "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits for the window"
    );
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["code"], 10131);
    let (status, _) = app.login("bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "other accounts are not affected");
}

async fn tokens_expire_after_the_configured_lifetime(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            jwt_ttl_secs: Some(1),
            ..Options::default()
        },
    )
    .await;
    let token = app.register("tom").await;
    let (status, _) = app.get("/v1/users/tom", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    // Wait for the expiry by the clock (no leeway), polling rather than sleeping blindly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (status, body) = app.get("/v1/users/tom", Some(&token)).await;
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(body["code"], 10101);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "token still valid after its lifetime"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
