//! Weibo login and binding (docs/api.md, tag "weibo").

use dadashop_types::MessageResponse;
use dadashop_types::users::TokenResponse;
use dadashop_types::weibo::{AuthorizationResponse, Binding, BindingResponse, CallbackResponse};
use gloo_net::http::Request;

use super::body::Bind;
use super::{ApiError, Credentials, authorized, segment, send, url};

/// `GET /v1/users/weibo/authorization`: Weibo's authorize URL with a fresh one-time `state`
/// (valid 10 minutes). 503 / 10124 when the shop has Weibo login switched off.
pub async fn authorization() -> Result<AuthorizationResponse, ApiError> {
    send(Request::get(&url("/v1/users/weibo/authorization")).build()).await
}

/// `GET /v1/users/weibo/users?code&state`: finishes the login with what Weibo sent back.
/// Answers a token (the Weibo account is bound) or a bind ticket (code 201). A replayed or
/// expired `state` and a code Weibo refuses are 400 / 10125; Weibo being down is 503.
pub async fn callback(code: &str, state: &str) -> Result<CallbackResponse, ApiError> {
    let path = format!(
        "/v1/users/weibo/users?code={}&state={}",
        segment(code),
        segment(state)
    );
    send(Request::get(&url(&path)).build()).await
}

/// `POST /v1/users/weibo/users`: binds the ticket's Weibo account to a new account (all
/// fields) or to an existing one (`username` and `password` only); the answer logs in.
pub async fn bind(body: &Bind) -> Result<TokenResponse, ApiError> {
    send(Request::post(&url("/v1/users/weibo/users")).json(body)).await
}

fn binding_path(credentials: &Credentials) -> String {
    url(&format!(
        "/v1/users/{}/weibo",
        segment(&credentials.username)
    ))
}

/// `GET /v1/users/<username>/weibo`: the bound Weibo account, `None` when there is none.
pub async fn binding(credentials: &Credentials) -> Result<Option<Binding>, ApiError> {
    let request = authorized(Request::get(&binding_path(credentials)), credentials).build();
    send::<BindingResponse>(request)
        .await
        .map(|answer| answer.data)
}

/// `DELETE /v1/users/<username>/weibo`: removes the binding (the account keeps its password).
pub async fn unbind(credentials: &Credentials) -> Result<(), ApiError> {
    let request = authorized(Request::delete(&binding_path(credentials)), credentials).build();
    send::<MessageResponse>(request).await.map(|_| ())
}
