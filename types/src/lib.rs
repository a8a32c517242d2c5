//! The wire contract of the dadashop v1 API (`docs/api.md`), typed once.
//!
//! Both the axum server and the Leptos SPA depend on this crate so that the two sides cannot
//! drift. It holds only serde types, the business codes and the input rules that both sides
//! check (the SPA inline, the server authoritatively). It must never depend on a web framework.

pub mod codes;
pub mod goods;
pub mod money;
pub mod orders;
pub mod routes;
pub mod rules;
pub mod users;
pub mod weibo;

use serde::{Deserialize, Serialize};

/// Body of every failed request: `{"code": <business code>, "error": "<zh-CN message>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// A business code from [`codes`], or the HTTP status for generic failures.
    pub code: u32,
    /// Human-readable message in Chinese, safe to show to the shopper.
    pub error: String,
}

/// A success answer whose payload is a short message, e.g. `{"code": 200, "data": "OK"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageResponse {
    /// Always 200.
    pub code: u32,
    /// The message, `"OK"` for most operations.
    pub data: String,
}

impl MessageResponse {
    /// `{"code": 200, "data": "OK"}`.
    pub fn ok() -> Self {
        Self {
            code: codes::OK,
            data: "OK".to_owned(),
        }
    }
}
