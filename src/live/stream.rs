//! The holder's side of the live events: the stream itself ([`run`]) and what it does with
//! `session_ended`. [`run`] is a part of its own (`crate::parts::live_stream`): only the one
//! tab of a signed-in browser that holds the lock fetches it. [`hold`], which fetches that part,
//! and the backoff it shares with [`run`] stay in the shell.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use hallpass_api::events::{DEVICES_CHANGED, EndedReason, SESSION_ENDED, SessionEnded};
use leptos::prelude::*;

use super::{heard, post};
use crate::api::{self, Heard, Stream};
use crate::auth::{self, SignedOutReason};

/// Backoff between attempts to get the stream back: doubles from the first to the last.
const FIRST_RETRY: u32 = 1_000;
const LAST_RETRY: u32 = 60_000;

/// Fetches the stream's part and runs it, for as long as the tab lives; a part that can't be
/// fetched is asked for again with the same backoff as a lost stream.
pub async fn hold() {
    let mut wait = FIRST_RETRY;
    loop {
        match crate::parts::live_stream().await {
            Ok(run) => return run.await,
            Err(_) => {
                sleep(jittered(wait)).await;
                wait = (wait * 2).min(LAST_RETRY);
            }
        }
    }
}

/// Keeps the stream open, and gets it back after it is lost: after a backoff, and only once
/// `GET /api/session/status` says this browser is still signed in, since events may have been
/// missed meanwhile (a 401 there starts the clean-up in the API client).
pub(crate) async fn run() {
    let Some(live) = super::live() else {
        return;
    };
    let mut wait = FIRST_RETRY;
    let mut again = false;
    loop {
        let (lost, was_open) = futures_channel::oneshot::channel::<bool>();
        let lost = RefCell::new(Some(lost));
        let opened = Rc::new(Cell::new(false));
        let open = opened.clone();
        let Some(stream) = Stream::open(move |what| match what {
            Heard::Opened => {
                open.set(true);
                // Back after a loss: devices may have come and gone meanwhile. A
                // `devices_changed` without data has the devices page read its list again,
                // saying nothing, since nobody knows what changed.
                if again {
                    post(DEVICES_CHANGED, "");
                    heard(live, DEVICES_CHANGED, "");
                }
            }
            Heard::Event { name, data } => {
                // Not `session_ended`: the clean-up it starts tells the other tabs itself.
                if name != SESSION_ENDED {
                    post(name, data);
                }
                if name == SESSION_ENDED {
                    if let Some(ended) = api::decode::<SessionEnded>(data) {
                        auth::ended_because(reason(&ended));
                    }
                } else {
                    heard(live, name, data);
                }
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
                Ok(status) if status.session.is_some() => {
                    again = true;
                    break;
                }
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

#[cfg(test)]
mod tests {
    use hallpass_api::{SignedOutBy, Timestamp};

    use super::*;

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
