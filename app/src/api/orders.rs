//! Settlement and orders (docs/api.md "Orders and payment").

use dadashop_types::orders::{
    BuyAgainResponse, CreatedOrderResponse, OrderDetailResponse, OrderListResponse,
    PaymentResultResponse, SettlementResponse,
};
use gloo_net::http::Request;
use serde::de::IgnoredAny;

use super::body::{NewOrder, OrderId};
use super::{ApiError, Credentials, authorized, segment, send, url};

/// What to settle: the selected cart lines, or one SKU bought at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// `settlement_type=0`: the cart's selected lines.
    Cart,
    /// `settlement_type=1`: buy now, `count` units of `sku_id`.
    BuyNow { sku_id: i64, count: i64 },
}

impl Settle {
    /// The query of the settlement call and of the confirmation page's URL (without `?`).
    pub fn query(self) -> String {
        match self {
            Settle::Cart => "settlement_type=0".to_owned(),
            Settle::BuyNow { sku_id, count } => {
                format!("settlement_type=1&sku_id={sku_id}&buy_num={count}")
            }
        }
    }

    /// The order-creation body for `address_id`.
    fn order(self, address_id: i64) -> NewOrder {
        match self {
            Settle::Cart => NewOrder {
                address_id,
                settlement_type: 0,
                sku_id: None,
                buy_count: None,
            },
            Settle::BuyNow { sku_id, count } => NewOrder {
                address_id,
                settlement_type: 1,
                sku_id: Some(sku_id),
                buy_count: Some(count),
            },
        }
    }
}

fn orders_url(credentials: &Credentials, rest: &str) -> String {
    url(&format!(
        "/v1/orders/{}{rest}",
        segment(&credentials.username)
    ))
}

/// `GET /v1/orders/<username>/advance?...`: addresses, lines, totals and freight.
pub async fn settlement(
    credentials: &Credentials,
    what: Settle,
) -> Result<SettlementResponse, ApiError> {
    let path = orders_url(credentials, &format!("/advance?{}", what.query()));
    send(authorized(Request::get(&path), credentials).build()).await
}

/// `POST /v1/orders/<username>`: creates the order. `idempotency_key` is one per
/// confirmation page, so that a retried submit cannot create a second order.
pub async fn create(
    credentials: &Credentials,
    what: Settle,
    address_id: i64,
    idempotency_key: &str,
) -> Result<CreatedOrderResponse, ApiError> {
    let request = authorized(Request::post(&orders_url(credentials, "")), credentials)
        .header("Idempotency-Key", idempotency_key)
        .json(&what.order(address_id));
    send(request).await
}

/// `GET /v1/orders/<username>?type=&page=`: one page of the orders of a status (0: all).
pub async fn list(
    credentials: &Credentials,
    status: i64,
    page: u64,
) -> Result<OrderListResponse, ApiError> {
    let path = orders_url(credentials, &format!("?type={status}&page={page}"));
    send(authorized(Request::get(&path), credentials).build()).await
}

/// `GET /v1/orders/<username>?type=5&order_id=`: an unpaid order's payment details again,
/// with a freshly signed `pay_url` (empty when online payment is off). 409 / 50107 when the
/// order can no longer be paid (paid, cancelled or past its time-out).
pub async fn repay(
    credentials: &Credentials,
    order_id: &str,
) -> Result<CreatedOrderResponse, ApiError> {
    let path = orders_url(
        credentials,
        &format!("?type=5&order_id={}", segment(order_id)),
    );
    send(authorized(Request::get(&path), credentials).build()).await
}

/// `GET /v1/orders/result/?<query>`: checks the parameters Alipay appended to the return
/// URL. `query` is the return URL's query string without its `?`, passed on exactly as
/// received: the signature covers the values as Alipay encoded them.
///
/// Errors: 400 / 50105 not paid (the message says why), 400 / 50109 a bad signature or
/// parameters, 404 / 50106 not the shopper's order, 503 / 50110 payment off or Alipay
/// unreachable (try again later).
pub async fn payment_result(
    credentials: &Credentials,
    query: &str,
) -> Result<PaymentResultResponse, ApiError> {
    let path = url(&format!("/v1/orders/result/?{query}"));
    send(authorized(Request::get(&path), credentials).build()).await
}

/// `GET /v1/orders/<username>/<order_id>`: one order.
pub async fn detail(
    credentials: &Credentials,
    order_id: &str,
) -> Result<OrderDetailResponse, ApiError> {
    let path = orders_url(credentials, &format!("/{}", segment(order_id)));
    send(authorized(Request::get(&path), credentials).build()).await
}

/// `POST /v1/orders/<username>/<order_id>/buy-again` (再次购买): puts the order's lines back
/// into the cart (each with the units ordered, capped by the stock now; a line already in
/// the cart keeps the larger count) and answers the cart with the names of the lines left
/// out (`unavailable`: off sale, sold out, cart full) or shortened (`fewer`). Any status;
/// 404 / 50106 for an unknown order or another shopper's.
pub async fn buy_again(
    credentials: &Credentials,
    order_id: &str,
) -> Result<BuyAgainResponse, ApiError> {
    let path = orders_url(credentials, &format!("/{}/buy-again", segment(order_id)));
    send(authorized(Request::post(&path), credentials).build()).await
}

/// `PUT /v1/orders/<username>`: confirms receipt of a shipped order.
pub async fn confirm_receipt(credentials: &Credentials, order_id: &str) -> Result<(), ApiError> {
    let body = OrderId { order_id };
    let request = authorized(Request::put(&orders_url(credentials, "")), credentials).json(&body);
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `POST /v1/orders/<username>/<order_id>/cancel`: cancels an unpaid order (stock returns).
pub async fn cancel(credentials: &Credentials, order_id: &str) -> Result<(), ApiError> {
    let path = orders_url(credentials, &format!("/{}/cancel", segment(order_id)));
    let request = authorized(Request::post(&path), credentials).build();
    send::<IgnoredAny>(request).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::Settle;

    #[test]
    fn settlement_queries_name_the_type_and_the_buy_now_line() {
        assert_eq!(Settle::Cart.query(), "settlement_type=0");
        assert_eq!(
            Settle::BuyNow {
                sku_id: 7,
                count: 2
            }
            .query(),
            "settlement_type=1&sku_id=7&buy_num=2"
        );
        let body = Settle::BuyNow {
            sku_id: 7,
            count: 2,
        }
        .order(3);
        assert_eq!(body.buy_count, Some(2));
        assert_eq!(Settle::Cart.order(3).sku_id, None);
    }
}
