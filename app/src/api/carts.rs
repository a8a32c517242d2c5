//! The server cart of a logged-in shopper (docs/api.md "Carts"). Every call answers the whole
//! cart with its `carts_count`; the offline cart of a shopper who is not logged in is
//! `state::cart`'s business.

use dadashop_types::orders::{
    AddToCartRequest, CartResponse, RemoveFromCartRequest, UpdateCartRequest,
};
use gloo_net::http::Request;

use super::{ApiError, Credentials, authorized, segment, send, url};

fn cart_url(credentials: &Credentials) -> String {
    url(&format!("/v1/carts/{}", segment(&credentials.username)))
}

/// `GET /v1/carts/<username>`: the cart.
pub async fn cart(credentials: &Credentials) -> Result<CartResponse, ApiError> {
    send(authorized(Request::get(&cart_url(credentials)), credentials).build()).await
}

/// `POST /v1/carts/<username>`: adds `count` units of `sku_id` (30103 beyond the stock).
pub async fn add(
    credentials: &Credentials,
    sku_id: i64,
    count: i64,
) -> Result<CartResponse, ApiError> {
    let body = AddToCartRequest {
        sku_id: Some(sku_id.into()),
        count: Some(count.into()),
    };
    send(authorized(Request::post(&cart_url(credentials)), credentials).json(&body)).await
}

/// `PUT /v1/carts/<username>`: `state` is `add` / `del` / `select` / `unselect` with a
/// `sku_id`, or `selectall` / `unselectall` without.
pub async fn update(
    credentials: &Credentials,
    state: &str,
    sku_id: Option<i64>,
) -> Result<CartResponse, ApiError> {
    let body = UpdateCartRequest {
        sku_id: sku_id.map(Into::into),
        state: Some(state.to_owned()),
    };
    send(authorized(Request::put(&cart_url(credentials)), credentials).json(&body)).await
}

/// `DELETE /v1/carts/<username>`: removes the line of `sku_id`.
pub async fn remove(credentials: &Credentials, sku_id: i64) -> Result<CartResponse, ApiError> {
    let body = RemoveFromCartRequest {
        sku_id: Some(sku_id.into()),
    };
    send(authorized(Request::delete(&cart_url(credentials)), credentials).json(&body)).await
}
