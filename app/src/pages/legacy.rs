//! The original shop's page paths, `/dadashop/templates/<file>.html`, kept for old links and
//! bookmarks: one route for all of them (each route costs the wasm module a few KB) that
//! sends the shopper to the page that replaced the file, keeping the parameters:
//! `index.html`, `login.html`, `register.html`, `active.html`, `cart.html` and
//! `pay_success.html` (Alipay's return URL of the original) with their query as it is; `product_list.html?catalog_id=`, `product_details.html?skuid=`,
//! `search_list.html?q=`, `orders.html` (the order confirmation) and `myorders.html` with
//! their parameters translated. (`callback.html`, Weibo's registered redirect, has its own
//! route: it must keep its address.) Every file here is in
//! `dadashop_types::routes::APP_ROUTES`.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::NotFoundPage;
use crate::Page;
use crate::api::goods::ListFilter;
use crate::api::orders::Settle;

/// Replaces the history entry with `target` (computed from the query), or the 404 page when
/// the query lacks what it needs.
fn redirect(target: Option<String>) -> AnyView {
    let navigate = use_navigate();
    let found = target.is_some();
    Effect::new(move |_| {
        if let Some(target) = &target {
            navigate(
                target,
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    (!found).then(|| view! { <NotFoundPage /> }).into_any()
}

/// Where a legacy redirect goes, from the file name, its query string (`search`, with its
/// `?` or empty) and its query parameters (`None`: the file is not one of the original's, or
/// the query lacks what it needs).
pub fn legacy_target(
    file: &str,
    search: &str,
    param: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let number = |name: &str| param(name).and_then(|v| v.trim().parse::<i64>().ok());
    let same_query = |page: Page| Some(format!("{}{search}", page.path()));
    match file {
        "index.html" => same_query(Page::Home),
        "login.html" => same_query(Page::Login),
        "register.html" => same_query(Page::Register),
        "active.html" => same_query(Page::Activation),
        "cart.html" => same_query(Page::Cart),
        // Alipay's signed return parameters, passed on untouched.
        "pay_success.html" => same_query(Page::PaymentResult),
        // `product_list.html?catalog_id=N&page=M` → `/catalog/N?page=M`.
        "product_list.html" => number("catalog_id").map(|id| {
            let filter = ListFilter {
                page: number("page")
                    .and_then(|p| u64::try_from(p).ok())
                    .unwrap_or(1),
                ..Default::default()
            };
            Page::catalog_with(id, &filter)
        }),
        // `product_details.html?skuid=N` → `/product/N`.
        "product_details.html" => number("skuid")
            .or_else(|| number("sku_id"))
            .map(Page::product),
        // `search_list.html?q=...` → `/search?q=...`.
        "search_list.html" => Some(Page::search(&param("q").unwrap_or_default(), 1)),
        // `orders.html?settlement_type=...` → `/order/confirm?...`, the cart's selected lines
        // unless the query names a whole buy-now line.
        "orders.html" => Some(Page::confirm(
            match (
                param("settlement_type").as_deref(),
                number("sku_id"),
                number("buy_num"),
            ) {
                (Some("1"), Some(sku_id), Some(count)) => Settle::BuyNow { sku_id, count },
                _ => Settle::Cart,
            },
        )),
        "myorders.html" => Some(Page::Orders.path().to_owned()),
        _ => None,
    }
}

/// `/dadashop/templates/<file>`: a redirect to the page that replaced `file`.
#[component]
pub fn LegacyPage() -> impl IntoView {
    let file = use_params_map()
        .get_untracked()
        .get("file")
        .unwrap_or_default();
    let query = use_query_map().get_untracked();
    let search = if cfg!(target_arch = "wasm32") {
        web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default()
    } else {
        String::new()
    };
    redirect(legacy_target(&file, &search, |name| query.get(name)))
}

#[cfg(test)]
mod tests {
    use super::legacy_target as target;

    fn go(file: &str, query: &[(&str, &str)]) -> Option<String> {
        target(file, "?x=1", |name| {
            query
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn legacy_files_lead_to_the_pages_that_replaced_them() {
        assert_eq!(
            go("product_list.html", &[("catalog_id", "2"), ("page", "3")]).as_deref(),
            Some("/catalog/2?page=3")
        );
        assert_eq!(go("product_list.html", &[]), None);
        assert_eq!(
            go("product_details.html", &[("skuid", "5")]).as_deref(),
            Some("/product/5")
        );
        assert_eq!(
            go("search_list.html", &[("q", "钱包")]).as_deref(),
            Some("/search?q=%E9%92%B1%E5%8C%85")
        );
        assert_eq!(
            go(
                "orders.html",
                &[("settlement_type", "1"), ("sku_id", "7"), ("buy_num", "2")]
            )
            .as_deref(),
            Some("/order/confirm?settlement_type=1&sku_id=7&buy_num=2")
        );
        assert_eq!(
            go("orders.html", &[]).as_deref(),
            Some("/order/confirm?settlement_type=0")
        );
        assert_eq!(go("myorders.html", &[]).as_deref(), Some("/user/orders"));
        assert_eq!(go("login.html", &[]).as_deref(), Some("/login?x=1"));
        assert_eq!(go("index.html", &[]).as_deref(), Some("/?x=1"));
        assert_eq!(
            go("pay_success.html", &[]).as_deref(),
            Some("/payment/result?x=1")
        );
        assert_eq!(go("nope.html", &[]), None);
    }

    #[test]
    fn every_legacy_file_is_in_the_web_origins_route_table() {
        use dadashop_types::routes::APP_ROUTES;
        let files: Vec<&str> = APP_ROUTES
            .iter()
            .filter_map(|r| r.strip_prefix("/dadashop/templates/"))
            .collect();
        for file in [
            "index.html",
            "login.html",
            "register.html",
            "callback.html",
            "active.html",
            "cart.html",
            "product_list.html",
            "product_details.html",
            "search_list.html",
            "orders.html",
            "myorders.html",
            "pay_success.html",
        ] {
            assert!(files.contains(&file), "{file}");
        }
    }
}
