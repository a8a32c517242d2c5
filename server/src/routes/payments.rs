//! Alipay payment (docs/api.md "Orders and payment"): the pay URL of an order, the payment
//! result page's check (`GET /v1/orders/result/`) and the gateway's notification
//! (`POST /v1/orders/success/`).
//!
//! Signatures are checked by [`crate::alipay`]; the order changes exactly once through
//! [`crate::db::payments::apply`], whichever of the notification, the result page and the
//! reconciliation job comes first.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::money::{format_fen, parse_yuan};
use dadashop_types::orders::{
    PaymentResult, PaymentResultResponse, SELLER, STATUS_CANCELLED, STATUS_DONE, STATUS_PAID,
    STATUS_REFUND_DUE, STATUS_REFUNDED, STATUS_SHIPPED, STATUS_UNPAID,
};

use crate::alipay::{MIN_PAY_SECS, PayRequest, paid_trade};
use crate::auth::AuthUser;
use crate::db::orders::{self as orders_repo, OrderRow};
use crate::db::payments::{self, Applied, Source};
use crate::db::{self};
use crate::error::{ApiError, ApiResult};
use crate::reconcile::{self, GatewayAnswer};
use crate::state::AppState;

/// The path of the gateway's notification, which answers plain text.
pub const NOTIFY_PATH: &str = "/v1/orders/success/";

/// The payment endpoints. Both paths end in `/`, as the original's did; `result` and
/// `success` are static segments and win over `/orders/{username}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/result/", get(result))
        .route("/orders/success/", post(notify))
}

/// The signed Alipay page-pay URL of the unpaid `order`, or `""` when online payment is off
/// (no `ALIPAY_APP_ID`, development only) or the order can no longer be paid. Its
/// `timeout_express` is the whole minutes left before the order's deadline, rounded down, so
/// the gateway's trade never outlives the order; with under [`MIN_PAY_SECS`] left there is
/// no URL (`""`): the order is about to be cancelled, and Alipay's shortest time-out is one
/// minute.
pub fn pay_url(state: &AppState, order: &OrderRow, now: i64) -> String {
    let Some(alipay) = &state.alipay else {
        return String::new();
    };
    let remaining_secs = order.pay_deadline - now;
    if order.status != STATUS_UNPAID || remaining_secs < MIN_PAY_SECS {
        return String::new();
    }
    let subject = format!("{SELLER}订单 {}", order.order_id);
    let request = PayRequest {
        order_id: &order.order_id,
        amount_fen: order.total_amount,
        subject: &subject,
        remaining_secs,
    };
    alipay.page_pay_url(&request, now).unwrap_or_else(|e| {
        // The key was checked at start; the order stands and can be paid again (type=5).
        tracing::error!(order_id = order.order_id, error = %e, "cannot sign the pay URL");
        String::new()
    })
}

/// Parameters of a query string or form body, each name once, UTF-8. `None` for a repeated
/// name or an empty set.
fn params(raw: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(raw) {
        if out.insert(k.into_owned(), v.into_owned()).is_some() {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn payment_off() -> ApiError {
    ApiError::Upstream {
        code: codes::PAYMENT_UNAVAILABLE,
        message: "在线支付暂未开通".into(),
    }
}

fn bad_signature() -> ApiError {
    ApiError::bad_request(
        codes::PAYMENT_BAD_SIGNATURE,
        "支付结果校验失败，请勿篡改支付返回的参数",
    )
}

fn not_paid(message: &str) -> ApiError {
    ApiError::bad_request(codes::ORDER_NOT_PAID, message)
}

/// The payment result page's check: the query string the gateway appended to `return_url`
/// (`out_trade_no, trade_no, total_amount, app_id, seller_id, timestamp, sign, sign_type,
/// ...`), passed on as it came. The signature is verified with the gateway's public key
/// (over every parameter but `sign` and `sign_type`) and must name this shop's app; the order
/// must be the caller's and the amount its amount. A paid order answers `{order_id,
/// total_amount}`; an unpaid one makes the shop ask the gateway (`alipay.trade.query`) and
/// is marked paid if the gateway says so.
///
/// Errors: 400 / 50109 bad or missing signature, another app, a wrong amount; 400 / 50105
/// not paid (also: paid after the order was cancelled, the money goes back); 404 / 50106
/// not the caller's order; 503 / 50110 payment off or the gateway unreachable (the
/// reconciliation job finishes later).
#[utoipa::path(get, path = "/v1/orders/result/", tag = "orders", security(("token" = [])),
    params(("out_trade_no" = String, Query, description = "The order id"), ("total_amount" = String, Query), ("trade_no" = Option<String>, Query), ("app_id" = String, Query), ("sign" = String, Query), ("sign_type" = Option<String>, Query, description = "RSA2")),
    responses((status = 200, body = PaymentResultResponse), (status = 400, description = "Bad signature (50109) or not paid (50105)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Not the caller's order (50106)", body = dadashop_types::ErrorBody), (status = 503, description = "Payment off or gateway unreachable (50110)", body = dadashop_types::ErrorBody)))]
pub(crate) async fn result(
    State(state): State<AppState>,
    auth: AuthUser,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<PaymentResultResponse>> {
    let alipay = state.alipay.clone().ok_or_else(payment_off)?;
    let params = params(query.unwrap_or_default().as_bytes()).ok_or_else(bad_signature)?;
    alipay.verify(&params).map_err(|_| bad_signature())?;
    let order_id = params.get("out_trade_no").map_or("", |s| s.trim());
    let amount = params.get("total_amount").and_then(|a| parse_yuan(a));
    let mut order = orders_repo::get(&state.db, auth.user.id, order_id)
        .await?
        .ok_or_else(|| ApiError::not_found(codes::ORDER_NOT_FOUND, "订单不存在"))?;
    if amount != Some(order.total_amount) {
        return Err(bad_signature());
    }
    if matches!(order.status, STATUS_UNPAID | STATUS_CANCELLED) {
        if order.status == STATUS_UNPAID {
            payments::mark_return_seen(&state.db, &order.order_id, db::now_secs()).await?;
        }
        let answer =
            reconcile::ask_and_apply(&state.db, &alipay, &order.order_id, Source::Return).await?;
        if let GatewayAnswer::Unreachable(e) = answer {
            tracing::warn!(order_id = order.order_id, error = %e, "alipay trade query failed");
            return Err(ApiError::Upstream {
                code: codes::PAYMENT_UNAVAILABLE,
                message: "暂时无法向支付宝确认支付结果，请稍后在“我的订单”中查看".into(),
            });
        }
        if matches!(answer, GatewayAnswer::Applied(_)) {
            order = orders_repo::get(&state.db, auth.user.id, order_id)
                .await?
                .ok_or_else(|| ApiError::not_found(codes::ORDER_NOT_FOUND, "订单不存在"))?;
        }
    }
    match order.status {
        STATUS_PAID | STATUS_SHIPPED | STATUS_DONE => Ok(Json(PaymentResultResponse {
            code: codes::OK,
            data: PaymentResult {
                order_id: order.order_id,
                total_amount: format_fen(order.total_amount),
            },
        })),
        STATUS_REFUND_DUE | STATUS_REFUNDED => {
            Err(not_paid("订单已在付款前取消，款项将原路退回您的支付宝账户"))
        }
        STATUS_CANCELLED => Err(not_paid("订单已取消，未收到付款")),
        _ => Err(not_paid("尚未收到付款，如已付款请稍后在“我的订单”中查看")),
    }
}

/// The plain-text answer of a notification.
fn reply(status: StatusCode, word: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        word,
    )
        .into_response()
}

/// The gateway's asynchronous notification (form fields, `notify_type=trade_status_sync`).
/// Verified like the return (signature over every field but `sign` and `sign_type`, our
/// `app_id`), then for `trade_status` `TRADE_SUCCESS` / `TRADE_FINISHED` the order is
/// marked paid exactly once, the trade number and payment time recorded; a payment for an
/// order already cancelled is recorded and the order flagged for refund. Answers the plain
/// text `success` (also to a replay of an applied notification, and to other trade
/// statuses), which stops the gateway's retries; `failure` (400) for anything unverifiable
/// or not matching the order, which changes nothing; `failure` (503) when the database is
/// unavailable, so that the gateway tries again.
#[utoipa::path(post, path = "/v1/orders/success/", tag = "orders",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "Alipay's notification fields: notify_time, notify_type, notify_id, app_id, trade_no, out_trade_no, trade_status, total_amount, gmt_payment, sign, sign_type, ..."),
    responses((status = 200, description = "`success` (text/plain)", body = String), (status = 400, description = "`failure`: unverifiable or not matching the order", body = String), (status = 503, description = "`failure`: try again later", body = String)))]
pub(crate) async fn notify(State(state): State<AppState>, body: Bytes) -> Response {
    let Some(alipay) = state.alipay.clone() else {
        return reply(StatusCode::SERVICE_UNAVAILABLE, "failure");
    };
    let Some(params) = params(&body) else {
        return reply(StatusCode::BAD_REQUEST, "failure");
    };
    if alipay.verify(&params).is_err() {
        tracing::warn!(
            out_trade_no = params.get("out_trade_no").map(String::as_str),
            "alipay notification with a bad signature refused"
        );
        return reply(StatusCode::BAD_REQUEST, "failure");
    }
    let now = db::now_secs();
    let status = params.get("trade_status").map_or("", String::as_str);
    let paid_status = status == "TRADE_SUCCESS" || status == "TRADE_FINISHED";
    let trade = paid_trade(&params, now);
    if paid_status && trade.is_none() {
        // Paid, but without a usable trade number or amount: refuse, so that nothing is
        // lost (the gateway retries; the reconciliation asks the trade query).
        return reply(StatusCode::BAD_REQUEST, "failure");
    }
    let Some(trade) = trade else {
        // Another status (WAIT_BUYER_PAY, TRADE_CLOSED): nothing to apply, but only for an
        // order of ours.
        let order_id = params.get("out_trade_no").map_or("", String::as_str);
        return match orders_repo::status(&state.db, order_id).await {
            Ok(Some(_)) => reply(StatusCode::OK, "success"),
            Ok(None) => reply(StatusCode::BAD_REQUEST, "failure"),
            Err(e) => {
                tracing::warn!(error = %e, "notification: database unavailable");
                reply(StatusCode::SERVICE_UNAVAILABLE, "failure")
            }
        };
    };
    match payments::apply(&state.db, &trade, Source::Notify, now).await {
        Ok(applied) => {
            reconcile::log_applied(&trade, &applied, "notify");
            match applied {
                Applied::Paid | Applied::RefundDue | Applied::Already => {
                    reply(StatusCode::OK, "success")
                }
                Applied::UnknownOrder | Applied::AmountMismatch { .. } | Applied::OtherTrade => {
                    reply(StatusCode::BAD_REQUEST, "failure")
                }
            }
        }
        Err(e) => {
            tracing::warn!(order_id = trade.order_id, error = %e, "notification: database unavailable; the gateway will retry");
            reply(StatusCode::SERVICE_UNAVAILABLE, "failure")
        }
    }
}
