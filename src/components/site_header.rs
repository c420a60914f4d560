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
    let profile = move || {
        auth.info
            .with(|i| i.as_ref().and_then(|i| i.profile.clone()))
    };
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        spawn_local(auth::sign_out());
    };
    view! {
        <header class="site-header" class:signed-in=move || auth.info.with(Option::is_some)>
            <Link href=Page::Home.href() class="brand">
                <img class="brand-mark" src="/favicon.svg" alt="" width="28" height="28" />
                <span class="brand-name">"Hallpass"</span>
            </Link>
            // "Sign out" as soon as someone is signed in, "Who's watching?" included; the
            // account's navigation once a profile is chosen.
            {move || auth.info.with(Option::is_some).then(|| view! {
                {move || profile().map(|_| view! {
                    <nav class="site-nav" aria-label="Account">
                        <Show when=move || !auth.kids()>
                            <Link href=Page::Account.href() section=true>"Account"</Link>
                            <Link href=Page::Security.href() section=true>"Security"</Link>
                        </Show>
                    </nav>
                })}
                <div class="current-profile">
                    // The avatar is the way to another profile, as on "Who's watching?"; the
                    // name beside it folds away on a phone (still read by screen readers).
                    {move || profile().map(|profile| view! {
                        <Link href=Page::Profiles.href() class="profile-switch">
                            <Avatar avatar=profile.avatar.clone() size=AvatarSize::Small />
                            <span class="visually-hidden">"Switch profile"</span>
                        </Link>
                        <span class="profile-name">{profile.name.clone()}</span>
                    })}
                    <button
                        type="button"
                        class="quiet sign-out"
                        aria-disabled=move || signing_out.get().then_some("true")
                        on:click=sign_out
                    >
                        {move || if signing_out.get() { "Signing out…" } else { "Sign out" }}
                    </button>
                </div>
            })}
        </header>
    }
}
