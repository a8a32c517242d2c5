//! Carts, settlement and orders (`/v1/carts/...`, `/v1/orders/...`, docs/api.md "Carts" and
//! "Orders and payment"). Money travels as yuan strings with two decimals
//! ([`crate::money::format_fen`]); counts are whole units.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most lines a cart holds (distinct SKUs). Chosen by this shop.
pub const MAX_CART_LINES: usize = 100;
/// Most units of one SKU in one cart line or one buy-now order. Chosen by this shop.
pub const MAX_LINE_COUNT: i64 = 999;
/// Name of the seller in order answers (`saller`, the original's spelling).
pub const SELLER: &str = "达达商城";
/// Most characters of an `Idempotency-Key` header value.
pub const IDEMPOTENCY_KEY_MAX_CHARS: usize = 64;

/// Order status 1: created, waiting for payment (待付款).
pub const STATUS_UNPAID: i64 = 1;
/// Order status 2: paid, waiting to be shipped (待发货).
pub const STATUS_PAID: i64 = 2;
/// Order status 3: shipped, waiting for the shopper to confirm receipt (待收货).
pub const STATUS_SHIPPED: i64 = 3;
/// Order status 4: receipt confirmed (订单完成).
pub const STATUS_DONE: i64 = 4;
/// Order status 5: cancelled while unpaid, by the shopper or by the payment time-out; its
/// stock went back (已取消). The original named this state without a number; 5 is this
/// shop's choice.
pub const STATUS_CANCELLED: i64 = 5;
/// Order status 6: a payment arrived after the order was cancelled (its stock already went
/// back); the money must go back to the shopper (退款中). An operator lists these with
/// `dadashop orders refunds`. This shop's choice, like 5.
pub const STATUS_REFUND_DUE: i64 = 6;
/// Order status 7: the refund of a status-6 order was made (已退款).
pub const STATUS_REFUNDED: i64 = 7;

/// The shopper-facing name of an order status.
pub fn status_name(status: i64) -> &'static str {
    match status {
        STATUS_UNPAID => "待付款",
        STATUS_PAID => "待发货",
        STATUS_SHIPPED => "待收货",
        STATUS_DONE => "订单完成",
        STATUS_CANCELLED => "已取消",
        STATUS_REFUND_DUE => "已取消，退款中",
        STATUS_REFUNDED => "已取消，已退款",
        _ => "未知",
    }
}

/// A cart line, also the item shape of the offline cart kept in localStorage `cart`, of
/// settlement lines and of order lines (where `selected` is always true).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartItem {
    /// The SKU id.
    pub id: i64,
    pub name: String,
    /// Units, 1 to [`MAX_LINE_COUNT`].
    pub count: i64,
    /// Whether the line goes into the next order.
    pub selected: bool,
    /// Picture, relative to the answer's `base_url`.
    pub default_image_url: String,
    /// Unit price, yuan with two decimals.
    pub price: String,
    /// Sale attribute names of the SKU, e.g. `["颜色", "尺寸"]`.
    #[serde(default)]
    pub sku_sale_attr_name: Vec<String>,
    /// The SKU's value of each attribute, parallel to `sku_sale_attr_name`.
    #[serde(default)]
    pub sku_sale_attr_val: Vec<String>,
    /// Units in stock now (an addition: the cart page caps its + button with it).
    #[serde(default)]
    pub stock: i64,
}

/// Answer of every cart operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CartResponse {
    pub code: u32,
    /// The whole cart, oldest line first. Lines of SKUs that are no longer launched are
    /// left out (and not counted).
    pub data: Vec<CartItem>,
    /// Number of lines (distinct SKUs) in the cart, as the header shows it.
    pub carts_count: u32,
    /// Prefix of the pictures: `<public API origin>/media/`.
    pub base_url: String,
}

/// `POST /v1/orders/<username>/<order_id>/buy-again` answer (再次购买, an addition): the cart
/// after the order's lines went back into it, and the lines that could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuyAgainResponse {
    pub code: u32,
    pub data: Vec<CartItem>,
    pub carts_count: u32,
    pub base_url: String,
    /// Names of the order's lines not in the cart now: off sale, sold out, or the cart full.
    pub unavailable: Vec<String>,
    /// Names of the lines put back with fewer units than ordered (the stock now).
    pub fewer: Vec<String>,
}

/// `POST /v1/carts/<username>`: add `count` units of `sku_id` (added to an existing line).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddToCartRequest {
    /// SKU id, a number or a numeric string.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
    /// Units to add, 1 to [`MAX_LINE_COUNT`], a number or a numeric string.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub count: Option<Value>,
}

/// `PUT /v1/carts/<username>`: `state` is `add` (+1), `del` (−1, never below 1), `select`,
/// `unselect` (these four with `sku_id`), `selectall` or `unselectall`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateCartRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
    #[serde(default)]
    pub state: Option<String>,
}

/// `DELETE /v1/carts/<username>`: remove the line of `sku_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemoveFromCartRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
}

/// An address as settlement lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementAddress {
    pub id: i64,
    /// The receiver.
    pub name: String,
    /// The receiver's mobile number.
    pub mobile: String,
    /// The address's tag (家, 公司 ...).
    pub title: String,
    pub address: String,
    /// Whether it is the shopper's default address (an addition; listed first).
    pub is_default: bool,
}

/// A settlement or order line: the cart-item shape, plus the original shop's own names of
/// the sale attributes and the line total, as its `OrderProcessingnView` answered them in
/// `sku_list` and `order_sku` (its jQuery pages read `sku_sale_attr_names`,
/// `sku_sale_attr_vals` and `total_amount`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    #[serde(flatten)]
    pub item: CartItem,
    /// The same list as `sku_sale_attr_name`, under the original's order-page name.
    #[serde(default)]
    pub sku_sale_attr_names: Vec<String>,
    /// The same list as `sku_sale_attr_val`, under the original's order-page name.
    #[serde(default)]
    pub sku_sale_attr_vals: Vec<String>,
    /// Unit price × units, yuan with two decimals.
    #[serde(default)]
    pub total_amount: String,
}

impl From<CartItem> for OrderLine {
    /// The line of `item`; its total is the unit price (yuan, two decimals) times its units.
    fn from(item: CartItem) -> Self {
        let unit_fen = crate::money::parse_yuan(&item.price).unwrap_or(0);
        Self {
            sku_sale_attr_names: item.sku_sale_attr_name.clone(),
            sku_sale_attr_vals: item.sku_sale_attr_val.clone(),
            total_amount: crate::money::format_fen(unit_fen.saturating_mul(item.count)),
            item,
        }
    }
}

/// The `data` of a settlement answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settlement {
    pub addresses: Vec<SettlementAddress>,
    /// The lines to order: the selected cart lines, or the one buy-now line.
    pub sku_list: Vec<OrderLine>,
    /// Units in all.
    pub total_count: i64,
    /// Goods total, yuan with two decimals.
    pub total_amount: String,
    /// Freight, yuan with two decimals.
    pub transit: String,
    /// Goods total plus freight, yuan with two decimals.
    pub payment_amount: String,
}

/// `GET /v1/orders/<username>/advance` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettlementResponse {
    pub code: u32,
    pub data: Settlement,
    pub base_url: String,
}

/// Query of `GET /v1/orders/<username>/advance`: `settlement_type` 0 (the cart's selected
/// lines) or 1 (buy now: `sku_id` and `buy_num`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct SettlementQuery {
    #[serde(default)]
    pub settlement_type: Option<String>,
    #[serde(default)]
    pub sku_id: Option<String>,
    #[serde(default)]
    pub buy_num: Option<String>,
}

/// `POST /v1/orders/<username>`: create an order. Send an `Idempotency-Key` header (at most
/// [`IDEMPOTENCY_KEY_MAX_CHARS`] characters) to make retries safe.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrderRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub address_id: Option<Value>,
    /// 0 (the cart's selected lines) or 1 (buy now).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub settlement_type: Option<Value>,
    /// Buy now: the SKU.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
    /// Buy now: the units.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub buy_count: Option<Value>,
}

/// The `data` of an order-creation answer (also of a re-pay request, `type=5`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedOrder {
    /// The seller's name ([`SELLER`]; the original's spelling).
    pub saller: String,
    /// The amount to pay (goods and freight), yuan with two decimals.
    pub total_amount: String,
    pub order_id: String,
    /// The payment page; empty until payment is built (the payment issue).
    pub pay_url: String,
    /// Lines left in the cart.
    pub carts_count: u32,
    /// Seconds left to pay before the order is cancelled (an addition).
    pub pay_remaining_secs: i64,
}

/// `POST /v1/orders/<username>` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedOrderResponse {
    pub code: u32,
    pub data: CreatedOrder,
}

/// What the payment result page shows of a paid order (`GET /v1/orders/result/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentResult {
    /// The order id (Alipay's `out_trade_no`).
    pub order_id: String,
    /// What was paid, yuan with two decimals.
    pub total_amount: String,
}

/// `GET /v1/orders/result/` answer for a paid order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentResultResponse {
    pub code: u32,
    pub data: PaymentResult,
}

/// The delivery address copied into an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderAddress {
    pub title: String,
    pub address: String,
    pub mobile: String,
    pub receiver: String,
}

/// An order as the order list and the order detail show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderSummary {
    pub order_id: String,
    /// Units in all.
    pub order_total_count: i64,
    /// The amount to pay (goods and freight), yuan with two decimals.
    pub order_total_amount: String,
    /// Freight, yuan with two decimals.
    pub order_freight: String,
    pub address: OrderAddress,
    /// 1 unpaid, 2 paid, 3 shipped, 4 done, 5 cancelled.
    pub status: i64,
    /// The status's name (待付款 ...), an addition.
    pub status_name: String,
    /// The lines as ordered (name, price and attributes at order time).
    pub order_sku: Vec<OrderLine>,
    /// When it was ordered, `YYYY-mm-dd HH:MM:SS` in China Standard Time (UTC+8).
    pub order_time: String,
    /// For an unpaid order, the seconds left to pay before it is cancelled (else 0).
    pub pay_remaining_secs: i64,
    /// Once shipped: the carrier and the tracking number (additions; absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_no: Option<String>,
}

/// The `data` of the order list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList {
    /// Newest first.
    pub orders_list: Vec<OrderSummary>,
    /// Page size and number of orders of this status.
    pub paginator: crate::goods::Paginator,
}

/// `GET /v1/orders/<username>?type=0..4` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderListResponse {
    pub code: u32,
    pub data: OrderList,
    pub base_url: String,
}

/// `GET /v1/orders/<username>/<order_id>` answer (an addition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderDetailResponse {
    pub code: u32,
    pub data: OrderSummary,
    pub base_url: String,
    /// What happened to the order, oldest first: 下单, 付款, 发货 (carrier and tracking
    /// number), 收货, 取消 (and why), 退款 (an addition).
    #[serde(default)]
    pub timeline: Vec<OrderStep>,
    /// The payment, once paid (an addition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<OrderPayment>,
    /// Reviews and returns (an addition).
    #[serde(default)]
    pub after_sale: crate::after_sales::AfterSale,
}

/// A step of an order's timeline as the shopper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderStep {
    /// 下单, 付款, 发货, 收货, 取消 or 退款.
    pub what: String,
    /// Unix seconds.
    pub at: i64,
    /// `YYYY-mm-dd HH:MM:SS` in China Standard Time (UTC+8).
    pub time: String,
    /// The trade number and amount, the carrier and tracking number, a cancel's reason, a
    /// refund's amount; may be empty.
    pub note: String,
}

/// An order's payment as the shopper sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderPayment {
    /// The gateway's trade number (支付宝交易号).
    pub trade_no: String,
    /// Yuan with two decimals.
    pub amount: String,
    /// `YYYY-mm-dd HH:MM:SS` in China Standard Time.
    pub paid_time: String,
    /// Refunded amount once refunded, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<String>,
}

/// Query of `GET /v1/orders/<username>`: `type` 0 (all) or a status 1-4, `page` (from 1,
/// [`ORDERS_PAGE_SIZE`] a page); or `type=5` with `order_id` to pay an unpaid order again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct OrderListQuery {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
}

/// Orders a page of the order list.
pub const ORDERS_PAGE_SIZE: u32 = 5;

/// `PUT /v1/orders/<username>` (confirm receipt) body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderIdRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub order_id: Option<Value>,
}

/// Orders at most in one answer of the original's order list
/// (`GET /v1/orders/processing/?status=1`), newest first; `page` reaches older ones.
pub const LEGACY_ORDERS_PAGE_SIZE: u32 = 100;

/// Query of `GET /v1/orders/processing/`, the original shop's order endpoint: `status` 0
/// settles (`settlement_type` 0 the cart, 1 buy now with `sku_id` and `buy_num`), 1 lists
/// orders (`order_status` 0 all or a status 1-4, optional `page` of
/// [`LEGACY_ORDERS_PAGE_SIZE`]), 2 confirms receipt of `order_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ProcessingQuery {
    /// 0 settle, 1 list, 2 confirm receipt.
    #[serde(default)]
    pub status: Option<String>,
    /// `status=0`: 0 the cart's selected lines, 1 buy now.
    #[serde(default)]
    pub settlement_type: Option<String>,
    /// `status=0&settlement_type=1`: the SKU.
    #[serde(default)]
    pub sku_id: Option<String>,
    /// `status=0&settlement_type=1`: the units.
    #[serde(default)]
    pub buy_num: Option<String>,
    /// `status=1`: 0 all, else the order status 1-4.
    #[serde(default)]
    pub order_status: Option<String>,
    /// `status=1`: the page, from 1.
    #[serde(default)]
    pub page: Option<String>,
    /// `status=2`: the shipped order whose receipt is confirmed.
    #[serde(default)]
    pub order_id: Option<String>,
}

/// What `GET /v1/orders/processing/` answers, by its `status`: 0 a settlement, 1 an order
/// list, 2 `{"code": 200, "data": "OK"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum ProcessingAnswer {
    Settlement(SettlementResponse),
    Orders(OrderListResponse),
    Done(crate::MessageResponse),
}

/// Body of `POST /v1/orders/processing/`: `status` 0 creates an order (the fields of
/// [`CreateOrderRequest`]; buy now may give the units as `buy_num`, the original's name), 1
/// answers an order's payment again (`order_id`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProcessingRequest {
    /// 0 create, 1 pay again.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub status: Option<Value>,
    #[serde(flatten)]
    pub order: CreateOrderRequest,
    /// Buy now: the units, under the original's name (`buy_count` works too).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub buy_num: Option<Value>,
    /// `status=1`: the order.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub order_id: Option<Value>,
}
