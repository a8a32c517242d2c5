//! `/register` (and the legacy `/dadashop/templates/register.html`).
//!
//! The SMS code row with its countdown is [`super::sms::SmsCodeField`].

use dadashop_types::rules;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::sms::{SmsCodeField, sms_code_error};
use super::{message, set_title};
use crate::Page;
use crate::api::{self, ApiError};
use crate::components::{CheckboxField, FormError, Loading, TextField};
use crate::state::{Task, use_auth, use_cart, use_flash};

/// Username (sent as the legacy `uname`), password twice, phone, the SMS code, email and
/// 自动登录, with the offline cart to merge. The answer logs the new shopper in; they land
/// on the home page.
#[component]
pub fn RegisterPage() -> impl IntoView {
    set_title(Some("注册"));
    let auth = use_auth();
    let cart = use_cart();
    let navigate = use_navigate();
    let flash = use_flash();

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
    let verify_error = sms_code_error(verify);
    let errors = [
        username_error,
        password_error,
        password2_error,
        phone_error,
        verify_error,
        email_error,
    ];

    let register = Task::new();
    let pending = register.pending();
    let server_error = register.error();
    let run = move |body: api::body::Register, remember: bool| {
        let navigate = navigate.clone();
        let email = body.email.clone();
        register.run(async move {
            let answer = match api::users::register(&body).await {
                Err(e @ ApiError::Api { code: 206, .. }) => {
                    taken.set(Some(body.uname.clone()));
                    return Err(e);
                }
                other => other?,
            };
            // The server merged the offline cart (`carts` of the body) into the new one.
            cart.merged();
            auth.log_in(&answer, remember);
            flash.set(format!(
                "注册成功！激活邮件已发到 {email}，请查收并点击邮件中的链接激活账户（几分钟内没收到，请看看垃圾邮件，或在个人中心重新发送）。"
            ));
            navigate(Page::Home.path(), Default::default());
            Ok(())
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if pending.get_untracked() || errors.iter().any(|e| e.get_untracked().is_some()) {
            return;
        }
        let body = api::body::Register {
            uname: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            password2: password2.get_untracked(),
            phone: phone.get_untracked().trim().to_owned(),
            email: email.get_untracked().trim().to_owned(),
            verify: verify.get_untracked().trim().to_owned(),
            carts: cart.to_merge(),
        };
        run(body, remember.get_untracked());
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
                <SmsCodeField
                    id="register-verify"
                    phone
                    phone_error
                    code=verify
                    reveal=submitted
                />
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
