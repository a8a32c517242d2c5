//! Accounts, tokens and the address book (docs/api.md, tags "users", "tokens", "addresses").

use dadashop_types::MessageResponse;
use dadashop_types::users::{
    Address, AddressListResponse, Captcha, CaptchaResponse, ChangePasswordRequest,
    NewAddressRequest, Region, RegionsResponse, ResetCodeRequest, ResetPasswordRequest,
    ResetVerifyRequest, ResetVerifyResponse, SmsCodeRequest, TokenResponse, UserProfile,
    UserResponse,
};
use gloo_net::http::Request;
use serde::de::IgnoredAny;

use super::body::{Id, Login, Register, UpdateAddress};
use super::{ApiError, Credentials, authorized, segment, send, url};

/// `POST /v1/tokens`: log in. A wrong username or password is an [`ApiError::Api`] with the
/// server's message.
pub async fn login(body: &Login) -> Result<TokenResponse, ApiError> {
    send(Request::post(&url("/v1/tokens")).json(body)).await
}

/// `POST /v1/users/captcha`: a new image captcha (asked when a login answers 10133).
pub async fn captcha() -> Result<Captcha, ApiError> {
    let answer: CaptchaResponse = send(Request::post(&url("/v1/users/captcha")).build()).await?;
    Ok(answer.data)
}

/// `DELETE /v1/tokens`: revoke the token (logout). Callers may ignore the outcome: the
/// browser forgets the token either way.
pub async fn logout(credentials: &Credentials) -> Result<(), ApiError> {
    let request = authorized(Request::delete(&url("/v1/tokens")), credentials).build();
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `POST /v1/users`: register; the answer logs the new shopper in.
pub async fn register(body: &Register) -> Result<TokenResponse, ApiError> {
    send(Request::post(&url("/v1/users")).json(body)).await
}

/// `GET /v1/users/<username>`: the shopper's profile.
pub async fn profile(credentials: &Credentials) -> Result<UserProfile, ApiError> {
    let path = format!("/v1/users/{}", segment(&credentials.username));
    let request = authorized(Request::get(&url(&path)), credentials).build();
    send::<UserResponse>(request)
        .await
        .map(|answer| answer.data)
}

/// `POST /v1/users/<username>/password`: change the password. On success the server has
/// revoked every token of the shopper, including this one.
pub async fn change_password(
    credentials: &Credentials,
    body: &ChangePasswordRequest,
) -> Result<(), ApiError> {
    let path = format!("/v1/users/{}/password", segment(&credentials.username));
    let request = authorized(Request::post(&url(&path)), credentials).json(body);
    send::<MessageResponse>(request).await.map(|_| ())
}

fn address_path(credentials: &Credentials, rest: &str) -> String {
    url(&format!(
        "/v1/users/{}/address{rest}",
        segment(&credentials.username)
    ))
}

/// `GET /v1/users/<username>/address`: the live address book, default first.
pub async fn addresses(credentials: &Credentials) -> Result<Vec<Address>, ApiError> {
    let request = authorized(Request::get(&address_path(credentials, "")), credentials).build();
    send::<AddressListResponse>(request)
        .await
        .map(|answer| answer.addresslist)
}

/// `POST /v1/users/<username>/address`: add an address; answers the new address book.
pub async fn add_address(
    credentials: &Credentials,
    body: &NewAddressRequest,
) -> Result<Vec<Address>, ApiError> {
    let request = authorized(Request::post(&address_path(credentials, "")), credentials).json(body);
    send::<AddressListResponse>(request)
        .await
        .map(|answer| answer.addresslist)
}

/// `PUT /v1/users/<username>/address/<id>`: edit an address; answers the new address book.
pub async fn update_address(
    credentials: &Credentials,
    id: i64,
    body: &UpdateAddress,
) -> Result<Vec<Address>, ApiError> {
    let path = address_path(credentials, &format!("/{id}"));
    let request = authorized(Request::put(&path), credentials).json(body);
    send::<AddressListResponse>(request)
        .await
        .map(|answer| answer.addresslist)
}

/// `DELETE /v1/users/<username>/address/<id>`: delete an address; answers the new address book.
pub async fn delete_address(credentials: &Credentials, id: i64) -> Result<Vec<Address>, ApiError> {
    let path = address_path(credentials, &format!("/{id}"));
    let request = authorized(Request::delete(&path), credentials).build();
    send::<AddressListResponse>(request)
        .await
        .map(|answer| answer.addresslist)
}

/// `POST /v1/users/<username>/address/default`: make `id` the default; answers the new book.
pub async fn set_default_address(
    credentials: &Credentials,
    id: i64,
) -> Result<Vec<Address>, ApiError> {
    let body = Id { id };
    let request = authorized(
        Request::post(&address_path(credentials, "/default")),
        credentials,
    )
    .json(&body);
    send::<AddressListResponse>(request)
        .await
        .map(|answer| answer.addresslist)
}

/// `POST /v1/users/sms/code`: send a registration code to `phone` by SMS. Too soon after the
/// last one is an [`ApiError::Api`] with status 429 and code 10131.
pub async fn send_sms_code(phone: &str) -> Result<(), ApiError> {
    let body = SmsCodeRequest {
        phone: Some(phone.to_owned()),
    };
    send::<MessageResponse>(Request::post(&url("/v1/users/sms/code")).json(&body))
        .await
        .map(|_| ())
}

/// `GET /v1/users/activation?code=`: activate the account of an activation link.
///
/// Answers `true` when this call activated the account, `false` when it was active already
/// (the link was used before).
pub async fn activate(code: &str) -> Result<bool, ApiError> {
    let path = format!("/v1/users/activation?code={}", segment(code));
    send::<MessageResponse>(Request::get(&url(&path)).build())
        .await
        .map(|answer| answer.data != "ALREADY_ACTIVE")
}

/// `POST /v1/users/<username>/activation`: mail a new activation link.
pub async fn resend_activation(credentials: &Credentials) -> Result<(), ApiError> {
    let path = format!("/v1/users/{}/activation", segment(&credentials.username));
    let request = authorized(Request::post(&url(&path)), credentials).build();
    send::<MessageResponse>(request).await.map(|_| ())
}

/// `POST /v1/users/password/sms`: mail a password-reset code to `email`.
pub async fn send_reset_code(email: &str) -> Result<(), ApiError> {
    let body = ResetCodeRequest {
        email: Some(email.to_owned()),
    };
    send::<MessageResponse>(Request::post(&url("/v1/users/password/sms")).json(&body))
        .await
        .map(|_| ())
}

/// `POST /v1/users/password/verification`: check the mailed code; answers the reset proof.
pub async fn verify_reset_code(email: &str, code: &str) -> Result<ResetVerifyResponse, ApiError> {
    let body = ResetVerifyRequest {
        email: Some(email.to_owned()),
        code: Some(code.to_owned()),
    };
    send(Request::post(&url("/v1/users/password/verification")).json(&body)).await
}

/// `POST /v1/users/password/new`: set the new password with the proof of the previous step.
pub async fn reset_password(body: &ResetPasswordRequest) -> Result<(), ApiError> {
    send::<MessageResponse>(Request::post(&url("/v1/users/password/new")).json(body))
        .await
        .map(|_| ())
}

/// `GET /v1/regions` (`code` `None`: the provinces) or `GET /v1/regions/<code>`: the
/// divisions one level down, by code; empty when the shop has no region data.
pub async fn regions(code: Option<&str>) -> Result<Vec<Region>, ApiError> {
    let path = match code {
        Some(code) => format!("/v1/regions/{}", segment(code)),
        None => "/v1/regions".to_owned(),
    };
    send::<RegionsResponse>(Request::get(&url(&path)).build())
        .await
        .map(|answer| answer.regions)
}
