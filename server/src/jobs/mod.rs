//! Background jobs (issue #6): SMS codes and mails leave the request path through apalis 1.0
//! queues and are sent by workers, as the original's Celery workers did.
//!
//! - **Broker.** With `REDIS_URL`, apalis-redis (Redis is the broker, like Celery's); without,
//!   apalis-sqlite in a SQLite file beside the shop's database ([`Settings::jobs_sqlite_url`]).
//!   On MySQL without Redis, `serve`, `worker` and `jobs` refuse to start and ask for
//!   `REDIS_URL` (`migrate` and `seed-demo` still work): apalis-mysql exists only as a
//!   release candidate and would share the shop's migration table.
//! - **Queues.** One per job kind, [`SMS_QUEUE`], [`MAIL_QUEUE`], [`ORDER_QUEUE`] (order
//!   time-outs, delayed until the order's payment deadline: [`orders`]) and
//!   [`TRADE_CLOSE_QUEUE`] (`alipay.trade.close` for a cancelled order: [`orders`]), named
//!   `<KV_PREFIX>jobs:<kind>` on Redis so that shops (and tests) sharing a Redis stay apart.
//! - **Workers.** [`run_workers`] runs one apalis worker per queue, each with a unique name
//!   (host, process id and a random suffix: apalis-redis refuses a name still registered).
//!   `dadashop serve` runs them in process unless `--no-worker`; `dadashop worker` runs them
//!   alone, so several processes on several machines share the queues.
//! - **Outages.** A worker, the sweep or the reconciliation that fails because Redis or the
//!   database is down is restarted with exponential back-off for as long as the outage lasts
//!   ([`supervise`]); `/readyz` answers 503 while a loop of the process is down
//!   ([`Jobs::health`]). [`run_workers`] returns an error only when the workers cannot run at
//!   all (bad settings, a loop that panicked), so that `dadashop worker` exits non-zero and its
//!   service manager restarts it.
//! - **Delivery.** At least once: a job whose worker dies mid-run is queued again after
//!   `JOB_ORPHAN_AFTER_SECS` without heartbeats. A failed try is retried in the worker with
//!   exponential back-off (`JOB_BACKOFF_MS` doubling up to `JOB_BACKOFF_MAX_SECS`, with
//!   jitter) up to `JOB_MAX_ATTEMPTS` tries; the last failure is kept as a failed job with its
//!   error (`dadashop jobs`), and `dadashop jobs retry <id>` queues it again.
//! - **Idempotence.** Every job carries a key; its handler claims the key in `job_runs`
//!   ([`crate::db::jobs`]) before sending and marks it done after, so a redelivered job sends
//!   nothing twice.
//! - **Secrets.** Codes and activation links travel sealed ([`seal`]); nothing about a code
//!   is logged.

pub mod admin;
pub mod mail;
pub mod orders;
pub mod pictures;
pub mod seal;
pub mod sms;
pub mod supervise;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use apalis::layers::retry::RetryPolicy;
use apalis::prelude::{
    AbortError, Attempt, BackendExt, BoxDynError, Data, Monitor, TaskSink, WorkerBuilder,
    WorkerBuilderExt,
};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;

use crate::config::Settings;
use crate::db::jobs::Claim;
use crate::redis_link::RedisLink;
use mail::{MailError, Mailer};
use seal::Sealer;
use sms::SmsSender;
use supervise::WorkerHealth;

/// The queue of SMS jobs.
pub const SMS_QUEUE: &str = "sms";
/// The queue of mail jobs.
pub const MAIL_QUEUE: &str = "mail";
/// The queue of order time-out jobs (delayed until the payment deadline).
pub const ORDER_QUEUE: &str = "order_timeout";
/// The queue of trade closes: `alipay.trade.close` for each unpaid order cancelled while
/// online payment is on ([`orders`]).
pub const TRADE_CLOSE_QUEUE: &str = "trade_close";
/// Seconds a worker's claim on a job run holds beyond the longest send (the larger of
/// `RONGLIAN_TIMEOUT_SECS` and `SMTP_TIMEOUT_SECS`) before another worker may take it over.
pub const CLAIM_MARGIN_SECS: u64 = 5;
/// How long finished job runs are remembered for deduplication, in seconds (7 days).
pub const RUNS_KEPT_SECS: i64 = 7 * 86_400;

/// Send an SMS verification code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmsJob {
    /// Idempotency key (a UUID made when the job is queued).
    pub key: String,
    /// 11-digit mainland mobile number.
    pub phone: String,
    /// The 6-digit code, sealed ([`Sealer`]).
    pub code: String,
    /// The code's lifetime told to the shopper, in minutes.
    pub minutes: u64,
}

/// Send a mail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailJob {
    /// Idempotency key (a UUID made when the job is queued).
    pub key: String,
    /// Recipient address.
    pub to: String,
    /// What the mail says.
    pub body: MailBody,
}

/// The kinds of mail the shop sends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailBody {
    /// The activation link of a new account.
    Activation {
        username: String,
        /// The link, sealed.
        link: String,
    },
    /// A 6-digit password-reset code. Queued for any address asked for (the request does the
    /// same work either way); sent only when an account uses the address at sending time.
    ResetCode {
        /// The code, sealed.
        code: String,
        /// Its lifetime, in minutes.
        minutes: u64,
    },
}

/// Cancel an order that is still unpaid at its payment deadline, returning its stock
/// ([`orders`]). Harmless when it runs twice, late, or after the order was paid or cancelled.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderTimeoutJob {
    pub order_id: String,
    /// The order's payment deadline, Unix seconds.
    pub deadline: i64,
}

/// Close the Alipay trade of a cancelled order (`alipay.trade.close`), so that a pay URL
/// handed out before the cancel can no longer pay ([`orders`]). Harmless when it runs twice
/// or after the sweep closed the trade: it acts only while the order's `trade_close_due` is
/// set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TradeCloseJob {
    /// The cancelled order (`out_trade_no`).
    pub order_id: String,
}

/// A job could not be queued (the broker is down); callers answer 503.
#[derive(Debug, thiserror::Error)]
#[error("job queue: {0}")]
pub struct QueueError(String);

/// The queues, for enqueueing (API) and consuming (workers); cheap to clone.
#[derive(Clone)]
pub struct Jobs {
    backend: QueueBackend,
    sealer: Sealer,
    health: WorkerHealth,
}

#[derive(Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per process, chosen at start; the two variants differ by a couple of \
              hundred bytes of storage handles, not worth a box on every queue access"
)]
enum QueueBackend {
    Redis {
        conn: RedisLink,
        sms: RedisStorage<SmsJob, RedisLink>,
        mail: RedisStorage<MailJob, RedisLink>,
        orders: RedisStorage<OrderTimeoutJob, RedisLink>,
        closes: RedisStorage<TradeCloseJob, RedisLink>,
    },
    Sqlite {
        pool: apalis_sqlite::SqlitePool,
        sms: SqliteStorage<SmsJob>,
        mail: SqliteStorage<MailJob>,
        orders: SqliteStorage<OrderTimeoutJob>,
        closes: SqliteStorage<TradeCloseJob>,
    },
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            QueueBackend::Redis { .. } => "redis",
            QueueBackend::Sqlite { .. } => "sqlite",
        };
        f.debug_struct("Jobs").field("backend", &kind).finish()
    }
}

/// How often a worker beats its heart. An idle apalis 1.0 worker looked for new jobs only
/// when its heartbeat fired (seen with a 100 s heartbeat: a job queued by the API waited for
/// the next beat, the poll interval of `JOB_POLL_MS` alone did not wake the fetch), so this
/// is also the longest a job waits for an idle worker.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// Missed heartbeats after which a worker counts as dead and its jobs are queued again:
/// `JOB_ORPHAN_AFTER_SECS` worth of [`HEARTBEAT`]s.
fn missed_heartbeats(orphan: Duration) -> usize {
    usize::try_from((orphan.as_millis() / HEARTBEAT.as_millis()).max(2)).unwrap_or(usize::MAX)
}

/// The name of queue `kind` on Redis: under `KV_PREFIX`.
fn redis_queue(settings: &Settings, kind: &str) -> String {
    format!("{}jobs:{kind}", settings.kv_prefix)
}

/// Pushes `$job` onto the queue `$field` of `$jobs`' backend (tried once more on Redis,
/// [`push_on_redis`]) within the push time-out: the one body of [`Jobs::push_sms`],
/// [`Jobs::push_mail`] and [`Jobs::close_trade`].
macro_rules! push_to {
    ($jobs:expr, $field:ident, $job:expr) => {{
        let job = $job;
        let push = async {
            match &$jobs.backend {
                QueueBackend::Redis { $field, .. } => {
                    push_on_redis(|| {
                        let (mut storage, job) = ($field.clone(), job.clone());
                        async move { storage.push(job).await }
                    })
                    .await
                }
                QueueBackend::Sqlite { $field, .. } => {
                    $field.clone().push(job).await.map_err(|e| e.to_string())
                }
            }
        };
        within_push_timeout(push).await
    }};
}

impl Jobs {
    /// Connects the broker of `settings`: Redis when `REDIS_URL` is set, else the SQLite
    /// queue file (created and migrated when missing).
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let secret = settings
            .jwt_secret
            .as_deref()
            .context("JWT secret missing: call Settings::validate first")?;
        let sealer = Sealer::new(secret.as_bytes());
        let orphan = Duration::from_secs(settings.job_orphan_after_secs);
        let backend = match &settings.redis_url {
            Some(url) => {
                // The redis crate's answer and connect time-outs (500 ms, 1 s), as
                // `apalis_redis::connect` has them, but one reconnection attempt instead of
                // six with back-off: a dead master must fail the command quickly, so that
                // the link asks the Sentinels for the new one (crate::redis_link) well
                // within PUSH_TIMEOUT.
                let config = redis::aio::ConnectionManagerConfig::new().set_number_of_retries(1);
                let conn = RedisLink::connect(url, config).await.with_context(|| {
                    format!(
                        "could not connect the job queue to REDIS_URL {}",
                        crate::db::redact(url)
                    )
                })?;
                let config = |kind: &str| {
                    apalis_redis::Config::default()
                        .queue(redis_queue(settings, kind))
                        .heartbeat_interval(HEARTBEAT)
                        .missed_heartbeats(missed_heartbeats(orphan))
                };
                QueueBackend::Redis {
                    sms: RedisStorage::new(conn.clone()).with_config(config(SMS_QUEUE)),
                    mail: RedisStorage::new(conn.clone()).with_config(config(MAIL_QUEUE)),
                    orders: RedisStorage::new(conn.clone()).with_config(config(ORDER_QUEUE)),
                    closes: RedisStorage::new(conn.clone()).with_config(config(TRADE_CLOSE_QUEUE)),
                    conn,
                }
            }
            None => {
                let url = settings.jobs_sqlite_url().context(
                    "background jobs on MySQL need Redis as their broker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)",
                )?;
                let pool = open_sqlite_queue(&url).await?;
                let config = |kind: &str| {
                    apalis_sqlite::Config::default()
                        .queue(kind)
                        .heartbeat_interval(HEARTBEAT)
                        .missed_heartbeats(missed_heartbeats(orphan))
                };
                QueueBackend::Sqlite {
                    sms: SqliteStorage::new(&pool).with_config(config(SMS_QUEUE)),
                    mail: SqliteStorage::new(&pool).with_config(config(MAIL_QUEUE)),
                    orders: SqliteStorage::new(&pool).with_config(config(ORDER_QUEUE)),
                    closes: SqliteStorage::new(&pool).with_config(config(TRADE_CLOSE_QUEUE)),
                    pool,
                }
            }
        };
        Ok(Self {
            backend,
            sealer,
            health: WorkerHealth::default(),
        })
    }

    /// Whether the background workers run on these queues in this process
    /// ([`run_workers`] registers them; `/readyz` and `/metrics` read it).
    pub fn health(&self) -> &WorkerHealth {
        &self.health
    }

    /// Seals a secret for a job payload.
    pub fn seal(&self, secret: &str) -> String {
        self.sealer.seal(secret)
    }

    /// Queues an SMS with the verification `code` for `phone`, valid `minutes`.
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached.
    pub async fn send_sms_code(
        &self,
        phone: &str,
        code: &str,
        minutes: u64,
    ) -> Result<(), QueueError> {
        self.push_sms(SmsJob {
            key: uuid::Uuid::new_v4().to_string(),
            phone: phone.to_owned(),
            code: self.seal(code),
            minutes,
        })
        .await
    }

    /// Queues a mail.
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached.
    pub async fn send_mail(&self, to: &str, body: MailBody) -> Result<(), QueueError> {
        self.push_mail(MailJob {
            key: uuid::Uuid::new_v4().to_string(),
            to: to.to_owned(),
            body,
        })
        .await
    }

    /// Queues `job` as it is (also to deliver one job twice, as a redelivery would).
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached.
    pub async fn push_sms(&self, job: SmsJob) -> Result<(), QueueError> {
        push_to!(self, sms, job)
    }

    /// Queues `job` as it is.
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached.
    pub async fn push_mail(&self, job: MailJob) -> Result<(), QueueError> {
        push_to!(self, mail, job)
    }
}

/// Runs a push onto the Redis queue, and once more after a failure: by then a broken link
/// has asked the Sentinels for the master (crate::redis_link). A job pushed twice runs once
/// (handlers claim each job key in `job_runs`).
async fn push_on_redis<F, Fut, E>(push: F) -> Result<(), String>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: std::fmt::Display,
{
    match push().await {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::warn!(error = %e, "job push failed; trying once more");
            push().await.map_err(|e| e.to_string())
        }
    }
}

impl Jobs {
    /// Queues the time-out of order `order_id`, to run at `deadline` (Unix seconds).
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached (the order stays; the sweep of
    /// [`orders`] cancels it in time).
    pub async fn schedule_order_timeout(
        &self,
        order_id: &str,
        deadline: i64,
    ) -> Result<(), QueueError> {
        let task = apalis::prelude::TaskBuilder::new(OrderTimeoutJob {
            order_id: order_id.to_owned(),
            deadline,
        })
        .run_at_timestamp(u64::try_from(deadline).unwrap_or(0))
        .build();
        let push = async {
            match &self.backend {
                QueueBackend::Redis { orders, .. } => orders
                    .clone()
                    .push_task(task)
                    .await
                    .map_err(|e| e.to_string()),
                QueueBackend::Sqlite { orders, .. } => orders
                    .clone()
                    .push_task(task)
                    .await
                    .map_err(|e| e.to_string()),
            }
        };
        within_push_timeout(push).await
    }

    /// Queues the close of the Alipay trade of the cancelled order `order_id`
    /// ([`TradeCloseJob`]), to run at once.
    ///
    /// # Errors
    /// [`QueueError`] when the broker cannot be reached (the order stays due for closing; the
    /// sweep of [`orders`] closes its trade).
    pub async fn close_trade(&self, order_id: &str) -> Result<(), QueueError> {
        let job = TradeCloseJob {
            order_id: order_id.to_owned(),
        };
        push_to!(self, closes, job)
    }
}

/// Longest wait for the broker to take a job: a hung Redis becomes a 503, not a hung request.
pub const PUSH_TIMEOUT: Duration = Duration::from_secs(5);

async fn within_push_timeout(
    push: impl Future<Output = Result<(), String>>,
) -> Result<(), QueueError> {
    match tokio::time::timeout(PUSH_TIMEOUT, push).await {
        Ok(pushed) => pushed.map_err(QueueError),
        Err(_) => Err(QueueError(format!(
            "the broker did not answer within {} s",
            PUSH_TIMEOUT.as_secs()
        ))),
    }
}

/// Opens (creating and migrating) the SQLite queue at `url`.
async fn open_sqlite_queue(url: &str) -> anyhow::Result<apalis_sqlite::SqlitePool> {
    use std::str::FromStr;
    let options = apalis_sqlite::SqliteConnectOptions::from_str(url)
        .with_context(|| format!("JOBS_DATABASE_URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(sqlx09::sqlite::SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    if let Some(dir) = options.get_filename().parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("could not create {}", dir.display()))?;
    }
    let pool = apalis_sqlite::SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .with_context(|| format!("could not open the job queue {url}"))?;
    SqliteStorage::setup(&pool)
        .await
        .context("could not migrate the job queue")?;
    Ok(pool)
}

/// What the job handlers need: the shop's database (for `job_runs`), the SMS sender, the
/// mailer, the sealer and the retry settings.
#[derive(Clone, Debug)]
pub struct JobContext {
    pub db: AnyPool,
    pub sms: SmsSender,
    pub mailer: Mailer,
    pub sealer: Sealer,
    pub max_attempts: usize,
    /// How long a claim on a job run holds, in seconds (see [`CLAIM_MARGIN_SECS`]).
    pub lease_secs: i64,
    /// The ephemeral store, to tell the API processes that a cancelled order brought a sold-out
    /// SKU back ([`crate::catalog`]); `None` in a worker process without Redis (whose API
    /// process then shows the change with the next goods change).
    pub kv: Option<crate::kv::Kv>,
    /// `ORDER_SWEEP_SECS`.
    pub order_sweep_secs: u64,
    /// The Alipay app, when online payment is on: the time-out asks the gateway before it
    /// cancels, the reconciliation asks about orders near their deadline
    /// ([`orders::reconcile`]), and the trade close job and the sweep close the trades of
    /// cancelled orders ([`orders::close_due_trades`]).
    pub alipay: Option<std::sync::Arc<crate::alipay::AlipayClient>>,
    /// `ALIPAY_RECONCILE_SECS`.
    pub reconcile_secs: u64,
    /// The media store, for the picture sweep ([`pictures::sweep`]).
    pub media: crate::media::MediaStore,
    /// `PICTURE_GRACE_SECS` and `PICTURE_SWEEP_SECS`.
    pub picture_grace_secs: u64,
    pub picture_sweep_secs: u64,
    /// The queues, so that the time-out and the sweep can queue the trade close of the
    /// orders they cancel ([`Jobs::close_trade`]); [`run_workers`] sets them. `None` in a
    /// context without queues: the sweep then makes those closes itself
    /// ([`orders::close_due_trades`]).
    pub jobs: Option<Jobs>,
}

impl JobContext {
    /// The context of `settings` on the shop's database `db`.
    pub fn new(settings: &Settings, db: AnyPool) -> anyhow::Result<Self> {
        let secret = settings
            .jwt_secret
            .as_deref()
            .context("JWT secret missing: call Settings::validate first")?;
        Ok(Self {
            db,
            sms: SmsSender::from_settings(settings)?,
            mailer: Mailer::from_settings(settings)?,
            sealer: Sealer::new(secret.as_bytes()),
            max_attempts: settings.job_max_attempts,
            lease_secs: i64::try_from(
                settings
                    .ronglian_timeout_secs
                    .max(settings.smtp_timeout_secs)
                    + CLAIM_MARGIN_SECS,
            )
            .unwrap_or(i64::MAX),
            kv: None,
            order_sweep_secs: settings.order_sweep_secs,
            alipay: crate::alipay::AlipayClient::from_settings(settings)?.map(std::sync::Arc::new),
            reconcile_secs: settings.alipay_reconcile_secs,
            media: crate::media::MediaStore::from_settings(settings)?,
            picture_grace_secs: settings.picture_grace_secs,
            picture_sweep_secs: settings.picture_sweep_secs,
            jobs: None,
        })
    }
}

/// Why one try of a job failed.
#[derive(Debug, thiserror::Error)]
enum TryError {
    /// Retrying may help (provider down, time-out, another worker holds the run).
    #[error("{0}")]
    Transient(String),
    /// Retrying cannot help (a sealed value that does not open, a bad address).
    #[error("{0}")]
    Permanent(String),
}

/// Runs the side effect `send` of job `key` at most once over all deliveries: claims the run,
/// sends, records completion; a failed send gives the claim back for the retry.
async fn once<F, Fut>(ctx: &JobContext, key: &str, kind: &str, send: F) -> Result<(), TryError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), TryError>>,
{
    let claim = |now| crate::db::jobs::claim(&ctx.db, key, kind, now, ctx.lease_secs);
    let db_error = |e: sqlx::Error| TryError::Transient(format!("database: {e}"));
    let mut claimed = claim(crate::db::now_secs()).await.map_err(db_error)?;
    if claimed == Claim::Busy {
        // Another worker holds the run: it is sending now, or it died mid-send (a killed
        // process, a redelivered job). Waiting out the lease once settles which, without
        // spending this job's tries on it.
        tokio::time::sleep(Duration::from_secs(
            u64::try_from(ctx.lease_secs).unwrap_or(0) + 1,
        ))
        .await;
        claimed = claim(crate::db::now_secs()).await.map_err(db_error)?;
    }
    match claimed {
        Claim::Done => {
            tracing::info!(job = key, kind, "job already done; redelivery ignored");
            return Ok(());
        }
        Claim::Busy => {
            return Err(TryError::Transient(
                "another worker is running this job".to_owned(),
            ));
        }
        Claim::Mine => {}
    }
    match send().await {
        Ok(()) => {
            let now = crate::db::now_secs();
            // The message is out: a failure to record that must not send it again, so it
            // is logged, not retried (the claim's lease still blocks a second send).
            if let Err(e) = crate::db::jobs::finish(&ctx.db, key, now, now - RUNS_KEPT_SECS).await {
                tracing::error!(job = key, error = %e, "sent, but could not record completion");
            }
            Ok(())
        }
        Err(e) => {
            if let Err(db) = crate::db::jobs::release(&ctx.db, key).await {
                tracing::warn!(job = key, error = %db, "could not release the job claim");
            }
            Err(e)
        }
    }
}

/// The handler's answer to apalis: a transient failure before the last try is an error the
/// retry layer retries after its back-off; a permanent failure, or any failure on the last
/// try, aborts (apalis keeps the job as failed with this error, `dadashop jobs` lists it).
fn settle(
    result: Result<(), TryError>,
    attempt: &Attempt,
    max: usize,
    job: &str,
) -> Result<(), BoxDynError> {
    match result {
        Ok(()) => Ok(()),
        Err(TryError::Transient(e)) if attempt.current() < max => {
            tracing::warn!(job, attempt = attempt.current(), error = %e, "job failed; will retry");
            Err(e.into())
        }
        Err(e) => {
            tracing::error!(job, attempt = attempt.current(), error = %e, "job failed for good");
            Err(AbortError::new(e.to_string()).into())
        }
    }
}

/// Sends one SMS job.
async fn handle_sms(
    job: SmsJob,
    ctx: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let result = once(&ctx, &job.key, SMS_QUEUE, || async {
        let code = ctx
            .sealer
            .open(&job.code)
            .map_err(|e| TryError::Permanent(e.to_string()))?;
        ctx.sms
            .send_code(&job.phone, &code, job.minutes)
            .await
            .map_err(|e| TryError::Transient(e.to_string()))
    })
    .await;
    settle(result, &attempt, ctx.max_attempts, &job.key)
}

/// Sends one mail job.
async fn handle_mail(
    job: MailJob,
    ctx: Data<JobContext>,
    attempt: Attempt,
) -> Result<(), BoxDynError> {
    let result = once(&ctx, &job.key, MAIL_QUEUE, || async {
        let open = |v: &str| {
            ctx.sealer
                .open(v)
                .map_err(|e| TryError::Permanent(e.to_string()))
        };
        let mail = match &job.body {
            MailBody::Activation { username, link } => {
                mail::activation_mail(&job.to, username, &open(link)?)
            }
            MailBody::ResetCode { code, minutes } => {
                let known = crate::db::users::email_known(&ctx.db, &job.to)
                    .await
                    .map_err(|e| TryError::Transient(e.to_string()))?;
                if !known {
                    // Nobody to tell: the address has no account.
                    return Ok(());
                }
                mail::reset_code_mail(&job.to, &open(code)?, *minutes)
            }
        };
        ctx.mailer.send(&mail).await.map_err(|e| match e {
            MailError::BadAddress => TryError::Permanent(e.to_string()),
            MailError::Transport(_) => TryError::Transient(e.to_string()),
        })
    })
    .await;
    settle(result, &attempt, ctx.max_attempts, &job.key)
}

/// A worker name unique across processes and restarts: apalis-redis refuses a name that
/// is still registered.
fn worker_name(kind: &str) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".to_owned());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "dadashop-{kind}-{host}-{}-{}",
        std::process::id(),
        &suffix[..8]
    )
}

/// The retry policy of `settings`: `JOB_MAX_ATTEMPTS - 1` retries with exponential back-off.
fn retry_policy(
    settings: &Settings,
) -> anyhow::Result<
    apalis::layers::retry::BackoffRetryPolicy<tower::retry::backoff::ExponentialBackoff<HasherRng>>,
> {
    let backoff = ExponentialBackoffMaker::new(
        Duration::from_millis(settings.job_backoff_ms),
        Duration::from_secs(settings.job_backoff_max_secs),
        0.2,
        HasherRng::default(),
    )
    .map_err(|e| anyhow::anyhow!("JOB_BACKOFF_MS / JOB_BACKOFF_MAX_SECS: {e}"))?
    .make_backoff();
    Ok(RetryPolicy::retries(settings.job_max_attempts.saturating_sub(1)).with_backoff(backoff))
}

/// Runs the SMS, mail and order time-out workers on `jobs`, the sweep of unpaid orders past
/// their deadline and the payment reconciliation until `shutdown` resolves, then lets running
/// jobs finish (for up to [`supervise::SHUTDOWN_TIMEOUT`]).
///
/// Each of them survives outages of Redis and the database: it is restarted with back-off
/// until its store answers again ([`supervise`]), and reports its state to
/// [`Jobs::health`].
///
/// # Errors
/// When the workers cannot run at all: bad retry settings, or a loop that ended on its own
/// (a panic outside a job). Then the other loops are stopped and [`Jobs::health`] says the
/// workers gave up; the caller should exit non-zero so that its supervisor restarts it.
pub async fn run_workers(
    settings: Arc<Settings>,
    ctx: JobContext,
    jobs: Jobs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let policy = retry_policy(&settings)?;
    // The time-out and the sweep queue the trade close of the orders they cancel.
    let ctx = JobContext {
        jobs: Some(jobs.clone()),
        ..ctx
    };
    let concurrency = settings.job_concurrency;
    // Without a poll interval apalis 1.0 fetches only when its heartbeat fires (every
    // JOB_ORPHAN_AFTER_SECS / 3): a job pushed by another process would wait that long.
    let poll = Duration::from_millis(settings.job_poll_ms);
    let health = jobs.health.clone();
    let (stop_tx, stop_rx) = watch::channel(false);
    // The order time-out worker wakes the sweep when it is back after a failure: the broker
    // may have lost the delayed time-out jobs (a Redis that keeps nothing on disk).
    let sweep_now = Arc::new(Notify::new());
    let mut loops = JoinSet::new();
    for task in [
        orders::Periodic::Sweep,
        orders::Periodic::Reconcile,
        orders::Periodic::PictureSweep,
    ] {
        let now = matches!(task, orders::Periodic::Sweep).then(|| sweep_now.clone());
        loops.spawn(supervise::run_periodic(
            ctx.clone(),
            task,
            health.register(supervise::periodic_name(task)),
            stop_rx.clone(),
            now,
        ));
    }
    // The same four workers on either backend; the backends' storage types differ, so a
    // local macro stands in for a function generic over apalis's backend traits. Each gets
    // a supervisor that builds a new worker (a new name) after a failure.
    macro_rules! consumer {
        ($kind:expr, $storage:expr, $handler:expr, $recovered:expr) => {{
            let (storage, ctx, policy) = ($storage.clone(), ctx.clone(), policy.clone());
            let make = move || {
                let (storage, ctx, policy) = (storage.clone(), ctx.clone(), policy.clone());
                Monitor::new().register(move |_| {
                    WorkerBuilder::new(worker_name($kind))
                        .backend(storage.clone().poll_with_interval(poll))
                        .data(ctx.clone())
                        .concurrency(concurrency)
                        .retry(policy.clone())
                        .build($handler)
                })
            };
            loops.spawn(supervise::supervise_consumer(
                $kind,
                health.register($kind),
                stop_rx.clone(),
                make,
                $recovered,
            ));
        }};
    }
    macro_rules! consumers {
        ($sms:expr, $mail:expr, $orders:expr, $closes:expr) => {{
            consumer!(SMS_QUEUE, $sms, handle_sms, None);
            consumer!(MAIL_QUEUE, $mail, handle_mail, None);
            consumer!(
                ORDER_QUEUE,
                $orders,
                orders::handle_timeout,
                Some(sweep_now.clone())
            );
            consumer!(TRADE_CLOSE_QUEUE, $closes, orders::handle_trade_close, None);
        }};
    }
    match &jobs.backend {
        QueueBackend::Redis {
            sms,
            mail,
            orders,
            closes,
            ..
        } => consumers!(sms, mail, orders, closes),
        QueueBackend::Sqlite {
            sms,
            mail,
            orders,
            closes,
            ..
        } => consumers!(sms, mail, orders, closes),
    }
    tracing::info!(
        "background workers started (sms, mail, order time-outs, trade closes, order sweep, reconciliation)"
    );
    tokio::pin!(shutdown);
    let early = tokio::select! {
        () = &mut shutdown => None,
        ended = loops.join_next() => ended,
    };
    let _ = stop_tx.send(true);
    let mut failure = early.map(|ended| match ended {
        Ok(()) => anyhow::anyhow!("a background loop ended on its own"),
        Err(e) => anyhow::anyhow!("a background loop died: {e}"),
    });
    if failure.is_some() {
        health.give_up();
    }
    while let Some(ended) = loops.join_next().await {
        if let Err(e) = ended {
            health.give_up();
            failure.get_or_insert_with(|| anyhow::anyhow!("a background loop died: {e}"));
        }
    }
    match failure {
        Some(e) => {
            tracing::error!(error = %format!("{e:#}"), "background workers gave up");
            Err(e)
        }
        None => {
            tracing::info!("background workers stopped");
            Ok(())
        }
    }
}
