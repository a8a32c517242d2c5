//! Keeping the background loops of a process alive through outages of Redis or the database
//! (issue 21), and telling `/readyz` whether they run.
//!
//! An apalis worker ends for good on the first error of its broker (a refused connection, a
//! timed-out fetch): its stream yields the error and stops. apalis's `Monitor` does not
//! restart it unless told to, and a restart it does make is immediate, so against a Redis
//! that is down it would spin. So each queue gets a supervisor of its own
//! ([`supervise_consumer`]): it runs the worker in a one-worker `Monitor`, and when the worker
//! ends without having been asked to stop, logs the error at warn, waits [`restart_delay`]
//! (exponential back-off with jitter, [`RESTART_BACKOFF_MIN`] doubling up to
//! [`RESTART_BACKOFF_MAX`]) and starts a new worker (a new name: apalis-redis refuses a name
//! still registered), for as long as the outage lasts. The redis crate's `ConnectionManager`
//! under the queues (crate::redis_link) reconnects by itself once Redis answers again.
//!
//! The periodic tasks (the sweep of unpaid orders past their deadline and the payment
//! reconciliation, [`orders`]; the sweep of unused pictures, [`super::pictures`]) run in
//! [`run_periodic`]: a failed run is retried after the same
//! back-off (never later than the task's own interval) instead of only at the next tick.
//!
//! **Health.** Every loop registers in the process's [`WorkerHealth`] (held by
//! [`super::Jobs`], so `/readyz` and `/metrics` see it). A loop counts as running from its
//! start until it fails; after a failure it counts as down until it has proved itself again
//! (a worker's heartbeat reached its broker, a periodic run finished). A supervisor in its
//! back-off is down. `/readyz` answers 503 while any loop of the process is down, or after the
//! workers gave up for good ([`WorkerHealth::give_up`]).
//!
//! **After a broker outage** the order time-out worker asks the sweep to run at once when it
//! is back: a Redis that kept nothing on disk lost the delayed time-out jobs, and the orders
//! whose deadline passed meanwhile would otherwise keep their stock until the next
//! `ORDER_SWEEP_SECS` tick.

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use apalis::prelude::{Event, Monitor};
use tokio::sync::{Notify, watch};

use super::JobContext;
use super::orders::{self, Periodic};

/// Wait before the first restart of a loop that failed; each further failure in a row doubles
/// it (with jitter) up to [`RESTART_BACKOFF_MAX`]. Short, so that a blip costs little.
pub const RESTART_BACKOFF_MIN: Duration = Duration::from_millis(100);

/// Longest wait between two restarts of a failed loop. It bounds how long the workers stay
/// down after their store is back (one or two more waits: the first command after Redis
/// returns may still fail on the broken connection, which makes the link reconnect), and keeps a long outage to one try
/// per loop every few seconds (`JOB_BACKOFF_MAX_SECS`, 300 s by default, is the retry bound
/// of a job, far too long to leave a shop without workers).
pub const RESTART_BACKOFF_MAX: Duration = Duration::from_secs(5);

/// Longest wait at shutdown for the jobs a worker is running (30 s); past it they are dropped
/// and come back as orphans after `JOB_ORPHAN_AFTER_SECS`.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// The wait before restart number `attempt` (1 for the first after a failure):
/// `RESTART_BACKOFF_MIN * 2^(attempt-1)` capped at [`RESTART_BACKOFF_MAX`], of which a random
/// half ("equal jitter"), so that the loops of many processes do not retry in step.
pub fn restart_delay(attempt: u32) -> Duration {
    let doubled =
        RESTART_BACKOFF_MIN.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    let ceiling = doubled.min(RESTART_BACKOFF_MAX);
    let half = ceiling / 2;
    half + half.mul_f64(rand::random::<f64>())
}

/// What one loop is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopState {
    /// Started, not failed yet (counts as running: a loop has not proved anything wrong).
    Starting = 0,
    /// Proved itself: a heartbeat reached the broker, or a periodic run finished.
    Running = 1,
    /// Failed, and waiting for its restart or for its store to come back.
    Down = 2,
}

impl LoopState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Starting,
            1 => Self::Running,
            _ => Self::Down,
        }
    }
}

#[derive(Debug)]
struct Loop {
    name: &'static str,
    state: AtomicU8,
}

#[derive(Debug, Default)]
struct Registry {
    loops: Mutex<Vec<Arc<Loop>>>,
    gave_up: AtomicBool,
}

/// The background loops of this process and whether each runs; cheap to clone, all clones see
/// the same loops. Empty when the process runs no workers (`serve --no-worker`).
#[derive(Debug, Clone, Default)]
pub struct WorkerHealth {
    inner: Arc<Registry>,
}

/// What `/readyz` reports about the workers of the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// This process runs no background workers.
    NotHere,
    /// Every loop runs (or is starting and has not failed).
    Running,
    /// These loops are down: failed and waiting for their store or their restart. A queue's
    /// worker is named after its queue (`sms`, `order_timeout`, ...), the periodic tasks
    /// [`periodic_name`].
    Down(Vec<&'static str>),
    /// The workers gave up for good; the process is on its way out.
    GaveUp,
}

impl WorkerHealth {
    /// Registers a loop named `name`, starting; it leaves the registry when the returned
    /// handle is dropped (the loop ended or was aborted).
    pub fn register(&self, name: &'static str) -> LoopHealth {
        let entry = Arc::new(Loop {
            name,
            state: AtomicU8::new(LoopState::Starting as u8),
        });
        self.inner
            .loops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry.clone());
        LoopHealth {
            registry: self.inner.clone(),
            entry,
        }
    }

    /// Records that the workers of this process stopped for good (a fatal error): from now on
    /// [`WorkerHealth::readiness`] says [`Readiness::GaveUp`].
    pub fn give_up(&self) {
        self.inner.gave_up.store(true, Ordering::SeqCst);
    }

    /// The state of every registered loop, by name (a name appears once per worker set).
    pub fn loops(&self) -> Vec<(&'static str, LoopState)> {
        self.inner
            .loops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|l| (l.name, LoopState::from_u8(l.state.load(Ordering::SeqCst))))
            .collect()
    }

    /// Whether the workers of this process run ([`Readiness`]).
    pub fn readiness(&self) -> Readiness {
        if self.inner.gave_up.load(Ordering::SeqCst) {
            return Readiness::GaveUp;
        }
        let loops = self.loops();
        if loops.is_empty() {
            return Readiness::NotHere;
        }
        let mut down: Vec<&'static str> = loops
            .into_iter()
            .filter(|(_, s)| *s == LoopState::Down)
            .map(|(name, _)| name)
            .collect();
        down.sort_unstable();
        down.dedup();
        if down.is_empty() {
            Readiness::Running
        } else {
            Readiness::Down(down)
        }
    }
}

/// One loop's entry in [`WorkerHealth`], held by the loop.
#[derive(Debug)]
pub struct LoopHealth {
    registry: Arc<Registry>,
    entry: Arc<Loop>,
}

impl LoopHealth {
    /// The loop runs. Returns whether it was down before (it just recovered).
    pub fn running(&self) -> bool {
        self.entry
            .state
            .swap(LoopState::Running as u8, Ordering::SeqCst)
            == LoopState::Down as u8
    }

    /// The loop failed and waits for its restart.
    pub fn down(&self) {
        self.entry
            .state
            .store(LoopState::Down as u8, Ordering::SeqCst);
    }
}

impl Drop for LoopHealth {
    fn drop(&mut self) {
        self.registry
            .loops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|l| !Arc::ptr_eq(l, &self.entry));
    }
}

/// Resolves once `stop` says true or its sender is gone.
pub(super) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Whether `stop` says the loops should end.
fn stopping(stop: &watch::Receiver<bool>) -> bool {
    *stop.borrow() || stop.has_changed().is_err()
}

/// Runs the queue worker that `make` builds (a `Monitor` with that one worker registered)
/// until `stop`, restarting it after [`restart_delay`] whenever it ends on its own (module
/// docs). `recovered`, when given, is notified each time the worker runs again after a
/// failure.
pub(super) async fn supervise_consumer<F>(
    kind: &'static str,
    health: LoopHealth,
    mut stop: watch::Receiver<bool>,
    make: F,
    recovered: Option<Arc<Notify>>,
) where
    F: Fn() -> Monitor + Send + 'static,
{
    let health = Arc::new(health);
    let mut failures: u32 = 0;
    loop {
        if stopping(&stop) {
            return;
        }
        let error = Arc::new(Mutex::new(None::<String>));
        let alive = Arc::new(AtomicBool::new(false));
        let monitor = make()
            .shutdown_timeout(SHUTDOWN_TIMEOUT)
            .should_restart({
                let error = error.clone();
                move |_, e| {
                    *error.lock().unwrap_or_else(PoisonError::into_inner) = Some(e.to_string());
                    false
                }
            })
            .on_event({
                let (health, alive, recovered) = (health.clone(), alive.clone(), recovered.clone());
                move |_, event| {
                    // A heartbeat is sent once the worker registered with its broker and then
                    // every HEARTBEAT: proof that the broker answers.
                    if matches!(event, Event::HeartBeat)
                        && !alive.swap(true, Ordering::SeqCst)
                        && health.running()
                    {
                        tracing::info!(worker = kind, "background worker running again");
                        if let Some(notify) = &recovered {
                            notify.notify_one();
                        }
                    }
                }
            });
        let mut signal = stop.clone();
        let started = Instant::now();
        if let Err(e) = monitor
            .run_with_signal(async move {
                stopped(&mut signal).await;
                Ok(())
            })
            .await
        {
            // Only a monitor without shutdown time-out reports its workers' errors here;
            // `should_restart` above collects them.
            error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert(e.to_string());
        }
        if stopping(&stop) {
            return;
        }
        if alive.load(Ordering::SeqCst) && started.elapsed() >= RESTART_BACKOFF_MAX {
            // It ran a while before it failed: a new outage, so the back-off starts over. (A
            // worker that fails right after registering keeps backing off, rather than
            // restarting, and waking the sweep, ten times a second.)
            failures = 0;
        }
        failures = failures.saturating_add(1);
        health.down();
        let delay = restart_delay(failures);
        let error = error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| "the worker ended without an error".to_owned());
        tracing::warn!(
            worker = kind,
            error = %error,
            attempt = failures,
            retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "background worker stopped; restarting it after a back-off"
        );
        tokio::select! {
            () = stopped(&mut stop) => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// The name of a periodic task in [`WorkerHealth`] and the logs.
pub fn periodic_name(task: Periodic) -> &'static str {
    match task {
        Periodic::Sweep => "order_sweep",
        Periodic::Reconcile => "reconcile",
        Periodic::PictureSweep => "picture_sweep",
    }
}

/// Runs `task` at once and then every `ORDER_SWEEP_SECS` / `ALIPAY_RECONCILE_SECS` (at
/// least 1 s), and also at once whenever `now` is notified, until `stop`. A failed run (the
/// database is down) is logged at warn and tried again after [`restart_delay`], never later
/// than the task's interval; the loop is down in `health` until a run succeeds.
pub(super) async fn run_periodic(
    ctx: JobContext,
    task: Periodic,
    health: LoopHealth,
    mut stop: watch::Receiver<bool>,
    now: Option<Arc<Notify>>,
) {
    let secs = match task {
        Periodic::Sweep => ctx.order_sweep_secs,
        Periodic::Reconcile => ctx.reconcile_secs,
        Periodic::PictureSweep => ctx.picture_sweep_secs,
    };
    let every = Duration::from_secs(secs.max(1));
    let name = periodic_name(task);
    let mut failures: u32 = 0;
    loop {
        let result = match task {
            Periodic::Sweep => orders::sweep(&ctx).await.map_err(anyhow::Error::from),
            Periodic::Reconcile => orders::reconcile(&ctx).await.map_err(anyhow::Error::from),
            Periodic::PictureSweep => super::pictures::sweep(&ctx).await,
        };
        let wait = match result {
            Ok(n) => {
                if health.running() {
                    tracing::info!(task = name, "periodic order task running again");
                }
                failures = 0;
                match (task, n) {
                    (_, 0) => {}
                    (Periodic::Sweep, n) => tracing::info!(
                        cancelled = n,
                        "order sweep cancelled unpaid orders past their deadline"
                    ),
                    (Periodic::Reconcile, n) => tracing::info!(
                        changed = n,
                        "payment reconciliation applied payments the gateway reported"
                    ),
                    (Periodic::PictureSweep, n) => tracing::info!(
                        removed = n,
                        "picture sweep removed pictures nothing used any more"
                    ),
                }
                every
            }
            Err(e) => {
                health.down();
                failures = failures.saturating_add(1);
                let delay = restart_delay(failures).min(every);
                tracing::warn!(
                    task = name,
                    error = %format!("{e:#}"),
                    attempt = failures,
                    retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    "periodic order task failed; trying again after a back-off"
                );
                delay
            }
        };
        let woken = async {
            match &now {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = stopped(&mut stop) => return,
            () = tokio::time::sleep(wait) => {}
            () = woken => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_restart_delay_doubles_from_100_ms_with_jitter_up_to_5_s() {
        for (attempt, ceiling_ms) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (6, 3200),
            (7, 5000),
            (40, 5000),
        ] {
            for _ in 0..50 {
                let ms = restart_delay(attempt).as_millis();
                assert!(
                    (ceiling_ms / 2..=ceiling_ms).contains(&ms),
                    "attempt {attempt}: {ms} ms outside [{}, {ceiling_ms}]",
                    ceiling_ms / 2
                );
            }
        }
        assert!(restart_delay(u32::MAX) <= RESTART_BACKOFF_MAX);
    }

    #[test]
    fn readiness_follows_the_loops_of_the_process() {
        let health = WorkerHealth::default();
        assert_eq!(health.readiness(), Readiness::NotHere);
        let sms = health.register("sms");
        let sweep = health.register("order_sweep");
        assert_eq!(health.readiness(), Readiness::Running, "starting counts");
        sms.down();
        assert_eq!(health.readiness(), Readiness::Down(vec!["sms"]));
        assert!(sms.running(), "it recovered");
        assert!(!sms.running(), "it was already running");
        assert_eq!(health.readiness(), Readiness::Running);
        sweep.down();
        drop(sweep);
        assert_eq!(
            health.readiness(),
            Readiness::Running,
            "an ended loop leaves"
        );
        health.give_up();
        assert_eq!(health.readiness(), Readiness::GaveUp);
        drop(sms);
        assert_eq!(health.readiness(), Readiness::GaveUp);
    }
}
