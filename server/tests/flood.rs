//! A bounded login flood (issue #5, item 1), in a test binary of its own so that the peak
//! memory it reads belongs to this test alone.
//!
//! Three hundred logins at once, each from another address (as a botnet would send them,
//! through a trusted proxy) with unknown usernames, against two hashing slots, a 1 s request
//! time-out and a 2 s queue limit. The time-outs drop request futures while their hashes run:
//! the foundation freed a slot each time, so more hashes ran than the bound allowed. Here the
//! number of hashes running at once never exceeds the slots (plus the one kept for known
//! addresses), every answer is the shop's JSON (10104, 503 with `Retry-After`, or 408), a
//! shopper logging in from their usual address gets in during the flood, and the process's
//! peak memory grows by less than [`MAX_GROWTH_BYTES`].

use std::time::Duration;

/// The server binary's allocator (see `main.rs`), so that memory is measured as it behaves
/// in production: glibc's malloc keeps each freed 19 MiB Argon2 block in a per-thread arena.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use dadashop_server::app::{Application, BuildOptions};
use dadashop_server::config::{Profile, Settings};
use serde_json::{Value, json};

/// Allowed growth of the peak resident set: two 19 MiB Argon2 blocks plus 300 connections
/// of client and server, with room to spare. The foundation's unbounded hashing grew by
/// hundreds of MiB here.
const MAX_GROWTH_BYTES: u64 = 160 * 1024 * 1024;

/// `VmHWM` of /proc/self/status: the peak resident set, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_never_runs_more_hashes_than_the_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        dadashop_env: Profile::Test,
        database_url: format!("sqlite://{}/shop.db", dir.path().display()),
        jwt_secret: Some("flood-secret-flood-secret-flood-secret-0123".into()),
        api_addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().join("data"),
        media_dir: dir.path().join("media"),
        trusted_proxies: "127.0.0.1".into(),
        password_hash_concurrency: 2,
        password_hash_queue_secs: 2,
        request_timeout_secs: 1,
        max_connections: 1024,
        // The flood's shopper registers without an SMS code (the SMS tests cover that).
        register_require_sms: false,
        mail_transport: dadashop_server::config::MailTransport::File,
        ..Settings::default()
    }
    .validate()
    .expect("valid settings");
    let app = Application::build(
        settings,
        BuildOptions {
            web: false,
            seed_demo: false,
            worker: false,
        },
    )
    .await
    .expect("builds");
    let base = format!("http://{}", app.api_addr().expect("addr"));
    let hasher = app.state().hasher.clone();
    tokio::spawn(app.run_until(std::future::pending()));

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    // Warm up: the dummy hash and the allocator's first arenas are not the flood's doing.
    let _ = client
        .post(format!("{base}/v1/tokens"))
        .json(&json!({"username": "nobody", "password": "wrong-password"}))
        .send()
        .await;
    // A shopper who logged in from their address before.
    let shopper = json!({"uname": "shopper", "password": "shopper-pass", "phone": "13800000000", "email": "s@example.com"});
    let res = client
        .post(format!("{base}/v1/users"))
        .header("X-Forwarded-For", "203.0.113.7")
        .json(&shopper)
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), 200);
    let shopper_login = || {
        client
            .post(format!("{base}/v1/tokens"))
            .header("X-Forwarded-For", "203.0.113.7")
            .json(&json!({"username": "shopper", "password": "shopper-pass"}))
            .send()
    };
    assert_eq!(shopper_login().await.expect("login").status(), 200);
    let before = peak_rss();

    let mut requests = Vec::new();
    for i in 0..300u32 {
        let client = client.clone();
        let url = format!("{base}/v1/tokens");
        requests.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("X-Forwarded-For", format!("10.{}.{}.7", i / 250, i % 250))
                .json(&json!({"username": format!("bot{i}"), "password": "wrong-password"}))
                .send()
                .await
                .expect("every request gets an answer");
            let status = res.status().as_u16();
            let retry_after = res.headers().contains_key("retry-after");
            let body: Value = res.json().await.expect("a JSON body");
            (status, body["code"].as_u64(), retry_after)
        }));
    }
    // In the thick of the flood, the shopper logs in through the slot kept for known
    // addresses.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let during = shopper_login().await.expect("shopper login").status();
    let shopper_ms = started.elapsed().as_millis();
    let mut refused = 0;
    let mut shed = 0;
    let mut timed_out = 0;
    for r in requests {
        match r.await.expect("task") {
            (400, Some(10104), _) => refused += 1,
            (503, Some(503), true) => shed += 1,
            (408, Some(408), _) => timed_out += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    // Let the hashes of requests that timed out finish before reading the peak.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let growth = peak_rss().saturating_sub(before);
    eprintln!(
        "flood: {refused} refused, {shed} shed, {timed_out} timed out; shopper {during} in {shopper_ms} ms; peak hashes {}; peak RSS +{} MiB",
        hasher.peak_running(),
        growth / (1024 * 1024)
    );
    assert!(
        hasher.peak_running() <= 3,
        "{} hashes ran at once (2 shared slots + 1 kept)",
        hasher.peak_running()
    );
    assert_eq!(during, 200, "the known shopper logs in during the flood");
    assert!(refused > 0, "some logins were checked");
    assert!(shed > 0, "the queue limit shed work");
    assert!(
        growth < MAX_GROWTH_BYTES,
        "peak memory grew by {} MiB",
        growth / (1024 * 1024)
    );
}
