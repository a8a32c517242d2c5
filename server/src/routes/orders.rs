//! Settlement and orders (`/v1/orders/{username}...`, docs/api.md "Orders and payment").
//!
//! - `GET .../advance`: what an order would be (addresses, lines, freight, amounts).
//! - `POST`: creates the order ([`crate::db::orders::create`]: one transaction, optimistic
//!   stock, the lines leave the cart), idempotent under an `Idempotency-Key` header, and
//!   queues its payment time-out ([`crate::jobs::orders`]).
//! - `GET ?type=0..4`: the shopper's orders by status; `GET ?type=5&order_id=`: pay an
//!   unpaid order again; `GET .../{order_id}`: one order.
//! - `PUT`: confirms receipt (3 → 4); `POST .../{order_id}/cancel`: cancels while unpaid.
//!
//! Ownership: the path user must be the caller (403 / 10101); another user's order id is
//! answered like an unknown one (404 / 50106). `pay_url` is the signed Alipay page-pay URL
//! of an unpaid order ([`crate::routes::payments::pay_url`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::MessageResponse;
use dadashop_types::codes;
use dadashop_types::goods::Paginator;
use dadashop_types::money::format_fen;
use dadashop_types::orders::{
    BuyAgainResponse, CartItem, CreateOrderRequest, CreatedOrder, CreatedOrderResponse,
    IDEMPOTENCY_KEY_MAX_CHARS, MAX_LINE_COUNT, ORDERS_PAGE_SIZE, OrderAddress, OrderDetailResponse,
    OrderIdRequest, OrderLine, OrderList, OrderListQuery, OrderListResponse, OrderPayment,
    OrderStep, OrderSummary, SELLER, STATUS_DONE, STATUS_PAID, STATUS_SHIPPED, STATUS_UNPAID,
    Settlement, SettlementAddress, SettlementQuery, SettlementResponse, status_name,
};
use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::orders::{
    self as repo, Cancelled, Canceller, NewOrder, OrderError, OrderRow, Source,
};
use crate::db::{self, addresses, carts};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value, whole_number};
use crate::routes::carts::{count_value, items};
use crate::state::AppState;

/// The order endpoints.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{username}", get(list).post(create).put(confirm))
        .route("/orders/{username}/advance", get(advance))
        .route("/orders/{username}/{order_id}", get(detail))
        .route("/orders/{username}/{order_id}/cancel", post(cancel))
        .route("/orders/{username}/{order_id}/buy-again", post(buy_again))
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::BadAddress => {
                ApiError::bad_request(codes::ORDER_BAD_ADDRESS, "收货地址无效，请重新选择")
            }
            OrderError::Nothing => nothing_to_settle(),
            OrderError::StockShort { name, .. } => ApiError::Conflict {
                code: codes::ORDER_STOCK_SHORT,
                message: format!("{name} 库存不足"),
            },
            OrderError::Conflict => ApiError::Conflict {
                code: codes::ORDER_CONCURRENT_UPDATE,
                message: "下单的人太多了，请稍后再试".into(),
            },
            OrderError::TooFast => ApiError::TooManyRequests {
                code: codes::TOO_MANY_REQUESTS,
                message: "下单太频繁，请稍后再试".into(),
                retry_after: 1,
            },
            OrderError::KeyMismatch => ApiError::Unprocessable {
                code: codes::ORDER_IDEMPOTENCY_MISMATCH,
                message: "Idempotency-Key 已用于另一个下单请求".into(),
            },
            OrderError::Db(e) => e.into(),
        }
    }
}

fn nothing_to_settle() -> ApiError {
    ApiError::bad_request(codes::ORDER_NOTHING_TO_SETTLE, "没有可结算的商品")
}

fn order_not_found() -> ApiError {
    ApiError::not_found(codes::ORDER_NOT_FOUND, "订单不存在")
}

fn wrong_status(message: &str) -> ApiError {
    ApiError::Conflict {
        code: codes::ORDER_WRONG_STATUS,
        message: message.to_owned(),
    }
}

/// Why a status change of `order_id` changed nothing: 404 / 50106 when the shopper has no
/// such order (unknown, or another user's), else 409 / 50107 with `message`.
async fn refusal(state: &AppState, user_id: i64, order_id: &str, message: &str) -> ApiError {
    match repo::get(&state.db, user_id, order_id).await {
        Ok(Some(_)) => wrong_status(message),
        Ok(None) => order_not_found(),
        Err(e) => e.into(),
    }
}

/// An order id as the shop makes them: 25 digits. Anything else is an unknown order.
fn order_id_text(raw: &str) -> ApiResult<String> {
    let id = raw.trim();
    if id.len() == 25 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_owned())
    } else {
        Err(order_not_found())
    }
}

/// What to settle: `settlement_type` 0 (cart) or 1 (buy now, with SKU and count).
pub(crate) fn source(
    settlement_type: Option<&Value>,
    sku: Option<&Value>,
    count: Option<&Value>,
) -> ApiResult<Source> {
    match settlement_type.and_then(whole_number) {
        Some(0) | None => Ok(Source::Cart),
        Some(1) => {
            let sku_id = sku.and_then(id_value).ok_or_else(nothing_to_settle)?;
            let count = count.and_then(count_value).ok_or_else(|| {
                ApiError::bad_request(
                    codes::ORDER_NOTHING_TO_SETTLE,
                    format!("购买数量须为1到{MAX_LINE_COUNT}的整数"),
                )
            })?;
            Ok(Source::BuyNow { sku_id, count })
        }
        Some(_) => Err(ApiError::bad_params("settlement_type 须为 0 或 1")),
    }
}

/// What the order of `source` would be for `user_id`: the shopper's addresses (default
/// first), the lines (the selected cart lines, or the buy-now SKU, each with its current
/// `stock`), units, goods total, freight and the amount to pay. The lines may be empty.
pub(crate) async fn settle(
    state: &AppState,
    user_id: i64,
    source: Source,
) -> ApiResult<Settlement> {
    let rows = match source {
        Source::Cart => carts::selected_lines(&state.db, user_id).await?,
        Source::BuyNow { sku_id, count } => repo::buy_now_line(&state.db, sku_id, count)
            .await?
            .into_iter()
            .collect(),
    };
    let goods: i64 = rows.iter().map(|r| r.price * r.count).sum();
    let total_count: i64 = rows.iter().map(|r| r.count).sum();
    let transit = if rows.is_empty() {
        0
    } else {
        repo::freight(
            goods,
            state.settings.order_freight_fen,
            state.settings.order_free_freight_from_fen,
        )
    };
    let sku_list = items(state, rows)
        .await?
        .into_iter()
        .map(OrderLine::from)
        .collect();
    let addresses = addresses::list(&state.db, user_id)
        .await?
        .into_iter()
        .map(|a| SettlementAddress {
            address: a.full_address(),
            id: a.id,
            name: a.receiver,
            mobile: a.receiver_mobile,
            title: a.tag,
            is_default: a.is_default == 1,
        })
        .collect();
    Ok(Settlement {
        addresses,
        sku_list,
        total_count,
        total_amount: format_fen(goods),
        transit: format_fen(transit),
        payment_amount: format_fen(goods + transit),
    })
}

/// The settlement source of a query's `settlement_type`, `sku_id` and `buy_num`.
pub(crate) fn query_source(
    settlement_type: Option<&String>,
    sku_id: Option<&String>,
    buy_num: Option<&String>,
) -> ApiResult<Source> {
    let text = |v: Option<&String>| v.map(|s| Value::String(s.clone()));
    source(
        text(settlement_type).as_ref(),
        text(sku_id).as_ref(),
        text(buy_num).as_ref(),
    )
}

/// What the order would be ([`settle`]). Each line carries its current `stock`; an order
/// past it is refused at creation. Errors: 50101 nothing to settle (no selected line;
/// unknown, unlaunched or badly counted buy-now SKU), 10123 bad `settlement_type`.
#[utoipa::path(get, path = "/v1/orders/{username}/advance", tag = "orders", security(("token" = [])), params(("username" = String, Path), SettlementQuery),
    responses((status = 200, body = SettlementResponse), (status = 400, description = "Nothing to settle (50101) or bad settlement_type (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody)))]
async fn advance(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    query: Result<Query<SettlementQuery>, QueryRejection>,
) -> ApiResult<Json<SettlementResponse>> {
    auth.ensure_is(&username)?;
    let Query(q) = query.map_err(|_| ApiError::bad_params("查询参数错误"))?;
    let source = query_source(
        q.settlement_type.as_ref(),
        q.sku_id.as_ref(),
        q.buy_num.as_ref(),
    )?;
    let data = settle(&state, auth.user.id, source).await?;
    if data.sku_list.is_empty() {
        return Err(nothing_to_settle());
    }
    Ok(Json(SettlementResponse {
        code: codes::OK,
        data,
        base_url: state.settings.media_base_url(),
    }))
}

/// The `Idempotency-Key` header: 1 to 64 visible ASCII characters, else 10123.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| {
            !k.is_empty()
                && k.len() <= IDEMPOTENCY_KEY_MAX_CHARS
                && k.bytes().all(|b| b.is_ascii_graphic())
        })
        .ok_or_else(|| ApiError::bad_params("Idempotency-Key 须为1到64个可见字符"))?;
    Ok(Some(key.to_owned()))
}

/// What creating `order` answers (also paying it again): its amount, the pay URL while it
/// is unpaid and the seconds left to pay.
fn created(state: &AppState, order: &OrderRow, now: i64) -> CreatedOrder {
    CreatedOrder {
        saller: SELLER.to_owned(),
        total_amount: format_fen(order.total_amount),
        order_id: order.order_id.clone(),
        pay_url: crate::routes::payments::pay_url(state, order, now),
        carts_count: u32::try_from(order.carts_count).unwrap_or(0),
        pay_remaining_secs: if order.status == STATUS_UNPAID {
            (order.pay_deadline - now).max(0)
        } else {
            0
        },
    }
}

/// Creates an unpaid order from the selected cart lines (`settlement_type` 0, the lines
/// leave the cart) or one SKU (`settlement_type` 1 with `sku_id` and `buy_count`), delivered
/// to the shopper's address `address_id`, with stock taken at once. It is cancelled and the
/// stock returned unless paid within `ORDER_PAY_TIMEOUT_SECS` (default 1 800 s).
///
/// `pay_url` opens Alipay's cashier for the order (a signed `alipay.trade.page.pay` GET
/// URL whose `timeout_express` ends with the order's deadline); it is empty only when online
/// payment is off (development without `ALIPAY_APP_ID`).
///
/// **Idempotency:** with an `Idempotency-Key` header (1-64 visible ASCII characters; the SPA
/// sends one per confirmation page), a repeat of the same request by the same shopper
/// creates nothing and answers the order made the first time; the same key with a different
/// request gets 422 / 50108.
///
/// Errors: 400 / 50102 bad address; 400 / 50101 nothing to order; 409 / 50103 a SKU short
/// of stock (named in the message); 409 / 50104 lost to concurrent orders after retries
/// (try again); 429 more than 100 orders in one second.
#[utoipa::path(post, path = "/v1/orders/{username}", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: one order per key")), request_body = CreateOrderRequest,
    responses((status = 200, description = "The order, unpaid, with its pay URL", body = CreatedOrderResponse), (status = 400, description = "Bad address (50102), nothing to order (50101), bad parameters (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 409, description = "Stock short (50103) or concurrent update lost (50104)", body = dadashop_types::ErrorBody), (status = 422, description = "Idempotency-Key reused with another request (50108)", body = dadashop_types::ErrorBody), (status = 503, description = "Database unavailable", body = dadashop_types::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    headers: HeaderMap,
    LenientJson(req): LenientJson<CreateOrderRequest>,
) -> ApiResult<Json<CreatedOrderResponse>> {
    auth.ensure_is(&username)?;
    let key = idempotency_key(&headers)?;
    let source = source(
        req.settlement_type.as_ref(),
        req.sku_id.as_ref(),
        req.buy_count.as_ref(),
    )?;
    let data = place(&state, auth.user.id, key, req.address_id.as_ref(), source).await?;
    Ok(Json(CreatedOrderResponse {
        code: codes::OK,
        data,
    }))
}

/// Creates the order of `source` for `user_id`, delivered to `address_id` (see [`create`]);
/// `key` is the request's `Idempotency-Key`.
pub(crate) async fn place(
    state: &AppState,
    user_id: i64,
    key: Option<String>,
    address_id: Option<&Value>,
    source: Source,
) -> ApiResult<CreatedOrder> {
    let address_id = address_id
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_request(codes::ORDER_BAD_ADDRESS, "请选择收货地址"))?;
    let idempotency = key.map(|k| {
        use sha2::Digest as _;
        let canonical = match source {
            Source::Cart => format!("{address_id}|cart"),
            Source::BuyNow { sku_id, count } => format!("{address_id}|buy|{sku_id}|{count}"),
        };
        (k, hex::encode(sha2::Sha256::digest(canonical.as_bytes())))
    });
    let now = db::now_secs();
    let new = NewOrder {
        user_id,
        address_id,
        source,
        idempotency,
        freight_fen: state.settings.order_freight_fen,
        free_freight_from_fen: state.settings.order_free_freight_from_fen,
        pay_timeout_secs: i64::try_from(state.settings.order_pay_timeout_secs).unwrap_or(1800),
        now,
    };
    let placed = repo::create(&state.db, &new).await?;
    if placed.fresh {
        tracing::info!(user_id, order_id = placed.order.order_id, "order created");
        if let Err(e) = state
            .jobs
            .schedule_order_timeout(&placed.order.order_id, placed.order.pay_deadline)
            .await
        {
            // The order stands; the sweep cancels it in time if it stays unpaid.
            tracing::warn!(order_id = placed.order.order_id, error = %e, "order time-out not queued; the sweep will catch it");
        }
        crate::catalog::availability_changed(&state.kv, &placed.sold_out).await;
    }
    Ok(created(state, &placed.order, db::now_secs()))
}

/// What a paid (or shipped, or completed) order answers when asked to be paid again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WhenPaid {
    /// 409 / 50107, as `GET /v1/orders/<username>?type=5` answers it.
    Refuse,
    /// The order with an empty `pay_url`, as the original's `status=1` answered it (its
    /// payment result page asks this way).
    Answer,
}

/// The payment of the shopper's order `raw_id` again: a fresh pay URL while it is unpaid.
/// Errors: 404 / 50106 unknown (or another user's) order; 409 / 50107 cancelled, past its
/// deadline, or paid when `when_paid` is [`WhenPaid::Refuse`].
pub(crate) async fn repay(
    state: &AppState,
    user_id: i64,
    raw_id: &str,
    when_paid: WhenPaid,
) -> ApiResult<CreatedOrder> {
    let order_id = order_id_text(raw_id)?;
    let order = repo::get(&state.db, user_id, &order_id)
        .await?
        .ok_or_else(order_not_found)?;
    let now = db::now_secs();
    let payable = order.status == STATUS_UNPAID && order.pay_deadline > now;
    let paid = matches!(order.status, STATUS_PAID | STATUS_SHIPPED | STATUS_DONE);
    if payable || (paid && when_paid == WhenPaid::Answer) {
        Ok(created(state, &order, now))
    } else {
        Err(wrong_status("订单已不是待付款状态"))
    }
}

/// Summaries of `orders` with their lines.
async fn summaries(state: &AppState, orders: Vec<OrderRow>) -> ApiResult<Vec<OrderSummary>> {
    let ids: Vec<String> = orders.iter().map(|o| o.order_id.clone()).collect();
    let mut lines = repo::lines(&state.db, &ids).await?;
    let now = db::now_secs();
    Ok(orders
        .into_iter()
        .map(|o| {
            let order_sku = lines
                .remove(&o.order_id)
                .unwrap_or_default()
                .into_iter()
                .map(|l| {
                    let (names, values) = l.attrs().into_iter().unzip();
                    OrderLine::from(CartItem {
                        id: l.sku_id,
                        name: l.name,
                        count: l.count,
                        selected: true,
                        default_image_url: l.default_image_url,
                        price: format_fen(l.price),
                        sku_sale_attr_name: names,
                        sku_sale_attr_val: values,
                        stock: 0,
                    })
                })
                .collect();
            OrderSummary {
                order_total_count: o.total_count,
                order_total_amount: format_fen(o.total_amount),
                order_freight: format_fen(o.freight),
                address: OrderAddress {
                    title: o.tag,
                    address: o.address,
                    mobile: o.receiver_mobile,
                    receiver: o.receiver,
                },
                status: o.status,
                status_name: status_name(o.status).to_owned(),
                order_sku,
                order_time: repo::china_time(o.created_at, "%Y-%m-%d %H:%M:%S"),
                pay_remaining_secs: if o.status == STATUS_UNPAID {
                    (o.pay_deadline - now).max(0)
                } else {
                    0
                },
                carrier: o.carrier.filter(|c| !c.is_empty()),
                tracking_no: o.tracking_no.filter(|t| !t.is_empty()),
                order_id: o.order_id,
            }
        })
        .collect())
}

/// The shopper's orders, newest first: `type` 0 (or absent) all, 1-4 one status, 5 cancelled
/// ones are listed under 0 only; `page` from 1, 5 a page (40200 for a bad page number or one
/// past the end). With `type=5&order_id=` it answers an unpaid order as its creation did
/// (to pay it again; 404 / 50106 unknown, 409 / 50107 not unpaid).
#[utoipa::path(get, path = "/v1/orders/{username}", tag = "orders", security(("token" = [])), params(("username" = String, Path), OrderListQuery),
    responses((status = 200, description = "OrderListResponse, or CreatedOrderResponse for type=5", body = OrderListResponse), (status = 400, description = "Bad type (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "type=5: unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "type=5: the order is not unpaid (50107)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    query: Result<Query<OrderListQuery>, QueryRejection>,
) -> ApiResult<Response> {
    auth.ensure_is(&username)?;
    let Query(q) = query.map_err(|_| ApiError::bad_params("查询参数错误"))?;
    if q.kind.as_deref().map(str::trim) == Some("5") {
        let data = repay(
            &state,
            auth.user.id,
            q.order_id.as_deref().unwrap_or(""),
            WhenPaid::Refuse,
        )
        .await?;
        return Ok(Json(CreatedOrderResponse {
            code: codes::OK,
            data,
        })
        .into_response());
    }
    let data = order_list(
        &state,
        auth.user.id,
        ("type", q.kind.as_deref()),
        q.page.as_deref(),
        ORDERS_PAGE_SIZE,
    )
    .await?;
    Ok(Json(OrderListResponse {
        code: codes::OK,
        data,
        base_url: state.settings.media_base_url(),
    })
    .into_response())
}

/// A page of the shopper's orders, newest first. `status` is the parameter's name and its
/// text: absent, empty or 0 for all orders (cancelled ones too), else a status 1-4 (10123
/// otherwise); `page` counts from 1, `page_size` orders a page (40200 for a bad page or one
/// past the end).
pub(crate) async fn order_list(
    state: &AppState,
    user_id: i64,
    (name, status): (&str, Option<&str>),
    page: Option<&str>,
    page_size: u32,
) -> ApiResult<OrderList> {
    let status = match status.map(str::trim) {
        None | Some("") => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|k| (0..=4).contains(k))
            .ok_or_else(|| ApiError::bad_params(format!("{name} 须为 0 到 4")))?,
    };
    let page = match page.map(str::trim) {
        None | Some("") => 1,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| ApiError::bad_request(codes::BAD_PAGE, "页码错误"))?,
    };
    let status = (status > 0).then_some(status);
    let (total, rows) = repo::list(&state.db, user_id, status, page, page_size).await?;
    if rows.is_empty() && page > 1 {
        return Err(ApiError::bad_request(codes::BAD_PAGE, "页码错误"));
    }
    Ok(OrderList {
        orders_list: summaries(state, rows).await?,
        paginator: Paginator {
            pagesize: page_size,
            total: u64::try_from(total).unwrap_or(0),
        },
    })
}

async fn detail_answer(
    state: &AppState,
    user_id: i64,
    order_id: &str,
) -> ApiResult<Json<OrderDetailResponse>> {
    let order = repo::get(&state.db, user_id, order_id)
        .await?
        .ok_or_else(order_not_found)?;
    let data = summaries(state, vec![order])
        .await?
        .pop()
        .ok_or_else(order_not_found)?;
    let record = db::console::payment(&state.db, order_id).await?;
    let full = db::console::order(&state.db, order_id).await?;
    let mut timeline: Vec<OrderStep> = match &full {
        Some(full) => crate::routes::admin::orders::events(full, record.as_ref())
            .into_iter()
            .map(|e| OrderStep {
                time: repo::china_time(e.at, "%Y-%m-%d %H:%M:%S"),
                what: e.what,
                at: e.at,
                note: e.note,
            })
            .collect(),
        None => Vec::new(),
    };
    let (after_sale, steps) = crate::routes::after_sales::after_sale_of(
        state,
        user_id,
        order_id,
        data.status,
        full.as_ref().and_then(|f| f.received_at),
    )
    .await?;
    timeline.extend(steps);
    timeline.sort_by_key(|s| s.at);
    let payment = record.map(|p| OrderPayment {
        trade_no: p.trade_no,
        amount: format_fen(p.amount),
        paid_time: repo::china_time(p.paid_at, "%Y-%m-%d %H:%M:%S"),
        refunded: p
            .refunded_at
            .map(|_| format_fen(p.refund_amount.unwrap_or(p.amount))),
    });
    Ok(Json(OrderDetailResponse {
        code: codes::OK,
        data,
        base_url: state.settings.media_base_url(),
        timeline,
        payment,
        after_sale,
    }))
}

/// One order of the shopper (404 / 50106 when unknown or another user's).
#[utoipa::path(get, path = "/v1/orders/{username}/{order_id}", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)),
    responses((status = 200, body = OrderDetailResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
) -> ApiResult<Json<OrderDetailResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_text(&order_id)?;
    detail_answer(&state, auth.user.id, &order_id).await
}

/// Cancels the shopper's unpaid order and returns its stock; answers the order. Errors:
/// 404 / 50106 unknown order, 409 / 50107 not unpaid (paid, or already cancelled, also by
/// its time-out a moment earlier).
#[utoipa::path(post, path = "/v1/orders/{username}/{order_id}/cancel", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)),
    responses((status = 200, body = OrderDetailResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Not unpaid (50107)", body = dadashop_types::ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
) -> ApiResult<Json<OrderDetailResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_text(&order_id)?;
    let by = Canceller::Shopper {
        user_id: auth.user.id,
    };
    // With online payment on, the order's Alipay trade is closed in the background
    // (`alipay.trade.close`, crate::jobs::orders), so that its old pay URL can no longer pay.
    // (Said here rather than in the doc comment, which is the OpenAPI description.)
    let close_trade = state.alipay.is_some();
    match repo::cancel(&state.db, &order_id, by, close_trade, db::now_secs()).await? {
        Cancelled::Done { restocked } => {
            tracing::info!(
                user_id = auth.user.id,
                order_id,
                "order cancelled by the shopper"
            );
            if close_trade {
                crate::jobs::orders::queue_trade_close(Some(&state.jobs), &order_id).await;
            }
            crate::catalog::availability_changed(&state.kv, &restocked).await;
        }
        Cancelled::NotApplicable => {
            return Err(refusal(&state, auth.user.id, &order_id, "只能取消待付款的订单").await);
        }
    }
    detail_answer(&state, auth.user.id, &order_id).await
}

/// Confirms receipt of a shipped order (status 3 → 4). Errors: 10123 missing `order_id`,
/// 404 / 50106 unknown order, 409 / 50107 not shipped.
#[utoipa::path(put, path = "/v1/orders/{username}", tag = "orders", security(("token" = [])), params(("username" = String, Path)), request_body = OrderIdRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Missing order_id (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Not shipped (50107)", body = dadashop_types::ErrorBody)))]
async fn confirm(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<OrderIdRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.ensure_is(&username)?;
    confirm_receipt(&state, auth.user.id, req.order_id.as_ref()).await?;
    Ok(Json(MessageResponse::ok()))
}

/// Confirms receipt of the shopper's shipped order `order_id` (a string or a number; 3 → 4).
/// Errors: 10123 missing `order_id`, 404 / 50106 unknown order, 409 / 50107 not shipped.
pub(crate) async fn confirm_receipt(
    state: &AppState,
    user_id: i64,
    order_id: Option<&Value>,
) -> ApiResult<()> {
    let raw = match order_id {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(ApiError::bad_params("缺少参数 order_id")),
    };
    let order_id = order_id_text(&raw)?;
    if !repo::confirm_receipt(&state.db, user_id, &order_id, db::now_secs()).await? {
        return Err(refusal(state, user_id, &order_id, "只能确认已发货的订单").await);
    }
    tracing::info!(user_id, order_id, "receipt confirmed");
    Ok(())
}

/// 再次购买: puts the lines of one of the shopper's orders back into the cart, each with the
/// units ordered (a line already in the cart keeps the larger count), capped by the stock now
/// and the cart's limits; SKUs off sale or sold out are left out and named. Any status.
#[utoipa::path(post, path = "/v1/orders/{username}/{order_id}/buy-again", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)),
    responses((status = 200, body = BuyAgainResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody)))]
async fn buy_again(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
) -> ApiResult<Json<BuyAgainResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_text(&order_id)?;
    repo::get(&state.db, auth.user.id, &order_id)
        .await?
        .ok_or_else(order_not_found)?;
    let ordered = db::orders::lines(&state.db, std::slice::from_ref(&order_id))
        .await?
        .remove(&order_id)
        .unwrap_or_default();
    let pairs: Vec<(i64, i64)> = ordered.iter().map(|l| (l.sku_id, l.count)).collect();
    carts::merge(&state.db, auth.user.id, &pairs).await?;
    let rows = carts::lines(&state.db, auth.user.id).await?;
    let in_cart: std::collections::HashMap<i64, i64> =
        rows.iter().map(|r| (r.sku_id, r.count)).collect();
    let mut unavailable = Vec::new();
    let mut fewer = Vec::new();
    for line in &ordered {
        match in_cart.get(&line.sku_id) {
            None => unavailable.push(line.name.clone()),
            Some(&n) if n < line.count => fewer.push(line.name.clone()),
            Some(_) => {}
        }
    }
    let data = items(&state, rows).await?;
    Ok(Json(BuyAgainResponse {
        code: codes::OK,
        carts_count: u32::try_from(data.len()).unwrap_or(u32::MAX),
        data,
        base_url: state.settings.media_base_url(),
        unavailable,
        fewer,
    }))
}
