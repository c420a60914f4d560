//! "New sign-in on Samsung TV near Lisbon — Wasn't you?": shown on any page when the live
//! stream says a device this account has never used signed in, until dismissed. A part of its
//! own (`crate::parts::SignInNoticePart`): most visits never see one.

use hallpass_api::events::NewSignIn;
use leptos::prelude::*;
use web_sys::MouseEvent;

use crate::api;
use crate::app::MAIN_ID;
use crate::auth::use_auth;
use crate::components::{element, use_announcer};
use crate::context::expected;
use crate::live::Live;
use crate::router::use_location;
use crate::routes::{Page, activity_event_id};

/// The notice, in a region of its own under the header, said aloud politely as each arrives.
/// Kids profiles never see it: what it links to is account settings.
#[component]
pub fn SignInNotice() -> impl IntoView {
    let live = expected::<Live>();
    let auth = use_auth();
    let location = use_location();
    let announcer = use_announcer();
    let notice = Memo::new(move |_| {
        live.new_sign_in
            .with(|data| data.as_deref().and_then(api::decode::<NewSignIn>))
            .filter(|_| !auth.kids())
    });
    Effect::new(move |_| {
        if let Some(notice) = notice.get() {
            announcer.say(new_sign_in_text(&notice));
        }
    });
    // Focus was on the notice's button, which is gone: `<main>` takes it, so the keyboard
    // carries on from the page rather than from the top of the document.
    let dismiss = move || {
        live.new_sign_in.set(None);
        if let Some(main) = element(MAIN_ID) {
            let _ = main.focus();
        }
    };
    move || {
        let notice = notice.get()?;
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

/// "New sign-in on Samsung TV near Lisbon".
fn new_sign_in_text(sign_in: &NewSignIn) -> String {
    let near = sign_in
        .location
        .as_ref()
        .and_then(|l| l.city.as_ref().or(l.country.as_ref()))
        .map(|place| format!(" near {place}"))
        .unwrap_or_default();
    format!("New sign-in on {}{near}", sign_in.device.name)
}

#[cfg(test)]
mod tests {
    use hallpass_api::{DeviceKind, DeviceRef, Location, Timestamp};

    use super::*;

    fn tv(location: Option<Location>) -> NewSignIn {
        NewSignIn {
            device: DeviceRef {
                id: Some("d1".to_owned()),
                name: "Samsung TV".to_owned(),
                kind: DeviceKind::Tv,
            },
            location,
            at: Timestamp("2026-11-30T18:00:00Z".to_owned()),
            activity_id: "a1".to_owned(),
        }
    }

    #[test]
    fn a_new_sign_in_says_where_it_was_as_closely_as_known() {
        let place = |city: Option<&str>, country: Option<&str>| {
            Some(Location {
                city: city.map(str::to_owned),
                country: country.map(str::to_owned),
            })
        };
        assert_eq!(
            new_sign_in_text(&tv(place(Some("Lisbon"), Some("Portugal")))),
            "New sign-in on Samsung TV near Lisbon"
        );
        assert_eq!(
            new_sign_in_text(&tv(place(None, Some("Portugal")))),
            "New sign-in on Samsung TV near Portugal"
        );
        assert_eq!(new_sign_in_text(&tv(None)), "New sign-in on Samsung TV");
    }
}
