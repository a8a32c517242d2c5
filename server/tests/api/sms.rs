//! SMS codes (`POST /v1/users/sms/code`) and registration with the code, through the real
//! job queue and real HTTP to the fake Ronglian provider.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Options, PASSWORD, TestApp, trust_loopback};
use crate::on_both_backends;

on_both_backends!(
    the_code_reaches_ronglian_signed_and_registers_once,
    registration_requires_the_code_of_that_phone,
    five_wrong_codes_burn_the_code,
    one_sms_per_phone_per_minute_with_retry_after,
    daily_caps_per_phone_and_per_address,
    a_send_refused_by_a_cap_changes_nothing_for_anyone_else,
    codes_live_five_minutes_and_are_stored_keyed,
    a_bad_phone_is_refused_and_sends_nothing,
    a_taken_name_keeps_the_code_usable,
);

const PHONE: &str = "13812345678";

fn sms_app() -> Options {
    Options {
        fake_sms: true,
        require_sms: true,
        ..Options::default()
    }
}

fn register_with(name: &str, phone: &str, verify: Option<&str>) -> Value {
    let mut body = json!({"uname": name, "password": PASSWORD, "password2": PASSWORD, "phone": phone, "email": format!("{name}@example.com")});
    if let Some(code) = verify {
        body["verify"] = json!(code);
    }
    body
}

async fn the_code_reaches_ronglian_signed_and_registers_once(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    let code = app.sms_code(PHONE).await;
    let sent = app.wait_for_sms(PHONE, 1).await;
    let fake = app.sms.as_ref().expect("fake");
    assert_eq!(sent[0].app_id, fake.config().app_id);
    assert_eq!(sent[0].template_id, "1");
    assert_eq!(sent[0].datas, vec![code.clone(), "5".to_owned()]);
    assert!(code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit()));

    let (status, body) = app
        .post("/v1/users", register_with("tom", PHONE, Some(&code)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post("/v1/users", register_with("ann", PHONE, Some(&code)), None)
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(10106)),
        "a code serves once: {body}"
    );
    assert_eq!(app.count("users").await, 1);
}

async fn registration_requires_the_code_of_that_phone(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    let code = app.sms_code(PHONE).await;
    for (verify, code_expected, why) in [
        (None, 10123, "no code"),
        (Some("12345"), 10132, "five digits"),
        (Some("abcdef"), 10132, "letters"),
    ] {
        let (status, body) = app
            .post("/v1/users", register_with("tom", PHONE, verify), None)
            .await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(code_expected)),
            "{why}: {body}"
        );
    }
    let (status, body) = app
        .post(
            "/v1/users",
            register_with("tom", "13912345678", Some(&code)),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(10106)),
        "a code is bound to its phone: {body}"
    );
    assert_eq!(app.count("users").await, 0, "nothing was created");
    let (status, body) = app
        .post("/v1/users", register_with("tom", PHONE, Some(&code)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn five_wrong_codes_burn_the_code(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    let code = app.sms_code(PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for n in 0..5 {
        let (status, body) = app
            .post("/v1/users", register_with("tom", PHONE, Some(wrong)), None)
            .await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(10132)),
            "wrong try {n}: {body}"
        );
    }
    let (status, body) = app
        .post("/v1/users", register_with("tom", PHONE, Some(&code)), None)
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::BAD_REQUEST, Some(10106)),
        "burned after five wrong tries: {body}"
    );
    assert_eq!(app.count("users").await, 0);
}

async fn one_sms_per_phone_per_minute_with_retry_after(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    app.sms_code(PHONE).await;
    let res = app
        .send_from(
            "127.0.0.1",
            Method::POST,
            "/v1/users/sms/code",
            Some(json!({"phone": PHONE})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], 10131);
    // Another phone is not held up.
    app.sms_code("13912345678").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sms.as_ref().expect("fake").messages_to(PHONE).len(), 1);
}

async fn daily_caps_per_phone_and_per_address(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(|s| {
                trust_loopback(s);
                s.sms_max_per_phone_per_day = 2;
                s.sms_max_per_ip_per_day = 3;
            }),
            ..sms_app()
        },
    )
    .await;
    let send = |ip: &'static str, phone: &'static str| {
        let app = &app;
        async move {
            // The minute between two sends to one phone passes.
            app.state
                .kv
                .del(&format!("sms:gap:{phone}"))
                .await
                .expect("kv");
            let res = app
                .send_from(
                    ip,
                    Method::POST,
                    "/v1/users/sms/code",
                    Some(json!({"phone": phone})),
                )
                .await;
            let status = res.status();
            let body: Value = res.json().await.expect("json");
            (status, body["code"].as_u64())
        }
    };
    let ok = (StatusCode::OK, Some(200));
    let capped = (StatusCode::TOO_MANY_REQUESTS, Some(10131));
    assert_eq!(send("10.0.0.1", PHONE).await, ok);
    assert_eq!(send("10.0.0.2", PHONE).await, ok);
    assert_eq!(send("10.0.0.3", PHONE).await, capped, "2 per phone a day");
    assert_eq!(send("10.0.0.9", "13900000001").await, ok);
    assert_eq!(send("10.0.0.9", "13900000002").await, ok);
    assert_eq!(send("10.0.0.9", "13900000003").await, ok);
    assert_eq!(
        send("10.0.0.9", "13900000004").await,
        capped,
        "3 per address a day"
    );
    assert_eq!(send("10.0.0.8", "13900000004").await, ok);
    app.wait_for_sms("13900000004", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let fake = app.sms.as_ref().expect("fake");
    assert_eq!(fake.messages_to(PHONE).len(), 2);
    assert_eq!(fake.messages().len(), 6, "refused requests sent nothing");
}

/// An address at its daily cap asks for codes and reset mails for other people's phones and
/// addresses: it is refused, and the owners asking from elsewhere right after are served
/// (the refusal started no 60-second wait of theirs).
async fn a_send_refused_by_a_cap_changes_nothing_for_anyone_else(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(|s| {
                trust_loopback(s);
                s.sms_max_per_ip_per_day = 1;
                s.reset_max_per_ip_per_day = 1;
            }),
            ..sms_app()
        },
    )
    .await;
    let send = |ip: &str, path: &'static str, body: Value| {
        let app = &app;
        let ip = ip.to_owned();
        async move {
            let res = app.send_from(&ip, Method::POST, path, Some(body)).await;
            let status = res.status();
            let body: Value = res.json().await.expect("json");
            (status, body["code"].as_u64())
        }
    };
    let ok = (StatusCode::OK, Some(200));
    let capped = (StatusCode::TOO_MANY_REQUESTS, Some(10131));
    let sms = "/v1/users/sms/code";
    let reset = "/v1/users/password/sms";
    assert_eq!(send("10.0.0.66", sms, json!({"phone": PHONE})).await, ok);
    assert_eq!(
        send("10.0.0.66", reset, json!({"email": "a@example.com"})).await,
        ok
    );
    for n in 1..=5 {
        let phone = format!("1390000000{n}");
        let email = format!("victim{n}@example.com");
        assert_eq!(
            send("10.0.0.66", sms, json!({"phone": phone})).await,
            capped
        );
        assert_eq!(
            send("10.0.0.66", reset, json!({"email": email})).await,
            capped
        );
        // The owner, from their own address, a moment later.
        let owner = format!("10.0.1.{n}");
        assert_eq!(
            send(&owner, sms, json!({"phone": phone})).await,
            ok,
            "{phone}"
        );
        assert_eq!(
            send(&owner, reset, json!({"email": email})).await,
            ok,
            "{email}"
        );
        // The owner's own send does start the minute.
        let (status, _) = send(&format!("10.0.2.{n}"), sms, json!({"phone": phone})).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}

async fn codes_live_five_minutes_and_are_stored_keyed(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    let code = app.sms_code(PHONE).await;
    let key = format!("code:register:{PHONE}");
    let ttl = app
        .state
        .kv
        .ttl_secs(&key)
        .await
        .expect("kv")
        .expect("a code");
    assert!((290..=300).contains(&ttl), "TTL {ttl}");
    let stored = app.state.kv.get(&key).await.expect("kv").expect("a code");
    assert_eq!(stored.len(), 64, "an HMAC-SHA256, hex");
    assert!(!stored.contains(&code));
    // Nothing in the store or the queue holds the code in clear.
    for value in all_stored_values(&app).await {
        assert!(!value.contains(&code), "the code leaks in {value:?}");
    }
}

/// Every value the shop keeps outside the relational database: Redis keys of this test (and
/// their hash fields, list items), or the SQLite queue's job payloads.
async fn all_stored_values(app: &TestApp) -> Vec<String> {
    let mut values = Vec::new();
    if app.uses_redis() {
        let url = app.settings().redis_url.clone().expect("redis");
        let client = redis::Client::open(url).expect("url");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("redis");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", app.settings().kv_prefix))
            .query_async(&mut conn)
            .await
            .expect("keys");
        assert!(!keys.is_empty());
        for key in keys {
            let kind: String = redis::cmd("TYPE")
                .arg(&key)
                .query_async(&mut conn)
                .await
                .expect("type");
            let dump: Vec<Vec<u8>> = match kind.as_str() {
                "string" => vec![
                    redis::cmd("GET")
                        .arg(&key)
                        .query_async(&mut conn)
                        .await
                        .expect("get"),
                ],
                "hash" => redis::cmd("HVALS")
                    .arg(&key)
                    .query_async(&mut conn)
                    .await
                    .expect("hvals"),
                "list" => redis::cmd("LRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn)
                    .await
                    .expect("lrange"),
                _ => Vec::new(),
            };
            values.extend(
                dump.into_iter()
                    .map(|v| String::from_utf8_lossy(&v).into_owned()),
            );
        }
    } else {
        let url = app.settings().jobs_sqlite_url().expect("sqlite queue");
        let pool = sqlx::SqlitePool::connect(&url).await.expect("queue");
        let jobs: Vec<Vec<u8>> = sqlx::query_scalar("SELECT CAST(job AS BLOB) FROM Jobs")
            .fetch_all(&pool)
            .await
            .expect("jobs");
        assert!(!jobs.is_empty());
        values.extend(
            jobs.into_iter()
                .map(|v| String::from_utf8_lossy(&v).into_owned()),
        );
    }
    values
}

async fn a_bad_phone_is_refused_and_sends_nothing(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    for (body, code) in [
        (json!({}), 10123),
        (json!({"phone": ""}), 10123),
        (json!({"phone": "12812345678"}), 10117),
        (json!({"phone": "1381234567"}), 10117),
        (json!({"phone": 13812345678_u64}), 10123),
    ] {
        let (status, answer) = app.post("/v1/users/sms/code", body.clone(), None).await;
        assert_eq!(
            (status, answer["code"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{body}: {answer}"
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sms.as_ref().expect("fake").requests(), 0);
}

async fn a_taken_name_keeps_the_code_usable(b: Backend) {
    let app = TestApp::spawn_with(b, sms_app()).await;
    let first = app.sms_code(PHONE).await;
    let (status, body) = app
        .post("/v1/users", register_with("tom", PHONE, Some(&first)), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.state.kv.del("sms:gap:13912345678").await.expect("kv");
    let code = app.sms_code("13912345678").await;
    let (status, body) = app
        .post(
            "/v1/users",
            register_with("TOM", "13912345678", Some(&code)),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (StatusCode::CONFLICT, Some(206)),
        "{body}"
    );
    let (status, body) = app
        .post(
            "/v1/users",
            register_with("ann", "13912345678", Some(&code)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the code still works: {body}");
}
