//! What every form shares: one submission at a time ([`Submit`]), where an [`ApiError`] is
//! shown, and the form-level alert.

use std::future::Future;

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::ApiError;

/// A form's (or a confirmation's) submission: `busy` while its request is on its way, when
/// the button says so and another press is ignored, and `error`, the form-level problem.
/// Every form goes through it, so none forgets to clear its last error or its busy state.
#[derive(Clone, Copy, Debug)]
pub struct Submit {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Default for Submit {
    fn default() -> Self {
        Self::new()
    }
}

impl Submit {
    pub fn new() -> Self {
        Self {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// As a form starts when its dialog opens: not busy, no error.
    pub fn reset(self) {
        self.busy.set(false);
        self.error.set(None);
    }

    /// [`Submit::reset`] each time `open` becomes true: a confirmation starts afresh.
    pub fn reset_on_open(self, open: RwSignal<bool>) {
        Effect::new(move |_| {
            if open.get() {
                self.reset();
            }
        });
    }

    /// Whether a press may start a submission: not while one is on its way. When it may, the
    /// last one's error goes (the form's own checks come next, then [`Submit::send`]).
    pub fn ready(self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.error.set(None);
        true
    }

    /// Sends `request`, busy until it answers, then hands the answer to `done`. A 401 that
    /// ends the session has been dealt with by the client by then; `done` only sees it as an
    /// error, which it may show as any other while the page is replaced.
    pub fn send<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        done: impl FnOnce(Result<T, ApiError>) + 'static,
    ) {
        self.busy.set(true);
        spawn_local(async move {
            let result = request.await;
            self.busy.set(false);
            done(result);
        });
    }

    /// Shows `error` against its field or in this form's alert ([`show_error`]).
    pub fn fail(self, error: ApiError, fields: &[FieldSlot]) {
        show_error(error, self.error, fields);
    }

    /// The submit button's `aria-disabled`. Reactive.
    pub fn disabled(self) -> Option<&'static str> {
        self.busy.get().then_some("true")
    }
}

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
