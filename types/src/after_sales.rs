//! After the sale (issue 27): reviews (评价) of the lines of a completed order, and returns
//! (退货退款) of some of its lines within `RETURN_WINDOW_DAYS` of receipt.
//!
//! Money is yuan with two decimals in answers (as everywhere in the contract) and fen in the
//! database. Times are `YYYY-mm-dd HH:MM:SS` in China Standard Time (UTC+8) with the Unix
//! seconds beside them where a client computes with them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most characters of a review's text (counted as Unicode scalar values).
pub const REVIEW_MAX_CHARS: usize = 500;
/// Reviews per page on the product page.
pub const REVIEWS_PAGE_SIZE: u32 = 10;
/// Most characters of a return's reason and of an operator's reply.
pub const RETURN_REASON_MAX_CHARS: usize = 200;
/// Most pictures a return may carry.
pub const RETURN_PICTURES_MAX: usize = 6;

/// `POST /v1/orders/<username>/<order_id>/reviews` (write) and
/// `PUT /v1/orders/<username>/<order_id>/reviews/<sku_id>` (edit; `sku_id` from the path).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRequest {
    /// The line's SKU id (number or numeric string); only when writing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
    /// 1 to 5 (number or numeric string).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub score: Option<Value>,
    /// Plain text, 1 to [`REVIEW_MAX_CHARS`] characters after trimming; shown as text, never
    /// as markup.
    #[serde(default)]
    pub content: Option<String>,
    /// Shown as 匿名用户 instead of the masked name.
    #[serde(default)]
    pub anonymous: Option<bool>,
}

/// A shopper's own review of one line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyReview {
    pub id: i64,
    pub sku_id: i64,
    pub score: i64,
    pub content: String,
    pub anonymous: bool,
    /// When written or last edited.
    pub time: String,
    /// Until when (Unix seconds) it may be edited.
    pub editable_until: i64,
    /// Hidden by an operator: no longer on the product page.
    pub hidden: bool,
}

/// Answer of writing or editing a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyReviewResponse {
    pub code: u32,
    pub data: MyReview,
}

/// A review as every visitor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub id: i64,
    /// 匿名用户, or the shopper's name masked (`d***n`).
    pub author: String,
    pub score: i64,
    /// Plain text: render it as text.
    pub content: String,
    pub time: String,
    /// The reviewed SKU's sale attributes (`颜色: 红色 / 尺寸: L`); may be empty.
    pub spec: String,
}

/// `GET /v1/goods/<sku_id>/reviews?page=N`: the reviews of the SKU's SPU (every SKU of a
/// product shares them), newest first, [`REVIEWS_PAGE_SIZE`] a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewsResponse {
    pub code: u32,
    /// Visible reviews in all.
    pub count: i64,
    /// The mean score with one decimal (`4.5`); absent without reviews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average: Option<String>,
    /// From 1.
    pub page: u64,
    pub pages: u64,
    pub reviews: Vec<Review>,
}

/// Query of the review list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReviewsQuery {
    /// From 1 (default 1).
    #[serde(default)]
    pub page: Option<String>,
}

/// One line of a return request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLineRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub sku_id: Option<Value>,
    /// Units, 1 to the count bought less those already returned.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::NumberOrDigits>, inline))]
    pub count: Option<Value>,
}

/// `POST /v1/orders/<username>/<order_id>/returns`: ask for a return of some lines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnRequest {
    #[serde(default)]
    pub lines: Vec<ReturnLineRequest>,
    /// 1 to [`RETURN_REASON_MAX_CHARS`] characters.
    #[serde(default)]
    pub reason: Option<String>,
    /// Ids of pictures uploaded with `POST /v1/orders/<username>/<order_id>/return-pictures`
    /// (what arrived broken, say), distinct, at most [`RETURN_PICTURES_MAX`].
    #[serde(default)]
    pub pictures: Vec<i64>,
}

/// A returned line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLine {
    pub sku_id: i64,
    pub name: String,
    pub count: i64,
    /// Unit price paid, yuan.
    pub price: String,
}

/// A return as its shopper and the console see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderReturn {
    pub id: i64,
    pub order_id: String,
    /// `requested`, `approved`, `refused`, `received` (goods back, refund asked of the
    /// gateway) or `refunded`.
    pub status: String,
    /// 待审核, 待寄回, 已拒绝, 退款中, 已退款.
    pub status_name: String,
    pub reason: String,
    /// The operator's message with the approval or refusal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
    pub lines: Vec<ReturnLine>,
    /// What is refunded: the lines' price × count, yuan (freight is not refunded).
    pub amount: String,
    /// The shopper's pictures, full-size URLs in order.
    #[serde(default)]
    pub pictures: Vec<String>,
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_time: Option<String>,
    /// For the console's optimistic writes.
    pub version: i64,
}

/// Answer of a return endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderReturnResponse {
    pub code: u32,
    pub data: OrderReturn,
}

/// An uploaded return picture: its id for [`ReturnRequest::pictures`] and its URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnPictureResponse {
    pub code: u32,
    pub id: i64,
    pub url: String,
}

/// What a shopper may still do after the sale, on the order detail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AfterSale {
    /// The shopper's reviews of this order's lines.
    pub reviews: Vec<MyReview>,
    /// Whether the lines may be reviewed (the order is completed).
    pub can_review: bool,
    /// Until when (Unix seconds) a return may be asked; absent when none may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_until: Option<i64>,
    /// The order's returns, newest first.
    pub returns: Vec<OrderReturn>,
}

/// A console row of the review list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminReview {
    pub id: i64,
    pub order_id: String,
    pub sku_id: i64,
    pub sku_name: String,
    /// The real name, even for an anonymous review.
    pub username: String,
    pub anonymous: bool,
    pub score: i64,
    pub content: String,
    pub hidden: bool,
    pub time: String,
}

/// `POST /v1/admin/reviews/<id>/visibility`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewVisibilityRequest {
    pub hidden: Option<bool>,
    /// Why, for the audit log (at most 200 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /v1/admin/returns/<id>/approve`, `/refuse`, `/receive`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnDecisionRequest {
    /// The message the shopper reads (required to refuse; at most
    /// [`RETURN_REASON_MAX_CHARS`] characters).
    #[serde(default)]
    pub message: Option<String>,
    /// The return's `version` as read; a stale one gets 409.
    pub version: Option<i64>,
}
