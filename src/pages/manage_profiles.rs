use leptos::prelude::*;

use crate::components::PageHeading;

/// Scaffolding for issue 5; replaced by the real page.
#[component]
pub fn ManageProfiles() -> impl IntoView {
    view! { <PageHeading text="Manage profiles" /> }
}
