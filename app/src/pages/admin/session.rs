//! The console's own session: the staff token and what it may do, in this tab only.
//!
//! Kept in `sessionStorage` under [`STAFF_KEY`], apart from the shopper's `dashop_token`: an
//! operator who also shops in the same browser has two sessions that never mix, and closing
//! the tab ends the console's (a staff token is worth more than a shopper's; no "自动登录"
//! here, and no hand-over to other tabs).

use dadashop_types::admin::StaffSession;
use leptos::prelude::*;

use crate::api::{ApiError, Credentials};

/// The `sessionStorage` key of the console's session (the [`StaffSession`] of the login
/// answer, token included, as JSON).
pub const STAFF_KEY: &str = "dashop_staff";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

fn load() -> Option<StaffSession> {
    let text = storage()?.get_item(STAFF_KEY).ok()??;
    serde_json::from_str::<StaffSession>(&text)
        .ok()
        .filter(|s| s.token.as_deref().is_some_and(|t| !t.is_empty()))
}

fn save(session: &StaffSession) {
    if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(session)) {
        // A refused storage only costs the session on the next reload.
        let _ = storage.set_item(STAFF_KEY, &text);
    }
}

fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STAFF_KEY);
    }
}

/// The console's context: the operator's session, and a message for the login form ("登录已
/// 过期，请重新登录", "已退出").
#[derive(Debug, Clone, Copy)]
pub struct Console {
    session: RwSignal<Option<StaffSession>>,
    notice: RwSignal<Option<&'static str>>,
}

/// The [`Console`] provided by the console's root.
///
/// # Panics
/// Outside the console (a programming error).
pub fn use_console() -> Console {
    expect_context::<Console>()
}

impl Console {
    /// The session of this tab, if any.
    pub fn restore() -> Self {
        Self {
            session: RwSignal::new(load()),
            notice: RwSignal::new(None),
        }
    }

    /// The operator (reactive).
    pub fn session(self) -> Option<StaffSession> {
        self.session.get()
    }

    /// Whether an operator is logged in (reactive).
    pub fn is_logged_in(self) -> bool {
        self.session.with(Option::is_some)
    }

    /// Whether the operator's role grants `permission` (reactive): what the menu shows and
    /// which buttons exist. The server checks again on every call.
    pub fn can(self, permission: &str) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| s.permissions.iter().any(|p| p == permission))
        })
    }

    /// Name and token for a call, read without subscribing (`None` too once the console is
    /// gone: a call finishing after the operator left must not panic).
    pub fn credentials(self) -> Option<Credentials> {
        self.session
            .try_with_untracked(|s| {
                s.as_ref().and_then(|s| {
                    Some(Credentials {
                        username: s.username.clone(),
                        token: s.token.clone()?,
                    })
                })
            })
            .flatten()
    }

    /// Credentials, or the 401 a call would get without them.
    pub fn require(self) -> Result<Credentials, ApiError> {
        self.credentials().ok_or_else(|| ApiError::Api {
            status: 401,
            code: dadashop_types::codes::NOT_LOGGED_IN,
            message: "请先登录".to_owned(),
        })
    }

    /// Starts the session of a login answer.
    pub fn log_in(self, session: StaffSession) {
        save(&session);
        self.notice.set(None);
        self.session.set(Some(session));
    }

    /// Takes the role's permissions of `GET /v1/admin/session` (the token stays).
    pub fn refresh(self, now: StaffSession) {
        let Some(mut session) = self.session.try_get_untracked().flatten() else {
            return;
        };
        session.role = now.role;
        session.role_label = now.role_label;
        session.permissions = now.permissions;
        save(&session);
        self.session.try_set(Some(session));
    }

    /// Ends the session in this tab, with `notice` for the login form.
    pub fn end(self, notice: &'static str) {
        clear();
        self.notice.try_set(Some(notice));
        self.session.try_set(None);
    }

    /// The login form's message (reactive).
    pub fn notice(self) -> Option<&'static str> {
        self.notice.get()
    }

    /// Passes a call's result through; a 401 (token expired, revoked, or the account changed
    /// or disabled) ends the session: the console shows its login form with a message.
    pub fn check<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &result
            && error.is_unauthorized()
            && self
                .session
                .try_with_untracked(Option::is_some)
                .unwrap_or(false)
        {
            self.end("登录已过期，请重新登录");
        }
        result
    }
}
