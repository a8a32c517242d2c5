//! The address book (`/v1/users/{username}/address...`). Every answer carries the whole live
//! book, default first. Ownership: the path user must be the caller (else 403), and an id of
//! another user's address is answered like an unknown one (404 / 10122).

use axum::extract::{Path, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use dadashop_types::codes;
use dadashop_types::rules::{ADDRESS_MAX_CHARS, RECEIVER_MAX_CHARS, TAG_MAX_CHARS};
use dadashop_types::users::{
    Address, AddressListResponse, DefaultAddressRequest, NewAddressRequest, UpdateAddressRequest,
};

use crate::auth::AuthUser;
use crate::db::addresses::{self as repo, AddressError, AddressFields, MAX_ADDRESSES};
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
            id: r.id,
            address: r.address,
            receiver: r.receiver,
            receiver_mobile: r.receiver_mobile,
            tag: r.tag,
            postcode: r.postcode,
            is_default: r.is_default == 1,
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
