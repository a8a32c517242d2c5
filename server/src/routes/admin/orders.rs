//! The console's orders: list, detail, ship, cancel, refund (issue 24, items 4 and 5).

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::admin::{
    AdminOrderDetail, AdminOrderDetailResponse, AdminOrderLine, AdminOrderRow, AdminPageResponse,
    AdminPayment, CARRIER_MAX_CHARS, COUNT_CAP, OrderActionRequest, OrderEvent, REASON_MAX_CHARS,
    ShipRequest, check_tracking_no,
};
use dadashop_types::money::{format_fen, parse_yuan};
use dadashop_types::orders::{STATUS_CANCELLED, STATUS_PAID, STATUS_REFUND_DUE, status_name};
use dadashop_types::{codes, rules};
use serde::Deserialize;

use super::{Paging, date_range, given, page_of, stale, unknown};
use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::console::{self, ConsoleOrder, OrderFilter, OrderSort};
use crate::db::orders::{Cancelled, Canceller, Shipment};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::state::AppState;

/// The order routes of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/orders", get(list))
        .route("/admin/orders/{order_id}", get(detail))
        .route("/admin/orders/{order_id}/ship", post(ship))
        .route("/admin/orders/{order_id}/cancel", post(cancel))
        .route("/admin/orders/{order_id}/refund", post(refund))
}

/// Filters and sort of the order list, besides paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    /// 1..7 (docs/api.md).
    pub status: Option<String>,
    /// First China date included, `YYYY-MM-DD`.
    pub date_from: Option<String>,
    /// Last China date included, `YYYY-MM-DD`.
    pub date_to: Option<String>,
    /// The order id, exactly.
    pub order_id: Option<String>,
    /// The shopper's name, any letter case.
    pub username: Option<String>,
    /// The shopper's phone or the receiver's mobile, exactly.
    pub phone: Option<String>,
    /// Yuan, at most two decimals, inclusive.
    pub min_amount: Option<String>,
    /// Yuan, at most two decimals, inclusive.
    pub max_amount: Option<String>,
    /// `-created_at` (default), `created_at`, `-total_amount` or `total_amount`.
    pub sort: Option<String>,
}

impl OrderQuery {
    fn filter(&self) -> Result<(OrderFilter, OrderSort), ApiError> {
        let status = given(&self.status)
            .map(|s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|n| (1..=7).contains(n))
                    .ok_or_else(|| ApiError::bad_params("status 须为 1-7"))
            })
            .transpose()?;
        let (from, to) = date_range(&self.date_from, &self.date_to)?;
        let amount = |value: &Option<String>, name: &str| {
            given(value)
                .map(|v| {
                    parse_yuan(v).ok_or_else(|| {
                        ApiError::bad_params(format!("{name} 须为金额，最多两位小数，如 199.50"))
                    })
                })
                .transpose()
        };
        let min_amount = amount(&self.min_amount, "min_amount")?;
        let max_amount = amount(&self.max_amount, "max_amount")?;
        if let (Some(min), Some(max)) = (min_amount, max_amount)
            && min > max
        {
            return Err(ApiError::bad_params("最低金额高于最高金额"));
        }
        let sort = match given(&self.sort) {
            None => OrderSort::NewestFirst,
            Some(s) => OrderSort::parse(s).ok_or_else(|| {
                ApiError::bad_params(
                    "sort 须为 -created_at、created_at、-total_amount 或 total_amount",
                )
            })?,
        };
        let text = |value: &Option<String>, max: usize| {
            given(value)
                .filter(|v| v.chars().count() <= max)
                .map(str::to_owned)
        };
        Ok((
            OrderFilter {
                status,
                from,
                to,
                order_id: text(&self.order_id, 32),
                username: text(&self.username, 64),
                phone: text(&self.phone, 32),
                min_amount,
                max_amount,
            },
            sort,
        ))
    }
}

fn row(o: &ConsoleOrder) -> AdminOrderRow {
    AdminOrderRow {
        order_id: o.order_id.clone(),
        username: o.username.clone(),
        phone: o.phone.clone(),
        receiver: o.receiver.clone(),
        receiver_mobile: o.receiver_mobile.clone(),
        total_count: o.total_count,
        total_amount: format_fen(o.total_amount),
        status: o.status,
        status_name: status_name(o.status).to_owned(),
        created_at: o.created_at,
        version: o.version,
    }
}

/// The rows of a list of orders.
pub fn rows(orders: &[ConsoleOrder]) -> Vec<AdminOrderRow> {
    orders.iter().map(row).collect()
}

/// Orders, filtered, sorted and paged on the server (`orders.view`). The count stops at
/// 1,000 (`total_capped`).
#[utoipa::path(get, path = "/v1/admin/orders", tag = "admin", security(("staff" = [])), params(Paging, OrderQuery),
    responses((status = 200, body = AdminPageResponse<AdminOrderRow>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
    Query(q): Query<OrderQuery>,
) -> ApiResult<Json<AdminPageResponse<AdminOrderRow>>> {
    auth.require("orders.view")?;
    let (page, size) = paging.parse()?;
    let (filter, sort) = q.filter()?;
    let (total, found) = console::orders(&state.db, &filter, sort, page, size, COUNT_CAP).await?;
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(rows(&found), total, page, size),
    }))
}

/// The timeline of an order from its stored times.
pub(crate) fn events(
    o: &ConsoleOrder,
    payment: Option<&console::PaymentRecord>,
) -> Vec<OrderEvent> {
    let event = |what: &str, at: i64, by: &str, note: String| OrderEvent {
        what: what.to_owned(),
        at,
        by: by.to_owned(),
        note,
    };
    let mut out = vec![event("下单", o.created_at, "shopper", String::new())];
    if let Some(p) = payment {
        out.push(event(
            "付款",
            p.paid_at,
            "gateway",
            format!("支付宝交易号 {}，{} 元", p.trade_no, format_fen(p.amount)),
        ));
    }
    if let Some(at) = o.shipped_at {
        out.push(event(
            "发货",
            at,
            o.shipped_by.as_deref().unwrap_or("cli"),
            format!(
                "{} {}",
                o.carrier.as_deref().unwrap_or(""),
                o.tracking_no.as_deref().unwrap_or("")
            )
            .trim()
            .to_owned(),
        ));
    }
    if let Some(at) = o.received_at {
        out.push(event("收货", at, "shopper", String::new()));
    }
    if o.status >= STATUS_CANCELLED {
        let reason = match o.cancel_reason.as_deref() {
            Some("shopper") => "买家取消",
            Some("timeout") => "超时未支付",
            Some("operator") => "客服取消",
            Some("refund") => "退款取消",
            _ => "",
        };
        out.push(event(
            "取消",
            o.cancelled_at.unwrap_or(o.updated_at),
            o.cancelled_by.as_deref().unwrap_or("shopper"),
            reason.to_owned(),
        ));
    }
    if let Some(p) = payment
        && let Some(at) = p.refunded_at
    {
        out.push(event(
            "退款",
            at,
            p.refunded_by.as_deref().unwrap_or("cli"),
            format!(
                "{} 元{}",
                format_fen(p.refund_amount.unwrap_or(p.amount)),
                p.refund_reason
                    .as_deref()
                    .map(|r| format!("，{r}"))
                    .unwrap_or_default()
            ),
        ));
    }
    out.sort_by_key(|e| e.at);
    out
}

/// The order id of the path, or 404.
fn order_id(text: &str) -> Result<&str, ApiError> {
    let id = text.trim();
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unknown("订单"));
    }
    Ok(id)
}

/// An order with its lines, address, amounts, payment record and timeline (`orders.view`).
#[utoipa::path(get, path = "/v1/admin/orders/{order_id}", tag = "admin", security(("staff" = [])), params(("order_id" = String, Path)),
    responses((status = 200, body = AdminOrderDetailResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (60103)", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminOrderDetailResponse>> {
    auth.require("orders.view")?;
    let id = order_id(&id)?;
    Ok(Json(AdminOrderDetailResponse {
        code: codes::OK,
        data: load_detail(&state, id).await?,
    }))
}

async fn load_detail(state: &AppState, id: &str) -> ApiResult<AdminOrderDetail> {
    let o = console::order(&state.db, id)
        .await?
        .ok_or_else(|| unknown("订单"))?;
    let payment = console::payment(&state.db, id).await?;
    let mut lines = db::orders::lines(&state.db, &[id.to_owned()]).await?;
    let lines = lines
        .remove(id)
        .unwrap_or_default()
        .into_iter()
        .map(|l| {
            let sale_attrs = l.attrs();
            AdminOrderLine {
                sku_id: l.sku_id,
                name: l.name,
                price: format_fen(l.price),
                count: l.count,
                image: super::pictures::media_url(state, &l.default_image_url),
                sale_attrs,
            }
        })
        .collect();
    Ok(AdminOrderDetail {
        order: row(&o),
        user_id: o.user_id,
        address: o.address.clone(),
        tag: o.tag.clone(),
        goods_amount: format_fen(o.goods_amount),
        freight: format_fen(o.freight),
        pay_deadline: o.pay_deadline,
        carrier: o.carrier.clone(),
        tracking_no: o.tracking_no.clone(),
        cancel_reason: o.cancel_reason.clone(),
        events: events(&o, payment.as_ref()),
        payment: payment.map(|p| AdminPayment {
            trade_no: p.trade_no,
            amount: format_fen(p.amount),
            paid_at: p.paid_at,
            source: p.source,
            refund_no: p.refund_no,
            refund_amount: p.refund_amount.map(format_fen),
            refunded_at: p.refunded_at,
            refunded_by: p.refunded_by,
            refund_reason: p.refund_reason,
        }),
        lines,
    })
}

/// The `version` of a write, required.
fn version_of(v: Option<i64>) -> Result<i64, ApiError> {
    v.filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_params("缺少参数 version（读取订单时的版本）"))
}

/// Why an order write did not apply: 404 unknown, 409 / 60102 changed since read, 409 /
/// 50107 in a status that does not allow it.
async fn refused(state: &AppState, id: &str, version: i64, what: &str) -> ApiError {
    match console::order(&state.db, id).await {
        Ok(None) => unknown("订单"),
        Ok(Some(o)) if o.version != version => stale(),
        Ok(Some(o)) => ApiError::Conflict {
            code: codes::ORDER_WRONG_STATUS,
            message: format!("订单{}，不能{what}", status_name(o.status)),
        },
        Err(e) => e.into(),
    }
}

/// Ships a paid order (`orders.change`): carrier and tracking number, status 2 → 3; the
/// shopper's order page then shows them. Carries the `version` read: 409 / 60102 when the
/// order changed meanwhile (one of two operators at once wins).
#[utoipa::path(post, path = "/v1/admin/orders/{order_id}/ship", tag = "admin", security(("staff" = [])), params(("order_id" = String, Path)), request_body = ShipRequest,
    responses((status = 200, body = AdminOrderDetailResponse), (status = 400, description = "Bad carrier, tracking number or version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102) or not paid (50107)", body = dadashop_types::ErrorBody)))]
async fn ship(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<ShipRequest>,
) -> ApiResult<Json<AdminOrderDetailResponse>> {
    auth.require("orders.change")?;
    let id = order_id(&id)?;
    let carrier = given(&req.carrier).ok_or_else(|| ApiError::bad_params("请填写快递公司"))?;
    rules::check_text(carrier, CARRIER_MAX_CHARS, "快递公司").map_err(ApiError::bad_params)?;
    let tracking_no =
        given(&req.tracking_no).ok_or_else(|| ApiError::bad_params("请填写运单号"))?;
    check_tracking_no(tracking_no).map_err(ApiError::bad_params)?;
    let version = version_of(req.version)?;
    let actor = auth.actor();
    let by = actor.label();
    let shipment = Shipment {
        carrier,
        tracking_no,
        by: &by,
        version: Some(version),
    };
    if !db::orders::ship(&state.db, id, &shipment, Some(&actor), db::now_secs()).await? {
        return Err(refused(&state, id, version, "发货").await);
    }
    tracing::info!(order_id = id, staff_id = auth.staff.id, "order shipped");
    Ok(Json(AdminOrderDetailResponse {
        code: codes::OK,
        data: load_detail(&state, id).await?,
    }))
}

/// A reason of at most 200 characters, or none.
fn reason_of(req: &OrderActionRequest) -> Result<Option<String>, ApiError> {
    match given(&req.reason) {
        None => Ok(None),
        Some(r) => {
            rules::check_text(r, REASON_MAX_CHARS, "原因").map_err(ApiError::bad_params)?;
            Ok(Some(r.to_owned()))
        }
    }
}

/// Cancels an unpaid order (`orders.change`): its stock comes back exactly once, by the same
/// code as the shopper's cancel and the time-out; with online payment on, its Alipay trade is
/// closed. Carries the `version` read (409 / 60102).
#[utoipa::path(post, path = "/v1/admin/orders/{order_id}/cancel", tag = "admin", security(("staff" = [])), params(("order_id" = String, Path)), request_body = OrderActionRequest,
    responses((status = 200, body = AdminOrderDetailResponse), (status = 400, description = "Bad reason or version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102) or not unpaid (50107)", body = dadashop_types::ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<OrderActionRequest>,
) -> ApiResult<Json<AdminOrderDetailResponse>> {
    auth.require("orders.change")?;
    let id = order_id(&id)?;
    let reason = reason_of(&req)?.unwrap_or_default();
    let version = version_of(req.version)?;
    let close_trade = state.alipay.is_some();
    let by = Canceller::Operator {
        version,
        actor: auth.actor(),
        reason,
    };
    match db::orders::cancel(&state.db, id, by, close_trade, db::now_secs()).await? {
        Cancelled::Done { restocked } => {
            tracing::info!(
                order_id = id,
                staff_id = auth.staff.id,
                "order cancelled in the console"
            );
            if close_trade {
                crate::jobs::orders::queue_trade_close(Some(&state.jobs), id).await;
            }
            crate::catalog::availability_changed(&state.kv, &restocked).await;
        }
        Cancelled::NotApplicable => return Err(refused(&state, id, version, "取消").await),
    }
    Ok(Json(AdminOrderDetailResponse {
        code: codes::OK,
        data: load_detail(&state, id).await?,
    }))
}

/// The refund request number (`out_request_no`) of an order's one full refund: fixed per
/// order, so that a retried refund names the same request and the gateway never pays twice.
pub fn refund_request_no(order_id: &str) -> String {
    format!("{order_id}R1")
}

/// Refunds an order through Alipay (`refunds.change`, `alipay.trade.refund`): an order
/// waiting for a refund (status 6, paid after it was cancelled), or a paid order not yet
/// shipped (status 2, a reason required: it is cancelled first, its stock back once). The
/// refund request carries a number fixed per order (`out_request_no`), so a retry never pays
/// twice; when the gateway's answer is lost, `alipay.trade.fastpay.refund.query` settles it.
/// Once the gateway confirms, the order goes 6 → 7 with the refund's amount and time.
/// Errors: 409 / 60102 changed since read, 409 / 50107 nothing to refund, 409 / 60104 the
/// gateway refused (its message), 503 / 60104 the gateway cannot be reached or online payment
/// is off (nothing refunded twice: try again).
#[utoipa::path(post, path = "/v1/admin/orders/{order_id}/refund", tag = "admin", security(("staff" = [])), params(("order_id" = String, Path)), request_body = OrderActionRequest,
    responses((status = 200, body = AdminOrderDetailResponse), (status = 400, description = "Bad or missing reason, bad version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), nothing to refund (50107), refused by the gateway (60104)", body = dadashop_types::ErrorBody), (status = 503, description = "Gateway unreachable or online payment off (60104)", body = dadashop_types::ErrorBody)))]
async fn refund(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<OrderActionRequest>,
) -> ApiResult<Json<AdminOrderDetailResponse>> {
    auth.require("refunds.change")?;
    let id = order_id(&id)?;
    let reason = reason_of(&req)?;
    let version = version_of(req.version)?;
    let o = console::order(&state.db, id)
        .await?
        .ok_or_else(|| unknown("订单"))?;
    if o.version != version {
        return Err(stale());
    }
    if o.status == STATUS_PAID && reason.is_none() {
        return Err(ApiError::bad_params("退款已付款的订单须填写原因"));
    }
    let payment = console::payment(&state.db, id)
        .await?
        .filter(|_| o.status == STATUS_PAID || o.status == STATUS_REFUND_DUE)
        .ok_or_else(|| ApiError::Conflict {
            code: codes::ORDER_WRONG_STATUS,
            message: format!("订单{}，没有可退的款项", status_name(o.status)),
        })?;
    let Some(alipay) = state.alipay.clone() else {
        return Err(ApiError::Upstream {
            code: codes::ADMIN_REFUND_REFUSED,
            message: "未开通在线支付，无法原路退款".to_owned(),
        });
    };
    let request_no = refund_request_no(id);
    let actor = auth.actor();
    let now = db::now_secs();
    let Some(restocked) = crate::db::payments::begin_refund(
        &state.db,
        id,
        version,
        &request_no,
        reason.as_deref().unwrap_or(""),
        &actor,
        now,
    )
    .await?
    else {
        return Err(refused(&state, id, version, "退款").await);
    };
    if !restocked.is_empty() {
        crate::catalog::availability_changed(&state.kv, &restocked).await;
    }
    let refunded = ask_gateway(&alipay, id, payment.amount, &request_no, reason.as_deref()).await?;
    let done = crate::db::payments::finish_refund(
        &state.db,
        id,
        refunded.amount_fen,
        refunded.at.unwrap_or(now),
        &actor,
        db::now_secs(),
    )
    .await?;
    tracing::info!(
        order_id = id,
        staff_id = auth.staff.id,
        recorded = done,
        "order refunded"
    );
    Ok(Json(AdminOrderDetailResponse {
        code: codes::OK,
        data: load_detail(&state, id).await?,
    }))
}

/// What the gateway confirmed: the refunded amount (fen) and when (Unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct Refunded {
    pub amount_fen: i64,
    pub at: Option<i64>,
}

/// Asks Alipay to refund `amount_fen` of `order_id` under `request_no`; when the answer is
/// lost or the gateway fails, asks whether that refund was made instead of paying again.
pub async fn ask_gateway(
    alipay: &crate::alipay::AlipayClient,
    order_id: &str,
    amount_fen: i64,
    request_no: &str,
    reason: Option<&str>,
) -> ApiResult<Refunded> {
    use crate::alipay::{RefundOutcome, RefundRequest, RefundState};
    let now = db::now_secs();
    let request = RefundRequest {
        order_id,
        refund_amount_fen: amount_fen,
        out_request_no: request_no,
        reason,
    };
    let unreachable = || ApiError::Upstream {
        code: codes::ADMIN_REFUND_REFUSED,
        message: "支付宝暂时无法完成退款，请稍后重试（不会重复退款）".to_owned(),
    };
    match alipay.refund(&request, now).await {
        Ok(RefundOutcome::Refunded {
            refund_fee_fen,
            gmt_refund_pay,
            ..
        }) => Ok(Refunded {
            amount_fen: refund_fee_fen,
            at: gmt_refund_pay,
        }),
        Ok(RefundOutcome::Refused { sub_code, sub_msg }) => {
            tracing::warn!(order_id, sub_code, "the gateway refused a refund");
            Err(ApiError::Conflict {
                code: codes::ADMIN_REFUND_REFUSED,
                message: format!("支付宝拒绝退款：{sub_msg}（{sub_code}）"),
            })
        }
        Err(e) => {
            tracing::warn!(order_id, error = %e, "refund answer lost or failed; asking the gateway");
            match alipay
                .refund_query(order_id, request_no, db::now_secs())
                .await
            {
                Ok(RefundState::Refunded {
                    refund_amount_fen,
                    gmt_refund_pay,
                }) => Ok(Refunded {
                    amount_fen: refund_amount_fen,
                    at: gmt_refund_pay,
                }),
                Ok(RefundState::NotRefunded) | Err(_) => Err(unreachable()),
            }
        }
    }
}
