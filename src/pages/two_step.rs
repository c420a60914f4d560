use leptos::prelude::*;

use crate::components::PageHeading;

/// Scaffolding for issue 5; replaced by the real page.
#[component]
pub fn TwoStep() -> impl IntoView {
    view! { <PageHeading text="Two-step verification" /> }
}
