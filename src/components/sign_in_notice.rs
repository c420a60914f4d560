//! "New sign-in on Samsung TV near Lisbon — Wasn't you?": shown on any page when the live
//! stream says a device this account has never used signed in, until dismissed.

use leptos::prelude::*;
use web_sys::MouseEvent;

use crate::app::MAIN_ID;
use crate::auth::use_auth;
use crate::components::element;
use crate::live::{Live, new_sign_in_text};
use crate::router::use_location;
use crate::routes::{Page, activity_event_id};

/// The notice, in a region of its own under the header. Kids profiles never see it: what it
/// links to is account settings.
#[component]
pub fn SignInNotice() -> impl IntoView {
    let live = expect_context::<Live>();
    let auth = use_auth();
    let location = use_location();
    // Focus was on the notice's button or link, which are gone: `<main>` takes it, so the
    // keyboard carries on from the page rather than from the top of the document.
    let dismiss = move || {
        live.new_sign_in.set(None);
        if let Some(main) = element(MAIN_ID) {
            let _ = main.focus();
        }
    };
    move || {
        let notice = live.new_sign_in.get().filter(|_| !auth.kids())?;
        let href = format!(
            "{}#{}",
            Page::Activity.href(),
            activity_event_id(&notice.activity_id)
        );
        let go = {
            let href = href.clone();
            move |ev: MouseEvent| {
                if ev.button() != 0 || ev.meta_key() || ev.ctrl_key() || ev.shift_key() {
                    return;
                }
                ev.prevent_default();
                live.new_sign_in.set(None);
                location.navigate(&href);
            }
        };
        Some(view! {
            <section class="sign-in-notice" aria-label="New sign-in">
                <p>
                    <strong>{new_sign_in_text(&notice)}</strong>
                    " — "
                    <a href=href on:click=go>"Wasn't you?"</a>
                </p>
                <button type="button" class="secondary" on:click=move |_| dismiss()>
                    "Dismiss"
                </button>
            </section>
        })
    }
}
