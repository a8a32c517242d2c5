//! Password hashing with Argon2id, off the async threads.
//!
//! Parameters: the `argon2` crate's defaults, which are OWASP's Password Storage Cheat Sheet
//! minimum for Argon2id (m = 19 MiB, t = 2, p = 1); ASVS 5.0 V11.4.2. Hashes are PHC strings,
//! so the parameters can be raised later without invalidating stored hashes.
//!
//! At most two hashes per core run at once ([`max_concurrent_hashes`]); further logins and
//! registrations wait for a slot. Without that bound a burst of requests would fill tokio's
//! blocking pool (512 threads × 19 MiB ≈ 10 GB) instead of queueing.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Upper bound of hashes computed at the same time: twice the available cores.
pub fn max_concurrent_hashes() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
}

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(max_concurrent_hashes()))
}

/// Runs `work` on the blocking pool once a hashing slot is free.
async fn limited<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = permits().acquire().await?;
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// Hashes `password` into a PHC string. Runs on the blocking pool (~20-50 ms of CPU, 19 MiB).
pub async fn hash(password: String) -> anyhow::Result<String> {
    limited(move || hash_blocking(&password)).await?
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

/// Whether `password` matches the PHC string `stored`. With `stored = None` (unknown user)
/// a dummy hash is checked so that the answer takes as long as for a real account.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    limited(move || {
        let (stored, real) = match &stored {
            Some(s) => (s.as_str(), true),
            None => (dummy_hash(), false),
        };
        let parsed = PasswordHash::new(stored)
            .map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await?
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
        let h = hash("correct horse".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(
            verify("correct horse".into(), Some(h.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify("wrong horse".into(), Some(h)).await.expect("verify"));
        assert!(!verify("anything".into(), None).await.expect("verify"));
    }
}
