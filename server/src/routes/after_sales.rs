//! After the sale (issue 27): a shopper's reviews of a completed order's lines, the product
//! page's reviews, and returns (退货退款). Ownership as for orders: the path user must be the
//! caller (else 403), and another shopper's order is answered as unknown (404 / 50106).

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use dadashop_types::after_sales::{
    AfterSale, MyReview, MyReviewResponse, OrderReturn, OrderReturnResponse, RETURN_PICTURES_MAX,
    RETURN_REASON_MAX_CHARS, REVIEW_MAX_CHARS, REVIEWS_PAGE_SIZE, ReturnLine,
    ReturnPictureResponse, ReturnRequest, Review, ReviewRequest, ReviewsQuery, ReviewsResponse,
};
use dadashop_types::codes;
use dadashop_types::money::format_fen;
use dadashop_types::orders::{OrderStep, STATUS_DONE};
use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::orders::china_time;
use crate::db::returns::{AskError, ReturnLineRow, ReturnRow};
use crate::db::reviews::{ReviewError, ReviewFields, ReviewRow};
use crate::db::{self, now_secs};
use crate::domain::bounded_text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value};
use crate::state::AppState;

/// The shopper's review and return endpoints and the product page's reviews.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orders/{username}/{order_id}/reviews", post(write_review))
        .route(
            "/orders/{username}/{order_id}/reviews/{sku_id}",
            put(edit_review),
        )
        .route("/orders/{username}/{order_id}/returns", post(ask_return))
        .route("/goods/{sku_id}/reviews", get(product_reviews))
}

/// The return-picture upload, with its full `/v1/...` path: merged beside the API's 64 KiB
/// body limit (the body is the picture, up to `PICTURE_MAX_BYTES`), as the console's picture
/// routes are.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/orders/{username}/{order_id}/return-pictures",
            post(upload_return_picture),
        )
        .layer(DefaultBodyLimit::disable())
}

const DAY_SECS: i64 = 86_400;

fn order_not_found() -> ApiError {
    ApiError::not_found(codes::ORDER_NOT_FOUND, "订单不存在")
}

fn wrong_status(message: &str) -> ApiError {
    ApiError::Conflict {
        code: codes::ORDER_WRONG_STATUS,
        message: message.to_owned(),
    }
}

/// A 25-digit order id, else the unknown order's 404.
fn order_id_of(raw: &str) -> ApiResult<&str> {
    let id = raw.trim();
    if id.len() == 25 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(order_not_found())
    }
}

/// A review's score: 1 to 5, a number or a numeric string.
fn score_of(value: &Option<Value>) -> ApiResult<i64> {
    value
        .as_ref()
        .and_then(id_value)
        .filter(|s| (1..=5).contains(s))
        .ok_or_else(|| ApiError::bad_params("评分须为1到5"))
}

fn review_fields(req: &ReviewRequest) -> ApiResult<ReviewFields> {
    let content = req.content.as_deref().unwrap_or("");
    Ok(ReviewFields {
        score: score_of(&req.score)?,
        content: bounded_text(content, REVIEW_MAX_CHARS, "评价内容")?,
        anonymous: req.anonymous.unwrap_or(false),
    })
}

impl From<ReviewError> for ApiError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::NotFound => order_not_found(),
            ReviewError::NotCompleted => wrong_status("确认收货后才能评价"),
            ReviewError::Exists => wrong_status("这件商品已经评价过了"),
            ReviewError::TooLate => wrong_status("评价已超过可修改的期限"),
            ReviewError::Db(e) => e.into(),
        }
    }
}

/// How the shopper sees one of their reviews.
fn my_review(row: &ReviewRow, edit_days: u32) -> MyReview {
    MyReview {
        id: row.id,
        sku_id: row.sku_id,
        score: row.score,
        content: row.content.clone(),
        anonymous: row.is_anonymous == 1,
        time: china_time(row.updated_at, "%Y-%m-%d %H:%M:%S"),
        editable_until: row.created_at + i64::from(edit_days) * DAY_SECS,
        hidden: row.is_hidden == 1,
    }
}

async fn my_review_answer(
    state: &AppState,
    user_id: i64,
    order_id: &str,
    sku_id: i64,
) -> ApiResult<Json<MyReviewResponse>> {
    let row = db::reviews::of_line(&state.db, user_id, order_id, sku_id)
        .await?
        .ok_or_else(order_not_found)?;
    Ok(Json(MyReviewResponse {
        code: codes::OK,
        data: my_review(&row, state.settings.review_edit_days),
    }))
}

/// Reviews a line of a completed order (one review per line). Errors: 400 / 10123 bad
/// score, empty or over-long text, missing SKU; 404 / 50106 not the shopper's order or no
/// such line; 409 / 50107 not completed yet, or reviewed already.
#[utoipa::path(post, path = "/v1/orders/{username}/{order_id}/reviews", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)), request_body = ReviewRequest,
    responses((status = 200, body = MyReviewResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order or line (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Not completed, or reviewed already (50107)", body = dadashop_types::ErrorBody)))]
async fn write_review(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
    LenientJson(req): LenientJson<ReviewRequest>,
) -> ApiResult<Json<MyReviewResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_of(&order_id)?;
    let sku_id = req
        .sku_id
        .as_ref()
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_params("缺少 sku_id"))?;
    let fields = review_fields(&req)?;
    db::reviews::insert(
        &state.db,
        auth.user.id,
        order_id,
        sku_id,
        &fields,
        now_secs(),
    )
    .await?;
    rating_changed(&state).await;
    my_review_answer(&state, auth.user.id, order_id, sku_id).await
}

/// Edits the shopper's review of a line within `REVIEW_EDIT_DAYS` of writing it. Errors as
/// for writing; 409 / 50107 once the window has passed.
#[utoipa::path(put, path = "/v1/orders/{username}/{order_id}/reviews/{sku_id}", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path), ("sku_id" = i64, Path)), request_body = ReviewRequest,
    responses((status = 200, body = MyReviewResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order, line or review (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Too late to edit (50107)", body = dadashop_types::ErrorBody)))]
async fn edit_review(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id, sku_id)): Path<(String, String, String)>,
    LenientJson(req): LenientJson<ReviewRequest>,
) -> ApiResult<Json<MyReviewResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_of(&order_id)?;
    let sku_id = sku_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(order_not_found)?;
    let fields = review_fields(&req)?;
    let now = now_secs();
    let since = now - i64::from(state.settings.review_edit_days) * DAY_SECS;
    db::reviews::update(
        &state.db,
        auth.user.id,
        order_id,
        sku_id,
        &fields,
        since,
        now,
    )
    .await?;
    rating_changed(&state).await;
    my_review_answer(&state, auth.user.id, order_id, sku_id).await
}

/// A product's rating changed: the goods generation moves on, so that the product pages
/// the web origin writes (their JSON-LD `aggregateRating`) follow. The review is saved
/// already; a failure here only delays that and is logged.
async fn rating_changed(state: &AppState) {
    if let Err(e) = crate::catalog::goods_changed(&state.db, &state.kv).await {
        tracing::warn!(error = %e, "could not announce a rating change");
    }
}

/// A shopper's name as reviews show it: the first and last characters around `***`.
pub fn masked_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.as_slice() {
        [] | [_] => "***".to_owned(),
        [first, .., last] => format!("{first}***{last}"),
    }
}

/// The sale attributes of an order line's JSON (`[["颜色", "红色"], ...]`) as
/// `颜色: 红色 / 尺寸: L`.
fn spec_text(sale_attrs: &str) -> String {
    serde_json::from_str::<Vec<(String, String)>>(sale_attrs)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The mean of `count` scores adding up to `sum`, with one decimal (`4.5`).
pub fn average(count: i64, sum: i64) -> Option<String> {
    (count > 0).then(|| {
        // Tenths, rounded half up, in integers.
        let tenths = (sum * 20 + count) / (count * 2);
        format!("{}.{}", tenths / 10, tenths % 10)
    })
}

/// The reviews of a product: those of every SKU of the SPU of `sku_id`, newest first, with
/// the count and the average. Hidden reviews are neither shown nor counted. Errors: 404 /
/// 40300 unknown or unlaunched SKU, 400 / 40200 bad page.
#[utoipa::path(get, path = "/v1/goods/{sku_id}/reviews", tag = "goods", params(("sku_id" = i64, Path), ReviewsQuery),
    responses((status = 200, body = ReviewsResponse), (status = 400, description = "Bad page (40200)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (40300)", body = dadashop_types::ErrorBody)))]
async fn product_reviews(
    State(state): State<AppState>,
    Path(sku_id): Path<String>,
    Query(query): Query<ReviewsQuery>,
) -> ApiResult<Json<ReviewsResponse>> {
    let unknown = || ApiError::not_found(codes::SKU_NOT_FOUND, "商品不存在");
    let sku_id = sku_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(unknown)?;
    let page = match query.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| ApiError::bad_request(codes::BAD_PAGE, "页码错误"))?,
    };
    let spu_id: i64 =
        sqlx::query_scalar("SELECT spu_id FROM skus WHERE id = ? AND is_launched = 1")
            .bind(sku_id)
            .fetch_optional(&state.db)
            .await?
            .ok_or_else(unknown)?;
    let (count, sum, rows) =
        db::reviews::of_spu(&state.db, spu_id, page, REVIEWS_PAGE_SIZE).await?;
    let size = u64::from(REVIEWS_PAGE_SIZE);
    let total = u64::try_from(count).unwrap_or(0);
    Ok(Json(ReviewsResponse {
        code: codes::OK,
        count,
        average: average(count, sum),
        page,
        pages: total.div_ceil(size),
        reviews: rows
            .into_iter()
            .map(|r| Review {
                id: r.id,
                author: if r.is_anonymous == 1 {
                    "匿名用户".to_owned()
                } else {
                    masked_name(&r.username)
                },
                score: r.score,
                content: r.content,
                time: china_time(r.created_at, "%Y-%m-%d %H:%M:%S"),
                spec: spec_text(&r.sale_attrs),
            })
            .collect(),
    }))
}

impl From<AskError> for ApiError {
    fn from(e: AskError) -> Self {
        match e {
            AskError::NotFound => order_not_found(),
            AskError::NotReturnable => wrong_status("该订单不在可退货的期限内"),
            AskError::Open => wrong_status("该订单已有进行中的退货申请"),
            AskError::BadLine(sku) => {
                ApiError::bad_params(format!("商品 {sku} 不在订单中或超过可退数量"))
            }
            AskError::BadPicture(id) => ApiError::bad_params(format!("图片 {id} 不存在")),
            AskError::Db(e) => e.into(),
        }
    }
}

/// The status names of a return.
pub fn return_status_name(status: &str) -> &'static str {
    match status {
        "requested" => "待审核",
        "approved" => "待寄回",
        "refused" => "已拒绝",
        "received" => "退款中",
        "refunded" => "已退款",
        _ => "未知",
    }
}

/// Returns as answered, each with its lines.
pub async fn returns_answer(state: &AppState, rows: Vec<ReturnRow>) -> ApiResult<Vec<OrderReturn>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let lines = db::returns::lines_of(&state.db, &ids).await?;
    let pictures = db::returns::pictures_of(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let of_this = |l: &&ReturnLineRow| l.after_sale_id == r.id;
            OrderReturn {
                id: r.id,
                order_id: r.order_id.clone(),
                status_name: return_status_name(&r.status).to_owned(),
                status: r.status.clone(),
                reason: r.reason.clone(),
                reply: r.reply.clone(),
                lines: lines
                    .iter()
                    .filter(of_this)
                    .map(|l| ReturnLine {
                        sku_id: l.sku_id,
                        name: l.name.clone(),
                        count: l.count,
                        price: format_fen(l.price),
                    })
                    .collect(),
                amount: format_fen(r.amount),
                pictures: pictures
                    .iter()
                    .filter(|(of, _)| *of == r.id)
                    .map(|(_, key)| crate::routes::admin::pictures::media_url(state, key))
                    .collect(),
                time: china_time(r.created_at, "%Y-%m-%d %H:%M:%S"),
                refunded_amount: r.refunded_amount.map(format_fen),
                refunded_time: r.refunded_at.map(|at| china_time(at, "%Y-%m-%d %H:%M:%S")),
                version: r.version,
            }
        })
        .collect())
}

/// Asks for a return of some units of some lines of a completed order within
/// `RETURN_WINDOW_DAYS` of receipt; an operator then approves or refuses it. Errors: 400 /
/// 10123 no lines, a line twice, a bad count or one over what is left to return, a missing
/// or over-long reason; 404 / 50106 not the shopper's order; 409 / 50107 not completed, past
/// the window, or a return of the order is going on.
#[utoipa::path(post, path = "/v1/orders/{username}/{order_id}/returns", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)), request_body = ReturnRequest,
    responses((status = 200, body = OrderReturnResponse), (status = 400, description = "Bad input (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Not returnable now (50107)", body = dadashop_types::ErrorBody)))]
async fn ask_return(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
    LenientJson(req): LenientJson<ReturnRequest>,
) -> ApiResult<Json<OrderReturnResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_of(&order_id)?;
    if req.lines.is_empty() || req.lines.len() > 100 {
        return Err(ApiError::bad_params("请选择要退货的商品"));
    }
    let mut lines: Vec<(i64, i64)> = Vec::with_capacity(req.lines.len());
    for l in &req.lines {
        let sku = l
            .sku_id
            .as_ref()
            .and_then(id_value)
            .ok_or_else(|| ApiError::bad_params("退货商品编号无效"))?;
        let count = l
            .count
            .as_ref()
            .and_then(id_value)
            .filter(|c| *c >= 1)
            .ok_or_else(|| ApiError::bad_params("退货数量须为正整数"))?;
        if lines.iter().any(|(s, _)| *s == sku) {
            return Err(ApiError::bad_params("同一商品只能出现一次"));
        }
        lines.push((sku, count));
    }
    let reason = bounded_text(
        req.reason.as_deref().unwrap_or(""),
        RETURN_REASON_MAX_CHARS,
        "退货原因",
    )?;
    let mut pictures = req.pictures.clone();
    pictures.dedup();
    if pictures.len() > RETURN_PICTURES_MAX {
        return Err(ApiError::bad_params(format!(
            "最多上传 {RETURN_PICTURES_MAX} 张图片"
        )));
    }
    let now = now_secs();
    let new = db::returns::NewReturn {
        user_id: auth.user.id,
        order_id,
        lines: &lines,
        reason: &reason,
        pictures: &pictures,
        received_since: returns_open_since(&state, now)?,
    };
    let id = db::returns::ask(&state.db, &new, now).await?;
    tracing::info!(order_id, return_id = id, "return asked");
    let row = db::returns::get(&state.db, id)
        .await?
        .ok_or_else(order_not_found)?;
    let data = returns_answer(&state, vec![row])
        .await?
        .pop()
        .ok_or_else(order_not_found)?;
    Ok(Json(OrderReturnResponse {
        code: codes::OK,
        data,
    }))
}

/// Receipts at or after this (Unix seconds) may still be returned; 409 when returns are
/// off (`RETURN_WINDOW_DAYS=0`).
fn returns_open_since(state: &AppState, now: i64) -> ApiResult<i64> {
    match i64::from(state.settings.return_window_days) {
        0 => Err(wrong_status("本店暂不受理退货")),
        days => Ok(now - days * DAY_SECS),
    }
}

/// Uploads a picture for a return of a completed order within the return window (the body is
/// the file; JPEG, PNG or WebP by content, re-encoded so that nothing but pixels is kept, at
/// most `PICTURE_MAX_BYTES` and `PICTURE_MAX_SIDE_PX`: the console's picture rules). Answers
/// the id to send with the return. A picture no return takes is removed by the picture
/// sweep after its grace period. Errors: 404 / 50106 not the shopper's order, 409 / 50107 not
/// returnable now, 413 / 60107 too large, 422 / 60107 not a picture the shop takes.
#[utoipa::path(post, path = "/v1/orders/{username}/{order_id}/return-pictures", tag = "orders", security(("token" = [])), params(("username" = String, Path), ("order_id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The picture file"),
    responses((status = 200, body = ReturnPictureResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown order (50106)", body = dadashop_types::ErrorBody), (status = 409, description = "Not returnable now (50107)", body = dadashop_types::ErrorBody), (status = 413, description = "Too large (60107)", body = dadashop_types::ErrorBody), (status = 422, description = "Not a JPEG, PNG or WebP picture, or too many pixels (60107)", body = dadashop_types::ErrorBody)))]
async fn upload_return_picture(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, order_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<ReturnPictureResponse>> {
    auth.ensure_is(&username)?;
    let order_id = order_id_of(&order_id)?;
    let order = db::console::order(&state.db, order_id)
        .await?
        .filter(|o| o.user_id == auth.user.id)
        .ok_or_else(order_not_found)?;
    let since = returns_open_since(&state, now_secs())?;
    if order.status != STATUS_DONE || order.received_at.is_none_or(|at| at < since) {
        return Err(wrong_status("该订单不在可退货的期限内"));
    }
    let bytes = crate::routes::admin::pictures::read_upload(&state, &headers, body).await?;
    let id = crate::routes::admin::pictures::store_upload(&state, None, bytes).await?;
    let image: String = sqlx::query_scalar("SELECT image FROM pictures WHERE id = ?")
        .bind(id)
        .fetch_one(&state.db)
        .await?;
    tracing::info!(order_id, picture_id = id, "return picture uploaded");
    Ok(Json(ReturnPictureResponse {
        code: codes::OK,
        id,
        url: crate::routes::admin::pictures::media_url(&state, &image),
    }))
}

/// The after-sale part of an order's detail for its shopper, and the timeline's steps of its
/// returns (退货申请, 退货审核, 退款).
pub async fn after_sale_of(
    state: &AppState,
    user_id: i64,
    order_id: &str,
    status: i64,
    received_at: Option<i64>,
) -> ApiResult<(AfterSale, Vec<OrderStep>)> {
    let reviews = db::reviews::of_order(&state.db, user_id, order_id)
        .await?
        .iter()
        .map(|r| my_review(r, state.settings.review_edit_days))
        .collect();
    let rows = db::returns::of_order(&state.db, order_id).await?;
    let mut steps = Vec::new();
    for r in &rows {
        let step = |what: &str, at: i64, note: String| OrderStep {
            what: what.to_owned(),
            at,
            time: china_time(at, "%Y-%m-%d %H:%M:%S"),
            note,
        };
        steps.push(step("申请退货", r.created_at, r.reason.clone()));
        if let (Some(at), Some(amount)) = (r.refunded_at, r.refunded_amount) {
            steps.push(step("退货退款", at, format!("¥{}", format_fen(amount))));
        }
    }
    let open = rows
        .iter()
        .any(|r| matches!(r.status.as_str(), "requested" | "approved" | "received"));
    let window = i64::from(state.settings.return_window_days) * DAY_SECS;
    let return_until = match received_at {
        Some(at)
            if status == STATUS_DONE
                && window > 0
                && !open
                && now_secs() < at + window
                && db::returns::units_left(&state.db, order_id).await? > 0 =>
        {
            Some(at + window)
        }
        _ => None,
    };
    Ok((
        AfterSale {
            reviews,
            can_review: status == STATUS_DONE,
            return_until,
            returns: returns_answer(state, rows).await?,
        },
        steps,
    ))
}

#[cfg(test)]
mod tests {
    use super::{average, masked_name};

    #[test]
    fn names_are_masked_and_averages_rounded() {
        assert_eq!(masked_name("dada"), "d***a");
        assert_eq!(masked_name("达达"), "达***达");
        assert_eq!(masked_name("x"), "***");
        assert_eq!(average(0, 0), None);
        assert_eq!(average(2, 9).as_deref(), Some("4.5"));
        assert_eq!(average(3, 13).as_deref(), Some("4.3"));
        assert_eq!(average(3, 14).as_deref(), Some("4.7"));
        assert_eq!(average(1, 5).as_deref(), Some("5.0"));
    }
}
