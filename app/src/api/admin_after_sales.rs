//! The console's after-sale calls (issue 27): reviews, which an operator may hide from the
//! product page or show again, and returns, which are approved or refused and, once the goods
//! are back, refunded through Alipay (docs/api.md "admin"; the wire types are
//! `dadashop_types::after_sales`).
//!
//! As in [`super::admin`], every call carries the staff token (`Authorization: Bearer`); a
//! missing permission is 403 / 60101. Reviews are read with `goods.view` and hidden with
//! `goods.change`; returns are read with `refunds.view`, decided with `orders.change` and
//! received (restocked and refunded) with `refunds.change`. The decisions carry the return's
//! `version` as read: a stale one is 409 / 60102.

use dadashop_types::admin::AdminPageResponse;
use dadashop_types::after_sales::{
    AdminReview, OrderReturn, OrderReturnResponse, ReturnDecisionRequest, ReviewVisibilityRequest,
};
use gloo_net::http::Request;
use serde::de::IgnoredAny;

use super::admin::ListQuery;
use super::{ApiError, Credentials, authorized, send, url};

fn admin_url(rest: &str) -> String {
    url(&format!("/v1/admin{rest}"))
}

/// `GET /v1/admin/reviews?<query>` (`goods.view`): `hidden` (`1` hidden only, `0` shown
/// only), `page`; newest first, with the real names of anonymous authors. 400 / 10123 for a
/// bad filter.
pub async fn reviews(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AdminReview>, ApiError> {
    let path = query.href(&admin_url("/reviews"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `POST /v1/admin/reviews/<id>/visibility` (`goods.change`): the review hidden from the
/// product page (or shown again), with an optional reason of at most 200 characters for the
/// audit log. 404 / 60103 for an unknown review.
pub async fn set_review_visibility(
    staff: &Credentials,
    id: i64,
    body: &ReviewVisibilityRequest,
) -> Result<(), ApiError> {
    let path = admin_url(&format!("/reviews/{id}/visibility"));
    let request = authorized(Request::post(&path), staff).json(body);
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `GET /v1/admin/returns?<query>` (`refunds.view`): `status` (`requested`, `approved`,
/// `refused`, `received`, `refunded`), `page`; newest first.
pub async fn returns(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<OrderReturn>, ApiError> {
    let path = query.href(&admin_url("/returns"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `GET /v1/admin/returns/<id>` (`refunds.view`): one return as it is now; 404 / 60103 when
/// unknown.
pub async fn one_return(staff: &Credentials, id: i64) -> Result<OrderReturnResponse, ApiError> {
    let path = admin_url(&format!("/returns/{id}"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// What an operator does with a return: the last segment of its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnDecision {
    /// `approve` (`orders.change`): a requested return accepted; the message may say where
    /// to send the goods.
    Approve,
    /// `refuse` (`orders.change`): a requested return refused; the message is required.
    Refuse,
    /// `receive` (`refunds.change`): the goods of an approved return are back, restocked once
    /// and refunded; sent again for a `received` return whose refund did not go through, it
    /// asks the gateway again under the same request number (never paid twice).
    Receive,
}

impl ReturnDecision {
    fn segment(self) -> &'static str {
        match self {
            ReturnDecision::Approve => "approve",
            ReturnDecision::Refuse => "refuse",
            ReturnDecision::Receive => "receive",
        }
    }
}

/// `POST /v1/admin/returns/<id>/<approve|refuse|receive>` with the `version` read; answers
/// the return as it is now. 400 / 10123 a missing version, a missing refusal message or one
/// over 200 characters; 404 / 60103; 409 / 60102 changed since read, 409 / 50107 not in the
/// status the decision needs; for `receive` also 409 / 60104 the gateway refused and 503 /
/// 60104 the gateway unreachable (the goods are back in stock: send again).
pub async fn decide_return(
    staff: &Credentials,
    id: i64,
    decision: ReturnDecision,
    body: &ReturnDecisionRequest,
) -> Result<OrderReturnResponse, ApiError> {
    let path = admin_url(&format!("/returns/{id}/{}", decision.segment()));
    send(authorized(Request::post(&path), staff).json(body)).await
}
