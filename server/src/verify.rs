//! One-time verification codes: the SMS code of a registration and the mailed code of a
//! password reset (docs/api.md "Rules the original broke": 6 random digits, single use, at
//! most 5 wrong tries, valid 5 minutes by SMS and 10 by mail).
//!
//! A code lives in the ephemeral store under its purpose and subject (the phone or the
//! address), as HMAC-SHA256 under a key derived from `JWT_SECRET`: a dump of Redis shows
//! which phones have a code pending but not the codes, and 10^6 candidates cannot be tried
//! offline without the key. Wrong tries are counted atomically before the comparison, so
//! parallel guesses cannot exceed the limit; the fifth wrong try burns the code. A right
//! code is taken with `GETDEL`, so of two requests using one code only one succeeds.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::kv::{Kv, KvError};

/// Wrong tries a code survives; the last of them burns it.
pub const MAX_TRIES: i64 = 5;

/// What a code is for; part of its key, so a code of one purpose never serves another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The SMS code of a registration, bound to the phone.
    Register,
    /// The mailed code of a password reset, bound to the address.
    ResetPassword,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::ResetPassword => "reset",
        }
    }
}

/// How a submitted code compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right: the code is used up now.
    Accepted,
    /// Wrong; this many tries are left (0: the code is burned).
    Wrong { tries_left: i64 },
    /// No live code: never sent, expired, used, or burned by wrong tries.
    Expired,
}

/// The key of the codes' HMAC; cheap to clone.
#[derive(Clone)]
pub struct CodeKey([u8; 32]);

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(..)")
    }
}

impl CodeKey {
    /// SHA-256 of a fixed label and the JWT secret (the JWT key itself signs only tokens).
    pub fn new(secret: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"dadashop verification codes v1\0");
        hash.update(secret);
        Self(hash.finalize().into())
    }

    fn mac(&self, purpose: Purpose, subject: &str, code: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.name().as_bytes());
        mac.update(b"\0");
        mac.update(subject.as_bytes());
        mac.update(b"\0");
        mac.update(code.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// A new 6-digit code, uniform over 000000-999999, from the thread's CSPRNG (ChaCha12
/// seeded from the operating system).
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Whether `s` looks like a code: exactly 6 ASCII digits.
pub fn is_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

fn code_key(purpose: Purpose, subject: &str) -> String {
    format!("code:{}:{subject}", purpose.name())
}

fn tries_key(purpose: Purpose, subject: &str) -> String {
    format!("code:{}:tries:{subject}", purpose.name())
}

/// Stores `code` for `purpose` and `subject`, valid `ttl`, replacing an earlier code and its
/// count of wrong tries.
pub async fn store(
    kv: &Kv,
    key: &CodeKey,
    purpose: Purpose,
    subject: &str,
    code: &str,
    ttl: Duration,
) -> Result<(), KvError> {
    let mac = hex::encode(key.mac(purpose, subject, code));
    kv.del(&tries_key(purpose, subject)).await?;
    kv.set_ex(&code_key(purpose, subject), &mac, ttl).await
}

/// Removes the code of `purpose` and `subject` (after a failed send).
pub async fn discard(kv: &Kv, purpose: Purpose, subject: &str) -> Result<(), KvError> {
    kv.del(&code_key(purpose, subject)).await
}

/// Compares `given` with the live code of `purpose` and `subject`, counting the try.
///
/// # Errors
/// [`KvError`] when the store is down. A failure half-way may leave the try counted, which
/// errs on the safe side.
pub async fn check(
    kv: &Kv,
    key: &CodeKey,
    purpose: Purpose,
    subject: &str,
    given: &str,
    ttl: Duration,
) -> Result<CodeCheck, KvError> {
    let code_key = code_key(purpose, subject);
    let tries_key = tries_key(purpose, subject);
    let tries = kv.incr_in_window(&tries_key, ttl).await?;
    let Some(stored) = kv.get(&code_key).await? else {
        kv.release(&tries_key).await?;
        return Ok(CodeCheck::Expired);
    };
    if tries > MAX_TRIES {
        kv.del(&code_key).await?;
        return Ok(CodeCheck::Expired);
    }
    let expected = hex::decode(&stored).unwrap_or_default();
    let mac = key.mac(purpose, subject, given);
    if !bool::from(mac.as_slice().ct_eq(expected.as_slice())) {
        if tries >= MAX_TRIES {
            kv.del(&code_key).await?;
        }
        return Ok(CodeCheck::Wrong {
            tries_left: MAX_TRIES - tries,
        });
    }
    // Single use: of two requests with the right code, only one takes it.
    if kv.take(&code_key).await?.as_deref() != Some(stored.as_str()) {
        return Ok(CodeCheck::Expired);
    }
    kv.del(&tries_key).await?;
    Ok(CodeCheck::Accepted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_code_is_single_use_and_burns_after_five_wrong_tries() {
        let kv = Kv::memory("t:");
        let key = CodeKey::new(b"k");
        let ttl = Duration::from_secs(60);
        store(&kv, &key, Purpose::Register, "13812345678", "123456", ttl)
            .await
            .expect("store");
        let stored = kv.get("code:register:13812345678").await.expect("get");
        assert!(stored.is_some_and(|v| !v.contains("123456")));
        let check = |code: &'static str| {
            let (kv, key) = (kv.clone(), key.clone());
            async move {
                super::check(&kv, &key, Purpose::Register, "13812345678", code, ttl)
                    .await
                    .expect("check")
            }
        };
        assert_eq!(check("000000").await, CodeCheck::Wrong { tries_left: 4 });
        assert_eq!(check("123456").await, CodeCheck::Accepted);
        assert_eq!(check("123456").await, CodeCheck::Expired);
        store(&kv, &key, Purpose::Register, "13812345678", "654321", ttl)
            .await
            .expect("store");
        for left in (0..5).rev() {
            assert_eq!(check("111111").await, CodeCheck::Wrong { tries_left: left });
        }
        assert_eq!(check("654321").await, CodeCheck::Expired);
        let reset = super::check(
            &kv,
            &key,
            Purpose::ResetPassword,
            "13812345678",
            "654321",
            ttl,
        )
        .await
        .expect("check");
        assert_eq!(reset, CodeCheck::Expired, "purposes do not mix");
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..1000 {
            assert!(is_code(&new_code()));
        }
        assert!(!is_code("12345"));
        assert!(!is_code("12345a"));
        assert!(!is_code("１２３４５６"));
    }
}
