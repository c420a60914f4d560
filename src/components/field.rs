use leptos::html::Input;
use leptos::prelude::*;

/// A labelled text input with its error tied to it (`aria-describedby`, `aria-invalid`), so a
/// screen reader reads the problem with the field.
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
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described_by = {
        let error_id = error_id.clone();
        move || error.with(Option::is_some).then(|| error_id.clone())
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                node_ref=node_ref
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described_by
            />
            <p id=error_id class="field-error">{move || error.get()}</p>
        </div>
    }
}
