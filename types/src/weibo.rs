//! Weibo login (docs/api.md, tag "weibo"): the authorize URL, the callback, binding.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::users::TokenResponse;

/// `GET /v1/users/weibo/authorization`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthorizationResponse {
    /// Always 200.
    pub code: u32,
    /// Where to send the browser: Weibo's authorize page with `response_type=code`,
    /// `client_id`, `redirect_uri` and a one-time `state` (valid 10 minutes).
    pub oauth_url: String,
}

/// `GET /v1/users/weibo/users` for a Weibo account that is not bound yet (`code` 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnboundResponse {
    /// Always 201.
    pub code: u32,
    /// The Weibo uid (digits), as the original answered it.
    pub uid: String,
    /// The bind ticket: send it back with the bind form. Valid 10 minutes, for this uid
    /// only, so only the browser that finished this login can bind this uid.
    pub ticket: String,
    /// The Weibo screen name, to prefill the bind form (empty when Weibo did not say).
    pub nickname: String,
    /// The Weibo avatar URL, when Weibo gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
}

/// `GET /v1/users/weibo/users`: logged in (a bound uid, `code` 200) or not bound yet
/// (`code` 201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallbackResponse {
    /// The uid is bound: the shopper is logged in.
    LoggedIn(TokenResponse),
    /// The uid is not bound: show the bind form.
    Unbound(UnboundResponse),
}

/// `POST /v1/users/weibo/users`: bind the Weibo uid to a new account (all fields) or to an
/// existing one (`username` and its `password`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BindRequest {
    /// The uid of the 201 answer (a string or a number).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub uid: Option<Value>,
    /// The ticket of the 201 answer.
    #[serde(default)]
    pub ticket: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// Required for a new account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Required for a new account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// For a new account while the shop requires phone verification
    /// (`REGISTER_REQUIRE_SMS`): the SMS code sent to `phone` by `POST /v1/users/sms/code`,
    /// as at registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<String>,
}

/// The Weibo account bound to a shopper's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Binding {
    /// The Weibo uid.
    pub uid: String,
    /// The Weibo screen name when it was bound.
    pub nickname: String,
    /// When it was bound, Unix seconds.
    pub bound_at: i64,
}

/// `GET /v1/users/<username>/weibo`: the binding, or `data: null` when there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BindingResponse {
    /// Always 200.
    pub code: u32,
    pub data: Option<Binding>,
}
