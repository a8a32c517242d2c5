//! Alipay's RSA2 signatures (SHA256withRSA, PKCS#1 v1.5, standard base64) and the key formats
//! people paste into configuration: PEM (PKCS#1 `RSA PRIVATE KEY` / `RSA PUBLIC KEY`, PKCS#8
//! `PRIVATE KEY`, SubjectPublicKeyInfo `PUBLIC KEY`), bare base64 DER as the Alipay console shows
//! keys, or the path of a file holding either.
//!
//! What is signed (Alipay open platform, "自行实现验签"):
//! - a request from the shop: every parameter but `sign` whose value is non-empty, sorted by key
//!   in byte order, joined as `k=v` with `&`, values raw (decoded, not re-encoded); `sign_type`
//!   is part of it;
//! - what the gateway sends to the shop (the return redirect, the asynchronous notification):
//!   the same, but without `sign_type` either;
//! - an API answer: the exact JSON text of the `<method>_response` value ([`sign_text`]).

use std::collections::BTreeMap;

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::sha2::Sha256;
pub use rsa::{PrivateKey, PublicKey};

/// Alipay's RSA2 keys are 2048 bits; the fake refuses anything shorter.
pub const KEY_BITS: usize = 2048;

/// The text that is signed: the non-empty parameters but `sign` (and `sign_type` when
/// `exclude_sign_type`), sorted by key in byte order, as `k=v` joined with `&`, values raw.
pub fn signing_string(params: &BTreeMap<String, String>, exclude_sign_type: bool) -> String {
    // A BTreeMap<String, _> iterates in byte order of the keys, which is Alipay's order.
    params
        .iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && k.as_str() != "sign"
                && !(exclude_sign_type && k.as_str() == "sign_type")
        })
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs `text` (its UTF-8 bytes) with SHA256withRSA, PKCS#1 v1.5: standard base64 of the
/// signature (344 characters for a 2048-bit key). Deterministic: the same key and text always
/// give the same signature.
///
/// # Errors
/// The key is too small to hold a SHA-256 `DigestInfo` (far below [`KEY_BITS`]).
pub fn sign_text(key: &PrivateKey, text: &str) -> anyhow::Result<String> {
    let signature = key
        .pkcs1v15_sign::<Sha256>(text.as_bytes())
        .map_err(|e| anyhow!("RSA2 signing failed: {e}"))?;
    Ok(STANDARD.encode(signature))
}

/// Whether `signature` (standard base64) is `key`'s SHA256withRSA signature of `text`.
pub fn verify_text(key: &PublicKey, text: &str, signature: &str) -> bool {
    let Ok(raw) = STANDARD.decode(signature) else {
        return false;
    };
    key.pkcs1v15_verify::<Sha256>(text.as_bytes(), &raw).is_ok()
}

/// The RSA2 `sign` of `params` ([`signing_string`] signed with [`sign_text`]): pass
/// `exclude_sign_type = false` for a request to Alipay, `true` for what Alipay sends back.
///
/// # Errors
/// As [`sign_text`].
pub fn rsa2_sign(
    key: &PrivateKey,
    params: &BTreeMap<String, String>,
    exclude_sign_type: bool,
) -> anyhow::Result<String> {
    sign_text(key, &signing_string(params, exclude_sign_type))
}

/// Whether `params["sign"]` is `key`'s RSA2 signature of the other parameters (see
/// [`rsa2_sign`] for `exclude_sign_type`). A missing `sign` does not verify.
pub fn rsa2_verify(
    key: &PublicKey,
    params: &BTreeMap<String, String>,
    exclude_sign_type: bool,
) -> bool {
    params.get("sign").is_some_and(|signature| {
        verify_text(key, &signing_string(params, exclude_sign_type), signature)
    })
}

/// Reads a private key: PKCS#1 or PKCS#8 PEM, bare base64 DER (either), or the path of a file
/// holding one of those.
///
/// # Errors
/// The text is none of those, the file cannot be read, or the key is shorter than
/// [`KEY_BITS`].
pub fn parse_private_key(text: &str) -> anyhow::Result<PrivateKey> {
    let key = load(text, "private", private_from_pem, private_from_der)?;
    check_size(rsa::traits::PublicKeyParts::size(&key))?;
    Ok(key)
}

/// Reads a public key: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC
/// KEY`) PEM, bare base64 DER (either, as the Alipay console shows "支付宝公钥"), or the path of
/// a file holding one of those.
///
/// # Errors
/// As [`parse_private_key`].
pub fn parse_public_key(text: &str) -> anyhow::Result<PublicKey> {
    let key = load(text, "public", public_from_pem, public_from_der)?;
    check_size(rsa::traits::PublicKeyParts::size(&key))?;
    Ok(key)
}

/// A fresh [`KEY_BITS`]-bit key from the operating system's random source. Takes seconds in
/// an unoptimised build.
///
/// # Errors
/// The random source fails.
pub fn generate_private_key() -> anyhow::Result<PrivateKey> {
    PrivateKey::new(&mut getrandom::SysRng, KEY_BITS)
        .map_err(|e| anyhow!("generating an RSA key: {e}"))
}

/// `key` as PKCS#8 PEM (`BEGIN PRIVATE KEY`, `\n` line endings).
///
/// # Errors
/// Encoding fails (it does not for a valid key).
pub fn private_key_pem(key: &PrivateKey) -> anyhow::Result<String> {
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding the private key: {e}"))?;
    Ok(pem.as_str().to_owned())
}

/// `key` as SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`, `\n` line endings), the form most
/// Alipay SDKs take as "支付宝公钥".
///
/// # Errors
/// Encoding fails (it does not for a valid key).
pub fn public_key_pem(key: &PublicKey) -> anyhow::Result<String> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow!("encoding the public key: {e}"))
}

fn check_size(bytes: usize) -> anyhow::Result<()> {
    if bytes * 8 < KEY_BITS {
        bail!(
            "the RSA key has {} bits; Alipay's RSA2 keys have {KEY_BITS}",
            bytes * 8
        );
    }
    Ok(())
}

fn private_from_pem(pem: &str) -> anyhow::Result<PrivateKey> {
    if pem.contains("BEGIN RSA PRIVATE KEY") {
        PrivateKey::from_pkcs1_pem(pem).map_err(|e| anyhow!("not a PKCS#1 private key: {e}"))
    } else {
        PrivateKey::from_pkcs8_pem(pem).map_err(|e| anyhow!("not a PKCS#8 private key: {e}"))
    }
}

fn private_from_der(der: &[u8]) -> anyhow::Result<PrivateKey> {
    PrivateKey::from_pkcs8_der(der)
        .or_else(|_| PrivateKey::from_pkcs1_der(der))
        .map_err(|e| anyhow!("not a PKCS#8 or PKCS#1 private key: {e}"))
}

fn public_from_pem(pem: &str) -> anyhow::Result<PublicKey> {
    if pem.contains("BEGIN RSA PUBLIC KEY") {
        PublicKey::from_pkcs1_pem(pem).map_err(|e| anyhow!("not a PKCS#1 public key: {e}"))
    } else {
        PublicKey::from_public_key_pem(pem)
            .map_err(|e| anyhow!("not a SubjectPublicKeyInfo public key: {e}"))
    }
}

fn public_from_der(der: &[u8]) -> anyhow::Result<PublicKey> {
    PublicKey::from_public_key_der(der)
        .or_else(|_| PublicKey::from_pkcs1_der(der))
        .map_err(|e| anyhow!("not a SubjectPublicKeyInfo or PKCS#1 public key: {e}"))
}

/// The DER bytes of a bare base64 key (line breaks allowed), or `None` if `text` is not
/// base64 of a plausible length.
fn bare_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.split_whitespace().collect();
    // The shortest DER key Alipay could show (an SPKI of 2048 bits) is about 390 characters;
    // anything much shorter is a file name.
    if compact.len() < 128
        || !compact
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    {
        return None;
    }
    STANDARD.decode(compact).ok()
}

/// PEM first, then bare base64, then a path to a file with PEM or base64 in it.
fn load<K>(
    text: &str,
    what: &str,
    from_pem: fn(&str) -> anyhow::Result<K>,
    from_der: fn(&[u8]) -> anyhow::Result<K>,
) -> anyhow::Result<K> {
    let text = text.trim();
    if text.is_empty() {
        bail!("the {what} key is empty");
    }
    if text.contains("-----BEGIN") {
        return from_pem(text).with_context(|| format!("reading the {what} key as PEM"));
    }
    if let Some(der) = bare_base64(text) {
        return from_der(&der).with_context(|| format!("reading the {what} key as base64 DER"));
    }
    let content = std::fs::read_to_string(text).with_context(|| {
        format!("the {what} key is neither PEM nor base64, and reading it as a file path ({text}) failed")
    })?;
    let content = content.trim();
    if content.contains("-----BEGIN") {
        from_pem(content).with_context(|| format!("reading the {what} key file {text} as PEM"))
    } else if let Some(der) = bare_base64(content) {
        from_der(&der).with_context(|| format!("reading the {what} key file {text} as base64 DER"))
    } else {
        bail!("the {what} key file {text} holds neither PEM nor base64")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_PRIVATE: &str = include_str!("../../tests/keys/app_private.pem");
    const APP_PUBLIC: &str = include_str!("../../tests/keys/app_public.pem");

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_signing_string_sorts_by_key_and_skips_sign_and_empty_values() {
        let p = params(&[
            ("sign", "x"),
            ("b", "2"),
            ("sign_type", "RSA2"),
            ("a", "1"),
            ("empty", ""),
            ("B", "upper first"),
        ]);
        assert_eq!(
            signing_string(&p, false),
            "B=upper first&a=1&b=2&sign_type=RSA2"
        );
        assert_eq!(signing_string(&p, true), "B=upper first&a=1&b=2");
    }

    #[test]
    fn keys_are_read_from_pem_pkcs1_pem_bare_base64_and_files() -> anyhow::Result<()> {
        let private = parse_private_key(APP_PRIVATE)?;
        let public = parse_public_key(APP_PUBLIC)?;
        assert_eq!(public, private.to_public_key());

        let pkcs1 = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(&private, LineEnding::CRLF)
            .map_err(|e| anyhow!("{e}"))?;
        assert_eq!(parse_private_key(&pkcs1)?, private);
        let pkcs1_public = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_pem(&public, LineEnding::LF)
            .map_err(|e| anyhow!("{e}"))?;
        assert_eq!(parse_public_key(&pkcs1_public)?, public);

        // The Alipay console shows the key as one line of base64 without the PEM armour.
        let bare: String = APP_PUBLIC
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(parse_public_key(&bare)?, public);
        let bare_private: String = APP_PRIVATE
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        assert_eq!(parse_private_key(&bare_private)?, private);

        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/app_public.pem");
        assert_eq!(parse_public_key(path)?, public);
        assert!(parse_public_key("no/such/file.pem").is_err());
        assert!(parse_public_key("").is_err());
        Ok(())
    }

    #[test]
    fn a_signature_verifies_only_for_the_signed_text() -> anyhow::Result<()> {
        let private = parse_private_key(APP_PRIVATE)?;
        let public = private.to_public_key();
        let mut p = params(&[("a", "1"), ("sign_type", "RSA2")]);
        let sign = rsa2_sign(&private, &p, false)?;
        p.insert("sign".to_owned(), sign);
        assert!(rsa2_verify(&public, &p, false));
        assert!(!rsa2_verify(&public, &p, true), "sign_type was signed");
        p.insert("a".to_owned(), "2".to_owned());
        assert!(!rsa2_verify(&public, &p, false));
        assert!(!verify_text(&public, "a=1", "not base64!"));
        Ok(())
    }
}
