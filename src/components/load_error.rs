use leptos::prelude::*;

use crate::api::ApiError;

/// Says what went wrong while loading, and offers Retry.
///
/// It stays on screen while the retry runs (`pending`), so the button a keyboard user just
/// pressed keeps focus instead of vanishing under them.
#[component]
pub fn LoadError(
    error: ApiError,
    #[prop(into)] on_retry: Callback<()>,
    pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="load-error" role="alert">
            <p class="load-error-title">{error.title()}</p>
            <p>{error.message()}</p>
            <button
                type="button"
                aria-disabled=move || pending.get().then_some("true")
                on:click=move |_| {
                    if !pending.get_untracked() {
                        on_retry.run(());
                    }
                }
            >
                "Retry"
            </button>
        </div>
    }
}
