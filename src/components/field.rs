use leptos::html::Input;
use leptos::prelude::*;

/// A labelled text input with its error tied to it (`aria-describedby`, `aria-invalid`), so a
/// screen reader reads the problem with the field. An error takes the hint's place.
///
/// `children` go inside the input's right edge: sign-in's "Show password", which changes the
/// input's `type` itself. One component for every input: each reactive attribute is code of
/// its own in the wasm, which every page with a form would download.
#[component]
pub fn Field(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    node_ref: NodeRef<Input>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] inputmode: Option<&'static str>,
    /// Guidance that follows the typing ("Long enough."), read with the field and announced
    /// politely when it changes: keep it to a few states, not a running count.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    /// Inside the input's right edge: the button that shows the password.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let password = input_type == "password";
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    // Empty is no error: a cancelled step-up (`ApiError::Cancelled`) says nothing.
    let has_error = move || error.with(|e| e.as_ref().is_some_and(|m| !m.is_empty()));
    // An error takes the hint's place (as in Material's text fields): the two never say the
    // same thing twice, and a screen reader reads one message, the one that matters now.
    let hint_shown = move || hint.is_some_and(|hint| !has_error() && hint.with(|h| !h.is_empty()));
    // One of the two at most, as the hint gives way to an error.
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            if has_error() {
                Some(error_id.clone())
            } else {
                hint_shown().then(|| hint_id.clone())
            }
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                // A password is typed as it is: no capital letter the phone adds, no spell check.
                autocapitalize=password.then_some("none")
                spellcheck=password.then_some("false")
                node_ref=node_ref
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=described_by
            />
            {children.map(|button| button())}
            <p id=error_id class="field-error">{move || error.get()}</p>
            // The hint stays in the page while hidden, so it is still a live region when it
            // comes back.
            {hint.map(|hint| view! {
                <p id=hint_id class="hint" aria-live="polite" hidden=move || !hint_shown()>
                    {move || if hint_shown() { hint.get() } else { String::new() }}
                </p>
            })}
        </div>
    }
}
