//! Image captchas (the `captcha` crate): what lets an account's owner in while the account is
//! under attack, instead of competing with the attacker for one try every few seconds
//! (crate::auth::throttle; OWASP "Blocking Brute Force Attacks": a CAPTCHA after failures).
//!
//! `POST /v1/users/captcha` makes one: 5 random characters drawn with noise and a wave on a
//! 220 × 120 PNG. The store keeps only the SHA-256 of its lower-cased text under
//! `captcha:<id>` for [`CAPTCHA_TTL`]; a login that presents it takes it (one use, right or
//! wrong), so a captcha cannot be guessed at by repeating it. Making captchas costs CPU, so
//! one address gets at most [`CAPTCHAS_PER_IP_PER_MINUTE`] a minute.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use dadashop_types::codes;
use dadashop_types::users::Captcha;
use sha2::Digest as _;

use crate::client_ip::ClientIp;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How long a captcha can be used, from when it was made.
pub const CAPTCHA_TTL: Duration = Duration::from_secs(300);
/// Captchas one address may ask for in a minute.
pub const CAPTCHAS_PER_IP_PER_MINUTE: u64 = 30;
/// Characters on a captcha.
pub const CAPTCHA_CHARS: u32 = 5;

fn digest(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.trim().to_lowercase().as_bytes()))
}

fn store_key(id: &str) -> String {
    format!("captcha:{id}")
}

/// A captcha just made: what the client gets, and its text (never sent in production).
#[derive(Debug)]
pub struct Issued {
    pub captcha: Captcha,
    /// The characters on the picture.
    pub text: String,
}

/// Makes a captcha for the client at `ip`.
///
/// # Errors
/// 429 / 10131 with `Retry-After` past [`CAPTCHAS_PER_IP_PER_MINUTE`]; 503 when the store is
/// down; 500 if the picture cannot be drawn.
pub async fn issue(state: &AppState, ip: &ClientIp) -> ApiResult<Issued> {
    let limit_key = format!("captcha:ip:{}", ip.rate_key());
    let made = state
        .kv
        .incr_in_window(&limit_key, Duration::from_secs(60))
        .await?;
    if made > i64::try_from(CAPTCHAS_PER_IP_PER_MINUTE).unwrap_or(i64::MAX) {
        let retry_after = state.kv.ttl_secs(&limit_key).await?.unwrap_or(60);
        return Err(ApiError::TooManyRequests {
            code: codes::TOO_MANY_REQUESTS,
            message: format!("验证码请求过于频繁，请{retry_after}秒后再试"),
            retry_after,
        });
    }
    let (text, png) = tokio::task::spawn_blocking(draw)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the captcha could not be drawn")))?;
    let id = hex::encode(rand::random::<[u8; 16]>());
    state
        .kv
        .set_ex(&store_key(&id), &digest(&text), CAPTCHA_TTL)
        .await?;
    Ok(Issued {
        captcha: Captcha {
            captcha_id: id,
            image: format!("data:image/png;base64,{}", STANDARD.encode(png)),
        },
        text,
    })
}

/// Draws a captcha: its text and its PNG.
fn draw() -> Option<(String, Vec<u8>)> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut captcha = captcha::Captcha::new();
    captcha
        .add_chars(CAPTCHA_CHARS)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 16.0).horizontal())
        .view(220, 120)
        .apply_filter(Dots::new(8));
    let png = captcha.as_png()?;
    Some((captcha.chars_as_string(), png))
}

/// Whether `text` is the text of captcha `id`; the captcha is used up either way.
///
/// # Errors
/// 503 when the store is down.
pub async fn solved(state: &AppState, id: &str, text: &str) -> ApiResult<bool> {
    let id = id.trim();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let stored = state.kv.take(&store_key(id)).await?;
    Ok(stored.is_some_and(|want| want == digest(text)))
}
