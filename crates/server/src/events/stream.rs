//! One open `GET /api/events`: waits for its account's hints and its keep-alive tick, and
//! turns them into events. Per stream it holds a receiver, a timer and a few ids: no buffer
//! of its own, so ten thousand idle streams cost little beyond their connections.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::Event;
use futures_util::Stream;
use hallpass_api::SignedOutBy;
use hallpass_api::events::{self, EndedReason, SessionEnded};
use tokio::sync::broadcast::error::RecvError;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use super::What;
use super::bus::{Hint, Subscription};
use crate::AppState;
use crate::clock::timestamp;
use crate::domain::sessions::{self, Session, Standing};

/// Well under the 60 s idle timeout of common proxies (nginx, AWS ALB).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Watch {
    state: AppState,
    session_id: String,
    /// When the session runs out unless used meanwhile; checked at each tick against the
    /// server's clock, which the demo can move.
    expires_at: i64,
    subscription: Subscription,
    tick: Interval,
    /// Whether the session must be read again before anything else (at first, to cover a
    /// change made between the extractor's check and the subscription).
    recheck: bool,
    done: bool,
}

/// The events of `session`'s stream, until it ends.
pub fn open(state: AppState, session: Session) -> impl Stream<Item = Result<Event, Infallible>> {
    let subscription = state.events.subscribe(&session.account_id);
    let mut tick = tokio::time::interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let watch = Watch {
        state,
        session_id: session.id,
        // The first check reads it.
        expires_at: i64::MAX,
        subscription,
        tick,
        recheck: true,
        done: false,
    };
    futures_util::stream::unfold(watch, |mut watch| async move {
        let event = watch.next().await?;
        Some((Ok(event), watch))
    })
}

/// What a re-read of the session says the stream should do.
enum Check {
    Continue,
    End(Option<Event>),
}

impl Watch {
    async fn next(&mut self) -> Option<Event> {
        if self.done {
            return None;
        }
        loop {
            if std::mem::take(&mut self.recheck)
                && let Check::End(last) = self.check().await
            {
                self.done = true;
                return last;
            }
            tokio::select! {
                hint = self.subscription.receiver.recv() => match hint {
                    Ok(Hint::What(what)) => match &*what {
                        What::SessionsEnded => self.recheck = true,
                        What::DevicesChanged { by, event } => {
                            if by.as_deref() != Some(self.session_id.as_str()) {
                                return Some(json(events::DEVICES_CHANGED, event));
                            }
                        }
                        What::NewSignIn { session, event } => {
                            if *session != self.session_id {
                                return Some(json(events::NEW_SIGN_IN, event));
                            }
                        }
                    },
                    // Hints were missed, or may have been: the session row is the truth.
                    Ok(Hint::Resync) | Err(RecvError::Lagged(_)) => self.recheck = true,
                    Err(RecvError::Closed) => return None,
                },
                _ = self.tick.tick() => {
                    if self.state.clock.now() >= self.expires_at
                        && let Check::End(last) = self.check().await
                    {
                        self.done = true;
                        return last;
                    }
                    return Some(Event::default().comment("keep-alive"));
                }
            }
        }
    }

    async fn check(&mut self) -> Check {
        let now = self.state.clock.now();
        let standing = match sessions::standing(&self.state.db, &self.session_id, now).await {
            Ok(standing) => standing,
            Err(err) => {
                // The database is away for now; the next tick or hint asks again.
                tracing::warn!(?err, "events: can't re-read a stream's session");
                return Check::Continue;
            }
        };
        let ended = |reason, by, at| SessionEnded {
            reason,
            by,
            at: timestamp(at),
        };
        match standing {
            Standing::Active { expires_at } => {
                self.expires_at = expires_at;
                Check::Continue
            }
            Standing::EndedHere => Check::End(None),
            Standing::EndedRemotely { by, at } => {
                let by = Some(SignedOutBy { device_name: by });
                let event = ended(EndedReason::SignedOutRemotely, by, at);
                Check::End(Some(json(events::SESSION_ENDED, &event)))
            }
            Standing::Expired { at } => {
                let event = ended(EndedReason::SessionExpired, None, at);
                Check::End(Some(json(events::SESSION_ENDED, &event)))
            }
        }
    }
}

fn json(name: &str, data: &impl serde::Serialize) -> Event {
    let data = serde_json::to_string(data).unwrap_or_default();
    Event::default().event(name).data(data)
}
