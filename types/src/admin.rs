//! The operator console's wire contract (`/v1/admin/...`, issue 24): staff sessions, the
//! roles and their permissions, orders, refunds, shoppers, staff, the audit log and the
//! dashboard.
//!
//! Permissions are named `<resource>.<action>` (Django's auth names them
//! `<app>.<action>_<model>`): resources `orders`, `refunds`, `users`, `goods`, `staff`,
//! `audit`, `dashboard`; actions `view`, `add`, `change`, `delete`. They are granted through
//! the fixed roles of [`ROLES`] (Django's groups). Money is in yuan with two decimals
//! (`"199.00"`) unless a field ends in `_fen`; times are Unix seconds; days are China Standard
//! Time dates (`YYYY-MM-DD`).

use serde::{Deserialize, Serialize};

/// The `aud` claim of a staff token; shopper tokens carry none.
pub const STAFF_AUDIENCE: &str = "dadashop-console";

/// Every permission there is, `<resource>.<action>`.
pub const PERMISSIONS: &[&str] = &[
    "dashboard.view",
    "orders.view",
    "orders.change",
    "refunds.view",
    "refunds.change",
    "users.view",
    "users.change",
    "goods.view",
    "goods.add",
    "goods.change",
    "goods.delete",
    "staff.view",
    "staff.add",
    "staff.change",
    "audit.view",
];

/// A role (Django's group): a name, a Chinese label and the permissions it grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// The key stored with the account, e.g. `"orders"`.
    pub key: &'static str,
    /// The label the console shows, e.g. `"订单客服"`.
    pub label: &'static str,
    /// The permissions granted.
    pub permissions: &'static [&'static str],
}

/// The roles a staff account can have.
pub const ROLES: &[Role] = &[
    Role {
        key: "superuser",
        label: "超级管理员",
        permissions: PERMISSIONS,
    },
    Role {
        key: "catalog",
        label: "商品运营",
        permissions: &[
            "dashboard.view",
            "goods.view",
            "goods.add",
            "goods.change",
            "goods.delete",
            "orders.view",
        ],
    },
    Role {
        key: "orders",
        label: "订单客服",
        permissions: &[
            "dashboard.view",
            "orders.view",
            "orders.change",
            "refunds.view",
            "users.view",
            "goods.view",
        ],
    },
    Role {
        key: "finance",
        label: "财务",
        permissions: &[
            "dashboard.view",
            "orders.view",
            "refunds.view",
            "refunds.change",
            "users.view",
        ],
    },
    Role {
        key: "readonly",
        label: "只读",
        permissions: &[
            "dashboard.view",
            "orders.view",
            "refunds.view",
            "users.view",
            "goods.view",
            "audit.view",
        ],
    },
];

/// The role of `key`, if there is one.
pub fn role(key: &str) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.key == key)
}

/// Whether the role `key` grants `permission` (an unknown role grants nothing).
pub fn role_grants(key: &str, permission: &str) -> bool {
    role(key).is_some_and(|r| r.permissions.contains(&permission))
}

/// Longest carrier name, in characters.
pub const CARRIER_MAX_CHARS: usize = 32;
/// Longest tracking number, in characters.
pub const TRACKING_NO_MAX_CHARS: usize = 40;
/// Longest reason of a refund or a cancel, in characters.
pub const REASON_MAX_CHARS: usize = 200;
/// Rows per page of a console list, by default and at most.
pub const PAGE_SIZE_DEFAULT: u32 = 20;
/// The largest page size a console list accepts.
pub const PAGE_SIZE_MAX: u32 = 100;
/// Lists count their rows up to this many; past it the total reads "1000+".
pub const COUNT_CAP: i64 = 1_000;

/// Checks a tracking number: 6 to 40 letters, digits or `-`.
pub fn check_tracking_no(value: &str) -> Result<(), &'static str> {
    let n = value.chars().count();
    if !(6..=TRACKING_NO_MAX_CHARS).contains(&n) {
        return Err("运单号为6-40位字母、数字或-");
    }
    if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err("运单号只能包含字母、数字和-");
    }
    Ok(())
}

/// `POST /v1/admin/tokens`: a staff login (the same limits and captcha as a shopper's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffLoginRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    /// The captcha of `POST /v1/users/captcha`, when the login answered 10133.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha: Option<String>,
}

/// Who is logged in to the console, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSession {
    pub username: String,
    /// The role's key, e.g. `"finance"`.
    pub role: String,
    /// The role's label, e.g. `"财务"`.
    pub role_label: String,
    /// The permissions of the role, `<resource>.<action>`.
    pub permissions: Vec<String>,
    /// The staff token (only in the login answer; send it as `Authorization: Bearer`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// When the token expires, Unix seconds (login answer only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// `{"code": 200, "data": <session>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSessionResponse {
    pub code: u32,
    pub data: StaffSession,
}

/// One page of a console list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPage<T> {
    pub items: Vec<T>,
    /// Rows matching the filters, counted up to [`COUNT_CAP`].
    pub total: i64,
    /// `true` when there are more than [`COUNT_CAP`] rows (`total` is then the cap).
    pub total_capped: bool,
    /// The page shown, from 1.
    pub page: u64,
    pub page_size: u32,
}

/// `{"code": 200, "data": <page>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPageResponse<T> {
    pub code: u32,
    pub data: AdminPage<T>,
}

/// A row of the orders list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderRow {
    pub order_id: String,
    pub username: String,
    /// The shopper's phone.
    pub phone: String,
    pub receiver: String,
    pub receiver_mobile: String,
    pub total_count: i64,
    /// Goods and freight, yuan.
    pub total_amount: String,
    /// 1..7 (docs/api.md), and its name.
    pub status: i64,
    pub status_name: String,
    pub created_at: i64,
    pub version: i64,
}

/// A line of an order's detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderLine {
    pub sku_id: i64,
    pub name: String,
    /// Unit price, yuan.
    pub price: String,
    pub count: i64,
    /// The picture's URL.
    pub image: String,
    /// `[["颜色", "红色"], ...]`.
    pub sale_attrs: Vec<(String, String)>,
}

/// The payment of an order, as the gateway reported it, and its refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPayment {
    /// Alipay's trade number.
    pub trade_no: String,
    pub amount: String,
    pub paid_at: i64,
    /// `notify`, `return` or `query`.
    pub source: String,
    /// The refund request number (`out_request_no`), once a refund was asked.
    pub refund_no: Option<String>,
    pub refund_amount: Option<String>,
    pub refunded_at: Option<i64>,
    pub refunded_by: Option<String>,
    pub refund_reason: Option<String>,
}

/// A step of an order's timeline: what happened, when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderEvent {
    /// 下单, 付款, 发货, 收货, 取消, 退款.
    pub what: String,
    pub at: i64,
    /// `shopper`, `gateway`, `timeout`, `cli` or `staff:<username>`.
    pub by: String,
    /// Carrier and tracking number, a cancel's reason, a refund's amount.
    pub note: String,
}

/// `GET /v1/admin/orders/{order_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderDetail {
    #[serde(flatten)]
    pub order: AdminOrderRow,
    pub user_id: i64,
    pub address: String,
    pub tag: String,
    pub goods_amount: String,
    pub freight: String,
    pub pay_deadline: i64,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub cancel_reason: Option<String>,
    pub lines: Vec<AdminOrderLine>,
    pub payment: Option<AdminPayment>,
    pub events: Vec<OrderEvent>,
}

/// `{"code": 200, "data": <detail>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderDetailResponse {
    pub code: u32,
    pub data: AdminOrderDetail,
}

/// `POST /v1/admin/orders/{order_id}/ship`: 2 → 3.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShipRequest {
    /// The carrier, e.g. 顺丰速运 (1 to 32 characters).
    pub carrier: Option<String>,
    /// 6 to 40 letters, digits or `-`.
    pub tracking_no: Option<String>,
    /// The order's `version` as read; a stale one gets 409.
    pub version: Option<i64>,
}

/// `POST /v1/admin/orders/{order_id}/cancel` (an unpaid order) and
/// `POST /v1/admin/orders/{order_id}/refund` (a paid order, or one waiting for a refund).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderActionRequest {
    /// Why (required to refund a paid order; at most 200 characters).
    #[serde(default)]
    pub reason: Option<String>,
    /// The order's `version` as read; a stale one gets 409.
    pub version: Option<i64>,
}

/// A row of the shoppers list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserRow {
    pub id: i64,
    pub username: String,
    pub phone: String,
    pub email: String,
    /// Email activated.
    pub is_active: bool,
    /// Disabled by an operator.
    pub is_disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub order_count: i64,
}

/// A shopper's address, as the detail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminAddress {
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub tag: String,
    pub is_default: bool,
}

/// `GET /v1/admin/users/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserDetail {
    #[serde(flatten)]
    pub user: AdminUserRow,
    pub addresses: Vec<AdminAddress>,
    /// The newest orders (at most 20).
    pub orders: Vec<AdminOrderRow>,
    /// The bound Weibo account's uid, if any.
    pub weibo_uid: Option<String>,
}

/// `{"code": 200, "data": <detail>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminUserDetailResponse {
    pub code: u32,
    pub data: AdminUserDetail,
}

/// `PUT /v1/admin/users/{id}/disabled`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetDisabledRequest {
    pub disabled: Option<bool>,
}

/// A staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub role_label: String,
    pub is_active: bool,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
}

/// `POST /v1/admin/staff`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStaffRequest {
    pub username: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
}

/// `PATCH /v1/admin/staff/{id}`: a new role, enabled or disabled (either revokes the
/// account's tokens at once).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffChangeRequest {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
}

/// A row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRow {
    pub id: i64,
    pub staff_username: String,
    /// The operator's address.
    pub ip: String,
    /// `orders`, `refunds`, `users`, `staff`, ...
    pub resource: String,
    pub resource_id: String,
    /// `ship`, `cancel`, `refund`, `disable`, `enable`, `create`, `change`, ...
    pub action: String,
    /// The values before and after (JSON objects as text).
    pub before: String,
    pub after: String,
    pub created_at: i64,
}

/// A day's count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCount {
    /// `YYYY-MM-DD`, China Standard Time.
    pub day: String,
    pub count: i64,
}

/// A day's orders and paid amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayOrders {
    /// `YYYY-MM-DD`, China Standard Time.
    pub day: String,
    /// Orders placed that day.
    pub orders: i64,
    /// Payments received that day (GMV), fen.
    pub paid_fen: i64,
}

/// Product views of a catalog today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogVisits {
    pub catalog_id: i64,
    pub name: String,
    pub visits: i64,
}

/// A SKU at or below the low-stock threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LowStockSku {
    pub sku_id: i64,
    pub name: String,
    pub stock: i64,
}

/// `GET /v1/admin/dashboard`: the shop today and over the last 30 days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// Today, `YYYY-MM-DD` China Standard Time.
    pub today: String,
    pub total_users: i64,
    pub new_users_today: i64,
    /// Shoppers who logged in today.
    pub active_users_today: i64,
    /// Shoppers who placed an order today.
    pub ordering_users_today: i64,
    /// Orders awaiting shipment (status 2).
    pub awaiting_shipment: i64,
    /// Orders waiting for a refund (status 6).
    pub refunds_due: i64,
    /// The low-stock threshold (units) and the SKUs at or below it (at most 20, lowest first;
    /// `low_stock_count` counts them all).
    pub low_stock_threshold: i64,
    pub low_stock_count: i64,
    pub low_stock: Vec<LowStockSku>,
    /// The last 30 days, oldest first, today last.
    pub new_users_by_day: Vec<DayCount>,
    pub orders_by_day: Vec<DayOrders>,
    pub catalog_visits_today: Vec<CatalogVisits>,
}

/// `{"code": 200, "data": <dashboard>}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardResponse {
    pub code: u32,
    pub data: Dashboard,
}

/// The highest price a SKU may have, fen (¥1,000,000.00).
pub const PRICE_MAX_FEN: i64 = 100_000_000;
/// The most units a SKU may hold.
pub const STOCK_MAX: i64 = 1_000_000;
/// Longest SKU name, in characters.
pub const SKU_NAME_MAX_CHARS: usize = 50;
/// Longest SKU caption, in characters.
pub const SKU_CAPTION_MAX_CHARS: usize = 100;

/// A SKU as the console lists it (the cost price included: never in a shopper's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSku {
    pub id: i64,
    pub name: String,
    pub caption: String,
    pub spu_id: i64,
    pub spu_name: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    /// Yuan.
    pub price: String,
    pub market_price: String,
    pub cost_price: String,
    pub stock: i64,
    pub sales: i64,
    pub is_launched: bool,
    /// The picture's URL, or empty.
    pub image: String,
    /// Send it back with a change; a stale one gets 409 with the current values.
    pub version: i64,
}

/// A stock adjustment as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockAdjustment {
    pub id: i64,
    pub staff_username: String,
    pub stock_before: i64,
    pub stock_after: i64,
    /// Units added (negative: taken away).
    pub delta: i64,
    pub reason: String,
    pub created_at: i64,
}

/// Longest value of a spec (材质 → "PC"), in characters.
pub const SPEC_VALUE_MAX_CHARS: usize = 50;

/// A spec of the SKU's SPU (材质, 重量, ...) with this SKU's value (empty: none; the
/// product page then leaves the spec out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSpecValue {
    pub spec_id: i64,
    pub name: String,
    pub value: String,
}

/// A SKU's value of one spec of its SPU, to set (`""` clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpecValueRequest {
    pub spec_id: i64,
    /// At most [`SPEC_VALUE_MAX_CHARS`] characters, trimmed.
    pub value: String,
}

/// `GET /v1/admin/skus/{id}`: the SKU and its newest 50 stock adjustments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSkuDetail {
    #[serde(flatten)]
    pub sku: AdminSku,
    pub adjustments: Vec<StockAdjustment>,
    /// Every spec of the SPU, in its order, with this SKU's value.
    #[serde(default)]
    pub specs: Vec<AdminSpecValue>,
    /// The SKU's pictures in the shop's order; the default one (the list and card picture)
    /// is marked.
    #[serde(default)]
    pub pictures: Vec<AdminPicture>,
}

/// Largest picture upload accepted by default, bytes (`PICTURE_MAX_BYTES`).
pub const PICTURE_MAX_BYTES_DEFAULT: u64 = 5 * 1024 * 1024;
/// Longest side a picture may have by default, pixels (`PICTURE_MAX_SIDE_PX`).
pub const PICTURE_MAX_SIDE_DEFAULT: u32 = 4096;
/// Most pictures one SKU may hold.
pub const PICTURES_PER_SKU_MAX: usize = 20;

/// A SKU picture as the console shows it. The file was decoded and re-encoded by the shop
/// (JPEG, PNG or WebP in; nothing but pixels kept) and is stored under its content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPicture {
    pub id: i64,
    /// The full-size picture's URL (product page gallery).
    pub url: String,
    /// The smaller copy's URL (lists, cards, cart, orders), at most 400 px a side.
    pub thumbnail_url: String,
    /// Pixels of the full-size picture.
    pub width: u32,
    pub height: u32,
    /// Size of the stored full-size file, bytes.
    pub bytes: i64,
    /// The SKU's default picture (its card picture).
    pub is_default: bool,
}

/// `GET`, `PUT` and `DELETE /v1/admin/skus/{id}/pictures[...]`: the SKU's pictures in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPicturesResponse {
    pub code: u32,
    pub data: Vec<AdminPicture>,
}

/// `POST /v1/admin/skus/{id}/pictures`: the stored picture (201; 200 when the SKU already had
/// a picture with the same content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminPictureResponse {
    pub code: u32,
    pub data: AdminPicture,
}

/// `PUT /v1/admin/skus/{id}/pictures`: the SKU's picture ids in their new order (every one of
/// them, each once) and, optionally, the new default picture (absent: the default stays).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PictureOrderRequest {
    pub order: Vec<i64>,
    #[serde(default)]
    pub default_id: Option<i64>,
}

/// `{"code": 200, "data": <detail>}`; also the 409 answer of a stale change (`code` 60102,
/// `error`, and `data` = the current values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSkuResponse {
    pub code: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub data: AdminSkuDetail,
}

/// `PATCH /v1/admin/skus/{id}`: the fields to change (absent: unchanged). Money in yuan with
/// at most two decimals, 0 to 1,000,000.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkuChangeRequest {
    /// The `version` read.
    pub version: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub market_price: Option<String>,
    #[serde(default)]
    pub cost_price: Option<String>,
    #[serde(default)]
    pub is_launched: Option<bool>,
    /// Values of the SPU's specs to set (each spec at most once; the others unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specs: Option<Vec<SpecValueRequest>>,
}

/// `POST /v1/admin/skus/{id}/stock`: add `delta` units (negative: take away), or set the
/// stock to `set_to` given the `seen` stock the operator looked at (the difference is added,
/// so orders made meanwhile are not undone). A reason is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockChangeRequest {
    #[serde(default)]
    pub delta: Option<i64>,
    #[serde(default)]
    pub set_to: Option<i64>,
    #[serde(default)]
    pub seen: Option<i64>,
    pub reason: Option<String>,
}

/// Longest catalog or brand name, in characters.
pub const CATALOG_NAME_MAX_CHARS: usize = 20;

/// A catalog as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminCatalog {
    pub id: i64,
    pub name: String,
    /// Lowest first in the shop's navigation and home page.
    pub sort_order: i64,
    /// Hidden from shoppers (not listed, not browsable).
    pub is_hidden: bool,
    /// SPUs in it.
    pub spu_count: i64,
    pub version: i64,
}

/// `GET /v1/admin/catalogs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminCatalogsResponse {
    pub code: u32,
    pub data: Vec<AdminCatalog>,
}

/// `POST /v1/admin/catalogs` (a name required) and `PATCH /v1/admin/catalogs/{id}` (the
/// `version` read required; absent fields unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub sort_order: Option<i64>,
    #[serde(default)]
    pub is_hidden: Option<bool>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A brand as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminBrand {
    pub id: i64,
    pub name: String,
    /// `A`..`Z`, or `#` for a name that starts otherwise.
    pub first_letter: String,
    /// The logo picture's URL, or empty.
    pub logo: String,
    /// Place in the console's list and the SPU editor's choice: lowest first, then by first
    /// letter and name.
    #[serde(default)]
    pub sort_order: i64,
    /// Hidden from shoppers: its products' pages and search do not name it (they stay on
    /// sale).
    #[serde(default)]
    pub is_hidden: bool,
    /// SPUs of this brand.
    pub spu_count: i64,
    pub version: i64,
}

/// `GET /v1/admin/brands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminBrandsResponse {
    pub code: u32,
    pub data: Vec<AdminBrand>,
}

/// `POST /v1/admin/brands` (a name required) and `PATCH /v1/admin/brands/{id}` (the `version`
/// read required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrandRequest {
    #[serde(default)]
    pub name: Option<String>,
    /// One letter `A`-`Z` (any case) or `#`.
    #[serde(default)]
    pub first_letter: Option<String>,
    /// Within ±1,000,000, lowest first (default 0).
    #[serde(default)]
    pub sort_order: Option<i64>,
    /// Hidden from shoppers (default no).
    #[serde(default)]
    pub is_hidden: Option<bool>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// The columns of the SKU export and import, in order.
pub const SKU_CSV_COLUMNS: &[&str] = &["id", "name", "price", "market_price", "stock", "launched"];

/// One value an import would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportChange {
    /// The file's line (the header is line 1).
    pub line: u64,
    pub sku_id: i64,
    pub name: String,
    /// `price`, `market_price`, `stock` or `launched`.
    pub field: String,
    pub before: String,
    pub after: String,
}

/// A line an import refuses, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportError {
    pub line: u64,
    pub reason: String,
}

/// What an import would change (a preview) or changed (`applied`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Rows read (without the header).
    pub rows: u64,
    pub changes: Vec<ImportChange>,
    pub errors: Vec<ImportError>,
    /// `true` once the changes are saved (one transaction).
    pub applied: bool,
}

/// `POST /v1/admin/skus/import`: `{"code": 200, "data": <report>}`, or 400 / 10123 with the
/// report of an import that was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportResponse {
    pub code: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub data: ImportReport,
}

/// Longest SPU name, in characters.
pub const SPU_NAME_MAX_CHARS: usize = 50;
/// Longest SPU description, in characters (plain text; line breaks kept).
pub const SPU_DESCRIPTION_MAX_CHARS: usize = 2_000;
/// Longest name of a sale attribute, one of its values, or a spec, in characters.
pub const ATTR_NAME_MAX_CHARS: usize = 20;
/// Most sale attributes of an SPU, values of one attribute, and specs of an SPU.
pub const SALE_ATTRS_MAX: usize = 3;
/// Most values of one sale attribute.
pub const ATTR_VALUES_MAX: usize = 20;
/// Most SKUs the grid of one SPU may hold.
pub const GRID_MAX: usize = 100;

/// An SPU as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSpuRow {
    pub id: i64,
    pub name: String,
    pub catalog_id: i64,
    pub catalog_name: String,
    pub brand_id: i64,
    pub brand_name: String,
    pub sku_count: i64,
    pub version: i64,
}

/// A value of a sale attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminAttrValue {
    pub id: i64,
    pub name: String,
}

/// A sale attribute (颜色, 尺寸, ...) with its values in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSaleAttr {
    pub id: i64,
    pub name: String,
    pub values: Vec<AdminAttrValue>,
}

/// A SKU in its SPU's grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminGridSku {
    pub id: i64,
    pub name: String,
    pub price: String,
    pub stock: i64,
    pub is_launched: bool,
    /// Its value of each sale attribute, in the attributes' order.
    pub value_ids: Vec<i64>,
}

/// `GET /v1/admin/spus/{id}`: the SPU, its sale attributes, specs and SKU grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSpu {
    #[serde(flatten)]
    pub spu: AdminSpuRow,
    pub description: String,
    pub sale_attrs: Vec<AdminSaleAttr>,
    /// Spec names (材质, 重量, ...), in order.
    pub specs: Vec<String>,
    pub skus: Vec<AdminGridSku>,
    /// The combinations of values (one per attribute, in the attributes' order) that no SKU
    /// has yet: the grid's empty cells.
    pub missing: Vec<Vec<i64>>,
}

/// `{"code": 200, "data": <spu>}`; also the body of a 409 / 60102 answer to a change made at
/// a stale `version` (with `error`, and `data` = the SPU as it is now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminSpuResponse {
    pub code: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub data: AdminSpu,
}

/// A sale attribute of a new SPU.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSaleAttr {
    pub name: String,
    pub values: Vec<String>,
}

/// `POST /v1/admin/spus` and `PATCH /v1/admin/spus/{id}` (the `version` read; absent
/// fields unchanged; sale attributes and specs only on creation).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpuRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub catalog_id: Option<i64>,
    #[serde(default)]
    pub brand_id: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub sale_attrs: Option<Vec<NewSaleAttr>>,
    #[serde(default)]
    pub specs: Option<Vec<String>>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// `POST /v1/admin/spus/{id}/attrs/{attr_id}/values`: a new value of a sale attribute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewValueRequest {
    pub name: Option<String>,
}

/// `POST /v1/admin/spus/{id}/skus`: a new SKU with one value of each sale attribute, or, with
/// `fill_grid`, one SKU for every missing combination (named after the SPU and the values,
/// not launched). Money in yuan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSkuRequest {
    #[serde(default)]
    pub value_ids: Option<Vec<i64>>,
    #[serde(default)]
    pub fill_grid: Option<bool>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    pub price: Option<String>,
    #[serde(default)]
    pub market_price: Option<String>,
    #[serde(default)]
    pub cost_price: Option<String>,
    #[serde(default)]
    pub stock: Option<i64>,
    #[serde(default)]
    pub is_launched: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_grants_only_known_permissions() {
        for role in ROLES {
            for p in role.permissions {
                assert!(PERMISSIONS.contains(p), "{} grants unknown {p}", role.key);
            }
        }
        assert!(role_grants("superuser", "staff.change"));
        assert!(!role_grants("readonly", "orders.change"));
        assert!(!role_grants("nobody", "orders.view"));
    }

    #[test]
    fn read_only_grants_only_views() {
        let r = role("readonly").expect("role");
        assert!(r.permissions.iter().all(|p| p.ends_with(".view")));
    }

    #[test]
    fn tracking_numbers_are_checked() {
        assert!(check_tracking_no("SF1234567890").is_ok());
        assert!(check_tracking_no("12345").is_err());
        assert!(check_tracking_no("SF 123456").is_err());
        assert!(check_tracking_no(&"1".repeat(41)).is_err());
    }
}
