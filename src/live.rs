//! Live events: what happens elsewhere reaches every open tab of this browser by itself.
//!
//! One tab holds the browser's one `GET /api/events` stream: the one holding the Web Lock
//! [`LOCK`]. When it closes, the browser hands the lock to another tab, which opens the
//! stream in turn. The holder passes every event on to the other tabs over the
//! `BroadcastChannel` [`CHANNEL`], and any tab that signs this browser out tells the others
//! there to leave too, so every tab goes at once whether or not the server can be reached.
//!
//! Web Locks are reached through `js_sys::Reflect`: web-sys marks `LockManager` unstable, and
//! turning on `web_sys_unstable_apis` for one method would change every build's flags.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use hallpass_api::events::{DevicesChanged, EndedReason, NewSignIn, SessionEnded};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::api::{self, Heard, LiveEvent, Stream};
use crate::auth::{self, Auth, SignedOutReason};
use crate::components::Announcer;

/// The Web Lock whose holder keeps the stream.
const LOCK: &str = "hallpass-events";
/// Where the tabs of this browser talk: `name\ndata` per message.
const CHANNEL: &str = "hallpass";
/// A message's name for "this browser is signed out: load `data`".
const LEAVE: &str = "leave";
/// Backoff between attempts to get the stream back: doubles from the first to the last.
const FIRST_RETRY: u32 = 1_000;
const LAST_RETRY: u32 = 60_000;

/// What the stream said lately, for any page that cares. Shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Live {
    /// The latest `devices_changed`, numbered, so a page can tell a new one from one that
    /// came before it was drawn.
    pub devices_changed: RwSignal<Option<(u32, DevicesChanged)>>,
    /// The latest `new_sign_in` not yet dismissed.
    pub new_sign_in: RwSignal<Option<NewSignIn>>,
}

thread_local! {
    /// This tab's end of [`CHANNEL`]: one object, so the tab never hears its own messages.
    static TABS: Option<BroadcastChannel> = BroadcastChannel::new(CHANNEL).ok();
}

/// Listens to the other tabs, and joins the queue for the stream once someone is signed in.
/// Once, in `App`.
pub fn provide_live(auth: Auth, announcer: Announcer) -> Live {
    let live = Live {
        devices_changed: RwSignal::new(None),
        new_sign_in: RwSignal::new(None),
    };
    provide_context(live);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        if let Some(text) = message.data().as_string() {
            from_another_tab(auth, live, announcer, &text);
        }
    });
    TABS.with(|tabs| {
        if let Some(tabs) = tabs {
            tabs.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        }
    });
    // The listener lives as long as the tab.
    on_message.forget();

    let queued = Cell::new(false);
    Effect::new(move |_| {
        if auth.info.with(Option::is_some) && !queued.replace(true) {
            when_holding_the_lock(move || spawn_local(hold_the_stream(live, announcer)));
        }
    });
    live
}

/// Tells the other tabs that this browser is signed out and they should load `href` (the
/// clean-up is done). Called by `auth` just before this tab loads it too.
pub fn tell_other_tabs_to_leave(href: &str) {
    post(LEAVE, href);
}

fn post(name: &str, data: &str) {
    TABS.with(|tabs| {
        if let Some(tabs) = tabs {
            let _ = tabs.post_message(&JsValue::from_str(&format!("{name}\n{data}")));
        }
    });
}

fn from_another_tab(auth: Auth, live: Live, announcer: Announcer, text: &str) {
    let Some((name, data)) = text.split_once('\n') else {
        return;
    };
    if name != LEAVE {
        heard(live, announcer, name, data);
    } else if data.starts_with(crate::routes::Page::SignedOut.href())
        // A tab that shows no session has nothing to hide: the sign-in page stays.
        && !(auth.known.get_untracked() && auth.info.with_untracked(Option::is_none))
    {
        auth::follow_another_tab(data);
    }
}

/// One event, from the stream or from the tab that holds it.
fn heard(live: Live, announcer: Announcer, name: &str, data: &str) {
    match LiveEvent::decode(name, data) {
        Some(LiveEvent::SessionEnded(ended)) => auth::ended_because(reason(&ended)),
        Some(LiveEvent::DevicesChanged(change)) => live.devices_changed.update(|last| {
            let number = last.as_ref().map_or(0, |(n, _)| n + 1);
            *last = Some((number, change));
        }),
        Some(LiveEvent::NewSignIn(sign_in)) => {
            announcer.say(new_sign_in_text(&sign_in));
            live.new_sign_in.set(Some(sign_in));
        }
        None => {}
    }
}

/// What `/signed-out` says for a `session_ended`: the same as for the 401 it stands for.
fn reason(ended: &SessionEnded) -> SignedOutReason {
    match ended.reason {
        EndedReason::SessionExpired => SignedOutReason::Expired,
        EndedReason::SignedOutRemotely | EndedReason::Unknown => SignedOutReason::Remote {
            by: ended
                .by
                .as_ref()
                .map(|by| (by.device_name.clone(), ended.at.as_str().to_owned())),
        },
    }
}

/// "New sign-in on Samsung TV near Lisbon".
pub fn new_sign_in_text(sign_in: &NewSignIn) -> String {
    let near = sign_in
        .location
        .as_ref()
        .and_then(|l| l.city.as_ref().or(l.country.as_ref()))
        .map(|place| format!(" near {place}"))
        .unwrap_or_default();
    format!("New sign-in on {}{near}", sign_in.device.name)
}

/// Runs `hold` once this tab holds [`LOCK`], for as long as the tab lives; at once in a
/// browser without Web Locks (every tab then keeps a stream of its own).
fn when_holding_the_lock(hold: impl FnOnce() + 'static) {
    let navigator = window().navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks"))
        .ok()
        .filter(|locks| locks.is_object());
    let request = locks
        .as_ref()
        .and_then(|locks| js_sys::Reflect::get(locks, &JsValue::from_str("request")).ok())
        .and_then(|request| request.dyn_into::<js_sys::Function>().ok());
    let (Some(locks), Some(request)) = (locks, request) else {
        hold();
        return;
    };
    // The lock is held until the promise settles, and this one never does: the browser
    // releases it when the tab goes.
    let granted = Closure::once_into_js(move |_lock: JsValue| {
        hold();
        js_sys::Promise::new(&mut |_, _| {})
    });
    let _ = request.call2(&locks, &JsValue::from_str(LOCK), &granted);
}

/// Keeps the stream open, and gets it back after it is lost: after a backoff, and only once
/// `GET /api/session/status` says this browser is still signed in, since events may have been
/// missed meanwhile (a 401 there starts the clean-up in the API client).
async fn hold_the_stream(live: Live, announcer: Announcer) {
    let mut wait = FIRST_RETRY;
    loop {
        let (lost, was_open) = futures_channel::oneshot::channel::<bool>();
        let lost = RefCell::new(Some(lost));
        let opened = Rc::new(Cell::new(false));
        let open = opened.clone();
        let Some(stream) = Stream::open(move |what| match what {
            Heard::Opened => open.set(true),
            Heard::Event { name, data } => {
                // Not `session_ended`: the clean-up it starts tells the other tabs itself.
                if LiveEvent::decode(name, data)
                    .is_some_and(|e| !matches!(e, LiveEvent::SessionEnded(_)))
                {
                    post(name, data);
                }
                heard(live, announcer, name, data);
            }
            Heard::Lost => {
                if let Some(lost) = lost.borrow_mut().take() {
                    let _ = lost.send(open.get());
                }
            }
        }) else {
            return;
        };
        let had_opened = was_open.await.unwrap_or(false);
        drop(stream);
        if had_opened {
            wait = FIRST_RETRY;
        }
        loop {
            if auth::leaving() {
                return;
            }
            sleep(jittered(wait)).await;
            wait = (wait * 2).min(LAST_RETRY);
            match api::session_status().await {
                Ok(status) if status.session.is_some() => break,
                // The cookie names no session any more: signed out here, in a tab that had no
                // way to say so.
                Ok(_) => return auth::ended_because(SignedOutReason::Ended),
                // The API client has begun the clean-up.
                Err(error) if error.ends_session() => return,
                Err(_) => {}
            }
        }
    }
}

/// `ms` give or take a fifth, so that the tabs of a thousand browsers that lost one server
/// don't all come back in the same instant.
fn jittered(ms: u32) -> u32 {
    let spread = f64::from(ms) * 0.2;
    (f64::from(ms) - spread + js_sys::Math::random() * 2.0 * spread) as u32
}

async fn sleep(ms: u32) {
    let (done, wait) = futures_channel::oneshot::channel::<()>();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        Duration::from_millis(u64::from(ms)),
    );
    let _ = wait.await;
}

#[cfg(test)]
mod tests {
    use hallpass_api::{DeviceKind, DeviceRef, Location, SignedOutBy, Timestamp};

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

    #[test]
    fn a_session_ended_event_reads_like_the_401_it_stands_for() {
        let at = Timestamp("2026-11-30T18:00:00Z".to_owned());
        let ended = |reason, by: Option<&str>| SessionEnded {
            reason,
            by: by.map(|name| SignedOutBy {
                device_name: name.to_owned(),
            }),
            at: at.clone(),
        };
        assert_eq!(
            reason(&ended(
                EndedReason::SignedOutRemotely,
                Some("Alex's iPhone")
            )),
            SignedOutReason::Remote {
                by: Some(("Alex's iPhone".to_owned(), at.as_str().to_owned()))
            }
        );
        assert_eq!(
            reason(&ended(EndedReason::SessionExpired, None)),
            SignedOutReason::Expired
        );
        // A reason from a newer server: signed out, by no one the app can name.
        assert_eq!(
            reason(&ended(EndedReason::Unknown, None)),
            SignedOutReason::Remote { by: None }
        );
    }
}
