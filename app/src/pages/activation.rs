//! `/activation?code=...` (and the legacy `/dadashop/templates/active.html`): the page the
//! activation mail links to. It sends the code once and says how it went.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::set_title;
use crate::Page;
use crate::api;
use crate::components::{ErrorNotice, Loading};
use crate::state::Remote;

/// Calls `GET /v1/users/activation?code=` with the link's code.
#[component]
pub fn ActivationPage() -> impl IntoView {
    set_title(Some("账户激活"));
    let query = use_query_map();
    let code = query.with_untracked(|q| q.get("code")).unwrap_or_default();
    let outcome = Remote::new();
    outcome.load(async move { api::users::activate(code.trim()).await });
    let body = move || match outcome.get() {
        None => view! { <Loading text="正在激活账户…" /> }.into_any(),
        Some(Err(error)) => view! { <ErrorNotice message=error.to_string() /> }.into_any(),
        Some(Ok(true)) => view! {
            <p class="notice success" role="status" data-testid="activation-ok">
                "账户已激活，欢迎来到达达商城！"
            </p>
        }
        .into_any(),
        Some(Ok(false)) => view! {
            <p class="notice info" role="status" data-testid="activation-ok">
                "你的账户已经激活过了，无需再次激活，直接登录即可。"
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="auth-card" aria-labelledby="activation-title">
            <h1 id="activation-title">"账户激活"</h1>
            {body}
            <p class="switch">
                <A href=Page::Home.path()>"去首页"</A>
                " · "
                <A href=Page::Profile.path()>"个人中心"</A>
            </p>
        </section>
    }
}
