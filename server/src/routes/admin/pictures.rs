//! The console's pictures (issue 25 item 4): a SKU's pictures (upload, order, default,
//! removal) and a brand's logo.
//!
//! An upload's body is the file itself, any `Content-Type` (the content decides,
//! crate::pictures), at most `PICTURE_MAX_BYTES`: these routes are outside the API's 64 KiB
//! body limit ([`router`]) and read the body themselves with that limit. The browser sends one
//! request per file, so that it can show each file's progress.
//!
//! Permissions: `goods.change`, as any other change of a SKU or brand. Every change bumps the
//! goods version and announces a new generation, so shoppers on every API process see the new
//! pictures at once.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, put};
use axum::{Json, Router};
use bytes::Bytes;
use dadashop_types::admin::{
    AdminPicture, AdminPictureResponse, AdminPicturesResponse, PICTURES_PER_SKU_MAX,
    PictureOrderRequest,
};
use dadashop_types::{MessageResponse, codes};

use super::{id_of, unknown};
use crate::auth::staff::AuthStaff;
use crate::db::{self, pictures};
use crate::error::{ApiError, ApiResult};
use crate::extract::LenientJson;
use crate::pictures::{PictureError, Processed};
use crate::routes::BODY_LIMIT_BYTES;
use crate::state::AppState;

/// The picture routes, with their full `/v1/...` paths: merged beside the API's body limit,
/// not under it. The order request (JSON) keeps the 64 KiB limit.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/admin/skus/{id}/pictures",
            axum::routing::get(list)
                .post(upload)
                .put(arrange.layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))),
        )
        .route("/v1/admin/skus/{id}/pictures/{picture_id}", delete(remove))
        .route(
            "/v1/admin/brands/{id}/logo",
            put(set_logo).delete(remove_logo),
        )
        .layer(DefaultBodyLimit::disable())
}

/// The public URL of media key `key` (`MEDIA_PUBLIC_URL` or the API's `/media/`); an absolute
/// URL (a Weibo avatar, an old row) as it is; empty stays empty.
pub fn media_url(state: &AppState, key: &str) -> String {
    if key.is_empty() || key.starts_with("http://") || key.starts_with("https://") {
        key.to_owned()
    } else {
        format!(
            "{}{}",
            state.settings.media_base_url(),
            key.trim_start_matches('/')
        )
    }
}

fn picture_of(state: &AppState, p: &pictures::SkuPicture) -> AdminPicture {
    AdminPicture {
        id: p.id,
        url: media_url(state, &p.image),
        thumbnail_url: media_url(state, &p.thumbnail),
        width: u32::try_from(p.width).unwrap_or(0),
        height: u32::try_from(p.height).unwrap_or(0),
        bytes: p.bytes,
        is_default: p.is_default == 1,
    }
}

/// SKU `sku_id`'s pictures as the console shows them.
pub async fn of_sku(state: &AppState, sku_id: i64) -> ApiResult<Vec<AdminPicture>> {
    Ok(pictures::of_sku(&state.db, sku_id)
        .await?
        .iter()
        .map(|p| picture_of(state, p))
        .collect())
}

fn refused(message: String) -> ApiError {
    ApiError::Unprocessable {
        code: codes::ADMIN_PICTURE_REFUSED,
        message,
    }
}

fn too_large(max: u64) -> ApiError {
    ApiError::TooLarge {
        code: codes::ADMIN_PICTURE_REFUSED,
        message: format!("图片不能超过 {}", human_bytes(max)),
    }
}

/// `5 MB`, `512 KB`, `900 字节`.
fn human_bytes(n: u64) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MB", n / (1024 * 1024))
    } else if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} 字节")
    }
}

/// How much of an oversized upload is read and dropped before its 413, as a multiple of
/// `PICTURE_MAX_BYTES`: a client that does not wait for `100 Continue` (most do not) then gets
/// the answer instead of a connection reset in the middle of its body.
const DRAIN_FACTOR: u64 = 4;

/// Reads an upload's body: 413 / 60107 when its `Content-Length` or its bytes exceed
/// `PICTURE_MAX_BYTES` (nothing over the limit is kept; the rest is read and dropped up to
/// [`DRAIN_FACTOR`] times the limit), 422 / 60107 when empty, 400 when the upload breaks off.
pub(crate) async fn read_upload(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<Bytes> {
    use futures::StreamExt;
    let max = state.settings.picture_max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut over = declared.is_some_and(|n| n > max);
    let mut data = Vec::with_capacity(
        declared
            .filter(|n| *n <= max)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0),
    );
    let mut seen: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_params("上传中断，请重试"))?;
        seen = seen.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
        over |= seen > max;
        if !over {
            data.extend_from_slice(&chunk);
        } else if seen > max.saturating_mul(DRAIN_FACTOR) {
            break;
        }
    }
    if over {
        return Err(too_large(max));
    }
    if data.is_empty() {
        return Err(refused(PictureError::Empty.to_string()));
    }
    Ok(Bytes::from(data))
}

/// Checks and re-encodes an upload off the async threads, then claims its row and writes
/// both files to the media store. Returns the picture's row id. `uploaded_by` is the
/// operator's staff id (`None`: a shopper's return picture).
pub(crate) async fn store_upload(
    state: &AppState,
    uploaded_by: Option<i64>,
    bytes: Bytes,
) -> ApiResult<i64> {
    let max_side = state.settings.picture_max_side_px;
    let processed: Processed =
        tokio::task::spawn_blocking(move || crate::pictures::process(&bytes, max_side))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("picture task: {e}")))?
            .map_err(|e| refused(e.to_string()))?;
    let new = pictures::NewPicture {
        content_hash: processed.hash.clone(),
        image: processed.key(),
        thumbnail: processed.thumbnail_key(),
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        bytes: i64::try_from(processed.full.len()).unwrap_or(i64::MAX),
    };
    let id = pictures::claim(&state.db, &new, uploaded_by, db::now_secs()).await?;
    let cache = crate::media::IMMUTABLE_CACHE_CONTROL;
    for (key, data) in [
        (new.image.as_str(), processed.full),
        (new.thumbnail.as_str(), processed.thumbnail),
    ] {
        state
            .media
            .put(
                key,
                Bytes::from(data),
                crate::media::content_type_of(key),
                cache,
            )
            .await
            .map_err(|e| ApiError::Unavailable(anyhow::anyhow!("{e}")))?;
    }
    Ok(id)
}

async fn announce(state: &AppState, what: &str, id: i64) {
    if let Err(e) = crate::catalog::announce_change(&state.kv).await {
        tracing::warn!(error = %e, what, id, "could not announce a goods change");
    }
}

/// A SKU's pictures in the shop's order, the default one marked (`goods.view`).
#[utoipa::path(get, path = "/v1/admin/skus/{id}/pictures", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AdminPicturesResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<AdminPicturesResponse>> {
    auth.require("goods.view")?;
    let id = id_of(&id, "商品")?;
    if crate::db::skus::get(&state.db, id).await?.is_none() {
        return Err(unknown("商品"));
    }
    Ok(Json(AdminPicturesResponse {
        code: codes::OK,
        data: of_sku(&state, id).await?,
    }))
}

/// Adds a picture to a SKU (`goods.change`): the request body is the file (JPEG, PNG or WebP
/// by its content; any `Content-Type`), at most `PICTURE_MAX_BYTES` (5 MiB) and
/// `PICTURE_MAX_SIDE_PX` (4096) pixels a side. It is decoded and re-encoded (nothing but
/// pixels kept), stored under its content hash with a copy of at most 400 px a side, and
/// becomes the SKU's last picture (its default when it had none). 201 with the picture; 200
/// with the existing one when the SKU already has the same picture. At most 20 pictures a
/// SKU.
#[utoipa::path(post, path = "/v1/admin/skus/{id}/pictures", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The picture file's bytes"),
    responses((status = 201, body = AdminPictureResponse), (status = 200, description = "The SKU already had this picture", body = AdminPictureResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody), (status = 409, description = "The SKU has 20 pictures (60107)", body = dadashop_types::ErrorBody), (status = 413, description = "Over PICTURE_MAX_BYTES (60107)", body = dadashop_types::ErrorBody), (status = 422, description = "Not a JPEG, PNG or WebP picture, an SVG, unreadable, or too many pixels (60107)", body = dadashop_types::ErrorBody), (status = 503, description = "The media store is unreachable (50300)", body = dadashop_types::ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    auth.require("goods.change")?;
    let sku_id = id_of(&id, "商品")?;
    if crate::db::skus::get(&state.db, sku_id).await?.is_none() {
        return Err(unknown("商品"));
    }
    let bytes = read_upload(&state, &headers, body).await?;
    let picture_id = store_upload(&state, Some(auth.staff.id), bytes).await?;
    let (status, row_id) =
        match pictures::attach_to_sku(&state.db, sku_id, picture_id, &auth.actor(), db::now_secs())
            .await?
        {
            pictures::Attached::Added(row) => (StatusCode::CREATED, row),
            pictures::Attached::AlreadyThere(row) => (StatusCode::OK, row),
            pictures::Attached::Full => {
                return Err(ApiError::Conflict {
                    code: codes::ADMIN_PICTURE_REFUSED,
                    message: format!("每个商品最多 {PICTURES_PER_SKU_MAX} 张图片"),
                });
            }
            pictures::Attached::Unknown => return Err(unknown("商品")),
        };
    if status == StatusCode::CREATED {
        announce(&state, "sku", sku_id).await;
        tracing::info!(sku_id, staff_id = auth.staff.id, "SKU picture added");
    }
    let data = of_sku(&state, sku_id)
        .await?
        .into_iter()
        .find(|p| p.id == row_id)
        .ok_or_else(|| unknown("图片"))?;
    Ok((
        status,
        Json(AdminPictureResponse {
            code: codes::OK,
            data,
        }),
    )
        .into_response())
}

/// Puts a SKU's pictures in a new order and, optionally, makes one of them the default
/// (`goods.change`). `order` lists every picture id of the SKU once (400 / 10123 otherwise).
#[utoipa::path(put, path = "/v1/admin/skus/{id}/pictures", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)), request_body = PictureOrderRequest,
    responses((status = 200, body = AdminPicturesResponse), (status = 400, description = "Not exactly the SKU's pictures (10123)", body = dadashop_types::ErrorBody), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU (60103)", body = dadashop_types::ErrorBody)))]
async fn arrange(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    LenientJson(req): LenientJson<PictureOrderRequest>,
) -> ApiResult<Json<AdminPicturesResponse>> {
    auth.require("goods.change")?;
    let sku_id = id_of(&id, "商品")?;
    if req.order.len() > PICTURES_PER_SKU_MAX {
        return Err(ApiError::bad_params(
            "order 须恰好列出这个商品的每张图片各一次",
        ));
    }
    match pictures::arrange(
        &state.db,
        sku_id,
        &req.order,
        req.default_id,
        &auth.actor(),
        db::now_secs(),
    )
    .await?
    {
        pictures::Arranged::Done => announce(&state, "sku", sku_id).await,
        pictures::Arranged::Mismatch(message) => return Err(ApiError::bad_params(message)),
        pictures::Arranged::Unknown => return Err(unknown("商品")),
    }
    Ok(Json(AdminPicturesResponse {
        code: codes::OK,
        data: of_sku(&state, sku_id).await?,
    }))
}

/// Takes a picture off a SKU (`goods.change`); when it was the default the first remaining
/// one becomes the default. The file stays for `PICTURE_GRACE_SECS` and for as long as an
/// order shows it, then the picture sweep removes it.
#[utoipa::path(delete, path = "/v1/admin/skus/{id}/pictures/{picture_id}", tag = "admin", security(("staff" = [])), params(("id" = i64, Path), ("picture_id" = i64, Path)),
    responses((status = 200, body = AdminPicturesResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown SKU or picture (60103)", body = dadashop_types::ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path((id, picture_id)): Path<(String, String)>,
) -> ApiResult<Json<AdminPicturesResponse>> {
    auth.require("goods.change")?;
    let sku_id = id_of(&id, "商品")?;
    let row_id = id_of(&picture_id, "图片")?;
    match pictures::remove_from_sku(&state.db, sku_id, row_id, &auth.actor(), db::now_secs())
        .await?
    {
        pictures::Arranged::Done => announce(&state, "sku", sku_id).await,
        pictures::Arranged::Mismatch(message) => return Err(ApiError::bad_params(message)),
        pictures::Arranged::Unknown => return Err(unknown("图片")),
    }
    Ok(Json(AdminPicturesResponse {
        code: codes::OK,
        data: of_sku(&state, sku_id).await?,
    }))
}

/// Sets a brand's logo (`goods.change`): the body is the picture file, checked and stored as
/// a SKU picture is; the logo is its copy of at most 400 px a side.
#[utoipa::path(put, path = "/v1/admin/brands/{id}/logo", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The logo file's bytes"),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown brand (60103)", body = dadashop_types::ErrorBody), (status = 413, description = "Over PICTURE_MAX_BYTES (60107)", body = dadashop_types::ErrorBody), (status = 422, description = "Not a JPEG, PNG or WebP picture (60107)", body = dadashop_types::ErrorBody), (status = 503, description = "The media store is unreachable (50300)", body = dadashop_types::ErrorBody)))]
async fn set_logo(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.change")?;
    let brand_id = id_of(&id, "品牌")?;
    let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM brands WHERE id = ?")
        .bind(brand_id)
        .fetch_optional(&state.db)
        .await?;
    if exists.is_none() {
        return Err(unknown("品牌"));
    }
    let bytes = read_upload(&state, &headers, body).await?;
    let picture_id = store_upload(&state, Some(auth.staff.id), bytes).await?;
    if !pictures::set_brand_logo(
        &state.db,
        brand_id,
        Some(picture_id),
        &auth.actor(),
        db::now_secs(),
    )
    .await?
    {
        return Err(unknown("品牌"));
    }
    announce(&state, "brand", brand_id).await;
    Ok(Json(MessageResponse::ok()))
}

/// Removes a brand's logo (`goods.change`).
#[utoipa::path(delete, path = "/v1/admin/brands/{id}/logo", tag = "admin", security(("staff" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MessageResponse), (status = 401, description = "Not a valid console token (10101)", body = dadashop_types::ErrorBody), (status = 403, description = "Permission missing (60101)", body = dadashop_types::ErrorBody), (status = 404, description = "Unknown brand (60103)", body = dadashop_types::ErrorBody)))]
async fn remove_logo(
    State(state): State<AppState>,
    auth: AuthStaff,
    Path(id): Path<String>,
) -> ApiResult<Json<MessageResponse>> {
    auth.require("goods.change")?;
    let brand_id = id_of(&id, "品牌")?;
    if !pictures::set_brand_logo(&state.db, brand_id, None, &auth.actor(), db::now_secs()).await? {
        return Err(unknown("品牌"));
    }
    announce(&state, "brand", brand_id).await;
    Ok(Json(MessageResponse::ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_read_as_people_write_them() {
        assert_eq!(human_bytes(5 * 1024 * 1024), "5 MB");
        assert_eq!(human_bytes(1536 * 1024), "1.5 MB");
        assert_eq!(human_bytes(2048), "2 KB");
        assert_eq!(human_bytes(10), "10 字节");
    }
}
