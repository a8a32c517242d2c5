//! `/cart`: the header's cart entry point. The cart itself comes with the cart issue; until
//! then the page says so and leads back to the goods.

use leptos::prelude::*;

use super::set_title;
use crate::Page;

/// "购物车" placeholder.
#[component]
pub fn CartPage() -> impl IntoView {
    set_title(Some("购物车"));
    view! {
        <section class="panel">
            <h1>"购物车"</h1>
            <p class="status empty">"购物车功能即将上线，先去逛逛吧。"</p>
            <a href=Page::Home.path()>"返回首页"</a>
        </section>
    }
}
