//! `/register` (and the legacy `/dadashop/templates/register.html`).
//!
//! The SMS code: "获取短信验证码" asks the server to text a code to the phone, then counts
//! down 60 seconds (the server's interval, docs/api.md code 10131) before it can be asked
//! again. The end of the countdown is kept in localStorage ([`SMS_DEADLINE_KEY`]), so a
//! reload does not let the shopper ask early (the server would refuse anyway).

use dadashop_types::rules;
use dadashop_types::users::RegisterRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use std::time::Duration;

use super::{message, set_title};
use crate::Page;
use crate::api::{self, ApiError};
use crate::components::{CheckboxField, FormError, Loading, TextField};
use crate::state::{failure_message, use_auth};

/// localStorage key holding when the SMS countdown ends, in Unix milliseconds.
pub const SMS_DEADLINE_KEY: &str = "dashop_sms_deadline";
/// Seconds between two codes for one phone (the server's limit).
pub const SMS_INTERVAL_SECS: f64 = 60.0;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The stored end of the countdown, if any.
fn stored_deadline() -> f64 {
    local_storage()
        .and_then(|s| s.get_item(SMS_DEADLINE_KEY).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Username (sent as the legacy `uname`), password twice, phone, the SMS code, email and
/// 自动登录. The answer logs the new shopper in; they land on the home page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    set_title(Some("注册"));
    let auth = use_auth();
    let navigate = use_navigate();

    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let remember = RwSignal::new(false);
    let submitted = RwSignal::new(false);

    // The last name the server refused as taken (409 / 206): marks the username field until
    // the shopper changes it.
    let taken = RwSignal::new(None::<String>);
    let username_error = Signal::derive(move || {
        username.with(|v| {
            message(rules::check_username(v.trim())).or_else(|| {
                taken
                    .with(|t| t.as_deref() == Some(v.trim()))
                    .then(|| "用户名已被占用".to_owned())
            })
        })
    });
    let password_error =
        Signal::derive(move || password.with(|v| message(rules::check_password(v))));
    let password2_error = Signal::derive(move || {
        if password2.with(String::is_empty) {
            Some("请再次输入密码".to_owned())
        } else if password2.get() != password.get() {
            Some("两次输入的密码不一致".to_owned())
        } else {
            None
        }
    });
    let phone_error = Signal::derive(move || phone.with(|v| message(rules::check_phone(v.trim()))));
    let email_error = Signal::derive(move || email.with(|v| message(rules::check_email(v.trim()))));
    let verify = RwSignal::new(String::new());
    let verify_error = Signal::derive(move || {
        verify.with(|v| {
            let v = v.trim();
            (v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| "请输入6位短信验证码".to_owned())
        })
    });

    // The countdown: `now` ticks every second while the page is open.
    let deadline = RwSignal::new(stored_deadline());
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let seconds_left = Signal::derive(move || {
        let left = (deadline.get() - now.get()) / 1000.0;
        if left > 0.0 { left.ceil() as u32 } else { 0 }
    });
    let counting = Signal::derive(move || seconds_left.get() > 0);
    let sms_notice = RwSignal::new(None::<(bool, String)>);
    let send_code = Action::new_local(move |phone: &String| {
        let phone = phone.clone();
        async move {
            match api::users::send_sms_code(&phone).await {
                Ok(()) => {
                    let until = js_sys::Date::now() + SMS_INTERVAL_SECS * 1000.0;
                    if let Some(storage) = local_storage() {
                        let _ = storage.set_item(SMS_DEADLINE_KEY, &until.to_string());
                    }
                    deadline.set(until);
                    sms_notice.set(Some((true, "验证码已发送，5分钟内有效".to_owned())));
                }
                Err(e) => sms_notice.set(Some((false, e.to_string()))),
            }
        }
    });
    let sending = send_code.pending();
    let on_send_code = move |_| {
        if phone_error.get_untracked().is_some() {
            sms_notice.set(Some((false, "请先填写正确的手机号".to_owned())));
            return;
        }
        if sending.get_untracked() || seconds_left.get_untracked() > 0 {
            return;
        }
        send_code.dispatch(phone.get_untracked().trim().to_owned());
    };
    let errors = [
        username_error,
        password_error,
        password2_error,
        phone_error,
        verify_error,
        email_error,
    ];

    let register = Action::new_local(move |(body, remember): &(RegisterRequest, bool)| {
        let (body, remember) = (body.clone(), *remember);
        let navigate = navigate.clone();
        async move {
            let answer = match api::users::register(&body).await {
                Err(e @ ApiError::Api { code: 206, .. }) => {
                    taken.set(body.uname.clone());
                    return Err(e);
                }
                other => other?,
            };
            auth.log_in(&answer, remember);
            navigate(Page::Home.path(), Default::default());
            Ok::<(), ApiError>(())
        }
    });
    let pending = register.pending();
    let server_error = failure_message(register);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if pending.get_untracked() || errors.iter().any(|e| e.get_untracked().is_some()) {
            return;
        }
        let body = RegisterRequest {
            uname: Some(username.get_untracked().trim().to_owned()),
            password: Some(password.get_untracked()),
            password2: Some(password2.get_untracked()),
            phone: Some(phone.get_untracked().trim().to_owned()),
            email: Some(email.get_untracked().trim().to_owned()),
            verify: Some(verify.get_untracked().trim().to_owned()),
            ..RegisterRequest::default()
        };
        register.dispatch((body, remember.get_untracked()));
    };

    view! {
        <section class="auth-card" aria-labelledby="register-title">
            <h1 id="register-title">"注册"</h1>
            <form on:submit=on_submit novalidate>
                <TextField
                    id="register-username"
                    maxlength=11
                    label="用户名"
                    value=username
                    error=username_error
                    reveal=submitted
                    autocomplete="username"
                    placeholder="1-11位字母、数字、下划线或汉字"
                />
                <TextField
                    id="register-password"
                    maxlength=rules::PASSWORD_MAX_CHARS
                    label="密码"
                    input_type="password"
                    value=password
                    error=password_error
                    reveal=submitted
                    autocomplete="new-password"
                    placeholder="至少8个字符"
                />
                <TextField
                    id="register-password2"
                    maxlength=rules::PASSWORD_MAX_CHARS
                    label="确认密码"
                    input_type="password"
                    value=password2
                    error=password2_error
                    reveal=submitted
                    autocomplete="new-password"
                />
                <TextField
                    id="register-phone"
                    maxlength=11
                    label="手机号"
                    input_type="tel"
                    value=phone
                    error=phone_error
                    reveal=submitted
                    autocomplete="tel"
                    inputmode="numeric"
                />
                <div class="sms-code">
                    <TextField
                        id="register-verify"
                        maxlength=6
                        label="短信验证码"
                        value=verify
                        error=verify_error
                        reveal=submitted
                        autocomplete="one-time-code"
                        inputmode="numeric"
                    />
                    <button
                        type="button"
                        class="btn"
                        data-testid="send-sms"
                        on:click=on_send_code
                        disabled=move || sending.get() || counting.get()
                    >
                        {move || match seconds_left.get() {
                            0 => "获取短信验证码".to_owned(),
                            n => format!("{n}秒后重新获取"),
                        }}
                    </button>
                </div>
                {move || {
                    sms_notice
                        .get()
                        .map(|(ok, text)| {
                            let class = if ok { "notice success" } else { "notice error" };
                            view! {
                                <p class=class role="status" data-testid="sms-notice">
                                    {text}
                                </p>
                            }
                        })
                }}
                <TextField
                    id="register-email"
                    maxlength=rules::EMAIL_MAX_CHARS
                    label="邮箱"
                    input_type="email"
                    value=email
                    error=email_error
                    reveal=submitted
                    autocomplete="email"
                />
                <CheckboxField id="register-remember" label="自动登录" checked=remember />
                <FormError message=server_error />
                <button type="submit" class="btn primary block" disabled=move || pending.get()>
                    "注册"
                </button>
                {move || pending.get().then(|| view! { <Loading text="正在注册…" /> })}
            </form>
            <p class="switch">"已有账号？" <A href=Page::Login.path()>"立即登录"</A></p>
        </section>
    }
}
