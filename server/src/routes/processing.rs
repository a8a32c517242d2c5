//! The original shop's order endpoint, `/v1/orders/processing/` (its Django
//! `OrderProcessingnView`), which its jQuery pages (order confirmation, payment, my orders,
//! pay again, payment result) call. One implementation with the resource paths of
//! [`crate::routes::orders`]; the user is always the token's (docs/api.md "Running the
//! original pages").
//!
//! - `GET ?status=0&settlement_type=0|1[&sku_id=&buy_num=]`: the settlement;
//! - `GET ?status=1&order_status=0..4[&page=]`: the shopper's orders;
//! - `GET ?status=2&order_id=`: confirms receipt of a shipped order;
//! - `POST {"status": 0, "address_id", "settlement_type"[, "sku_id", "buy_num"]}`: creates
//!   the order (an `Idempotency-Key` header makes retries safe, as on the resource path);
//! - `POST {"status": 1, "order_id"}`: the order's payment again.
//!
//! Error answers here also carry the message as `errmsg`, the name the original's order
//! view used (its payment page shows `errmsg`).

use axum::body::{Body, to_bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::orders::{
    CreatedOrderResponse, LEGACY_ORDERS_PAGE_SIZE, OrderListResponse, ProcessingAnswer,
    ProcessingQuery, ProcessingRequest, SettlementResponse,
};
use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::orders::Source;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, whole_number};
use crate::routes::orders::{
    WhenPaid, confirm_receipt, idempotency_key, order_list, place, query_source, repay, settle,
    source,
};
use crate::state::AppState;

/// The path, as the original's pages call it (with its trailing slash).
pub const PROCESSING_PATH: &str = "/v1/orders/processing/";

/// Largest error body rewritten with `errmsg`, in bytes (errors are a few hundred).
const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;

/// The original's order endpoint.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/orders/processing/",
        get(processing_get)
            .post(processing_post)
            .route_layer(middleware::from_fn(with_errmsg)),
    )
}

fn bad_status() -> ApiError {
    ApiError::bad_params("status 须为 0、1 或 2")
}

/// `status` 0 settles (`settlement_type` 0 the cart's selected lines, 1 buy now with
/// `sku_id` and `buy_num`): `data: {addresses, sku_list, total_count, total_amount, transit,
/// payment_amount}` and `base_url`, the default address first, lines carrying
/// `sku_sale_attr_names`, `sku_sale_attr_vals` and `total_amount`; an empty cart settles to
/// no lines, as in the original. `status` 1 lists the orders (`order_status` 0 all, 1-4 one
/// status; at most [`LEGACY_ORDERS_PAGE_SIZE`] a `page`): `data: {orders_list, paginator}`.
/// `status` 2 confirms receipt of the shipped `order_id`: `{"code": 200, "data": "OK"}`.
///
/// Errors: 10123 bad `status`, `settlement_type`, `order_status` or missing `order_id`;
/// 50101 a bad buy-now SKU or count; 40200 a bad page; 404 / 50106 unknown order; 409 /
/// 50107 receipt of an order that is not shipped.
#[utoipa::path(get, path = "/v1/orders/processing/", tag = "orders", security(("token" = [])), params(ProcessingQuery),
    responses((status = 200, description = "SettlementResponse (status=0), OrderListResponse (status=1) or MessageResponse (status=2)", body = ProcessingAnswer), (status = 400, description = "Bad parameters (10123), nothing to settle (50101), bad page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "status=2: unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "status=2: the order is not shipped (50107)", body = dadashop_types::ErrorBody)))]
pub(crate) async fn processing_get(
    State(state): State<AppState>,
    auth: AuthUser,
    query: Result<Query<ProcessingQuery>, QueryRejection>,
) -> ApiResult<Json<ProcessingAnswer>> {
    let Query(q) = query.map_err(|_| ApiError::bad_params("查询参数错误"))?;
    let user_id = auth.user.id;
    let answer = match q.status.as_deref().map(str::trim) {
        Some("0") => {
            let source = query_source(
                q.settlement_type.as_ref(),
                q.sku_id.as_ref(),
                q.buy_num.as_ref(),
            )?;
            let data = settle(&state, user_id, source).await?;
            // An empty cart settles to no lines, as in the original; a buy-now SKU that
            // cannot be bought is refused.
            if data.sku_list.is_empty() && source != Source::Cart {
                return Err(ApiError::bad_request(
                    codes::ORDER_NOTHING_TO_SETTLE,
                    "没有可结算的商品",
                ));
            }
            ProcessingAnswer::Settlement(SettlementResponse {
                code: codes::OK,
                data,
                base_url: state.settings.media_base_url(),
            })
        }
        Some("1") => {
            let data = order_list(
                &state,
                user_id,
                ("order_status", q.order_status.as_deref()),
                q.page.as_deref(),
                LEGACY_ORDERS_PAGE_SIZE,
            )
            .await?;
            ProcessingAnswer::Orders(OrderListResponse {
                code: codes::OK,
                data,
                base_url: state.settings.media_base_url(),
            })
        }
        Some("2") => {
            let order_id = q.order_id.map(Value::String);
            confirm_receipt(&state, user_id, order_id.as_ref()).await?;
            ProcessingAnswer::Done(dadashop_types::MessageResponse::ok())
        }
        _ => return Err(bad_status()),
    };
    Ok(Json(answer))
}

/// `status` 0 creates an order as `POST /v1/orders/<username>` does (one transaction, stock
/// taken at once, the lines leave the cart, a payment time-out): `address_id`,
/// `settlement_type` 0 (the cart's selected lines) or 1 (buy now: `sku_id` and `buy_num`,
/// or `buy_count`); `data: {saller, total_amount, order_id, pay_url, carts_count,
/// pay_remaining_secs}`. `status` 1 answers the shopper's `order_id` the same way: a fresh
/// `pay_url` while it is unpaid, an empty one once it is paid (the original's payment
/// result page asks this way).
///
/// Errors: 10123 bad `status`; 50101 nothing to order (buy now without `sku_id` and
/// `buy_num`: the original's payment page must send them, docs/api.md); 50102 bad address;
/// 409 / 50103 stock short; 409 / 50104 lost to concurrent orders; 422 / 50108 a reused
/// `Idempotency-Key`; 404 / 50106 unknown order; 409 / 50107 a cancelled or expired order.
#[utoipa::path(post, path = "/v1/orders/processing/", tag = "orders", security(("token" = [])), params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: one order per key")), request_body = ProcessingRequest,
    responses((status = 200, description = "The order with its pay URL", body = CreatedOrderResponse), (status = 400, description = "Bad parameters (10123), nothing to order (50101), bad address (50102)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "status=1: unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Stock short (50103), concurrent update lost (50104), not payable (50107)", body = dadashop_types::ErrorBody), (status = 422, description = "Idempotency-Key reused with another request (50108)", body = dadashop_types::ErrorBody)))]
pub(crate) async fn processing_post(
    State(state): State<AppState>,
    auth: AuthUser,
    headers: HeaderMap,
    LenientJson(req): LenientJson<ProcessingRequest>,
) -> ApiResult<Json<CreatedOrderResponse>> {
    let user_id = auth.user.id;
    let data = match req.status.as_ref().and_then(whole_number) {
        Some(0) => {
            let key = idempotency_key(&headers)?;
            let order = &req.order;
            let count = req.buy_num.as_ref().or(order.buy_count.as_ref());
            let buy_now = order.settlement_type.as_ref().and_then(whole_number) == Some(1);
            if buy_now && (order.sku_id.is_none() || count.is_none()) {
                return Err(ApiError::bad_request(
                    codes::ORDER_NOTHING_TO_SETTLE,
                    "立即购买须提交 sku_id 和 buy_num",
                ));
            }
            let source = source(order.settlement_type.as_ref(), order.sku_id.as_ref(), count)?;
            place(&state, user_id, key, order.address_id.as_ref(), source).await?
        }
        Some(1) => {
            let order_id = match &req.order_id {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(ApiError::bad_params("缺少参数 order_id")),
            };
            repay(&state, user_id, &order_id, WhenPaid::Answer).await?
        }
        _ => return Err(bad_status()),
    };
    Ok(Json(CreatedOrderResponse {
        code: codes::OK,
        data,
    }))
}

/// Adds `errmsg` (a copy of `error`) to the JSON error answers of this endpoint; every other
/// answer passes untouched.
async fn with_errmsg(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY_BYTES).await else {
        return ApiError::Transport(status).into_response();
    };
    let rewritten = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|mut v| {
            let error = v.get("error")?.clone();
            v.as_object_mut()?.insert("errmsg".to_owned(), error);
            serde_json::to_vec(&v).ok()
        });
    match rewritten {
        Some(body) => {
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(body))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}
