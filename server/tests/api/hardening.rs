//! The HTTP layer under hostile clients (issue #5): slow headers, idle sockets, the
//! connection cap, the JSON shape of every error, and the security headers.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Backend, Options, TestApp};

fn short_timeouts(s: &mut dadashop_server::config::Settings) {
    s.header_read_timeout_secs = 2;
    s.keep_alive_timeout_secs = 1;
    s.request_timeout_secs = 1;
}

fn two_connections(s: &mut dadashop_server::config::Settings) {
    s.max_connections = 2;
}

async fn app_with(tweak: fn(&mut dadashop_server::config::Settings)) -> TestApp {
    TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            tweak: Some(tweak),
            ..Options::default()
        },
    )
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect")
}

/// Reads until the server closes the connection (or 10 s pass); returns what it sent and
/// when it closed.
async fn read_until_closed(stream: &mut TcpStream) -> (String, Option<Instant>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                return (String::from_utf8_lossy(&out).into(), Some(Instant::now()));
            }
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    (String::from_utf8_lossy(&out).into(), None)
}

/// The JSON body of a raw HTTP/1.1 answer.
fn json_body(answer: &str) -> Value {
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_sent_one_byte_at_a_time_are_cut_off_at_the_header_time_out() {
    let app = app_with(short_timeouts).await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    let (mut reader, mut writer) = stream.split();
    let trickle = async {
        for byte in b"GET /healthz HTTP/1.1\r\nHost: shop\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let closed = async {
        let mut buf = [0u8; 256];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return Instant::now(),
                Ok(_) => {}
            }
        }
    };
    let closed_at = tokio::select! {
        at = closed => at,
        () = trickle => panic!("the whole slow header went through without the server closing"),
    };
    let after = closed_at - started;
    assert!(
        after >= Duration::from_millis(1500) && after < Duration::from_secs(4),
        "closed after {after:?}, expected about the 2 s header time-out"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_and_idle_keep_alive_connections_are_closed() {
    let app = app_with(short_timeouts).await;
    // A socket that never says anything.
    let mut silent = connect(&app).await;
    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut silent).await;
    let after = closed.expect("an idle socket is closed") - started;
    assert!(
        after < Duration::from_secs(3),
        "idle socket closed after {after:?}"
    );

    // A keep-alive connection after one complete request.
    let mut kept = connect(&app).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let after = closed.expect("an idle keep-alive connection is closed") - started;
    assert!(
        after < Duration::from_secs(3),
        "keep-alive closed after {after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = app_with(two_connections).await;
    let first = connect(&app).await;
    let second = connect(&app).await;
    // Both are accepted and held (the idle time-out is the default 5 s).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .expect("client");
    let blocked = quick.get(format!("{}/healthz", app.base)).send().await;
    assert!(
        blocked.is_err(),
        "a third connection is not served while two are open"
    );
    drop(first);
    drop(second);
    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("served once a slot is free");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_outlasts_the_time_out_gets_a_json_408() {
    let app = app_with(short_timeouts).await;
    let mut stream = connect(&app).await;
    // The head arrives, the promised body never does: the handler waits for it.
    stream
        .write_all(b"POST /v1/tokens HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{")
        .await
        .expect("write");
    let (answer, _) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(json_body(&answer)["code"], 408);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_announced_with_expect_continue_gets_413_at_once() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /v1/users HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 10000000000\r\n\r\n")
        .await
        .expect("write");
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer without sending the body")
        .expect("read");
    let answer = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "no 100 Continue first: {answer}"
    );
    let (rest, _) = read_until_closed(&mut stream).await;
    let whole = format!("{answer}{rest}");
    assert_eq!(json_body(&whole)["code"], 10123, "{whole}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_targets_large_headers_and_missing_media_get_json_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let long_uri = format!("{}/v1/goods/index?q={}", app.base, "a".repeat(9000));
    let res = app.client.get(long_uri).send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::URI_TOO_LONG);
    let body: Value = res.json().await.expect("json 414");
    assert_eq!(body["code"], 414);

    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("X-Big", "b".repeat(40 * 1024))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let body: Value = res.json().await.expect("json 431");
    assert_eq!(body["code"], 431);

    let mut many = app.client.get(format!("{}/healthz", app.base));
    for i in 0..120 {
        many = many.header(format!("x-h{i}"), "1");
    }
    let res = many.send().await.expect("sent");
    assert_eq!(res.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(res.json::<Value>().await.expect("json")["code"], 431);

    let res = app
        .client
        .get(format!("{}/media/no-such-image.svg", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A missing picture is not remembered: it may be uploaded a moment later.
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/json")
    );
    let body: Value = res.json().await.expect("json 404");
    assert_eq!(body["code"], 404);
    assert!(body["error"].is_string());
}

/// Request heads hyper refuses itself, before the router sees a request: the answer keeps
/// hyper's status and carries the shop's JSON error body (issue #21, item 8).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_hyper_refuses_itself_get_json_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let long_target = format!(
        "GET /v1/goods/index?q={} HTTP/1.1\r\nHost: shop\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let mut many_headers = String::from("GET /healthz HTTP/1.1\r\nHost: shop\r\n");
    for i in 0..300 {
        many_headers.push_str(&format!("x-h{i}: 1\r\n"));
    }
    many_headers.push_str("\r\n");
    let cases = [
        (long_target, 414),
        (many_headers, 431),
        (
            "GET /healthz HTTP/1.1\r\nHo st: shop\r\n\r\n".to_owned(),
            400,
        ),
        ("\x01\x02 nonsense\r\n\r\n".to_owned(), 400),
    ];
    for (head, status) in cases {
        let mut stream = connect(&app).await;
        // The server may answer and close before it has read all of a long head.
        let _ = stream.write_all(head.as_bytes()).await;
        let (answer, closed) = read_until_closed(&mut stream).await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{status}: {answer}"
        );
        assert!(
            closed.is_some(),
            "{status}: the connection is closed after it"
        );
        let lower = answer.to_ascii_lowercase();
        assert!(lower.contains("content-type: application/json"), "{answer}");
        let body = json_body(&answer);
        assert_eq!(body["code"], status, "{answer}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    // The server still answers normally afterwards.
    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_carry_nosniff_no_store_and_a_locked_down_media_policy() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            seed_demo: true,
            ..Options::default()
        },
    )
    .await;
    let token = app.register("tom").await;
    let res = app
        .client
        .get(format!("{}/v1/users/tom", app.base))
        .header("Authorization", &token)
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.headers()["cache-control"],
        "no-store",
        "personal data is not cached"
    );
    let res = app
        .client
        .post(format!("{}/v1/tokens", app.base))
        .json(&serde_json::json!({"username": "tom", "password": crate::common::PASSWORD}))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.headers()["cache-control"],
        "no-store",
        "tokens are not cached"
    );
    let res = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");

    let (_, goods) = app.get("/v1/goods/index", None).await;
    let image = goods["data"][0]["sku"][0]["image"]
        .as_str()
        .expect("a seeded image")
        .to_owned();
    let res = app
        .client
        .get(format!("{}/media/{image}", app.base))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), StatusCode::OK, "{image}");
    assert_eq!(res.headers()["cache-control"], "public, max-age=604800");
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}
