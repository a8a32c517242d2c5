//! Loading, empty and error states, the same on every page.

use std::time::Duration;

use leptos::prelude::*;

/// A polite "loading" line for screen readers and eyes alike.
#[component]
pub fn Loading(
    /// What is loading, e.g. "正在加载商品…".
    #[prop(default = "加载中…")]
    text: &'static str,
) -> impl IntoView {
    view! {
        <p class="status loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </p>
    }
}

/// Nothing to show yet, with a hint of what to do.
#[component]
pub fn EmptyNotice(
    /// The message, e.g. "还没有收货地址".
    text: &'static str,
) -> impl IntoView {
    view! { <p class="status empty">{text}</p> }
}

/// A failed load: the message and, when given, a retry button.
#[component]
pub fn ErrorNotice(
    /// A message fit for the shopper (an `ApiError`'s `Display`).
    message: String,
    /// Called when the shopper asks to try again.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
    /// The retry button's text.
    #[prop(default = "重试")]
    retry_label: &'static str,
) -> impl IntoView {
    view! {
        <div class="notice error" role="alert">
            <p>{message}</p>
            {on_retry
                .map(|retry| {
                    view! {
                        <button type="button" class="btn" on:click=move |_| retry.run(())>
                            {retry_label}
                        </button>
                    }
                })}
        </div>
    }
}

/// A short message that floats at the bottom of the screen for a moment ("已加入购物车").
/// Setting `message` shows it; it clears itself after [`TOAST_MS`].
///
/// The timer belongs to the component: leaving the page (or logging out) within
/// [`TOAST_MS`] of a message cancels it, so it never touches the page's disposed values
/// (which panicked: "reactive value ... already disposed", then `unreachable` in wasm).
#[component]
pub fn Toast(
    /// The message, `None` when nothing shows.
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    // One timer at a time: a new message restarts it, so each message gets its full time.
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let stop = move || {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    };
    on_cleanup(stop);
    Effect::new(move |_| {
        if message.read().is_some() {
            stop();
            let handle = set_timeout_with_handle(
                move || {
                    timer.try_set_value(None);
                    message.try_set(None);
                },
                Duration::from_millis(TOAST_MS),
            );
            timer.try_set_value(handle.ok());
        }
    });
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {move || message.get().map(|text| view! { <p class="toast" data-testid="toast">{text}</p> })}
        </div>
    }
}

/// How long a [`Toast`] shows, in milliseconds.
pub const TOAST_MS: u64 = 2500;
