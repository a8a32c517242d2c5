//! The [`AuthStaff`] extractor of every console endpoint (`/v1/admin/...`, issue 24).

use axum::extract::FromRequestParts;
use dadashop_types::{admin, codes};
use http::request::Parts;

use crate::auth::jwt::StaffClaims;
use crate::client_ip::ClientIp;
use crate::db::audit::Actor;
use crate::db::staff::{self, StaffRow};
use crate::error::ApiError;
use crate::state::AppState;

/// The operator, proven by a valid console token. Extraction fails with 401 (10101) when the
/// `Authorization: Bearer` header is missing, or the token is not a console token (a
/// shopper's token never is: another key and no `aud`), expired, tampered, or revoked (its
/// account disabled, its role changed, logged out: `token_version` moved on); 503 when the
/// database cannot be read.
#[derive(Debug, Clone)]
pub struct AuthStaff {
    pub staff: StaffRow,
    pub claims: StaffClaims,
    /// The operator's address, for the audit log.
    pub ip: ClientIp,
}

impl AuthStaff {
    /// Fails with 403 / 60101 unless the operator's role grants `permission`
    /// (`<resource>.<action>`, [`admin::PERMISSIONS`]).
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if admin::role_grants(&self.staff.role, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                code: codes::ADMIN_FORBIDDEN,
                message: format!("没有权限：需要“{permission}”权限"),
            })
        }
    }

    /// Who this operator is, for the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            staff_id: self.staff.id,
            username: self.staff.username.clone(),
            ip: self.ip.0.to_string(),
        }
    }
}

impl FromRequestParts<AppState> for AuthStaff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = ClientIp::from_request_parts(parts, state).await?;
        let token = super::bearer(parts).ok_or(ApiError::Unauthorized)?;
        let claims = state
            .staff_tokens
            .verify(token)
            .ok_or(ApiError::Unauthorized)?;
        let id: i64 = claims.sub.parse().map_err(|_| ApiError::Unauthorized)?;
        let staff = staff::find_by_id(&state.db, id)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if staff.is_active != 1
            || staff.token_version != claims.ver
            || staff.username != claims.username
        {
            return Err(ApiError::Unauthorized);
        }
        Ok(Self { staff, claims, ip })
    }
}
