//! Sealing of the secret part of a job payload (an SMS or reset code, an activation link).
//!
//! Jobs wait in Redis or in the SQLite queue, and finished or failed ones stay there for the
//! operator (`dadashop jobs`). Stored in clear, a dump of the queue would reveal live codes,
//! which issue #6 forbids ("a dump of Redis does not reveal live codes"). The secret part is
//! therefore encrypted with ChaCha20-Poly1305 (RFC 8439) under a key derived from
//! `JWT_SECRET`, which the API and every worker process share; the rest of the payload
//! (phone, address, job key) stays readable for operators.
//!
//! Rotating `JWT_SECRET` makes jobs sealed under the old key fail to open: they end as
//! failed jobs with the error "sealed with another key" and can be dropped.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use sha2::{Digest, Sha256};

/// Length of a ChaCha20-Poly1305 nonce, in bytes.
const NONCE_BYTES: usize = 12;

/// A sealed value could not be opened: malformed, tampered with, or sealed under another key.
#[derive(Debug, thiserror::Error)]
#[error("the sealed job value cannot be opened (malformed, or sealed with another key)")]
pub struct SealError;

/// Seals and opens short secrets; cheap to clone.
#[derive(Clone)]
pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer whose 256-bit key is SHA-256 of a fixed label and `secret` (the JWT secret),
    /// so that the JWT key itself never encrypts anything.
    pub fn new(secret: &[u8]) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"dadashop job seal v1\0");
        hash.update(secret);
        let key: [u8; 32] = hash.finalize().into();
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// Encrypts `plain` under a fresh random nonce: base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plain: &str) -> String {
        let nonce: [u8; NONCE_BYTES] = rand::random();
        // Encryption into a Vec cannot fail for inputs this small (the only error is a
        // buffer overflow past 256 GiB).
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Decrypts a value made by [`Sealer::seal`] with the same key.
    ///
    /// # Errors
    /// [`SealError`] for anything else.
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).map_err(|_| SealError)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(SealError);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealError)?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| SealError)?;
        String::from_utf8(plain).map_err(|_| SealError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_code_opens_with_the_same_key_only_and_hides_the_digits() {
        let sealer = Sealer::new(b"a secret of the shop, 32 bytes long!");
        let sealed = sealer.seal("123456");
        assert!(!sealed.contains("123456"));
        assert_ne!(sealed, sealer.seal("123456"), "a fresh nonce per seal");
        assert_eq!(sealer.open(&sealed).ok().as_deref(), Some("123456"));
        let other = Sealer::new(b"another secret of the shop, 32 bytes");
        assert!(other.open(&sealed).is_err());
        assert!(sealer.open("not base64 at all!").is_err());
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert!(
            sealer
                .open(&String::from_utf8(tampered).unwrap_or_default())
                .is_err()
        );
    }
}
