//! The OpenAPI 3.1 document of the API, served at `GET /openapi.json`.
//!
//! Generated from the handlers' `#[utoipa::path]` annotations and the shared wire types, so
//! it cannot drift from the code. `dadashop openapi` prints it, and [`markdown`] renders the
//! endpoint reference of `docs/api.md` from it (a test keeps both committed copies current).

use axum::Json;
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;
use crate::state::AppState;

/// The document's root.
#[derive(OpenApi)]
#[openapi(
    info(title = "dadashop API", description = "The 达达商城 v1 HTTP API (docs/api.md)."),
    paths(
        routes::users::register,
        routes::users::profile,
        routes::users::change_password,
        routes::verification::send_sms_code,
        routes::verification::activate,
        routes::verification::resend_activation,
        routes::password_reset::send_code,
        routes::password_reset::verify_code,
        routes::password_reset::new_password,
        routes::tokens::login,
        routes::tokens::logout,
        routes::tokens::new_captcha,
        routes::addresses::list,
        routes::addresses::create,
        routes::addresses::update,
        routes::addresses::remove,
        routes::addresses::set_default,
        routes::addresses::provinces,
        routes::addresses::sub_regions,
        routes::after_sales::write_review,
        routes::after_sales::edit_review,
        routes::after_sales::product_reviews,
        routes::after_sales::ask_return,
        routes::after_sales::upload_return_picture,
        routes::admin::after_sales::list_reviews,
        routes::admin::after_sales::set_visibility,
        routes::admin::after_sales::list_returns,
        routes::admin::after_sales::one_return,
        routes::admin::after_sales::approve,
        routes::admin::after_sales::refuse,
        routes::admin::after_sales::receive,
        routes::goods::index,
        routes::goods::catalog_list,
        routes::goods::detail,
        routes::goods::switch_sku,
        routes::goods::search,
        routes::goods::history,
        routes::goods::record_history,
        routes::favourites::list,
        routes::favourites::add,
        routes::favourites::state_of,
        routes::favourites::remove,
        routes::carts::show,
        routes::carts::add,
        routes::carts::update,
        routes::carts::remove,
        routes::orders::advance,
        routes::orders::create,
        routes::orders::list,
        routes::orders::detail,
        routes::orders::cancel,
        routes::orders::buy_again,
        routes::orders::confirm,
        routes::processing::processing_get,
        routes::processing::processing_post,
        routes::payments::result,
        routes::payments::notify,
        routes::weibo::authorization,
        routes::weibo::callback,
        routes::weibo::bind,
        routes::weibo::binding,
        routes::weibo::unbind,
        routes::admin::login,
        routes::admin::logout,
        routes::admin::session,
        routes::admin::list_staff,
        routes::admin::create_staff,
        routes::admin::change_staff,
        routes::admin::list_audit,
        routes::admin::orders::list,
        routes::admin::orders::detail,
        routes::admin::orders::ship,
        routes::admin::orders::cancel,
        routes::admin::orders::refund,
        routes::admin::users::list,
        routes::admin::users::detail,
        routes::admin::users::set_disabled,
        routes::admin::dashboard::dashboard,
        routes::admin::skus::list,
        routes::admin::skus::detail,
        routes::admin::skus::change,
        routes::admin::skus::adjust_stock,
        routes::admin::skus_csv::export,
        routes::admin::skus_csv::import,
        routes::admin::spus::list,
        routes::admin::spus::detail,
        routes::admin::spus::create,
        routes::admin::spus::change,
        routes::admin::spus::add_value,
        routes::admin::spus::create_skus,
        routes::admin::catalogs::list_catalogs,
        routes::admin::catalogs::create_catalog,
        routes::admin::catalogs::change_catalog,
        routes::admin::catalogs::delete_catalog,
        routes::admin::catalogs::list_brands,
        routes::admin::catalogs::create_brand,
        routes::admin::catalogs::change_brand,
        routes::admin::catalogs::delete_brand,
        routes::admin::pictures::list,
        routes::admin::pictures::upload,
        routes::admin::pictures::arrange,
        routes::admin::pictures::remove,
        routes::admin::pictures::set_logo,
        routes::admin::pictures::remove_logo,
    ),
    modifiers(&TokenAuth),
    tags(
        (name = "users", description = "Registration, profile, password"),
        (name = "tokens", description = "Login and logout"),
        (name = "addresses", description = "The address book"),
        (name = "goods", description = "Catalog reads, search and browsing history"),
        (name = "carts", description = "The server cart"),
        (name = "orders", description = "Settlement, orders, Alipay payment, cancellation and receipt"),
        (name = "weibo", description = "Weibo login (OAuth 2.0) and account binding"),
        (name = "admin", description = "The operator console: staff sessions, orders, shipping, refunds, shoppers, staff, audit log, dashboard (a console token: `Authorization: Bearer`)"),
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
        components.add_security_scheme(
            "staff",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "The console's HS256 JWT (aud dadashop-console) from POST /v1/admin/tokens, as `Bearer <token>`",
            ))),
        );
    }
}

/// `GET /openapi.json`.
pub fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}

/// The marker lines between which `docs/api.md` holds the generated reference.
pub const MARKDOWN_BEGIN: &str =
    "<!-- generated by `dadashop openapi --markdown`: do not edit below -->";
/// See [`MARKDOWN_BEGIN`].
pub const MARKDOWN_END: &str = "<!-- end of generated reference -->";

/// Renders the endpoint reference of the document as Markdown: one section per tag, one
/// entry per operation (method and path, summary, auth, parameters, request fields, answers),
/// then every schema's fields. Deterministic, so a committed copy can be compared with it.
pub fn markdown() -> String {
    let doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let mut out = String::new();
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    for tag in doc["tags"].as_array().into_iter().flatten() {
        let name = tag["name"].as_str().unwrap_or_default();
        out += &format!("### {name}\n\n{}\n\n", text(&tag["description"]));
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                let tagged = op["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|t| t == name);
                if tagged {
                    operation(&mut out, method, path, op);
                }
            }
        }
    }
    out += "### Schemas\n\n";
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    for (name, schema) in schemas {
        out += &format!("#### `{name}`\n\n");
        if let Some(description) = schema["description"].as_str() {
            out += &format!("{}\n\n", one_line(description));
        }
        fields(&mut out, schema);
    }
    out
}

fn operation(out: &mut String, method: &str, path: &str, op: &serde_json::Value) {
    *out += &format!("#### `{} {path}`\n\n", method.to_uppercase());
    for key in ["summary", "description"] {
        if let Some(line) = op[key].as_str().filter(|s| !s.is_empty()) {
            *out += &format!("{}\n\n", line.trim());
        }
    }
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    *out += if secured {
        "Auth: `Authorization: <token>` (or `Bearer <token>`).\n\n"
    } else {
        "Auth: none.\n\n"
    };
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        *out += "| parameter | in | type | required | meaning |\n|---|---|---|---|---|\n";
        for p in params {
            *out += &format!(
                "| `{}` | {} | {} | {} | {} |\n",
                text(&p["name"]),
                text(&p["in"]),
                type_of(&p["schema"]),
                if p["required"] == true { "yes" } else { "no" },
                one_line(p["description"].as_str().unwrap_or_default()),
            );
        }
        *out += "\n";
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        for (media, body) in content {
            *out += &format!(
                "Request body (`{media}`): {}.\n\n",
                type_of(&body["schema"])
            );
        }
    }
    *out += "| status | meaning | body |\n|---|---|---|\n";
    for (status, answer) in op["responses"].as_object().into_iter().flatten() {
        let body = answer["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map(|b| type_of(&b["schema"]))
            .unwrap_or_else(|| "–".to_owned());
        *out += &format!(
            "| {status} | {} | {body} |\n",
            one_line(answer["description"].as_str().unwrap_or_default())
        );
    }
    *out += "\n";
}

fn fields(out: &mut String, schema: &serde_json::Value) {
    // A flattened struct (`allOf`): the fields of each named part, then its own.
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            if part.get("$ref").is_some() {
                *out += &format!("Every field of {}, and:\n\n", type_of(part));
            } else {
                fields(out, part);
            }
        }
        return;
    }
    let Some(properties) = schema["properties"].as_object() else {
        *out += &format!("{}\n\n", type_of(schema));
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .collect();
    *out += "| field | type | required | meaning |\n|---|---|---|---|\n";
    for (name, field) in properties {
        *out += &format!(
            "| `{name}` | {} | {} | {} |\n",
            type_of(field),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            one_line(field["description"].as_str().unwrap_or_default()),
        );
    }
    *out += "\n";
}

/// A short type name: a schema reference by name, `array of T`, or the JSON type(s).
fn type_of(schema: &serde_json::Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("[`{name}`](#{})", name.to_lowercase());
    }
    if let Some(alternatives) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let names: Vec<String> = alternatives.iter().map(type_of).collect();
        return names.join(" or ");
    }
    let kinds: Vec<&str> = match &schema["type"] {
        serde_json::Value::String(kind) => vec![kind.as_str()],
        serde_json::Value::Array(kinds) => kinds.iter().filter_map(|k| k.as_str()).collect(),
        _ => vec![],
    };
    let kinds: Vec<String> = kinds
        .into_iter()
        .map(|kind| match kind {
            "array" => format!("array of {}", type_of(&schema["items"])),
            other => match schema["format"].as_str() {
                Some(format) if other != "null" => format!("{other} ({format})"),
                _ => other.to_owned(),
            },
        })
        .collect();
    if kinds.is_empty() {
        "any".to_owned()
    } else {
        kinds.join(" or ")
    }
}

fn text(value: &serde_json::Value) -> String {
    one_line(value.as_str().unwrap_or_default())
}

/// One table cell: newlines become spaces and `|` is escaped.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
