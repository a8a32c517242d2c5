//! The console's login form, shown on every console path while there is no session.

use dadashop_types::admin::StaffLoginRequest;
use dadashop_types::users::Captcha;
use dadashop_types::{codes, rules};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::session::use_console;
use crate::api::{self, ApiError};
use crate::components::{FormError, Loading, TextField};
use crate::pages::{message, set_title};
use crate::state::Task;

/// 用户名 and 密码 (errors inline); the image captcha when the server asks for one (429 /
/// 10133, as the shop's login: `POST /v1/users/captcha`). On success the page asked for
/// shows.
#[component]
pub fn ConsoleLogin() -> impl IntoView {
    set_title(Some("运营后台登录"));
    let console = use_console();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let username_error =
        Signal::derive(move || username.with(|name| message(rules::check_username(name.trim()))));
    let password_error =
        Signal::derive(move || password.with(|p| p.is_empty().then(|| "请输入密码".to_owned())));

    // The captcha asked for, and what the operator reads on it (each is good for one try).
    let captcha = RwSignal::new(None::<Captcha>);
    let captcha_text = RwSignal::new(String::new());
    let captcha_tried = RwSignal::new(false);
    let captcha_error = Signal::derive(move || {
        (captcha.with(Option::is_some) && captcha_text.with(|t| t.trim().is_empty()))
            .then(|| "请输入图片中的字符".to_owned())
    });
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
        let body = StaffLoginRequest {
            username: Some(username.get_untracked().trim().to_owned()),
            password: Some(password.get_untracked()),
            captcha: captcha_id
                .is_some()
                .then(|| captcha_text.get_untracked().trim().to_owned()),
            captcha_id,
        };
        login.run(async move {
            match api::admin::login(&body).await {
                Ok(answer) => {
                    console.log_in(answer.data);
                    Ok(())
                }
                Err(e) => {
                    let asks = matches!(
                        e,
                        ApiError::Api {
                            code: codes::CAPTCHA_REQUIRED | codes::CAPTCHA_WRONG,
                            ..
                        }
                    );
                    if asks || body.captcha_id.is_some() {
                        new_captcha();
                    }
                    Err(e)
                }
            }
        });
    };

    view! {
        <div class="console-login">
            <section class="auth-card" aria-labelledby="console-login-title">
                <p class="console-login-brand">
                    <span class="brand-mark" aria-hidden="true">"达"</span>
                    "达达商城"
                </p>
                <h1 id="console-login-title">"运营后台登录"</h1>
                {move || {
                    console.notice().map(|text| view! { <p class="notice info" role="status">{text}</p> })
                }}
                <form on:submit=on_submit novalidate>
                    <TextField
                        id="console-username"
                        maxlength=11
                        label="用户名"
                        value=username
                        error=username_error
                        reveal=submitted
                        autocomplete="username"
                    />
                    <TextField
                        id="console-password"
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
                                        <button type="button" class="btn link" on:click=move |_| new_captcha()>
                                            "看不清，换一张"
                                        </button>
                                    </div>
                                    <TextField
                                        id="console-captcha"
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
                    <FormError message=login.error() />
                    <button type="submit" class="btn primary block" disabled=move || pending.get()>
                        "登录"
                    </button>
                    {move || pending.get().then(|| view! { <Loading text="正在登录…" /> })}
                </form>
            </section>
        </div>
    }
}
