use leptos::prelude::*;

use crate::components::PageHeading;

/// Scaffolding for issue 5; replaced by the real page.
#[component]
pub fn ChangeEmail() -> impl IntoView {
    view! { <PageHeading text="Change email" /> }
}

/// Scaffolding for issue 5; replaced by the real page.
#[component]
pub fn ChangePhone() -> impl IntoView {
    view! { <PageHeading text="Change phone" /> }
}
