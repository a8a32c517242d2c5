//! Any path the route table does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use super::set_title;
use crate::Page;

/// "页面不存在" with a way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_title(Some("页面不存在"));
    view! {
        <section class="not-found">
            <h1>"页面不存在"</h1>
            <p>"您访问的页面不存在或已被移除。"</p>
            <A href=Page::Home.path()>"返回首页"</A>
        </section>
    }
}
