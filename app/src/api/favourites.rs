//! The shopper's favourites, 收藏 (docs/api.md, `/v1/users/<username>/favourites`). Adding
//! and removing answer the whole list, newest first, so the caller never has to ask again.
//!
//! `GET .../favourites/<sku_id>` (one SKU's state) is not used: every heart of the app reads
//! the one list that `state::Favourites` loads, so that a page of cards costs one request,
//! not one per card.

use dadashop_types::goods::FavouritesResponse;
use gloo_net::http::Request;

use super::body::SkuId;
use super::{ApiError, Credentials, authorized, segment, send, url};

fn favourites_url(credentials: &Credentials, rest: &str) -> String {
    url(&format!(
        "/v1/users/{}/favourites{rest}",
        segment(&credentials.username)
    ))
}

/// `GET /v1/users/<username>/favourites`: the list, each SKU with its price, stock and launch
/// state now.
pub async fn list(credentials: &Credentials) -> Result<FavouritesResponse, ApiError> {
    send(authorized(Request::get(&favourites_url(credentials, "")), credentials).build()).await
}

/// `POST` (`on`: adds a launched SKU; 404 / 40300 for an unknown or unlaunched one, 400 /
/// 10123 past `FAVOURITES_MAX`) or `DELETE .../<sku_id>` (removes it); either answers the
/// list. Both are idempotent: adding twice or removing what is not there changes nothing.
pub async fn set(
    credentials: &Credentials,
    sku_id: i64,
    on: bool,
) -> Result<FavouritesResponse, ApiError> {
    // One request built per way and a single `send`: one future for both.
    let request = if on {
        authorized(Request::post(&favourites_url(credentials, "")), credentials)
            .json(&SkuId { sku_id })
    } else {
        authorized(
            Request::delete(&favourites_url(credentials, &format!("/{sku_id}"))),
            credentials,
        )
        .build()
    };
    send(request).await
}
