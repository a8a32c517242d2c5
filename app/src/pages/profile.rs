//! `/user`: the shopper's profile.

use leptos::prelude::*;

use super::{not_logged_in, set_title};
use crate::api;
use crate::components::{ErrorNotice, Loading, UserNav};
use crate::format::{beijing_time, mask_phone};
use crate::state::use_auth;

/// Fetches `GET /v1/users/<username>` and shows it.
#[component]
pub fn ProfilePage() -> impl IntoView {
    set_title(Some("个人中心"));
    let auth = use_auth();
    let profile = LocalResource::new(move || async move {
        let credentials = auth.credentials().ok_or_else(not_logged_in)?;
        auth.check(api::users::profile(&credentials).await)
    });
    let retry = Callback::new(move |()| profile.refetch());
    let body = move || match profile.get() {
        None => view! { <Loading text="正在加载个人信息…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(user)) => {
            let activation = if user.is_active {
                "已激活"
            } else {
                "未激活（请查收激活邮件）"
            };
            view! {
                <dl class="profile" data-testid="profile">
                    <dt>"用户名"</dt>
                    <dd>{user.username}</dd>
                    <dt>"手机号"</dt>
                    <dd data-testid="profile-phone">{mask_phone(&user.phone)}</dd>
                    <dt>"邮箱"</dt>
                    <dd>{user.email}</dd>
                    <dt>"账号状态"</dt>
                    <dd class:inactive=!user.is_active>{activation}</dd>
                    <dt>"注册时间"</dt>
                    <dd>{beijing_time(user.created_at)}</dd>
                </dl>
            }
            .into_any()
        }
    };
    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel">
                <h1>"个人信息"</h1>
                {body}
            </section>
        </div>
    }
}
