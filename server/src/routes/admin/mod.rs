//! The operator console's API, `/v1/admin/...` (issue 24): the staff session, staff accounts,
//! the audit log, and (in the submodules) orders and refunds, shoppers and the dashboard.
//!
//! Every endpoint takes [`AuthStaff`] (a console token: 401 otherwise, a shopper's token
//! included) and checks its permission (403 / 60101). Every write records an audit row in its
//! own transaction; writes on an order carry the `version` read and a stale one gets 409 /
//! 60102.

pub mod after_sales;
pub mod catalogs;
pub mod dashboard;
pub mod orders;
pub mod pictures;
pub mod skus;
pub mod skus_csv;
pub mod spus;
pub mod users;

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use dadashop_types::admin::{
    self, AdminPage, AdminPageResponse, AuditRow, COUNT_CAP, NewStaffRequest, PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX, StaffChangeRequest, StaffLoginRequest, StaffRow, StaffSession,
    StaffSessionResponse,
};
use dadashop_types::{MessageResponse, codes, rules};
use serde::Deserialize;

use crate::auth::staff::AuthStaff;
use crate::auth::throttle::LoginTry;
use crate::client_ip::ClientIp;
use crate::db::{self, audit, staff};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, required};
use crate::state::AppState;

/// The console's routes, nested under `/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", post(login).delete(logout))
        .route("/admin/session", get(session))
        .route("/admin/staff", get(list_staff).post(create_staff))
        .route("/admin/staff/{id}", patch(change_staff))
        .route("/admin/audit", get(list_audit))
        .merge(orders::router())
        .merge(users::router())
        .merge(skus::router())
        .merge(skus_csv::router())
        .merge(catalogs::router())
        .merge(spus::router())
        .merge(dashboard::router())
        .merge(after_sales::router())
}

/// Paging of a console list: `page` (from 1) and `page_size` (1 to 100, default 20), both
/// optional strings of digits. 400 / 40200 otherwise.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page number, from 1.
    pub page: Option<String>,
    /// Rows per page, 1 to 100 (default 20).
    pub page_size: Option<String>,
}

impl Paging {
    /// `(page, page_size)`, checked.
    pub fn parse(&self) -> Result<(u64, u32), ApiError> {
        let bad = || ApiError::bad_request(codes::BAD_PAGE, "页码错误");
        let page = match self.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(bad)?,
        };
        let size = match self.page_size.as_deref().map(str::trim) {
            None | Some("") => PAGE_SIZE_DEFAULT,
            Some(text) => text
                .parse::<u32>()
                .ok()
                .filter(|s| (1..=PAGE_SIZE_MAX).contains(s))
                .ok_or_else(|| ApiError::bad_params("每页条数须为1-100"))?,
        };
        Ok((page, size))
    }
}

/// One page of a console list, from a capped count.
pub fn page_of<T>(items: Vec<T>, counted: i64, page: u64, page_size: u32) -> AdminPage<T> {
    AdminPage {
        items,
        total: counted.min(COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        page_size,
    }
}

/// An optional, trimmed, non-empty query value.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The `[from, to)` Unix-second range of the China dates `from` and `to` (`YYYY-MM-DD`, both
/// days included). 400 / 10123 for a malformed date or a range that ends before it starts.
pub fn date_range(
    from: &Option<String>,
    to: &Option<String>,
) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let parse = |value: &Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
        match given(value) {
            None => Ok(None),
            Some(text) => db::console::china_date_start(text)
                .map(Some)
                .ok_or_else(|| ApiError::bad_params(format!("{name} 须为日期，如 2026-12-01"))),
        }
    };
    let from = parse(from, "date_from")?;
    let to = parse(to, "date_to")?.map(|start| start + db::console::DAY_SECS);
    if let (Some(f), Some(t)) = (from, to)
        && t <= f
    {
        return Err(ApiError::bad_params("结束日期早于开始日期"));
    }
    Ok((from, to))
}

/// A 409 / 60102 "changed since you read it".
pub fn stale() -> ApiError {
    ApiError::Conflict {
        code: codes::ADMIN_STALE,
        message: "记录已被他人修改，请刷新后重试".to_owned(),
    }
}

/// A 404 / 60103.
pub fn unknown(what: &str) -> ApiError {
    ApiError::not_found(codes::ADMIN_NOT_FOUND, format!("{what}不存在"))
}

/// The record id of a path segment: a positive whole number, else 404 / 60103 naming `what`.
pub fn id_of(text: &str, what: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| unknown(what))
}

fn session_of(row: &staff::StaffRow, token: Option<(String, i64)>) -> StaffSession {
    let role = admin::role(&row.role);
    StaffSession {
        username: row.username.clone(),
        role: row.role.clone(),
        role_label: role.map_or_else(|| row.role.clone(), |r| r.label.to_owned()),
        permissions: role
            .map(|r| r.permissions.iter().map(|p| (*p).to_owned()).collect())
            .unwrap_or_default(),
        expires_at: token.as_ref().map(|(_, exp)| *exp),
        token: token.map(|(t, _)| t),
    }
}

/// Logs an operator in to the console: the same Argon2id hashing, login limits and image
/// captcha as a shopper's login (`crate::auth::throttle`, counted apart from shoppers'
/// names). Errors: 10123 missing field; 10104 unknown name, wrong password or a disabled
/// account (one message: accounts cannot be told apart); 429 / 10131 or 10133 as the
/// shopper's login; 503 when the database or Redis is down.
#[utoipa::path(post, path = "/v1/admin/tokens", tag = "admin", request_body = StaffLoginRequest,
    responses((status = 200, body = StaffSessionResponse), (status = 400, description = "Missing field (10123), wrong name or password (10104), wrong captcha (10134)", body = dadashop_types::ErrorBody),
        (status = 429, description = "Too many failed logins (10131); an image captcha is needed (10133); see Retry-After", body = dadashop_types::ErrorBody), (status = 503, description = "Database or Redis unavailable, or the shop is saturated", body = dadashop_types::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    LenientJson(req): LenientJson<StaffLoginRequest>,
) -> ApiResult<Json<StaffSessionResponse>> {
    let username = required(&req.username, "username")?.to_owned();
    let password = req
        .password
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad_params("缺少参数 password"))?;
    let wrong = || ApiError::bad_request(codes::USER_NOT_FOUND, "用户名或密码错误");
    if rules::check_username(&username).is_err()
        || password.chars().count() > rules::PASSWORD_MAX_CHARS
    {
        return Err(wrong());
    }
    let captcha = req
        .captcha_id
        .as_deref()
        .zip(req.captcha.as_deref())
        .filter(|(id, text)| !id.is_empty() && !text.trim().is_empty());
    // Staff names count apart from shoppers' (a shopper may have the same name).
    let attempt = LoginTry::begin(&state, &format!("staff:{username}"), &ip, captcha).await?;
    let found = match staff::find_by_name(&state.db, &username).await {
        Ok(found) => found,
        Err(e) => {
            attempt.abandon();
            return Err(e.into());
        }
    };
    let stored = found.as_ref().map(|s| s.password_hash.clone());
    let verified =
        crate::routes::tokens::verify_stored(&state, password, stored, attempt.known).await;
    let ok = match verified {
        Ok(ok) => ok,
        Err(e) => {
            attempt.abandon();
            return Err(e);
        }
    };
    let Some(row) = found.filter(|_| ok) else {
        attempt.failed().await;
        tracing::info!("console login refused: wrong password or unknown name");
        return Err(wrong());
    };
    if row.is_active != 1 {
        // The right password of a disabled account: not a failure, and no way in.
        attempt.abandon();
        return Err(wrong());
    }
    attempt.succeeded().await?;
    let now = db::now_secs();
    staff::record_login(&state.db, row.id, now).await?;
    let token = state
        .staff_tokens
        .issue(row.id, &row.username, &row.role, row.token_version, now)
        .map_err(ApiError::Internal)?;
    tracing::info!(staff_id = row.id, "operator logged in to the console");
    Ok(Json(StaffSessionResponse {
        code: codes::OK,
        data: session_of(&row, Some(token)),
    }))
}

/// Logs the operator out of the console: every console token of the account stops working
/// (the account's token version moves on).
#[utoipa::path(delete, path = "/v1/admin/tokens", tag = "admin", security(("staff" = [])),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    auth: AuthStaff,
) -> ApiResult<Json<MessageResponse>> {
    let mut conn = state.db.acquire().await?;
    staff::bump_token_version(&mut conn, auth.staff.id, db::now_secs()).await?;
    Ok(Json(MessageResponse::ok()))
}

/// The operator and what their role lets them do (the console builds its menu from it).
#[utoipa::path(get, path = "/v1/admin/session", tag = "admin", security(("staff" = [])),
    responses((status = 200, body = StaffSessionResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody)))]
async fn session(auth: AuthStaff) -> Json<StaffSessionResponse> {
    Json(StaffSessionResponse {
        code: codes::OK,
        data: session_of(&auth.staff, None),
    })
}

fn staff_row(row: &staff::StaffRow) -> StaffRow {
    StaffRow {
        id: row.id,
        username: row.username.clone(),
        role: row.role.clone(),
        role_label: admin::role(&row.role).map_or_else(|| row.role.clone(), |r| r.label.to_owned()),
        is_active: row.is_active == 1,
        last_login_at: row.last_login_at,
        created_at: row.created_at,
    }
}

/// The staff accounts, oldest first (`staff.view`).
#[utoipa::path(get, path = "/v1/admin/staff", tag = "admin", security(("staff" = [])), params(Paging),
    responses((status = 200, body = AdminPageResponse<StaffRow>), (status = 400, description = "Bad page (40200) or page size (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_staff(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<AdminPageResponse<StaffRow>>> {
    auth.require("staff.view")?;
    let (page, size) = paging.parse()?;
    let (total, rows) = staff::list(&state.db, page, size).await?;
    let items = rows.iter().map(staff_row).collect();
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(items, total, page, size),
    }))
}

/// The role of `key`, or 400 / 10123.
fn known_role(key: &str) -> Result<&'static admin::Role, ApiError> {
    admin::role(key).ok_or_else(|| {
        let keys: Vec<&str> = admin::ROLES.iter().map(|r| r.key).collect();
        ApiError::bad_params(format!("角色须为 {} 之一", keys.join("、")))
    })
}

/// Creates a staff account (`staff.add`): a name by the shoppers' rules, a password by the
/// shoppers' rules (Argon2id), a role of [`admin::ROLES`]. 409 / 60105 when the name is taken.
#[utoipa::path(post, path = "/v1/admin/staff", tag = "admin", security(("staff" = [])), request_body = NewStaffRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad name, password or role (10123 and the field's code)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 409, description = "Name taken (60105)", body = dadashop_types::ErrorBody)))]
async fn create_staff(
    State(state): State<AppState>,
    auth: AuthStaff,
    LenientJson(req): LenientJson<NewStaffRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("staff.add")?;
    let username = required(&req.username, "username")?.to_owned();
    rules::check_username(&username)
        .map_err(|m| ApiError::bad_request(codes::INVALID_USERNAME, m))?;
    let password = req
        .password
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| ApiError::bad_params("缺少参数 password"))?;
    rules::check_password(&password).map_err(ApiError::bad_params)?;
    let role = known_role(required(&req.role, "role")?)?;
    let hash = state.hasher.hash(password).await?;
    let now = db::now_secs();
    let mut tx = db::begin_write(&state.db).await?;
    if !staff::insert_in(&mut tx, &username, &hash, role.key, now).await? {
        return Err(ApiError::Conflict {
            code: codes::ADMIN_NAME_TAKEN,
            message: "该用户名已被使用".to_owned(),
        });
    }
    audit::record(
        &mut tx,
        &auth.actor(),
        &audit::Change {
            resource: "staff",
            resource_id: &username.to_ascii_lowercase(),
            action: "create",
            before: serde_json::json!({}),
            after: serde_json::json!({ "username": username.to_ascii_lowercase(), "role": role.key, "is_active": true }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(MessageResponse::ok()))
}

/// Changes a staff account's role or disables / enables it (`staff.change`); either revokes
/// its tokens at once. The last active superuser can be neither demoted nor disabled (409 /
/// 60102 would not help: 400 / 10123 says why).
#[utoipa::path(patch, path = "/v1/admin/staff/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = StaffChangeRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad role, nothing to change, or the last superuser (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown account (60103)", body = dadashop_types::ErrorBody)))]
async fn change_staff(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<StaffChangeRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("staff.change")?;
    let id: i64 = id.trim().parse().map_err(|_| unknown("账号"))?;
    if req.role.is_none() && req.is_active.is_none() {
        return Err(ApiError::bad_params("没有要修改的内容"));
    }
    let new_role = req.role.as_deref().map(known_role).transpose()?;
    let now = db::now_secs();
    let mut tx = db::begin_write(&state.db).await?;
    let Some((username, role, is_active)) = staff::role_of(&mut tx, id).await? else {
        return Err(unknown("账号"));
    };
    let role_after = new_role.map_or(role.clone(), |r| r.key.to_owned());
    let active_after = req.is_active.unwrap_or(is_active == 1);
    if role == "superuser"
        && is_active == 1
        && (role_after != "superuser" || !active_after)
        && staff::active_superusers(&mut tx).await? <= 1
    {
        return Err(ApiError::bad_params("至少要保留一个启用的超级管理员"));
    }
    staff::change(&mut tx, id, &role_after, active_after, now).await?;
    audit::record(
        &mut tx,
        &auth.actor(),
        &audit::Change {
            resource: "staff",
            resource_id: &username,
            action: "change",
            before: serde_json::json!({ "role": role, "is_active": is_active == 1 }),
            after: serde_json::json!({ "role": role_after, "is_active": active_after }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(MessageResponse::ok()))
}

/// Filters of the audit log, besides paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The operator's name.
    pub staff: Option<String>,
    /// `orders`, `refunds`, `users`, `staff`, ...
    pub resource: Option<String>,
    /// The record's id (an order id, a shopper's id, a staff name).
    pub resource_id: Option<String>,
    /// First China date included, `YYYY-MM-DD`.
    pub date_from: Option<String>,
    /// Last China date included, `YYYY-MM-DD`.
    pub date_to: Option<String>,
}

/// The audit log, newest first (`audit.view`), filterable by operator, resource and date.
/// Read only: no endpoint changes or deletes it.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("staff" = [])), params(Paging, AuditQuery),
    responses((status = 200, body = AdminPageResponse<AuditRow>), (status = 400, description = "Bad page (40200) or date (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_audit(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<AdminPageResponse<AuditRow>>> {
    auth.require("audit.view")?;
    let (page, size) = paging.parse()?;
    let (from, to) = date_range(&q.date_from, &q.date_to)?;
    let filter = audit::AuditFilter {
        staff_username: given(&q.staff).map(str::to_owned),
        resource: given(&q.resource).map(str::to_owned),
        resource_id: given(&q.resource_id).map(str::to_owned),
        from,
        to,
    };
    let (total, rows) = audit::list(&state.db, &filter, page, size, COUNT_CAP).await?;
    let items = rows
        .into_iter()
        .map(|r| AuditRow {
            id: r.id,
            staff_username: r.staff_username,
            ip: r.ip,
            resource: r.resource,
            resource_id: r.resource_id,
            action: r.action,
            before: r.before_json,
            after: r.after_json,
            created_at: r.created_at,
        })
        .collect();
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(items, total, page, size),
    }))
}
