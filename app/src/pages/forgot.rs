//! `/password/forgot` (linked from the login page): the three steps of a password reset
//! (docs/api.md): the address, the mailed 6-digit code, the new password. Step 2's answer
//! carries the reset proof that step 3 sends.

use dadashop_types::rules;
use dadashop_types::users::ResetPasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;

use super::{message, set_title};
use crate::Page;
use crate::api;
use crate::components::{FormError, Loading, TextField};
use crate::state::Task;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Email,
    Code,
    Password,
    Done,
}

/// Asks for the address, then the code, then the new password.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    set_title(Some("找回密码"));
    let step = RwSignal::new(Step::Email);
    let email = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let proof = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);

    let email_error = Signal::derive(move || email.with(|v| message(rules::check_email(v.trim()))));
    let code_error = Signal::derive(move || {
        code.with(|v| {
            let v = v.trim();
            (v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| "请输入邮件中的6位验证码".to_owned())
        })
    });
    let password_error =
        Signal::derive(move || password.with(|v| message(rules::check_password(v))));
    let password2_error = Signal::derive(move || {
        (password2.get() != password.get()).then(|| "两次输入的密码不一致".to_owned())
    });

    let act = Task::new();
    let pending = act.pending();
    let server_error = act.error();
    let run = move |current: Step| {
        act.run(async move {
            let address = email.get_untracked().trim().to_owned();
            match current {
                Step::Email => {
                    api::users::send_reset_code(&address).await?;
                    step.set(Step::Code);
                }
                Step::Code => {
                    let answer =
                        api::users::verify_reset_code(&address, code.get_untracked().trim())
                            .await?;
                    proof.set(answer.proof);
                    step.set(Step::Password);
                }
                Step::Password => {
                    let body = ResetPasswordRequest {
                        email: Some(address),
                        password1: Some(password.get_untracked()),
                        password2: Some(password2.get_untracked()),
                        proof: Some(proof.get_untracked()),
                    };
                    api::users::reset_password(&body).await?;
                    step.set(Step::Done);
                }
                Step::Done => {}
            }
            submitted.set(false);
            Ok(())
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let current = step.get_untracked();
        let invalid = match current {
            Step::Email => email_error.get_untracked().is_some(),
            Step::Code => code_error.get_untracked().is_some(),
            Step::Password => {
                password_error.get_untracked().is_some()
                    || password2_error.get_untracked().is_some()
            }
            Step::Done => true,
        };
        if pending.get_untracked() || invalid {
            return;
        }
        run(current);
    };

    let fields = move || match step.get() {
        Step::Email => view! {
            <p>"请输入注册时填写的邮箱，我们会发送一个6位验证码。"</p>
            <TextField
                id="forgot-email"
                label="邮箱"
                input_type="email"
                value=email
                error=email_error
                reveal=submitted
                autocomplete="email"
                maxlength=rules::EMAIL_MAX_CHARS
            />
        }
        .into_any(),
        Step::Code => view! {
            <p class="notice success" role="status" data-testid="forgot-sent">
                "如果该邮箱已注册，验证码已发送，10分钟内有效。"
            </p>
            <TextField
                id="forgot-code"
                label="邮箱验证码"
                value=code
                error=code_error
                reveal=submitted
                autocomplete="one-time-code"
                inputmode="numeric"
                maxlength=6
            />
        }
        .into_any(),
        Step::Password => view! {
            <TextField
                id="forgot-password"
                label="新密码"
                input_type="password"
                value=password
                error=password_error
                reveal=submitted
                autocomplete="new-password"
                maxlength=rules::PASSWORD_MAX_CHARS
            />
            <TextField
                id="forgot-password2"
                label="确认新密码"
                input_type="password"
                value=password2
                error=password2_error
                reveal=submitted
                autocomplete="new-password"
                maxlength=rules::PASSWORD_MAX_CHARS
            />
        }
        .into_any(),
        Step::Done => view! {
            <p class="notice success" role="status" data-testid="forgot-done">
                "密码已重置，请使用新密码登录。"
            </p>
        }
        .into_any(),
    };
    let button = move || match step.get() {
        Step::Email => Some("发送验证码"),
        Step::Code => Some("下一步"),
        Step::Password => Some("重置密码"),
        Step::Done => None,
    };

    view! {
        <section class="auth-card" aria-labelledby="forgot-title">
            <h1 id="forgot-title">"找回密码"</h1>
            <form on:submit=on_submit novalidate>
                {fields}
                <FormError message=server_error />
                {move || {
                    button()
                        .map(|label| {
                            view! {
                                <button
                                    type="submit"
                                    class="btn primary block"
                                    disabled=move || pending.get()
                                >
                                    {label}
                                </button>
                            }
                        })
                }}
                {move || pending.get().then(|| view! { <Loading text="请稍候…" /> })}
            </form>
            <p class="switch">
                <A href=Page::Login.path()>"返回登录"</A>
            </p>
        </section>
    }
}
