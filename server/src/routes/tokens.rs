//! Login and logout (`/v1/tokens`), with the login limits of [`crate::auth::throttle`], and
//! the image captcha that gets an owner past them (`POST /v1/users/captcha`).

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use dadashop_types::users::{CaptchaResponse, LoginRequest, TokenData, TokenResponse};
use dadashop_types::{MessageResponse, codes, rules};

use crate::auth::AuthUser;
use crate::auth::throttle::LoginTry;
use crate::client_ip::ClientIp;
use crate::config::Profile;
use crate::db::{
    self,
    users::{self, UserRow},
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required};
use crate::state::AppState;

/// `POST /v1/tokens` (login), `DELETE /v1/tokens` (logout).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tokens", post(login).delete(logout))
        .route("/users/captcha", post(new_captcha))
}

/// Response header carrying a captcha's text outside production (development and tests read
/// it, as they read SMS codes from the console sink); never sent in production.
pub const DEV_CAPTCHA_HEADER: &str = "x-dev-captcha-text";

/// Makes an image captcha, valid 5 minutes for one login (crate::auth::captcha). The SPA asks
/// for one when a login answers 429 / 10133 and sends back its `captcha_id` with the
/// `captcha` text. Errors: 429 / 10131 (with `Retry-After`) over 30 a minute from one
/// address; 503 when Redis is down.
#[utoipa::path(post, path = "/v1/users/captcha", tag = "tokens",
    responses((status = 200, body = CaptchaResponse), (status = 429, description = "Too many captchas from this address (10131); see Retry-After", body = dadashop_types::ErrorBody), (status = 503, description = "Redis unavailable", body = dadashop_types::ErrorBody)))]
async fn new_captcha(State(state): State<AppState>, ip: ClientIp) -> ApiResult<Response> {
    let issued = crate::auth::captcha::issue(&state, &ip).await?;
    let mut response = Json(CaptchaResponse {
        code: codes::OK,
        data: issued.captcha,
    })
    .into_response();
    if state.settings.dadashop_env != Profile::Production
        && let Ok(text) = HeaderValue::from_str(&issued.text)
    {
        response
            .headers_mut()
            .insert(HeaderName::from_static(DEV_CAPTCHA_HEADER), text);
    }
    Ok(response)
}

/// The register/login answer for `user`: a fresh token in both legacy places, after merging
/// the browser's offline cart `offline` (the body's `cart` / `carts`, see
/// [`crate::routes::carts::merge_offline`]); `len` and `carts_count` are the cart's lines.
/// Records the login (the console's "active today"). 403 / 10135 when an operator disabled
/// the account.
pub async fn token_response(
    state: &AppState,
    user: &UserRow,
    offline: Option<&serde_json::Value>,
) -> ApiResult<TokenResponse> {
    if user.is_disabled != 0 {
        return Err(ApiError::Forbidden {
            code: codes::ACCOUNT_DISABLED,
            message: "该账号已被停用，如有疑问请联系客服".to_owned(),
        });
    }
    users::record_login(&state.db, user.id, db::now_secs()).await?;
    let carts_count = crate::routes::carts::merge_offline(state, user.id, offline).await?;
    let token = state
        .tokens
        .issue(user.id, &user.username, user.token_version, db::now_secs())
        .map_err(ApiError::Internal)?;
    Ok(TokenResponse {
        code: codes::OK,
        username: user.username.clone(),
        token: token.clone(),
        len: carts_count,
        data: TokenData {
            token,
            len: carts_count,
        },
        carts_count,
    })
}

/// Logs in with username (any letter case) and password.
///
/// Errors: 10123 missing field, 10104 unknown user or wrong password (one message for both,
/// so accounts cannot be enumerated; the time taken is the same too), 429 / 10131 with
/// `Retry-After` when a login limit is reached ([`crate::auth::throttle`]), 429 / 10133 when
/// this try needs an image captcha (`captcha_id` and `captcha`; 400 / 10134 when it is wrong,
/// used or expired), 503 when the
/// database or Redis is down or every hashing slot stays busy (`Retry-After`). Only a
/// password verified wrong counts as a failure.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody),
        (status = 403, description = "The account is disabled (10135)", body = dadashop_types::ErrorBody),
        (status = 429, description = "Too many failed logins for this account from this address, or from this address (10131); an image captcha is needed (10133); see Retry-After", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable, or the shop is saturated (see Retry-After)", body = dadashop_types::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let username = required(&req.username, "username")?.to_owned();
    // The password exactly as sent: never trimmed or altered.
    let password_text = req
        .password
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad_params("缺少参数 password"))?;
    let wrong = || ApiError::bad_request(codes::USER_NOT_FOUND, "用户名或密码错误");
    if rules::check_username(&username).is_err()
        || password_text.chars().count() > rules::PASSWORD_MAX_CHARS
    {
        return Err(wrong());
    }

    let captcha = req
        .captcha_id
        .as_deref()
        .zip(req.captcha.as_deref())
        .filter(|(id, text)| !id.is_empty() && !text.trim().is_empty());
    let attempt = LoginTry::begin(&state, &username, &ip, captcha).await?;
    match check_password(&state, &username, password_text, attempt.known).await {
        Ok(Some(user)) => {
            attempt.succeeded().await?;
            tracing::info!(user_id = user.id, "logged in");
            token_response(&state, &user, req.cart.as_ref().or(req.carts.as_ref()))
                .await
                .map(Json)
        }
        Ok(None) => {
            attempt.failed().await;
            tracing::info!("login refused: wrong password or unknown user");
            Err(wrong())
        }
        Err(e) => {
            attempt.abandon();
            Err(e)
        }
    }
}

/// The account of `username` if `password` is its password; `known` logins (from an address
/// the account used before) may take the hashing slot kept for them.
async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
    known: bool,
) -> ApiResult<Option<UserRow>> {
    let user = users::find_by_login_name(&state.db, username).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let ok = verify_stored(state, password, stored, known).await?;
    Ok(user.filter(|_| ok))
}

/// Whether `password` matches the `stored` hash (`None`: no account, verified against a
/// dummy hash so that the time taken is the same); `known` logins may take the hashing slot
/// kept for them. Shared by the shoppers' and the console's logins.
pub(crate) async fn verify_stored(
    state: &AppState,
    password: String,
    stored: Option<String>,
    known: bool,
) -> ApiResult<bool> {
    Ok(if known {
        state.hasher.verify_known(password, stored).await?
    } else {
        state.hasher.verify(password, stored).await?
    })
}

/// Revokes the presented token until it would have expired anyway, in the database, so the
/// logout survives restarts of the API and of Redis.
#[utoipa::path(delete, path = "/v1/tokens", tag = "tokens", security(("token" = [])),
    responses((status = 200, description = "The presented token is revoked", body = MessageResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable", body = dadashop_types::ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<MessageResponse>> {
    users::revoke_token(
        &state.db,
        &auth.claims.jti,
        auth.user.id,
        auth.claims.exp,
        db::now_secs(),
    )
    .await?;
    tracing::info!(user_id = auth.user.id, "logged out");
    Ok(Json(MessageResponse::ok()))
}
