//! The address book (`/v1/users/{username}/address...`). Every answer carries the whole live
//! book, default first. Ownership: the path user must be the caller (else 403), and an id of
//! another user's address is answered like an unknown one (404 / 10122).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::rules::{ADDRESS_MAX_CHARS, RECEIVER_MAX_CHARS, TAG_MAX_CHARS};
use dadashop_types::users::{
    Address, AddressListResponse, DefaultAddressRequest, NewAddressRequest, Region,
    RegionsResponse, UpdateAddressRequest,
};

use crate::auth::AuthUser;
use crate::db::addresses::{
    self as repo, AddressError, AddressFields, MAX_ADDRESSES, RegionChange,
};
use crate::db::now_secs;
use crate::domain::{Phone, Postcode, bounded_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{LenientJson, id_value, required};
use crate::state::AppState;

/// The five address endpoints.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{username}/address", get(list).post(create))
        .route("/users/{username}/address/default", post(set_default))
        .route("/users/{username}/address/{id}", put(update).delete(remove))
        .route("/regions", get(provinces))
        .route("/regions/{code}", get(sub_regions))
}

/// `Cache-Control` of the region answers: the divisions change once a year at most.
const REGIONS_CACHE_CONTROL: &str = "public, max-age=86400";

async fn regions_under(state: &AppState, parent: Option<&str>) -> ApiResult<Vec<Region>> {
    Ok(crate::db::regions::children(&state.db, parent)
        .await?
        .into_iter()
        .map(|r| Region {
            has_children: r.has_children == 1,
            code: r.code,
            name: r.name,
        })
        .collect())
}

/// The provinces (省) of the address picker, by code (GB/T 2260). Empty when the shop has
/// no region data (addresses are then free text).
#[utoipa::path(get, path = "/v1/regions", tag = "addresses",
    responses((status = 200, body = RegionsResponse)))]
async fn provinces(State(state): State<AppState>) -> ApiResult<impl IntoResponse> {
    let regions = regions_under(&state, None).await?;
    Ok((
        [(header::CACHE_CONTROL, REGIONS_CACHE_CONTROL)],
        Json(RegionsResponse {
            code: codes::OK,
            parent: None,
            regions,
        }),
    ))
}

/// The divisions under `code` (a province's cities, a city's districts), by code; empty for
/// a district. Errors: 404 / 10123 unknown code.
#[utoipa::path(get, path = "/v1/regions/{code}", tag = "addresses", params(("code" = String, Path, description = "6-digit GB/T 2260 code")),
    responses((status = 200, body = RegionsResponse), (status = 404, description = "Unknown region (10123)", body = dadashop_types::ErrorBody)))]
async fn sub_regions(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let unknown = || ApiError::not_found(codes::BAD_PARAMETERS, "没有这个地区");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(unknown());
    }
    let parent = crate::db::regions::get(&state.db, &code)
        .await?
        .ok_or_else(unknown)?;
    let regions = regions_under(&state, Some(&parent.code)).await?;
    Ok((
        [(header::CACHE_CONTROL, REGIONS_CACHE_CONTROL)],
        Json(RegionsResponse {
            code: codes::OK,
            parent: Some(Region {
                code: parent.code,
                name: parent.name,
                has_children: !regions.is_empty(),
            }),
            regions,
        }),
    ))
}

/// The region a request names: `None` (absent) keeps it, `""` clears it, else a leaf code
/// (a district, or a city without districts). Errors: 400 / 10123 for anything else.
async fn region_change(state: &AppState, raw: Option<&str>) -> ApiResult<RegionChange> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(RegionChange::Keep);
    };
    if raw.is_empty() {
        return Ok(RegionChange::Clear);
    }
    let bad = || ApiError::bad_params("请选择完整的省、市、区");
    if raw.len() != 6 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    crate::db::regions::leaf_path(&state.db, raw)
        .await?
        .map(RegionChange::Set)
        .ok_or_else(bad)
}

fn bad_id() -> ApiError {
    ApiError::not_found(codes::BAD_ADDRESS_ID, "地址不存在")
}

fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request(codes::BAD_ADDRESS_ID, "地址编号无效"))
}

impl From<AddressError> for ApiError {
    fn from(e: AddressError) -> Self {
        match e {
            AddressError::NotFound => bad_id(),
            AddressError::Full => ApiError::Conflict {
                code: codes::ADDRESS_STORAGE_ERROR,
                message: format!("最多保存{MAX_ADDRESSES}个收货地址"),
            },
            AddressError::Db(e) => e.into(),
        }
    }
}

/// Validates the fields shared by create and update; `mobile` is `receiver_phone` on create
/// and `receiver_mobile` on update (the legacy names).
fn fields(
    receiver: &Option<String>,
    address: &Option<String>,
    mobile: (&Option<String>, &str),
    tag: &Option<String>,
) -> ApiResult<AddressFields> {
    Ok(AddressFields {
        receiver: bounded_text(
            required(receiver, "receiver")?,
            RECEIVER_MAX_CHARS,
            "收货人",
        )?,
        address: bounded_text(required(address, "address")?, ADDRESS_MAX_CHARS, "详细地址")?,
        receiver_mobile: Phone::parse(required(mobile.0, mobile.1)?)?
            .as_str()
            .to_owned(),
        tag: bounded_text(required(tag, "tag")?, TAG_MAX_CHARS, "地址标签")?,
        region: RegionChange::Keep,
    })
}

async fn answer(
    state: &AppState,
    user_id: i64,
    message: Option<&str>,
) -> ApiResult<Json<AddressListResponse>> {
    let rows = repo::list(&state.db, user_id).await?;
    let addresslist = rows
        .into_iter()
        .map(|r| Address {
            region: r.region(),
            id: r.id,
            receiver: r.receiver,
            receiver_mobile: r.receiver_mobile,
            tag: r.tag,
            postcode: r.postcode,
            is_default: r.is_default == 1,
            address: r.address,
        })
        .collect();
    Ok(Json(AddressListResponse {
        code: codes::OK,
        addresslist,
        data: message.map(str::to_owned),
    }))
}

/// The live address book.
#[utoipa::path(get, path = "/v1/users/{username}/address", tag = "addresses", security(("token" = [])), params(("username" = String, Path)),
    responses((status = 200, body = AddressListResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or foreign address id (10122)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
) -> ApiResult<Json<AddressListResponse>> {
    auth.ensure_is(&username)?;
    answer(&state, auth.user.id, None).await
}

/// Adds an address (the first becomes the default). Errors: 10123 missing/over-long field or
/// bad postcode, 10117 bad mobile, 409 / 10120 book full.
#[utoipa::path(post, path = "/v1/users/{username}/address", tag = "addresses", security(("token" = [])), params(("username" = String, Path)), request_body = NewAddressRequest,
    responses((status = 200, body = AddressListResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or foreign address id (10122)", body = dadashop_types::ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<NewAddressRequest>,
) -> ApiResult<Json<AddressListResponse>> {
    auth.ensure_is(&username)?;
    let f = fields(
        &req.receiver,
        &req.address,
        (&req.receiver_phone, "receiver_phone"),
        &req.tag,
    )?;
    let mut f = f;
    f.region = match region_change(&state, req.region_code.as_deref()).await? {
        RegionChange::Clear => RegionChange::Keep,
        change => change,
    };
    let postcode = Postcode::parse(required(&req.postcode, "postcode")?)?;
    repo::insert(&state.db, auth.user.id, &f, postcode.as_str(), now_secs()).await?;
    answer(&state, auth.user.id, Some("新增地址成功")).await
}

/// Edits an address. `id` in the body, when sent, must equal the path id (10122 if not);
/// `postcode` may be omitted and is then kept.
#[utoipa::path(put, path = "/v1/users/{username}/address/{id}", tag = "addresses", security(("token" = [])), params(("username" = String, Path), ("id" = i64, Path)), request_body = UpdateAddressRequest,
    responses((status = 200, body = AddressListResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or foreign address id (10122)", body = dadashop_types::ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, raw_id)): Path<(String, String)>,
    LenientJson(req): LenientJson<UpdateAddressRequest>,
) -> ApiResult<Json<AddressListResponse>> {
    auth.ensure_is(&username)?;
    let id = path_id(&raw_id)?;
    if let Some(body_id) = &req.id
        && id_value(body_id) != Some(id)
    {
        return Err(ApiError::bad_request(
            codes::BAD_ADDRESS_ID,
            "地址编号不一致",
        ));
    }
    let f = fields(
        &req.receiver,
        &req.address,
        (&req.receiver_mobile, "receiver_mobile"),
        &req.tag,
    )?;
    let mut f = f;
    f.region = region_change(&state, req.region_code.as_deref()).await?;
    let postcode = match req
        .postcode
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => Some(Postcode::parse(p)?),
        None => None,
    };
    let postcode = postcode.as_ref().map(Postcode::as_str);
    repo::update(&state.db, auth.user.id, id, &f, postcode, now_secs()).await?;
    answer(&state, auth.user.id, Some("修改地址成功")).await
}

/// Soft-deletes an address; a deleted default hands the role to the oldest remaining one.
#[utoipa::path(delete, path = "/v1/users/{username}/address/{id}", tag = "addresses", security(("token" = [])), params(("username" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = AddressListResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or foreign address id (10122)", body = dadashop_types::ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    auth: AuthUser,
    Path((username, raw_id)): Path<(String, String)>,
) -> ApiResult<Json<AddressListResponse>> {
    auth.ensure_is(&username)?;
    let id = path_id(&raw_id)?;
    repo::soft_delete(&state.db, auth.user.id, id, now_secs()).await?;
    answer(&state, auth.user.id, Some("删除地址成功")).await
}

/// Makes the address `id` (number or numeric string) the default.
#[utoipa::path(post, path = "/v1/users/{username}/address/default", tag = "addresses", security(("token" = [])), params(("username" = String, Path)), request_body = DefaultAddressRequest,
    responses((status = 200, body = AddressListResponse), (status = 400, description = "Bad input: 10123 and the field's code", body = dadashop_types::ErrorBody), (status = 401, description = "Missing, invalid, expired or revoked token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Another user's resource (10101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown or foreign address id (10122)", body = dadashop_types::ErrorBody)))]
async fn set_default(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(username): Path<String>,
    LenientJson(req): LenientJson<DefaultAddressRequest>,
) -> ApiResult<Json<AddressListResponse>> {
    auth.ensure_is(&username)?;
    let id = req
        .id
        .as_ref()
        .and_then(id_value)
        .ok_or_else(|| ApiError::bad_request(codes::BAD_ADDRESS_ID, "地址编号无效"))?;
    repo::set_default(&state.db, auth.user.id, id, now_secs()).await?;
    answer(&state, auth.user.id, Some("设置默认地址成功")).await
}
