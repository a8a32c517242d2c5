//! What every form shows about its write action.

use leptos::prelude::*;

use crate::api::ApiError;

/// The message of `action`'s last failure, fit to show next to the form: `None` while a new
/// run is pending and after a success.
pub fn failure_message<I, O>(action: Action<I, Result<O, ApiError>>) -> Signal<Option<String>>
where
    I: 'static,
    O: Clone + Send + Sync + 'static,
{
    let pending = action.pending();
    Signal::derive(move || {
        if pending.get() {
            return None;
        }
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    })
}
