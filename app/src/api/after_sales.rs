//! After the sale (docs/api.md, issue 27): a product's reviews for every visitor, and a
//! shopper's reviews and returns of a completed order. The wire types are
//! `dadashop_types::after_sales`; the bodies sent are the plain shapes of [`super::body`].
//!
//! The console's side (hiding reviews, deciding returns) is [`super::admin_after_sales`].

use dadashop_types::after_sales::{
    MyReview, MyReviewResponse, OrderReturn, OrderReturnResponse, ReturnPictureResponse,
    ReviewsResponse,
};
use gloo_net::http::Request;

use super::body::{NewReturn, ReviewBody};
use super::{ApiError, Credentials, authorized, segment, send, url};

/// `GET /v1/goods/<sku_id>/reviews?page=<page>`: page `page` (from 1) of the reviews of the
/// SKU's product, newest first, `REVIEWS_PAGE_SIZE` a page, with the count and the average.
/// 404 / 40300 for an unknown or unlaunched SKU, 400 / 40200 for a page past the last.
pub async fn reviews(sku_id: i64, page: u64) -> Result<ReviewsResponse, ApiError> {
    let path = url(&format!("/v1/goods/{sku_id}/reviews?page={page}"));
    send(Request::get(&path).build()).await
}

/// `/v1/orders/<username>/<order_id><rest>`.
fn order_url(credentials: &Credentials, order_id: &str, rest: &str) -> String {
    url(&format!(
        "/v1/orders/{}/{}{rest}",
        segment(&credentials.username),
        segment(order_id)
    ))
}

/// `POST /v1/orders/<username>/<order_id>/reviews`: reviews the line of `body.sku_id`.
/// 400 / 10123 a bad score or text; 409 / 50107 not completed yet or reviewed already.
pub async fn write_review(
    credentials: &Credentials,
    order_id: &str,
    body: &ReviewBody,
) -> Result<MyReview, ApiError> {
    let path = order_url(credentials, order_id, "/reviews");
    send::<MyReviewResponse>(authorized(Request::post(&path), credentials).json(body))
        .await
        .map(|answer| answer.data)
}

/// `PUT /v1/orders/<username>/<order_id>/reviews/<sku_id>`: edits the shopper's review of
/// that line; 409 / 50107 once `editable_until` has passed.
pub async fn edit_review(
    credentials: &Credentials,
    order_id: &str,
    sku_id: i64,
    body: &ReviewBody,
) -> Result<MyReview, ApiError> {
    let path = order_url(credentials, order_id, &format!("/reviews/{sku_id}"));
    send::<MyReviewResponse>(authorized(Request::put(&path), credentials).json(body))
        .await
        .map(|answer| answer.data)
}

/// `POST /v1/orders/<username>/<order_id>/return-pictures`: one picture, the file's bytes as
/// the body (the server knows a picture by its content, never by its name or type).
/// Answers its id for [`ask_return`] and its URL. 413 / 60107 too large, 422 / 60107 not a
/// JPEG, PNG or WebP (the message says which), 409 / 50107 past the return window.
pub async fn upload_return_picture(
    credentials: &Credentials,
    order_id: &str,
    file: &web_sys::Blob,
) -> Result<ReturnPictureResponse, ApiError> {
    let path = order_url(credentials, order_id, "/return-pictures");
    send(authorized(Request::post(&path), credentials).body(file.clone())).await
}

/// `POST /v1/orders/<username>/<order_id>/returns`: asks for a return of some units of some
/// lines. 400 / 10123 bad lines, counts or reason; 409 / 50107 past the window, or a return
/// of the order is going on.
pub async fn ask_return(
    credentials: &Credentials,
    order_id: &str,
    body: &NewReturn,
) -> Result<OrderReturn, ApiError> {
    let path = order_url(credentials, order_id, "/returns");
    send::<OrderReturnResponse>(authorized(Request::post(&path), credentials).json(body))
        .await
        .map(|answer| answer.data)
}
