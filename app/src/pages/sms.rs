//! The SMS code row shared by the register page and the Weibo bind form: the code field and
//! "获取短信验证码", which asks the server to text a code to the phone (`POST
//! /v1/users/sms/code`), then counts down 60 seconds (the server's interval, docs/api.md code
//! 10131) before it can be asked again. The end of the countdown is kept in localStorage
//! ([`SMS_DEADLINE_KEY`]), so a reload does not let the shopper ask early (the server would
//! refuse anyway).

use std::time::Duration;

use leptos::prelude::*;

use crate::api;
use crate::components::TextField;
use crate::state::Task;

/// localStorage key holding when the SMS countdown ends, in Unix milliseconds.
pub const SMS_DEADLINE_KEY: &str = "dashop_sms_deadline";
/// Seconds between two codes for one phone (the server's limit).
pub const SMS_INTERVAL_SECS: f64 = 60.0;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The stored end of the countdown, if any. Whole milliseconds, written and read as an
/// integer: formatting and parsing an `f64` would pull the float formatting and parsing code
/// of `core` (some 20 KB) into the wasm module.
fn stored_deadline() -> f64 {
    local_storage()
        .and_then(|s| s.get_item(SMS_DEADLINE_KEY).ok().flatten())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(0.0, |ms| ms as f64)
}

/// The inline message of an SMS code field: six digits are required.
pub fn sms_code_error(code: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        code.with(|v| {
            let v = v.trim();
            (v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()))
                .then(|| "请输入6位短信验证码".to_owned())
        })
    })
}

/// The code field, its 获取短信验证码 button with the countdown, and the server's answer to
/// the request for a code.
#[component]
pub fn SmsCodeField(
    /// `id` of the code input.
    id: &'static str,
    /// The phone the code goes to.
    phone: RwSignal<String>,
    /// The phone field's message: no code is asked for a phone that breaks the rules.
    #[prop(into)]
    phone_error: Signal<Option<String>>,
    /// The code the shopper types.
    code: RwSignal<String>,
    /// Show the field's message before it was left (after a submit attempt).
    #[prop(into)]
    reveal: Signal<bool>,
) -> impl IntoView {
    let code_error = sms_code_error(code);
    // The countdown: `now` ticks while the page is open.
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
    let send_code = Task::new();
    let send = move |phone: String| {
        send_code.run(async move {
            match api::users::send_sms_code(&phone).await {
                Ok(()) => {
                    let until = js_sys::Date::now() + SMS_INTERVAL_SECS * 1000.0;
                    if let Some(storage) = local_storage() {
                        let _ = storage.set_item(SMS_DEADLINE_KEY, &(until as i64).to_string());
                    }
                    deadline.set(until);
                    sms_notice.set(Some((true, "验证码已发送，5分钟内有效".to_owned())));
                }
                Err(e) => sms_notice.set(Some((false, e.to_string()))),
            }
            Ok(())
        });
    };
    let sending = send_code.pending();
    let on_send_code = move |_| {
        if phone_error.get_untracked().is_some() {
            sms_notice.set(Some((false, "请先填写正确的手机号".to_owned())));
            return;
        }
        if sending.get_untracked() || seconds_left.get_untracked() > 0 {
            return;
        }
        send(phone.get_untracked().trim().to_owned());
    };

    view! {
        <div class="sms-code">
            <TextField
                id=id
                maxlength=6
                label="短信验证码"
                value=code
                error=code_error
                reveal=reveal
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
    }
}
