//! Data a page loads from the API.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::api::ApiError;

/// What a page shows from the API: `None` until the first answer, then the last answer.
///
/// A lighter `LocalResource` (which instantiates Leptos's async machinery for every fetcher,
/// a few KB of wasm apiece): the page calls [`Remote::load`] itself, when it starts and
/// whenever it wants fresh data, and the work is boxed. While a reload runs, the previous
/// answer stays on screen; only the answer of the latest load is kept.
#[derive(Debug)]
pub struct Remote<T: Send + Sync + 'static> {
    value: RwSignal<Option<Result<T, ApiError>>>,
    /// Number of the latest load.
    loads: StoredValue<u32>,
}

impl<T: Send + Sync + 'static> Clone for Remote<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Remote<T> {}

impl<T: Clone + Send + Sync + 'static> Remote<T> {
    /// Nothing loaded yet.
    pub fn new() -> Self {
        Self {
            value: RwSignal::new(None),
            loads: StoredValue::new(0),
        }
    }

    /// The last answer (reactive).
    pub fn get(self) -> Option<Result<T, ApiError>> {
        self.value.get()
    }

    /// Replaces the answer (with the one of a change that answers the new state, say).
    pub fn set(self, value: Result<T, ApiError>) {
        self.loads.update_value(|n| *n = n.wrapping_add(1));
        self.value.set(Some(value));
    }

    /// Starts loading; its answer replaces the current one unless a later load started.
    pub fn load(self, work: impl Future<Output = Result<T, ApiError>> + 'static) {
        self.load_boxed(Box::pin(work));
    }

    fn load_boxed(self, work: Pin<Box<dyn Future<Output = Result<T, ApiError>>>>) {
        // Rendering on the web origin, nothing is fetched: a page renders from the answers
        // the server preloaded (crate::preload), anything else shows as loading and is
        // fetched by the browser once it has taken over the page.
        if !cfg!(target_arch = "wasm32") {
            drop(work);
            return;
        }
        let this = self.loads.get_value().wrapping_add(1);
        self.loads.set_value(this);
        leptos::task::spawn_local(async move {
            let value = work.await;
            // The page may be gone (disposed values read as `None`), or a later load started.
            if self.loads.try_get_value() == Some(this) {
                self.value.set(Some(value));
            }
        });
    }
}

impl<T: Clone + Send + Sync + 'static> Default for Remote<T> {
    fn default() -> Self {
        Self::new()
    }
}
