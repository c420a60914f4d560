//! Live events: what happens elsewhere reaches every open tab of this browser by itself.
//!
//! One tab holds the browser's one `GET /api/events` stream: the one holding the Web Lock
//! [`LOCK`]. When it closes, the browser hands the lock to another tab, which opens the
//! stream in turn. The holder passes every event on to the other tabs over the
//! `BroadcastChannel` [`CHANNEL`], and any tab that signs this browser out tells the others
//! there to leave too, so every tab goes at once whether or not the server can be reached.
//!
//! This module is in the shell, since every tab listens to the others; the holder's side, the
//! stream itself, is a part of its own (`stream.rs`), fetched only by the tab that holds the
//! lock, once someone is signed in: a sign-in page never pays for it.
//!
//! Web Locks are reached through `js_sys::Reflect`: web-sys marks `LockManager` unstable, and
//! turning on `web_sys_unstable_apis` for one method would change every build's flags.

pub(crate) mod stream;

use std::cell::Cell;

use hallpass_api::events::{DEVICES_CHANGED, NEW_SIGN_IN};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BroadcastChannel, MessageEvent};

use crate::auth::{self, Auth};

/// The Web Lock whose holder keeps the stream.
const LOCK: &str = "hallpass-events";
/// Where the tabs of this browser talk: `name\ndata` per message.
const CHANNEL: &str = "hallpass";
/// A message's name for "this browser is signed out: load `data`".
const LEAVE: &str = "leave";

/// What the stream said lately, for any page that cares, as the events' JSON text: each is
/// decoded where it is used (`api::decode`), in the part of the page or notice that uses it.
/// Shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Live {
    /// The latest `devices_changed`, numbered, so a page can tell a new one from one that
    /// came before it was drawn. Empty text when the stream came back after a loss: something
    /// may have changed, nobody knows what.
    pub devices_changed: RwSignal<Option<(u32, String)>>,
    /// The latest `new_sign_in` not yet dismissed.
    pub new_sign_in: RwSignal<Option<String>>,
}

thread_local! {
    /// This tab's end of [`CHANNEL`]: one object, so the tab never hears its own messages.
    static TABS: Option<BroadcastChannel> = BroadcastChannel::new(CHANNEL).ok();
    /// What [`provide_live`] made, for the stream's part: it runs outside any component.
    static LIVE: Cell<Option<Live>> = const { Cell::new(None) };
}

/// The tab's [`Live`], once `App` has made it.
pub(crate) fn live() -> Option<Live> {
    LIVE.with(Cell::get)
}

/// Listens to the other tabs, and joins the queue for the stream once someone is signed in.
/// Once, in `App`.
pub fn provide_live(auth: Auth) -> Live {
    let live = Live {
        devices_changed: RwSignal::new(None),
        new_sign_in: RwSignal::new(None),
    };
    provide_context(live);
    LIVE.with(|cell| cell.set(Some(live)));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |message: MessageEvent| {
        if let Some(text) = message.data().as_string() {
            from_another_tab(live, &text);
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
            when_holding_the_lock(move || spawn_local(stream::hold()));
        }
    });
    live
}

/// Tells the other tabs that this browser is signed out and they should load `href` (the
/// clean-up is done). Called by `auth` just before this tab loads it too.
pub fn tell_other_tabs_to_leave(href: &str) {
    post(LEAVE, href);
}

/// Passes an event from the stream on to the other tabs.
pub(crate) fn post(name: &str, data: &str) {
    TABS.with(|tabs| {
        if let Some(tabs) = tabs {
            let _ = tabs.post_message(&JsValue::from_str(&format!("{name}\n{data}")));
        }
    });
}

fn from_another_tab(live: Live, text: &str) {
    let Some((name, data)) = text.split_once('\n') else {
        return;
    };
    if name != LEAVE {
        heard(live, name, data);
    } else if data.starts_with(crate::routes::Page::SignedOut.href())
        // A tab that shows nothing of the account has nothing to hide: the sign-in page stays,
        // and so does a password reset under way.
        && auth::shows_account()
    {
        auth::follow_another_tab(data);
    }
}

/// An event for the pages, from the stream or from the tab that holds it. (`session_ended`
/// never travels between tabs: the clean-up it starts tells them itself.)
pub(crate) fn heard(live: Live, name: &str, data: &str) {
    match name {
        DEVICES_CHANGED => live.devices_changed.update(|last| {
            let number = last.as_ref().map_or(0, |(n, _)| n + 1);
            *last = Some((number, data.to_owned()));
        }),
        NEW_SIGN_IN => live.new_sign_in.set(Some(data.to_owned())),
        _ => {}
    }
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
