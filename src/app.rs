//! The shell every page shares: skip link, header, `<main>`, and which page to show.

use leptos::prelude::*;

use crate::auth::provide_auth;
use crate::components::{
    LiveRegion, ManagerOnly, SignedIn, SiteHeader, SkipLink, StepUpDialog, provide_announcer,
};
use crate::pages::{
    Account, Activity, ChangeEmail, ChangePassword, ChangePhone, Devices, ForgotPassword, Home,
    ManageProfiles, NotFound, Profiles, Recovery, Security, SignIn, SignedOut, TwoStep,
};
use crate::router::provide_location;
use crate::routes::Page;

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    let location = provide_location();
    provide_auth();
    provide_announcer();
    // A Memo, so that moving between addresses of the same page doesn't rebuild it.
    let page = Memo::new(move |_| location.page());
    view! {
        <SkipLink target=MAIN_ID />
        <SiteHeader />
        // Wide pages are wide from the first frame, before their content: `main` changing
        // width later moves everything in it (layout shift).
        <main id=MAIN_ID tabindex="-1" class:wide=move || page.get() == Some(Page::Devices)>
            {move || match page.get() {
                Some(Page::Home) => view! { <Home /> }.into_any(),
                Some(Page::SignIn) => view! { <SignIn /> }.into_any(),
                Some(Page::ForgotPassword) => view! { <ForgotPassword /> }.into_any(),
                Some(Page::Profiles) => view! { <Profiles /> }.into_any(),
                Some(Page::ManageProfiles) => view! {
                    <SignedIn any_profile=true><ManagerOnly><ManageProfiles /></ManagerOnly></SignedIn>
                }.into_any(),
                Some(Page::Account) => manager(|| view! { <Account /> }),
                Some(Page::ChangePassword) => manager(|| view! { <ChangePassword /> }),
                Some(Page::ChangeEmail) => manager(|| view! { <ChangeEmail /> }),
                Some(Page::ChangePhone) => manager(|| view! { <ChangePhone /> }),
                Some(Page::Recovery) => manager(|| view! { <Recovery /> }),
                Some(Page::Security) => manager(|| view! { <Security /> }),
                Some(Page::TwoStep) => manager(|| view! { <TwoStep /> }),
                Some(Page::Devices) => manager(|| view! { <Devices /> }),
                Some(Page::Activity) => manager(|| view! { <Activity /> }),
                Some(Page::SignedOut) => view! { <SignedOut /> }.into_any(),
                None => view! { <NotFound /> }.into_any(),
            }}
        </main>
        <LiveRegion />
        <StepUpDialog />
    }
}

/// An account or security page: signed in, with a profile that isn't a kids profile.
fn manager<V: IntoView + 'static>(page: impl Fn() -> V + Copy + Send + Sync + 'static) -> AnyView {
    view! { <SignedIn><ManagerOnly>{page()}</ManagerOnly></SignedIn> }.into_any()
}
