//! Forgotten password in three steps (docs/api.md): a 6-digit code mailed to the address,
//! its verification, which answers a short-lived reset proof, and the new password, which
//! needs that proof (the original let anyone who knew an address reset its password).
//!
//! Unknown addresses: step 1 answers exactly as for a known one (200, same shape) and does
//! the same store work, only no mail is queued, so the answer does not tell who has an
//! account; the remaining timing difference is one queue insert (about a millisecond).
//! Step 2 can then only fail (no one knows that code), with the same 10132 / 10106 as a
//! wrong code for a known address.
//!
//! Several accounts may share an address (the original did not make it unique): the proof
//! is for the mailbox, and step 3 sets the new password of every account registered with it.

use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dadashop_types::users::{
    ResetCodeRequest, ResetPasswordRequest, ResetVerifyRequest, ResetVerifyResponse,
};
use dadashop_types::{MessageResponse, codes};

use crate::client_ip::ClientIp;
use crate::db::{self, users};
use crate::domain::{Email, NewPassword};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required, required_exact};
use crate::jobs::MailBody;
use crate::routes::verification::{SendPermit, sha256_hex};
use crate::state::AppState;
use crate::verify::{self, CodeCheck, Purpose};

/// A reset code lives 10 minutes (docs/api.md: codes valid at most 10 minutes).
pub const RESET_CODE_TTL: Duration = Duration::from_secs(10 * 60);
/// A reset proof lives 10 minutes and serves once.
pub const RESET_PROOF_TTL: Duration = Duration::from_secs(10 * 60);
/// One reset mail per address per 60 seconds.
pub const RESET_GAP: Duration = Duration::from_secs(60);

/// `POST /v1/users/password/sms`, `.../verification`, `.../new`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/password/sms", post(send_code))
        .route("/users/password/verification", post(verify_code))
        .route("/users/password/new", post(new_password))
}

fn proof_key(proof: &str) -> String {
    format!("reset:proof:{}", sha256_hex(proof))
}

/// Step 1: mails a 6-digit reset code (valid 10 minutes, single use, 5 tries) to `email`.
/// The answer is the same whether or not an account uses the address.
///
/// Errors: 10123 no email, 10126 not an address, 429 / 10131 (with `Retry-After`) a code was
/// mailed to this address less than 60 s ago or a daily cap (`RESET_MAX_PER_EMAIL_PER_DAY`,
/// `RESET_MAX_PER_IP_PER_DAY`) is reached, 503 / 10105 the code could not be stored or queued.
#[utoipa::path(post, path = "/v1/users/password/sms", tag = "users", request_body = ResetCodeRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "No email (10123) or not an address (10126)", body = dadashop_types::ErrorBody),
        (status = 429, description = "Mailed less than 60 s ago, or a daily cap reached (10131); see Retry-After", body = dadashop_types::ErrorBody),
        (status = 503, description = "The code could not be stored or queued (10105)", body = dadashop_types::ErrorBody)))]
async fn send_code(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<ResetCodeRequest>,
) -> ApiResult<Json<MessageResponse>> {
    let email = Email::parse(required(&req.email, "email")?)?;
    let email = email.as_str();
    let s = &state.settings;
    let permit = SendPermit::take(
        &state.kv,
        format!("reset:gap:{email}"),
        RESET_GAP,
        &[
            (
                format!("reset:day:ip:{}", ip.rate_key()),
                s.reset_max_per_ip_per_day,
            ),
            (
                format!("reset:day:email:{email}"),
                s.reset_max_per_email_per_day,
            ),
        ],
    )
    .await?;
    let code = verify::new_code();
    // The same work whether or not an account uses the address (a timing difference would
    // tell): the code is stored and the mail job queued either way; the mail worker sends
    // it only to an address that has an account (crate::jobs, `MailBody::ResetCode`).
    let sent = async {
        verify::store(
            &state.kv,
            &state.code_key,
            Purpose::ResetPassword,
            email,
            &code,
            RESET_CODE_TTL,
        )
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
        let body = MailBody::ResetCode {
            code: state.jobs.seal(&code),
            minutes: RESET_CODE_TTL.as_secs() / 60,
        };
        state.jobs.send_mail(email, body).await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, "reset code not queued");
        let _ = verify::discard(&state.kv, Purpose::ResetPassword, email).await;
        permit.abandon().await;
        return Err(ApiError::Upstream {
            code: codes::CODE_STORAGE_FAILED,
            message: "验证码发送失败，请稍后再试".to_owned(),
        });
    }
    Ok(Json(MessageResponse::ok()))
}

/// Step 2: checks the mailed code and answers a reset proof for step 3 (single use, valid
/// 10 minutes, bound to the address). The code is used up.
///
/// Errors: 10123 a field missing, 10126 not an address, 10132 wrong code (the fifth wrong
/// try burns it), 10106 no live code (expired, used or burned), 503 the store is down.
#[utoipa::path(post, path = "/v1/users/password/verification", tag = "users", request_body = ResetVerifyRequest,
    responses((status = 200, body = ResetVerifyResponse), (status = 400, description = "Missing field (10123), bad address (10126), wrong code (10132), expired or burned code (10106)", body = dadashop_types::ErrorBody),
        (status = 503, description = "The ephemeral store is down", body = dadashop_types::ErrorBody)))]
async fn verify_code(
    State(state): State<AppState>,
    LenientJson(req): LenientJson<ResetVerifyRequest>,
) -> ApiResult<Json<ResetVerifyResponse>> {
    let email = Email::parse(required(&req.email, "email")?)?;
    let code = required(&req.code, "code")?;
    if !verify::is_code(code) {
        return Err(ApiError::bad_request(codes::WRONG_CODE, "验证码是6位数字"));
    }
    let checked = verify::check(
        &state.kv,
        &state.code_key,
        Purpose::ResetPassword,
        email.as_str(),
        code,
        RESET_CODE_TTL,
    )
    .await?;
    match checked {
        CodeCheck::Accepted => {}
        CodeCheck::Wrong { tries_left } => return Err(wrong_code(tries_left)),
        CodeCheck::Expired => return Err(code_expired()),
    }
    let bytes: [u8; 32] = rand::random();
    let proof = URL_SAFE_NO_PAD.encode(bytes);
    state
        .kv
        .set_ex(&proof_key(&proof), email.as_str(), RESET_PROOF_TTL)
        .await?;
    Ok(Json(ResetVerifyResponse {
        code: codes::OK,
        data: "OK".to_owned(),
        email: email.as_str().to_owned(),
        proof,
    }))
}

/// 10132 with the tries left.
pub fn wrong_code(tries_left: i64) -> ApiError {
    let message = if tries_left > 0 {
        format!("验证码错误，还可以再试{tries_left}次")
    } else {
        "验证码错误次数过多，请重新获取".to_owned()
    };
    ApiError::bad_request(codes::WRONG_CODE, message)
}

/// 10106: no live code.
pub fn code_expired() -> ApiError {
    ApiError::bad_request(codes::CODE_EXPIRED, "验证码已失效，请重新获取")
}

/// Step 3: sets the new password of the address's accounts with the proof of step 2, and
/// revokes every token issued to them before.
///
/// Errors: 10123 a field missing or a password that breaks the rules, 10126 not an address,
/// 10110 the two passwords differ, 10106 the proof is unknown, used, expired or for another
/// address, 503 the shop is saturated (the proof stays usable) or a dependency is down.
#[utoipa::path(post, path = "/v1/users/password/new", tag = "users", request_body = ResetPasswordRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Missing field or bad password (10123), bad address (10126), passwords differ (10110), no valid proof (10106)", body = dadashop_types::ErrorBody),
        (status = 503, description = "Saturated or a dependency down; see Retry-After", body = dadashop_types::ErrorBody)))]
async fn new_password(
    State(state): State<AppState>,
    LenientJson(req): LenientJson<ResetPasswordRequest>,
) -> ApiResult<Json<MessageResponse>> {
    let email = Email::parse(required(&req.email, "email")?)?;
    let password = NewPassword::parse(required_exact(&req.password1, "password1")?)?;
    if req.password2.as_deref() != Some(password.expose()) {
        return Err(ApiError::bad_request(
            codes::PASSWORDS_INCONSISTENT,
            "两次输入的密码不一致",
        ));
    }
    let proof = required(&req.proof, "proof")?;
    let invalid = || ApiError::bad_request(codes::CODE_EXPIRED, "验证已失效，请重新获取验证码");
    if proof.len() > 128 {
        return Err(invalid());
    }
    let key = proof_key(proof);
    // Looked at first and taken only after hashing: a request without a valid proof costs
    // no Argon2 work, and a shed request (503) keeps the proof usable.
    if state.kv.get(&key).await?.as_deref() != Some(email.as_str()) {
        return Err(invalid());
    }
    let hash = state.hasher.hash(password.expose().to_owned()).await?;
    if state.kv.take(&key).await?.as_deref() != Some(email.as_str()) {
        return Err(invalid());
    }
    let changed =
        users::reset_password_by_email(&state.db, email.as_str(), &hash, db::now_secs()).await?;
    tracing::info!(accounts = changed, "password reset; earlier tokens revoked");
    // The owner logs in next with the new password: no lock-out or captcha from before.
    for name in users::usernames_by_email(&state.db, email.as_str()).await? {
        crate::auth::throttle::forget_failures(&state, &name).await;
    }
    Ok(Json(MessageResponse::ok()))
}
