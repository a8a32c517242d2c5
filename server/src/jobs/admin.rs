//! What `dadashop jobs` shows and does: job counts per kind and state, the failed jobs with
//! their last error, and re-queueing one failed job.
//!
//! apalis 1.0 has no backend-neutral "retry a dead job" call, and the counters of
//! apalis-redis's `Metrics` read its done set with the wrong Redis type, so this module reads
//! each backend's documented layout: the `Jobs` table of apalis-sqlite, and the lists, sets
//! and hashes named by `apalis_redis::Config`.

use anyhow::Context;
use redis::AsyncCommands;

use super::{Jobs, MAIL_QUEUE, ORDER_QUEUE, QueueBackend, SMS_QUEUE, TRADE_CLOSE_QUEUE};

/// Job counts of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// `sms`, `mail`, `order_timeout` or `trade_close`.
    pub kind: &'static str,
    /// Waiting for a worker, including those waiting for a retry.
    pub pending: u64,
    /// Held by a worker now.
    pub running: u64,
    pub done: u64,
    /// Failed their last try (kept for the operator).
    pub failed: u64,
}

/// A job that failed its last try.
#[derive(Debug, Clone)]
pub struct FailedJob {
    /// The id `dadashop jobs retry` takes.
    pub id: String,
    pub kind: &'static str,
    pub attempts: u64,
    /// The last error, as the handler reported it (never a code).
    pub error: String,
}

impl Jobs {
    /// Counts of every queue.
    pub async fn stats(&self) -> anyhow::Result<Vec<QueueStats>> {
        match &self.backend {
            QueueBackend::Sqlite { pool, .. } => {
                let rows: Vec<(String, String, i64)> = sqlx09::query_as(
                    "SELECT job_type, status, COUNT(*) FROM Jobs GROUP BY job_type, status",
                )
                .fetch_all(pool)
                .await
                .context("job queue")?;
                let mut out = Vec::new();
                for kind in [SMS_QUEUE, MAIL_QUEUE, ORDER_QUEUE, TRADE_CLOSE_QUEUE] {
                    let mut s = QueueStats {
                        kind,
                        ..QueueStats::default()
                    };
                    for (_, status, n) in rows.iter().filter(|(t, _, _)| t == kind) {
                        let n = u64::try_from(*n).unwrap_or(0);
                        match status.as_str() {
                            "Running" => s.running += n,
                            "Done" => s.done += n,
                            "Killed" => s.failed += n,
                            _ => s.pending += n,
                        }
                    }
                    out.push(s);
                }
                Ok(out)
            }
            QueueBackend::Redis {
                conn,
                sms,
                mail,
                orders,
                closes,
            } => {
                let mut out = Vec::new();
                for (kind, config) in [
                    (SMS_QUEUE, sms.get_config()),
                    (MAIL_QUEUE, mail.get_config()),
                    (ORDER_QUEUE, orders.get_config()),
                    (TRADE_CLOSE_QUEUE, closes.get_config()),
                ] {
                    let mut c = conn.clone();
                    let active: u64 = c.llen(config.active_jobs_list()).await?;
                    let scheduled: u64 = c.zcard(config.scheduled_jobs_set()).await?;
                    let done: u64 = c.scard(config.done_jobs_set()).await?;
                    let failed: u64 = c.scard(config.dead_jobs_set()).await?;
                    let pattern = format!("{}:*", config.inflight_jobs_set());
                    let sets: Vec<String> = {
                        let mut iter: redis::AsyncIter<String> = c.scan_match(&pattern).await?;
                        let mut v = Vec::new();
                        while let Some(key) = iter.next_item().await {
                            v.push(key?);
                        }
                        v
                    };
                    let mut running = 0u64;
                    for set in sets {
                        let n: u64 = c.scard(set).await?;
                        running += n;
                    }
                    out.push(QueueStats {
                        kind,
                        pending: active + scheduled,
                        running,
                        done,
                        failed,
                    });
                }
                Ok(out)
            }
        }
    }

    /// Up to `limit` failed jobs of each kind, newest first on SQLite.
    pub async fn failed(&self, limit: usize) -> anyhow::Result<Vec<FailedJob>> {
        let mut out = Vec::new();
        match &self.backend {
            QueueBackend::Sqlite { pool, .. } => {
                let rows: Vec<(String, String, i64, Option<String>)> = sqlx09::query_as(
                    "SELECT id, job_type, attempts, CAST(last_result AS TEXT) FROM Jobs \
                     WHERE status = 'Killed' ORDER BY done_at DESC LIMIT ?",
                )
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(pool)
                .await
                .context("job queue")?;
                for (id, kind, attempts, error) in rows {
                    out.push(FailedJob {
                        id,
                        kind: [SMS_QUEUE, MAIL_QUEUE, ORDER_QUEUE, TRADE_CLOSE_QUEUE]
                            .into_iter()
                            .find(|k| *k == kind)
                            .unwrap_or(MAIL_QUEUE),
                        attempts: u64::try_from(attempts).unwrap_or(0),
                        error: error.unwrap_or_default(),
                    });
                }
            }
            QueueBackend::Redis {
                conn,
                sms,
                mail,
                orders,
                closes,
            } => {
                for (kind, config) in [
                    (SMS_QUEUE, sms.get_config()),
                    (MAIL_QUEUE, mail.get_config()),
                    (ORDER_QUEUE, orders.get_config()),
                    (TRADE_CLOSE_QUEUE, closes.get_config()),
                ] {
                    let mut c = conn.clone();
                    let ids: Vec<String> = c.smembers(config.dead_jobs_set()).await?;
                    for id in ids.into_iter().take(limit) {
                        let meta = format!("{}:{id}", config.job_meta_hash());
                        let (error, attempts): (Option<String>, Option<u64>) = redis::pipe()
                            .hget(&meta, "result")
                            .hget(&meta, "attempts")
                            .query_async(&mut c)
                            .await?;
                        out.push(FailedJob {
                            id,
                            kind,
                            attempts: attempts.unwrap_or(0),
                            error: error.unwrap_or_default(),
                        });
                    }
                }
            }
        }
        Ok(out)
    }

    /// Queues the failed job `id` again with a fresh count of tries; `false` when no failed
    /// job has that id.
    pub async fn retry(&self, id: &str) -> anyhow::Result<bool> {
        match &self.backend {
            QueueBackend::Sqlite { pool, .. } => {
                let done = sqlx09::query(
                    "UPDATE Jobs SET status = 'Pending', attempts = 0, run_at = strftime('%s', 'now'), \
                     lock_by = NULL, lock_at = NULL, done_at = NULL WHERE id = ? AND status IN ('Killed', 'Failed')",
                )
                .bind(id)
                .execute(pool)
                .await
                .context("job queue")?;
                Ok(done.rows_affected() == 1)
            }
            QueueBackend::Redis {
                conn,
                sms,
                mail,
                orders,
                closes,
            } => {
                for config in [
                    sms.get_config(),
                    mail.get_config(),
                    orders.get_config(),
                    closes.get_config(),
                ] {
                    let mut c = conn.clone();
                    let removed: u64 = c.srem(config.dead_jobs_set(), id).await?;
                    if removed == 0 {
                        continue;
                    }
                    let meta = format!("{}:{id}", config.job_meta_hash());
                    let _: () = redis::pipe()
                        .atomic()
                        .hset(&meta, "attempts", 0)
                        .hset(&meta, "status", "Pending")
                        .rpush(config.active_jobs_list(), id)
                        .del(config.signal_list())
                        .lpush(config.signal_list(), 1)
                        .query_async(&mut c)
                        .await?;
                    return Ok(true);
                }
                Ok(false)
            }
        }
    }
}
