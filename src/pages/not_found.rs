use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::components::PageHeading;
use crate::routes::Page;

/// Shown for any address the app has no page for, including deep links.
#[component]
pub fn NotFound() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <PageHeading text="Page not found" />
        <p>
            "There is no page at " <code>{move || path.get()}</code>
            ". The link may be mistyped, or the page may have moved."
        </p>
        <p>
            <A href=Page::Home.href()>"Go to the start page"</A>
        </p>
    }
}
