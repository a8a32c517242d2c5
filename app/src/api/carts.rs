//! The server cart of a logged-in shopper (docs/api.md "Carts"). Every call answers the whole
//! cart with its `carts_count`; the offline cart of a shopper who is not logged in is
//! `state::cart`'s business.

use dadashop_types::orders::CartResponse;
use gloo_net::http::Request;

use super::body::{AddToCart, SkuId, UpdateCart};
use super::{ApiError, Credentials, authorized, segment, send, url};

fn cart_url(credentials: &Credentials) -> String {
    url(&format!("/v1/carts/{}", segment(&credentials.username)))
}

/// `GET /v1/carts/<username>`: the cart.
pub async fn cart(credentials: &Credentials) -> Result<CartResponse, ApiError> {
    send(authorized(Request::get(&cart_url(credentials)), credentials).build()).await
}

/// A change to the server cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `POST`: adds `count` units of `sku_id` (30103 beyond the stock).
    Add { sku_id: i64, count: i64 },
    /// `PUT` with `state` `add` / `del` / `select` / `unselect` and a `sku_id`, or
    /// `selectall` / `unselectall` without.
    State(&'static str, Option<i64>),
    /// `DELETE`: removes the line of the SKU.
    Remove(i64),
}

/// `POST` / `PUT` / `DELETE /v1/carts/<username>`: one change; answers the whole cart.
pub async fn change(credentials: &Credentials, change: Change) -> Result<CartResponse, ApiError> {
    let url = cart_url(credentials);
    // One request built per kind and a single `send`: one future for every change.
    let request = match change {
        Change::Add { sku_id, count } => {
            authorized(Request::post(&url), credentials).json(&AddToCart { sku_id, count })
        }
        Change::State(state, sku_id) => {
            authorized(Request::put(&url), credentials).json(&UpdateCart { sku_id, state })
        }
        Change::Remove(sku_id) => {
            authorized(Request::delete(&url), credentials).json(&SkuId { sku_id })
        }
    };
    send(request).await
}
