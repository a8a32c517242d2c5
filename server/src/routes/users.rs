//! Accounts: register, profile, change password (docs/api.md, tag "users").

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::users::{ChangePasswordRequest, RegisterRequest, UserProfile, UserResponse};
use dadashop_types::{MessageResponse, codes};

use crate::auth::AuthUser;
use crate::auth::throttle::{LoginTry, RegisterTry};
use crate::client_ip::ClientIp;
use crate::db::{self, users};
use crate::domain::{Email, NewPassword, Phone, Username};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required, required_exact};
use crate::routes::password_reset::{code_expired, wrong_code};
use crate::routes::tokens::token_response;
use crate::routes::verification::{SMS_CODE_TTL, send_activation};
use crate::state::AppState;
use crate::verify::{self, CodeCheck, Purpose};

/// `POST /v1/users`, `GET /v1/users/{username}`, `POST /v1/users/{username}/password`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", post(register))
        .route("/users/{username}", get(profile))
        .route("/users/{username}/password", post(change_password))
}

/// Registers a user and logs them in.
///
/// Errors (HTTP 400 unless noted): 10123 missing field or bad password, 10127 bad username,
/// 10102 `password2` differs, 10117 bad phone, 10126 bad email, 206 (409) username taken in
/// any letter case, 429 / 10131 more than `REGISTER_MAX_PER_IP` registrations from this
/// address within `REGISTER_WINDOW_SECS`, 503 a dependency down or the shop saturated.
/// When `REGISTER_REQUIRE_SMS` is on (the default), `verify` must hold the SMS code sent to
/// `phone` by `POST /v1/users/sms/code`: 10123 when missing, 10132 when wrong (5 wrong
/// tries burn it), 10106 when expired, used or burned; the code is used up only when the
/// account is created. The password is stored exactly as sent (never trimmed). A new
/// account is inactive until the link of the activation mail is opened.
#[utoipa::path(post, path = "/v1/users", tag = "users", request_body = RegisterRequest,
    responses((status = 200, body = dadashop_types::users::TokenResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody),
        (status = 400, description = "SMS code missing (10123), wrong (10132), expired or burned (10106)", body = dadashop_types::ErrorBody),
        (status = 409, description = "Username taken (206)", body = dadashop_types::ErrorBody), (status = 429, description = "Too many registrations from this address (10131); see Retry-After", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable, or the shop is saturated (see Retry-After)", body = dadashop_types::ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<RegisterRequest>,
) -> ApiResult<Json<dadashop_types::users::TokenResponse>> {
    let raw_name = match (&req.uname, &req.username) {
        (Some(u), _) if !u.trim().is_empty() => u.as_str(),
        (_, name) => required(name, "uname")?,
    };
    let username = Username::parse(raw_name)?;
    let password = NewPassword::parse(required_exact(&req.password, "password")?)?;
    if let Some(p2) = &req.password2
        && p2 != password.expose()
    {
        return Err(ApiError::bad_request(
            codes::PASSWORDS_DIFFER,
            "两次输入的密码不一致",
        ));
    }
    let phone = Phone::parse(required(&req.phone, "phone")?)?;
    let email = Email::parse(required(&req.email, "email")?)?;
    let sms_code = sms_code_of(&state, &req.verify)?;

    let attempt = RegisterTry::begin(&state, &ip).await?;
    let created = async {
        // A taken name is refused before the code is used up, so the shopper can pick
        // another name with the same code.
        if users::name_taken(&state.db, username.as_str()).await? {
            return Err(username_taken());
        }
        if let Some(code) = sms_code {
            use_sms_code(&state, &phone, code).await?;
        }
        create_user(&state, &username, &password, &phone, &email).await
    }
    .await;
    match created {
        Ok(user) => {
            attempt.kept();
            tracing::info!(user_id = user.id, "user registered");
            crate::auth::throttle::remember_address(&state, &user.username, &ip).await;
            // The account exists whatever happens to the mail: a failure to queue it is
            // logged, and the shopper can ask again (POST /v1/users/{username}/activation).
            if let Err(e) = send_activation(&state, &user).await {
                tracing::warn!(user_id = user.id, error = %e, "activation mail not queued");
            }
            // A failed merge answers 503; the account exists, and logging in merges again.
            token_response(&state, &user, req.carts.as_ref())
                .await
                .map(Json)
        }
        Err(e @ ApiError::BadRequest { .. }) => {
            attempt.kept();
            Err(e)
        }
        Err(e @ ApiError::Conflict { .. }) => {
            attempt.kept();
            Err(e)
        }
        Err(e) => {
            attempt.abandon().await;
            Err(e)
        }
    }
}

/// The SMS code (`verify`) that must come with a new account while the shop requires phone
/// verification (`REGISTER_REQUIRE_SMS`), checked for shape only; `None` when it is off.
///
/// Errors: 400 / 10123 missing, 400 / 10132 not six digits.
pub(crate) fn sms_code_of<'a>(
    state: &AppState,
    verify: &'a Option<String>,
) -> ApiResult<Option<&'a str>> {
    if !state.settings.register_require_sms {
        return Ok(None);
    }
    let code = required(verify, "verify")?;
    if !verify::is_code(code) {
        return Err(ApiError::bad_request(
            codes::WRONG_CODE,
            "短信验证码是6位数字",
        ));
    }
    Ok(Some(code))
}

/// Uses up the registration SMS code of `phone` when `code` is right.
///
/// Errors: 400 / 10132 wrong (5 wrong tries burn it), 400 / 10106 expired, used or burned,
/// 503 the store is down.
pub(crate) async fn use_sms_code(state: &AppState, phone: &Phone, code: &str) -> ApiResult<()> {
    let checked = verify::check(
        &state.kv,
        &state.code_key,
        Purpose::Register,
        phone.as_str(),
        code,
        SMS_CODE_TTL,
    )
    .await?;
    match checked {
        CodeCheck::Accepted => Ok(()),
        CodeCheck::Wrong { tries_left } => Err(wrong_code(tries_left)),
        CodeCheck::Expired => Err(code_expired()),
    }
}

/// Hashes the password and inserts the account; 409 / 206 when the name is taken.
async fn create_user(
    state: &AppState,
    username: &Username,
    password: &NewPassword,
    phone: &Phone,
    email: &Email,
) -> ApiResult<users::UserRow> {
    let hash = state.hasher.hash(password.expose().to_owned()).await?;
    let new = users::NewUser {
        username: username.as_str(),
        password_hash: &hash,
        email: email.as_str(),
        phone: phone.as_str(),
    };
    match users::insert(&state.db, &new, db::now_secs()).await {
        Ok(user) => Ok(user),
        Err(e) if db::is_unique_violation(&e) => Err(username_taken()),
        Err(e) => Err(e.into()),
    }
}

/// 409 / 206.
fn username_taken() -> ApiError {
    ApiError::Conflict {
        code: codes::USERNAME_TAKEN,
        message: "用户名已被占用".into(),
    }
}

/// The caller's own profile; 403 for anyone else's.
#[utoipa::path(get, path = "/v1/users/{username}", tag = "users", security(("token" = [])),
    params(("username" = String, Path)), responses((status = 200, body = UserResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody)))]
async fn profile(auth: AuthUser, Path(username): Path<String>) -> ApiResult<Json<UserResponse>> {
    auth.ensure_is(&username)?;
    let u = auth.user;
    Ok(Json(UserResponse {
        code: codes::OK,
        data: UserProfile {
            username: u.username,
            email: u.email,
            phone: u.phone,
            is_active: u.is_active == 1,
            created_at: u.created_at,
        },
    }))
}

/// Changes the password and revokes every token issued before (the caller logs in again).
///
/// Errors: 10123 missing field or bad new password, 10102 the new passwords differ, 10103
/// old password wrong (counted as a failed login of this account from this address), 10109
/// new equals old, 403 someone else's account, 429 / 10131 the login limits are reached.
#[utoipa::path(post, path = "/v1/users/{username}/password", tag = "users", security(("token" = [])),
    params(("username" = String, Path)), request_body = ChangePasswordRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    ip: ClientIp,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<ChangePasswordRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.ensure_is(&username)?;
    let old = required_exact(&req.oldpassword, "oldpassword")?.to_owned();
    let new = NewPassword::parse(required_exact(&req.password1, "password1")?)?;
    if req.password2.as_deref() != Some(new.expose()) {
        return Err(ApiError::bad_request(
            codes::PASSWORDS_DIFFER,
            "两次输入的新密码不一致",
        ));
    }
    // A wrong old password is a password guess (by whoever holds the token): it counts
    // against the login limits of this account and address.
    let attempt = LoginTry::begin(&state, &auth.user.username, &ip, None).await?;
    let verified = state
        .hasher
        .verify(old.clone(), Some(auth.user.password_hash.clone()))
        .await;
    match verified {
        Ok(true) => attempt.abandon(),
        Ok(false) => {
            attempt.failed().await;
            return Err(ApiError::bad_request(
                codes::OLD_PASSWORD_WRONG,
                "原密码错误",
            ));
        }
        Err(e) => {
            attempt.abandon();
            return Err(e.into());
        }
    }
    if old == new.expose() {
        return Err(ApiError::bad_request(
            codes::NEW_PASSWORD_EQUALS_OLD,
            "新密码不能与原密码相同",
        ));
    }
    let hash = state.hasher.hash(new.expose().to_owned()).await?;
    let changed = users::change_password(
        &state.db,
        auth.user.id,
        auth.user.token_version,
        &hash,
        db::now_secs(),
    )
    .await?;
    if !changed {
        // Another password change won the race; this token is already revoked.
        return Err(ApiError::Unauthorized);
    }
    tracing::info!(
        user_id = auth.user.id,
        "password changed; earlier tokens revoked"
    );
    Ok(Json(MessageResponse::ok()))
}
