//! The session in browser storage, under the legacy dadashop keys.
//!
//! Values are stored as raw strings (`localStorage.setItem('dashop_token', token)`), exactly as
//! the original jQuery pages did, rather than JSON-encoded as `gloo-storage`'s typed API would
//! (that would wrap the token in quotes). Storage that the browser refuses (privacy modes,
//! disabled storage) is treated as empty instead of panicking.

use web_sys::Storage;

/// The JWT.
const TOKEN_KEY: &str = "dashop_token";
/// The username.
const USER_KEY: &str = "dashop_user";
/// Number of lines in the shopper's cart.
const COUNT_KEY: &str = "dashop_count";

/// Where a session lives: `localStorage` survives closing the browser ("自动登录"),
/// `sessionStorage` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Local,
    Session,
}

fn area(which: Area) -> Option<Storage> {
    // On the web origin, rendering a page: no browser, no session (crate::preload).
    if !cfg!(target_arch = "wasm32") {
        return None;
    }
    let window = web_sys::window()?;
    let storage = match which {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    };
    storage.ok().flatten()
}

/// A stored session: username, token, cart count and whether it was remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub username: String,
    pub token: String,
    pub carts_count: u32,
    pub remember: bool,
}

/// Reads the session, preferring `localStorage`; `None` unless both token and username exist.
pub(crate) fn load() -> Option<Stored> {
    [Area::Local, Area::Session].into_iter().find_map(|which| {
        let storage = area(which)?;
        let token = storage.get_item(TOKEN_KEY).ok()??;
        let username = storage.get_item(USER_KEY).ok()??;
        if token.is_empty() || username.is_empty() {
            return None;
        }
        let carts_count = storage
            .get_item(COUNT_KEY)
            .ok()
            .flatten()
            .and_then(|count| count.parse().ok())
            .unwrap_or(0);
        Some(Stored {
            username,
            token,
            carts_count,
            remember: which == Area::Local,
        })
    })
}

/// Writes the session to the area its `remember` flag picks and clears the other, so that a
/// stale session cannot come back from the other area.
pub(crate) fn save(stored: &Stored) {
    let (keep, drop) = if stored.remember {
        (Area::Local, Area::Session)
    } else {
        (Area::Session, Area::Local)
    };
    clear_area(drop);
    if let Some(storage) = area(keep) {
        // A full or refused storage only costs the session on the next visit.
        let _ = storage.set_item(TOKEN_KEY, &stored.token);
        let _ = storage.set_item(USER_KEY, &stored.username);
        let _ = storage.set_item(COUNT_KEY, &stored.carts_count.to_string());
    }
}

/// Forgets the session in both areas.
pub(crate) fn clear() {
    clear_area(Area::Local);
    clear_area(Area::Session);
}

fn clear_area(which: Area) {
    if let Some(storage) = area(which) {
        for key in [TOKEN_KEY, USER_KEY, COUNT_KEY] {
            let _ = storage.remove_item(key);
        }
    }
}

/// The `state` of a Weibo login this tab started (`sessionStorage`).
const WEIBO_STATE_KEY: &str = "dashop_weibo_state";
/// Whether that login should be remembered ("自动登录" when 微博登录 was clicked).
const WEIBO_REMEMBER_KEY: &str = "dashop_weibo_remember";

/// A Weibo login started in this browser tab: its OAuth `state` and the 自动登录 choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWeiboLogin {
    /// The one-time `state` of the authorize URL.
    pub state: String,
    /// Keep the session in `localStorage` once logged in.
    pub remember: bool,
}

/// Keeps the login this tab is about to start in `sessionStorage`, so that the callback
/// page accepts a code only in the browser that asked for it (RFC 9700 §2.1: `state` binds
/// the answer to the user agent). `false` when the browser refuses storage.
pub fn save_weibo_login(pending: &PendingWeiboLogin) -> bool {
    area(Area::Session).is_some_and(|storage| {
        storage.set_item(WEIBO_STATE_KEY, &pending.state).is_ok()
            && storage
                .set_item(WEIBO_REMEMBER_KEY, if pending.remember { "1" } else { "0" })
                .is_ok()
    })
}

/// Reads and forgets the pending Weibo login of this tab: each `state` is checked once.
pub fn take_weibo_login() -> Option<PendingWeiboLogin> {
    let storage = area(Area::Session)?;
    let state = storage.get_item(WEIBO_STATE_KEY).ok().flatten();
    let remember = storage.get_item(WEIBO_REMEMBER_KEY).ok().flatten();
    let _ = storage.remove_item(WEIBO_STATE_KEY);
    let _ = storage.remove_item(WEIBO_REMEMBER_KEY);
    Some(PendingWeiboLogin {
        state: state.filter(|s| !s.is_empty())?,
        remember: remember.as_deref() == Some("1"),
    })
}
