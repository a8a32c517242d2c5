//! The console's shoppers: list and search, detail, disable and enable (issue 24, item 6).

use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::{Json, Router};
use dadashop_types::admin::{
    AdminAddress, AdminPageResponse, AdminUserDetail, AdminUserDetailResponse, AdminUserRow,
    COUNT_CAP, SetDisabledRequest,
};
use dadashop_types::codes;
use serde::Deserialize;

use super::{Paging, date_range, given, page_of, unknown};
use crate::auth::staff::AuthStaff;
use crate::db::console::{self, ConsoleUser, UserFilter};
use crate::db::{self, audit};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::state::AppState;

/// The shopper routes of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/{id}", get(detail))
        .route("/admin/users/{id}/disabled", put(set_disabled))
}

/// Filters of the shopper list, besides paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// A name's beginning (any letter case), or a phone or email exactly.
    pub q: Option<String>,
    /// First China registration date included, `YYYY-MM-DD`.
    pub date_from: Option<String>,
    /// Last China registration date included, `YYYY-MM-DD`.
    pub date_to: Option<String>,
    /// `1` only disabled accounts, `0` only enabled ones.
    pub disabled: Option<String>,
}

fn row(u: &ConsoleUser) -> AdminUserRow {
    AdminUserRow {
        id: u.id,
        username: u.username.clone(),
        phone: u.phone.clone(),
        email: u.email.clone(),
        is_active: u.is_active == 1,
        is_disabled: u.is_disabled == 1,
        created_at: u.created_at,
        last_login_at: u.last_login_at,
        order_count: u.order_count,
    }
}

/// Shoppers, newest first, searched by name, phone or email (`users.view`).
#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", security(("staff" = [])), params(Paging, UserQuery),
    responses((status = 200, body = AdminPageResponse<AdminUserRow>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
    Query(q): Query<UserQuery>,
) -> ApiResult<Json<AdminPageResponse<AdminUserRow>>> {
    auth.require("users.view")?;
    let (page, size) = paging.parse()?;
    let (from, to) = date_range(&q.date_from, &q.date_to)?;
    let disabled = match given(&q.disabled) {
        None => None,
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(_) => return Err(ApiError::bad_params("disabled 须为 0 或 1")),
    };
    let search = given(&q.q)
        .map(|v| {
            if v.chars().count() > 64 {
                Err(ApiError::bad_params("搜索词最多64个字符"))
            } else {
                Ok(v.to_owned())
            }
        })
        .transpose()?;
    let filter = UserFilter {
        q: search,
        from,
        to,
        disabled,
    };
    let (total, found) = console::users(&state.db, &filter, page, size, COUNT_CAP).await?;
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(found.iter().map(row).collect(), total, page, size),
    }))
}

fn user_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| unknown("用户"))
}

/// A shopper with their addresses, newest orders and Weibo binding (`users.view`).
#[utoipa::path(get, path = "/v1/admin/users/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AdminUserDetailResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown shopper (60103)", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminUserDetailResponse>> {
    auth.require("users.view")?;
    let id = user_id(&id)?;
    Ok(Json(AdminUserDetailResponse {
        code: codes::OK,
        data: load(&state, id).await?,
    }))
}

async fn load(state: &AppState, id: i64) -> ApiResult<AdminUserDetail> {
    let u = console::user(&state.db, id)
        .await?
        .ok_or_else(|| unknown("用户"))?;
    let addresses = db::addresses::list(&state.db, id)
        .await?
        .into_iter()
        .map(|a| AdminAddress {
            address: a.full_address(),
            receiver: a.receiver,
            receiver_mobile: a.receiver_mobile,
            tag: a.tag,
            is_default: a.is_default == 1,
        })
        .collect();
    let orders = console::orders_of(&state.db, id, 20).await?;
    Ok(AdminUserDetail {
        user: row(&u),
        addresses,
        orders: super::orders::rows(&orders),
        weibo_uid: console::weibo_uid(&state.db, id).await?,
    })
}

/// Disables a shopper's account (`users.change`): every token of it stops working at once
/// and a login is refused with 403 / 10135; or enables it again.
#[utoipa::path(put, path = "/v1/admin/users/{id}/disabled", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = SetDisabledRequest,
    responses((status = 200, body = AdminUserDetailResponse), (status = 400, description = "Missing `disabled` (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown shopper (60103)", body = dadashop_types::ErrorBody)))]
async fn set_disabled(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<SetDisabledRequest>,
) -> ApiResult<Json<AdminUserDetailResponse>> {
    auth.require("users.change")?;
    let id = user_id(&id)?;
    let disabled = req
        .disabled
        .ok_or_else(|| ApiError::bad_params("缺少参数 disabled"))?;
    let now = db::now_secs();
    let mut tx = db::begin_write(&state.db).await?;
    let Some(changed) = console::set_user_disabled(&mut tx, id, disabled, now).await? else {
        return Err(unknown("用户"));
    };
    if changed {
        audit::record(
            &mut tx,
            &auth.actor(),
            &audit::Change {
                resource: "users",
                resource_id: &id.to_string(),
                action: if disabled { "disable" } else { "enable" },
                before: serde_json::json!({ "is_disabled": !disabled }),
                after: serde_json::json!({ "is_disabled": disabled }),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    if changed {
        tracing::info!(
            user_id = id,
            disabled,
            staff_id = auth.staff.id,
            "shopper account changed"
        );
    }
    Ok(Json(AdminUserDetailResponse {
        code: codes::OK,
        data: load(&state, id).await?,
    }))
}
