//! Authentication: password hashing, tokens, login and registration limits, and the
//! [`AuthUser`] extractor that every protected handler takes.

pub mod captcha;
pub mod jwt;
pub mod password;
pub mod staff;
pub mod throttle;

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::auth::jwt::TokenService;
use crate::db::users::{self, UserRow};
use crate::error::ApiError;
use crate::state::AppState;

/// The caller, proven by a valid token. Extraction fails with 401 (code 10101) when the
/// `Authorization` header is missing or malformed, or the token is expired, tampered, not
/// HS256, revoked by logout (the `revoked_tokens` table, durable across restarts), older than
/// the last password change, its account disabled by an operator, or its `sub` names no user
/// or a user of another name. A console token is never a shopper token (another key).
/// It answers 503 when the database cannot be read.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user: UserRow,
    pub claims: jwt::Claims,
}

impl AuthUser {
    /// Fails with 403 unless the path's `<username>` is the caller (docs/api.md "Conventions").
    pub fn ensure_is(&self, username: &str) -> Result<(), ApiError> {
        if self.user.username == username {
            Ok(())
        } else {
            Err(ApiError::not_yours())
        }
    }
}

/// The token of `Authorization: <token>` (the legacy pages) or `Authorization: Bearer <token>`.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        None => value,
    };
    (!token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        let claims = state.tokens.verify(token).ok_or(ApiError::Unauthorized)?;
        let id = TokenService::user_id(&claims).ok_or(ApiError::Unauthorized)?;
        let found = users::find_for_token(&state.db, id, &claims.jti)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let user = found.user;
        if found.revoked_jti.is_some()
            || user.is_disabled != 0
            || user.username != claims.username
            || user.token_version != claims.ver
        {
            return Err(ApiError::Unauthorized);
        }
        Ok(Self { user, claims })
    }
}
