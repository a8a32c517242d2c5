//! Goods reads (docs/api.md "Goods"): the home page, catalog lists, product detail, SKU
//! switching by sale attribute values, search, and the shopper's browsing history.
//!
//! Only launched SKUs ever leave this module. `GET` answers are cached in process for the
//! current goods generation (crate::catalog) and carry a strong `ETag` with `Cache-Control:
//! public, no-cache`: browsers and proxies keep them but ask again each time, and get
//! `304 Not Modified` while nothing changed, so a changed price shows at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::goods::{
    CatalogListResponse, DetailResponse, HistoryRequest, HistoryResponse, IndexCatalog,
    IndexResponse, IndexSku, ListSku, PAGE_SIZE, Paginator, SearchResponse, SkuDetail,
    SkuSwitchResponse,
};
use dadashop_types::money::{format_fen, parse_yuan};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::catalog::{self, Cached};
use crate::db::goods::{self, ListOrder, ListQuery, ListSkuRow};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value};
use crate::state::AppState;
use sqlx::AnyPool;

/// `Cache-Control` of cached goods answers: may be stored, must be revalidated every time.
pub const GOODS_CACHE_CONTROL: &str = "public, no-cache";

/// The goods endpoints and the browsing history.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/goods/index", get(index))
        .route("/goods/catalogs/{catalog_id}", get(catalog_list))
        .route("/goods/detail/{sku_id}", get(detail))
        .route("/goods/sku", post(switch_sku))
        .route("/goods/search", post(search))
        .route(
            "/users/{username}/history",
            get(history).post(record_history),
        )
}

fn list_sku(row: ListSkuRow) -> ListSku {
    ListSku {
        skuid: row.id,
        name: row.name,
        price: format_fen(row.price),
        image: row.default_image_url,
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))
}

/// The cached answer under `key` for the current goods generation, built by `build` when
/// missing, answered as 304 when the request's `If-None-Match` names its ETag. `build` gets
/// the pool to read: the replica when it may serve (crate::db::replica), else the primary;
/// it runs again on the primary when the replica fails.
async fn cached<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    key: String,
    build: F,
) -> ApiResult<Response>
where
    F: Fn(AnyPool) -> Fut,
    Fut: Future<Output = ApiResult<Vec<u8>>>,
{
    let generation = catalog::read_generation(&state.kv).await;
    let entry = match state.goods_cache.get(&generation, &key) {
        Some(entry) => entry,
        None => {
            let entry = Cached::new(state.catalog_reads(&generation).run(build).await?);
            state.goods_cache.put(&generation, key, entry.clone());
            entry
        }
    };
    Ok(respond(headers, &entry))
}

/// Whether `If-None-Match` (a list of ETags, maybe weak, or `*`) matches `etag`
/// (RFC 9110 13.1.2: weak comparison).
fn etag_matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(wanted) = etag.to_str().ok() else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == wanted)
}

fn respond(headers: &HeaderMap, entry: &Cached) -> Response {
    let cache_control = HeaderValue::from_static(GOODS_CACHE_CONTROL);
    if etag_matches(headers, &entry.etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, entry.etag.clone()),
                (header::CACHE_CONTROL, cache_control),
            ],
        )
            .into_response();
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::ETAG, entry.etag.clone()),
            (header::CACHE_CONTROL, cache_control),
        ],
        Body::from(entry.body.clone()),
    )
        .into_response()
}

/// Every catalog with its first three launched SKUs (a catalog without any has an empty
/// `sku` list), and `base_url` to prefix the image paths with. Cached; `ETag`/304.
#[utoipa::path(get, path = "/v1/goods/index", tag = "goods",
    responses((status = 200, body = IndexResponse, description = "With `ETag` and `Cache-Control: public, no-cache`"),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 503, body = dadashop_types::ErrorBody)))]
async fn index(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let state = &state;
    cached(state, &headers, "index".to_owned(), |db| async move {
        let catalogs = goods::catalogs(&db).await?;
        let mut by_catalog: HashMap<i64, Vec<IndexSku>> = HashMap::new();
        for row in goods::index_skus(&db).await? {
            by_catalog
                .entry(row.catalog_id)
                .or_default()
                .push(IndexSku {
                    skuid: row.id,
                    caption: row.caption,
                    name: row.name,
                    price: format_fen(row.price),
                    image: row.default_image_url,
                });
        }
        let data = catalogs
            .into_iter()
            .map(|c| IndexCatalog {
                catalog_id: c.id,
                catalog_name: c.name,
                sku: by_catalog.remove(&c.id).unwrap_or_default(),
            })
            .collect();
        to_json(&IndexResponse {
            code: codes::OK,
            data,
            base_url: state.settings.media_base_url(),
        })
    })
    .await
}

/// Query of a catalog list. Every field is text so that bad values get the shop's codes.
/// The legacy pages' `launched=true` is accepted and ignored (as is any other parameter):
/// lists only ever hold launched SKUs.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page number from 1 (absent or empty: 1); not a whole number, below 1 or past the
    /// last page: 40200. An empty list has one (empty) page.
    #[param(value_type = Option<String>, pattern = r"^[0-9]*$")]
    page: Option<String>,
    /// `default` (by id), `price` (cheapest first), `-price` (dearest first), `sales` (best
    /// selling first), `new` (newest first); anything else: 10123.
    sort: Option<String>,
    /// Lowest price in yuan, inclusive (`"100"`, `"99.50"`); not a price: 10123.
    min_price: Option<String>,
    /// Highest price in yuan, inclusive; below `min_price`: 10123.
    max_price: Option<String>,
}

/// A page number: a whole number from 1; 40200 otherwise.
fn parse_page(text: Option<&str>) -> ApiResult<u64> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(1);
    };
    match text.parse::<u64>() {
        Ok(page) if page >= 1 => Ok(page),
        _ => Err(bad_page()),
    }
}

fn bad_page() -> ApiError {
    ApiError::bad_request(codes::BAD_PAGE, "页码错误")
}

/// Fails with 40200 when `page` lies past the last page of `total` SKUs.
fn check_page(page: u64, total: u64) -> ApiResult<Paginator> {
    let paginator = Paginator {
        pagesize: PAGE_SIZE,
        total,
    };
    if page > paginator.pages() {
        return Err(bad_page());
    }
    Ok(paginator)
}

fn parse_price(text: Option<&str>, name: &str) -> ApiResult<Option<i64>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_yuan(t)
            .map(Some)
            .ok_or_else(|| ApiError::bad_params(format!("参数 {name} 不是有效的价格"))),
    }
}

/// One page (9 SKUs) of a catalog's launched SKUs, sorted and filtered by price.
/// Cached; `ETag`/304.
#[utoipa::path(get, path = "/v1/goods/catalogs/{catalog_id}", tag = "goods",
    params(("catalog_id" = i64, Path), ListParams),
    responses((status = 200, body = CatalogListResponse, description = "With `ETag` and `Cache-Control: public, no-cache`"),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 400, description = "40200 bad page; 10123 bad sort or price", body = dadashop_types::ErrorBody),
        (status = 404, description = "40100 unknown catalog", body = dadashop_types::ErrorBody)))]
async fn catalog_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(|_| ApiError::bad_params("查询参数错误"))?;
    let catalog_id = raw_id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(catalog_not_found)?;
    let page = parse_page(params.page.as_deref())?;
    let order = ListOrder::parse(params.sort.as_deref().unwrap_or("").trim())
        .ok_or_else(|| ApiError::bad_params("参数 sort 错误"))?;
    let min_price = parse_price(params.min_price.as_deref(), "min_price")?;
    let max_price = parse_price(params.max_price.as_deref(), "max_price")?;
    if let (Some(lo), Some(hi)) = (min_price, max_price)
        && lo > hi
    {
        return Err(ApiError::bad_params("最低价不能高于最高价"));
    }
    let query = ListQuery {
        catalog_id,
        order,
        min_price,
        max_price,
    };
    let key = format!("list:{catalog_id}:{order:?}:{min_price:?}:{max_price:?}:{page}");
    let (state, query) = (&state, &query);
    cached(state, &headers, key, |db| async move {
        let catalog = goods::catalog(&db, catalog_id)
            .await?
            .ok_or_else(catalog_not_found)?;
        let total = u64::try_from(goods::count_list(&db, query).await?).unwrap_or(0);
        let paginator = check_page(page, total)?;
        let offset = i64::try_from((page - 1) * u64::from(PAGE_SIZE)).map_err(|_| bad_page())?;
        let rows = goods::list(&db, query, i64::from(PAGE_SIZE), offset).await?;
        to_json(&CatalogListResponse {
            code: codes::OK,
            data: rows.into_iter().map(list_sku).collect(),
            paginator,
            base_url: state.settings.media_base_url(),
            catalog_id: catalog.id,
            catalog_name: catalog.name,
        })
    })
    .await
}

fn catalog_not_found() -> ApiError {
    ApiError::not_found(codes::CATALOG_NOT_FOUND, "分类不存在")
}

pub(crate) fn sku_not_found() -> ApiError {
    ApiError::not_found(codes::SKU_NOT_FOUND, "商品不存在或已下架")
}

pub(crate) fn parse_id(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// Builds the detail of launched SKU `id` (`None`: unknown or unlaunched).
pub async fn sku_detail(db: &sqlx::AnyPool, id: i64) -> ApiResult<Option<SkuDetail>> {
    let Some(sku) = goods::launched_sku(db, id).await? else {
        return Ok(None);
    };
    let values = goods::spu_sale_values(db, sku.spu_id).await?;
    let own = goods::sku_value_ids(db, sku.id).await?;
    let images = goods::sku_images(db, sku.id).await?;
    let specs = goods::sku_specs(db, sku.id).await?;

    let mut attr_ids = Vec::new();
    let mut attr_names = Vec::new();
    let mut val_ids = Vec::new();
    let mut val_names = Vec::new();
    let mut all_ids: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut all_names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in &values {
        if !attr_ids.contains(&v.attr_id) {
            attr_ids.push(v.attr_id);
            attr_names.push(v.attr_name.clone());
        }
        if own.contains(&v.value_id) {
            val_ids.push(v.value_id);
            val_names.push(v.value_name.clone());
        }
        all_ids
            .entry(v.attr_id.to_string())
            .or_default()
            .push(v.value_id);
        all_names
            .entry(v.attr_id.to_string())
            .or_default()
            .push(v.value_name.clone());
    }
    // The default picture first (full size), then the others in the console's order; a SKU
    // without picture rows shows its card picture.
    let mut images_all: Vec<String> = images
        .iter()
        .filter(|(_, _, is_default)| *is_default)
        .chain(images.iter().filter(|(_, _, is_default)| !*is_default))
        .map(|(image, _, _)| image.clone())
        .collect();
    if images_all.is_empty() && !sku.default_image_url.is_empty() {
        images_all.push(sku.default_image_url.clone());
    }
    let detail_image = images_all
        .get(1)
        .cloned()
        .unwrap_or_else(|| sku.default_image_url.clone());
    Ok(Some(SkuDetail {
        skuid: sku.id,
        image: sku.default_image_url,
        spu: sku.spu_id,
        name: sku.name,
        caption: sku.caption,
        price: format_fen(sku.price),
        market_price: format_fen(sku.market_price),
        catalog_id: sku.catalog_id,
        catalog_name: sku.catalog_name,
        brand: sku.brand_name,
        detail_image,
        images: images_all,
        stock: sku.stock.max(0),
        sales: sku.sales.max(0),
        sku_sale_attr_id: attr_ids,
        sku_sale_attr_names: attr_names,
        sku_sale_attr_val_id: val_ids,
        sku_sale_attr_val_names: val_names,
        sku_all_sale_attr_vals_id: all_ids,
        sku_all_sale_attr_vals_name: all_names,
        spec: specs.into_iter().collect(),
        description: sku.description,
    }))
}

/// A launched SKU with its SPU's sale attributes (all values), its own values, specs, images
/// and stock. Cached; `ETag`/304.
#[utoipa::path(get, path = "/v1/goods/detail/{sku_id}", tag = "goods", params(("sku_id" = i64, Path)),
    responses((status = 200, body = DetailResponse, description = "With `ETag` and `Cache-Control: public, no-cache`"),
        (status = 304, description = "`If-None-Match` named the current ETag"),
        (status = 404, description = "40300 unknown or unlaunched SKU", body = dadashop_types::ErrorBody)))]
async fn detail(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> ApiResult<Response> {
    let id = parse_id(&raw_id).ok_or_else(sku_not_found)?;
    let state = &state;
    let response = cached(state, &headers, format!("detail:{id}"), |db| async move {
        let data = sku_detail(&db, id).await?.ok_or_else(sku_not_found)?;
        to_json(&DetailResponse {
            code: codes::OK,
            data,
            base_url: state.settings.media_base_url(),
        })
    })
    .await?;
    // A product view (also a revalidation, 304), counted per catalog for the console.
    state.visits.record(id);
    Ok(response)
}

/// The launched SKU of SPU `spuid` whose sale attribute values are exactly the given ones
/// (compared as a set: order and attribute keys do not matter). Body: `{"spuid": n,
/// "<attr_id>": <value_id>, ...}`, numbers or numeric strings.
#[utoipa::path(post, path = "/v1/goods/sku", tag = "goods",
    request_body(content = Object, description = "`{\"spuid\": n, \"<attr_id>\": <value_id>, ...}`"),
    responses((status = 200, body = SkuSwitchResponse),
        (status = 400, description = "10123 missing spuid or a value that is not an id", body = dadashop_types::ErrorBody),
        (status = 404, description = "40050 no launched SKU has exactly these values", body = dadashop_types::ErrorBody)))]
async fn switch_sku(
    State(state): State<AppState>,
    LenientJson(body): LenientJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<SkuSwitchResponse>> {
    let spu_id = body
        .get("spuid")
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_params("缺少参数 spuid"))?;
    let mut chosen = BTreeSet::new();
    for (key, value) in &body {
        if key == "spuid" {
            continue;
        }
        if parse_id(key).is_none() {
            return Err(ApiError::bad_params(format!("未知参数 {key}")));
        }
        let value = id_value(value).ok_or_else(|| ApiError::bad_params("属性值必须是编号"))?;
        chosen.insert(value);
    }
    let no_sku = || ApiError::not_found(codes::NO_SKU_WITH_VALUES, "没有该规格的商品");
    if chosen.is_empty() {
        return Err(no_sku());
    }
    let generation = catalog::read_generation(&state.kv).await;
    let values = state
        .catalog_reads(&generation)
        .run(|db| async move { goods::launched_sku_values(&db, spu_id).await })
        .await?;
    let mut by_sku: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for (sku, value) in values {
        by_sku.entry(sku).or_default().insert(value);
    }
    let sku = by_sku
        .into_iter()
        .find(|(_, values)| *values == chosen)
        .map(|(sku, _)| sku)
        .ok_or_else(no_sku)?;
    Ok(Json(SkuSwitchResponse {
        code: codes::OK,
        data: sku,
    }))
}

/// The search form: `q` and `page`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SearchForm {
    /// What to look for (at most 50 characters are used); empty: 10123.
    q: Option<String>,
    /// Page number from 1 (absent or empty: 1); bad or past the last page: 40200.
    #[schema(value_type = Option<String>, pattern = r"^[0-9]*$")]
    page: Option<String>,
}

/// The form fields of `body`: `application/x-www-form-urlencoded` whatever the
/// `Content-Type` says, or a JSON object (the SPA may send either).
fn search_form(body: &Bytes) -> ApiResult<SearchForm> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'{') {
        return serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
            .map(|m| {
                let text = |k: &str| {
                    m.get(k).and_then(|v| match v {
                        serde_json::Value::String(s) => Some(s.clone()),
                        serde_json::Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                };
                SearchForm {
                    q: text("q"),
                    page: text("page"),
                }
            })
            .map_err(|_| ApiError::bad_params("请求内容不是有效的JSON"));
    }
    let mut form = SearchForm::default();
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "q" => form.q = Some(value.into_owned()),
            "page" => form.page = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok(form)
}

/// Full-text search over the launched SKUs (crate::search): name, caption, SPU name, brand
/// and catalog, segmented by jieba, with synonyms, stop words, pinyin and initials; name
/// matches rank first. When nothing matches every word: the best partial matches
/// (`partial`) and a "你是不是要找" `suggestion`. One page of 9.
#[utoipa::path(post, path = "/v1/goods/search", tag = "goods",
    request_body(content = SearchForm, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = SearchResponse, description = "An empty `data` when nothing matched"),
        (status = 400, description = "10123 empty q; 40200 bad page", body = dadashop_types::ErrorBody)))]
async fn search(State(state): State<AppState>, body: Bytes) -> ApiResult<Response> {
    let form = search_form(&body)?;
    let q: String = form
        .q
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(crate::search::MAX_QUERY_CHARS)
        .collect();
    if q.is_empty() {
        return Err(ApiError::bad_params("请输入搜索关键词"));
    }
    let page = parse_page(form.page.as_deref())?;
    let generation = catalog::read_generation(&state.kv).await;
    let key = format!("search:{page}:{q}");
    let entry = match state.goods_cache.get(&generation, &key) {
        Some(entry) => entry,
        None => {
            state
                .search
                .ensure_fresh(&state.db, &generation)
                .await
                .map_err(ApiError::Internal)?;
            let hits = state
                .search
                .search(&q, page, PAGE_SIZE as usize)
                .map_err(ApiError::Internal)?;
            let paginator = check_page(page, hits.total)?;
            let ids = &hits.ids;
            let mut rows: HashMap<i64, ListSkuRow> = state
                .catalog_reads(&generation)
                .run(|db| async move { goods::launched_by_ids(&db, ids).await })
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect();
            let data = hits
                .ids
                .iter()
                .filter_map(|id| rows.remove(id))
                .map(list_sku)
                .collect();
            let entry = Cached::new(to_json(&SearchResponse {
                code: codes::OK,
                data,
                paginator,
                base_url: state.settings.media_base_url(),
                q: q.clone(),
                partial: hits.partial,
                suggestion: hits.suggestion.clone(),
            })?);
            state.goods_cache.put(&generation, key, entry.clone());
            entry
        }
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        Body::from(entry.body),
    )
        .into_response())
}

async fn history_answer(state: &AppState, user_id: i64) -> ApiResult<Json<HistoryResponse>> {
    let rows = goods::history(&state.db, user_id).await?;
    Ok(Json(HistoryResponse {
        code: codes::OK,
        data: rows.into_iter().map(list_sku).collect(),
        base_url: state.settings.media_base_url(),
    }))
}

/// The shopper's browsing history: the launched SKUs they viewed last, newest first, at
/// most 5, no duplicates.
#[utoipa::path(get, path = "/v1/users/{username}/history", tag = "goods", security(("token" = [])), params(("username" = String, Path)),
    responses((status = 200, body = HistoryResponse),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's history (10101)", body = dadashop_types::ErrorBody)))]
async fn history(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<HistoryResponse>> {
    auth.ensure_is(&username)?;
    history_answer(&state, auth.user.id).await
}

/// Records a view of a launched SKU (the SPA posts it when a logged-in shopper opens a
/// product) and answers the updated history. A repeated view moves the SKU to the front.
#[utoipa::path(post, path = "/v1/users/{username}/history", tag = "goods", security(("token" = [])), params(("username" = String, Path)), request_body = HistoryRequest,
    responses((status = 200, body = HistoryResponse),
        (status = 400, description = "10123 sku_id missing or not an id", body = dadashop_types::ErrorBody),
        (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody),
        (status = 403, description = "Another user's history (10101)", body = dadashop_types::ErrorBody),
        (status = 404, description = "40300 unknown or unlaunched SKU", body = dadashop_types::ErrorBody)))]
async fn record_history(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<HistoryResponse>> {
    auth.ensure_is(&username)?;
    let sku_id = req
        .get("sku_id")
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_params("缺少参数 sku_id"))?;
    if goods::launched_sku(&state.db, sku_id).await?.is_none() {
        return Err(sku_not_found());
    }
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    )
    .unwrap_or(i64::MAX);
    goods::record_view(&state.db, auth.user.id, sku_id, now_ms).await?;
    history_answer(&state, auth.user.id).await
}
