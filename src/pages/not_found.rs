use leptos::prelude::*;

use crate::components::{Link, PageHeading};
use crate::router::use_location;
use crate::routes::Page;

/// Shown for any address the app has no page for, including deep links: what happened, and
/// one way on. The link goes to the front door (`/`), which sends a signed-out visitor to
/// sign in and a signed-in one to their account.
#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <div class="notice-page">
            <PageHeading text="Page not found" />
            <p>
                "There is no page at " <code>{move || location.path()}</code>
                ". The link may be mistyped, or the page may have moved."
            </p>
            <p class="notice-action">
                <Link href=Page::Home.href() class="button primary">"Go to your account"</Link>
            </p>
        </div>
    }
}
