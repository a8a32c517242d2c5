//! A one-off message for the next page.

use leptos::prelude::*;

/// A message set by one page and shown by the next, e.g. after a password change the login
/// page says "密码已修改，请重新登录". The page that shows it clears it when it goes away.
#[derive(Debug, Clone, Copy)]
pub struct Flash(RwSignal<Option<String>>);

/// The [`Flash`] context provided by `App`.
///
/// # Panics
/// Outside `App` (a programming error).
pub fn use_flash() -> Flash {
    expect_context::<Flash>()
}

impl Flash {
    /// An empty flash.
    pub fn new() -> Self {
        Self(RwSignal::new(None))
    }

    /// Sets the message.
    pub fn set(self, message: impl Into<String>) {
        self.0.set(Some(message.into()));
    }

    /// The message (reactive).
    pub fn get(self) -> Option<String> {
        self.0.get()
    }

    /// Takes the message for the page being created, without subscribing: it shows for
    /// this visit only, and the page need not clear it when it goes away (a clear then
    /// would also wipe a message set meanwhile for the next page, such as the login page's
    /// "登录已过期").
    pub fn take(self) -> Option<String> {
        let message = self.0.get_untracked();
        if message.is_some() {
            self.0.set(None);
        }
        message
    }

    /// Clears the message.
    pub fn clear(self) {
        self.0.set(None);
    }
}

impl Default for Flash {
    fn default() -> Self {
        Self::new()
    }
}
