//! Jobs per second through the queue with the console sinks (`bench/jobs.sh` runs it).
//!
//! Queues `JOBS` SMS jobs (default 2 000) on the backend the environment configures
//! (`REDIS_URL` for Redis, else the SQLite queue beside `DATABASE_URL`), then runs the
//! workers of one process until every job is done, and prints the enqueue rate and the
//! end-to-end rate. The console SMS sink prints each message: send standard output to
//! /dev/null to measure the queue rather than the terminal.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use dadashop_server::config::Settings;
use dadashop_server::jobs::{JobContext, Jobs, SmsJob};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: u64 = std::env::var("JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let settings = Settings::load()?.validate()?;
    let db = dadashop_server::app::open_database(&settings).await?;
    let jobs = Jobs::connect(&settings).await?;
    let backend = if settings.redis_url.is_some() {
        "redis"
    } else {
        "sqlite"
    };
    let done_before = jobs.stats().await?[0].done;

    let start = Instant::now();
    for i in 0..n {
        let job = SmsJob {
            key: uuid::Uuid::new_v4().to_string(),
            phone: format!("139{i:08}"),
            code: jobs.seal("123456"),
            minutes: 5,
        };
        jobs.push_sms(job).await.context("push")?;
    }
    let enqueued = start.elapsed();

    let ctx = JobContext::new(&settings, db)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let workers = tokio::spawn(dadashop_server::jobs::run_workers(
        Arc::new(settings.clone()),
        ctx,
        jobs.clone(),
        async {
            let _ = rx.await;
        },
    ));
    let run = Instant::now();
    loop {
        let done = jobs.stats().await?[0].done - done_before;
        if done >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let processed = run.elapsed();
    let _ = tx.send(());
    let _ = workers.await;
    #[expect(clippy::cast_precision_loss, reason = "job counts are small")]
    let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64();
    eprintln!(
        "{backend}: {n} jobs queued in {:.2} s ({:.0} jobs/s); processed in {:.2} s ({:.0} jobs/s) with JOB_CONCURRENCY={}",
        enqueued.as_secs_f64(),
        rate(enqueued),
        processed.as_secs_f64(),
        rate(processed),
        settings.job_concurrency
    );
    Ok(())
}
