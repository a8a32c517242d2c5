//! Any path the route table does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::Page;
use crate::components::{HeadInfo, PageHead};

/// "页面不存在" with a way home.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let head = HeadInfo {
        title: Some("页面不存在".to_owned()),
        description: "您访问的页面不存在或已被移除。".to_owned(),
        og_type: "website",
        noindex: true,
        ..Default::default()
    };
    view! {
        <PageHead head />
        <section class="not-found" data-testid="not-found">
            <h1>"页面不存在"</h1>
            <p>"您访问的页面不存在或已被移除。"</p>
            <A href=Page::Home.path()>"返回首页"</A>
        </section>
    }
}
