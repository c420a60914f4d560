use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::PageHeading;
use crate::router::use_location;
use crate::routes::Page;

/// Shows `children` to a manager profile only. A kids profile that opens an account or
/// security address directly gets an explanation and a way out instead (the server refuses
/// it too, with 403 `kids_profile`).
#[component]
pub fn ManagerOnly(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    move || {
        if auth.kids() {
            view! { <KidsBlocked /> }.into_any()
        } else {
            children().into_any()
        }
    }
}

/// What a kids profile sees where account settings would be.
#[component]
pub fn KidsBlocked() -> impl IntoView {
    let location = use_location();
    view! {
        <PageHeading text="This profile can't manage the account" />
        <section class="card">
            <p>"Account and security settings are only for profiles that aren't kids profiles."</p>
            <p>
                <button type="button" on:click=move |_| location.navigate(Page::Profiles.href())>
                    "Switch profile"
                </button>
            </p>
        </section>
    }
}
