//! `/user/history`: the products the shopper viewed last (personal center).

use leptos::prelude::*;

use super::{not_logged_in, set_title};
use crate::api;
use crate::components::{EmptyNotice, ErrorNotice, Loading, SkuGrid, UserNav};
use crate::state::{Remote, use_auth};

/// Fetches `GET /v1/users/<username>/history` and shows the SKUs, newest first.
#[component]
pub fn HistoryPage() -> impl IntoView {
    set_title(Some("浏览记录"));
    let auth = use_auth();
    let history = Remote::new();
    let load = move || {
        history.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::goods::history(&credentials).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
    let body = move || match history.get() {
        None => view! { <Loading text="正在加载浏览记录…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(answer)) if answer.data.is_empty() => {
            view! { <EmptyNotice text="还没有浏览过商品" /> }.into_any()
        }
        Some(Ok(answer)) => view! {
            <div data-testid="history">
                <SkuGrid skus=answer.data base_url=answer.base_url />
            </div>
        }
        .into_any(),
    };
    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel">
                <h1>"浏览记录"</h1>
                {body}
            </section>
        </div>
    }
}
