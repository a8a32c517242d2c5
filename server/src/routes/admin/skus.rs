//! The console's SKUs (issue 25, items 3, 5 and 8): list, detail with the stock adjustments,
//! changes of name, caption, prices and launch state carrying the version read, and stock
//! adjustments. Every change reaches shoppers at once: the goods version is bumped in the
//! change's transaction and a new goods generation announced to every API process.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::admin::{
    AdminPageResponse, AdminSku, AdminSkuDetail, AdminSkuResponse, AdminSpecValue, COUNT_CAP,
    PRICE_MAX_FEN, REASON_MAX_CHARS, SKU_CAPTION_MAX_CHARS, SKU_NAME_MAX_CHARS,
    SPEC_VALUE_MAX_CHARS, STOCK_MAX, SkuChangeRequest, SpecValueRequest, StockAdjustment,
    StockChangeRequest,
};
use dadashop_types::money::{format_fen, parse_yuan};
use dadashop_types::{codes, rules};
use serde::Deserialize;

use super::{Paging, given, page_of, unknown};
use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::skus::{self, Adjusted, Changed, ConsoleSku, SkuChange, SkuFilter};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::state::AppState;

/// The SKU routes of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/skus", get(list))
        .route("/admin/skus/{id}", get(detail).patch(change))
        .route("/admin/skus/{id}/stock", post(adjust_stock))
}

/// Filters of the SKU list, besides paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkuQuery {
    /// Words of the name.
    pub q: Option<String>,
    /// A catalog id.
    pub catalog_id: Option<String>,
    /// A brand id.
    pub brand_id: Option<String>,
    /// `1` launched only, `0` not launched only.
    pub launched: Option<String>,
}

fn sku(s: &ConsoleSku, state: &AppState) -> AdminSku {
    AdminSku {
        id: s.id,
        name: s.name.clone(),
        caption: s.caption.clone(),
        spu_id: s.spu_id,
        spu_name: s.spu_name.clone(),
        catalog_id: s.catalog_id,
        catalog_name: s.catalog_name.clone(),
        price: format_fen(s.price),
        market_price: format_fen(s.market_price),
        cost_price: format_fen(s.cost_price),
        stock: s.stock,
        sales: s.sales,
        is_launched: s.is_launched == 1,
        image: super::pictures::media_url(state, &s.default_image_url),
        version: s.version,
    }
}

/// SKUs by id, with the cost price (`goods.view`), filtered by name, catalog, brand and launch
/// state.
#[utoipa::path(get, path = "/v1/admin/skus", tag = "admin", security(("staff" = [])), params(Paging, SkuQuery),
    responses((status = 200, body = AdminPageResponse<AdminSku>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
    Query(q): Query<SkuQuery>,
) -> ApiResult<Json<AdminPageResponse<AdminSku>>> {
    auth.require("goods.view")?;
    let (page, size) = paging.parse()?;
    let catalog_id = given(&q.catalog_id)
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::bad_params("catalog_id 须为分类编号"))
        })
        .transpose()?;
    let brand_id = given(&q.brand_id)
        .map(|c| {
            c.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::bad_params("brand_id 须为品牌编号"))
        })
        .transpose()?;
    let launched = match given(&q.launched) {
        None => None,
        Some("1") => Some(true),
        Some("0") => Some(false),
        Some(_) => return Err(ApiError::bad_params("launched 须为 0 或 1")),
    };
    let words = given(&q.q)
        .map(|v| {
            if v.chars().count() > SKU_NAME_MAX_CHARS {
                Err(ApiError::bad_params("搜索词最多50个字符"))
            } else {
                Ok(v.to_owned())
            }
        })
        .transpose()?;
    let filter = SkuFilter {
        q: words,
        catalog_id,
        brand_id,
        launched,
    };
    let (total, rows) = skus::list(&state.db, &filter, page, size, COUNT_CAP).await?;
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(
            rows.iter().map(|s| sku(s, &state)).collect(),
            total,
            page,
            size,
        ),
    }))
}

fn sku_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| unknown("商品"))
}

async fn load(state: &AppState, row: &ConsoleSku) -> ApiResult<AdminSkuDetail> {
    let adjustments = skus::adjustments(&state.db, row.id, 50)
        .await?
        .into_iter()
        .map(|a| StockAdjustment {
            id: a.id,
            staff_username: a.staff_username,
            stock_before: a.stock_before,
            stock_after: a.stock_after,
            delta: a.delta,
            reason: a.reason,
            created_at: a.created_at,
        })
        .collect();
    let specs = skus::specs(&state.db, row.id)
        .await?
        .into_iter()
        .map(|(spec_id, name, value)| AdminSpecValue {
            spec_id,
            name,
            value,
        })
        .collect();
    Ok(AdminSkuDetail {
        sku: sku(row, state),
        adjustments,
        specs,
        pictures: super::pictures::of_sku(state, row.id).await?,
    })
}

async fn answer(state: &AppState, row: &ConsoleSku) -> ApiResult<Json<AdminSkuResponse>> {
    Ok(Json(AdminSkuResponse {
        code: codes::OK,
        error: None,
        data: load(state, row).await?,
    }))
}

/// A SKU with its prices (cost included), stock, launch state, version and its newest 50
/// stock adjustments (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/skus/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AdminSkuResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminSkuResponse>> {
    auth.require("goods.view")?;
    let id = sku_id(&id)?;
    let row = skus::get(&state.db, id)
        .await?
        .ok_or_else(|| unknown("商品"))?;
    answer(&state, &row).await
}

/// An amount of money in yuan (at most two decimals, 0 to 1,000,000), as fen.
fn money(value: &Option<String>, what: &str) -> Result<Option<i64>, ApiError> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    parse_yuan(text)
        .filter(|fen| (0..=PRICE_MAX_FEN).contains(fen))
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_params(format!(
                "{what}须为 0 到 1000000 元的金额，最多两位小数，如 199.50"
            ))
        })
}

/// The spec values of a change of SKU `id`: each a spec of its SPU, at most once, its value
/// trimmed and at most [`SPEC_VALUE_MAX_CHARS`] characters (empty clears it).
async fn spec_values(
    state: &AppState,
    id: i64,
    given: &Option<Vec<SpecValueRequest>>,
) -> ApiResult<Option<Vec<(i64, String)>>> {
    let Some(given) = given else {
        return Ok(None);
    };
    if skus::get(&state.db, id).await?.is_none() {
        return Err(unknown("商品"));
    }
    let known = skus::specs(&state.db, id).await?;
    let mut values: Vec<(i64, String)> = Vec::with_capacity(given.len());
    for spec in given {
        let Some((_, name, _)) = known.iter().find(|(spec_id, ..)| *spec_id == spec.spec_id) else {
            return Err(ApiError::bad_params(format!(
                "规格参数 {} 不属于该商品的 SPU",
                spec.spec_id
            )));
        };
        if values.iter().any(|(spec_id, _)| *spec_id == spec.spec_id) {
            return Err(ApiError::bad_params(format!(
                "规格参数“{name}”给了不止一次"
            )));
        }
        let value = spec.value.trim();
        if !value.is_empty() {
            rules::check_text(value, SPEC_VALUE_MAX_CHARS, "规格参数值")
                .map_err(|e| ApiError::bad_params(format!("“{name}”：{e}")))?;
        }
        values.push((spec.spec_id, value.to_owned()));
    }
    Ok(Some(values))
}

/// Changes a SKU's name, caption, prices (yuan, at most two decimals), launch state or the
/// values of its SPU's specs (材质, 重量, ...: `specs`, shown to shoppers under 规格参数)
/// (`goods.change`), if it is still at the `version` read: else 409 / 60102 with the current
/// values in `data`. Shoppers see the change at once on every API process (a new goods
/// generation; the search index follows on its next search); an unlaunched SKU leaves lists,
/// detail, search and the home page, while orders holding it still show it.
#[utoipa::path(patch, path = "/v1/admin/skus/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = SkuChangeRequest,
    responses((status = 200, body = AdminSkuResponse), (status = 400, description = "Bad name, caption, money, spec value or version (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102): `data` holds the current values", body = AdminSkuResponse)))]
async fn change(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<SkuChangeRequest>,
) -> ApiResult<Response> {
    auth.require("goods.change")?;
    let id = sku_id(&id)?;
    let version = req
        .version
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_params("缺少参数 version（读取商品时的版本）"))?;
    let text = |value: &Option<String>, max: usize, what: &'static str, required: bool| match value
        .as_deref()
        .map(str::trim)
    {
        None => Ok(None),
        Some("") if required => Err(ApiError::bad_params(format!("{what}不能为空"))),
        Some(v) => rules::check_text(v, max, what)
            .map(|()| Some(v.to_owned()))
            .map_err(ApiError::bad_params),
    };
    let change = SkuChange {
        name: text(&req.name, SKU_NAME_MAX_CHARS, "名称", true)?,
        caption: text(&req.caption, SKU_CAPTION_MAX_CHARS, "副标题", false)?,
        price: money(&req.price, "售价")?,
        market_price: money(&req.market_price, "市场价")?,
        cost_price: money(&req.cost_price, "成本价")?,
        is_launched: req.is_launched,
        specs: spec_values(&state, id, &req.specs).await?,
    };
    if change.price == Some(0) {
        return Err(ApiError::bad_params("售价须大于 0"));
    }
    match skus::change(
        &state.db,
        id,
        version,
        &change,
        &auth.actor(),
        db::now_secs(),
    )
    .await?
    {
        Changed::Done(row) => {
            if let Err(e) = crate::catalog::announce_change(&state.kv).await {
                tracing::warn!(error = %e, sku_id = id, "could not announce a goods change");
            }
            tracing::info!(sku_id = id, staff_id = auth.staff.id, "SKU changed");
            Ok(answer(&state, &row).await?.into_response())
        }
        Changed::Stale(current) => Ok((
            StatusCode::CONFLICT,
            Json(AdminSkuResponse {
                code: codes::ADMIN_STALE,
                error: Some("商品已被他人修改，以下是当前的值，请确认后再保存".to_owned()),
                data: load(&state, &current).await?,
            }),
        )
            .into_response()),
        Changed::Unknown => Err(unknown("商品")),
    }
}

/// Adds or takes away units of a SKU's stock (`goods.change`) with a reason, by a relative
/// update: orders made at the same moment are neither undone nor oversold. `delta`, or
/// `set_to` with the `seen` stock (the difference is added). The stock stays within 0 and
/// 1,000,000 (400 / 10123 otherwise, with the stock now). Every adjustment is recorded (who,
/// when, before, after, reason) and listed in the SKU's detail.
#[utoipa::path(post, path = "/v1/admin/skus/{id}/stock", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = StockChangeRequest,
    responses((status = 200, body = AdminSkuResponse), (status = 400, description = "Bad delta, target or reason, or out of range (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody)))]
async fn adjust_stock(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<StockChangeRequest>,
) -> ApiResult<Json<AdminSkuResponse>> {
    auth.require("goods.change")?;
    let id = sku_id(&id)?;
    let reason = given(&req.reason).ok_or_else(|| ApiError::bad_params("请填写调整原因"))?;
    rules::check_text(reason, REASON_MAX_CHARS, "原因").map_err(ApiError::bad_params)?;
    let delta = match (req.delta, req.set_to, req.seen) {
        (Some(d), None, _) => d,
        (None, Some(target), Some(seen)) => {
            if !(0..=STOCK_MAX).contains(&target) || !(0..=STOCK_MAX).contains(&seen) {
                return Err(ApiError::bad_params("库存须为 0 到 1000000"));
            }
            target - seen
        }
        (None, Some(_), None) => {
            return Err(ApiError::bad_params("设定库存须同时给出看到的库存 seen"));
        }
        _ => return Err(ApiError::bad_params("须给出 delta，或 set_to 与 seen 之一")),
    };
    if delta == 0 || delta.abs() > STOCK_MAX {
        return Err(ApiError::bad_params(
            "调整数量须为 -1000000 到 1000000 之间的非零整数",
        ));
    }
    match skus::adjust_stock(
        &state.db,
        id,
        delta,
        STOCK_MAX,
        reason,
        &auth.actor(),
        db::now_secs(),
    )
    .await?
    {
        Adjusted::Done { before, after } => {
            tracing::info!(
                sku_id = id,
                before,
                after,
                staff_id = auth.staff.id,
                "stock adjusted"
            );
            crate::catalog::availability_changed(&state.kv, &[id]).await;
        }
        Adjusted::OutOfRange { stock } => {
            return Err(ApiError::bad_params(format!(
                "库存现为 {stock}，调整 {delta:+} 后将超出 0 到 1000000"
            )));
        }
        Adjusted::Unknown => return Err(unknown("商品")),
    }
    let row = skus::get(&state.db, id)
        .await?
        .ok_or_else(|| unknown("商品"))?;
    answer(&state, &row).await
}
