//! Weibo login (OAuth 2.0 authorization code grant, RFC 6749 §4.1) and account binding.
//!
//! 1. `GET /v1/users/weibo/authorization` keeps a one-time `state` (256 random bits, 10
//!    minutes) in the ephemeral store and answers Weibo's authorize URL. Weibo has no PKCE,
//!    so `state` is what ties the callback to this login (RFC 9700 §2.1); the SPA also keeps
//!    it in sessionStorage and checks it on return.
//! 2. `GET /v1/users/weibo/users?code&state` consumes the state (a replay finds nothing),
//!    exchanges the code, checks the token with `get_token_info`, then logs in the bound
//!    account, or answers 201 with a bind ticket (256 random bits, 10 minutes, tied to the
//!    uid) and the Weibo nickname and avatar.
//! 3. `POST /v1/users/weibo/users` binds the uid of the ticket to a new account or to an
//!    existing one (its password checked under the login limits), in one transaction; the
//!    unique keys of `weibo_users` make one of two concurrent binds fail with 409 / 10130.
//! 4. `GET` / `DELETE /v1/users/<username>/weibo` show and remove the binding. Every account
//!    has a password, so removing the binding never locks anyone out.
//!
//! States and tickets are stored under their SHA-256, so a dump of Redis does not hold
//! usable values; neither Weibo's access token nor the code is ever logged.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use dadashop_types::users::TokenResponse;
use dadashop_types::weibo::{
    AuthorizationResponse, BindRequest, Binding, BindingResponse, CallbackResponse, UnboundResponse,
};
use dadashop_types::{MessageResponse, codes};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::auth::throttle::{LoginTry, RegisterTry};
use crate::client_ip::ClientIp;
use crate::db::{self, users, weibo as bindings};
use crate::domain::{Email, NewPassword, Phone, Username};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required, required_exact};
use crate::routes::tokens::token_response;
use crate::routes::users::{sms_code_of, use_sms_code};
use crate::routes::verification::send_activation;
use crate::state::AppState;
use crate::weibo::{WeiboClient, WeiboError, WeiboProfile, WeiboToken, is_uid};

/// How long a login `state` stays valid: 10 minutes.
pub const STATE_TTL: Duration = Duration::from_secs(600);
/// How long a bind ticket stays valid: 10 minutes.
pub const TICKET_TTL: Duration = Duration::from_secs(600);
/// Longest `state`, `code` or ticket accepted, in bytes.
const MAX_TOKEN_BYTES: usize = 512;

/// The Weibo routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/weibo/authorization", get(authorization))
        .route("/users/weibo/users", get(callback).post(bind))
        .route("/users/{username}/weibo", get(binding).delete(unbind))
}

/// What a bind ticket stands for, kept in the ephemeral store.
#[derive(Debug, Serialize, Deserialize)]
struct Ticket {
    uid: String,
    nickname: String,
}

fn client(state: &AppState) -> ApiResult<&WeiboClient> {
    state.weibo.as_deref().ok_or_else(|| ApiError::Upstream {
        code: codes::WEIBO_URL_FAILED,
        message: "微博登录未开启".into(),
    })
}

/// 256 random bits, base64url.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The store key of a state or ticket: its SHA-256, never the value itself.
fn key(kind: &str, value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    format!("weibo:{kind}:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// Starts a Weibo login: Weibo's authorize URL with a fresh one-time `state`.
///
/// Errors: 503 / 10124 when Weibo login is off (no `WEIBO_CLIENT_ID`), 503 when the
/// ephemeral store is down.
#[utoipa::path(get, path = "/v1/users/weibo/authorization", tag = "weibo",
    responses((status = 200, body = AuthorizationResponse), (status = 503, description = "Weibo login is off (10124), or Redis is down", body = dadashop_types::ErrorBody)))]
async fn authorization(State(state): State<AppState>) -> ApiResult<Json<AuthorizationResponse>> {
    let weibo = client(&state)?;
    let login_state = random_token();
    let oauth_url = weibo.authorize_url(&login_state).map_err(|e| {
        tracing::error!(error = %e, "cannot build the Weibo authorize URL");
        ApiError::Upstream {
            code: codes::WEIBO_URL_FAILED,
            message: "无法生成微博登录地址".into(),
        }
    })?;
    state
        .kv
        .set_ex(&key("state", &login_state), "1", STATE_TTL)
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?;
    Ok(Json(AuthorizationResponse {
        code: codes::OK,
        oauth_url,
    }))
}

/// The callback's query: what Weibo put on the redirect URI.
#[derive(Debug, Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// Finishes a Weibo login with the `code` and `state` Weibo sent back.
///
/// Answers 200 with a token when the Weibo account is bound, else `code` 201 with the uid,
/// a bind ticket and the Weibo nickname and avatar. Errors: 400 / 10123 missing `code` or
/// `state`; 400 / 10125 unknown, expired or replayed state, a code Weibo refuses (used,
/// expired, unknown), or a token issued to another app; 503 / 10125 Weibo unreachable or
/// timed out; 503 / 10124 Weibo login off.
#[utoipa::path(get, path = "/v1/users/weibo/users", tag = "weibo",
    params(("code" = String, Query, description = "The authorization code from Weibo"), ("state" = String, Query, description = "The state of the authorize URL")),
    responses((status = 200, description = "Bound (code 200, a token) or not bound yet (code 201, a bind ticket)", body = CallbackResponse),
        (status = 400, description = "Missing parameter (10123); bad, expired or replayed state, or a code Weibo refused (10125)", body = dadashop_types::ErrorBody),
        (status = 503, description = "Weibo unreachable or timed out (10125), Weibo login off (10124), or Redis down", body = dadashop_types::ErrorBody)))]
async fn callback(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
) -> ApiResult<Json<CallbackResponse>> {
    let weibo = client(&state)?;
    let code = query.code.as_deref().map(str::trim).unwrap_or_default();
    let login_state = query.state.as_deref().map(str::trim).unwrap_or_default();
    if code.is_empty() || login_state.is_empty() {
        return Err(ApiError::bad_params("缺少参数 code 或 state"));
    }
    let stale = || {
        ApiError::bad_request(
            codes::WEIBO_TOKEN_FAILED,
            "微博登录已失效，请重新点击微博登录",
        )
    };
    if code.len() > MAX_TOKEN_BYTES || login_state.len() > MAX_TOKEN_BYTES {
        return Err(stale());
    }
    // Consumed before anything else: a replayed or forged state finds nothing.
    let known = state
        .kv
        .take(&key("state", login_state))
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?;
    if known.is_none() {
        tracing::info!("weibo callback with an unknown, expired or replayed state");
        return Err(stale());
    }

    let token = weibo.exchange_code(code).await.map_err(weibo_failure)?;
    weibo.check_token(&token).await.map_err(weibo_failure)?;

    if let Some(user) = bindings::find_user(&state.db, &token.uid).await? {
        tracing::info!(user_id = user.id, "logged in with weibo");
        return token_response(&state, &user, None)
            .await
            .map(CallbackResponse::LoggedIn)
            .map(Json);
    }
    unbound(&state, weibo, &token).await.map(Json)
}

/// The 201 answer: a bind ticket for `token.uid`, with the Weibo profile when Weibo gives
/// it (the form works without it).
async fn unbound(
    state: &AppState,
    weibo: &WeiboClient,
    token: &WeiboToken,
) -> ApiResult<CallbackResponse> {
    let profile = weibo.profile(token).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "weibo profile unavailable; the bind form starts empty");
        WeiboProfile::default()
    });
    let ticket = random_token();
    let stored = serde_json::to_string(&Ticket {
        uid: token.uid.clone(),
        nickname: profile.nickname.clone(),
    })
    .map_err(|e| ApiError::Internal(e.into()))?;
    state
        .kv
        .set_ex(&key("ticket", &ticket), &stored, TICKET_TTL)
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?;
    tracing::info!("weibo account not bound yet; bind ticket issued");
    Ok(CallbackResponse::Unbound(UnboundResponse {
        code: codes::WEIBO_UNBOUND,
        uid: token.uid.clone(),
        ticket,
        nickname: profile.nickname,
        avatar: profile.avatar_url,
    }))
}

/// Sorts a Weibo failure into what the shopper sees.
fn weibo_failure(error: WeiboError) -> ApiError {
    match error {
        WeiboError::Refused { .. } | WeiboError::Mismatch(_) => {
            tracing::info!(error = %error, "weibo login refused");
            ApiError::bad_request(
                codes::WEIBO_TOKEN_FAILED,
                "微博授权无效或已过期，请重新点击微博登录",
            )
        }
        WeiboError::Unavailable(_) => {
            tracing::warn!(error = %error, "weibo unavailable");
            ApiError::Upstream {
                code: codes::WEIBO_TOKEN_FAILED,
                message: "暂时无法连接微博，请稍后再试".into(),
            }
        }
    }
}

/// Binds the Weibo uid of the ticket to an account and logs it in.
///
/// When `username` names an existing account, `password` must be its password (a wrong one
/// counts as a failed login, under the login limits) and the uid is bound to it. Otherwise a
/// new account is created from `username`, `password`, `phone` and `email` (the rules and
/// limits of registration, including the SMS code in `verify` while `REGISTER_REQUIRE_SMS`
/// is on) and bound in the same transaction; its activation mail goes out as after a
/// registration. The ticket is used up only by
/// a successful bind, so a typo can be corrected.
///
/// Errors: 400 / 10123 missing field (and the field codes of registration); 400 / 10130
/// ticket unknown, expired or for another uid; 400 / 10104 wrong password of an existing
/// account (without `phone` and `email`); 409 / 206 the name is taken (with `phone` and
/// `email`: a new account was meant); 409 / 10130 the uid or the account is bound already
/// (also the loser of two concurrent binds); 429 / 10131 limits; 503 store or database down.
#[utoipa::path(post, path = "/v1/users/weibo/users", tag = "weibo", request_body = BindRequest,
    responses((status = 200, body = TokenResponse),
        (status = 400, description = "Missing field (10123), bad ticket (10130), wrong password (10104), wrong (10132) or expired (10106) SMS code", body = dadashop_types::ErrorBody),
        (status = 409, description = "Username taken (206), or the uid or account is bound already (10130)", body = dadashop_types::ErrorBody),
        (status = 429, description = "Login or registration limits (10131); see Retry-After", body = dadashop_types::ErrorBody),
        (status = 503, description = "Database or Redis unavailable", body = dadashop_types::ErrorBody)))]
async fn bind(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<BindRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let uid = match &req.uid {
        Some(serde_json::Value::String(s)) => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if uid.is_empty() {
        return Err(ApiError::bad_params("缺少参数 uid"));
    }
    let ticket_text = required(&req.ticket, "ticket")?;
    let expired = || {
        ApiError::bad_request(
            codes::WEIBO_BIND_FAILED,
            "微博绑定已过期，请重新使用微博登录",
        )
    };
    if !is_uid(&uid) || ticket_text.len() > MAX_TOKEN_BYTES {
        return Err(expired());
    }
    let ticket_key = key("ticket", ticket_text);
    let ticket: Ticket = state
        .kv
        .get(&ticket_key)
        .await
        .map_err(|e| ApiError::Unavailable(e.into()))?
        .and_then(|text| serde_json::from_str(&text).ok())
        .filter(|t: &Ticket| t.uid == uid)
        .ok_or_else(expired)?;

    let name = required(&req.username, "username")?;
    let existing = users::find_by_login_name(&state.db, name).await?;
    let wants_new = req.phone.as_deref().is_some_and(|p| !p.trim().is_empty())
        || req.email.as_deref().is_some_and(|e| !e.trim().is_empty());
    let user = match existing {
        Some(user) => bind_existing(&state, &ip, &req, user, &ticket, wants_new).await?,
        None => bind_new(&state, &ip, &req, &ticket).await?,
    };
    // Used up; a failure to delete only leaves a ticket whose uid is bound now.
    if let Err(e) = state.kv.del(&ticket_key).await {
        tracing::warn!(error = %e, "could not delete a used bind ticket");
    }
    token_response(&state, &user, None).await.map(Json)
}

fn already_bound() -> ApiError {
    ApiError::Conflict {
        code: codes::WEIBO_BIND_FAILED,
        message: "该微博账号或该用户已绑定，请直接登录".into(),
    }
}

/// Binds to the account `user` after checking its password.
async fn bind_existing(
    state: &AppState,
    ip: &ClientIp,
    req: &BindRequest,
    user: users::UserRow,
    ticket: &Ticket,
    wants_new: bool,
) -> ApiResult<users::UserRow> {
    let password = required_exact(&req.password, "password")?.to_owned();
    let attempt = LoginTry::begin(state, &user.username, ip, None).await?;
    let verified = state
        .hasher
        .verify(password, Some(user.password_hash.clone()))
        .await;
    match verified {
        Ok(true) => attempt.succeeded().await?,
        Ok(false) => {
            attempt.failed().await;
            return Err(if wants_new {
                ApiError::Conflict {
                    code: codes::USERNAME_TAKEN,
                    message: "用户名已被占用".into(),
                }
            } else {
                ApiError::bad_request(codes::USER_NOT_FOUND, "用户名或密码错误")
            });
        }
        Err(e) => {
            attempt.abandon();
            return Err(e.into());
        }
    }
    match bindings::bind_existing(
        &state.db,
        user.id,
        &ticket.uid,
        &ticket.nickname,
        db::now_secs(),
    )
    .await
    {
        Ok(()) => {
            tracing::info!(user_id = user.id, "weibo bound to an existing account");
            Ok(user)
        }
        Err(bindings::BindError::Database(e)) => Err(e.into()),
        Err(_) => Err(already_bound()),
    }
}

/// Creates the account of the form and binds it, in one transaction.
async fn bind_new(
    state: &AppState,
    ip: &ClientIp,
    req: &BindRequest,
    ticket: &Ticket,
) -> ApiResult<users::UserRow> {
    let username = Username::parse(required(&req.username, "username")?)?;
    let password = NewPassword::parse(required_exact(&req.password, "password")?)?;
    let phone = Phone::parse(required(&req.phone, "phone")?)?;
    let email = Email::parse(required(&req.email, "email")?)?;
    let sms_code = sms_code_of(state, &req.verify)?;
    // A uid bound in the meantime needs no new account (and no hashing).
    if bindings::find_user(&state.db, &ticket.uid).await?.is_some() {
        return Err(already_bound());
    }
    let attempt = RegisterTry::begin(state, ip).await?;
    // The phone of a new account is verified as at registration; a wrong code is the
    // shopper's to correct, so the try is kept.
    if let Some(code) = sms_code
        && let Err(e) = use_sms_code(state, &phone, code).await
    {
        match e {
            ApiError::BadRequest { .. } => attempt.kept(),
            _ => attempt.abandon().await,
        }
        return Err(e);
    }
    let hash = match state.hasher.hash(password.expose().to_owned()).await {
        Ok(hash) => hash,
        Err(e) => {
            attempt.abandon().await;
            return Err(e.into());
        }
    };
    let new = users::NewUser {
        username: username.as_str(),
        password_hash: &hash,
        email: email.as_str(),
        phone: phone.as_str(),
    };
    let result = bindings::bind_new_user(
        &state.db,
        &new,
        &ticket.uid,
        &ticket.nickname,
        db::now_secs(),
    )
    .await;
    match result {
        Ok(user) => {
            attempt.kept();
            tracing::info!(user_id = user.id, "account created and bound to weibo");
            crate::auth::throttle::remember_address(state, &user.username, ip).await;
            // As after a registration: the account exists whatever happens to the mail, and
            // the shopper can ask again from the personal center.
            if let Err(e) = send_activation(state, &user).await {
                tracing::warn!(user_id = user.id, error = %e, "activation mail not queued");
            }
            Ok(user)
        }
        Err(bindings::BindError::UsernameTaken) => {
            attempt.kept();
            Err(ApiError::Conflict {
                code: codes::USERNAME_TAKEN,
                message: "用户名已被占用".into(),
            })
        }
        Err(bindings::BindError::AlreadyBound) => {
            attempt.abandon().await;
            Err(already_bound())
        }
        Err(bindings::BindError::Database(e)) => {
            attempt.abandon().await;
            Err(e.into())
        }
    }
}

/// The caller's Weibo binding (`data: null` when there is none).
#[utoipa::path(get, path = "/v1/users/{username}/weibo", tag = "weibo", security(("token" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = BindingResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody)))]
async fn binding(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<BindingResponse>> {
    auth.ensure_is(&username)?;
    let data = bindings::binding_of(&state.db, auth.user.id)
        .await?
        .map(|b| Binding {
            uid: b.uid,
            nickname: b.nickname,
            bound_at: b.created_at,
        });
    Ok(Json(BindingResponse {
        code: codes::OK,
        data,
    }))
}

/// Removes the caller's Weibo binding. The account keeps its password, so the shopper logs
/// in with it afterwards; the same or another Weibo account can be bound again later.
///
/// Errors: 404 / 10130 no binding; 401, 403 as everywhere.
#[utoipa::path(delete, path = "/v1/users/{username}/weibo", tag = "weibo", security(("token" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody),
        (status = 404, description = "No Weibo account is bound (10130)", body = dadashop_types::ErrorBody)))]
async fn unbind(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<MessageResponse>> {
    auth.ensure_is(&username)?;
    // Every account has a password (binding requires one), so this never locks anyone out.
    if auth.user.password_hash.is_empty() {
        return Err(ApiError::Conflict {
            code: codes::WEIBO_BIND_FAILED,
            message: "请先设置密码再解除微博绑定".into(),
        });
    }
    if !bindings::unbind(&state.db, auth.user.id).await? {
        return Err(ApiError::not_found(
            codes::WEIBO_BIND_FAILED,
            "没有绑定微博账号",
        ));
    }
    tracing::info!(user_id = auth.user.id, "weibo binding removed");
    Ok(Json(MessageResponse::ok()))
}
