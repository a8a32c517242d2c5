//! `/login` (and the legacy `/dadashop/templates/login.html`).

use dadashop_types::users::Captcha;
use dadashop_types::{codes, rules};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::{message, set_title};
use crate::api;
use crate::components::{CheckboxField, FormError, Loading, TextField};
use crate::state::{Task, use_auth, use_cart, use_flash};
use crate::{Page, safe_next};

/// Username, password and 自动登录; on success the session starts (the offline cart merged
/// into the server cart) and the shopper goes to `?next=` (a path of this site) or home.
#[component]
pub fn LoginPage() -> impl IntoView {
    set_title(Some("登录"));
    let auth = use_auth();
    let cart = use_cart();
    let flash = use_flash();
    let navigate = use_navigate();
    let query = use_query_map();
    // The flash ("密码已修改，请重新登录") belongs to this visit of the page only.
    on_cleanup(move || flash.clear());

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let submitted = RwSignal::new(false);

    let username_error =
        Signal::derive(move || username.with(|name| message(rules::check_username(name.trim()))));
    // Only "not empty" here: length rules apply to new passwords, not to logging in.
    let password_error =
        Signal::derive(move || password.with(|p| p.is_empty().then(|| "请输入密码".to_owned())));
    // The image captcha the shop asked for (429 / 10133: the account is under attack, or this
    // address reached its limit), and what the shopper reads on it. Each is good for one try.
    let captcha = RwSignal::new(None::<Captcha>);
    let captcha_text = RwSignal::new(String::new());
    // Whether the shown captcha was submitted (its field's error shows only then).
    let captcha_tried = RwSignal::new(false);
    let captcha_error = Signal::derive(move || {
        (captcha.with(Option::is_some) && captcha_text.with(|t| t.trim().is_empty()))
            .then(|| "请输入图片中的字符".to_owned())
    });
    // A fresh captcha in place of the shown one (try_set: the page may be gone by then).
    let new_captcha = move || {
        leptos::task::spawn_local(async move {
            let fresh = api::users::captcha().await.ok();
            captcha_text.try_set(String::new());
            captcha_tried.try_set(false);
            captcha.try_set(fresh);
        });
    };

    let login = Task::new();
    let pending = login.pending();
    let server_error = login.error();
    let run = move |body: api::body::Login, remember: bool| {
        let navigate = navigate.clone();
        let next = query.with_untracked(|q| q.get("next"));
        let had_captcha = body.captcha_id.is_some();
        login.run(async move {
            let answer = match api::users::login(&body).await {
                Ok(answer) => answer,
                Err(e) => {
                    let asks = matches!(
                        e,
                        api::ApiError::Api {
                            code: codes::CAPTCHA_REQUIRED | codes::CAPTCHA_WRONG,
                            ..
                        }
                    );
                    // The shown captcha was used up by this try, or one is asked for now.
                    if asks || had_captcha {
                        new_captcha();
                    }
                    return Err(e);
                }
            };
            // The server merged the offline cart (`carts` of the body) into the shopper's.
            cart.merged();
            auth.log_in(&answer, remember);
            flash.clear();
            navigate(safe_next(next.as_deref()), Default::default());
            Ok(())
        });
    };

    // 微博登录: a successful start leaves the page for Weibo, so it stays "busy" after.
    let weibo = Task::new();
    let weibo_started = RwSignal::new(false);
    let weibo_busy = Signal::derive(move || weibo.pending().get() || weibo_started.get());
    let weibo_error = weibo.error();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if captcha.with_untracked(Option::is_some) {
            captcha_tried.set(true);
        }
        if pending.get_untracked()
            || username_error.get_untracked().is_some()
            || password_error.get_untracked().is_some()
            || captcha_error.get_untracked().is_some()
        {
            return;
        }
        let captcha_id = captcha.with_untracked(|c| c.as_ref().map(|c| c.captcha_id.clone()));
        let body = api::body::Login {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            carts: cart.to_merge(),
            captcha: captcha_id
                .is_some()
                .then(|| captcha_text.get_untracked().trim().to_owned()),
            captcha_id,
        };
        run(body, remember.get_untracked());
    };

    view! {
        <section class="auth-card" aria-labelledby="login-title">
            <h1 id="login-title">"登录"</h1>
            {move || flash.get().map(|text| view! { <p class="notice info" role="status">{text}</p> })}
            <form on:submit=on_submit novalidate>
                <TextField
                    id="login-username"
                    maxlength=11
                    label="用户名"
                    value=username
                    error=username_error
                    reveal=submitted
                    autocomplete="username"
                />
                <TextField
                    id="login-password"
                    maxlength=rules::PASSWORD_MAX_CHARS
                    label="密码"
                    input_type="password"
                    value=password
                    error=password_error
                    reveal=submitted
                    autocomplete="current-password"
                />
                {move || {
                    captcha
                        .get()
                        .map(|c| {
                            view! {
                                <div class="captcha">
                                    <img
                                        class="captcha-image"
                                        src=c.image
                                        alt="图形验证码"
                                        width="220"
                                        height="120"
                                    />
                                    <button
                                        type="button"
                                        class="btn link"
                                        on:click=move |_| new_captcha()
                                    >
                                        "看不清，换一张"
                                    </button>
                                </div>
                                <TextField
                                    id="login-captcha"
                                    maxlength=8
                                    label="图形验证码"
                                    value=captcha_text
                                    error=captcha_error
                                    reveal=captcha_tried
                                    autocomplete="off"
                                />
                            }
                        })
                }}
                <CheckboxField id="login-remember" label="自动登录" checked=remember />
                <FormError message=server_error />
                <button type="submit" class="btn primary block" disabled=move || pending.get()>
                    "登录"
                </button>
                {move || pending.get().then(|| view! { <Loading text="正在登录…" /> })}
            </form>
            <div class="other-logins">
                <span class="divider">"其他登录方式"</span>
                <button
                    type="button"
                    class="btn weibo block"
                    disabled=move || weibo_busy.get()
                    on:click=move |_| {
                        let remember = remember.get_untracked();
                        weibo
                            .run(async move {
                                super::weibo::start_weibo_login(remember).await?;
                                weibo_started.set(true);
                                Ok(())
                            });
                    }
                >
                    "微博登录"
                </button>
                <FormError message=weibo_error />
                {move || weibo_busy.get().then(|| view! { <Loading text="正在前往微博…" /> })}
            </div>
            <p class="switch">
                "还没有账号？" <A href=Page::Register.path()>"免费注册"</A> " · "
                <A href=Page::ForgotPassword.path()>"忘记密码？"</A>
            </p>
        </section>
    }
}
