//! Request extractors whose rejections use the shop's error format.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body parsed whatever the `Content-Type` says: the legacy jQuery pages send JSON
/// text as `application/x-www-form-urlencoded` (docs/api.md "Conventions"). An empty body reads
/// as `{}`, so that missing fields get their own business codes. Rejections: 413 when the
/// body exceeds the router's limit, 400 / 10123 when it is not a JSON object of the expected
/// shape (serde would otherwise match a JSON array to the fields by position).
#[derive(Debug, Clone, Copy, Default)]
pub struct LenientJson<T>(pub T);

impl<S, T> FromRequest<S> for LenientJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_params("无法读取请求内容")
            }
        })?;
        let text: &[u8] = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            None => b"{}",
            Some(b'{') => &bytes,
            Some(_) => return Err(ApiError::bad_params("请求内容必须是JSON对象")),
        };
        serde_json::from_slice(text).map(LenientJson).map_err(|e| {
            let message = if e.is_data() {
                "参数类型错误"
            } else {
                "请求内容不是有效的JSON"
            };
            ApiError::bad_params(message)
        })
    }
}

/// A required text field: present and, after trimming surrounding spaces, non-empty.
pub fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::bad_params(format!("缺少参数 {name}"))),
    }
}

/// A required secret field (a password): present and non-empty, returned exactly as sent.
/// Passwords are never trimmed or altered: spaces are part of them (ASVS 5.0 V6.2.x).
pub fn required_exact<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, ApiError> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(ApiError::bad_params(format!("缺少参数 {name}"))),
    }
}

/// A whole number given as a JSON number or a numeric string (the legacy pages send both).
pub fn whole_number(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An id given as a JSON number or a numeric string (the legacy pages send both); positive.
pub fn id_value(value: &serde_json::Value) -> Option<i64> {
    whole_number(value).filter(|id| *id > 0)
}
