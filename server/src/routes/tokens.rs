//! Login and logout (`/v1/tokens`), with per-account login throttling.

use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use dadashop_types::users::{LoginRequest, TokenData, TokenResponse};
use dadashop_types::{MessageResponse, codes, rules};

use crate::auth::{AuthUser, password, revoked_key};
use crate::db::{
    self,
    users::{self, UserRow},
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required};
use crate::state::AppState;

/// Wrong passwords allowed per account within [`LOGIN_WINDOW`] before further tries get 429
/// (ASVS 5.0 V6.3.1: anti-automation against credential stuffing and brute force).
pub const LOGIN_MAX_FAILURES: i64 = 5;
/// The throttling window, started by the first counted try: 15 minutes.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// `POST /v1/tokens` (login), `DELETE /v1/tokens` (logout).
pub fn router() -> Router<AppState> {
    Router::new().route("/tokens", post(login).delete(logout))
}

/// The register/login answer for `user`: a fresh token in both legacy places. The cart
/// arrives with a later issue, so `len` and `carts_count` are 0 until then.
pub fn token_response(state: &AppState, user: &UserRow) -> ApiResult<TokenResponse> {
    let token = state
        .tokens
        .issue(&user.username, user.token_version, db::now_secs())
        .map_err(ApiError::Internal)?;
    Ok(TokenResponse {
        code: codes::OK,
        username: user.username.clone(),
        token: token.clone(),
        len: 0,
        data: TokenData { token, len: 0 },
        carts_count: 0,
    })
}

fn throttle_key(username: &str) -> String {
    format!("login:tries:{username}")
}

/// Logs in with username and password.
///
/// Errors: 10123 missing field, 10104 unknown user or wrong password (one message for both,
/// so accounts cannot be enumerated; the time taken is the same too), 429 / 10131 after
/// [`LOGIN_MAX_FAILURES`] wrong passwords within [`LOGIN_WINDOW`], with `Retry-After`.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody),
        (status = 429, description = "Too many wrong passwords (10131); see Retry-After", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable", body = dadashop_types::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    LenientJson(req): LenientJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let username = required(&req.username, "username")?.to_owned();
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

    // Count the try before checking it, so that concurrent guesses cannot slip past the limit.
    let key = throttle_key(&username);
    let tries = state.kv.incr_in_window(&key, LOGIN_WINDOW).await?;
    if tries > LOGIN_MAX_FAILURES {
        let retry_after = state
            .kv
            .ttl_secs(&key)
            .await?
            .unwrap_or(LOGIN_WINDOW.as_secs());
        return Err(ApiError::TooManyRequests {
            code: codes::TOO_MANY_REQUESTS,
            message: format!("密码错误次数过多，请{}分钟后再试", retry_after.div_ceil(60)),
            retry_after,
        });
    }

    let user = users::find_by_username(&state.db, &username).await?;
    let ok = password::verify(
        password_text,
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    .map_err(ApiError::Internal)?;
    let Some(user) = user.filter(|_| ok) else {
        tracing::info!(tries, "login refused");
        return Err(wrong());
    };
    state.kv.del(&key).await?;
    tracing::info!(user_id = user.id, "logged in");
    token_response(&state, &user).map(Json)
}

/// Revokes the presented token until it would have expired anyway.
#[utoipa::path(delete, path = "/v1/tokens", tag = "tokens", security(("token" = [])),
    responses((status = 200, description = "The presented token is revoked", body = MessageResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable", body = dadashop_types::ErrorBody)))]
async fn logout(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<MessageResponse>> {
    let left = auth.claims.exp - db::now_secs() + 1;
    let ttl = Duration::from_secs(u64::try_from(left).unwrap_or(1).max(1));
    state
        .kv
        .set_ex(&revoked_key(&auth.claims.jti), "1", ttl)
        .await?;
    tracing::info!(user_id = auth.user.id, "logged out");
    Ok(Json(MessageResponse::ok()))
}
