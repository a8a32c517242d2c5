//! The original shop's page paths (`/dadashop/templates/product_list.html?catalog_id=`,
//! `product_details.html?skuid=`, `search_list.html?q=`, `orders.html` (order confirmation),
//! `myorders.html`): they send the shopper to the page that replaced them, keeping the
//! parameters. (`cart.html` shows the cart page itself.)

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::NotFoundPage;
use crate::Page;
use crate::api::orders::Settle;

/// Replaces the history entry with `target` (computed from the query), or the 404 page when
/// the query lacks what it needs.
fn redirect(target: Option<String>) -> impl IntoView {
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
    (!found).then(|| view! { <NotFoundPage /> })
}

/// `product_list.html?catalog_id=N&page=M` → `/catalog/N?page=M`.
#[component]
pub fn LegacyCatalog() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let target = query
        .get("catalog_id")
        .and_then(|id| id.parse::<i64>().ok())
        .map(|id| {
            let page = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            Page::catalog_with(
                id,
                &crate::api::goods::ListFilter {
                    page,
                    ..Default::default()
                },
            )
        });
    redirect(target)
}

/// `product_details.html?skuid=N` → `/product/N`.
#[component]
pub fn LegacyProduct() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let target = query
        .get("skuid")
        .or_else(|| query.get("sku_id"))
        .and_then(|id| id.parse::<i64>().ok())
        .map(Page::product);
    redirect(target)
}

/// `search_list.html?q=...` → `/search?q=...`.
#[component]
pub fn LegacySearch() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let q = query.get("q").unwrap_or_default();
    redirect(Some(Page::search(&q, 1)))
}

/// `orders.html?settlement_type=...` (the original's order confirmation) →
/// `/order/confirm?...`, the cart's selected lines when the query does not say.
#[component]
pub fn LegacyConfirm() -> impl IntoView {
    let query = use_query_map().get_untracked();
    let settle = match (
        query.get("settlement_type").as_deref(),
        query.get("sku_id").and_then(|id| id.parse::<i64>().ok()),
        query.get("buy_num").and_then(|n| n.parse::<i64>().ok()),
    ) {
        (Some("1"), Some(sku_id), Some(count)) => Settle::BuyNow { sku_id, count },
        _ => Settle::Cart,
    };
    redirect(Some(Page::confirm(settle)))
}

/// `myorders.html` → `/user/orders`.
#[component]
pub fn LegacyOrders() -> impl IntoView {
    redirect(Some(Page::Orders.path().to_owned()))
}
