//! The shell every page shares: skip link, header, `<main>`, and which page to show.

use leptos::prelude::*;

use crate::auth::provide_auth;
use crate::components::{SignedIn, SiteHeader, SkipLink};
use crate::pages::{Account, Home, NotFound, Profiles, SignIn, SignedOut};
use crate::router::provide_location;
use crate::routes::Page;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    provide_auth();
    // A Memo, so that moving between addresses of the same page doesn't rebuild it.
    let page = Memo::new(move |_| location.page());
    view! {
        <SkipLink target=MAIN_ID />
        <SiteHeader />
        <main id=MAIN_ID tabindex="-1">
            {move || match page.get() {
                Some(Page::Home) => view! { <Home /> }.into_any(),
                Some(Page::SignIn) => view! { <SignIn /> }.into_any(),
                Some(Page::Profiles) => view! { <Profiles /> }.into_any(),
                Some(Page::Account) => view! { <SignedIn><Account /></SignedIn> }.into_any(),
                Some(Page::SignedOut) => view! { <SignedOut /> }.into_any(),
                None => view! { <NotFound /> }.into_any(),
            }}
        </main>
    }
}
