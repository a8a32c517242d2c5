//! Sharing a session-only login with new tabs of the same browser session.
//!
//! Without 自动登录 the token lives in `sessionStorage`, which belongs to one tab: a link
//! opened in a new tab (Ctrl+click, middle click) would start logged out. Open tabs therefore
//! answer a new tab's question over a `BroadcastChannel` (same origin, same browser profile,
//! never written to disk), and the new tab copies the answer into its own `sessionStorage`.
//! Nothing survives closing the browser: when no tab is left to answer, there is no session.
//!
//! So that a logged-out visitor does not wait for answers that cannot come, a session-only
//! login leaves a marker in `localStorage` (no secret in it: the value is `"1"`). A new tab
//! asks only when the marker is there, waits at most [`ASK_TIMEOUT_MS`], and removes the
//! marker when no tab answered (the browser was closed since).
//!
//! A logout is broadcast too, so the other tabs of that session forget the token at once.

use std::cell::RefCell;

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BroadcastChannel, MessageEvent};

use super::auth::Auth;
use super::storage::{self, Stored};

/// The channel's name (one per origin).
const CHANNEL: &str = "dashop-session";
/// The `localStorage` key of the marker: some tab holds a session-only login.
const MARKER_KEY: &str = "dashop_session_shared";
/// Longest wait for an open tab's answer, in milliseconds.
pub const ASK_TIMEOUT_MS: i32 = 400;

thread_local! {
    /// This tab's channel to the others, opened by [`serve_open_tabs`].
    static OPEN_TABS: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// What tabs tell each other, as JSON text.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Message {
    /// A new tab without a session asks for one.
    Ask,
    /// An open tab's session-only login.
    Session {
        username: String,
        token: String,
        carts_count: u32,
    },
    /// This user logged out (or the token was refused) in some tab.
    Logout { username: String },
}

impl Message {
    fn post(&self, channel: &BroadcastChannel) {
        if let Ok(text) = serde_json::to_string(self) {
            // A closed channel only means nobody listens.
            let _ = channel.post_message(&text.into());
        }
    }

    fn read(event: &MessageEvent) -> Option<Self> {
        serde_json::from_str(&event.data().as_string()?).ok()
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    web_sys::window()?.local_storage().ok().flatten()
}

/// Notes in `localStorage` that a session-only login exists (called when one starts).
pub(crate) fn mark_shared() {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(MARKER_KEY, "1");
    }
}

fn unmark_shared() {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(MARKER_KEY);
    }
}

/// Before the app mounts: when this tab has no session but another tab of this browser
/// session holds a session-only login, copies it into this tab's `sessionStorage`.
///
/// Returns at once without a marker; otherwise after the first answer or
/// [`ASK_TIMEOUT_MS`]. Browsers without `BroadcastChannel` simply start logged out.
pub async fn adopt_session_from_open_tabs() {
    let marked = local_storage()
        .and_then(|s| s.get_item(MARKER_KEY).ok().flatten())
        .is_some();
    if storage::load().is_some() || !marked {
        return;
    }
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let answer = js_sys::Promise::new(&mut |resolve, _reject| {
        let on_timeout = resolve.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if matches!(Message::read(&event), Some(Message::Session { .. })) {
                let _ = resolve.call1(&wasm_bindgen::JsValue::NULL, &event.data());
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // Dropped with the channel's handler below; until then it must stay alive.
        on_message.forget();
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(&on_timeout, ASK_TIMEOUT_MS);
        }
    });
    Message::Ask.post(&channel);
    let reply = wasm_bindgen_futures::JsFuture::from(answer).await.ok();
    channel.set_onmessage(None);
    channel.close();
    let session = reply
        .and_then(|data| data.as_string())
        .and_then(|text| serde_json::from_str::<Message>(&text).ok());
    match session {
        Some(Message::Session {
            username,
            token,
            carts_count,
        }) => storage::save(&Stored {
            username,
            token,
            carts_count,
            remember: false,
        }),
        // No tab is left that holds the login: the browser session it belonged to is over.
        _ => unmark_shared(),
    }
}

/// For the life of the app: answers new tabs' questions with this tab's session-only login,
/// and forgets the session when another tab reports that its user logged out.
///
/// A remembered login is not sent: new tabs read it from `localStorage` themselves.
pub(crate) fn serve_open_tabs(auth: Auth) {
    if !cfg!(target_arch = "wasm32") {
        return;
    }
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let replies = channel.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        match Message::read(&event) {
            Some(Message::Ask) => {
                if let Some(session) = auth.session_untracked().filter(|s| !s.remember) {
                    Message::Session {
                        username: session.credentials.username,
                        token: session.credentials.token,
                        carts_count: session.carts_count,
                    }
                    .post(&replies);
                }
            }
            Some(Message::Logout { username }) => {
                let ours = auth.session_untracked().map(|s| s.credentials.username);
                if ours.as_deref() == Some(username.as_str()) {
                    auth.forget();
                }
            }
            _ => {}
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the page.
    on_message.forget();
    OPEN_TABS.with(|slot| *slot.borrow_mut() = Some(channel));
}

/// Tells the other tabs that `username` logged out, and drops the marker.
pub(crate) fn announce_logout(username: String) {
    unmark_shared();
    OPEN_TABS.with(|slot| {
        if let Some(channel) = slot.borrow().as_ref() {
            Message::Logout { username }.post(channel);
        }
    });
}
