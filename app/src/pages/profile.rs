//! `/user`: the shopper's profile.

use leptos::prelude::*;

use super::{not_logged_in, set_title};
use crate::api;
use crate::components::{ErrorNotice, FormError, Loading, UserNav};
use crate::format::{beijing_time, mask_phone};
use crate::state::{Remote, Task, use_auth};

/// Fetches `GET /v1/users/<username>` and shows it.
#[component]
pub fn ProfilePage() -> impl IntoView {
    set_title(Some("个人中心"));
    let auth = use_auth();
    let profile = Remote::new();
    let load = move || {
        profile.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::users::profile(&credentials).await)
        });
    };
    load();
    let retry = Callback::new(move |()| load());
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
            <div class="panels">
                <section class="panel">
                    <h1>"个人信息"</h1>
                    {body}
                </section>
                <WeiboBinding />
            </div>
        </div>
    }
}

/// The bound Weibo account, with 解除绑定 (asked twice). Removing it keeps the account and
/// its password; the shopper can bind again by logging in with Weibo.
#[component]
fn WeiboBinding() -> impl IntoView {
    let auth = use_auth();
    let binding = Remote::new();
    let load = move || {
        binding.load(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::weibo::binding(&credentials).await)
        });
    };
    load();
    let confirming = RwSignal::new(false);
    let unbind = Task::new();
    let busy = unbind.pending();
    let unbind_error = unbind.error();
    let retry = Callback::new(move |()| load());

    let body = move || match binding.get() {
        None => view! { <Loading text="正在加载微博绑定…" /> }.into_any(),
        Some(Err(error)) => {
            view! { <ErrorNotice message=error.to_string() on_retry=retry /> }.into_any()
        }
        Some(Ok(None)) => view! {
            <p class="status empty" data-testid="weibo-binding">
                "未绑定微博账号。退出后点击登录页的“微博登录”，即可绑定并用微博直接登录。"
            </p>
        }
        .into_any(),
        Some(Ok(Some(bound))) => view! {
            <p data-testid="weibo-binding">
                "已绑定微博账号「" {bound.nickname} "」（" {beijing_time(bound.bound_at)} " 绑定）"
            </p>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="btn small danger"
                            disabled=move || busy.get()
                            on:click=move |_| confirming.set(true)
                        >
                            "解除绑定"
                        </button>
                    }
                }
            >
                <div class="confirm" role="alertdialog" aria-label="确认解除微博绑定">
                    <span>"解除后不能再用这个微博账号直接登录，账号和密码不变。确定解除吗？"</span>
                    <button
                        type="button"
                        class="btn small danger"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            confirming.set(false);
                            unbind
                                .run(async move {
                                    let credentials = auth
                                        .credentials()
                                        .ok_or_else(not_logged_in)?;
                                    auth.check(api::weibo::unbind(&credentials).await)?;
                                    load();
                                    Ok(())
                                });
                        }
                    >
                        "确认解除"
                    </button>
                    <button type="button" class="btn small" on:click=move |_| confirming.set(false)>
                        "取消"
                    </button>
                </div>
            </Show>
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="weibo-binding-title">
            <h2 id="weibo-binding-title">"微博绑定"</h2>
            {body}
            <FormError message=unbind_error />
        </section>
    }
}

/// "账户未激活" with a 重新发送 button that mails a new activation link
/// (`POST /v1/users/<username>/activation`), and the server's answer.
#[component]
fn InactiveNotice() -> impl IntoView {
    let auth = use_auth();
    let outcome = RwSignal::new(None::<(bool, String)>);
    let resend = Task::new();
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
                    resend
                        .run(async move {
                            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
                            match auth.check(api::users::resend_activation(&credentials).await) {
                                Ok(()) => {
                                    outcome
                                        .set(Some((true, "激活邮件已重新发送，请查收".to_owned())))
                                }
                                Err(e) => outcome.set(Some((false, e.to_string()))),
                            }
                            Ok(())
                        });
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
