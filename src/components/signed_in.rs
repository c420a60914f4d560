use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::LoadError;
use crate::router::{here, use_location, with_query};
use crate::routes::Page;

/// Shows `children` only to a signed-in browser that has chosen a profile (or, with
/// `any_profile`, before one is chosen too); sends others to sign in, or to choose a profile,
/// carrying this address along (`?next=`) so they come back here afterwards. When the server
/// can't be asked who is signed in, it says so and offers Retry rather than guessing.
#[component]
pub fn SignedIn(
    /// "Manage profiles" is offered on "Who's watching?", before a profile is chosen.
    #[prop(optional)]
    any_profile: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    Effect::new(move |_| {
        if !auth.known.get() || auth.failed.with(Option::is_some) {
            return;
        }
        match auth.info.with(|i| i.as_ref().map(|i| i.profile.is_some())) {
            None => location.replace(&with_query(Page::SignIn, "next", here().as_deref())),
            Some(false) if !any_profile => {
                location.replace(&with_query(Page::Profiles, "next", here().as_deref()));
            }
            Some(_) => {}
        }
    });
    move || {
        if let Some(error) = auth.failed.get() {
            let pending = Signal::from(auth.pending);
            return view! {
                <LoadError error on_retry=Callback::new(move |()| auth.refresh()) pending />
            }
            .into_any();
        }
        let ready = auth.known.get()
            && auth.info.with(|i| {
                i.as_ref()
                    .is_some_and(|i| any_profile || i.profile.is_some())
            });
        if ready {
            children().into_any()
        } else {
            view! { <p class="status" role="status">"Loading your account…"</p> }.into_any()
        }
    }
}
