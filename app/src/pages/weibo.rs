//! `/weibo/callback` (and the legacy `/dadashop/templates/callback.html`, the redirect URI
//! that existing Weibo app registrations carry): where Weibo sends the shopper back.
//!
//! The page first checks that this tab started the login (the `state` kept in
//! `sessionStorage` by the login page must equal the one Weibo sent back), then hands `code`
//! and `state` to the API. A bound Weibo account logs in at once; an unbound one gets the
//! bind form: a new shop account, or an existing one by its password.

use dadashop_types::rules;
use dadashop_types::users::TokenResponse;
use dadashop_types::weibo::{CallbackResponse, UnboundResponse};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::sms::{SmsCodeField, sms_code_error};
use super::{message, set_title};
use crate::Page;
use crate::api::{self, ApiError};
use crate::components::{ErrorNotice, FormError, Loading, TextField};
use crate::state::{PendingWeiboLogin, Remote, Task, save_weibo_login, take_weibo_login, use_auth};

/// What the callback found out.
#[derive(Debug, Clone)]
enum Outcome {
    /// Logged in; the page goes home.
    LoggedIn,
    /// The Weibo account is not bound yet: show the bind form.
    Unbound(UnboundResponse),
}

/// Why Weibo came back without a code, in the shopper's words (Weibo's `error` parameter).
fn provider_refusal(error: &str) -> String {
    match error {
        "access_denied" => "你取消了微博授权，可以重新点击微博登录，或使用账号密码登录".to_owned(),
        _ => "微博授权未完成，请重新点击微博登录".to_owned(),
    }
}

/// A failure this page found before asking the server.
fn local_failure(message: String) -> ApiError {
    ApiError::Api {
        status: 400,
        code: dadashop_types::codes::WEIBO_TOKEN_FAILED,
        message,
    }
}

/// The `state` parameter of Weibo's authorize URL.
pub(crate) fn state_param(oauth_url: &str) -> Option<String> {
    let url = web_sys::Url::new(oauth_url).ok()?;
    url.search_params().get("state").filter(|s| !s.is_empty())
}

/// Starts a Weibo login from the login page: asks the API for the authorize URL, keeps its
/// `state` and the 自动登录 choice in this tab's `sessionStorage`, then leaves for Weibo.
pub(crate) async fn start_weibo_login(remember: bool) -> Result<(), ApiError> {
    let answer = api::weibo::authorization().await?;
    let state = state_param(&answer.oauth_url)
        .ok_or_else(|| ApiError::Decode("oauth_url without state".to_owned()))?;
    if !save_weibo_login(&PendingWeiboLogin { state, remember }) {
        return Err(local_failure(
            "浏览器禁止了网站存储，无法使用微博登录，请使用账号密码登录".to_owned(),
        ));
    }
    window()
        .location()
        .set_href(&answer.oauth_url)
        .map_err(|_| local_failure("无法打开微博登录页面，请稍后再试".to_owned()))
}

/// Progress, then the bind form or the error with a way back to the login page.
#[component]
pub fn WeiboCallbackPage() -> impl IntoView {
    set_title(Some("微博登录"));
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    // Taken once, when the page opens: a reload does not accept the same state again.
    let pending = take_weibo_login();
    let remember = pending.as_ref().is_some_and(|p| p.remember);

    let finish = {
        let navigate = navigate.clone();
        move |answer: &TokenResponse| {
            auth.log_in(answer, remember);
            navigate(Page::Home.path(), Default::default());
        }
    };

    let outcome = Remote::new();
    {
        let finish = finish.clone();
        let (code, state, error) =
            query.with_untracked(|q| (q.get("code"), q.get("state"), q.get("error")));
        outcome.load(async move {
            if let Some(error) = error {
                return Err(local_failure(provider_refusal(&error)));
            }
            let (Some(code), Some(state)) = (code, state) else {
                return Err(local_failure(
                    "缺少微博返回的授权信息，请重新点击微博登录".to_owned(),
                ));
            };
            // RFC 9700 §2.1: only the browser that started this login may finish it.
            if pending.as_ref().map(|p| p.state.as_str()) != Some(state.as_str()) {
                return Err(local_failure(
                    "微博登录已失效，请在同一浏览器窗口中重新点击微博登录".to_owned(),
                ));
            }
            match api::weibo::callback(&code, &state).await? {
                CallbackResponse::LoggedIn(answer) => {
                    finish(&answer);
                    Ok(Outcome::LoggedIn)
                }
                CallbackResponse::Unbound(unbound) => Ok(Outcome::Unbound(unbound)),
            }
        });
    }

    let body = move || match outcome.get() {
        None | Some(Ok(Outcome::LoggedIn)) => {
            view! { <Loading text="正在使用微博登录…" /> }.into_any()
        }
        Some(Err(error)) => view! {
            <ErrorNotice message=error.to_string() />
            <p class="switch">
                <A href=Page::Login.path()>"返回登录页"</A>
            </p>
        }
        .into_any(),
        Some(Ok(Outcome::Unbound(unbound))) => {
            let finish = finish.clone();
            let on_done = Callback::new(move |answer: TokenResponse| finish(&answer));
            view! { <BindForm unbound on_done /> }.into_any()
        }
    };

    view! {
        <section class="auth-card" aria-labelledby="weibo-title">
            <h1 id="weibo-title">"微博登录"</h1>
            {body}
        </section>
    }
}

/// Which account the Weibo account is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BindMode {
    /// Create a new shop account.
    New,
    /// Bind an existing shop account by its password.
    Existing,
}

/// The bind form: a new account (username prefilled from the Weibo nickname when it is a
/// valid username) or an existing one.
#[component]
fn BindForm(
    unbound: UnboundResponse,
    /// Called with the answer of a successful bind.
    on_done: Callback<TokenResponse>,
) -> impl IntoView {
    let mode = RwSignal::new(BindMode::New);
    let prefill = if rules::check_username(&unbound.nickname).is_ok() {
        unbound.nickname.clone()
    } else {
        String::new()
    };
    let username = RwSignal::new(prefill);
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let verify = RwSignal::new(String::new());
    let submitted = RwSignal::new(false);
    let is_new = move || mode.get() == BindMode::New;

    let username_error =
        Signal::derive(move || username.with(|v| message(rules::check_username(v.trim()))));
    let password_error = Signal::derive(move || {
        if is_new() {
            password.with(|v| message(rules::check_password(v)))
        } else {
            password.with(|v| v.is_empty().then(|| "请输入密码".to_owned()))
        }
    });
    let password2_error = Signal::derive(move || {
        if !is_new() {
            None
        } else if password2.with(String::is_empty) {
            Some("请再次输入密码".to_owned())
        } else if password2.get() != password.get() {
            Some("两次输入的密码不一致".to_owned())
        } else {
            None
        }
    });
    let phone_error = Signal::derive(move || {
        is_new()
            .then(|| phone.with(|v| message(rules::check_phone(v.trim()))))
            .flatten()
    });
    let email_error = Signal::derive(move || {
        is_new()
            .then(|| email.with(|v| message(rules::check_email(v.trim()))))
            .flatten()
    });
    // A new account's phone is verified by SMS, as at registration (`REGISTER_REQUIRE_SMS`).
    let code_error = sms_code_error(verify);
    let verify_error = Signal::derive(move || is_new().then(|| code_error.get()).flatten());
    let errors = [
        username_error,
        password_error,
        password2_error,
        phone_error,
        verify_error,
        email_error,
    ];

    let bind = Task::new();
    let pending = bind.pending();
    let server_error = bind.error();

    let uid = unbound.uid.clone();
    let ticket = unbound.ticket.clone();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        if pending.get_untracked() || errors.iter().any(|e| e.get_untracked().is_some()) {
            return;
        }
        let new_account = mode.get_untracked() == BindMode::New;
        let body = api::body::Bind {
            uid: uid.clone(),
            ticket: ticket.clone(),
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            phone: new_account.then(|| phone.get_untracked().trim().to_owned()),
            email: new_account.then(|| email.get_untracked().trim().to_owned()),
            verify: new_account.then(|| verify.get_untracked().trim().to_owned()),
        };
        bind.run(async move {
            let answer = api::weibo::bind(&body).await?;
            on_done.run(answer);
            Ok(())
        });
    };
    let choose = move |next: BindMode| {
        move |_| {
            mode.set(next);
            submitted.set(false);
        }
    };

    let who = if unbound.nickname.is_empty() {
        "你的微博账号".to_owned()
    } else {
        format!("微博账号「{}」", unbound.nickname)
    };
    view! {
        <div class="weibo-who" data-testid="weibo-who">
            {unbound
                .avatar
                .clone()
                .map(|src| {
                    view! {
                        <img class="avatar" src=src alt="" width="48" height="48" referrerpolicy="no-referrer" />
                    }
                })}
            <p>{who} "还没有绑定达达商城账号。绑定后即可使用微博直接登录。"</p>
        </div>
        <div class="segmented" role="radiogroup" aria-label="绑定方式">
            <button
                type="button"
                role="radio"
                aria-checked=move || if is_new() { "true" } else { "false" }
                class:active=is_new
                on:click=choose(BindMode::New)
            >
                "创建新账号"
            </button>
            <button
                type="button"
                role="radio"
                aria-checked=move || if is_new() { "false" } else { "true" }
                class:active=move || !is_new()
                on:click=choose(BindMode::Existing)
            >
                "绑定已有账号"
            </button>
        </div>
        <form on:submit=on_submit novalidate>
            <TextField
                id="bind-username"
                maxlength=11
                label="用户名"
                value=username
                error=username_error
                reveal=submitted
                autocomplete="username"
            />
            // Two inputs on one signal: password managers offer a new password only for a
            // new account.
            <Show
                when=is_new
                fallback=move || {
                    view! {
                        <TextField
                            id="bind-password"
                            maxlength=rules::PASSWORD_MAX_CHARS
                            label="密码"
                            input_type="password"
                            value=password
                            error=password_error
                            reveal=submitted
                            autocomplete="current-password"
                        />
                    }
                }
            >
                <TextField
                    id="bind-password"
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
                    id="bind-password2"
                    maxlength=rules::PASSWORD_MAX_CHARS
                    label="确认密码"
                    input_type="password"
                    value=password2
                    error=password2_error
                    reveal=submitted
                    autocomplete="new-password"
                />
                <TextField
                    id="bind-phone"
                    maxlength=11
                    label="手机号"
                    input_type="tel"
                    value=phone
                    error=phone_error
                    reveal=submitted
                    autocomplete="tel"
                    inputmode="numeric"
                />
                <SmsCodeField id="bind-verify" phone phone_error code=verify reveal=submitted />
                <TextField
                    id="bind-email"
                    maxlength=rules::EMAIL_MAX_CHARS
                    label="邮箱"
                    input_type="email"
                    value=email
                    error=email_error
                    reveal=submitted
                    autocomplete="email"
                />
            </Show>
            <FormError message=server_error />
            <button type="submit" class="btn primary block" disabled=move || pending.get()>
                {move || if is_new() { "注册并绑定" } else { "绑定并登录" }}
            </button>
            {move || pending.get().then(|| view! { <Loading text="正在绑定…" /> })}
        </form>
    }
}
