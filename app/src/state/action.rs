//! Writes started from a page: [`Task`].

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;

use crate::api::ApiError;

/// A write started from a page (add to cart, submit an order, cancel one): whether it is
/// running, and the message of its last failure.
///
/// Lighter than an `Action` (each `Action` instantiates Leptos's action machinery for its own
/// future type, a few KB of wasm apiece): the work is boxed, so one `Task` serves every
/// future. Starting one while another runs does nothing, so a double click submits once.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    pending: RwSignal<bool>,
    error: RwSignal<Option<String>>,
}

impl Task {
    /// An idle task.
    pub fn new() -> Self {
        Self {
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Whether the work runs (reactive).
    pub fn pending(self) -> ReadSignal<bool> {
        self.pending.read_only()
    }

    /// The last failure's message, fit to show; `None` while running and after a success.
    pub fn error(self) -> ReadSignal<Option<String>> {
        self.error.read_only()
    }

    /// Starts `work` unless some work is running already.
    pub fn run(self, work: impl Future<Output = Result<(), ApiError>> + 'static) {
        self.run_boxed(Box::pin(work));
    }

    fn run_boxed(self, work: Pin<Box<dyn Future<Output = Result<(), ApiError>>>>) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        self.error.set(None);
        leptos::task::spawn_local(async move {
            let result = work.await;
            // The page may be gone by now (a success that navigated): setting a disposed
            // signal does nothing.
            self.pending.set(false);
            self.error.set(result.err().map(|e| e.to_string()));
        });
    }
}

impl Default for Task {
    fn default() -> Self {
        Self::new()
    }
}
