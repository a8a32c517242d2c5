//! Labelled form fields with inline validation messages.

use leptos::prelude::*;

/// A labelled `<input>` bound to `value`, with its validation message underneath.
///
/// The message shows once the shopper has left the field or tried to submit (`reveal`), so that
/// an empty form does not start out red. The input points at the message with
/// `aria-describedby` and is marked `aria-invalid` while it shows.
#[component]
pub fn TextField(
    /// `id` (and `name`) of the input; the message element is `<id>-error`.
    id: &'static str,
    /// Visible label, tied to the input with `for`.
    label: &'static str,
    /// The field's text.
    value: RwSignal<String>,
    /// The current validation message, `None` when the value is acceptable.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Show the message even if the field has not been left yet (after a submit attempt).
    #[prop(into)]
    reveal: Signal<bool>,
    /// The input `type`: `text`, `password`, `email`, `tel`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The `autocomplete` hint, e.g. `username`, `new-password`.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Greyed-out example text.
    #[prop(optional)]
    placeholder: Option<&'static str>,
    /// The `inputmode` hint, e.g. `numeric` for postcodes.
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The longest value the shop accepts, in characters (`maxlength`), so that a too-long
    /// value cannot be typed in the first place.
    #[prop(optional)]
    maxlength: Option<usize>,
    /// Bumped when the form is emptied or refilled: the field counts as untouched again, so
    /// an emptied form does not show every field's message in red.
    #[prop(optional, into)]
    resets: Option<Signal<u32>>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    if let Some(resets) = resets {
        Effect::new(move |_| {
            resets.track();
            touched.set(false);
        });
    }
    let shown = move || {
        if touched.get() || reveal.get() {
            error.get()
        } else {
            None
        }
    };
    let error_id = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                placeholder=placeholder
                inputmode=inputmode
                maxlength=maxlength.map(|n| n.to_string())
                bind:value=value
                on:blur=move |_| touched.set(true)
                aria-invalid=move || if shown().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id aria-live="polite">
                {shown}
            </p>
        </div>
    }
}

/// A labelled checkbox bound to `checked`.
#[component]
pub fn CheckboxField(
    /// `id` (and `name`) of the input.
    id: &'static str,
    /// Visible label, tied to the input with `for`.
    label: &'static str,
    /// Whether it is ticked.
    checked: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input id=id name=id type="checkbox" bind:checked=checked />
            <label for=id>{label}</label>
        </div>
    }
}

/// The server's answer to a failed submit, announced as an alert.
#[component]
pub fn FormError(
    /// The message, `None` to show nothing.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message
            .get()
            .map(|text| view! { <p class="notice error form-error" role="alert">{text}</p> })
    }
}
