//! What keeps every API process's view of the goods current: the goods *generation*, the
//! in-process response cache keyed by it, and the search index (crate::search) that follows it.
//!
//! How a change reaches every process: whoever changes goods data bumps
//! `goods_state.version` in the same transaction ([`crate::db::goods::bump_version`]) and then
//! calls [`announce_change`], which writes a fresh random token under the ephemeral-store key
//! [`GENERATION_KEY`]. With Redis, every API process reads that key once per goods request (one
//! `GET`, about 0.1 ms); without Redis there is one process and the in-process store answers.
//! Cached answers are tagged with the token they were built under, so a new token empties the
//! cache at once on every process: a changed price shows on the next request. The search index
//! compares the database version with the version it was built from whenever the token moves,
//! and rebuilds when it is behind. A random token (rather than a counter) stays correct when
//! Redis loses its data: a fresh token is made and the caches refill.
//!
//! Rejected alternatives: Redis pub/sub (a process that misses a message serves stale prices
//! until restart), a time-to-live alone (stale prices for the TTL), reading the database
//! version on every request (a query per request on the hottest paths).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;

use crate::kv::{Kv, KvError};

/// Ephemeral-store key of the goods generation token (under `KV_PREFIX`).
pub const GENERATION_KEY: &str = "goods:generation";
/// Lifetime of a generation token; when it lapses a new one is made (the caches refill once).
pub const GENERATION_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Most answers kept per process; past it the cache is emptied and refilled (the catalog
/// pages, details and popular searches of a shop fit many times over).
pub const MAX_CACHED: usize = 20_000;

/// A cached JSON answer: its bytes and strong `ETag` (a hash of the bytes, quoted).
#[derive(Debug, Clone)]
pub struct Cached {
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl Cached {
    /// Wraps serialised JSON `body`, computing its ETag (SHA-256, first 16 bytes, hex).
    pub fn new(body: Vec<u8>) -> Self {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(&body);
        let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        let etag = HeaderValue::from_str(&format!("\"{hex}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
        Self {
            body: Bytes::from(body),
            etag,
        }
    }
}

#[derive(Debug)]
struct Entries<V> {
    generation: String,
    map: HashMap<String, V>,
}

/// The in-process cache of goods answers (the API's JSON, [`Cached`]) or of anything else
/// made from the goods alone (the web origin's rendered pages), valid for one generation at
/// a time.
#[derive(Debug)]
pub struct GoodsCache<V = Cached> {
    entries: RwLock<Entries<V>>,
}

impl<V> Default for GoodsCache<V> {
    fn default() -> Self {
        Self {
            entries: RwLock::new(Entries {
                generation: String::new(),
                map: HashMap::new(),
            }),
        }
    }
}

impl<V: Clone> GoodsCache<V> {
    /// The answer cached under `key` for `generation`, if any.
    pub fn get(&self, generation: &str, key: &str) -> Option<V> {
        let entries = self.entries.read().ok()?;
        if entries.generation != generation {
            return None;
        }
        entries.map.get(key).cloned()
    }

    /// Keeps `value` under `key` for `generation`, dropping everything of older generations.
    pub fn put(&self, generation: &str, key: String, value: V) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.generation != generation || entries.map.len() >= MAX_CACHED {
            entries.map.clear();
            generation.clone_into(&mut entries.generation);
        }
        entries.map.insert(key, value);
    }
}

/// The current goods generation token, making one when there is none (first use, Redis
/// restarted, the token lapsed). Several processes racing here agree: only the first `SET NX`
/// wins and everyone reads the winner.
pub async fn generation(kv: &Kv) -> Result<String, KvError> {
    if let Some(token) = kv.get(GENERATION_KEY).await? {
        return Ok(token);
    }
    // Not a change: a replica may serve at once (no time in the token).
    let fresh = uuid::Uuid::new_v4().simple().to_string();
    kv.set_nx_ex(GENERATION_KEY, &fresh, GENERATION_TTL).await?;
    Ok(kv.get(GENERATION_KEY).await?.unwrap_or(fresh))
}

/// How long a generation made up while Redis cannot be read lasts, in milliseconds: goods
/// answers are cached at most this long then (and the search index checks the database's
/// goods version this often), so a change made meanwhile shows within it on every process.
pub const FALLBACK_GENERATION_MS: i64 = 2_000;

/// The generation to serve goods reads under: [`generation`], or, while the ephemeral store
/// cannot be read (Redis down or timing out), a made-up one that changes every
/// [`FALLBACK_GENERATION_MS`] (`<start of the period, Unix ms>-fallback`). Catalog reads then
/// keep answering from the database (the primary, as after a fresh change), each fallback
/// counted in `goods_reads_without_generation_total`; checkout never depended on it.
pub async fn read_generation(kv: &Kv) -> String {
    match generation(kv).await {
        Ok(token) => token,
        Err(e) => {
            tracing::debug!(error = %e, "goods generation unreadable; serving from the database");
            metrics::counter!("goods_reads_without_generation_total").increment(1);
            let now = crate::db::now_millis();
            format!("{}-fallback", now - now.rem_euclid(FALLBACK_GENERATION_MS))
        }
    }
}

/// Tells every API process that goods changed: a fresh generation token. Call it after the
/// transaction that changed goods data (and bumped `goods_state.version`) committed.
/// The token is `<Unix milliseconds of the change>-<random>`, so that readers know how long
/// ago goods last changed (crate::db::replica keeps catalog reads on the primary for a
/// while after a change).
pub async fn announce_change(kv: &Kv) -> Result<(), KvError> {
    let fresh = format!(
        "{}-{}",
        crate::db::now_millis(),
        uuid::Uuid::new_v4().simple()
    );
    kv.set_ex(GENERATION_KEY, &fresh, GENERATION_TTL).await
}

/// When the change that made generation `token` happened, in Unix milliseconds; `None`
/// for a token made without a change (first use, Redis restarted).
pub fn changed_at_ms(token: &str) -> Option<i64> {
    token.split_once('-')?.0.parse().ok()
}

/// Orders and cancellations change stock without a goods-version bump (the search index does
/// not depend on stock, and a bump per order would serialise every checkout on one row).
/// This announces a new generation, so that cached goods answers show the stock of `skus`:
/// called for an order that sold a SKU out, and for every cancellation (stock back on the
/// shelf; cancellations are few). An order that leaves stock behind announces nothing (that
/// would empty the caches hundreds of times a second under load): the stock figure of a
/// cached product page may then lag until the next announcement, while carts and orders
/// always check the live stock.
/// A failure is logged, not returned: the order or cancellation has committed.
pub async fn availability_changed(kv: &Kv, skus: &[i64]) {
    if skus.is_empty() {
        return;
    }
    if let Err(e) = announce_change(kv).await {
        tracing::warn!(error = %e, ?skus, "could not announce a change of availability");
    }
}

/// Bumps the goods version in the database and announces the change: for changes made
/// outside a transaction of the shop's own (an operator's SQL, the tests).
pub async fn goods_changed(db: &sqlx::AnyPool, kv: &Kv) -> anyhow::Result<()> {
    use anyhow::Context as _;
    crate::db::goods::bump_version(db)
        .await
        .context("bumping the goods version")?;
    announce_change(kv)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("announcing the goods change")
}
