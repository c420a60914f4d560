use leptos::prelude::*;

use crate::components::{Link, PageHeading};
use crate::router::use_location;
use crate::routes::Page;

/// Shown for any address the app has no page for, including deep links.
#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <PageHeading text="Page not found" />
        <p>
            "There is no page at " <code>{move || location.path()}</code>
            ". The link may be mistyped, or the page may have moved."
        </p>
        <p>
            <Link href=Page::Home.href()>"Go to the start page"</Link>
        </p>
    }
}
