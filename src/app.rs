//! The shell every page shares: skip link, header, `<main>`, and which page to show.

use leptos::prelude::*;

use crate::auth::provide_auth;
use crate::components::{LiveRegion, SiteHeader, SkipLink, provide_announcer, provide_step_up};
use crate::live::provide_live;
use crate::pages::NotFound;
use crate::parts::{PagePart, SignInNoticePart, StepUpPart};
use crate::router::provide_location;
use crate::routes::Page;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    let auth = provide_auth();
    provide_announcer();
    provide_live(auth);
    provide_step_up();
    // A Memo, so that moving between addresses of the same page doesn't rebuild it.
    let page = Memo::new(move |_| location.page());
    view! {
        <SkipLink target=MAIN_ID />
        <SiteHeader />
        <SignInNoticePart />
        // Wide pages are wide from the first frame, before their content: `main` changing
        // width later moves everything in it (layout shift).
        <main id=MAIN_ID tabindex="-1" class:wide=move || page.get() == Some(Page::Devices)>
            // An account page's guards (signed in, not a kids profile) are in its part.
            {move || match page.get() {
                Some(page) => view! { <PagePart page /> }.into_any(),
                None => view! { <NotFound /> }.into_any(),
            }}
        </main>
        <LiveRegion />
        <StepUpPart />
    }
}
