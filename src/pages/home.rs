use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::{LoadError, PageHeading};
use crate::router::use_location;
use crate::routes::Page;

/// The front door (`/`): no page of its own, it sends each visitor where they belong — to
/// sign in, to "Who's watching?" when no profile is chosen yet, or to Account. It replaces
/// its history entry, so Back never returns here only to be sent on again. When the server
/// can't be reached, it says so and offers Retry.
#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    // Reached from inside the app (the brand link): ask again, so the door goes by what the
    // server says now. On a first load, the start-up question is already on its way.
    if auth.known.get_untracked() && !auth.pending.get_untracked() {
        auth.known.set(false);
        auth.refresh();
    }
    Effect::new(move |_| {
        if !auth.known.get() || auth.failed.with(Option::is_some) {
            return;
        }
        let page = match auth.info.with(|i| i.as_ref().map(|i| i.profile.is_some())) {
            None => Page::SignIn,
            Some(false) => Page::Profiles,
            Some(true) => Page::Account,
        };
        location.replace(page.href());
    });
    move || {
        auth.failed.get().map(|error| {
            view! {
                <PageHeading text="Your Hallpass account" />
                <LoadError
                    error
                    on_retry=Callback::new(move |()| auth.refresh())
                    pending=Signal::from(auth.pending)
                />
            }
        })
    }
}
