//! The console's SPUs (issue 25, items 2 and 3): list, create with sale attributes, values
//! and specs, change, add a value to a sale attribute, and make SKUs one at a time or for
//! every empty cell of the grid. Shoppers see each change at once (a new goods generation).

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::admin::{
    ATTR_NAME_MAX_CHARS, ATTR_VALUES_MAX, AdminAttrValue, AdminGridSku, AdminPageResponse,
    AdminSaleAttr, AdminSpu, AdminSpuResponse, AdminSpuRow, COUNT_CAP, GRID_MAX, NewSkuRequest,
    NewValueRequest, PRICE_MAX_FEN, SALE_ATTRS_MAX, SKU_CAPTION_MAX_CHARS, SKU_NAME_MAX_CHARS,
    SPU_DESCRIPTION_MAX_CHARS, SPU_NAME_MAX_CHARS, STOCK_MAX, SpuRequest,
};
use dadashop_types::money::{format_fen, parse_yuan};
use dadashop_types::{codes, rules};
use serde::Deserialize;

use super::{Paging, given, page_of, stale, unknown};
use crate::auth::staff::AuthStaff;
use crate::db;
use crate::db::spus::{self, NewSku, NewSpu, Outcome, SpuChange, SpuFilter, SpuRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::state::AppState;

/// The SPU routes of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/spus", get(list).post(create))
        .route("/admin/spus/{id}", get(detail).patch(change))
        .route("/admin/spus/{id}/attrs/{attr_id}/values", post(add_value))
        .route("/admin/spus/{id}/skus", post(create_skus))
}

/// Filters of the SPU list, besides paging.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpuQuery {
    /// Words of the name.
    pub q: Option<String>,
    pub catalog_id: Option<String>,
    pub brand_id: Option<String>,
}

fn row(s: &SpuRow) -> AdminSpuRow {
    AdminSpuRow {
        id: s.id,
        name: s.name.clone(),
        catalog_id: s.catalog_id,
        catalog_name: s.catalog_name.clone(),
        brand_id: s.brand_id,
        brand_name: s.brand_name.clone(),
        sku_count: s.sku_count,
        version: s.version,
    }
}

fn positive(value: &Option<String>, name: &str) -> Result<Option<i64>, ApiError> {
    given(value)
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::bad_params(format!("{name} 须为编号")))
        })
        .transpose()
}

/// SPUs by id, with their catalog, brand and number of SKUs (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/spus", tag = "admin", security(("staff" = [])), params(Paging, SpuQuery),
    responses((status = 200, body = AdminPageResponse<AdminSpuRow>), (status = 400, description = "Bad filter (10123) or page (40200)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthStaff,
    Query(paging): Query<Paging>,
    Query(q): Query<SpuQuery>,
) -> ApiResult<Json<AdminPageResponse<AdminSpuRow>>> {
    auth.require("goods.view")?;
    let (page, size) = paging.parse()?;
    let filter = SpuFilter {
        q: given(&q.q)
            .filter(|v| v.chars().count() <= SPU_NAME_MAX_CHARS)
            .map(str::to_owned),
        catalog_id: positive(&q.catalog_id, "catalog_id")?,
        brand_id: positive(&q.brand_id, "brand_id")?,
    };
    let (total, rows) = spus::list(&state.db, &filter, page, size, COUNT_CAP).await?;
    Ok(Json(AdminPageResponse {
        code: codes::OK,
        data: page_of(rows.iter().map(row).collect(), total, page, size),
    }))
}

/// The SPU with its attributes, values, specs, SKUs and the grid's empty cells.
async fn load(state: &AppState, id: i64) -> ApiResult<AdminSpu> {
    let spu = spus::get(&state.db, id)
        .await?
        .ok_or_else(|| unknown("商品（SPU）"))?;
    let mut sale_attrs: Vec<AdminSaleAttr> = Vec::new();
    for (attr_id, attr_name, value_id, value_name) in spus::sale_values(&state.db, id).await? {
        if sale_attrs.last().is_none_or(|a| a.id != attr_id) {
            sale_attrs.push(AdminSaleAttr {
                id: attr_id,
                name: attr_name,
                values: Vec::new(),
            });
        }
        if let (Some(id), Some(name), Some(last)) = (value_id, value_name, sale_attrs.last_mut()) {
            last.values.push(AdminAttrValue { id, name });
        }
    }
    let mut skus: BTreeMap<i64, AdminGridSku> = BTreeMap::new();
    for r in spus::grid(&state.db, id).await? {
        let entry = skus.entry(r.id).or_insert_with(|| AdminGridSku {
            id: r.id,
            name: r.name.clone(),
            price: format_fen(r.price),
            stock: r.stock,
            is_launched: r.is_launched == 1,
            value_ids: Vec::new(),
        });
        if let Some(v) = r.value_id {
            entry.value_ids.push(v);
        }
    }
    // Each SKU's values in the attributes' order.
    let order: Vec<Vec<i64>> = sale_attrs
        .iter()
        .map(|a| a.values.iter().map(|v| v.id).collect())
        .collect();
    let mut taken = HashSet::new();
    let skus: Vec<AdminGridSku> = skus
        .into_values()
        .map(|mut sku| {
            sku.value_ids = order
                .iter()
                .filter_map(|values| sku.value_ids.iter().copied().find(|v| values.contains(v)))
                .collect();
            let mut sorted = sku.value_ids.clone();
            sorted.sort_unstable();
            taken.insert(sorted);
            sku
        })
        .collect();
    let attrs: Vec<(i64, Vec<i64>)> = sale_attrs
        .iter()
        .map(|a| (a.id, a.values.iter().map(|v| v.id).collect()))
        .collect();
    let missing = spus::combinations(&attrs)
        .into_iter()
        .filter(|cell| {
            let mut sorted = cell.clone();
            sorted.sort_unstable();
            !taken.contains(&sorted)
        })
        .collect();
    Ok(AdminSpu {
        spu: row(&spu),
        description: spu.description.clone(),
        specs: spus::specs(&state.db, id).await?,
        sale_attrs,
        skus,
        missing,
    })
}

fn spu_id(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| unknown("商品（SPU）"))
}

async fn answer(state: &AppState, id: i64) -> ApiResult<Json<AdminSpuResponse>> {
    Ok(Json(AdminSpuResponse {
        code: codes::OK,
        error: None,
        data: load(state, id).await?,
    }))
}

/// An SPU with its sale attributes and values, specs, SKUs (with their values in the
/// attributes' order) and the combinations no SKU has yet (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/spus/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AdminSpuResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SPU (60103)", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminSpuResponse>> {
    auth.require("goods.view")?;
    answer(&state, spu_id(&id)?).await
}

/// A trimmed, checked text of at most `max` characters (`None`: not given).
fn text(
    value: &Option<String>,
    max: usize,
    what: &'static str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None if required => Err(ApiError::bad_params(format!("请填写{what}"))),
        None => Ok(None),
        Some("") if required => Err(ApiError::bad_params(format!("{what}不能为空"))),
        Some(v) => rules::check_text(v, max, what)
            .map(|()| Some(v.to_owned()))
            .map_err(ApiError::bad_params),
    }
}

/// A description: plain text of at most 2,000 characters, line breaks kept (CRLF as LF),
/// no other control character.
fn description(value: &Option<String>) -> Result<Option<String>, ApiError> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let normalized = raw.replace("\r\n", "\n").trim().to_owned();
    if normalized.chars().count() > SPU_DESCRIPTION_MAX_CHARS {
        return Err(ApiError::bad_params("描述最多2000个字符"));
    }
    if normalized
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || rules::is_invisible_format(c))
    {
        return Err(ApiError::bad_params("描述含有不可见的控制字符"));
    }
    Ok(Some(normalized))
}

/// A list of distinct names, each checked.
fn names(list: &[String], what: &'static str, max: usize) -> Result<Vec<String>, ApiError> {
    if list.len() > max {
        return Err(ApiError::bad_params(format!("{what}最多{max}个")));
    }
    let mut out: Vec<String> = Vec::new();
    for name in list {
        let name = text(&Some(name.clone()), ATTR_NAME_MAX_CHARS, what, true)?.unwrap_or_default();
        if out.contains(&name) {
            return Err(ApiError::bad_params(format!("{what}“{name}”重复了")));
        }
        out.push(name);
    }
    Ok(out)
}

fn outcome(o: Outcome) -> ApiResult<i64> {
    match o {
        Outcome::Done(id) => Ok(id),
        Outcome::NoSuchCatalogOrBrand => Err(ApiError::bad_params("分类或品牌不存在")),
        Outcome::Stale => Err(stale()),
        Outcome::Duplicate => Err(ApiError::Conflict {
            code: codes::ADMIN_NAME_TAKEN,
            message: "已有相同的规格值或相同规格组合的 SKU".to_owned(),
        }),
        Outcome::BadCombination => Err(ApiError::bad_params(
            "须为每个销售属性各选一个该商品的值（按属性的顺序）",
        )),
        Outcome::Unknown => Err(unknown("商品（SPU）或属性")),
    }
}

async fn announce(state: &AppState) {
    if let Err(e) = crate::catalog::announce_change(&state.kv).await {
        tracing::warn!(error = %e, "could not announce a goods change");
    }
}

/// Creates an SPU (`goods.add`): name, catalog, brand, description (plain text), up to 3
/// sale attributes each with up to 20 values in order, and spec names. No SKU yet: make them
/// with `POST /v1/admin/spus/{id}/skus`.
#[utoipa::path(post, path = "/v1/admin/spus", tag = "admin", security(("staff" = [])), request_body = SpuRequest,
    responses((status = 200, body = AdminSpuResponse), (status = 400, description = "Bad field, unknown catalog or brand (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    auth: AuthStaff,
    LenientJson(req): LenientJson<SpuRequest>,
) -> ApiResult<Json<AdminSpuResponse>> {
    auth.require("goods.add")?;
    let name = text(&req.name, SPU_NAME_MAX_CHARS, "名称", true)?.unwrap_or_default();
    let catalog_id = req
        .catalog_id
        .filter(|c| *c > 0)
        .ok_or_else(|| ApiError::bad_params("请选择分类"))?;
    let brand_id = req
        .brand_id
        .filter(|b| *b > 0)
        .ok_or_else(|| ApiError::bad_params("请选择品牌"))?;
    let attrs = req.sale_attrs.clone().unwrap_or_default();
    if attrs.is_empty() || attrs.len() > SALE_ATTRS_MAX {
        return Err(ApiError::bad_params("销售属性须为1到3个（如 颜色、尺寸）"));
    }
    let attr_names = names(
        &attrs.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "销售属性",
        SALE_ATTRS_MAX,
    )?;
    let mut sale_attrs = Vec::new();
    let mut cells: usize = 1;
    for (attr, name) in attrs.iter().zip(attr_names) {
        let values = names(&attr.values, "属性值", ATTR_VALUES_MAX)?;
        if values.is_empty() {
            return Err(ApiError::bad_params(format!(
                "销售属性“{name}”至少要有一个值"
            )));
        }
        cells = cells.saturating_mul(values.len());
        sale_attrs.push((name, values));
    }
    if cells > GRID_MAX {
        return Err(ApiError::bad_params("规格组合最多100种"));
    }
    let new = NewSpu {
        name,
        catalog_id,
        brand_id,
        description: description(&req.description)?.unwrap_or_default(),
        sale_attrs,
        specs: names(&req.specs.clone().unwrap_or_default(), "规格参数", 20)?,
    };
    let id = outcome(spus::create(&state.db, &new, &auth.actor(), db::now_secs()).await?)?;
    announce(&state).await;
    answer(&state, id).await
}

/// Changes an SPU's name, catalog, brand or description (`goods.change`) at the `version`
/// read: else 409 / 60102 with the SPU as it is now in `data` (as a SKU's change answers).
#[utoipa::path(patch, path = "/v1/admin/spus/{id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = SpuRequest,
    responses((status = 200, body = AdminSpuResponse), (status = 400, description = "Bad field or version, unknown catalog or brand (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SPU (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "Changed since read (60102): `data` holds the current values", body = AdminSpuResponse)))]
async fn change(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<SpuRequest>,
) -> ApiResult<Response> {
    auth.require("goods.change")?;
    let id = spu_id(&id)?;
    let version = req
        .version
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::bad_params("缺少参数 version（读取时的版本）"))?;
    if req.sale_attrs.is_some() || req.specs.is_some() {
        return Err(ApiError::bad_params(
            "销售属性与规格参数只能在新建时给出；给属性添加值用 attrs/{attr_id}/values",
        ));
    }
    let change = SpuChange {
        name: text(&req.name, SPU_NAME_MAX_CHARS, "名称", false)?,
        catalog_id: req.catalog_id,
        brand_id: req.brand_id,
        description: description(&req.description)?,
    };
    let changed = spus::change(
        &state.db,
        id,
        version,
        &change,
        &auth.actor(),
        db::now_secs(),
    )
    .await?;
    if changed == Outcome::Stale {
        return Ok((
            StatusCode::CONFLICT,
            Json(AdminSpuResponse {
                code: codes::ADMIN_STALE,
                error: Some("商品（SPU）已被他人修改，以下是当前的值，请确认后再保存".to_owned()),
                data: load(&state, id).await?,
            }),
        )
            .into_response());
    }
    outcome(changed)?;
    announce(&state).await;
    Ok(answer(&state, id).await?.into_response())
}

/// Adds a value to one of the SPU's sale attributes (`goods.change`): a name not among its
/// values (409 / 60105). The answer's `missing` lists the grid cells that now have no SKU:
/// `POST .../skus` with `fill_grid` makes them.
#[utoipa::path(post, path = "/v1/admin/spus/{id}/attrs/{attr_id}/values", tag = "admin", security(("staff" = [])), params(("id" = i64, Path), ("attr_id" = i64, Path)), request_body = NewValueRequest,
    responses((status = 200, body = AdminSpuResponse), (status = 400, description = "Bad name (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SPU or attribute (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "The value exists (60105)", body = dadashop_types::ErrorBody)))]
async fn add_value(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path((id, attr_id)): Path<(String, String)>,
    LenientJson(req): LenientJson<NewValueRequest>,
) -> ApiResult<Json<AdminSpuResponse>> {
    auth.require("goods.change")?;
    let id = spu_id(&id)?;
    let attr_id = spu_id(&attr_id)?;
    let name = text(&req.name, ATTR_NAME_MAX_CHARS, "属性值", true)?.unwrap_or_default();
    let spu = load(&state, id).await?;
    let attr = spu
        .sale_attrs
        .iter()
        .find(|a| a.id == attr_id)
        .ok_or_else(|| unknown("销售属性"))?;
    let others: usize = spu
        .sale_attrs
        .iter()
        .filter(|a| a.id != attr_id)
        .map(|a| a.values.len().max(1))
        .product();
    if attr.values.len() >= ATTR_VALUES_MAX || (attr.values.len() + 1) * others > GRID_MAX {
        return Err(ApiError::bad_params("属性值最多20个，规格组合最多100种"));
    }
    outcome(spus::add_value(&state.db, id, attr_id, &name, &auth.actor(), db::now_secs()).await?)?;
    announce(&state).await;
    answer(&state, id).await
}

fn money(value: &Option<String>, what: &str, required: bool) -> Result<i64, ApiError> {
    match given(value) {
        None if required => Err(ApiError::bad_params(format!("请填写{what}"))),
        None => Ok(0),
        Some(text) => parse_yuan(text)
            .filter(|fen| (0..=PRICE_MAX_FEN).contains(fen))
            .ok_or_else(|| {
                ApiError::bad_params(format!("{what}须为 0 到 1000000 元的金额，最多两位小数"))
            }),
    }
}

/// Makes SKUs of an SPU (`goods.add`): one with `value_ids` (one value of each sale
/// attribute, in the attributes' order; a combination no SKU has: 409 / 60105), or with
/// `fill_grid` one for every empty cell, named after the SPU and the values. Price required
/// (yuan, above 0), market and cost price, stock (0 to 1,000,000), launched (default no).
#[utoipa::path(post, path = "/v1/admin/spus/{id}/skus", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = NewSkuRequest,
    responses((status = 200, body = AdminSpuResponse), (status = 400, description = "Bad field or combination (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SPU (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "A SKU has this combination (60105)", body = dadashop_types::ErrorBody)))]
async fn create_skus(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<NewSkuRequest>,
) -> ApiResult<Json<AdminSpuResponse>> {
    auth.require("goods.add")?;
    let id = spu_id(&id)?;
    let price = money(&req.price, "售价", true)?;
    if price == 0 {
        return Err(ApiError::bad_params("售价须大于 0"));
    }
    let market_price = money(&req.market_price, "市场价", false)?;
    let cost_price = money(&req.cost_price, "成本价", false)?;
    let stock = req.stock.unwrap_or(0);
    if !(0..=STOCK_MAX).contains(&stock) {
        return Err(ApiError::bad_params("库存须为 0 到 1000000"));
    }
    let caption = text(&req.caption, SKU_CAPTION_MAX_CHARS, "副标题", false)?.unwrap_or_default();
    let spu = load(&state, id).await?;
    let value_name = |v: i64| {
        spu.sale_attrs
            .iter()
            .flat_map(|a| a.values.iter())
            .find(|x| x.id == v)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let named = |values: &[i64]| {
        let mut name = spu.spu.name.clone();
        for v in values {
            name.push(' ');
            name.push_str(&value_name(*v));
        }
        name.chars().take(SKU_NAME_MAX_CHARS).collect::<String>()
    };
    let cells: Vec<Vec<i64>> = if req.fill_grid == Some(true) {
        if spu.missing.is_empty() {
            return Err(ApiError::bad_params("规格组合都已有 SKU"));
        }
        spu.missing.clone()
    } else {
        vec![
            req.value_ids
                .clone()
                .ok_or_else(|| ApiError::bad_params("缺少参数 value_ids（每个销售属性一个值）"))?,
        ]
    };
    let single_name = text(&req.name, SKU_NAME_MAX_CHARS, "名称", false)?;
    let skus: Vec<NewSku> = cells
        .into_iter()
        .map(|values| NewSku {
            name: match (&single_name, req.fill_grid) {
                (Some(n), None | Some(false)) => n.clone(),
                _ => named(&values),
            },
            caption: caption.clone(),
            price,
            market_price,
            cost_price,
            stock,
            is_launched: req.is_launched.unwrap_or(false),
            value_ids: values,
        })
        .collect();
    outcome(spus::create_skus(&state.db, id, &skus, &auth.actor(), db::now_secs()).await?)?;
    announce(&state).await;
    answer(&state, id).await
}
