use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::{self, use_auth};
use crate::components::{Avatar, AvatarSize, Link};
use crate::routes::Page;

/// The banner at the top of every page; for a signed-in browser, the account's navigation
/// (the page you are on marked), the current profile and "Sign out". It stays one row on a
/// 360 px phone: the brand shrinks to its mark and the profile to its avatar.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let auth = use_auth();
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        spawn_local(auth::sign_out());
    };
    // The signed-in half is one closure over the session: every view shape is code in the
    // shell, which every page downloads. When the session changes (another profile), tachys
    // updates the same elements in place, so focus stays where it was.
    let account = move || {
        auth.info.with(|info| {
            let profile = info.as_ref()?.profile.clone();
            // The account's navigation once a profile is chosen (not for a kids profile).
            let nav = profile.as_ref().map(|profile| {
                view! {
                    <nav class="site-nav" aria-label="Account">
                        {(!profile.kids).then(|| view! {
                            <Link href=Page::Account.href() section=true>"Account"</Link>
                            <Link href=Page::Security.href() section=true>"Security"</Link>
                        })}
                    </nav>
                }
            });
            // The avatar is the way to another profile, as on "Who's watching?"; the name
            // beside it folds away on a phone (still read by screen readers).
            let current = profile.map(|profile| {
                view! {
                    <Link href=Page::Profiles.href() class="profile-switch">
                        <Avatar avatar=profile.avatar size=AvatarSize::Small />
                        <span class="visually-hidden">"Switch profile"</span>
                    </Link>
                    <span class="profile-name">{profile.name}</span>
                }
            });
            // "Sign out" as soon as someone is signed in, "Who's watching?" included.
            Some(view! {
                {nav}
                <div class="current-profile">
                    {current}
                    <button
                        type="button"
                        class="quiet sign-out"
                        aria-disabled=move || signing_out.get().then_some("true")
                        on:click=sign_out
                    >
                        {move || if signing_out.get() { "Signing out…" } else { "Sign out" }}
                    </button>
                </div>
            })
        })
    };
    view! {
        <header class="site-header" class:signed-in=move || auth.info.with(Option::is_some)>
            <Link href=Page::Home.href() class="brand">
                <img class="brand-mark" src="/favicon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Hallpass"</span>
            </Link>
            {account}
        </header>
    }
}
