use leptos::prelude::*;

use crate::components::Dialog;

/// Asks before a destructive action: the title names it ("Sign out Samsung TV?"), the body
/// says what follows, and focus starts on Cancel, the least destructive choice. A failure is
/// shown inside the dialog, which stays open so the user can try again or cancel.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// The destructive button's text, such as "Sign out".
    confirm: &'static str,
    /// The action is running: the button says so and ignores presses.
    #[prop(into)]
    busy: Signal<bool>,
    #[prop(into)] error: Signal<Option<String>>,
    on_confirm: Callback<()>,
    #[prop(optional, into)] return_to: Option<Callback<(), Option<web_sys::HtmlElement>>>,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <Dialog open title return_to=return_to.unwrap_or_else(|| Callback::new(|()| None))>
            {children()}
            <div class="form-error" role="alert">
                // Empty is no error: a cancelled step-up (`ApiError::Cancelled`) says nothing.
                {move || error.get().filter(|m| !m.is_empty()).map(|message| view! { <p>{message}</p> })}
            </div>
            <div class="dialog-actions">
                <button type="button" class="secondary" autofocus on:click=move |_| open.set(false)>
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="danger"
                    aria-disabled=move || busy.get().then_some("true")
                    on:click=move |_| {
                        if !busy.get_untracked() {
                            on_confirm.run(());
                        }
                    }
                >
                    {confirm}
                </button>
            </div>
        </Dialog>
    }
}
