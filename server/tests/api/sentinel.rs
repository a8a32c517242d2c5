//! Redis behind Sentinel (issue #11, item 4): with `REDIS_URL=redis+sentinel://...` the shop
//! finds the master through a real Sentinel, and after the master is killed and the
//! Sentinel promotes its replica, the same running API answers again and still honours a
//! login throttle written before the failover.
//!
//! Runs real `redis-server` processes (a master, its replica, one Sentinel with quorum 1)
//! on free ports; `.ci/run` installs Redis, so in CI a missing binary is a failure.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::common::{Backend, Options, PASSWORD, TestApp, trust_loopback};

const MASTER_NAME: &str = "shop";
const ATTACKER: &str = "198.51.100.77";
const OWNER: &str = "203.0.113.9";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn redis_server(args: &[&str]) -> Child {
    Command::new("redis-server")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server (the Debian package redis-server) is needed for this test")
}

async fn connection(port: u16) -> Option<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}")).ok()?;
    client.get_multiplexed_async_connection().await.ok()
}

/// `cmd` on the server at `port`, `None` while it does not answer.
async fn ask<T: redis::FromRedisValue>(port: u16, cmd: &redis::Cmd) -> Option<T> {
    let mut conn = connection(port).await?;
    cmd.query_async(&mut conn).await.ok()
}

/// Waits up to 20 s for `check`.
async fn wait_for<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn login(app: &TestApp, ip: &str, password: &str) -> (StatusCode, u64) {
    let res = app
        .send_from(
            ip,
            Method::POST,
            "/v1/tokens",
            Some(json!({"username": "tom", "password": password})),
        )
        .await;
    let status = res.status();
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    (status, body["code"].as_u64().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sentinel_failover_the_running_shop_carries_on_with_its_throttles() {
    let dir = tempfile::tempdir().expect("dir");
    let (master_port, replica_port, sentinel_port) = (free_port(), free_port(), free_port());
    // A replica writes the snapshot of its first sync into its `--dir`.
    let data = dir.path().display().to_string();
    let common = [
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        data.as_str(),
    ];
    let mut master =
        redis_server(&[&["--port", &master_port.to_string()][..], &common[..]].concat());
    let replica_of = format!("127.0.0.1 {master_port}");
    let _replica = redis_server(
        &[
            &["--port", &replica_port.to_string()][..],
            &common[..],
            &["--replicaof", &replica_of][..],
        ]
        .concat(),
    );
    let conf = dir.path().join("sentinel.conf");
    std::fs::write(
        &conf,
        format!(
            "port {sentinel_port}\nbind 127.0.0.1\ndir {}\n\
             sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 1\n\
             sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
             sentinel failover-timeout {MASTER_NAME} 10000\n",
            dir.path().display()
        ),
    )
    .expect("sentinel.conf");
    let conf = conf.display().to_string();
    let _sentinel = redis_server(&[&conf, "--sentinel"]);

    wait_for("the replica to sync", || async {
        ask::<String>(replica_port, redis::cmd("INFO").arg("replication"))
            .await
            .is_some_and(|info| info.contains("master_link_status:up"))
    })
    .await;
    wait_for("the Sentinel to know the replica", || async {
        ask::<Vec<redis::Value>>(
            sentinel_port,
            redis::cmd("SENTINEL").arg("replicas").arg(MASTER_NAME),
        )
        .await
        .is_some_and(|r| !r.is_empty())
    })
    .await;

    let app = TestApp::spawn_with(
        Backend::Sqlite,
        Options {
            redis_url: Some(format!(
                "redis+sentinel://127.0.0.1:{sentinel_port}/{MASTER_NAME}/0"
            )),
            tweak: Some(trust_loopback),
            ..Options::default()
        },
    )
    .await;
    app.register("tom").await;
    for _ in 0..5 {
        assert_eq!(
            login(&app, ATTACKER, "wrong-password").await,
            (StatusCode::BAD_REQUEST, 10104)
        );
    }
    assert_eq!(
        login(&app, ATTACKER, PASSWORD).await,
        (StatusCode::TOO_MANY_REQUESTS, 10131),
        "throttled before the failover"
    );
    // The throttle reached the replica before the master dies.
    let copied: Option<i64> = ask(master_port, redis::cmd("WAIT").arg(1).arg(2000)).await;
    assert_eq!(copied, Some(1), "the replica acknowledged the writes");

    master.kill().await.expect("kill the master");
    let killed = Instant::now();
    wait_for("the Sentinel to promote the replica", || async {
        ask::<Vec<String>>(
            sentinel_port,
            redis::cmd("SENTINEL")
                .arg("get-master-addr-by-name")
                .arg(MASTER_NAME),
        )
        .await
        .is_some_and(|addr| addr.get(1) == Some(&replica_port.to_string()))
    })
    .await;
    // The same process reaches the store again through the new master. (Not the goods
    // index: it answers from the database while the store is away.)
    wait_for(
        "the API to reach the store through the new master",
        || async { app.state.kv.ping().await.is_ok() },
    )
    .await;
    eprintln!(
        "API answered {:.1} s after the master was killed",
        killed.elapsed().as_secs_f64()
    );
    assert_eq!(
        login(&app, ATTACKER, PASSWORD).await,
        (StatusCode::TOO_MANY_REQUESTS, 10131),
        "the throttle written before the failover is still honoured"
    );
    assert_eq!(
        login(&app, OWNER, PASSWORD).await.0,
        StatusCode::OK,
        "logins (which write to the store) work on the new master"
    );
    // The background workers stopped with the old master and restart after their back-off
    // (crate::jobs::supervise): /readyz says 503 until they run on the new one.
    wait_for("/readyz to answer 200 with the workers running", || async {
        let (status, body) = app.get("/readyz", None).await;
        status == StatusCode::OK && body["workers"] == "ok"
    })
    .await;
    eprintln!(
        "ready (workers running) {:.1} s after the master was killed",
        killed.elapsed().as_secs_f64()
    );
    // The job queue's own link follows too: the first SMS code asked for after the
    // failover is queued (its push is tried once more after the link moved).
    let res = app
        .send_from(
            OWNER,
            Method::POST,
            "/v1/users/sms/code",
            Some(json!({"phone": "13900000042"})),
        )
        .await;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(
        status,
        StatusCode::OK,
        "an SMS code is queued on the new master: {text}"
    );
}
