//! The only module of the app that talks HTTP.
//!
//! Every call goes to the dadashop v1 API (`docs/api.md`) on another origin, found through
//! [`base_url`]. Calls return typed answers from `dadashop-types` or an [`ApiError`] that keeps
//! the three ways a call can fail apart: no answer at all ([`ApiError::Network`]), an error
//! answer from the server ([`ApiError::Api`], which carries the server's zh-CN message), and an
//! answer of an unexpected shape ([`ApiError::Decode`]).
//!
//! Pages never build URLs or headers themselves. Reacting to a 401 (forgetting the session and
//! going to the login page) is the caller's job through `state::Auth::check`, so that this module
//! stays free of routing and UI state.

pub mod admin;
pub mod admin_after_sales;
pub mod admin_catalog;
pub mod after_sales;
pub mod body;
pub mod carts;
pub mod favourites;
pub mod goods;
pub mod orders;
pub mod users;
pub mod weibo;

use std::fmt;
use std::sync::OnceLock;

use dadashop_types::{ErrorBody, codes};
use gloo_net::http::{Request, RequestBuilder};
use serde::de::DeserializeOwned;

/// Where the API lives when `index.html` does not say: the development default of docs/api.md.
pub const DEFAULT_API_URL: &str = "http://127.0.0.1:8000";

/// `name` of the `<meta>` element whose `content` holds the API origin. The server's web origin
/// rewrites it with the configured `PUBLIC_API_URL` when it serves `index.html`.
pub const API_URL_META: &str = "dadashop-api-url";

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No HTTP answer: offline, DNS failure, the server is down, or the browser refused the
    /// answer (CORS). The detail is for logs only; the message shown is generic.
    #[error("无法连接服务器，请检查网络后重试")]
    Network(String),
    /// The server answered with an error: HTTP `status`, business `code` (see
    /// `dadashop_types::codes`) and the server's own zh-CN `message`, fit to show as is.
    #[error("{message}")]
    Api {
        /// HTTP status, e.g. 400, 401, 409.
        status: u16,
        /// Business code from the `code` field, or the HTTP status if the body had none.
        code: u32,
        /// The `error` field of the answer.
        message: String,
    },
    /// A success answer that does not have the documented shape (a contract mismatch).
    #[error("服务器返回的数据无法识别，请稍后再试")]
    Decode(String),
}

impl ApiError {
    /// Whether the token was missing, invalid, expired or revoked (HTTP 401): the session is over.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Api { status: 401, .. })
    }
}

/// The logged-in shopper as the API sees them: the username used in paths and the JWT.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Username, 1-11 word characters (may be Chinese).
    pub username: String,
    /// The JWT sent as `Authorization: Bearer <token>`.
    pub token: String,
}

impl fmt::Debug for Credentials {
    // The token is a bearer secret: keep it out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The API origin without a trailing slash, e.g. `http://127.0.0.1:8000`.
///
/// Read once from `<meta name="dadashop-api-url" content="...">`; falls back to
/// [`DEFAULT_API_URL`] when the element is missing or does not hold an http(s) URL.
pub fn base_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        read_meta_content(API_URL_META)
            .and_then(|raw| normalize_base_url(&raw))
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned())
    })
}

/// Trims spaces and trailing slashes; `None` unless the result is an `http://` or `https://` URL
/// with something after the scheme.
pub fn normalize_base_url(raw: &str) -> Option<String> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    (!rest.is_empty()).then(|| url.to_owned())
}

fn read_meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let selector = format!("meta[name=\"{name}\"]");
    document
        .query_selector(&selector)
        .ok()??
        .get_attribute("content")
}

/// Full URL of an API path such as `/v1/goods/index`.
fn url(path: &str) -> String {
    format!("{}{path}", base_url())
}

/// Percent-encodes one path segment (usernames may be Chinese), keeping RFC 3986 unreserved
/// characters as they are.
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Adds the bearer token.
fn authorized(builder: RequestBuilder, credentials: &Credentials) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {}", credentials.token))
}

/// Sends a built request and decodes the answer.
///
/// Only the decoding depends on `T`: the exchange itself is one non-generic future
/// ([`exchange`]), so each answer type adds its serde code and little else to the wasm
/// module.
async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    let (status, body) = exchange(request).await?;
    decode_body(status, &body)
}

/// Sends a built request; answers the HTTP status and the body text.
async fn exchange(request: Result<Request, gloo_net::Error>) -> Result<(u16, String), ApiError> {
    // Building fails only when the body cannot be serialised, which our own types never do;
    // report it as a network-level failure rather than panicking.
    let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    Ok((status, body))
}

/// The pure part of [`send`]: a 2xx body must be a `T`; anything else should be an
/// [`ErrorBody`]. A 2xx body that is an error body (legacy style) counts as an error too.
fn decode_body<T: DeserializeOwned>(status: u16, body: &str) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        match serde_json::from_str::<T>(body) {
            Ok(value) => Ok(value),
            Err(shape_error) => match serde_json::from_str::<ErrorBody>(body) {
                Ok(err) if err.code != codes::OK => Err(ApiError::Api {
                    status,
                    code: err.code,
                    message: err.error,
                }),
                _ => Err(ApiError::Decode(shape_error.to_string())),
            },
        }
    } else {
        Err(match serde_json::from_str::<ErrorBody>(body) {
            Ok(err) => ApiError::Api {
                status,
                code: err.code,
                message: err.error,
            },
            Err(_) => ApiError::Api {
                status,
                code: u32::from(status),
                message: fallback_message(status).to_owned(),
            },
        })
    }
}

/// What to say when an error answer has no `{code, error}` body (a proxy's error page, say).
fn fallback_message(status: u16) -> &'static str {
    match status {
        400 => "请求参数有误",
        401 => "登录已过期，请重新登录",
        403 => "没有权限执行此操作",
        404 => "请求的内容不存在",
        409 => "操作冲突，请刷新后重试",
        429 => "操作太频繁，请稍后再试",
        500..=599 => "服务器暂时不可用，请稍后再试",
        _ => "请求失败，请稍后再试",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dadashop_types::MessageResponse;

    #[test]
    fn base_urls_lose_trailing_slashes_and_need_a_scheme() {
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8000/").as_deref(),
            Some("http://127.0.0.1:8000")
        );
        assert_eq!(
            normalize_base_url(" https://api.example.com ").as_deref(),
            Some("https://api.example.com")
        );
        assert_eq!(normalize_base_url(""), None);
        assert_eq!(normalize_base_url("http://"), None);
        assert_eq!(normalize_base_url("{{PUBLIC_API_URL}}"), None);
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(segment("tom_1"), "tom_1");
        assert_eq!(segment("张三"), "%E5%BC%A0%E4%B8%89");
        assert_eq!(segment("a/b?"), "a%2Fb%3F");
    }

    #[test]
    fn error_bodies_become_api_errors_with_the_server_message() {
        let err =
            decode_body::<MessageResponse>(400, r#"{"code":10104,"error":"用户名或密码错误"}"#)
                .expect_err("a 400 is an error");
        assert_eq!(
            err,
            ApiError::Api {
                status: 400,
                code: 10104,
                message: "用户名或密码错误".into()
            }
        );
        assert_eq!(err.to_string(), "用户名或密码错误");

        let err = decode_body::<MessageResponse>(401, "<html>").expect_err("a 401 is an error");
        assert!(err.is_unauthorized());

        let err = decode_body::<MessageResponse>(200, r#"{"code":10123,"error":"参数错误"}"#)
            .expect_err("a legacy error body is an error");
        assert!(matches!(err, ApiError::Api { code: 10123, .. }));

        let err = decode_body::<MessageResponse>(200, "[]").expect_err("wrong shape");
        assert!(matches!(err, ApiError::Decode(_)));

        let ok = decode_body::<MessageResponse>(200, r#"{"code":200,"data":"OK"}"#);
        assert_eq!(ok, Ok(MessageResponse::ok()));
    }
}
