//! The console's after-sale pages (issue 27): reviews, which operators may hide (商品运营,
//! `goods.change`), and returns, which they approve or refuse (`orders.change`) and, once the
//! goods are back, refund through the gateway (`refunds.change`). Every write is audited.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::admin::AdminPageResponse;
use dadashop_types::after_sales::{
    AdminReview, OrderReturn, OrderReturnResponse, RETURN_REASON_MAX_CHARS, ReturnDecisionRequest,
    ReviewVisibilityRequest,
};
use dadashop_types::codes;
use serde::Deserialize;

use super::{Paging, given, id_of, page_of, stale, unknown};
use crate::auth::staff::AuthStaff;
use crate::db::{self, now_secs};
use crate::domain::bounded_text;
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::routes::after_sales::returns_answer;
use crate::state::AppState;

/// The console's review and return routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/reviews", get(list_reviews))
        .route("/admin/reviews/{id}/visibility", post(set_visibility))
        .route("/admin/returns", get(list_returns))
        .route("/admin/returns/{id}", get(one_return))
        .route("/admin/returns/{id}/approve", post(approve))
        .route("/admin/returns/{id}/refuse", post(refuse))
        .route("/admin/returns/{id}/receive", post(receive))
}

/// Filters of the review list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewFilter {
    /// `1` hidden ones only, `0` visible ones only; absent: all.
    pub hidden: Option<String>,
    /// One product's reviews.
    pub spu_id: Option<String>,
}

/// The reviews, newest first (`goods.view`), with the real names of anonymous authors.
#[utoipa::path(get, path = "/v1/admin/reviews", tag = "admin", security(("staff" = [])), params(ReviewFilter, Paging),
    responses((status = 200, body = AdminPageResponse<AdminReview>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_reviews(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(filter): Query<ReviewFilter>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<AdminPageResponse<AdminReview>>> {
    auth.require("goods.view")?;
    let (page, size) = paging.parse()?;
    let hidden = match given(&filter.hidden) {
        None => None,
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(_) => return Err(ApiError::bad_params("hidden 须为 0 或 1")),
    };
    let spu_id = match given(&filter.spu_id) {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::bad_params("spu_id 须为正整数"))?,
        ),
    };
    let (rows, total) = db::reviews::list(&state.db, hidden, spu_id, page, size).await?;
    let items = rows
        .into_iter()
        .map(|r| AdminReview {
            id: r.id,
            order_id: r.order_id,
            sku_id: r.sku_id,
            sku_name: r.sku_name,
            username: r.username,
            anonymous: r.is_anonymous == 1,
            score: r.score,
            content: r.content,
            hidden: r.is_hidden == 1,
            time: db::orders::china_time(r.created_at, "%Y-%m-%d %H:%M:%S"),
        })
        .collect();
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(items, total, page, size),
    }))
}

/// Hides a review from the product page (or shows it again), with a reason for the audit
/// log (`goods.change`). Errors: 400 / 10123 `hidden` missing or reason over-long, 404 /
/// 60103 unknown review.
#[utoipa::path(post, path = "/v1/admin/reviews/{id}/visibility", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = ReviewVisibilityRequest,
    responses((status = 200, body = dadashop_types::MessageResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown review (60103)", body = dadashop_types::ErrorBody)))]
async fn set_visibility(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<ReviewVisibilityRequest>,
) -> ApiResult<Json<dadashop_types::MessageResponse>> {
    auth.require("goods.change")?;
    let id = id_of(&id, "评价")?;
    let hidden = req
        .hidden
        .ok_or_else(|| ApiError::bad_params("缺少 hidden"))?;
    let reason = match req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(r) => bounded_text(r, RETURN_REASON_MAX_CHARS, "原因")?,
        None => String::new(),
    };
    db::reviews::set_hidden(&state.db, id, hidden, &reason, &auth.actor(), now_secs())
        .await?
        .ok_or_else(|| unknown("评价"))?;
    if let Err(e) = crate::catalog::goods_changed(&state.db, &state.kv).await {
        tracing::warn!(error = %e, "could not announce a rating change");
    }
    tracing::info!(
        review_id = id,
        hidden,
        staff_id = auth.staff.id,
        "review visibility set"
    );
    Ok(Json(dadashop_types::MessageResponse {
        code: codes::OK,
        data: if hidden { "已隐藏" } else { "已显示" }.to_owned(),
    }))
}

/// Filter of the return list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReturnFilter {
    /// `requested`, `approved`, `refused`, `received` or `refunded`; absent: all.
    pub status: Option<String>,
}

/// The returns, newest first (`refunds.view`).
#[utoipa::path(get, path = "/v1/admin/returns", tag = "admin", security(("staff" = [])), params(ReturnFilter, Paging),
    responses((status = 200, body = AdminPageResponse<OrderReturn>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_returns(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(filter): Query<ReturnFilter>,
    Query(paging): Query<Paging>,
) -> ApiResult<Json<AdminPageResponse<OrderReturn>>> {
    auth.require("refunds.view")?;
    let (page, size) = paging.parse()?;
    let status = given(&filter.status);
    if let Some(s) = status
        && !["requested", "approved", "refused", "received", "refunded"].contains(&s)
    {
        return Err(ApiError::bad_params("status 无效"));
    }
    let (rows, total) = db::returns::list(&state.db, status, page, size).await?;
    let items = returns_answer(&state, rows).await?;
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(items, total, page, size),
    }))
}

async fn answer(state: &AppState, id: i64) -> ApiResult<Json<OrderReturnResponse>> {
    let row = db::returns::get(&state.db, id)
        .await?
        .ok_or_else(|| unknown("退货申请"))?;
    let data = returns_answer(state, vec![row])
        .await?
        .pop()
        .ok_or_else(|| unknown("退货申请"))?;
    Ok(Json(OrderReturnResponse {
        code: codes::OK,
        data,
    }))
}

/// One return (`refunds.view`). 404 / 60103 when unknown.
#[utoipa::path(get, path = "/v1/admin/returns/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OrderReturnResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown return (60103)", body = dadashop_types::ErrorBody)))]
async fn one_return(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<OrderReturnResponse>> {
    auth.require("refunds.view")?;
    answer(&state, id_of(&id, "退货申请")?).await
}

fn version_of(req: &ReturnDecisionRequest) -> ApiResult<i64> {
    req.version
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_params("缺少 version"))
}

fn message_of(req: &ReturnDecisionRequest, required: bool) -> ApiResult<String> {
    match req
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => bounded_text(m, RETURN_REASON_MAX_CHARS, "处理意见"),
        None if required => Err(ApiError::bad_params("请填写拒绝的原因")),
        None => Ok(String::new()),
    }
}

/// A 409 for a return that is not in the status a decision needs: stale when its version
/// moved on, else the status it is in.
async fn not_now(state: &AppState, id: i64, version: i64, what: &str) -> ApiError {
    match db::returns::get(&state.db, id).await {
        Ok(Some(r)) if r.version != version => stale(),
        Ok(Some(r)) => ApiError::Conflict {
            code: codes::ORDER_WRONG_STATUS,
            message: format!(
                "退货申请{}，不能{what}",
                crate::routes::after_sales::return_status_name(&r.status)
            ),
        },
        Ok(None) => unknown("退货申请"),
        Err(e) => e.into(),
    }
}

async fn decide(
    state: AppState,
    auth: AuthStaff,
    id: String,
    req: ReturnDecisionRequest,
    approve: bool,
) -> ApiResult<Json<OrderReturnResponse>> {
    auth.require("orders.change")?;
    let id = id_of(&id, "退货申请")?;
    let version = version_of(&req)?;
    let message = message_of(&req, !approve)?;
    let what = if approve { "同意" } else { "拒绝" };
    if !db::returns::decide(
        &state.db,
        id,
        version,
        approve,
        &message,
        &auth.actor(),
        now_secs(),
    )
    .await?
    {
        return Err(not_now(&state, id, version, what).await);
    }
    tracing::info!(
        return_id = id,
        approve,
        staff_id = auth.staff.id,
        "return decided"
    );
    answer(&state, id).await
}

/// Approves a requested return (`orders.change`), with an optional message (where to send
/// the goods). Errors: 400 / 10123 missing version or over-long message, 404 / 60103, 409 /
/// 60102 changed since read, 409 / 50107 not requested.
#[utoipa::path(post, path = "/v1/admin/returns/{id}/approve", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = ReturnDecisionRequest,
    responses((status = 200, body = OrderReturnResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown return (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), wrong status (50107)", body = dadashop_types::ErrorBody)))]
async fn approve(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<ReturnDecisionRequest>,
) -> ApiResult<Json<OrderReturnResponse>> {
    decide(state, auth, id, req, true).await
}

/// Refuses a requested return with a message the shopper reads (`orders.change`). Errors as
/// for approving; the message is required.
#[utoipa::path(post, path = "/v1/admin/returns/{id}/refuse", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = ReturnDecisionRequest,
    responses((status = 200, body = OrderReturnResponse), (status = 400, description = "Bad input, message missing (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown return (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), wrong status (50107)", body = dadashop_types::ErrorBody)))]
async fn refuse(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<ReturnDecisionRequest>,
) -> ApiResult<Json<OrderReturnResponse>> {
    decide(state, auth, id, req, false).await
}

/// The refund request number (`out_request_no`) of return `id` of `order_id`: fixed per
/// return (and apart from the order's own full refund), so a retry never pays twice.
pub fn return_refund_no(order_id: &str, id: i64) -> String {
    format!("{order_id}T{id}")
}

/// The goods of an approved return are back (`refunds.change`): their units go back into
/// stock once, and the return's amount is refunded through Alipay under a request number
/// fixed per return. Sent again for a return whose refund did not go through (`received`,
/// 退款中), it asks the gateway again under the same number: never paid twice. Errors: 404
/// / 60103, 409 / 60102 changed since read, 409 / 50107 not approved, 409 / 60104 the
/// gateway refused, 503 / 60104 the gateway unreachable (the stock is back, the return is
/// 退款中: send again) or online payment off (nothing changed).
#[utoipa::path(post, path = "/v1/admin/returns/{id}/receive", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = ReturnDecisionRequest,
    responses((status = 200, body = OrderReturnResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown return (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), wrong status (50107), refused by the gateway (60104)", body = dadashop_types::ErrorBody), (status = 503, description = "Gateway unreachable or online payment off (60104)", body = dadashop_types::ErrorBody)))]
async fn receive(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<ReturnDecisionRequest>,
) -> ApiResult<Json<OrderReturnResponse>> {
    auth.require("refunds.change")?;
    let id = id_of(&id, "退货申请")?;
    let version = version_of(&req)?;
    let r = db::returns::get(&state.db, id)
        .await?
        .ok_or_else(|| unknown("退货申请"))?;
    let Some(alipay) = state.alipay.clone() else {
        return Err(ApiError::Upstream {
            code: codes::ADMIN_REFUND_REFUSED,
            message: "未开通在线支付，无法原路退款".to_owned(),
        });
    };
    let request_no = return_refund_no(&r.order_id, id);
    match r.status.as_str() {
        "approved" => {
            let now = now_secs();
            let Some(restocked) =
                db::returns::receive(&state.db, id, version, &request_no, &auth.actor(), now)
                    .await?
            else {
                return Err(not_now(&state, id, version, "确认收货").await);
            };
            crate::catalog::availability_changed(&state.kv, &restocked).await;
        }
        // The goods are back and the stock with them; only the refund is missing.
        "received" if r.version == version => {}
        _ => return Err(not_now(&state, id, version, "确认收货").await),
    }
    let refunded = crate::routes::admin::orders::ask_gateway(
        &alipay,
        &r.order_id,
        r.amount,
        &request_no,
        Some("退货退款"),
    )
    .await?;
    let done = db::returns::refunded(
        &state.db,
        id,
        refunded.amount_fen,
        refunded.at.unwrap_or_else(now_secs),
        now_secs(),
    )
    .await?;
    tracing::info!(
        return_id = id,
        staff_id = auth.staff.id,
        recorded = done,
        "return refunded"
    );
    answer(&state, id).await
}
