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
