//! `/user/password`: change the password.

use dadashop_types::rules;
use dadashop_types::users::ChangePasswordRequest;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{message, not_logged_in, set_title};
use crate::Page;
use crate::api;
use crate::components::{FormError, Loading, TextField, UserNav};
use crate::state::{Task, use_auth, use_flash};

/// Current password and the new one twice. On success the server has revoked every token of
/// the shopper, so the browser forgets its session too and the login page says
/// "密码已修改，请重新登录".
#[component]
pub fn PasswordPage() -> impl IntoView {
    set_title(Some("修改密码"));
    let auth = use_auth();
    let flash = use_flash();
    let navigate = use_navigate();

    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);

    let old_error =
        Signal::derive(move || old.with(|v| v.is_empty().then(|| "请输入当前密码".to_owned())));
    let new_error = Signal::derive(move || {
        let checked = new.with(|v| message(rules::check_password(v)));
        if checked.is_none() && !new.with(String::is_empty) && new.get() == old.get() {
            return Some("新密码不能与当前密码相同".to_owned());
        }
        checked
    });
    let confirm_error = Signal::derive(move || {
        if confirm.with(String::is_empty) {
            Some("请再次输入新密码".to_owned())
        } else if confirm.get() != new.get() {
            Some("两次输入的新密码不一致".to_owned())
        } else {
            None
        }
    });

    let change = Task::new();
    let pending = change.pending();
    let server_error = change.error();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        let invalid = [old_error, new_error, confirm_error]
            .iter()
            .any(|e| e.get_untracked().is_some());
        if pending.get_untracked() || invalid {
            return;
        }
        let body = ChangePasswordRequest {
            oldpassword: Some(old.get_untracked()),
            password1: Some(new.get_untracked()),
            password2: Some(confirm.get_untracked()),
        };
        let navigate = navigate.clone();
        change.run(async move {
            let credentials = auth.credentials().ok_or_else(not_logged_in)?;
            auth.check(api::users::change_password(&credentials, &body).await)?;
            auth.log_out();
            flash.set("密码已修改，请重新登录");
            navigate(Page::Login.path(), Default::default());
            Ok(())
        });
    };

    view! {
        <div class="user-center">
            <UserNav />
            <section class="panel" aria-labelledby="password-title">
                <h1 id="password-title">"修改密码"</h1>
                <form class="narrow" on:submit=on_submit novalidate>
                    // Tells password managers whose password this is.
                    <input
                        type="text"
                        name="username"
                        autocomplete="username"
                        hidden
                        readonly
                        prop:value=move || auth.username().unwrap_or_default()
                    />
                    <TextField
                        id="password-old"
                        maxlength=rules::PASSWORD_MAX_CHARS
                        label="当前密码"
                        input_type="password"
                        value=old
                        error=old_error
                        reveal=submitted
                        autocomplete="current-password"
                    />
                    <TextField
                        id="password-new"
                        maxlength=rules::PASSWORD_MAX_CHARS
                        label="新密码"
                        input_type="password"
                        value=new
                        error=new_error
                        reveal=submitted
                        autocomplete="new-password"
                        placeholder="至少8个字符"
                    />
                    <TextField
                        id="password-confirm"
                        maxlength=rules::PASSWORD_MAX_CHARS
                        label="确认新密码"
                        input_type="password"
                        value=confirm
                        error=confirm_error
                        reveal=submitted
                        autocomplete="new-password"
                    />
                    <FormError message=server_error />
                    <button type="submit" class="btn primary" disabled=move || pending.get()>
                        "确认修改"
                    </button>
                    {move || pending.get().then(|| view! { <Loading text="正在提交…" /> })}
                </form>
            </section>
        </div>
    }
}
