//! One routed page per file. Pages read state, call [`crate::api`] and compose
//! [`crate::components`]. A few files are parts of a page too large for its own file, or
//! shared by two pages: `order_actions` (the order buttons of 我的订单 and of an order's own
//! page), `order_after_sale` (an order's reviews and returns) and `product_reviews` (the
//! product page's 商品评价).

mod activation;
mod address;
mod admin;
mod cart;
mod catalog;
mod favourites;
mod forgot;
mod history;
mod home;
mod legacy;
mod login;
mod not_found;
mod order_actions;
mod order_after_sale;
mod order_confirm;
mod order_detail;
mod order_result;
mod orders;
mod password;
mod payment_result;
mod product;
mod product_reviews;
mod profile;
mod register;
mod search;
mod sms;
mod weibo;

pub use activation::ActivationPage;
pub use address::AddressPage;
pub use admin::AdminPage;
pub use cart::CartPage;
pub use catalog::CatalogPage;
pub use favourites::FavouritesPage;
pub use forgot::ForgotPasswordPage;
pub use history::HistoryPage;
pub use home::HomePage;
pub use legacy::{LegacyPage, legacy_target};
pub use login::LoginPage;
pub use not_found::NotFoundPage;
pub use order_confirm::OrderConfirmPage;
pub use order_detail::OrderDetailPage;
pub use order_result::OrderResultPage;
pub use orders::OrdersPage;
pub use password::PasswordPage;
pub use payment_result::PaymentResultPage;
pub use product::ProductPage;
pub use profile::ProfilePage;
pub use register::RegisterPage;
pub use search::SearchPage;
pub use weibo::WeiboCallbackPage;

use crate::api::{self, ApiError};
use crate::state::Auth;
use dadashop_types::codes;

/// The shop name, last part of every document title.
const SHOP_NAME: &str = "达达商城";

/// Sets the document title: `"<page> - 达达商城"`, or the shop name alone.
fn set_title(page: Option<&str>) {
    let title = match page {
        Some(page) => format!("{page} - {SHOP_NAME}"),
        None => SHOP_NAME.to_owned(),
    };
    // The public pages' titles are `leptos_meta` titles (`crate::components::PageHead`):
    // when the last of them goes (the shopper left a product page for this one),
    // `leptos_meta` empties the document's title in an effect that runs after this page was
    // built. So the title is set now and once more when those effects have run.
    #[cfg(target_arch = "wasm32")]
    {
        leptos::prelude::document().set_title(&title);
        leptos::prelude::set_timeout(
            move || leptos::prelude::document().set_title(&title),
            std::time::Duration::ZERO,
        );
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = title;
}

/// The error a page reports when it needs a session and there is none (normally unreachable:
/// protected routes check first).
fn not_logged_in() -> ApiError {
    ApiError::Api {
        status: 401,
        code: codes::NOT_LOGGED_IN,
        message: "请先登录".to_owned(),
    }
}

/// Whether `error` says the thing asked for does not exist (an unknown catalog or an unknown
/// or unlaunched product): the page then shows the 404 page.
fn is_not_found(error: &ApiError) -> bool {
    matches!(error, ApiError::Api { status: 404, .. })
}

/// The validation message of a rule check, owned.
fn message<E: ToString>(check: Result<(), E>) -> Option<String> {
    check.err().map(|e| e.to_string())
}

/// 去支付: asks for the unpaid order's pay URL (`type=5`, signed afresh, so that the button
/// works after a reload and never sends a stale request) and leaves the SPA for Alipay's
/// cashier. An empty URL means online payment is off: that is the error then.
async fn go_to_payment(auth: Auth, order_id: &str) -> Result<(), ApiError> {
    let credentials = auth.credentials().ok_or_else(not_logged_in)?;
    let answer = auth.check(api::orders::repay(&credentials, order_id).await)?;
    let pay_url = answer.data.pay_url;
    if pay_url.is_empty() {
        return Err(ApiError::Api {
            status: 503,
            code: codes::PAYMENT_UNAVAILABLE,
            message: "在线支付暂未开通".to_owned(),
        });
    }
    if let Some(window) = web_sys::window() {
        // A URL the browser refuses leaves the shopper here, the button ready again.
        let _ = window.location().set_href(&pay_url);
    }
    Ok(())
}
