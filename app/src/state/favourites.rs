//! The shopper's favourites (收藏) as every heart of the app shows them.
//!
//! One list per shopper, loaded the first time a page shows a heart (the home page's twelve
//! cards cost one `GET`, not twelve) and then kept from the answers of every add and remove,
//! which answer the whole list, and of the favourites page's own loads. So a heart toggled on
//! one card turns on every other card of the same SKU, and on its product page, at once.
//!
//! Rejected: one `GET .../favourites/<sku_id>` per heart (a request per card), and reloading
//! the list on every route change (the answers of the changes already keep it current; only
//! another tab's changes are missed until the next page load).

use std::time::Duration;

use dadashop_types::codes;
use dadashop_types::goods::FavouritesResponse;
use leptos::prelude::*;

use super::auth::Auth;
use crate::api::{self, ApiError};

/// How long a heart's failure shows, in milliseconds.
const ERROR_MS: u64 = 3000;

/// The favourites context provided by `App` ([`use_favourites`]).
#[derive(Debug, Clone, Copy)]
pub struct Favourites {
    auth: Auth,
    /// Whose list it is, and the SKU ids in it; `None` before the first answer.
    list: RwSignal<Option<(String, Vec<i64>)>>,
    /// Set by the first heart shown: until then no page needs the list, and none is asked for.
    wanted: RwSignal<bool>,
    /// The shopper whose list is being loaded, so that a page of hearts asks once.
    loading: StoredValue<Option<String>>,
    /// SKUs whose add or remove is under way: a second click waits for the first.
    pending: RwSignal<Vec<i64>>,
    /// The last failure of a heart, shown for a moment by the shell ([`Favourites::error`]).
    error: RwSignal<Option<String>>,
    /// Number of the last failure: an older message's timer leaves a newer one alone.
    errors: StoredValue<u32>,
}

/// The [`Favourites`] context provided by `App`.
///
/// # Panics
/// Outside `App` (a programming error).
pub fn use_favourites() -> Favourites {
    expect_context::<Favourites>()
}

impl Favourites {
    /// The context of `auth`'s shopper. Loads the list whenever a heart is wanted and the
    /// logged-in shopper's list is not there yet (the first heart shown, a login).
    ///
    /// Must be called inside `App`, whose life the effect shares.
    pub fn new(auth: Auth) -> Self {
        let this = Self {
            auth,
            list: RwSignal::new(None),
            wanted: RwSignal::new(false),
            loading: StoredValue::new(None),
            pending: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            errors: StoredValue::new(0),
        };
        Effect::new(move |_| {
            if this.wanted.get() && auth.username().is_some() {
                this.load();
            }
        });
        this
    }

    /// Called by each heart when it is created: the list is needed.
    pub fn want(self) {
        if !self.wanted.get_untracked() {
            self.wanted.set(true);
        }
    }

    /// Loads the logged-in shopper's list unless it is there or on its way.
    ///
    /// A failure is silent: nobody asked for anything yet, the hearts show ♡, and the first
    /// click (adding, which is idempotent) answers the true list. A rejected token is left
    /// for the first click too, rather than sending a shopper who only looks at the home
    /// page to the login page.
    fn load(self) {
        let Some(credentials) = self.auth.credentials() else {
            return;
        };
        let user = credentials.username.clone();
        let known = self
            .list
            .with_untracked(|l| l.as_ref().is_some_and(|(owner, _)| *owner == user));
        if known || self.loading.with_value(|l| l.as_ref() == Some(&user)) {
            return;
        }
        self.loading.set_value(Some(user));
        leptos::task::spawn_local(async move {
            let answer = api::favourites::list(&credentials).await;
            self.loading.set_value(None);
            if let Ok(answer) = answer {
                self.store(&credentials.username, &answer);
            }
        });
    }

    /// Keeps `owner`'s list from an answer that holds it.
    pub fn store(self, owner: &str, answer: &FavouritesResponse) {
        let ids = answer.data.iter().map(|f| f.skuid).collect();
        self.list.set(Some((owner.to_owned(), ids)));
    }

    /// Whether `sku_id` is a favourite of the logged-in shopper (reactive); `false` when
    /// logged out or while the list is not known.
    pub fn contains(self, sku_id: i64) -> bool {
        let user = self.auth.username();
        self.list.with(|list| match (list, user) {
            (Some((owner, ids)), Some(user)) => *owner == user && ids.contains(&sku_id),
            _ => false,
        })
    }

    /// Whether an add or remove of `sku_id` is under way (reactive).
    pub fn is_pending(self, sku_id: i64) -> bool {
        self.pending.with(|p| p.contains(&sku_id))
    }

    /// Adds (`on`) or removes `sku_id` and answers the list; the list of every heart
    /// follows. Without a session: 401 / 10101, nothing sent. A rejected token ends the
    /// session (`Auth::check`).
    pub async fn set(self, sku_id: i64, on: bool) -> Result<FavouritesResponse, ApiError> {
        let Some(credentials) = self.auth.credentials() else {
            return Err(ApiError::Api {
                status: 401,
                code: codes::NOT_LOGGED_IN,
                message: "请先登录".to_owned(),
            });
        };
        self.pending.update(|p| p.push(sku_id));
        let answer = api::favourites::set(&credentials, sku_id, on).await;
        self.pending.update(|p| p.retain(|id| *id != sku_id));
        let answer = self.auth.check(answer)?;
        self.store(&credentials.username, &answer);
        Ok(answer)
    }

    /// A heart's click: adds `sku_id` when it is not a favourite, else removes it. Does
    /// nothing while the last click of this SKU is under way; a failure shows for a moment
    /// ([`Favourites::error`]).
    pub fn toggle(self, sku_id: i64) {
        if self.pending.with_untracked(|p| p.contains(&sku_id)) {
            return;
        }
        let on = !untrack(|| self.contains(sku_id));
        leptos::task::spawn_local(async move {
            if let Err(error) = self.set(sku_id, on).await {
                self.fail(error.to_string());
            }
        });
    }

    /// The last failure of a heart while it shows (reactive).
    pub fn error(self) -> Option<String> {
        self.error.get()
    }

    fn fail(self, message: String) {
        let number = self.errors.get_value().wrapping_add(1);
        self.errors.set_value(number);
        self.error.set(Some(message));
        // The context lives as long as the app: its values are never disposed under the
        // timer.
        set_timeout(
            move || {
                if self.errors.get_value() == number {
                    self.error.set(None);
                }
            },
            Duration::from_millis(ERROR_MS),
        );
    }
}
