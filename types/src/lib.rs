//! The wire contract of the dadashop v1 API (`docs/api.md`), typed once.
//!
//! Both the axum server and the Leptos SPA depend on this crate so that the two sides cannot
//! drift. It holds only serde types, the business codes and the input rules that both sides
//! check (the SPA inline, the server authoritatively). It must never depend on a web framework.

pub mod admin;
pub mod after_sales;
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

/// The OpenAPI schema of a whole number that may come as a JSON number or as a string of
/// digits, as the original's jQuery pages send ids and counts (`"sku_id": "3"`). Only for the
/// document (`schema(value_type = ..., inline)`); the server reads such fields as JSON values.
#[cfg(feature = "openapi")]
#[derive(Debug)]
pub struct NumberOrDigits;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for NumberOrDigits {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
        let one_of = OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^\s*-?[0-9]+\s*$")),
            )
            .description(Some(
                "A whole number, as a JSON number or a string of digits.",
            ))
            .build();
        utoipa::openapi::RefOr::T(Schema::OneOf(one_of))
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for NumberOrDigits {}
