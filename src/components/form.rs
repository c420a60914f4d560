//! What every form shares: where an [`ApiError`] is shown, and the form-level alert.

use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;

/// A form field as [`show_error`] sees it: its name in the API, its message, its input.
pub type FieldSlot = (&'static str, RwSignal<Option<String>>, NodeRef<Input>);

/// Puts the message of `error` where it belongs: beside its field (the first such field takes
/// focus), or in the form's alert, with focus on the last field, the one to try again.
/// A cancelled step-up is no problem: nothing is shown and focus is left where it is.
pub fn show_error(error: ApiError, form_error: RwSignal<Option<String>>, fields: &[FieldSlot]) {
    if error == ApiError::Cancelled {
        return;
    }
    let mut focused = false;
    for (name, message, input) in fields {
        let text = error.field(name);
        let has = text.is_some();
        message.set(text);
        if has && !focused {
            focused = true;
            focus(*input);
        }
    }
    if !focused {
        form_error.set(Some(error.message()));
        if let Some((_, _, input)) = fields.last() {
            focus(*input);
        }
    }
}

/// Moves focus to `input`, if it is on the page.
pub fn focus(input: NodeRef<Input>) {
    if let Some(el) = input.get_untracked() {
        let _ = el.focus();
    }
}

/// The element with this id, if the page has it and it can take focus.
pub fn element(id: &str) -> Option<web_sys::HtmlElement> {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Moves focus to the element with this id once the next frame has drawn it: for the heading
/// of a step that has just replaced the one before.
pub fn focus_when_drawn(id: String) {
    request_animation_frame(move || {
        if let Some(el) = element(&id) {
            let _ = el.focus();
        }
    });
}

/// The form-level problem, announced when it appears.
#[component]
pub fn FormError(message: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div role="alert" class="form-error">
            {move || message.get().filter(|m| !m.is_empty()).map(|m| view! { <p>{m}</p> })}
        </div>
    }
}
