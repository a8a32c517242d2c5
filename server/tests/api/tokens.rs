//! Login, logout, token checks, login throttling.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dadashop_server::auth::jwt::TokenService;
use dadashop_server::db::now_secs;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, Options, PASSWORD, SECRET, TestApp, trust_loopback};
use crate::on_both_backends;

on_both_backends!(
    login_answers_the_token_superset,
    a_wrong_password_and_an_unknown_user_get_the_same_10104,
    logout_revokes_the_token_but_not_other_sessions,
    expired_tampered_unsigned_and_foreign_tokens_get_401,
    both_authorization_header_forms_are_accepted,
    wrong_passwords_lock_out_the_guessing_address_but_not_the_owner,
    one_address_is_limited_across_accounts,
    the_account_limit_slows_strangers_down_but_not_known_addresses,
    forwarded_addresses_are_ignored_without_trusted_proxies,
    only_a_verified_wrong_password_counts,
    a_crowd_behind_one_address_logs_in_at_once,
    logins_dropped_before_their_answer_count_nothing,
    the_address_an_account_registered_from_is_known,
    a_solved_captcha_lets_the_owner_in_during_an_attack,
    a_known_address_at_its_limit_asks_for_a_captcha,
    tokens_expire_after_the_configured_lifetime,
    a_token_names_its_user_by_id,
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
    let mut app = TestApp::spawn(b).await;
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

    // The logout is durable: it survives a restart of the server, and of a Redis that
    // keeps nothing on disk.
    app.restart().await;
    let (status, _) = app.get("/v1/users/tom", Some(&first)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revoked after a server restart"
    );
    if app.uses_redis() {
        app.flush_redis().await;
        let (status, _) = app.get("/v1/users/tom", Some(&first)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "revoked after Redis lost its data"
        );
    }
    let (status, _) = app.get("/v1/users/tom", Some(&other)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the other session survives restarts"
    );
}

async fn expired_tampered_unsigned_and_foreign_tokens_get_401(b: Backend) {
    let app = TestApp::spawn(b).await;
    let good = app.register("tom").await;
    let now = now_secs();
    let ours = TokenService::new(SECRET.as_bytes(), 3600);
    let expired = ours.issue(1, "tom", 0, now - 7200).expect("issue");
    let foreign = TokenService::new(b"some-other-secret-some-other-secret!", 3600)
        .issue(1, "tom", 0, now)
        .expect("issue");
    let parts: Vec<&str> = good.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"sub":"1","username":"bob","exp":{},"iat":{now},"jti":"x","ver":0}}"#,
        now + 3600
    ));
    let tampered = format!("{}.{payload}.{}", parts[0], parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let hs512 = {
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
        let claims = json!({"sub": "1", "username": "tom", "exp": now + 3600, "iat": now, "jti": "y", "ver": 0});
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

/// Status, business code and `Retry-After` of a login from `ip`.
async fn try_login(
    app: &TestApp,
    ip: &str,
    name: &str,
    password: &str,
) -> (StatusCode, u64, Option<u64>) {
    let res = app
        .send_from(
            ip,
            Method::POST,
            "/v1/tokens",
            Some(json!({"username": name, "password": password})),
        )
        .await;
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body: serde_json::Value = res.json().await.expect("json");
    (status, body["code"].as_u64().unwrap_or(0), retry)
}

const ATTACKER: &str = "198.51.100.66";
const OWNER: &str = "203.0.113.7";

async fn wrong_passwords_lock_out_the_guessing_address_but_not_the_owner(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(trust_loopback),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    for attempt in 1..=5 {
        let (status, code, _) = try_login(&app, ATTACKER, "tom", "wrong-password").await;
        assert_eq!(
            (status, code),
            (StatusCode::BAD_REQUEST, 10104),
            "attempt {attempt}"
        );
    }
    let (status, code, retry) = try_login(&app, ATTACKER, "tom", PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, 10131),
        "the guessing address waits, even with the right password"
    );
    assert!(retry.is_some_and(|r| (1..=900).contains(&r)), "{retry:?}");
    let (status, code, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::OK, 200),
        "the owner is not locked out"
    );
    let (status, _, _) = try_login(&app, ATTACKER, "TOM", "wrong-password").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "letter case is no way around the limit"
    );
}

async fn one_address_is_limited_across_accounts(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(trust_loopback),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    for i in 0..20 {
        let (status, code, _) =
            try_login(&app, ATTACKER, &format!("user{i}"), "wrong-password").await;
        assert_eq!(
            (status, code),
            (StatusCode::BAD_REQUEST, 10104),
            "guess {i}"
        );
    }
    let (status, code, retry) = try_login(&app, ATTACKER, "tom", PASSWORD).await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, 10131));
    assert!(retry.is_some());
    let (status, _, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "other addresses are not affected");
}

fn slow_after_three(s: &mut dadashop_server::config::Settings) {
    trust_loopback(s);
    s.login_slowdown_after = 3;
    s.login_slowdown_secs = 60;
}

async fn the_account_limit_slows_strangers_down_but_not_known_addresses(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(slow_after_three),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    let (status, _, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the owner's address becomes known");
    // A spread-out attack: one guess from each of many addresses.
    for i in 1..=4 {
        let (status, code, _) =
            try_login(&app, &format!("192.0.2.{i}"), "tom", "wrong-password").await;
        assert_eq!(
            (status, code),
            (StatusCode::BAD_REQUEST, 10104),
            "guess {i}"
        );
    }
    let (status, code, retry) = try_login(&app, "192.0.2.50", "tom", "wrong-password").await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, 10133),
        "past the soft limit a stranger gets one try per slowdown period, or a captcha"
    );
    assert!(retry.is_some_and(|r| (1..=60).contains(&r)), "{retry:?}");
    let (status, _, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the owner's known address is never slowed down"
    );
}

/// An owner who registered and never logged in yet is not slowed down by a spread-out
/// attack when logging in from the address they registered from.
async fn the_address_an_account_registered_from_is_known(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(slow_after_three),
            ..Options::default()
        },
    )
    .await;
    let res = app
        .send_from(
            OWNER,
            Method::POST,
            "/v1/users",
            Some(crate::common::register_body("tom")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    for i in 1..=6 {
        try_login(&app, &format!("192.0.2.{i}"), "tom", "wrong-password").await;
    }
    let (status, _, _) = try_login(&app, "192.0.2.99", "tom", PASSWORD).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the account is under attack"
    );
    let (status, code, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::OK, 200),
        "the registration address is known"
    );
}

/// A captcha asked from `ip`: its id and its text (the development header).
async fn captcha(app: &TestApp, ip: &str) -> (String, String) {
    let res = app
        .send_from(ip, Method::POST, "/v1/users/captcha", None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.headers()["x-dev-captcha-text"]
        .to_str()
        .expect("text")
        .to_owned();
    let body: serde_json::Value = res.json().await.expect("json");
    let image = body["data"]["image"].as_str().expect("image");
    let png = URL_SAFE_NO_PAD
        .decode(
            image
                .strip_prefix("data:image/png;base64,")
                .expect("a PNG data URL")
                .trim_end_matches('=')
                .replace('+', "-")
                .replace('/', "_"),
        )
        .expect("base64");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(text.chars().count(), 5);
    (
        body["data"]["captcha_id"].as_str().expect("id").to_owned(),
        text,
    )
}

async fn login_with_captcha(
    app: &TestApp,
    ip: &str,
    password: &str,
    id: &str,
    text: &str,
) -> (StatusCode, u64) {
    let res = app
        .send_from(
            ip,
            Method::POST,
            "/v1/tokens",
            Some(
                json!({"username": "tom", "password": password, "captcha_id": id, "captcha": text}),
            ),
        )
        .await;
    let status = res.status();
    let body: serde_json::Value = res.json().await.expect("json");
    (status, body["code"].as_u64().unwrap_or(0))
}

/// A guesser spread over many addresses keeps the account's slow lane busy; its owner, on a
/// new address, solves a captcha and gets in at once.
async fn a_solved_captcha_lets_the_owner_in_during_an_attack(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(slow_after_three),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    for i in 1..=6 {
        try_login(&app, &format!("192.0.2.{i}"), "tom", "wrong-password").await;
    }
    const TRAVELLING: &str = "203.0.113.99";
    let (status, code, retry) = try_login(&app, TRAVELLING, "tom", PASSWORD).await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, 10133));
    assert!(retry.is_some_and(|r| (1..=60).contains(&r)), "{retry:?}");
    // A wrong text uses the captcha up: the right text of it is refused afterwards.
    let (id, text) = captcha(&app, TRAVELLING).await;
    assert_eq!(
        login_with_captcha(&app, TRAVELLING, PASSWORD, &id, "wrong").await,
        (StatusCode::BAD_REQUEST, 10134)
    );
    assert_eq!(
        login_with_captcha(&app, TRAVELLING, PASSWORD, &id, &text).await,
        (StatusCode::BAD_REQUEST, 10134),
        "one use only"
    );
    // A fresh one, typed in the other letter case: in at once.
    let (id, text) = captcha(&app, TRAVELLING).await;
    let typed = if text.chars().any(|c| c.is_ascii_lowercase()) {
        text.to_ascii_uppercase()
    } else {
        text.to_ascii_lowercase()
    };
    assert_eq!(
        login_with_captcha(&app, TRAVELLING, PASSWORD, &id, &typed).await,
        (StatusCode::OK, 200)
    );
    // The guesser gets no shortcut: a captcha is one try, and a wrong password still counts.
    let (id, text) = captcha(&app, "192.0.2.77").await;
    assert_eq!(
        login_with_captcha(&app, "192.0.2.77", "wrong-password", &id, &text).await,
        (StatusCode::BAD_REQUEST, 10104)
    );
    let (status, code, _) = try_login(&app, "192.0.2.78", "tom", "wrong-password").await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, 10133));
    // Captchas cost CPU: 30 a minute from one address.
    let mut refused = 0;
    for _ in 0..31 {
        let res = app
            .send_from("192.0.2.200", Method::POST, "/v1/users/captcha", None)
            .await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().contains_key("retry-after"));
            refused += 1;
        }
    }
    assert_eq!(refused, 1);
}

/// Five wrong passwords from the owner's own address ask for a captcha instead of locking
/// the owner out for 15 minutes; a stranger's address keeps the hard limit.
async fn a_known_address_at_its_limit_asks_for_a_captcha(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(trust_loopback),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    let (status, _, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 1..=5 {
        let (status, code, _) = try_login(&app, OWNER, "tom", "wrong-password").await;
        assert_eq!((status, code), (StatusCode::BAD_REQUEST, 10104));
        let (status, code, _) = try_login(&app, ATTACKER, "tom", "wrong-password").await;
        assert_eq!((status, code), (StatusCode::BAD_REQUEST, 10104));
    }
    let (status, code, _) = try_login(&app, OWNER, "tom", PASSWORD).await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, 10133));
    let (status, code, _) = try_login(&app, ATTACKER, "tom", PASSWORD).await;
    assert_eq!(
        (status, code),
        (StatusCode::TOO_MANY_REQUESTS, 10131),
        "a stranger stays locked"
    );
    let (id, text) = captcha(&app, ATTACKER).await;
    assert_eq!(
        login_with_captcha(&app, ATTACKER, PASSWORD, &id, &text).await,
        (StatusCode::TOO_MANY_REQUESTS, 10131),
        "no captcha opens a stranger's lock"
    );
    let (id, text) = captcha(&app, OWNER).await;
    assert_eq!(
        login_with_captcha(&app, OWNER, PASSWORD, &id, &text).await,
        (StatusCode::OK, 200)
    );
}

async fn forwarded_addresses_are_ignored_without_trusted_proxies(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.register("tom").await;
    for i in 1..=5 {
        // A client cannot pose as many addresses: without TRUSTED_PROXIES the peer counts.
        let (status, _, _) =
            try_login(&app, &format!("192.0.2.{i}"), "tom", "wrong-password").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // The five counted against the peer's pair (the address tom registered from, so a
    // captcha is asked instead of a lock-out).
    let (status, code, _) = try_login(&app, "192.0.2.99", "tom", PASSWORD).await;
    assert_eq!((status, code), (StatusCode::TOO_MANY_REQUESTS, 10133));
}

const CAMPUS: &str = "192.0.2.80";

/// The failure counters of `name` and the campus address, as the store holds them.
async fn counters(app: &TestApp, name: &str, ip: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for key in [
        format!("login:fail:pair:{name}:{ip}"),
        format!("login:fail:ip:{ip}"),
        format!("login:fail:account:{name}"),
    ] {
        out.push(app.state.kv.get(&key).await.expect("kv"));
    }
    out
}

/// Shoppers behind one address (a campus NAT) log in at once with their right passwords:
/// none is refused by the failure counters (a try in flight never counts), whatever the
/// per-address limit; concurrency is bounded by the hashing queue only (503 + Retry-After).
async fn a_crowd_behind_one_address_logs_in_at_once(b: Backend) {
    const CROWD: usize = 24;
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(|s| {
                trust_loopback(s);
                s.login_max_failures_per_ip = 3;
                s.register_max_per_ip = 1_000;
            }),
            ..Options::default()
        },
    )
    .await;
    let names: Vec<String> = (0..CROWD).map(|n| format!("campus{n}")).collect();
    for name in &names {
        app.register(name).await;
    }
    // Two wrong passwords from the campus already: one short of its limit.
    for _ in 0..2 {
        let (status, _, _) = try_login(&app, CAMPUS, "campus0", "wrong-password").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let answers =
        futures::future::join_all(names.iter().map(|n| try_login(&app, CAMPUS, n, PASSWORD))).await;
    let mut ok = 0;
    for ((status, code, retry), name) in answers.iter().zip(&names) {
        match *status {
            StatusCode::OK => ok += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(retry.is_some(), "{name}: 503 without Retry-After");
            }
            other => panic!("{name}: {other} {code}"),
        }
    }
    assert!(ok >= CROWD / 2, "{ok} of {CROWD} logged in: {answers:?}");
    assert_eq!(
        counters(&app, "campus1", CAMPUS).await,
        vec![None, Some("2".to_owned()), None],
        "right passwords counted nothing"
    );
}

/// Right-password logins whose clients hang up before the answer (a flaky phone connection,
/// a proxy time-out) leave nothing behind: the owner logs in from that address at once.
async fn logins_dropped_before_their_answer_count_nothing(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(trust_loopback),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    let impatient = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(3))
        .build()
        .expect("client");
    let mut dropped = 0;
    for _ in 0..40 {
        let sent = impatient
            .post(format!("{}/v1/tokens", app.base))
            .header("X-Forwarded-For", CAMPUS)
            .json(&json!({"username": "tom", "password": PASSWORD}))
            .send()
            .await;
        if sent.is_err() {
            dropped += 1;
        }
    }
    assert!(dropped > 0, "no request was dropped before its answer");
    // Whatever the server did with them, nothing counts against the owner.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(counters(&app, "tom", CAMPUS).await, vec![None, None, None]);
    let (status, code, _) = try_login(&app, CAMPUS, "tom", PASSWORD).await;
    assert_eq!((status, code), (StatusCode::OK, 200));
}

async fn only_a_verified_wrong_password_counts(b: Backend) {
    let mut app = TestApp::spawn(b).await;
    app.register("tom").await;
    app.state.db.close().await;
    for attempt in 1..=7 {
        let (status, body) = app.login("tom", PASSWORD).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::SERVICE_UNAVAILABLE, Some(503)),
            "attempt {attempt} during the outage"
        );
    }
    for key in [
        "login:fail:pair:tom:127.0.0.1",
        "login:fail:ip:127.0.0.1",
        "login:fail:account:tom",
    ] {
        assert_eq!(
            app.state.kv.get(key).await.expect("kv"),
            None,
            "{key} counted an outage"
        );
    }
    app.restart().await;
    let (status, body) = app.login("tom", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the database is back: {body}");
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

async fn a_token_names_its_user_by_id(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old = app.register("tom").await;
    sqlx::query("DELETE FROM users WHERE username = 'tom'")
        .execute(&app.state.db)
        .await
        .expect("delete");
    let new = app.register("tom").await;
    let (status, _) = app.get("/v1/users/tom", Some(&old)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token of a deleted account reads nothing"
    );
    let (status, _) = app.get("/v1/users/tom", Some(&new)).await;
    assert_eq!(status, StatusCode::OK);
    // A token whose sub names another user than its username claim is refused too.
    let now = now_secs();
    let forged = TokenService::new(SECRET.as_bytes(), 3600)
        .issue(999, "tom", 0, now)
        .expect("issue");
    let (status, _) = app.get("/v1/users/tom", Some(&forged)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
