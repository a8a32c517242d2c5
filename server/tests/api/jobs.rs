//! The background jobs: retries after provider failures, jobs that wait for a worker, a
//! worker killed mid-job, redeliveries, failed jobs kept and re-queued, several workers on
//! one queue (in process and as separate `dadashop worker` processes).

use std::time::Duration;

use dadashop_fakes::sms::Switches;
use dadashop_server::jobs::SmsJob;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, Options, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_provider_failure_is_retried_until_the_sms_is_sent,
    a_job_queued_while_no_worker_runs_is_sent_when_one_starts,
    a_redelivered_job_sends_nothing_twice,
    a_job_failing_every_try_is_kept_and_can_be_retried,
    a_job_survives_a_worker_killed_mid_job,
    several_workers_share_one_queue_and_run_each_job_once,
    worker_processes_share_one_queue_and_run_each_job_once,
);

fn sms_options(no_worker: bool) -> Options {
    Options {
        fake_sms: true,
        no_worker,
        ..Options::default()
    }
}

/// A job for `phone` with a fresh key, code `123456`.
fn job(app: &TestApp, phone: &str) -> SmsJob {
    SmsJob {
        key: uuid::Uuid::new_v4().to_string(),
        phone: phone.to_owned(),
        code: app.state.jobs.seal("123456"),
        minutes: 5,
    }
}

/// Polls `check` every 50 ms for up to 90 s (worker processes start slowly on a busy CI).
async fn wait_until<F: Fn() -> bool>(what: &str, check: F) {
    for _ in 0..1800 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn a_provider_failure_is_retried_until_the_sms_is_sent(b: Backend) {
    let app = TestApp::spawn_with(b, sms_options(false)).await;
    let fake = app.sms.clone().expect("fake");
    fake.set(Switches {
        fail_next: 2,
        ..Switches::default()
    });
    app.sms_code("13812345678").await;
    assert_eq!(fake.requests(), 3, "two refusals, then the message");
    // A provider that answers HTTP 500, then is down for a while, is retried too.
    fake.set(Switches {
        http_500: true,
        ..Switches::default()
    });
    app.state
        .jobs
        .push_sms(job(&app, "13912345678"))
        .await
        .expect("push");
    wait_until("the provider saw a try", || fake.requests() >= 4).await;
    fake.set(Switches::default());
    app.wait_for_sms("13912345678", 1).await;
}

async fn a_job_queued_while_no_worker_runs_is_sent_when_one_starts(b: Backend) {
    let mut app = TestApp::spawn_with(b, sms_options(true)).await;
    let (status, body) = app
        .post("/v1/users/sms/code", json!({"phone": "13812345678"}), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    tokio::time::sleep(Duration::from_millis(800)).await;
    let fake = app.sms.clone().expect("fake");
    assert_eq!(fake.requests(), 0, "no worker, no send");
    let stats = app.state.jobs.stats().await.expect("stats");
    assert_eq!(stats[0].pending, 1, "{stats:?}");
    app.start_worker();
    app.wait_for_sms("13812345678", 1).await;
    wait_done(&app, 1).await;
}

/// Waits until `n` SMS jobs are done.
async fn wait_done(app: &TestApp, n: u64) {
    for _ in 0..600 {
        let stats = app.state.jobs.stats().await.expect("stats");
        if stats[0].done >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{n} done SMS jobs expected: {:?}",
        app.state.jobs.stats().await
    );
}

async fn a_redelivered_job_sends_nothing_twice(b: Backend) {
    let app = TestApp::spawn_with(b, sms_options(false)).await;
    let same = job(&app, "13812345678");
    app.state.jobs.push_sms(same.clone()).await.expect("push");
    app.wait_for_sms("13812345678", 1).await;
    // The broker hands the same job out again (a lost acknowledgement, a worker restart).
    app.state.jobs.push_sms(same.clone()).await.expect("push");
    app.state.jobs.push_sms(same).await.expect("push");
    wait_done(&app, 3).await;
    let fake = app.sms.clone().expect("fake");
    assert_eq!(fake.messages_to("13812345678").len(), 1);
    assert_eq!(fake.requests(), 1, "the provider was called once");
}

async fn a_job_failing_every_try_is_kept_and_can_be_retried(b: Backend) {
    let app = TestApp::spawn_with(
        b,
        Options {
            tweak: Some(|s| s.job_max_attempts = 5),
            ..sms_options(false)
        },
    )
    .await;
    let fake = app.sms.clone().expect("fake");
    fake.set(Switches {
        fail_next: 1000,
        ..Switches::default()
    });
    app.state
        .jobs
        .push_sms(job(&app, "13812345678"))
        .await
        .expect("push");
    let mut failed = Vec::new();
    for _ in 0..400 {
        failed = app.state.jobs.failed(10).await.expect("failed");
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failed.len(), 1, "kept as failed");
    assert_eq!(fake.requests(), 5, "JOB_MAX_ATTEMPTS tries");
    assert!(
        failed[0].error.contains("160000"),
        "the provider's last error: {}",
        failed[0].error
    );
    assert!(!failed[0].error.contains("123456"), "never the code");
    let stats = app.state.jobs.stats().await.expect("stats");
    assert_eq!((stats[0].failed, stats[0].done), (1, 0), "{stats:?}");
    let report = dadashop_server::cli::jobs_report(&app.state.jobs)
        .await
        .expect("report");
    assert!(report.contains(&failed[0].id), "{report}");

    fake.set(Switches::default());
    assert!(app.state.jobs.retry(&failed[0].id).await.expect("retry"));
    assert!(!app.state.jobs.retry("no-such-job").await.expect("retry"));
    app.wait_for_sms("13812345678", 1).await;
    wait_done(&app, 1).await;
    assert!(app.state.jobs.failed(10).await.expect("failed").is_empty());
}

async fn a_job_survives_a_worker_killed_mid_job(b: Backend) {
    let mut app = TestApp::spawn_with(b, sms_options(true)).await;
    let fake = app.sms.clone().expect("fake");
    // The provider stalls past the HTTP time-out... but the worker is killed first.
    fake.set(Switches {
        delay_ms: 1500,
        ..Switches::default()
    });
    let first = app.start_worker();
    app.state
        .jobs
        .push_sms(job(&app, "13812345678"))
        .await
        .expect("push");
    wait_until("the worker is sending", || fake.requests() >= 1).await;
    app.kill_worker(first);
    fake.set(Switches::default());
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert!(
        fake.messages_to("13812345678").is_empty(),
        "the killed send did not complete"
    );
    app.start_worker();
    app.wait_for_sms("13812345678", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.messages_to("13812345678").len(), 1);
}

async fn several_workers_share_one_queue_and_run_each_job_once(b: Backend) {
    let mut app = TestApp::spawn_with(b, sms_options(false)).await;
    app.start_worker();
    app.start_worker();
    let phones: Vec<String> = (0..30).map(|i| format!("139000{i:05}")).collect();
    for phone in &phones {
        app.state
            .jobs
            .push_sms(job(&app, phone))
            .await
            .expect("push");
    }
    let fake = app.sms.clone().expect("fake");
    wait_until("every job ran", || fake.messages().len() >= phones.len()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.messages().len(), phones.len());
    assert_eq!(fake.requests(), phones.len() as u64, "no job ran twice");
}

async fn worker_processes_share_one_queue_and_run_each_job_once(b: Backend) {
    let app = TestApp::spawn_with(b, sms_options(true)).await;
    let fake = app.sms.clone().expect("fake");
    let s = app.settings();
    let mut children = Vec::new();
    for _ in 0..2 {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_dadashop"));
        cmd.arg("worker")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DADASHOP_ENV", "test")
            .env("DATABASE_URL", &s.database_url)
            .env("JWT_SECRET", s.jwt_secret.clone().unwrap_or_default())
            .env("KV_PREFIX", &s.kv_prefix)
            .env("DATA_DIR", &s.data_dir)
            .env("SMS_PROVIDER", "ronglian")
            .env("RONGLIAN_BASE_URL", fake.url())
            .env("RONGLIAN_ACCOUNT_SID", &fake.config().account_sid)
            .env("RONGLIAN_AUTH_TOKEN", &fake.config().auth_token)
            .env("RONGLIAN_APP_ID", &fake.config().app_id)
            .env("MAIL_TRANSPORT", "console")
            .env("JOB_BACKOFF_MS", "50")
            .env("JOB_BACKOFF_MAX_SECS", "1")
            .env("RUST_LOG", "warn")
            .kill_on_drop(true);
        if let Some(redis) = &s.redis_url {
            cmd.env("REDIS_URL", redis);
        }
        if let Some(jobs) = &s.jobs_database_url {
            cmd.env("JOBS_DATABASE_URL", jobs);
        }
        children.push(cmd.spawn().expect("dadashop worker starts"));
    }
    let phones: Vec<String> = (0..30).map(|i| format!("137000{i:05}")).collect();
    for phone in &phones {
        app.state
            .jobs
            .push_sms(job(&app, phone))
            .await
            .expect("push");
    }
    wait_until("every job ran", || fake.messages().len() >= phones.len()).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.requests(), phones.len() as u64, "no job ran twice");
    for mut child in children {
        let _ = child.kill().await;
    }
}
