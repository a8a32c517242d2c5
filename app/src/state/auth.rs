//! Who is logged in.

use dadashop_types::users::TokenResponse;
use leptos::prelude::*;

use super::handover;
use super::storage::{self, Stored};
use crate::api::{ApiError, Credentials};

/// A logged-in shopper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Username and token for API calls.
    pub credentials: Credentials,
    /// Lines in the cart, as the last token answer reported them.
    pub carts_count: u32,
    /// Kept in `localStorage` ("自动登录") rather than `sessionStorage`.
    pub remember: bool,
}

/// The authentication context: the current [`Session`], if any, mirrored in browser storage.
///
/// The session is restored synchronously from storage in [`Auth::restore`], before the router
/// renders, so protected routes never see a "not yet known" state and never redirect a
/// logged-in shopper by mistake.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// Bumped each time the server rejects the token; the app shell navigates to the login page.
    expirations: RwSignal<u32>,
}

/// The session kept in browser storage, if any.
fn stored_session() -> Option<Session> {
    storage::load().map(|stored| Session {
        credentials: Credentials {
            username: stored.username,
            token: stored.token,
        },
        carts_count: stored.carts_count,
        remember: stored.remember,
    })
}

/// The [`Auth`] context provided by `App`.
///
/// # Panics
/// Outside `App` (a programming error, not something a shopper can cause).
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

impl Auth {
    /// Builds the context from the session in browser storage (`localStorage` first, then
    /// `sessionStorage`), and starts answering other tabs (see [`handover`]).
    pub fn restore() -> Self {
        let auth = Self {
            session: RwSignal::new(stored_session()),
            expirations: RwSignal::new(0),
        };
        handover::serve_open_tabs(auth);
        auth
    }

    /// Builds the context logged out, as the web origin rendered the page (it never sees the
    /// token), for hydrating that page; [`Auth::restore_stored`] then reads the session.
    pub fn logged_out() -> Self {
        Self {
            session: RwSignal::new(None),
            expirations: RwSignal::new(0),
        }
    }

    /// After hydrating a server-rendered page: takes the session from browser storage (and a
    /// session-only login from another open tab), and starts answering other tabs.
    pub async fn restore_stored(self) {
        super::adopt_session_from_open_tabs().await;
        if let Some(session) = stored_session() {
            self.session.set(Some(session));
        }
        handover::serve_open_tabs(self);
    }

    /// The session right now, without subscribing.
    pub fn session_untracked(self) -> Option<Session> {
        self.session.get_untracked()
    }

    /// Whether someone is logged in (reactive).
    pub fn is_logged_in(self) -> bool {
        self.session.with(Option::is_some)
    }

    /// Whether someone is logged in right now, without subscribing.
    pub fn is_logged_in_untracked(self) -> bool {
        self.session.with_untracked(Option::is_some)
    }

    /// The logged-in username (reactive).
    pub fn username(self) -> Option<String> {
        self.session
            .with(|s| s.as_ref().map(|s| s.credentials.username.clone()))
    }

    /// Lines in the server cart as the last answer reported them; `None` when logged out
    /// (reactive).
    pub fn carts_count(self) -> Option<u32> {
        self.session.with(|s| s.as_ref().map(|s| s.carts_count))
    }

    /// Records the `carts_count` of a cart or order answer (session and storage).
    pub fn set_carts_count(self, count: u32) {
        let Some(mut session) = self.session_untracked() else {
            return;
        };
        if session.carts_count == count {
            return;
        }
        session.carts_count = count;
        storage::save(&Stored {
            username: session.credentials.username.clone(),
            token: session.credentials.token.clone(),
            carts_count: count,
            remember: session.remember,
        });
        self.session.set(Some(session));
    }

    /// Credentials for an API call, read without subscribing: a page's fetch must not rerun
    /// (with no session) just because the shopper logged out on the way to another page.
    pub fn credentials(self) -> Option<Credentials> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.credentials.clone()))
    }

    /// Starts a session from a login or register answer; `remember` picks `localStorage`.
    pub fn log_in(self, answer: &TokenResponse, remember: bool) {
        let session = Session {
            credentials: Credentials {
                username: answer.username.clone(),
                token: answer.token.clone(),
            },
            carts_count: answer.carts_count,
            remember,
        };
        storage::save(&Stored {
            username: session.credentials.username.clone(),
            token: session.credentials.token.clone(),
            carts_count: session.carts_count,
            remember,
        });
        if !remember {
            handover::mark_shared();
        }
        self.session.set(Some(session));
    }

    /// Ends the session in the browser (both storage areas) and in the other tabs of this
    /// browser that share it. Revoking the token on the server is the caller's business.
    pub fn log_out(self) {
        let username = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.credentials.username.clone()));
        self.forget();
        if let Some(username) = username {
            handover::announce_logout(username);
        }
    }

    /// Ends the session in this tab only (another tab announced the logout).
    pub(crate) fn forget(self) {
        storage::clear();
        self.session.set(None);
    }

    /// The server no longer accepts the token: forget it and let the shell go to the login page.
    ///
    /// Once per session: when several calls of one page get their 401 (the profile and the
    /// Weibo binding of `/user`, say), the later ones find the session gone and change
    /// nothing, so the shell does not navigate twice (and lose the `?next=` way back).
    pub fn expire(self) {
        if !self.is_logged_in_untracked() {
            return;
        }
        self.log_out();
        self.expirations.update(|n| *n = n.wrapping_add(1));
    }

    /// How many times the session expired (reactive); the shell watches it.
    pub fn expirations(self) -> ReadSignal<u32> {
        self.expirations.read_only()
    }

    /// Passes an authorized call's result through, expiring the session on a 401.
    pub fn check<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &result
            && error.is_unauthorized()
        {
            self.expire();
        }
        result
    }
}
