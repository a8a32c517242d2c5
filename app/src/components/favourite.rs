//! The heart (收藏) of product cards and the product page.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::login_returning_here;
use crate::state::{use_auth, use_favourites};

/// ♡ / ♥: a toggle button (`aria-pressed`) named 收藏 / 已收藏 that adds the SKU to the
/// logged-in shopper's favourites or removes it; every heart of the SKU on the page follows
/// (`state::Favourites`). A shopper who is not logged in goes to the login page, which comes
/// back here afterwards (as 立即购买 does).
///
/// The state is read from the shopper's one list, which the first heart of a page asks for:
/// the button itself sends nothing until it is clicked.
#[component]
pub fn FavouriteToggle(
    /// The SKU.
    sku_id: i64,
    /// The product's name, said by a card's heart as its description ("收藏“<name>”"), so
    /// that a list of hearts is not a list of identical buttons; `None` on the product page.
    #[prop(optional)]
    name: Option<String>,
    /// Show the name (收藏 / 已收藏) beside the heart, as the product page does; a card shows
    /// the heart alone.
    #[prop(optional)]
    labelled: bool,
) -> impl IntoView {
    let favourites = use_favourites();
    let auth = use_auth();
    let navigate = use_navigate();
    favourites.want();
    let on = move || favourites.contains(sku_id);
    let label = move || if on() { "已收藏" } else { "收藏" };
    let on_click = move |_| {
        if auth.is_logged_in_untracked() {
            favourites.toggle(sku_id);
        } else {
            navigate(&login_returning_here(), Default::default());
        }
    };
    let description = name.map(|name| {
        move || {
            if on() {
                format!("取消收藏“{name}”")
            } else {
                format!("收藏“{name}”")
            }
        }
    });
    view! {
        <button
            type="button"
            class="fav-toggle"
            class:labelled=labelled
            class:on=on
            aria-pressed=move || on().to_string()
            aria-busy=move || favourites.is_pending(sku_id).then_some("true")
            aria-label=move || (!labelled).then(label)
            title=description
            data-testid="favourite-toggle"
            on:click=on_click
        >
            <span class="fav-heart" aria-hidden="true">
                {move || if on() { "♥" } else { "♡" }}
            </span>
            {labelled.then(|| view! { <span class="fav-label">{label}</span> })}
        </button>
    }
}
