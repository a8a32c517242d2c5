//! The shopper's favourites (收藏, issue 27 item 4): `/v1/users/{username}/favourites`.
//!
//! Kept on the server for a logged-in shopper, newest first, at most 500. The list shows each
//! SKU as it is now (price, stock, launched or not): a favourite taken off sale stays in the
//! list, marked, and cannot go into the cart. Ownership as the browsing history: the path
//! user must be the token's user, else 403 / 10101. Adding twice or removing what is not
//! there is not an error (two tabs, a double click).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::goods::{
    FAVOURITES_MAX, Favourite, FavouriteRequest, FavouriteStateResponse, FavouritesResponse,
};
use dadashop_types::money::format_fen;

use crate::auth::AuthUser;
use crate::db::{self, favourites, goods};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value};
use crate::routes::goods::{parse_id, sku_not_found};
use crate::state::AppState;

/// `GET`, `POST /v1/users/{username}/favourites`; `GET`, `DELETE .../{sku_id}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{username}/favourites", get(list).post(add))
        .route(
            "/users/{username}/favourites/{sku_id}",
            get(state_of).delete(remove),
        )
}

fn sku_id_of(text: &str) -> ApiResult<i64> {
    parse_id(text).ok_or_else(sku_not_found)
}

async fn answer(state: &AppState, user_id: i64) -> ApiResult<Json<FavouritesResponse>> {
    let rows = favourites::list(&state.db, user_id).await?;
    Ok(Json(FavouritesResponse {
        code: codes::OK,
        data: rows
            .into_iter()
            .map(|r| Favourite {
                skuid: r.sku_id,
                name: r.name,
                price: format_fen(r.price),
                image: r.default_image_url,
                stock: r.stock.max(0),
                is_launched: r.is_launched == 1,
                created_at: r.created_at,
            })
            .collect(),
        base_url: state.settings.media_base_url(),
    }))
}

/// The shopper's favourites, newest first, each SKU with its price, stock and launch state
/// now.
#[utoipa::path(get, path = "/v1/users/{username}/favourites", tag = "goods", security(("token" = [])), params(("username" = String, Path)),
    responses((status = 200, body = FavouritesResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's favourites (10101)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<FavouritesResponse>> {
    auth.ensure_is(&username)?;
    answer(&state, auth.user.id).await
}

/// Adds a launched SKU to the shopper's favourites (already there: unchanged) and answers the
/// list. At most 500 favourites (400 / 10123 beyond).
#[utoipa::path(post, path = "/v1/users/{username}/favourites", tag = "goods", security(("token" = [])), params(("username" = String, Path)), request_body = FavouriteRequest,
    responses((status = 200, body = FavouritesResponse),
        (status = 400, description = "10123 sku_id missing or not an id, or 500 favourites already", body = dadashop_types::ErrorBody),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's favourites (10101)", body = dadashop_types::ErrorBody),
        (status = 404, description = "40300 unknown or unlaunched SKU", body = dadashop_types::ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<FavouritesResponse>> {
    auth.ensure_is(&username)?;
    let sku_id = req
        .get("sku_id")
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_params("缺少参数 sku_id"))?;
    if goods::launched_sku(&state.db, sku_id).await?.is_none() {
        return Err(sku_not_found());
    }
    match favourites::add(&state.db, auth.user.id, sku_id, db::now_secs()).await? {
        favourites::Added::Done => answer(&state, auth.user.id).await,
        favourites::Added::Full => Err(ApiError::bad_params(format!(
            "收藏最多 {FAVOURITES_MAX} 件商品，请先移除一些"
        ))),
    }
}

/// Whether a SKU is one of the shopper's favourites (the heart on the product page).
#[utoipa::path(get, path = "/v1/users/{username}/favourites/{sku_id}", tag = "goods", security(("token" = [])), params(("username" = String, Path), ("sku_id" = i64, Path)),
    responses((status = 200, body = FavouriteStateResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's favourites (10101)", body = dadashop_types::ErrorBody),
        (status = 404, description = "40300 not a SKU id", body = dadashop_types::ErrorBody)))]
async fn state_of(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, sku_id)): Path<(String, String)>,
) -> ApiResult<Json<FavouriteStateResponse>> {
    auth.ensure_is(&username)?;
    let sku_id = sku_id_of(&sku_id)?;
    Ok(Json(FavouriteStateResponse {
        code: codes::OK,
        favourite: favourites::contains(&state.db, auth.user.id, sku_id).await?,
    }))
}

/// Removes a SKU from the shopper's favourites (not there: unchanged) and answers the list.
#[utoipa::path(delete, path = "/v1/users/{username}/favourites/{sku_id}", tag = "goods", security(("token" = [])), params(("username" = String, Path), ("sku_id" = i64, Path)),
    responses((status = 200, body = FavouritesResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's favourites (10101)", body = dadashop_types::ErrorBody),
        (status = 404, description = "40300 not a SKU id", body = dadashop_types::ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, sku_id)): Path<(String, String)>,
) -> ApiResult<Json<FavouritesResponse>> {
    auth.ensure_is(&username)?;
    let sku_id = sku_id_of(&sku_id)?;
    favourites::remove(&state.db, auth.user.id, sku_id).await?;
    answer(&state, auth.user.id).await
}
