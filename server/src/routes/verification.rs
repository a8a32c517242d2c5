//! SMS codes for registration and email activation (docs/api.md, tag "verification").

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dadashop_types::users::{ActivationQuery, SmsCodeRequest};
use dadashop_types::{MessageResponse, codes};
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::client_ip::ClientIp;
use crate::db::{self, users::UserRow};
use crate::domain::Phone;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required};
use crate::kv::Kv;
use crate::state::AppState;
use crate::verify::{self, Purpose};

/// An SMS code lives 5 minutes (docs/api.md: "SMS 5 min").
pub const SMS_CODE_TTL: Duration = Duration::from_secs(5 * 60);
/// One SMS per phone per 60 seconds (docs/api.md, code 10131).
pub const SMS_GAP: Duration = Duration::from_secs(60);
/// The window of the daily caps (SMS, reset mails, activation mails): 24 hours from the
/// first send counted.
pub const DAY: Duration = Duration::from_secs(86_400);
/// An activation link works for 3 days (docs/api.md).
pub const ACTIVATION_TTL_SECS: i64 = 3 * 86_400;
/// One activation mail per account per 60 seconds.
pub const ACTIVATION_GAP: Duration = Duration::from_secs(60);
/// Activation mails per account per 24 hours.
pub const ACTIVATION_MAX_PER_DAY: u64 = 10;

/// `POST /v1/users/sms/code`, `GET /v1/users/activation`,
/// `POST /v1/users/{username}/activation`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/sms/code", post(send_sms_code))
        .route("/users/activation", get(activate))
        .route("/users/{username}/activation", post(resend_activation))
}

/// A send that passed its limits: the interval key and the daily counters it took, given
/// back by [`SendPermit::abandon`] when the send could not be queued.
#[derive(Debug)]
pub struct SendPermit {
    kv: Kv,
    gap_key: String,
    counted: Vec<String>,
}

impl SendPermit {
    /// Takes one send of the interval `gap_key` (`gap` long) and one of each daily counter in
    /// `caps` (key, maximum), or refuses with 429 / 10131 and `Retry-After`.
    ///
    /// # Errors
    /// 429 as above; 503 when the ephemeral store is down (nothing is counted then).
    pub async fn take(
        kv: &Kv,
        gap_key: String,
        gap: Duration,
        caps: &[(String, u64)],
    ) -> ApiResult<Self> {
        if !kv.set_nx_ex(&gap_key, "1", gap).await? {
            let wait = kv.ttl_secs(&gap_key).await?.unwrap_or(gap.as_secs());
            return Err(ApiError::TooManyRequests {
                code: codes::TOO_MANY_REQUESTS,
                message: format!("发送过于频繁，请{wait}秒后再试"),
                retry_after: wait,
            });
        }
        let mut permit = Self {
            kv: kv.clone(),
            gap_key,
            counted: Vec::new(),
        };
        for (key, max) in caps {
            let n = match kv.incr_in_window(key, DAY).await {
                Ok(n) => n,
                Err(e) => {
                    permit.abandon().await;
                    return Err(e.into());
                }
            };
            if n > i64::try_from(*max).unwrap_or(i64::MAX) {
                let wait = kv
                    .ttl_secs(key)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(DAY.as_secs());
                let _ = kv.release(key).await;
                // A refused request changes nothing: not the other counters, and not the
                // interval of the phone or address, which another client (the owner, from
                // elsewhere) may ask for next (a client at its cap is refused again by the
                // counter alone).
                permit.abandon().await;
                return Err(ApiError::TooManyRequests {
                    code: codes::TOO_MANY_REQUESTS,
                    message: "今日发送次数已达上限，请明天再试".to_owned(),
                    retry_after: wait,
                });
            }
            permit.counted.push(key.clone());
        }
        Ok(permit)
    }

    /// Gives back everything this permit took (the send failed: nothing changed).
    pub async fn abandon(self) {
        for key in &self.counted {
            if let Err(e) = self.kv.release(key).await {
                tracing::warn!(error = %e, "could not give back a send count");
            }
        }
        if let Err(e) = self.kv.del(&self.gap_key).await {
            tracing::warn!(error = %e, "could not give back a send interval");
        }
    }
}

/// The 503 of a code that could not be stored or queued (code 10105).
fn code_not_sent() -> ApiError {
    ApiError::Upstream {
        code: codes::CODE_STORAGE_FAILED,
        message: "验证码发送失败，请稍后再试".to_owned(),
    }
}

/// Sends a 6-digit registration code to `phone` by SMS (through a background job). The code
/// is valid 5 minutes, single use, bound to the phone, and survives 5 wrong tries.
///
/// Errors: 10123 no phone, 10117 not a mainland mobile number, 429 / 10131 (with
/// `Retry-After`) a code was sent to this phone less than 60 s ago, or the phone's
/// (`SMS_MAX_PER_PHONE_PER_DAY`) or the address's (`SMS_MAX_PER_IP_PER_DAY`) daily cap is
/// reached, 503 / 10105 the code could not be stored or queued (nothing was counted).
#[utoipa::path(post, path = "/v1/users/sms/code", tag = "users", request_body = SmsCodeRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "No phone (10123) or not a mainland mobile number (10117)", body = dadashop_types::ErrorBody),
        (status = 429, description = "Sent to this phone less than 60 s ago, or a daily cap reached (10131); see Retry-After", body = dadashop_types::ErrorBody),
        (status = 503, description = "The code could not be stored or queued (10105)", body = dadashop_types::ErrorBody)))]
async fn send_sms_code(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<SmsCodeRequest>,
) -> ApiResult<Json<MessageResponse>> {
    let phone = Phone::parse(required(&req.phone, "phone")?)?;
    let phone = phone.as_str();
    let s = &state.settings;
    let permit = SendPermit::take(
        &state.kv,
        format!("sms:gap:{phone}"),
        SMS_GAP,
        &[
            (
                format!("sms:day:ip:{}", ip.rate_key()),
                s.sms_max_per_ip_per_day,
            ),
            (
                format!("sms:day:phone:{phone}"),
                s.sms_max_per_phone_per_day,
            ),
        ],
    )
    .await?;
    let code = verify::new_code();
    let sent = async {
        verify::store(
            &state.kv,
            &state.code_key,
            Purpose::Register,
            phone,
            &code,
            SMS_CODE_TTL,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
        state
            .jobs
            .send_sms_code(phone, &code, SMS_CODE_TTL.as_secs() / 60)
            .await
            .map_err(|e| anyhow::anyhow!(e))
    }
    .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, "SMS code not queued");
        let _ = verify::discard(&state.kv, Purpose::Register, phone).await;
        permit.abandon().await;
        return Err(code_not_sent());
    }
    Ok(Json(MessageResponse::ok()))
}

/// Makes a new activation code for `user`, stores its hash (valid 3 days, replacing earlier
/// ones) and queues the mail with the link `<PUBLIC_WEB_URL>/activation?code=...`.
///
/// # Errors
/// 503 when the database or the queue is down.
pub async fn send_activation(state: &AppState, user: &UserRow) -> ApiResult<()> {
    let bytes: [u8; 32] = rand::random();
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let now = db::now_secs();
    db::jobs::insert_activation_code(
        &state.db,
        user.id,
        &sha256_hex(&code),
        now + ACTIVATION_TTL_SECS,
        now,
    )
    .await?;
    let link = format!(
        "{}/activation?code={code}",
        state.settings.public_web_url.trim_end_matches('/')
    );
    let body = crate::jobs::MailBody::Activation {
        username: user.username.clone(),
        link: state.jobs.seal(&link),
    };
    state
        .jobs
        .send_mail(&user.email, body)
        .await
        .map_err(|e| ApiError::Unavailable(anyhow::anyhow!(e)))
}

/// Hex SHA-256 of `s`: how activation codes and reset proofs are stored (they carry 256
/// random bits, so a plain hash suffices).
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Activates the account of the activation link's `code`: single use, valid 3 days. Answers
/// `data: "OK"`, or `data: "ALREADY_ACTIVE"` when the link's account is active already.
///
/// Errors: 10113 no code, 10112 unknown, or used, replaced by a newer mail or expired while
/// the account is still inactive.
#[utoipa::path(get, path = "/v1/users/activation", tag = "users", params(ActivationQuery),
    responses((status = 200, body = MessageResponse, description = "`data`: `OK`, or `ALREADY_ACTIVE` when the account was active already"), (status = 400, description = "No code (10113); unknown code, or used or expired while the account is inactive (10112)", body = dadashop_types::ErrorBody)))]
async fn activate(
    State(state): State<AppState>,
    Query(query): Query<ActivationQuery>,
) -> ApiResult<Json<MessageResponse>> {
    let code = query.code.as_deref().map(str::trim).unwrap_or_default();
    if code.is_empty() {
        return Err(ApiError::bad_request(
            codes::ACTIVATION_MISSING,
            "缺少激活码",
        ));
    }
    let invalid = || ApiError::bad_request(codes::ACTIVATION_INVALID, "激活链接无效或已过期");
    if code.len() > 128 {
        return Err(invalid());
    }
    let hash = sha256_hex(code);
    match db::jobs::use_activation_code(&state.db, &hash, db::now_secs()).await? {
        Some(user_id) => {
            tracing::info!(user_id, "account activated");
            Ok(Json(MessageResponse::ok()))
        }
        // A link clicked again (or an older mail's) of an account that is active by now: the
        // shopper has nothing left to do, so say so rather than "invalid".
        None if db::jobs::activation_code_owner_active(&state.db, &hash).await? == Some(true) => {
            Ok(Json(MessageResponse {
                code: codes::OK,
                data: ALREADY_ACTIVE.to_owned(),
            }))
        }
        None => Err(invalid()),
    }
}

/// `data` of `GET /v1/users/activation` when the link's account was active already (the
/// link was used before, or a newer mail's link was).
pub const ALREADY_ACTIVE: &str = "ALREADY_ACTIVE";

/// Mails a new activation link to the caller (earlier links stop working). At most one mail
/// per 60 s and [`ACTIVATION_MAX_PER_DAY`] a day per account.
///
/// Errors: 401 / 403 not the caller's account, 10123 the account is active already,
/// 429 / 10131 (with `Retry-After`) too soon or too many, 503 the mail could not be queued.
#[utoipa::path(post, path = "/v1/users/{username}/activation", tag = "users", security(("token" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = MessageResponse), (status = 400, description = "The account is active already (10123)", body = dadashop_types::ErrorBody),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's account (10101)", body = dadashop_types::ErrorBody),
        (status = 429, description = "A mail was sent less than 60 s ago, or 10 today (10131); see Retry-After", body = dadashop_types::ErrorBody),
        (status = 503, description = "The mail could not be queued", body = dadashop_types::ErrorBody)))]
async fn resend_activation(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<MessageResponse>> {
    auth.ensure_is(&username)?;
    if auth.user.is_active == 1 {
        return Err(ApiError::bad_params("账户已激活，无需重新发送"));
    }
    let id = auth.user.id;
    let permit = SendPermit::take(
        &state.kv,
        format!("activation:gap:{id}"),
        ACTIVATION_GAP,
        &[(format!("activation:day:{id}"), ACTIVATION_MAX_PER_DAY)],
    )
    .await?;
    if let Err(e) = send_activation(&state, &auth.user).await {
        permit.abandon().await;
        return Err(e);
    }
    Ok(Json(MessageResponse::ok()))
}
