use leptos::prelude::*;

use crate::auth::use_auth;
use crate::router::use_location;
use crate::routes::Page;

/// Shows `children` only to a signed-in browser that has chosen a profile (or, with
/// `any_profile`, before one is chosen too); sends others to sign in, or to choose a profile.
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
        if !auth.known.get() {
            return;
        }
        match auth.info.with(|i| i.as_ref().map(|i| i.profile.is_some())) {
            None => location.replace(Page::SignIn.href()),
            Some(false) if !any_profile => location.replace(Page::Profiles.href()),
            Some(_) => {}
        }
    });
    move || {
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
