//! The ephemeral key-value store with TTLs (docs/architecture.md "Storage").
//!
//! Redis when `REDIS_URL` is set, so that several API processes share it; otherwise an
//! in-process map for the single-process quick start. Losing its content on restart is
//! acceptable by design (token deny-list, throttling counters, later codes and caches); no
//! relational data lives here. Every key gets the configured prefix (`KV_PREFIX`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use redis::aio::ConnectionManagerConfig;

use crate::redis_link::RedisLink;

/// Decrement-if-present of [`Kv::release`], built (and its SHA1 computed) once; the redis
/// crate sends EVALSHA and loads the script on NOSCRIPT.
static RELEASE_SCRIPT: std::sync::LazyLock<redis::Script> = std::sync::LazyLock::new(|| {
    redis::Script::new(
        "if redis.call('EXISTS', KEYS[1]) == 1 then \
           local n = redis.call('DECR', KEYS[1]) \
           if n <= 0 then redis.call('DEL', KEYS[1]) end \
           return n \
         end \
         return 0",
    )
});

/// The store could not be reached or answered garbage; callers answer 503.
#[derive(Debug, thiserror::Error)]
#[error("ephemeral store: {0}")]
pub struct KvError(String);

impl From<redis::RedisError> for KvError {
    /// Every failed Redis command passes here, so this is where `/metrics` counts them
    /// (`ephemeral_store_errors_total`, crate::metrics).
    fn from(e: redis::RedisError) -> Self {
        metrics::counter!("ephemeral_store_errors_total").increment(1);
        Self(e.to_string())
    }
}

/// Handle to the store; cheap to clone.
#[derive(Clone)]
pub struct Kv {
    prefix: Arc<str>,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<Mutex<MemoryMap>>),
    Redis(RedisLink),
}

#[derive(Default)]
struct MemoryMap {
    entries: HashMap<String, (String, Instant)>,
    writes_since_sweep: u32,
}

impl MemoryMap {
    fn live(&mut self, key: &str) -> Option<&mut (String, Instant)> {
        let now = Instant::now();
        if self.entries.get(key).is_some_and(|(_, exp)| *exp <= now) {
            self.entries.remove(key);
        }
        self.entries.get_mut(key)
    }

    /// Drops expired entries every 1 024 writes so an idle key does not live forever.
    fn note_write(&mut self) {
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= 1024 {
            let now = Instant::now();
            self.entries.retain(|_, (_, exp)| *exp > now);
            self.writes_since_sweep = 0;
        }
    }
}

impl std::fmt::Debug for Kv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        };
        f.debug_struct("Kv")
            .field("backend", &kind)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Kv {
    /// An in-process store.
    pub fn memory(prefix: &str) -> Self {
        Self {
            prefix: prefix.into(),
            backend: Backend::Memory(Arc::default()),
        }
    }

    /// Connects to Redis at `url`: `redis://host:port/db`, or a Sentinel-watched master
    /// `redis+sentinel://host:26379,host:26380/<master-name>/db` followed across failovers
    /// (crate::redis_link). Commands time out after 2 s so a hung Redis turns into a 503
    /// instead of a hung request.
    pub async fn redis(url: &str, prefix: &str) -> Result<Self, KvError> {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1);
        let manager = RedisLink::connect(url, config).await?;
        Ok(Self {
            prefix: prefix.into(),
            backend: Backend::Redis(manager),
        })
    }

    /// Whether this store is Redis (shared between processes).
    pub fn is_redis(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// Checks that the store answers (`PING` on Redis).
    pub async fn ping(&self) -> Result<(), KvError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(conn) => {
                let mut conn = conn.clone();
                let _: String = redis::cmd("PING").query_async(&mut conn).await?;
                Ok(())
            }
        }
    }

    /// The value of `key`, if present and not expired.
    pub async fn get(&self, key: &str) -> Result<Option<String>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => Ok(lock(map).live(&key).map(|(v, _)| v.clone())),
            Backend::Redis(conn) => Ok(conn.clone().get(key).await?),
        }
    }

    /// Removes `key` and returns the value it had, atomically (`GETDEL`): of two callers
    /// racing for one key, exactly one gets the value (one-time states and tickets).
    pub async fn take(&self, key: &str) -> Result<Option<String>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = lock(map);
                let value = map.live(&key).map(|(v, _)| v.clone());
                map.entries.remove(&key);
                Ok(value)
            }
            Backend::Redis(conn) => Ok(conn.clone().get_del(key).await?),
        }
    }

    /// Whether `key` is present and not expired.
    pub async fn exists(&self, key: &str) -> Result<bool, KvError> {
        Ok(self.get(key).await?.is_some())
    }

    /// Sets `key` to `value` for `ttl` (at least one second).
    pub async fn set_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<(), KvError> {
        let key = self.key(key);
        let secs = ttl.as_secs().max(1);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = lock(map);
                map.entries.insert(
                    key,
                    (value.to_owned(), Instant::now() + Duration::from_secs(secs)),
                );
                map.note_write();
                Ok(())
            }
            Backend::Redis(conn) => Ok(conn.clone().set_ex(key, value, secs).await?),
        }
    }

    /// Removes `key`.
    pub async fn del(&self, key: &str) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                lock(map).entries.remove(&key);
                Ok(())
            }
            Backend::Redis(conn) => Ok(conn.clone().del(key).await?),
        }
    }

    /// Adds one to the counter `key` and returns the new value. The first increment starts
    /// a fixed window of `window`; later increments do not extend it.
    pub async fn incr_in_window(&self, key: &str, window: Duration) -> Result<i64, KvError> {
        let key = self.key(key);
        let secs = window.as_secs().max(1);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = lock(map);
                let count = match map.live(&key) {
                    Some((v, _)) => {
                        let n = v.parse::<i64>().unwrap_or(0) + 1;
                        *v = n.to_string();
                        n
                    }
                    None => {
                        let exp = Instant::now() + Duration::from_secs(secs);
                        map.entries.insert(key, ("1".to_owned(), exp));
                        1
                    }
                };
                map.note_write();
                Ok(count)
            }
            Backend::Redis(conn) => {
                // SET NX EX starts the window only if the counter is new; INCR then counts.
                let (count,): (i64,) = redis::pipe()
                    .atomic()
                    .cmd("SET")
                    .arg(&key)
                    .arg(0)
                    .arg("EX")
                    .arg(secs)
                    .arg("NX")
                    .ignore()
                    .cmd("INCR")
                    .arg(&key)
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(count)
            }
        }
    }

    /// Takes back one [`Self::incr_in_window`] count of `key`: subtracts one if the counter
    /// still exists (never creating it, so it cannot outlive its window), and removes it when
    /// it reaches zero.
    pub async fn release(&self, key: &str) -> Result<(), KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = lock(map);
                let zero = match map.live(&key) {
                    Some((v, _)) => {
                        let n = v.parse::<i64>().unwrap_or(0) - 1;
                        *v = n.to_string();
                        n <= 0
                    }
                    None => false,
                };
                if zero {
                    map.entries.remove(&key);
                }
                Ok(())
            }
            Backend::Redis(conn) => {
                let _: i64 = RELEASE_SCRIPT
                    .key(key)
                    .invoke_async(&mut conn.clone())
                    .await?;
                Ok(())
            }
        }
    }

    /// Sets `key` to `value` for `ttl` only if it is absent; returns whether it did.
    pub async fn set_nx_ex(&self, key: &str, value: &str, ttl: Duration) -> Result<bool, KvError> {
        let key = self.key(key);
        let secs = ttl.as_secs().max(1);
        match &self.backend {
            Backend::Memory(map) => {
                let mut map = lock(map);
                if map.live(&key).is_some() {
                    return Ok(false);
                }
                map.entries.insert(
                    key,
                    (value.to_owned(), Instant::now() + Duration::from_secs(secs)),
                );
                map.note_write();
                Ok(true)
            }
            Backend::Redis(conn) => {
                let set: Option<String> = redis::cmd("SET")
                    .arg(&key)
                    .arg(value)
                    .arg("EX")
                    .arg(secs)
                    .arg("NX")
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(set.is_some())
            }
        }
    }

    /// Seconds until `key` expires, or `None` when it is absent.
    pub async fn ttl_secs(&self, key: &str) -> Result<Option<u64>, KvError> {
        let key = self.key(key);
        match &self.backend {
            Backend::Memory(map) => Ok(lock(map).live(&key).map(|(_, exp)| {
                exp.saturating_duration_since(Instant::now())
                    .as_secs()
                    .max(1)
            })),
            Backend::Redis(conn) => {
                let ttl: i64 = conn.clone().ttl(key).await?;
                Ok(u64::try_from(ttl).ok())
            }
        }
    }
}

/// Locks the map; a poisoned lock only means another request panicked mid-update of a cache
/// whose content is disposable, so the data is used as it is.
fn lock(map: &Mutex<MemoryMap>) -> std::sync::MutexGuard<'_, MemoryMap> {
    map.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_counters_count_within_a_window_and_expire() {
        let kv = Kv::memory("t:");
        assert_eq!(
            kv.incr_in_window("c", Duration::from_secs(1)).await.ok(),
            Some(1)
        );
        assert_eq!(
            kv.incr_in_window("c", Duration::from_secs(1)).await.ok(),
            Some(2)
        );
        assert!(kv.ttl_secs("c").await.ok().flatten().is_some());
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(kv.get("c").await.ok(), Some(None));
        assert_eq!(
            kv.incr_in_window("c", Duration::from_secs(1)).await.ok(),
            Some(1)
        );
    }

    #[tokio::test]
    async fn released_counts_never_outlive_their_window_and_vanish_at_zero() {
        let kv = Kv::memory("t:");
        let w = Duration::from_secs(60);
        assert_eq!(kv.incr_in_window("c", w).await.ok(), Some(1));
        assert_eq!(kv.incr_in_window("c", w).await.ok(), Some(2));
        kv.release("c").await.expect("release");
        assert_eq!(kv.get("c").await.expect("get").as_deref(), Some("1"));
        kv.release("c").await.expect("release");
        assert_eq!(kv.get("c").await.expect("get"), None);
        kv.release("c").await.expect("release of an absent counter");
        assert_eq!(kv.get("c").await.expect("get"), None);
        assert!(kv.set_nx_ex("s", "1", w).await.expect("nx"));
        assert!(!kv.set_nx_ex("s", "1", w).await.expect("nx"));
    }

    #[tokio::test]
    async fn memory_values_can_be_set_read_and_deleted() {
        let kv = Kv::memory("t:");
        kv.set_ex("k", "v", Duration::from_secs(60))
            .await
            .expect("set");
        assert_eq!(kv.get("k").await.expect("get").as_deref(), Some("v"));
        kv.del("k").await.expect("del");
        assert!(!kv.exists("k").await.expect("exists"));
    }
}
