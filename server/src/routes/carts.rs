//! The server cart (`/v1/carts/{username}`, docs/api.md "Carts"), and the merge of the
//! browser's offline cart at login and registration ([`merge_offline`]).
//!
//! Every answer is the whole cart with `carts_count` (its number of lines). Ownership: the
//! path user must be the token's user, else 403 / 30104. Limits (this shop's choice):
//! [`MAX_CART_LINES`] lines, [`MAX_LINE_COUNT`] units a line, never more than the stock.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::money::format_fen;
use dadashop_types::orders::{
    AddToCartRequest, CartItem, CartResponse, MAX_CART_LINES, MAX_LINE_COUNT,
    RemoveFromCartRequest, UpdateCartRequest,
};
use serde_json::Value;

use crate::auth::AuthUser;
use crate::db::carts::{self as repo, CartError, CartLineRow, LineChange};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value, whole_number};
use crate::state::AppState;

/// `POST`, `GET`, `PUT`, `DELETE /v1/carts/{username}`.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/carts/{username}",
        get(show).post(add).put(update).delete(remove),
    )
}

impl From<CartError> for ApiError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::NotFound => {
                ApiError::not_found(codes::CART_SKU_NOT_FOUND, "商品不存在或不在购物车中")
            }
            CartError::Limit => ApiError::bad_request(
                codes::CART_BAD_PARAMS,
                format!("购物车最多{MAX_CART_LINES}种商品，每种最多{MAX_LINE_COUNT}件"),
            ),
            CartError::ExceedsStock(stock) => ApiError::Conflict {
                code: codes::CART_EXCEEDS_STOCK,
                message: format!("库存不足，最多还能购买{stock}件"),
            },
            CartError::Db(e) => e.into(),
        }
    }
}

/// 403 / 30104 unless the path names the caller.
fn ensure_owner(auth: &AuthUser, username: &str) -> ApiResult<()> {
    if auth.user.username == username {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: codes::CART_NOT_YOURS,
            message: "无权访问其他用户的购物车".into(),
        })
    }
}

fn bad(message: &str) -> ApiError {
    ApiError::bad_request(codes::CART_BAD_PARAMS, message)
}

/// The `sku_id` of a body: a positive whole number or numeric string, else 30102.
fn sku_id(value: &Option<Value>) -> ApiResult<i64> {
    value
        .as_ref()
        .and_then(id_value)
        .ok_or_else(|| bad("商品编号无效"))
}

/// A count of 1 to [`MAX_LINE_COUNT`] units, given as a number or a numeric string.
pub fn count_value(value: &Value) -> Option<i64> {
    whole_number(value).filter(|n| (1..=MAX_LINE_COUNT).contains(n))
}

/// Cart items of `rows`, with their sale attributes.
pub async fn items(state: &AppState, rows: Vec<CartLineRow>) -> ApiResult<Vec<CartItem>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.sku_id).collect();
    let mut attrs = repo::sale_attrs(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let pairs = attrs.remove(&r.sku_id).unwrap_or_default();
            let (names, values) = pairs.into_iter().unzip();
            CartItem {
                id: r.sku_id,
                name: r.name,
                count: r.count,
                selected: r.selected == 1,
                default_image_url: r.default_image_url,
                price: format_fen(r.price),
                sku_sale_attr_name: names,
                sku_sale_attr_val: values,
                stock: r.stock.max(0),
            }
        })
        .collect())
}

async fn answer(state: &AppState, user_id: i64) -> ApiResult<Json<CartResponse>> {
    let rows = repo::lines(&state.db, user_id).await?;
    let data = items(state, rows).await?;
    Ok(Json(CartResponse {
        code: codes::OK,
        carts_count: u32::try_from(data.len()).unwrap_or(u32::MAX),
        data,
        base_url: state.settings.media_base_url(),
    }))
}

/// The cart.
#[utoipa::path(get, path = "/v1/carts/{username}", tag = "carts", security(("token" = [])), params(("username" = String, Path)),
    responses((status = 200, body = CartResponse), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's cart (30104)", body = dadashop_types::ErrorBody), (status = 503, description = "Database unavailable", body = dadashop_types::ErrorBody)))]
async fn show(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<CartResponse>> {
    ensure_owner(&auth, &username)?;
    answer(&state, auth.user.id).await
}

/// Adds `count` units of `sku_id` (to its line when there is one; the line becomes
/// selected). Errors: 30102 bad `sku_id` or `count` (1 to 999), or a 101st line or a line over
/// 999 units; 404 / 30101 unknown or unlaunched SKU; 409 / 30103 more than the stock.
#[utoipa::path(post, path = "/v1/carts/{username}", tag = "carts", security(("token" = [])), params(("username" = String, Path)), request_body = AddToCartRequest,
    responses((status = 200, body = CartResponse), (status = 400, description = "Bad sku_id or count, or a limit reached (30102)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's cart (30104)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or unlaunched SKU (30101)", body = dadashop_types::ErrorBody), (status = 409, description = "More than the stock (30103)", body = dadashop_types::ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<AddToCartRequest>,
) -> ApiResult<Json<CartResponse>> {
    ensure_owner(&auth, &username)?;
    let sku = sku_id(&req.sku_id)?;
    let count = req
        .count
        .as_ref()
        .and_then(count_value)
        .ok_or_else(|| bad("数量须为1到999的整数"))?;
    repo::add(&state.db, auth.user.id, sku, count).await?;
    answer(&state, auth.user.id).await
}

/// Changes a line or the selection: `state` `add` (+1, refused past the stock: 409 / 30103),
/// `del` (−1, never below 1), `select`, `unselect` (these with `sku_id`; 404 / 30101 when
/// the SKU has no line), `selectall`, `unselectall`. Errors: 30102 bad `state` or `sku_id`.
#[utoipa::path(put, path = "/v1/carts/{username}", tag = "carts", security(("token" = [])), params(("username" = String, Path)), request_body = UpdateCartRequest,
    responses((status = 200, body = CartResponse), (status = 400, description = "Bad state or sku_id, or a limit reached (30102)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's cart (30104)", body = dadashop_types::ErrorBody), (status = 404, description = "No line of this SKU (30101)", body = dadashop_types::ErrorBody), (status = 409, description = "More than the stock (30103)", body = dadashop_types::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<UpdateCartRequest>,
) -> ApiResult<Json<CartResponse>> {
    ensure_owner(&auth, &username)?;
    let change = match req.state.as_deref().map(str::trim) {
        Some("selectall") => {
            repo::select_all(&state.db, auth.user.id, true).await?;
            None
        }
        Some("unselectall") => {
            repo::select_all(&state.db, auth.user.id, false).await?;
            None
        }
        Some("add") => Some(LineChange::Increment),
        Some("del") => Some(LineChange::Decrement),
        Some("select") => Some(LineChange::Select),
        Some("unselect") => Some(LineChange::Unselect),
        _ => {
            return Err(bad(
                "state 须为 add、del、select、unselect、selectall 或 unselectall",
            ));
        }
    };
    if let Some(change) = change {
        let sku = sku_id(&req.sku_id)?;
        repo::change(&state.db, auth.user.id, sku, change).await?;
    }
    answer(&state, auth.user.id).await
}

/// Removes the line of `sku_id`. Errors: 30102 bad `sku_id`, 404 / 30101 no such line.
#[utoipa::path(delete, path = "/v1/carts/{username}", tag = "carts", security(("token" = [])), params(("username" = String, Path)), request_body = RemoveFromCartRequest,
    responses((status = 200, body = CartResponse), (status = 400, description = "Bad sku_id (30102)", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's cart (30104)", body = dadashop_types::ErrorBody), (status = 404, description = "No line of this SKU (30101)", body = dadashop_types::ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<RemoveFromCartRequest>,
) -> ApiResult<Json<CartResponse>> {
    ensure_owner(&auth, &username)?;
    let sku = sku_id(&req.sku_id)?;
    repo::remove(&state.db, auth.user.id, sku).await?;
    answer(&state, auth.user.id).await
}

/// Most offline lines read from a login or registration body; the rest are ignored.
pub const MAX_OFFLINE_LINES: usize = MAX_CART_LINES;

/// Merges the offline cart `offline` (the body's `cart` or `carts`: an array of
/// `{id, count, ...}`) into the cart of `user_id` and returns its line count. Entries
/// without a valid `id` and `count` are skipped; anything that is not an array merges
/// nothing.
pub async fn merge_offline(
    state: &AppState,
    user_id: i64,
    offline: Option<&Value>,
) -> ApiResult<u32> {
    let pairs: Vec<(i64, i64)> = offline
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .take(MAX_OFFLINE_LINES)
                .filter_map(|line| {
                    let id = line.get("id").and_then(id_value)?;
                    // Any positive count; the merge caps it at the stock and the line limit.
                    let count = whole_number(line.get("count")?).filter(|n| *n > 0)?;
                    Some((id, count))
                })
                .collect()
        })
        .unwrap_or_default();
    let total = if pairs.is_empty() {
        repo::count(&state.db, user_id).await?
    } else {
        repo::merge(&state.db, user_id, &pairs).await?
    };
    Ok(u32::try_from(total).unwrap_or(0))
}
