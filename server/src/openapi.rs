//! The OpenAPI 3.1 document of the API, served at `GET /openapi.json`.
//!
//! Generated from the handlers' `#[utoipa::path]` annotations and the shared wire types, so
//! it cannot drift from the code. It documents what API.md leaves to design, such as
//! `DELETE /v1/tokens` (logout) and the error statuses.

use axum::Json;
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;
use crate::state::AppState;

/// The document's root.
#[derive(OpenApi)]
#[openapi(
    info(title = "dadashop API", description = "The 达达商城 v1 HTTP API (shared/API.md)."),
    paths(
        routes::users::register,
        routes::users::profile,
        routes::users::change_password,
        routes::tokens::login,
        routes::tokens::logout,
        routes::addresses::list,
        routes::addresses::create,
        routes::addresses::update,
        routes::addresses::remove,
        routes::addresses::set_default,
        routes::goods::index,
    ),
    modifiers(&TokenAuth),
    tags(
        (name = "users", description = "Registration, profile, password"),
        (name = "tokens", description = "Login and logout"),
        (name = "addresses", description = "The address book"),
        (name = "goods", description = "Catalog reads"),
    )
)]
pub struct ApiDoc;

/// The `token` security scheme: the JWT in `Authorization`, raw or as `Bearer <token>`.
struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "HS256 JWT from POST /v1/tokens, sent raw or as `Bearer <token>`",
            ))),
        );
    }
}

/// `GET /openapi.json`.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
