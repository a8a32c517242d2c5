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
            let notice = (!user.is_active).then(|| view! { <InactiveNotice /> });
            let activation = if user.is_active {
                "已激活"
            } else {
                "未激活（请查收激活邮件）"
            };
            view! {
                {notice}
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

/// "账户未激活" with a 重新发送 button that mails a new activation link
/// (`POST /v1/users/<username>/activation`), and the server's answer.
#[component]
fn InactiveNotice() -> impl IntoView {
    let auth = use_auth();
    let outcome = RwSignal::new(None::<(bool, String)>);
    let resend = Action::new_local(move |(): &()| async move {
        let Some(credentials) = auth.credentials() else {
            return;
        };
        match auth.check(api::users::resend_activation(&credentials).await) {
            Ok(()) => outcome.set(Some((true, "激活邮件已重新发送，请查收".to_owned()))),
            Err(e) => outcome.set(Some((false, e.to_string()))),
        }
    });
    let pending = resend.pending();
    view! {
        <div class="notice info inactive-notice" role="status" data-testid="inactive-notice">
            <p>"您的账户尚未激活，请打开激活邮件中的链接。"</p>
            <button
                type="button"
                class="btn"
                data-testid="resend-activation"
                disabled=move || pending.get()
                on:click=move |_| {
                    resend.dispatch(());
                }
            >
                "重新发送"
            </button>
            {move || {
                outcome
                    .get()
                    .map(|(ok, text)| {
                        let class = if ok { "ok" } else { "error" };
                        view! { <p class=class data-testid="resend-outcome">{text}</p> }
                    })
            }}
        </div>
    }
}
