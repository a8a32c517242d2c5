//! The optional read replica (`DATABASE_REPLICA_URL`) and when catalog reads may use it.
//!
//! Only catalog reads go to the replica: the goods index, lists, detail, SKU switch, the rows
//! behind search hits, the product and catalog pages of the web origin and the sitemap
//! (crate::routes::goods, crate::web). They are single statements outside any transaction,
//! in requests that write nothing. Everything else (carts, orders, payments, accounts, the
//! browsing history, every transaction, the search index rebuild) reads the primary, so a
//! shopper always sees their own writes.
//!
//! The replica serves only while it is *usable*: a monitor task asks it every
//! [`CHECK_INTERVAL`] for `SHOW SLAVE STATUS` and marks it unusable when it does not answer,
//! when replication is stopped or broken (`Seconds_Behind_Master` is NULL), or when the delay
//! is over `DATABASE_REPLICA_MAX_LAG_SECS`. A catalog read that fails on the replica marks it
//! unusable at once and is run again on the primary, so a replica that dies between two
//! checks costs no failed request. A server that is not a binlog replica (no status row:
//! Galera, a proxy in front of replicas) cannot report a delay; it is used, and the start-up
//! log says so.
//!
//! Goods changes: the goods generation token (crate::catalog) carries the time of the last
//! change. For [`CHECK_INTERVAL`] plus the lag bound after it, catalog reads go to the
//! primary: a replica within the bound may not have the change yet, and an answer read
//! there would be cached under the new generation and served stale until the next change.
//!
//! The replica's database user needs `SELECT` on the shop's database and the privilege to
//! run `SHOW SLAVE STATUS` (`SLAVE MONITOR` on MariaDB 10.5.9+, `REPLICATION CLIENT` on
//! MySQL). Without the latter every check fails and reads stay on the primary (logged).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::AnyPoolOptions;
use sqlx::mysql::{MySqlPool, MySqlPoolOptions};
use sqlx::{AnyPool, Row as _};

/// How often the monitor asks the replica for its replication state.
pub const CHECK_INTERVAL: Duration = Duration::from_secs(1);

/// Longest wait for one answer of the replica's monitor check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// A read replica and what the monitor last saw of it.
#[derive(Debug)]
pub struct Replica {
    pool: AnyPool,
    monitor: MySqlPool,
    max_lag: Duration,
    usable: AtomicBool,
    /// Last delay seen, in seconds; -1 when unknown.
    lag_secs: AtomicI64,
    /// The last state change was logged as this (so each change is logged once).
    reported_usable: AtomicBool,
}

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplicaHealth {
    /// Replicating, `lag` seconds behind.
    Replicating { lag: u64 },
    /// Answers but is not a binlog replica: its delay is unknown.
    NotAReplica,
    /// Replication stopped or broken (`Seconds_Behind_Master` NULL).
    Stopped,
}

impl Replica {
    /// A replica at `url` (`mysql://...`), used while its delay is at most `max_lag`.
    /// Connections are made when first needed, so a replica that is down at start does not
    /// stop the API: it starts unusable and the monitor picks it up when it answers.
    ///
    /// # Errors
    /// Only for a URL that cannot be parsed.
    pub fn open(url: &str, max_lag: Duration) -> anyhow::Result<Arc<Self>> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(2))
            .connect_lazy(url)
            .with_context(|| format!("DATABASE_REPLICA_URL {}", super::redact(url)))?;
        let monitor = MySqlPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(CHECK_TIMEOUT)
            .connect_lazy(url)
            .with_context(|| format!("DATABASE_REPLICA_URL {}", super::redact(url)))?;
        Ok(Arc::new(Self {
            pool,
            monitor,
            max_lag,
            usable: AtomicBool::new(false),
            lag_secs: AtomicI64::new(-1),
            reported_usable: AtomicBool::new(false),
        }))
    }

    /// The replica's pool, for catalog reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether the last check found the replica answering and within the lag bound.
    pub fn is_usable(&self) -> bool {
        self.usable.load(Ordering::Relaxed)
    }

    /// The bound on the replica's delay.
    pub fn max_lag(&self) -> Duration {
        self.max_lag
    }

    /// Marks the replica unusable until the next good check (a read failed there).
    pub fn mark_down(&self, why: &str) {
        if self.usable.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                reason = why,
                "catalog reads go to the primary: the replica failed a read"
            );
            self.reported_usable.store(false, Ordering::Relaxed);
            metrics::gauge!("db_replica_usable").set(0.0);
        }
    }

    /// Asks the replica for its replication state once.
    ///
    /// # Errors
    /// The replica did not answer within [`CHECK_TIMEOUT`] or refused the statement.
    pub async fn check_once(&self) -> anyhow::Result<ReplicaHealth> {
        let rows = tokio::time::timeout(
            CHECK_TIMEOUT,
            sqlx::query("SHOW SLAVE STATUS").fetch_all(&self.monitor),
        )
        .await
        .context("the replica did not answer within 2 s")?
        .context("SHOW SLAVE STATUS on the replica")?;
        let Some(row) = rows.first() else {
            return Ok(ReplicaHealth::NotAReplica);
        };
        let lag: Option<u64> = row
            .try_get("Seconds_Behind_Master")
            .context("reading Seconds_Behind_Master")?;
        Ok(match lag {
            Some(lag) => ReplicaHealth::Replicating { lag },
            None => ReplicaHealth::Stopped,
        })
    }

    /// Runs one check and records its outcome (usable or not, the delay, a log line when
    /// the state changes, the `db_replica_usable` and `db_replica_lag_seconds` gauges).
    pub async fn check(&self) {
        let outcome = self.check_once().await;
        let (usable, lag, reason) = match &outcome {
            Ok(ReplicaHealth::Replicating { lag }) => (
                Duration::from_secs(*lag) <= self.max_lag,
                i64::try_from(*lag).unwrap_or(i64::MAX),
                format!("{lag} s behind the primary"),
            ),
            Ok(ReplicaHealth::NotAReplica) => (
                true,
                -1,
                "not a binlog replica: its delay cannot be measured".to_owned(),
            ),
            Ok(ReplicaHealth::Stopped) => (false, -1, "replication is stopped".to_owned()),
            Err(e) => (false, -1, format!("{e:#}")),
        };
        self.lag_secs.store(lag, Ordering::Relaxed);
        self.usable.store(usable, Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!("db_replica_lag_seconds").set(lag as f64);
        metrics::gauge!("db_replica_usable").set(if usable { 1.0 } else { 0.0 });
        if self.reported_usable.swap(usable, Ordering::Relaxed) != usable {
            if usable {
                tracing::info!(state = %reason, "catalog reads go to the replica");
            } else {
                tracing::warn!(state = %reason, "catalog reads go to the primary");
            }
        }
    }

    /// Checks at once, then every [`CHECK_INTERVAL`], for as long as the process runs.
    pub fn spawn_monitor(self: &Arc<Self>) {
        let replica = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECK_INTERVAL);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                replica.check().await;
            }
        });
    }
}

/// An error of a catalog read: whether the server failed (worth asking the primary) or the
/// read found a business answer such as "no such product" (final).
pub trait ReadFailure {
    /// What went wrong, when the server failed; `None` for a business answer.
    fn outage(&self) -> Option<String>;
}

impl ReadFailure for sqlx::Error {
    fn outage(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ReadFailure for anyhow::Error {
    fn outage(&self) -> Option<String> {
        Some(format!("{self:#}"))
    }
}

impl ReadFailure for crate::error::ApiError {
    fn outage(&self) -> Option<String> {
        match self {
            Self::Unavailable(e) | Self::Internal(e) => Some(format!("{e:#}")),
            _ => None,
        }
    }
}

/// Where a catalog read goes: the primary, and the replica when it may serve.
#[derive(Debug, Clone)]
pub struct CatalogReads<'a> {
    primary: &'a AnyPool,
    replica: Option<&'a Replica>,
}

impl<'a> CatalogReads<'a> {
    /// Reads for a request under the goods generation changed at `changed_at_ms` (Unix
    /// milliseconds; `None` when unknown): the replica when there is one, it is usable, and
    /// the change is older than the lag bound plus one check interval.
    pub fn new(
        primary: &'a AnyPool,
        replica: Option<&'a Replica>,
        changed_at_ms: Option<i64>,
        now_ms: i64,
    ) -> Self {
        let replica = replica.filter(|r| {
            let settle = r.max_lag() + CHECK_INTERVAL;
            let settled = changed_at_ms.is_none_or(|at| {
                now_ms.saturating_sub(at) > i64::try_from(settle.as_millis()).unwrap_or(i64::MAX)
            });
            settled && r.is_usable()
        });
        Self { primary, replica }
    }

    /// Whether this read will go to the replica.
    pub fn uses_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// Runs `read` on the replica when it may serve, and again on the primary when that
    /// fails (marking the replica down); on the primary otherwise.
    ///
    /// # Errors
    /// The error of the read on the primary.
    pub async fn run<T, E, F, Fut>(&self, read: F) -> Result<T, E>
    where
        F: Fn(AnyPool) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: ReadFailure,
    {
        if let Some(replica) = self.replica {
            match read(replica.pool().clone()).await {
                Ok(value) => {
                    metrics::counter!("db_catalog_reads_total", "server" => "replica").increment(1);
                    return Ok(value);
                }
                Err(e) => match e.outage() {
                    Some(why) => replica.mark_down(&why),
                    // An answer such as "no such product": the primary would say the same.
                    None => return Err(e),
                },
            }
        }
        metrics::counter!("db_catalog_reads_total", "server" => "primary").increment(1);
        read(self.primary.clone()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_stay_on_the_primary_while_a_change_may_not_have_reached_the_replica() {
        sqlx::any::install_default_drivers();
        let primary = AnyPoolOptions::new()
            .connect_lazy("sqlite::memory:")
            .expect("pool");
        let replica =
            Replica::open("mysql://u:p@127.0.0.1:1/shop", Duration::from_secs(5)).expect("replica");
        // Not yet checked: unusable.
        assert!(!CatalogReads::new(&primary, Some(&replica), None, 0).uses_replica());
        replica.usable.store(true, Ordering::Relaxed);
        let now = 1_000_000;
        assert!(CatalogReads::new(&primary, Some(&replica), None, now).uses_replica());
        // A change 3 s ago: within 5 s + 1 s, primary.
        assert!(
            !CatalogReads::new(&primary, Some(&replica), Some(now - 3_000), now).uses_replica()
        );
        assert!(
            !CatalogReads::new(&primary, Some(&replica), Some(now - 6_000), now).uses_replica()
        );
        assert!(CatalogReads::new(&primary, Some(&replica), Some(now - 6_001), now).uses_replica());
        // A failed read marks it down and goes to the primary.
        let reads = CatalogReads::new(&primary, Some(&replica), None, now);
        let answer = reads
            .run(|pool| async move {
                sqlx::query_scalar::<_, i64>("SELECT 7")
                    .fetch_one(&pool)
                    .await
            })
            .await;
        assert_eq!(answer.ok(), Some(7));
        assert!(!replica.is_usable());
        // A replica that does not answer fails its check and stays unusable.
        replica.check().await;
        assert!(!replica.is_usable());
    }
}
