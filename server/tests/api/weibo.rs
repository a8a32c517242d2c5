//! Weibo login against the fake provider over real HTTP: first login and binding, second
//! login, the state rules, provider failures, concurrent binds, unbinding.

use dadashop_fakes::weibo::{Config, FakeWeibo, Switches};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Backend, Options, PASSWORD, TestApp, WEIBO_REDIRECT_URI};
use crate::on_both_backends;

on_both_backends!(
    a_first_weibo_login_binds_a_new_account_and_the_next_one_logs_straight_in,
    an_existing_account_is_bound_with_its_password,
    of_two_concurrent_binds_of_one_uid_exactly_one_succeeds,
    a_shopper_sees_and_removes_the_binding_and_keeps_the_password_login,
    an_expired_state_or_code_is_refused,
    a_new_account_bound_to_weibo_needs_the_sms_code_and_gets_the_activation_mail,
);

/// The first test Weibo user of the fake.
fn uid(n: usize) -> String {
    Config::default().users[n].uid.clone()
}

async fn weibo_app(b: Backend) -> (TestApp, FakeWeibo) {
    let fake = FakeWeibo::start("127.0.0.1:0".parse().expect("addr"), Config::default())
        .await
        .expect("fake weibo");
    let app = TestApp::spawn_with(
        b,
        Options {
            weibo_base: Some(fake.url()),
            ..Options::default()
        },
    )
    .await;
    (app, fake)
}

/// Asks the shop for the authorize URL, checks it, and returns its `state`.
async fn begin(app: &TestApp, fake: &FakeWeibo) -> String {
    let (status, body) = app.get("/v1/users/weibo/authorization", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = reqwest::Url::parse(body["oauth_url"].as_str().expect("oauth_url")).expect("url");
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/oauth2/authorize", fake.url()).as_str())
    );
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], fake.config().client_id);
    assert_eq!(query["redirect_uri"], WEIBO_REDIRECT_URI);
    let state = query["state"].clone();
    assert!(
        state.len() >= 22,
        "state carries at least 128 bits: {state}"
    );
    state
}

/// The callback with `code` and `state`.
async fn finish(app: &TestApp, code: &str, state: &str) -> (StatusCode, Value) {
    app.get(
        &format!("/v1/users/weibo/users?code={code}&state={state}"),
        None,
    )
    .await
}

/// A whole login of Weibo user `uid` up to the callback's answer.
async fn weibo_login(app: &TestApp, fake: &FakeWeibo, uid: &str) -> (StatusCode, Value) {
    let state = begin(app, fake).await;
    let code = fake.authorize(uid, WEIBO_REDIRECT_URI);
    finish(app, &code, &state).await
}

fn new_account(uid: &str, ticket: &str, name: &str) -> Value {
    json!({
        "uid": uid, "ticket": ticket, "username": name, "password": PASSWORD,
        "phone": "13800138000", "email": format!("{name}@example.com"),
    })
}

async fn a_first_weibo_login_binds_a_new_account_and_the_next_one_logs_straight_in(b: Backend) {
    let (app, fake) = weibo_app(b).await;
    let (status, body) = weibo_login(&app, &fake, &uid(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 201, "{body}");
    assert_eq!(body["uid"], uid(0));
    assert_eq!(
        body["nickname"], "达达测试一号",
        "the profile prefills the form"
    );
    assert!(
        body["avatar"]
            .as_str()
            .is_some_and(|a| a.starts_with("http"))
    );
    let ticket = body["ticket"].as_str().expect("ticket").to_owned();

    let (status, bound) = app
        .post(
            "/v1/users/weibo/users",
            new_account(&uid(0), &ticket, "weibofan"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{bound}");
    assert_eq!(bound["username"], "weibofan");
    let token = bound["token"].as_str().expect("token");
    let (status, profile) = app.get("/v1/users/weibofan", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(app.count("weibo_users").await, 1);

    // The ticket is used up.
    let (status, again) = app
        .post(
            "/v1/users/weibo/users",
            new_account(&uid(0), &ticket, "other"),
            None,
        )
        .await;
    assert_eq!(
        (status, again["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10130))
    );

    // The next Weibo login goes straight in.
    let (status, body) = weibo_login(&app, &fake, &uid(0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["code"], 200);
    assert_eq!(body["username"], "weibofan");
    let token = body["token"].as_str().expect("token");
    assert_eq!(
        app.get("/v1/users/weibofan", Some(token)).await.0,
        StatusCode::OK
    );
}

async fn an_existing_account_is_bound_with_its_password(b: Backend) {
    let (app, fake) = weibo_app(b).await;
    app.register("tom").await;
    let (_, body) = weibo_login(&app, &fake, &uid(1)).await;
    let ticket = body["ticket"].as_str().expect("ticket").to_owned();
    let existing = |password: &str| json!({"uid": uid(1), "ticket": ticket, "username": "Tom", "password": password});

    let (status, wrong) = app
        .post("/v1/users/weibo/users", existing("not-the-password"), None)
        .await;
    assert_eq!(
        (status, wrong["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10104))
    );
    assert_eq!(app.count("weibo_users").await, 0);

    // A new account was meant but the name is taken: said as for registration.
    let mut taken = new_account(&uid(1), &ticket, "tom");
    taken["password"] = json!("another-password");
    let (status, body) = app.post("/v1/users/weibo/users", taken, None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::CONFLICT, json!(206))
    );

    let (status, ok) = app
        .post("/v1/users/weibo/users", existing(PASSWORD), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{ok}");
    assert_eq!(ok["username"], "tom");
    assert_eq!(app.count("users").await, 1, "no second account");

    let (status, body) = weibo_login(&app, &fake, &uid(1)).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::OK, json!(200)));
    assert_eq!(body["username"], "tom");

    // One Weibo account per shop account: another uid cannot bind tom too.
    let (_, other) = weibo_login(&app, &fake, &uid(2)).await;
    let body =
        json!({"uid": uid(2), "ticket": other["ticket"], "username": "tom", "password": PASSWORD});
    let (status, refused) = app.post("/v1/users/weibo/users", body, None).await;
    assert_eq!(
        (status, refused["code"].clone()),
        (StatusCode::CONFLICT, json!(10130))
    );
}

async fn of_two_concurrent_binds_of_one_uid_exactly_one_succeeds(b: Backend) {
    let (app, fake) = weibo_app(b).await;
    let (_, first) = weibo_login(&app, &fake, &uid(0)).await;
    let (_, second) = weibo_login(&app, &fake, &uid(0)).await;
    let one = new_account(&uid(0), first["ticket"].as_str().expect("ticket"), "alice");
    let two = new_account(&uid(0), second["ticket"].as_str().expect("ticket"), "bob");
    let (a, b) = tokio::join!(
        app.post("/v1/users/weibo/users", one, None),
        app.post("/v1/users/weibo/users", two, None)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let loser = if a.0 == StatusCode::CONFLICT {
        &a.1
    } else {
        &b.1
    };
    assert_eq!(loser["code"], 10130);
    assert_eq!(app.count("weibo_users").await, 1);
    assert_eq!(
        app.count("users").await,
        1,
        "the losing account was rolled back"
    );
}

async fn a_shopper_sees_and_removes_the_binding_and_keeps_the_password_login(b: Backend) {
    let (app, fake) = weibo_app(b).await;
    let (_, body) = weibo_login(&app, &fake, &uid(2)).await;
    let ticket = body["ticket"].as_str().expect("ticket");
    let (_, bound) = app
        .post(
            "/v1/users/weibo/users",
            new_account(&uid(2), ticket, "carol"),
            None,
        )
        .await;
    let token = bound["token"].as_str().expect("token").to_owned();

    let (status, binding) = app.get("/v1/users/carol/weibo", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{binding}");
    assert_eq!(binding["data"]["uid"], uid(2));
    assert_eq!(binding["data"]["nickname"], "背包客小王");

    let other = app.register("dave").await;
    let (status, _) = app
        .call(Method::DELETE, "/v1/users/carol/weibo", None, Some(&other))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = app
        .call(Method::DELETE, "/v1/users/carol/weibo", None, Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, binding) = app.get("/v1/users/carol/weibo", Some(&token)).await;
    assert_eq!(binding["data"], Value::Null);
    let (status, body) = app
        .call(Method::DELETE, "/v1/users/carol/weibo", None, Some(&token))
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(10130))
    );

    // The password still logs in, and the Weibo account is unknown again.
    assert_eq!(app.login("carol", PASSWORD).await.0, StatusCode::OK);
    let (_, body) = weibo_login(&app, &fake, &uid(2)).await;
    assert_eq!(body["code"], 201);
}

/// With `REGISTER_REQUIRE_SMS` on, a new account made by the bind form proves its phone as a
/// registration does (10123 without the code, 10132 with a wrong one, the ticket still
/// usable), and gets the activation mail.
async fn a_new_account_bound_to_weibo_needs_the_sms_code_and_gets_the_activation_mail(b: Backend) {
    let fake = FakeWeibo::start("127.0.0.1:0".parse().expect("addr"), Config::default())
        .await
        .expect("fake weibo");
    let app = TestApp::spawn_with(
        b,
        Options {
            weibo_base: Some(fake.url()),
            require_sms: true,
            fake_sms: true,
            fake_smtp: true,
            ..Options::default()
        },
    )
    .await;
    let (status, body) = weibo_login(&app, &fake, &uid(0)).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::OK, json!(201)));
    let ticket = body["ticket"].as_str().expect("ticket").to_owned();
    let mut form = new_account(&uid(0), &ticket, "wbsms");
    let phone = form["phone"].as_str().expect("phone").to_owned();

    let (status, body) = app.post("/v1/users/weibo/users", form.clone(), None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10123)),
        "{body}"
    );
    let code = app.sms_code(&phone).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    form["verify"] = json!(wrong);
    let (status, body) = app.post("/v1/users/weibo/users", form.clone(), None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10132)),
        "{body}"
    );
    assert_eq!(app.count("users").await, 0, "nothing created");

    form["verify"] = json!(code);
    let (status, body) = app.post("/v1/users/weibo/users", form.clone(), None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::OK, json!(200)),
        "{body}"
    );
    let mails = app.wait_for_mail("wbsms@example.com", 1).await;
    assert_eq!(mails[0].subject, "达达商城账户激活");
    // The code was used up with the account.
    let (_, again) = weibo_login(&app, &fake, &uid(1)).await;
    let mut other = new_account(&uid(1), again["ticket"].as_str().expect("ticket"), "wbsms2");
    other["verify"] = json!(code);
    let (status, body) = app.post("/v1/users/weibo/users", other, None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10106)),
        "{body}"
    );
}

/// A state past its 10 minutes (made to expire in Redis, where the TTL is real) and a code
/// past Weibo's lifetime (the fake's is set short) are both refused with 10125.
async fn an_expired_state_or_code_is_refused(b: Backend) {
    let fake = FakeWeibo::start(
        "127.0.0.1:0".parse().expect("addr"),
        Config {
            code_ttl: std::time::Duration::from_millis(200),
            ..Config::default()
        },
    )
    .await
    .expect("fake weibo");
    let app = TestApp::spawn_with(
        b,
        Options {
            weibo_base: Some(fake.url()),
            ..Options::default()
        },
    )
    .await;

    if app.uses_redis() {
        let state = begin(&app, &fake).await;
        assert_eq!(app.expire_redis_keys("weibo:state:*").await, 1);
        let code = fake.authorize(&uid(0), WEIBO_REDIRECT_URI);
        let (status, body) = finish(&app, &code, &state).await;
        assert_eq!(
            (status, body["code"].clone()),
            (StatusCode::BAD_REQUEST, json!(10125)),
            "{body}"
        );
        assert_eq!(
            fake.token_requests(),
            0,
            "an expired state never reaches Weibo"
        );
    }

    let state = begin(&app, &fake).await;
    let code = fake.authorize(&uid(0), WEIBO_REDIRECT_URI);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let (status, body) = finish(&app, &code, &state).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10125)),
        "{body}"
    );
    assert!(
        body["error"].as_str().is_some_and(|m| m.contains("微博")),
        "{body}"
    );
}

#[tokio::test]
async fn a_missing_unknown_or_replayed_state_is_refused_without_calling_weibo() {
    let (app, fake) = weibo_app(Backend::Sqlite).await;
    let code = fake.authorize(&uid(0), WEIBO_REDIRECT_URI);
    let (status, body) = app
        .get(&format!("/v1/users/weibo/users?code={code}"), None)
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10123))
    );
    let (status, body) = finish(&app, &code, "forged-state").await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10125))
    );
    assert_eq!(
        fake.token_requests(),
        0,
        "no call to Weibo without a valid state"
    );

    let state = begin(&app, &fake).await;
    let (status, body) = finish(&app, &code, &state).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::OK, json!(201)),
        "{body}"
    );
    // The same state again, even with a fresh code: refused.
    let code = fake.authorize(&uid(0), WEIBO_REDIRECT_URI);
    let (status, body) = finish(&app, &code, &state).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10125))
    );
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn weibo_errors_and_time_outs_are_clear_answers_not_500s() {
    let (app, fake) = weibo_app(Backend::Sqlite).await;
    let attempt = |switches: Switches| {
        let (app, fake) = (&app, &fake);
        async move {
            fake.set(switches);
            let answer = weibo_login(app, fake, &uid(0)).await;
            fake.set(Switches::default());
            (answer.0, answer.1["code"].clone())
        }
    };
    let refused = (StatusCode::BAD_REQUEST, json!(10125));
    let down = (StatusCode::SERVICE_UNAVAILABLE, json!(10125));
    let invalid_grant = Switches {
        token_error: Some("invalid_grant".into()),
        ..Switches::default()
    };
    assert_eq!(attempt(invalid_grant).await, refused);
    let http_500 = Switches {
        token_http_500: true,
        ..Switches::default()
    };
    assert_eq!(attempt(http_500).await, down);
    let slow = Switches {
        delay_ms: 2_500,
        ..Switches::default()
    };
    assert_eq!(attempt(slow).await, down, "the 1 s time-out applies");
    let other_app = Switches {
        wrong_appkey: true,
        ..Switches::default()
    };
    assert_eq!(
        attempt(other_app).await,
        refused,
        "a token of another app logs nobody in"
    );
    // Without the profile the bind form merely starts empty.
    let no_profile = Switches {
        profile_error: true,
        ..Switches::default()
    };
    assert_eq!(attempt(no_profile).await, (StatusCode::OK, json!(201)));

    // A code used once is refused the second time (Weibo's invalid_grant).
    let code = fake.authorize(&uid(1), WEIBO_REDIRECT_URI);
    let state = begin(&app, &fake).await;
    assert_eq!(finish(&app, &code, &state).await.0, StatusCode::OK);
    let state = begin(&app, &fake).await;
    let (status, body) = finish(&app, &code, &state).await;
    assert_eq!((status, body["code"].clone()), refused);
}

#[tokio::test]
async fn a_ticket_binds_only_its_own_uid_and_weibo_off_says_so() {
    let (app, fake) = weibo_app(Backend::Sqlite).await;
    let (_, body) = weibo_login(&app, &fake, &uid(0)).await;
    let ticket = body["ticket"].as_str().expect("ticket");
    let (status, refused) = app
        .post(
            "/v1/users/weibo/users",
            new_account(&uid(1), ticket, "mallory"),
            None,
        )
        .await;
    assert_eq!(
        (status, refused["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(10130))
    );
    assert_eq!(app.count("users").await, 0);

    let off = TestApp::spawn(Backend::Sqlite).await;
    let (status, body) = off.get("/v1/users/weibo/authorization", None).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::SERVICE_UNAVAILABLE, json!(10124))
    );
}
