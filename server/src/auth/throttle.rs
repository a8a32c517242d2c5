//! Anti-automation for login and registration (issue #5, item 4; ASVS 5.0 V6.3.1; OWASP
//! "Blocking Brute Force Attacks" and the Authentication Cheat Sheet).
//!
//! The foundation counted wrong passwords per account only, so six wrong passwords for
//! someone else's name locked the owner out for 15 minutes, and nothing limited one address.
//! Login failures are now counted in three fixed windows of `LOGIN_WINDOW_SECS`:
//!
//! | counter | limit (setting, default) | over it |
//! |---|---|---|
//! | account + client address | `LOGIN_MAX_FAILURES_PER_ACCOUNT_IP` (5) | 429 for that pair until the window ends |
//! | client address | `LOGIN_MAX_FAILURES_PER_IP` (20) | 429 for that address |
//! | account, from anywhere | `LOGIN_SLOWDOWN_AFTER` (10) | one try per `LOGIN_SLOWDOWN_SECS` (5 s) from addresses the account has not logged in from, or at once with a solved image captcha (crate::auth::captcha; 429 / 10133 asks for one) |
//!
//! On an address the account knows, reaching the per-pair limit asks for an image captcha
//! (429 / 10133) instead of locking the owner out; each wrong password there then needs a
//! fresh captcha. A stranger's address keeps the hard limits.
//!
//! The per-account counter slows guessing down instead of locking anyone out: an attacker
//! spread over many addresses gets one guess per 5 s per account (17,280 a day instead of
//! millions), while the owner logging in from an address they used before within 30 days
//! is not slowed at all, and from a new address waits a few seconds at most.
//!
//! A login from a known address also gets the hashing slot kept for such logins
//! ([`crate::auth::password`]), so floods from elsewhere do not keep the shopper out.
//!
//! Only a password verified wrong counts, after it was verified: a try in flight never
//! counts, so 64 shoppers behind one address (a campus, an office, a carrier's NAT) logging
//! in at once with their right passwords are never refused by the failure counters, and a
//! request dropped before its verdict (the client hung up, a proxy timed out, the server shed
//! it) leaves nothing behind. How many guesses can be in flight at once past a limit is
//! bounded by the password-hashing queue ([`crate::auth::password`]: 503 with `Retry-After`
//! when it is full), not by these counters. A database or Redis outage (503) never counts.
//! Registrations are limited per client address (`REGISTER_MAX_PER_IP` per
//! `REGISTER_WINDOW_SECS`); refused and failed ones are taken back the same way.
//!
//! Counters live in the ephemeral store (Redis when configured, so that every API process
//! shares them). Losing them on a restart only restarts the windows.

use std::time::Duration;

use dadashop_types::codes;

use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::kv::Kv;
use crate::state::AppState;

/// How long a successful login marks the (account, address) pair as known, in seconds.
pub const KNOWN_ADDRESS_SECS: u64 = 30 * 86_400;
/// Logins per window from one known address that keep its privileges.
pub const KNOWN_ADDRESS_LOGINS: u64 = 5;

/// One login try that passed the limits (nothing counted yet); say how it ended with one of
/// its methods.
#[derive(Debug)]
#[must_use = "a login try must be settled: failed, succeeded or aborted"]
pub struct LoginTry {
    /// The account logged in from this address within [`KNOWN_ADDRESS_SECS`].
    pub known: bool,
    kv: Kv,
    pair: String,
    ip: String,
    account: String,
    known_key: String,
    ok_key: String,
    window: Duration,
}

impl LoginTry {
    /// Counts a login try of account `login_name` (any letter case) from `ip`, or refuses it
    /// with 429 / 10131 and `Retry-After` when a limit is reached.
    ///
    /// # Errors
    /// 429 as above; 503 when the ephemeral store is down.
    pub async fn begin(
        state: &AppState,
        login_name: &str,
        ip: &ClientIp,
        captcha: Option<(&str, &str)>,
    ) -> Result<Self, ApiError> {
        let s = &state.settings;
        let window = Duration::from_secs(s.login_window_secs);
        let account = crate::db::users::username_key(login_name);
        let ip_key = ip.rate_key();
        let known_key = format!("login:known:{account}:{ip_key}");
        let ok_key = format!("login:ok:{account}:{ip_key}");
        let kv = &state.kv;
        // A known address loses its privileges (the kept hashing slot, the exemption from the
        // address limit) after KNOWN_ADDRESS_LOGINS logins in one window: an attacker who
        // logs in to their own account in a loop must not own the kept slot.
        let recent_logins: u64 = kv
            .get(&ok_key)
            .await?
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        // The pair counters of an account start afresh after a password reset (a new epoch).
        let pair = match kv.get(&epoch_key(&account)).await? {
            Some(epoch) => format!("login:fail:pair:{account}:{epoch}:{ip_key}"),
            None => format!("login:fail:pair:{account}:{ip_key}"),
        };
        let attempt = Self {
            known: recent_logins < KNOWN_ADDRESS_LOGINS && kv.exists(&known_key).await?,
            window,
            ok_key,
            kv: state.kv.clone(),
            pair,
            ip: format!("login:fail:ip:{ip_key}"),
            account: format!("login:fail:account:{account}"),
            known_key,
        };
        let pair = failures(kv, &attempt.pair).await?;
        let by_ip = failures(kv, &attempt.ip).await?;
        let by_account = failures(kv, &attempt.account).await?;

        // When set: the seconds until this try would pass without an image captcha.
        let mut captcha_wait = None;
        if pair >= to_i64(s.login_max_failures_per_account_ip) {
            let retry_after = kv
                .ttl_secs(&attempt.pair)
                .await?
                .unwrap_or(s.login_window_secs);
            if !attempt.known {
                return Err(ApiError::TooManyRequests {
                    code: codes::TOO_MANY_REQUESTS,
                    message: format!("密码错误次数过多，请{}分钟后再试", retry_after.div_ceil(60)),
                    retry_after,
                });
            }
            // The owner's own address: a captcha instead of a lock-out.
            captcha_wait = Some(retry_after);
        } else if by_ip >= to_i64(s.login_max_failures_per_ip) && !attempt.known {
            // Not for an account's known address: one guessing neighbour behind the same
            // NAT (or IPv6 /64) must not lock out owners who log in from there.
            let retry_after = kv
                .ttl_secs(&attempt.ip)
                .await?
                .unwrap_or(s.login_window_secs);
            return Err(ApiError::TooManyRequests {
                code: codes::TOO_MANY_REQUESTS,
                message: format!("登录失败次数过多，请{}分钟后再试", retry_after.div_ceil(60)),
                retry_after,
            });
        }

        if captcha_wait.is_none() && by_account >= to_i64(s.login_slowdown_after) && !attempt.known
        {
            // The account is under attack: one try per slowdown period from addresses it
            // does not know, or at once with a solved captcha.
            let slot = format!("login:slow:{account}");
            let pace = Duration::from_secs(s.login_slowdown_secs);
            if !kv.set_nx_ex(&slot, "1", pace).await? {
                captcha_wait = Some(kv.ttl_secs(&slot).await?.unwrap_or(s.login_slowdown_secs));
            }
        }
        if let Some(retry_after) = captcha_wait {
            match captcha {
                Some((id, text)) => {
                    if !crate::auth::captcha::solved(state, id, text).await? {
                        return Err(ApiError::bad_request(
                            codes::CAPTCHA_WRONG,
                            "图形验证码错误或已过期，请重新输入",
                        ));
                    }
                }
                None => {
                    return Err(ApiError::TooManyRequests {
                        code: codes::CAPTCHA_REQUIRED,
                        message: format!(
                            "该账号登录尝试过多，请输入图形验证码（或{}后再试）",
                            wait_text(retry_after)
                        ),
                        retry_after,
                    });
                }
            }
        }
        Ok(attempt)
    }

    /// The password was verified wrong: the try is counted now against the pair, the
    /// address and the account. A store that fails here is logged, and the answer stays
    /// "wrong password" (a 503 only for wrong passwords would tell a guesser the verdict).
    pub async fn failed(self) {
        for key in [&self.pair, &self.ip, &self.account] {
            if let Err(e) = self.kv.incr_in_window(key, self.window).await {
                tracing::warn!(error = %e, "could not count a failed login");
            }
        }
    }

    /// The password was right: this pair's failures are forgotten and the pair is
    /// remembered as known.
    ///
    /// # Errors
    /// 503 when the ephemeral store is down.
    pub async fn succeeded(self) -> Result<(), ApiError> {
        self.kv.del(&self.pair).await?;
        self.kv
            .set_ex(
                &self.known_key,
                "1",
                Duration::from_secs(KNOWN_ADDRESS_SECS),
            )
            .await?;
        self.kv.incr_in_window(&self.ok_key, self.window).await?;
        Ok(())
    }

    /// The try ended without a verdict that counts (the database was down, the hashing
    /// queue was full, a right password that logs nobody in, such as the old password of a
    /// password change): nothing was counted, nothing is.
    pub fn abandon(self) {}
}

/// Marks `ip` as an address the account `login_name` uses (for [`KNOWN_ADDRESS_SECS`]), as a
/// successful login does: called when the account is created there (a registration, a new
/// account bound to Weibo), so that its owner is never slowed down from the address they
/// registered from. A store that fails is logged: the account exists all the same.
pub async fn remember_address(state: &AppState, login_name: &str, ip: &ClientIp) {
    let account = crate::db::users::username_key(login_name);
    let key = format!("login:known:{account}:{}", ip.rate_key());
    let lifetime = Duration::from_secs(KNOWN_ADDRESS_SECS);
    if let Err(e) = state.kv.set_ex(&key, "1", lifetime).await {
        tracing::warn!(error = %e, "could not remember the address of a new account");
    }
}

/// `retry_after` seconds as a shopper reads them: "40秒", "15分钟".
fn wait_text(retry_after: u64) -> String {
    if retry_after < 120 {
        format!("{retry_after}秒")
    } else {
        format!("{}分钟", retry_after.div_ceil(60))
    }
}

fn epoch_key(account: &str) -> String {
    format!("login:epoch:{account}")
}

/// Forgets the login failures of account `login_name` everywhere: its pair counters (by a
/// new epoch: every address starts afresh), its account counter and its slow lane. Called
/// after a successful password reset, which proves the owner is the one logging in next:
/// "请使用新密码登录" must not meet a lock-out. A store that fails is logged.
pub async fn forget_failures(state: &AppState, login_name: &str) {
    let account = crate::db::users::username_key(login_name);
    let epoch = hex::encode(rand::random::<[u8; 8]>());
    let window = Duration::from_secs(state.settings.login_window_secs);
    let kv = &state.kv;
    let done = async {
        kv.set_ex(
            &epoch_key(&account),
            &epoch,
            window.max(Duration::from_secs(86_400)),
        )
        .await?;
        kv.del(&format!("login:fail:account:{account}")).await?;
        kv.del(&format!("login:slow:{account}")).await
    }
    .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "could not forget the login failures of a reset account");
    }
}

/// The failures counted under `key` in its current window (0 when none).
async fn failures(kv: &Kv, key: &str) -> Result<i64, ApiError> {
    Ok(kv
        .get(key)
        .await?
        .and_then(|n| n.trim().parse::<i64>().ok())
        .unwrap_or(0))
}

/// One registration that passed the per-address limit.
#[derive(Debug)]
#[must_use = "a registration try must be kept or aborted"]
pub struct RegisterTry {
    kv: Kv,
    key: String,
}

impl RegisterTry {
    /// Counts a registration from `ip`, or refuses it with 429 / 10131 and `Retry-After`.
    ///
    /// # Errors
    /// 429 as above; 503 when the ephemeral store is down.
    pub async fn begin(state: &AppState, ip: &ClientIp) -> Result<Self, ApiError> {
        let s = &state.settings;
        let key = format!("register:ip:{}", ip.rate_key());
        let window = Duration::from_secs(s.register_window_secs);
        let count = state.kv.incr_in_window(&key, window).await?;
        let attempt = Self {
            kv: state.kv.clone(),
            key,
        };
        if count > to_i64(s.register_max_per_ip) {
            let retry_after = state
                .kv
                .ttl_secs(&attempt.key)
                .await?
                .unwrap_or(s.register_window_secs);
            attempt.aborted().await?;
            return Err(ApiError::TooManyRequests {
                code: codes::TOO_MANY_REQUESTS,
                message: format!("注册过于频繁，请{}分钟后再试", retry_after.div_ceil(60)),
                retry_after,
            });
        }
        Ok(attempt)
    }

    /// The registration was carried out (or refused for a taken name): it stays counted.
    pub fn kept(self) {}

    /// [`Self::aborted`] on a path that already fails with another error: a store that is
    /// down too is only logged.
    pub async fn abandon(self) {
        if let Err(e) = self.aborted().await {
            tracing::warn!(error = %e, "could not take back a registration try");
        }
    }

    /// The registration failed for the shop's reasons (503): it is taken back.
    ///
    /// # Errors
    /// 503 when the ephemeral store is down.
    pub async fn aborted(self) -> Result<(), ApiError> {
        self.kv.release(&self.key).await?;
        Ok(())
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
