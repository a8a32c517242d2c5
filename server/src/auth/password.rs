//! Password hashing with Argon2id, off the async threads.
//!
//! Parameters: the `argon2` crate's defaults, which are OWASP's Password Storage Cheat Sheet
//! minimum for Argon2id (m = 19 MiB, t = 2, p = 1); ASVS 5.0 V11.4.2. Hashes are PHC strings,
//! so the parameters can be raised later without invalidating stored hashes.
//!
//! Hashing is bounded ([`Hasher`], issue #5 item 1): at most `PASSWORD_HASH_CONCURRENCY`
//! hashes run at once, and the slot (a semaphore permit) travels *into* the blocking task, so
//! it is released only when the hash has finished, not when the request's future is dropped
//! by a time-out or a client that went away. Without that, every dropped request let one
//! more 19 MiB hash start (measured: 3.4 GB and 143 threads under a 4 000-connection flood).
//! A request that would wait longer than `PASSWORD_HASH_QUEUE_SECS` for a slot is shed with
//! 503 and `Retry-After`, at once when the queue already holds more than that much work.
//! One more slot is kept for logins from an address the account logged in from before (see
//! [`crate::auth::throttle`]), so that a shopper can still log in while a flood from other
//! addresses fills the queue. Memory for hashing is thus at most
//! (`PASSWORD_HASH_CONCURRENCY` + 1) × 19 MiB (95 MiB with the default 4 slots on 2 cores),
//! and the blocking threads hashing at most that many.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Why a hash was not computed.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Every slot stayed busy for the queue time (or the queue already held more work than
    /// that); the caller answers 503 with `Retry-After: retry_after` seconds.
    #[error("password hashing is saturated")]
    Busy {
        /// Seconds after which a retry is likely to find a slot.
        retry_after: u64,
    },
    /// Hashing itself failed (an unreadable stored hash, a panicked task).
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// The bounded Argon2id worker pool; cheap to clone, one per application.
#[derive(Debug, Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    permits: Arc<Semaphore>,
    /// The slot kept for known addresses.
    reserved: Arc<Semaphore>,
    slots: usize,
    queue_wait: Duration,
    waiting: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
    /// Moving average of one hash's duration, in microseconds.
    avg_micros: AtomicU64,
}

impl Hasher {
    /// A pool of `slots` concurrent hashes whose callers wait at most `queue_wait`.
    pub fn new(slots: usize, queue_wait: Duration) -> Self {
        let slots = slots.max(1);
        Self {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(slots)),
                reserved: Arc::new(Semaphore::new(1)),
                slots,
                queue_wait,
                waiting: AtomicUsize::new(0),
                running: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
                avg_micros: AtomicU64::new(50_000),
            }),
        }
    }

    /// The largest number of hashes that ever ran at the same moment.
    pub fn peak_running(&self) -> usize {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// Hashes `password` into a PHC string (~20-50 ms of CPU, 19 MiB).
    ///
    /// # Errors
    /// [`HashError::Busy`] when no slot frees up in time.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.run(false, move || hash_blocking(&password))
            .await?
            .map_err(HashError::Failed)
    }

    /// Whether `password` matches the PHC string `stored`. With `stored = None` (unknown
    /// user) a dummy hash is checked so that the answer takes as long as for a real account.
    ///
    /// # Errors
    /// [`HashError::Busy`] when no slot frees up in time; `Failed` for an unreadable hash.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(false, move || verify_blocking(&password, stored.as_deref()))
            .await?
            .map_err(HashError::Failed)
    }

    /// [`Self::verify`] for a login from an address the account logged in from before: when
    /// every shared slot is busy it waits for the kept slot instead, behind other known
    /// logins only.
    ///
    /// # Errors
    /// As [`Self::verify`].
    pub async fn verify_known(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(true, move || verify_blocking(&password, stored.as_deref()))
            .await?
            .map_err(HashError::Failed)
    }

    /// Runs `work` on the blocking pool once a slot is free, holding the slot until `work`
    /// returns even if the caller stops waiting.
    async fn run<T: Send + 'static>(
        &self,
        known: bool,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let inner = &self.inner;
        let permit = if known {
            match inner.permits.clone().try_acquire_owned() {
                Ok(permit) => permit,
                Err(_) => acquire_within(&inner.reserved, inner.queue_wait).await?,
            }
        } else {
            // Shed at once when the work already queued would outlast the wait.
            let queued = inner.waiting.load(Ordering::Relaxed) as u64;
            let expected = Duration::from_micros(
                inner
                    .avg_micros
                    .load(Ordering::Relaxed)
                    .saturating_mul(queued)
                    / inner.slots as u64,
            );
            if inner.permits.available_permits() == 0 && expected > inner.queue_wait {
                return Err(HashError::Busy {
                    retry_after: retry_after(inner.queue_wait),
                });
            }
            // Counted as waiting until the permit is had or given up, also when the caller is
            // dropped mid-wait (a client that went away): a leaked count would shed everyone.
            let _waiting = Waiting::enter(&inner.waiting);
            acquire_within(&inner.permits, inner.queue_wait).await?
        };
        self.spawn(permit, work).await
    }

    /// Runs `work` on the blocking pool holding `permit` until it returns.
    async fn spawn<T: Send + 'static>(
        &self,
        permit: tokio::sync::OwnedSemaphorePermit,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let task_inner = self.inner.clone();
        let handle = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let running = task_inner.running.fetch_add(1, Ordering::Relaxed) + 1;
            task_inner.peak.fetch_max(running, Ordering::Relaxed);
            let started = Instant::now();
            let out = work();
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let avg = task_inner.avg_micros.load(Ordering::Relaxed);
            task_inner
                .avg_micros
                .store(avg - avg / 8 + micros / 8, Ordering::Relaxed);
            task_inner.running.fetch_sub(1, Ordering::Relaxed);
            out
        });
        handle
            .await
            .map_err(|e| HashError::Failed(anyhow::anyhow!("hashing task failed: {e}")))
    }
}

/// A permit of `semaphore`, waiting at most `wait`; [`HashError::Busy`] after that.
async fn acquire_within(
    semaphore: &Arc<Semaphore>,
    wait: Duration,
) -> Result<tokio::sync::OwnedSemaphorePermit, HashError> {
    match tokio::time::timeout(wait, semaphore.clone().acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(closed)) => Err(HashError::Failed(closed.into())),
        Err(_elapsed) => Err(HashError::Busy {
            retry_after: retry_after(wait),
        }),
    }
}

/// The `Retry-After` of a shed caller, in whole seconds: the queue wait, at least 1.
fn retry_after(wait: Duration) -> u64 {
    wait.as_secs().max(1)
}

/// One caller waiting for a slot, counted in `waiting` until dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

fn verify_blocking(password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let (stored, real) = match stored {
        Some(s) => (s, true),
        None => (dummy_hash(), false),
    };
    let parsed =
        PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(ok && real)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("dadashop-timing-equaliser").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let hasher = Hasher::new(2, Duration::from_secs(5));
        let hash = |p: &str| hasher.hash(p.to_owned());
        let verify = |p: &str, s: Option<String>| hasher.verify(p.to_owned(), s);
        let h = hash("correct horse").await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(
            verify("correct horse", Some(h.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify("wrong horse", Some(h)).await.expect("verify"));
        assert!(!verify("anything", None).await.expect("verify"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dropped_callers_keep_their_slot_until_the_hash_ends() {
        let hasher = Hasher::new(2, Duration::from_secs(30));
        // Forty callers that give up after 10 ms, as a request time-out would: the hashes
        // they started keep their slot, so no more than two ever run.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let h = hasher.clone();
            tasks.push(tokio::spawn(async move {
                let _ = tokio::time::timeout(
                    Duration::from_millis(10),
                    h.hash(format!("password-{i}")),
                )
                .await;
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        // Let the abandoned hashes finish.
        let _ = hasher.hash("one more".into()).await;
        assert!(hasher.peak_running() <= 2, "peak {}", hasher.peak_running());
        assert!(hasher.peak_running() >= 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_that_give_up_while_waiting_are_not_counted_as_waiting() {
        let hasher = Hasher::new(1, Duration::from_secs(5));
        let slow = hasher.clone();
        let busy = tokio::spawn(async move {
            slow.run(false, || std::thread::sleep(Duration::from_millis(300)))
                .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        for _ in 0..50 {
            let _ = tokio::time::timeout(Duration::from_millis(1), hasher.hash("x".into())).await;
        }
        assert_eq!(hasher.inner.waiting.load(Ordering::Relaxed), 0);
        busy.await.expect("task").expect("slow work");
    }

    #[tokio::test]
    async fn callers_are_shed_when_no_slot_frees_up_in_time() {
        let hasher = Hasher::new(1, Duration::from_millis(1));
        let slow = hasher.run(false, || std::thread::sleep(Duration::from_millis(300)));
        let (first, second) = tokio::join!(slow, async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            hasher.hash("late".into()).await
        });
        assert!(first.is_ok());
        assert!(matches!(second, Err(HashError::Busy { retry_after: 1 })));
    }

    #[tokio::test]
    async fn a_known_address_gets_the_kept_slot_while_the_shared_ones_are_busy() {
        let hasher = Hasher::new(1, Duration::from_millis(100));
        let slow = hasher.run(false, || std::thread::sleep(Duration::from_millis(400)));
        let (_, stranger, known) = tokio::join!(
            slow,
            async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                hasher.verify("x".into(), None).await
            },
            async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                hasher.verify_known("x".into(), None).await
            }
        );
        assert!(matches!(stranger, Err(HashError::Busy { .. })));
        assert!(matches!(known, Ok(false)));
        assert_eq!(hasher.peak_running(), 2);
    }
}
