//! The console's catalogs and brands (issue 25, item 1): list, create, rename, reorder, hide,
//! and delete what no SPU uses. Shoppers see each change at once (a new goods generation).

use axum::extract::{Path, State};
use axum::routing::{get, patch};
use axum::{Json, Router};
use dadashop_types::admin::{
    AdminBrand, AdminBrandsResponse, AdminCatalog, AdminCatalogsResponse, BrandRequest,
    CATALOG_NAME_MAX_CHARS, CatalogRequest,
};
use dadashop_types::{MessageResponse, codes, rules};

use super::{id_of, stale, unknown};
use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::catalog_admin::{self, Fields, Kind, Outcome};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::state::AppState;

/// The catalog and brand routes of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/catalogs", get(list_catalogs).post(create_catalog))
        .route(
            "/admin/catalogs/{id}",
            patch(change_catalog).delete(delete_catalog),
        )
        .route("/admin/brands", get(list_brands).post(create_brand))
        .route(
            "/admin/brands/{id}",
            patch(change_brand).delete(delete_brand),
        )
}

/// Every catalog, hidden ones too, in the shop's order, with its number of SPUs
/// (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/catalogs", tag = "admin", security(("staff" = [])),
    responses((status = 200, body = AdminCatalogsResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_catalogs(
    State(state): State<AppState>,
    auth: AuthStaff,
) -> ApiResult<Json<AdminCatalogsResponse>> {
    auth.require("goods.view")?;
    let data = catalog_admin::catalogs(&state.db)
        .await?
        .into_iter()
        .map(|c| AdminCatalog {
            id: c.id,
            name: c.name,
            sort_order: c.sort_order,
            is_hidden: c.is_hidden == 1,
            spu_count: c.spu_count,
            version: c.version,
        })
        .collect();
    Ok(Json(AdminCatalogsResponse {
        code: codes::OK,
        data,
    }))
}

/// Every brand, hidden ones too, by sort position, then first letter and name, with its
/// number of SPUs (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/brands", tag = "admin", security(("staff" = [])),
    responses((status = 200, body = AdminBrandsResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list_brands(
    State(state): State<AppState>,
    auth: AuthStaff,
) -> ApiResult<Json<AdminBrandsResponse>> {
    auth.require("goods.view")?;
    let data = catalog_admin::brands(&state.db)
        .await?
        .into_iter()
        .map(|b| AdminBrand {
            id: b.id,
            name: b.name,
            first_letter: b.first_letter,
            logo: super::pictures::media_url(&state, &b.logo),
            sort_order: b.sort_order,
            is_hidden: b.is_hidden == 1,
            spu_count: b.spu_count,
            version: b.version,
        })
        .collect();
    Ok(Json(AdminBrandsResponse {
        code: codes::OK,
        data,
    }))
}

/// A name of 1 to 20 characters (trimmed), if given; `required` makes it mandatory.
fn name_of(value: &Option<String>, required: bool) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None | Some("") if required => Err(ApiError::bad_params("请填写名称")),
        None => Ok(None),
        Some("") => Err(ApiError::bad_params("名称不能为空")),
        Some(name) => rules::check_text(name, CATALOG_NAME_MAX_CHARS, "名称")
            .map(|()| Some(name.to_owned()))
            .map_err(ApiError::bad_params),
    }
}

/// A sort position within ±1,000,000.
fn order_of(value: Option<i64>) -> Result<Option<i64>, ApiError> {
    match value {
        Some(v) if v.abs() > 1_000_000 => {
            Err(ApiError::bad_params("排序须在 -1000000 到 1000000 之间"))
        }
        other => Ok(other),
    }
}

/// A brand's first letter: one of `A`-`Z` (stored upper-case) or `#`.
fn letter_of(value: &Option<String>) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("#") => Ok(Some("#".to_owned())),
        Some(l) if l.len() == 1 && l.chars().all(|c| c.is_ascii_alphabetic()) => {
            Ok(Some(l.to_ascii_uppercase()))
        }
        Some(_) => Err(ApiError::bad_params("首字母须为 A-Z 中的一个字母或 #")),
    }
}

fn version_of(value: Option<i64>) -> Result<i64, ApiError> {
    value
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_params("缺少参数 version（读取时的版本）"))
}

/// The answer of a write, after announcing the goods change to every API process.
async fn finish(
    state: &AppState,
    outcome: Outcome,
    what: &str,
) -> ApiResult<Json<MessageResponse>> {
    match outcome {
        Outcome::Done => {
            if let Err(e) = crate::catalog::announce_change(&state.kv).await {
                tracing::warn!(error = %e, "could not announce a goods change");
            }
            Ok(Json(MessageResponse::ok()))
        }
        Outcome::NameTaken => Err(ApiError::Conflict {
            code: codes::ADMIN_NAME_TAKEN,
            message: format!("已有同名的{what}"),
        }),
        Outcome::Stale => Err(stale()),
        Outcome::InUse { count, names } => Err(ApiError::Conflict {
            code: codes::ADMIN_IN_USE,
            message: in_use_message(what, count, &names),
        }),
        Outcome::Unknown => Err(unknown(what)),
    }
}

/// Creates a catalog (`goods.add`): a name of 1-20 characters unique among catalogs, an
/// optional `sort_order` and `is_hidden`.
#[utoipa::path(post, path = "/v1/admin/catalogs", tag = "admin", security(("staff" = [])), request_body = CatalogRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad name or order (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 409, description = "Name taken (60105)", body = dadashop_types::ErrorBody)))]
async fn create_catalog(
    State(state): State<AppState>,
    auth: AuthStaff,
    LenientJson(req): LenientJson<CatalogRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.add")?;
    let fields = Fields {
        name: name_of(&req.name, true)?,
        sort_order: order_of(req.sort_order)?,
        is_hidden: req.is_hidden,
        first_letter: None,
    };
    let outcome = catalog_admin::create(
        &state.db,
        Kind::Catalog,
        &fields,
        &auth.actor(),
        db::now_secs(),
    )
    .await?;
    finish(&state, outcome, "分类").await
}

/// Renames, reorders, hides or shows a catalog (`goods.change`) at the `version` read.
#[utoipa::path(patch, path = "/v1/admin/catalogs/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = CatalogRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad name, order or version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown catalog (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), name taken (60105)", body = dadashop_types::ErrorBody)))]
async fn change_catalog(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<CatalogRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.change")?;
    let id = id_of(&id, "分类")?;
    let version = version_of(req.version)?;
    let fields = Fields {
        name: name_of(&req.name, false)?,
        sort_order: order_of(req.sort_order)?,
        is_hidden: req.is_hidden,
        first_letter: None,
    };
    let outcome = catalog_admin::change(
        &state.db,
        Kind::Catalog,
        id,
        version,
        &fields,
        &auth.actor(),
        db::now_secs(),
    )
    .await?;
    finish(&state, outcome, "分类").await
}

/// Deletes a catalog no SPU uses (`goods.delete`); 409 / 60106 says how many SPUs still do.
#[utoipa::path(delete, path = "/v1/admin/catalogs/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown catalog (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Still in use (60106)", body = dadashop_types::ErrorBody)))]
async fn delete_catalog(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.delete")?;
    let id = id_of(&id, "分类")?;
    let outcome =
        catalog_admin::delete(&state.db, Kind::Catalog, id, &auth.actor(), db::now_secs()).await?;
    finish(&state, outcome, "分类").await
}

/// Creates a brand (`goods.add`): a name of 1-20 characters unique among brands, its first
/// letter (`A`-`Z` or `#`, default `#`), an optional `sort_order` and `is_hidden`.
#[utoipa::path(post, path = "/v1/admin/brands", tag = "admin", security(("staff" = [])), request_body = BrandRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad name, letter or order (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 409, description = "Name taken (60105)", body = dadashop_types::ErrorBody)))]
async fn create_brand(
    State(state): State<AppState>,
    auth: AuthStaff,
    LenientJson(req): LenientJson<BrandRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.add")?;
    let fields = Fields {
        name: name_of(&req.name, true)?,
        first_letter: letter_of(&req.first_letter)?,
        sort_order: order_of(req.sort_order)?,
        is_hidden: req.is_hidden,
    };
    let outcome = catalog_admin::create(
        &state.db,
        Kind::Brand,
        &fields,
        &auth.actor(),
        db::now_secs(),
    )
    .await?;
    finish(&state, outcome, "品牌").await
}

/// Renames, reorders, hides or shows a brand, or changes its first letter (`goods.change`),
/// at the `version` read. A hidden brand's name is shown to no shopper (product pages,
/// search); its products stay on sale.
#[utoipa::path(patch, path = "/v1/admin/brands/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = BrandRequest,
    responses((status = 200, body = MessageResponse), (status = 400, description = "Bad name, letter, order or version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown brand (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102), name taken (60105)", body = dadashop_types::ErrorBody)))]
async fn change_brand(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<BrandRequest>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.change")?;
    let id = id_of(&id, "品牌")?;
    let version = version_of(req.version)?;
    let fields = Fields {
        name: name_of(&req.name, false)?,
        first_letter: letter_of(&req.first_letter)?,
        sort_order: order_of(req.sort_order)?,
        is_hidden: req.is_hidden,
    };
    let outcome = catalog_admin::change(
        &state.db,
        Kind::Brand,
        id,
        version,
        &fields,
        &auth.actor(),
        db::now_secs(),
    )
    .await?;
    finish(&state, outcome, "品牌").await
}

/// Deletes a brand no SPU uses (`goods.delete`); 409 / 60106 says how many SPUs still do.
#[utoipa::path(delete, path = "/v1/admin/brands/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown brand (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Still in use (60106)", body = dadashop_types::ErrorBody)))]
async fn delete_brand(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.delete")?;
    let id = id_of(&id, "品牌")?;
    let outcome =
        catalog_admin::delete(&state.db, Kind::Brand, id, &auth.actor(), db::now_secs()).await?;
    finish(&state, outcome, "品牌").await
}

/// The 409 / 60106 message of a delete refused because `count` SPUs use the catalog or
/// brand: where it is used, by the names of the first few (`names`), and what to do.
fn in_use_message(what: &str, count: i64, names: &[String]) -> String {
    let listed = names
        .iter()
        .map(|n| format!("“{n}”"))
        .collect::<Vec<_>>()
        .join("、");
    let more = if count > names.len() as i64 {
        " 等"
    } else {
        ""
    };
    format!(
        "该{what}仍有 {count} 个商品（SPU）在用：{listed}{more}，不能删除；请先在商品（SPU）编辑中把它们移到别的{what}"
    )
}
