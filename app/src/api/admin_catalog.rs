//! The console's catalog calls (issue 25): catalogs, brands and their logos, SPUs with their
//! sale attributes and SKU grid, SKUs with their stock and pictures, and the SKUs as CSV
//! (docs/api.md "admin"; the wire types are `dadashop_types::admin`).
//!
//! As in [`super::admin`], every call carries the staff token (`Authorization: Bearer`);
//! reading needs `goods.view`, making `goods.add`, changing `goods.change` (pictures and
//! stock too), deleting `goods.delete`; a missing permission is 403 / 60101. Writes of a
//! catalog, brand, SPU or SKU carry the `version` read: a stale one is 409 / 60102.
//!
//! Files go up as they are, the request body being the file's bytes (no multipart: the
//! server recognises a picture by its content, never by its name or type). A picture is
//! sent with `XMLHttpRequest`, the one browser API that reports upload progress (`fetch`
//! has none); the rest go through `gloo-net` like every other call.

use dadashop_types::admin::{
    AdminBrandsResponse, AdminCatalogsResponse, AdminPageResponse, AdminPictureResponse,
    AdminPicturesResponse, AdminSku, AdminSkuDetail, AdminSkuResponse, AdminSpu, AdminSpuResponse,
    AdminSpuRow, BrandRequest, CatalogRequest, ImportReport, ImportResponse, NewSkuRequest,
    NewValueRequest, PictureOrderRequest, SkuChangeRequest, SpuRequest, StockChangeRequest,
};
use dadashop_types::codes;
use gloo_net::http::Request;
use serde::de::IgnoredAny;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::admin::ListQuery;
use super::{ApiError, Credentials, authorized, decode_body, exchange, send, url};

fn admin_url(rest: &str) -> String {
    url(&format!("/v1/admin{rest}"))
}

/// A browser API that threw (it should not): reported as a failure to reach the server.
fn js_error(error: wasm_bindgen::JsValue) -> ApiError {
    ApiError::Network(format!("{error:?}"))
}

/// Sends a write whose answer is `{"code": 200}` only.
async fn send_ok(request: Result<Request, gloo_net::Error>) -> Result<(), ApiError> {
    send::<IgnoredAny>(request).await.map(|_| ())
}

// Catalogs.

/// `GET /v1/admin/catalogs`: every catalog, hidden ones too, in the shop's order.
pub async fn catalogs(staff: &Credentials) -> Result<AdminCatalogsResponse, ApiError> {
    send(authorized(Request::get(&admin_url("/catalogs")), staff).build()).await
}

/// `POST /v1/admin/catalogs` (`goods.add`): a name of 1 to 20 characters; 409 / 60105 when a
/// catalog has it already.
pub async fn create_catalog(staff: &Credentials, body: &CatalogRequest) -> Result<(), ApiError> {
    send_ok(authorized(Request::post(&admin_url("/catalogs")), staff).json(body)).await
}

/// `PATCH /v1/admin/catalogs/<id>` (`goods.change`): renamed, reordered (`sort_order`, lowest
/// first), hidden or shown, at the `version` read.
pub async fn change_catalog(
    staff: &Credentials,
    id: i64,
    body: &CatalogRequest,
) -> Result<(), ApiError> {
    let path = admin_url(&format!("/catalogs/{id}"));
    send_ok(authorized(Request::patch(&path), staff).json(body)).await
}

/// `DELETE /v1/admin/catalogs/<id>` (`goods.delete`); 409 / 60106 (with how many SPUs) while
/// SPUs are in it.
pub async fn delete_catalog(staff: &Credentials, id: i64) -> Result<(), ApiError> {
    let path = admin_url(&format!("/catalogs/{id}"));
    send_ok(authorized(Request::delete(&path), staff).build()).await
}

// Brands.

/// `GET /v1/admin/brands`: every brand, by first letter.
pub async fn brands(staff: &Credentials) -> Result<AdminBrandsResponse, ApiError> {
    send(authorized(Request::get(&admin_url("/brands")), staff).build()).await
}

/// `POST /v1/admin/brands` (`goods.add`): a name and its first letter (`A`-`Z` or `#`).
pub async fn create_brand(staff: &Credentials, body: &BrandRequest) -> Result<(), ApiError> {
    send_ok(authorized(Request::post(&admin_url("/brands")), staff).json(body)).await
}

/// `PATCH /v1/admin/brands/<id>` (`goods.change`): renamed or a new first letter, at the
/// `version` read.
pub async fn change_brand(
    staff: &Credentials,
    id: i64,
    body: &BrandRequest,
) -> Result<(), ApiError> {
    let path = admin_url(&format!("/brands/{id}"));
    send_ok(authorized(Request::patch(&path), staff).json(body)).await
}

/// `DELETE /v1/admin/brands/<id>` (`goods.delete`); 409 / 60106 while SPUs have it.
pub async fn delete_brand(staff: &Credentials, id: i64) -> Result<(), ApiError> {
    let path = admin_url(&format!("/brands/{id}"));
    send_ok(authorized(Request::delete(&path), staff).build()).await
}

/// `PUT /v1/admin/brands/<id>/logo` (`goods.change`): the file's bytes are the body (JPEG,
/// PNG or WebP, recognised by content); 413 / 422 with 60107 and the reason otherwise.
pub async fn set_brand_logo(
    staff: &Credentials,
    id: i64,
    file: &web_sys::File,
) -> Result<(), ApiError> {
    let path = admin_url(&format!("/brands/{id}/logo"));
    let blob: &web_sys::Blob = file;
    send_ok(authorized(Request::put(&path), staff).body(blob.clone())).await
}

/// `DELETE /v1/admin/brands/<id>/logo` (`goods.change`): the brand has no logo any more.
pub async fn delete_brand_logo(staff: &Credentials, id: i64) -> Result<(), ApiError> {
    let path = admin_url(&format!("/brands/{id}/logo"));
    send_ok(authorized(Request::delete(&path), staff).build()).await
}

// SPUs.

/// `GET /v1/admin/spus?<query>`: `q` (words of the name), `catalog_id`, `brand_id`, `page`.
pub async fn spus(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AdminSpuRow>, ApiError> {
    let path = query.href(&admin_url("/spus"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `GET /v1/admin/spus/<id>`: the SPU, its sale attributes and values in order, its specs,
/// its SKUs and the grid's cells no SKU has (`missing`).
pub async fn spu(staff: &Credentials, id: i64) -> Result<AdminSpuResponse, ApiError> {
    send(authorized(Request::get(&admin_url(&format!("/spus/{id}"))), staff).build()).await
}

/// `POST /v1/admin/spus` (`goods.add`): name, catalog, brand, description, sale attributes
/// with their values and spec names; answers the new SPU (no SKU yet).
pub async fn create_spu(
    staff: &Credentials,
    body: &SpuRequest,
) -> Result<AdminSpuResponse, ApiError> {
    send(authorized(Request::post(&admin_url("/spus")), staff).json(body)).await
}

/// `PATCH /v1/admin/spus/<id>` (`goods.change`): name, catalog, brand or description at the
/// `version` read; a stale one is [`Saved::Stale`] with the SPU as it is now.
pub async fn change_spu(
    staff: &Credentials,
    id: i64,
    body: &SpuRequest,
) -> Result<SpuSaved, ApiError> {
    let path = admin_url(&format!("/spus/{id}"));
    let (status, text) = exchange(authorized(Request::patch(&path), staff).json(body)).await?;
    stale_or::<AdminSpuResponse>(status, &text)
}

/// `POST /v1/admin/spus/<id>/attrs/<attr_id>/values` (`goods.change`): a new value of a sale
/// attribute, last in its order; 409 / 60105 when it has that value. The answer's `missing`
/// names the cells of the grid that now have no SKU.
pub async fn add_value(
    staff: &Credentials,
    id: i64,
    attr_id: i64,
    body: &NewValueRequest,
) -> Result<AdminSpuResponse, ApiError> {
    let path = admin_url(&format!("/spus/{id}/attrs/{attr_id}/values"));
    send(authorized(Request::post(&path), staff).json(body)).await
}

/// `POST /v1/admin/spus/<id>/skus` (`goods.add`): one SKU (`value_ids`) or one for every
/// empty cell (`fill_grid`), with a price (above 0), market and cost price, stock and launch
/// state; answers the SPU with its grid.
pub async fn create_skus(
    staff: &Credentials,
    id: i64,
    body: &NewSkuRequest,
) -> Result<AdminSpuResponse, ApiError> {
    let path = admin_url(&format!("/spus/{id}/skus"));
    send(authorized(Request::post(&path), staff).json(body)).await
}

// SKUs.

/// `GET /v1/admin/skus?<query>`: `q` (words of the name), `catalog_id`, `brand_id`, `launched` (`1` or
/// `0`), `page`.
pub async fn skus(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AdminSku>, ApiError> {
    let path = query.href(&admin_url("/skus"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `GET /v1/admin/skus/<id>`: the SKU (cost price included), its newest 50 stock
/// adjustments and its pictures in order.
pub async fn sku(staff: &Credentials, id: i64) -> Result<AdminSkuResponse, ApiError> {
    send(authorized(Request::get(&admin_url(&format!("/skus/{id}"))), staff).build()).await
}

/// What a change of a SKU or an SPU came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved<T> {
    /// Saved: the record as it is now.
    Done(T),
    /// Not saved: someone changed the record since its `version` was read (409 / 60102). The
    /// server's message and the record's current values.
    Stale { message: String, current: T },
}

/// What a change of a SKU came to.
pub type SkuSaved = Saved<AdminSkuDetail>;

/// What a change of an SPU came to.
pub type SpuSaved = Saved<AdminSpu>;

/// A console answer whose 409 / 60102 carries the current values: `{code, error?, data}`.
trait WithCurrent: serde::de::DeserializeOwned {
    type Data;
    /// `(code, error, data)`.
    fn into_parts(self) -> (u32, Option<String>, Self::Data);
}

impl WithCurrent for AdminSkuResponse {
    type Data = AdminSkuDetail;
    fn into_parts(self) -> (u32, Option<String>, AdminSkuDetail) {
        (self.code, self.error, self.data)
    }
}

impl WithCurrent for AdminSpuResponse {
    type Data = AdminSpu;
    fn into_parts(self) -> (u32, Option<String>, AdminSpu) {
        (self.code, self.error, self.data)
    }
}

/// `PATCH /v1/admin/skus/<id>` (`goods.change`): the fields given (money in yuan, at most two
/// decimals), at the `version` read.
pub async fn change_sku(
    staff: &Credentials,
    id: i64,
    body: &SkuChangeRequest,
) -> Result<SkuSaved, ApiError> {
    let path = admin_url(&format!("/skus/{id}"));
    let (status, text) = exchange(authorized(Request::patch(&path), staff).json(body)).await?;
    stale_or::<AdminSkuResponse>(status, &text)
}

/// The pure part of [`change_sku`] and [`change_spu`]: a 409 / 60102 whose body holds the
/// current values is a [`Saved::Stale`]; anything else is decoded as usual.
fn stale_or<R: WithCurrent>(status: u16, text: &str) -> Result<Saved<R::Data>, ApiError> {
    if status == 409
        && let Ok(answer) = serde_json::from_str::<R>(text)
    {
        let (code, error, current) = answer.into_parts();
        if code == codes::ADMIN_STALE {
            return Ok(Saved::Stale {
                message: error.unwrap_or_else(|| "已被他人修改，请确认后再保存".to_owned()),
                current,
            });
        }
    }
    decode_body::<R>(status, text).map(|answer| Saved::Done(answer.into_parts().2))
}

/// `POST /v1/admin/skus/<id>/stock` (`goods.change`): `delta` units added (negative: taken
/// away), or `set_to` given the `seen` stock; a reason is required. Answers the SKU with the
/// adjustment listed.
pub async fn adjust_stock(
    staff: &Credentials,
    id: i64,
    body: &StockChangeRequest,
) -> Result<AdminSkuResponse, ApiError> {
    let path = admin_url(&format!("/skus/{id}/stock"));
    send(authorized(Request::post(&path), staff).json(body)).await
}

/// `GET /v1/admin/skus/export` (`goods.view`): every SKU as CSV (UTF-8 with a BOM), as a
/// blob for the browser to save.
pub async fn export_skus(staff: &Credentials) -> Result<web_sys::Blob, ApiError> {
    let request = authorized(Request::get(&admin_url("/skus/export")), staff)
        .build()
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        return Err(decode_body::<IgnoredAny>(status, &text)
            .err()
            .unwrap_or_else(|| ApiError::Decode("an error status with a success body".into())));
    }
    let raw: web_sys::Response = response.into();
    let blob = raw.blob().map_err(js_error)?;
    wasm_bindgen_futures::JsFuture::from(blob)
        .await
        .map_err(|e| ApiError::Network(format!("{e:?}")))?
        .dyn_into::<web_sys::Blob>()
        .map_err(|_| ApiError::Decode("the export is not a file".into()))
}

/// The answer of an import: the report, and the server's message when it refused to apply
/// the file (bad lines: nothing was changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub report: ImportReport,
    pub refused: Option<String>,
}

/// `POST /v1/admin/skus/import` (`goods.change`): the CSV file (the export's columns) is the
/// body. Without `apply` a preview: what would change (line, SKU, field, before, after) and
/// every bad line with its reason; with `apply` the whole file in one transaction, refused
/// (with the report) while a line is bad, and 409 / 60102 when a SKU changed since.
pub async fn import_skus(
    staff: &Credentials,
    file: &web_sys::Blob,
    apply: bool,
) -> Result<Imported, ApiError> {
    let path = if apply {
        admin_url("/skus/import?apply=1")
    } else {
        admin_url("/skus/import")
    };
    let request = authorized(Request::post(&path), staff)
        .header("Content-Type", "text/csv; charset=utf-8")
        .body(file.clone());
    let (status, text) = exchange(request).await?;
    if status == 400
        && let Ok(answer) = serde_json::from_str::<ImportResponse>(&text)
    {
        return Ok(Imported {
            report: answer.data,
            refused: Some(answer.error.unwrap_or_else(|| "导入被拒绝".to_owned())),
        });
    }
    decode_body::<ImportResponse>(status, &text).map(|answer| Imported {
        report: answer.data,
        refused: None,
    })
}

// Pictures.

/// `POST /v1/admin/skus/<id>/pictures` (`goods.change`): one picture, the file's bytes as the
/// body, sent with `XMLHttpRequest` so that `progress` hears how much went up (0.0 to 1.0).
/// Answers the stored picture (the one already there for the same content); 413 / 422 with
/// 60107 and the reason (too large, not a JPEG, PNG or WebP, too many pixels ...).
pub async fn upload_picture(
    staff: &Credentials,
    sku_id: i64,
    file: &web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<AdminPictureResponse, ApiError> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(js_error)?;
    xhr.open("POST", &admin_url(&format!("/skus/{sku_id}/pictures")))
        .map_err(js_error)?;
    xhr.set_request_header("Authorization", &format!("Bearer {}", staff.token))
        .map_err(js_error)?;
    let upload = xhr.upload().map_err(js_error)?;
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                progress((event.loaded() / event.total()).clamp(0.0, 1.0));
            }
        });
    upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    // `loadend` follows every ending (done, failed, aborted): the promise's own resolve
    // function is its handler, so no closure has to outlive this call.
    let ended = js_sys::Promise::new(&mut |resolve, _reject| {
        xhr.set_onloadend(Some(&resolve));
    });
    let blob: &web_sys::Blob = file;
    let sent = xhr.send_with_opt_blob(Some(blob)).map_err(js_error);
    if sent.is_ok() {
        let _ = wasm_bindgen_futures::JsFuture::from(ended).await;
    }
    upload.set_onprogress(None);
    xhr.set_onloadend(None);
    drop(on_progress);
    sent?;
    let status = xhr.status().map_err(js_error)?;
    if status == 0 {
        return Err(ApiError::Network("the upload got no answer".into()));
    }
    let text = xhr.response_text().map_err(js_error)?.unwrap_or_default();
    decode_body(status, &text)
}

/// `PUT /v1/admin/skus/<id>/pictures` (`goods.change`): every picture id in the new order
/// and, optionally, the new default; answers the pictures in order.
pub async fn order_pictures(
    staff: &Credentials,
    sku_id: i64,
    body: &PictureOrderRequest,
) -> Result<AdminPicturesResponse, ApiError> {
    let path = admin_url(&format!("/skus/{sku_id}/pictures"));
    send(authorized(Request::put(&path), staff).json(body)).await
}

/// `DELETE /v1/admin/skus/<id>/pictures/<picture_id>` (`goods.change`); answers the pictures
/// left, in order (another one is the default when the default went).
pub async fn delete_picture(
    staff: &Credentials,
    sku_id: i64,
    picture_id: i64,
) -> Result<AdminPicturesResponse, ApiError> {
    let path = admin_url(&format!("/skus/{sku_id}/pictures/{picture_id}"));
    send(authorized(Request::delete(&path), staff).build()).await
}

#[cfg(test)]
mod tests {
    use super::{SkuSaved, stale_or};
    use crate::api::ApiError;
    use dadashop_types::admin::AdminSkuResponse;

    const DETAIL: &str = r#"{"id":3,"name":"云朵卫衣 白色 M","caption":"","spu_id":1,"spu_name":"云朵卫衣",
        "catalog_id":1,"catalog_name":"卫衣","price":"199.00","market_price":"0.00","cost_price":"80.00",
        "stock":5,"sales":0,"is_launched":true,"image":"","version":7,"adjustments":[]}"#;

    #[test]
    fn a_stale_change_brings_the_current_values() {
        let body = format!(r#"{{"code":60102,"error":"商品已被他人修改","data":{DETAIL}}}"#);
        match stale_or::<AdminSkuResponse>(409, &body) {
            Ok(SkuSaved::Stale { message, current }) => {
                assert_eq!(message, "商品已被他人修改");
                assert_eq!(current.sku.version, 7);
                assert!(current.pictures.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let saved =
            stale_or::<AdminSkuResponse>(200, &format!(r#"{{"code":200,"data":{DETAIL}}}"#));
        assert!(matches!(saved, Ok(SkuSaved::Done(d)) if d.sku.price == "199.00"));
        let refused = stale_or::<AdminSkuResponse>(400, r#"{"code":10123,"error":"售价须大于 0"}"#);
        assert!(matches!(refused, Err(ApiError::Api { code: 10123, .. })));
        // A 409 without values (another conflict) stays an error.
        let other = stale_or::<AdminSkuResponse>(409, r#"{"code":60105,"error":"已有同名"}"#);
        assert!(matches!(other, Err(ApiError::Api { code: 60105, .. })));
    }
}
