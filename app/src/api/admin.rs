//! The operator console's calls, `/v1/admin/...` (docs/api.md "admin"; the wire types are
//! `dadashop_types::admin`).
//!
//! Every call but the login carries a staff token (`Authorization: Bearer`), held in a
//! [`Credentials`] whose `username` is the operator's name. A shopper's token is refused with
//! 401, a missing permission with 403 / 60101. Reacting to a 401 (back to the console's login)
//! is the console's job, as for the shop's pages.
//!
//! The lists take a [`ListQuery`]: the console keeps its filters, sort and page in its own
//! URL under the very names the API reads, so the query of the page is the query of the call.

use dadashop_types::admin::{
    AdminOrderDetailResponse, AdminOrderRow, AdminPageResponse, AdminUserDetailResponse,
    AdminUserRow, AuditRow, DashboardResponse, NewStaffRequest, OrderActionRequest, ShipRequest,
    StaffChangeRequest, StaffLoginRequest, StaffRow, StaffSessionResponse,
};
use gloo_net::http::Request;
use serde::Serialize;
use serde::de::IgnoredAny;

use super::{ApiError, Credentials, authorized, segment, send, url};
use crate::encode_component;

/// Filters, sort and page of a console list as `key=value` pairs, in a fixed order; empty
/// values are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery(Vec<(&'static str, String)>);

impl ListQuery {
    /// No filter, page 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// The pairs of `keys` that `get` holds (a URL's query, say), trimmed.
    pub fn read(keys: &[&'static str], get: impl Fn(&str) -> Option<String>) -> Self {
        let mut query = Self::new();
        for key in keys {
            if let Some(value) = get(key) {
                query.set(key, &value);
            }
        }
        query
    }

    /// The value of `key`, `""` when absent.
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Sets `key` to `value` (trimmed; an empty value removes the key), keeping its place.
    pub fn set(&mut self, key: &'static str, value: &str) {
        let value = value.trim();
        match self.0.iter().position(|(k, _)| *k == key) {
            Some(at) if value.is_empty() => {
                self.0.remove(at);
            }
            Some(at) => self.0[at].1 = value.to_owned(),
            None if value.is_empty() => {}
            None => self.0.push((key, value.to_owned())),
        }
    }

    /// The same query with `key` set to `value`.
    pub fn with(mut self, key: &'static str, value: &str) -> Self {
        self.set(key, value);
        self
    }

    /// `page`, from 1 (1 when absent or unreadable).
    pub fn page(&self) -> u64 {
        self.get("page")
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// The same query on page `page` (page 1 is left out).
    pub fn on_page(self, page: u64) -> Self {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        self.with("page", &page)
    }

    /// `a=1&b=%E4%B8%AD`, without `?`; empty when there is nothing.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `path`, with `?<query>` when there is one.
    pub fn href(&self, path: &str) -> String {
        let query = self.encode();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

fn admin_url(rest: &str) -> String {
    url(&format!("/v1/admin{rest}"))
}

/// `POST /v1/admin/tokens`: logs an operator in; the answer carries the token. Errors as the
/// shop's login: 400 / 10104 wrong name or password (a disabled account too), 429 / 10131 too
/// many failures, 429 / 10133 an image captcha is needed (`POST /v1/users/captcha`), 400 /
/// 10134 a wrong captcha.
pub async fn login(body: &StaffLoginRequest) -> Result<StaffSessionResponse, ApiError> {
    send(Request::post(&admin_url("/tokens")).json(body)).await
}

/// `DELETE /v1/admin/tokens`: every console token of the operator stops working.
pub async fn logout(staff: &Credentials) -> Result<(), ApiError> {
    let request = authorized(Request::delete(&admin_url("/tokens")), staff).build();
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `GET /v1/admin/session`: the operator and the permissions of their role now.
pub async fn session(staff: &Credentials) -> Result<StaffSessionResponse, ApiError> {
    send(authorized(Request::get(&admin_url("/session")), staff).build()).await
}

/// `GET /v1/admin/dashboard` (`dashboard.view`).
pub async fn dashboard(staff: &Credentials) -> Result<DashboardResponse, ApiError> {
    send(authorized(Request::get(&admin_url("/dashboard")), staff).build()).await
}

/// `GET /v1/admin/orders?<query>` (`orders.view`): `status`, `date_from`, `date_to`,
/// `order_id`, `username`, `phone`, `min_amount`, `max_amount`, `sort`, `page`. 400 / 10123
/// for a bad filter.
pub async fn orders(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AdminOrderRow>, ApiError> {
    let path = query.href(&admin_url("/orders"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `GET /v1/admin/orders/<id>` (`orders.view`); 404 / 60103 for an unknown order.
pub async fn order(
    staff: &Credentials,
    order_id: &str,
) -> Result<AdminOrderDetailResponse, ApiError> {
    let path = admin_url(&format!("/orders/{}", segment(order_id)));
    send(authorized(Request::get(&path), staff).build()).await
}

/// A write on an order: `POST /v1/admin/orders/<id>/<action>` with `body`; answers the order
/// as it is now. 409 / 60102 when it changed since the `version` sent was read.
async fn order_write<B: Serialize>(
    staff: &Credentials,
    order_id: &str,
    action: &str,
    body: &B,
) -> Result<AdminOrderDetailResponse, ApiError> {
    let path = admin_url(&format!("/orders/{}/{action}", segment(order_id)));
    send(authorized(Request::post(&path), staff).json(body)).await
}

/// `POST /v1/admin/orders/<id>/ship` (`orders.change`): a paid order (status 2) shipped.
pub async fn ship(
    staff: &Credentials,
    order_id: &str,
    body: &ShipRequest,
) -> Result<AdminOrderDetailResponse, ApiError> {
    order_write(staff, order_id, "ship", body).await
}

/// `POST /v1/admin/orders/<id>/cancel` (`orders.change`): an unpaid order (status 1).
pub async fn cancel(
    staff: &Credentials,
    order_id: &str,
    body: &OrderActionRequest,
) -> Result<AdminOrderDetailResponse, ApiError> {
    order_write(staff, order_id, "cancel", body).await
}

/// `POST /v1/admin/orders/<id>/refund` (`refunds.change`): a paid order (status 2, with a
/// reason) or one waiting for its refund (status 6), refunded through Alipay. 409 / 60104 or
/// 503 / 60104 when the gateway refused or could not be reached (never refunded twice).
pub async fn refund(
    staff: &Credentials,
    order_id: &str,
    body: &OrderActionRequest,
) -> Result<AdminOrderDetailResponse, ApiError> {
    order_write(staff, order_id, "refund", body).await
}

/// `GET /v1/admin/users?<query>` (`users.view`): `q`, `date_from`, `date_to`, `page`.
pub async fn users(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AdminUserRow>, ApiError> {
    let path = query.href(&admin_url("/users"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `GET /v1/admin/users/<id>` (`users.view`).
pub async fn user(staff: &Credentials, id: i64) -> Result<AdminUserDetailResponse, ApiError> {
    send(authorized(Request::get(&admin_url(&format!("/users/{id}"))), staff).build()).await
}

/// `{"disabled": <bool>}`.
#[derive(Serialize)]
struct Disabled {
    disabled: bool,
}

/// `PUT /v1/admin/users/<id>/disabled` (`users.change`): the account disabled (its tokens stop
/// working at once) or enabled again; answers the shopper as they are now.
pub async fn set_user_disabled(
    staff: &Credentials,
    id: i64,
    disabled: bool,
) -> Result<AdminUserDetailResponse, ApiError> {
    let path = admin_url(&format!("/users/{id}/disabled"));
    send(authorized(Request::put(&path), staff).json(&Disabled { disabled })).await
}

/// `GET /v1/admin/staff?page=` (`staff.view`).
pub async fn staff(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<StaffRow>, ApiError> {
    let path = query.href(&admin_url("/staff"));
    send(authorized(Request::get(&path), staff).build()).await
}

/// `POST /v1/admin/staff` (`staff.add`). 409 / 60105 when the name is taken.
pub async fn create_staff(staff: &Credentials, body: &NewStaffRequest) -> Result<(), ApiError> {
    let request = authorized(Request::post(&admin_url("/staff")), staff).json(body);
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `PATCH /v1/admin/staff/<id>` (`staff.change`): a new role, or disabled / enabled.
pub async fn change_staff(
    staff: &Credentials,
    id: i64,
    body: &StaffChangeRequest,
) -> Result<(), ApiError> {
    let path = admin_url(&format!("/staff/{id}"));
    let request = authorized(Request::patch(&path), staff).json(body);
    send::<IgnoredAny>(request).await.map(|_| ())
}

/// `GET /v1/admin/audit?<query>` (`audit.view`): `staff`, `resource`, `date_from`, `date_to`,
/// `page`.
pub async fn audit(
    staff: &Credentials,
    query: &ListQuery,
) -> Result<AdminPageResponse<AuditRow>, ApiError> {
    let path = query.href(&admin_url("/audit"));
    send(authorized(Request::get(&path), staff).build()).await
}

#[cfg(test)]
mod tests {
    use super::ListQuery;

    #[test]
    fn list_queries_keep_their_order_and_leave_out_empty_values() {
        let query = ListQuery::new()
            .with("status", "2")
            .with("username", " 张三 ")
            .with("phone", "")
            .with("page", "3");
        assert_eq!(
            query.encode(),
            "status=2&username=%E5%BC%A0%E4%B8%89&page=3"
        );
        assert_eq!(query.get("username"), "张三");
        assert_eq!(query.get("phone"), "");
        assert_eq!(query.page(), 3);
        let first = query.clone().on_page(1);
        assert_eq!(first.encode(), "status=2&username=%E5%BC%A0%E4%B8%89");
        assert_eq!(first.page(), 1);
        assert_eq!(
            query.clone().with("status", "").href("/admin/orders"),
            "/admin/orders?username=%E5%BC%A0%E4%B8%89&page=3"
        );
        assert_eq!(ListQuery::new().href("/admin/orders"), "/admin/orders");
    }

    #[test]
    fn list_queries_read_only_their_keys_from_a_url() {
        let url = [("status", "6"), ("evil", "x"), ("min_amount", " 10 ")];
        let query = ListQuery::read(&["status", "min_amount", "max_amount"], |key| {
            url.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        });
        assert_eq!(query.encode(), "status=6&min_amount=10");
        assert_eq!(ListQuery::new().with("page", "0").page(), 1);
        assert_eq!(ListQuery::new().with("page", "x").page(), 1);
    }
}
