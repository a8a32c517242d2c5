//! The JSON bodies the app sends where the shared request type of `dadashop-types` holds a
//! `serde_json::Value` (the server takes "a number or a numeric string" there, or the offline
//! cart as any JSON array).
//!
//! The app always has a number (or a string, or its cart lines) at hand, so it sends these
//! plain shapes instead: the same JSON on the wire, without serde_json's `Value` serializer
//! (and its float formatting, map code and drops) in the wasm module. The field names and the
//! fields left out when empty follow the shared types.

use dadashop_types::orders::CartItem;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

/// `POST /v1/tokens` (`LoginRequest`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Login {
    pub username: String,
    pub password: String,
    /// The offline cart to merge, left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carts: Option<Vec<CartItem>>,
    /// The image captcha asked for by a 10133 answer: its id ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    /// ... and the text the shopper read on it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captcha: Option<String>,
}

/// `POST /v1/users` (`RegisterRequest`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Register {
    pub uname: String,
    pub password: String,
    pub password2: String,
    pub phone: String,
    pub email: String,
    pub verify: String,
    /// The offline cart to merge, left out when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carts: Option<Vec<CartItem>>,
}

/// `POST /v1/users/weibo/users` (`BindRequest`): `phone`, `email` and `verify` only for a new
/// account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bind {
    pub uid: String,
    pub ticket: String,
    pub username: String,
    pub password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
}

/// `PUT /v1/users/<username>/address/<id>` (`UpdateAddressRequest`): `id` equals the path's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdateAddress {
    pub receiver: String,
    pub address: String,
    pub receiver_mobile: String,
    pub postcode: String,
    pub tag: String,
    pub id: i64,
    /// The picker's last level (`""`: a free-text address).
    pub region_code: String,
}

/// `POST /v1/carts/<username>` (`AddToCartRequest`).
#[derive(Debug, Serialize)]
pub(super) struct AddToCart {
    pub sku_id: i64,
    pub count: i64,
}

/// `PUT /v1/carts/<username>` (`UpdateCartRequest`): `sku_id` is `null` for `selectall` and
/// `unselectall`.
#[derive(Debug, Serialize)]
pub(super) struct UpdateCart {
    pub sku_id: Option<i64>,
    pub state: &'static str,
}

/// `{"sku_id": <id>}`: `DELETE /v1/carts/<username>` (`RemoveFromCartRequest`),
/// `POST /v1/users/<username>/history` (`HistoryRequest`) and
/// `POST /v1/users/<username>/favourites` (`FavouriteRequest`).
#[derive(Debug, Serialize)]
pub(super) struct SkuId {
    pub sku_id: i64,
}

/// `{"id": <id>}`: `POST /v1/users/<username>/address/default` (`DefaultAddressRequest`).
#[derive(Debug, Serialize)]
pub(super) struct Id {
    pub id: i64,
}

/// `{"order_id": "<id>"}`: `PUT /v1/orders/<username>` (`OrderIdRequest`).
#[derive(Debug, Serialize)]
pub(super) struct OrderId<'a> {
    pub order_id: &'a str,
}

/// `POST /v1/orders/<username>` (`CreateOrderRequest`): `sku_id` and `buy_count` are `null`
/// for the cart's settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct NewOrder {
    pub address_id: i64,
    pub settlement_type: i64,
    pub sku_id: Option<i64>,
    pub buy_count: Option<i64>,
}

/// `POST /v1/orders/<username>/<order_id>/reviews` and `PUT .../reviews/<sku_id>`
/// (`ReviewRequest`): `sku_id` only when writing (the path names it when editing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku_id: Option<i64>,
    /// 1 to 5.
    pub score: i64,
    pub content: String,
    pub anonymous: bool,
}

/// One line of [`NewReturn`] (`ReturnLineRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnLineBody {
    pub sku_id: i64,
    /// Units, 1 to those bought less those already returned.
    pub count: i64,
}

/// `POST /v1/orders/<username>/<order_id>/returns` (`ReturnRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReturn {
    pub lines: Vec<ReturnLineBody>,
    pub reason: String,
    /// Ids of the pictures uploaded for it, in order.
    pub pictures: Vec<i64>,
}

/// `POST /v1/goods/sku`: `{"spuid": <spu>, "<attribute id>": <value id>, ...}`.
#[derive(Debug)]
pub(super) struct SkuSwitch<'a> {
    pub spu: i64,
    pub values: &'a [(i64, i64)],
}

impl Serialize for SkuSwitch<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.values.len() + 1))?;
        map.serialize_entry("spuid", &self.spu)?;
        for (attribute, value) in self.values {
            map.serialize_entry(&attribute.to_string(), value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("plain shapes serialize")
    }

    #[test]
    fn bodies_have_the_shape_of_the_shared_request_types() {
        assert_eq!(
            json(&AddToCart {
                sku_id: 7,
                count: 2
            }),
            r#"{"sku_id":7,"count":2}"#
        );
        assert_eq!(
            json(&UpdateCart {
                sku_id: None,
                state: "selectall"
            }),
            r#"{"sku_id":null,"state":"selectall"}"#
        );
        assert_eq!(
            json(&SkuSwitch {
                spu: 3,
                values: &[(1, 10), (2, 20)]
            }),
            r#"{"spuid":3,"1":10,"2":20}"#
        );
        assert_eq!(
            json(&OrderId { order_id: "2024" }),
            r#"{"order_id":"2024"}"#
        );
        let login = Login {
            username: "tom".into(),
            password: "secret123".into(),
            carts: None,
            captcha_id: None,
            captcha: None,
        };
        assert_eq!(json(&login), r#"{"username":"tom","password":"secret123"}"#);
        // The server reads the same bodies into its lenient request types.
        let read: dadashop_types::users::LoginRequest =
            serde_json::from_str(&json(&login)).expect("a LoginRequest");
        assert_eq!(read.username.as_deref(), Some("tom"));
        let read: dadashop_types::orders::CreateOrderRequest =
            serde_json::from_str(&json(&NewOrder {
                address_id: 3,
                settlement_type: 1,
                sku_id: Some(7),
                buy_count: Some(2),
            }))
            .expect("a CreateOrderRequest");
        assert_eq!(read.buy_count, Some(2.into()));
        let review = ReviewBody {
            sku_id: None,
            score: 4,
            content: "好".into(),
            anonymous: true,
        };
        assert_eq!(
            json(&review),
            r#"{"score":4,"content":"好","anonymous":true}"#
        );
        let read: dadashop_types::after_sales::ReviewRequest =
            serde_json::from_str(&json(&ReviewBody {
                sku_id: Some(7),
                ..review
            }))
            .expect("a ReviewRequest");
        assert_eq!(read.sku_id, Some(7.into()));
        let read: dadashop_types::after_sales::ReturnRequest =
            serde_json::from_str(&json(&NewReturn {
                lines: vec![ReturnLineBody {
                    sku_id: 7,
                    count: 2,
                }],
                reason: "破损".into(),
                pictures: vec![3],
            }))
            .expect("a ReturnRequest");
        assert_eq!(read.lines[0].count, Some(2.into()));
        assert_eq!(read.pictures, vec![3]);
    }
}
