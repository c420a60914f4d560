//! Who is signed in here, for every page: the session from `GET /api/session`, and the two
//! ways it ends in this browser — signing out, or the server saying it is over (any 401).
//! Both clear everything the browser holds and then *load* `/signed-out`, so no account data
//! survives in memory and Back can't bring it back; every other tab of the browser is told to
//! load it too (`crate::live`). The API client calls [`ended`] on every
//! 401 that ends the session, so no page has to remember to.

mod reason;

use std::sync::atomic::{AtomicBool, Ordering};

use hallpass_api::SessionInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::cleanup::clear_browser_data;
use crate::context::expected;
use crate::routes::Page;

pub use reason::SignedOutReason;

/// The session as this browser knows it. Shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Auth {
    /// `None` while unknown or when not signed in.
    pub info: RwSignal<Option<SessionInfo>>,
    /// The first `GET /api/session` has answered.
    pub known: RwSignal<bool>,
    /// The last `GET /api/session` got no answer that says who is signed in (no connection, a
    /// 5xx): pages offer Retry instead of sending a perhaps signed-in person to sign in.
    pub failed: RwSignal<Option<ApiError>>,
    /// A `GET /api/session` is on its way.
    pub pending: RwSignal<bool>,
}

impl Auth {
    /// The current profile is a kids profile. Reactive.
    pub fn kids(self) -> bool {
        self.info.with(|info| {
            info.as_ref()
                .and_then(|i| i.profile.as_ref())
                .is_some_and(|p| p.kids)
        })
    }

    /// Asks the server who is signed in: at start-up, on Retry, and when the front door (`/`)
    /// is reached from inside the app, so it goes by the server's answer of now.
    pub fn refresh(self) {
        self.pending.set(true);
        spawn_local(async move {
            // The status, not `GET /api/session`: with no session it answers 200 and null, so
            // a signed-out visit logs no failed request in the browser's console.
            let result = api::session_status().await;
            self.pending.set(false);
            match result {
                Ok(status) => {
                    self.info.set(status.session);
                    self.failed.set(None);
                }
                // Signed out from another device, or expired, since this browser last looked:
                // the client has begun the clean-up, as for any other request, and this page
                // is on its way out. (`/signed-out` only shows it, see `ended`.)
                Err(error) if error.ends_session() && LEAVING.load(Ordering::Relaxed) => return,
                Err(error) if error.is_unauthorized() => {
                    self.info.set(None);
                    self.failed.set(None);
                }
                // Only a new problem redraws the Retry state: the button keeps focus.
                Err(error) => self.failed.maybe_update(|failed| {
                    let new = failed.as_ref() != Some(&error);
                    if new {
                        *failed = Some(error);
                    }
                    new
                }),
            }
            self.known.set(true);
        });
    }
}

/// Asks the server who is signed in; once, in `App`.
pub fn provide_auth() -> Auth {
    let auth = Auth {
        info: RwSignal::new(None),
        known: RwSignal::new(false),
        failed: RwSignal::new(None),
        pending: RwSignal::new(false),
    };
    provide_context(auth);
    auth.refresh();
    // Whether someone is signed in here, for `index.html`'s first fetch: an account address
    // opened by a signed-out visitor fetches the sign-in page's bundle rather than that page's
    // (which it would never show). Written once the server has said; the clean-up clears it
    // with everything else.
    Effect::new(move |_| {
        if auth.known.get() && auth.failed.with(Option::is_none) {
            remember_session(auth.info.with(Option::is_some));
        }
    });
    auth
}

/// The localStorage key `index.html`'s script reads (`SESSION_HINT` in xtask/src/split.rs):
/// "1" while someone is signed in here. Only a hint: a session that ended elsewhere still
/// has it until this browser hears so, and then only the first fetch is the wrong one.
const SESSION_HINT: &str = "hallpass.session";

fn remember_session(signed_in: bool) {
    // `/signed-out` may still find the session (a sign-out the server didn't hear yet, which
    // that page finishes), and a page on its way there has cleared everything already: no
    // hint of a session is written there.
    let signed_in = signed_in && !on_signed_out_page() && !leaving();
    let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) else {
        return;
    };
    let _ = if signed_in {
        storage.set_item(SESSION_HINT, "1")
    } else {
        storage.remove_item(SESSION_HINT)
    };
}

pub fn use_auth() -> Auth {
    expected()
}

/// Signs out of this browser: tells the server, clears everything whatever it answered, and
/// loads `/signed-out`. Without an answer, that page finishes the sign-out when it can.
pub async fn sign_out() {
    LEAVING.store(true, Ordering::Relaxed);
    let reached = !matches!(api::sign_out().await, Err(ApiError::Network));
    clear_browser_data().await;
    leave_with_every_tab(&SignedOutReason::Here { pending: !reached }.href());
}

/// Set once the page is on its way to `/signed-out`: a page's other requests may answer 401
/// too, and one clean-up is enough.
static LEAVING: AtomicBool = AtomicBool::new(false);

/// The server said this session is over: clear up and say why. Called by the API client for
/// every such 401 (`ApiError::ends_session`). On `/signed-out` itself there is nothing left
/// to end: that page only says why, and its own check of the session may still hear the 401.
pub fn ended(error: &ApiError) {
    ended_because(SignedOutReason::from_error(error));
}

/// This session is over, for `reason`: from a 401, or from the live stream's
/// `session_ended` before any request had to be refused.
pub fn ended_because(reason: SignedOutReason) {
    if on_signed_out_page() || LEAVING.swap(true, Ordering::Relaxed) {
        return;
    }
    let href = reason.href();
    // A page that shows nothing of the account (signing in, a forgotten password) stays where
    // it is: the person is in the middle of something there, and the password reset that
    // ended this session may be the one they are making. The other tabs still go.
    let stay = !shows_account();
    spawn_local(async move {
        // The cookie of an ended session is still in the browser, and script can't remove it
        // (`HttpOnly`): this asks the server to expire it, so the next visit starts signed out
        // instead of being told again why it was signed out. No answer is fine.
        let _ = api::sign_out().await;
        clear_browser_data().await;
        if stay {
            crate::live::tell_other_tabs_to_leave(&href);
            LEAVING.store(false, Ordering::Relaxed);
        } else {
            leave_with_every_tab(&href);
        }
    });
}

/// This tab shows something of the account: an account page, or "Who's watching?".
pub fn shows_account() -> bool {
    let path = window().location().pathname().unwrap_or_default();
    Page::from_path(&path).is_some_and(|page| page.is_account_page() || page == Page::Profiles)
}

/// Another tab of this browser signed out and cleared up: this one goes to the same page.
pub fn follow_another_tab(href: &str) {
    if on_signed_out_page() || LEAVING.swap(true, Ordering::Relaxed) {
        return;
    }
    leave(href);
}

/// This page is on its way to `/signed-out`.
pub fn leaving() -> bool {
    LEAVING.load(Ordering::Relaxed)
}

fn on_signed_out_page() -> bool {
    window().location().pathname().ok().as_deref() == Some(Page::SignedOut.href())
}

/// [`leave`], with every other tab of this browser told to do the same.
fn leave_with_every_tab(href: &str) {
    crate::live::tell_other_tabs_to_leave(href);
    leave(href);
}

/// A full page load that replaces this history entry: this document, and everything it held
/// in memory, is gone.
fn leave(href: &str) {
    let _ = window().location().replace(href);
}
