use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::UrlSearchParams;

use crate::api::{self, ApiError};
use crate::auth::SignedOutReason;
use crate::components::{Link, PageHeading};
use crate::routes::Page;

/// After a sign-out: says why, calmly, and offers one thing to do: sign in again. It is loaded fresh (never reached
/// by an in-app link), so nothing of the account is in memory here.
#[component]
pub fn SignedOut() -> impl IntoView {
    let query = window().location().search().unwrap_or_default();
    let params = UrlSearchParams::new_with_str(&query).ok();
    let reason = SignedOutReason::from_query(|key| params.as_ref().and_then(|p| p.get(key)));
    let pending = RwSignal::new(matches!(reason, SignedOutReason::Here { pending: true }));
    let reason = match reason {
        SignedOutReason::Here { .. } => {
            "You signed out. This browser's account data has been cleared.".to_owned()
        }
        SignedOutReason::Remote { by: Some((by, at)) } => {
            format!("Signed out from {by} on {}.", crate::time::exact(&at))
        }
        SignedOutReason::Remote { by: None } => {
            "This device was signed out from another device.".to_owned()
        }
        SignedOutReason::Expired => "Your session expired, so you were signed out.".to_owned(),
        SignedOutReason::Ended => "You are not signed in.".to_owned(),
    };
    if pending.get_untracked() {
        finish_when_online(pending);
    }
    view! {
        <div class="notice-page">
            <PageHeading text="You're signed out" />
            <p>{reason}</p>
            <p role="status">
                {move || pending.get().then_some(
                    "Hallpass couldn't be reached, so the sign-out will be finished when the \
                     connection returns. Keep this page open until then."
                )}
            </p>
            <p class="notice-action">
                <Link href=Page::SignIn.href() class="button primary">"Sign in again"</Link>
            </p>
        </div>
    }
}

/// Tries `DELETE /api/session` now and whenever the browser comes back online, until it gets
/// an answer.
fn finish_when_online(pending: RwSignal<bool>) {
    let attempt = move || {
        spawn_local(async move {
            if !matches!(api::sign_out().await, Err(ApiError::Network)) {
                pending.set(false);
            }
        });
    };
    attempt();
    let listener = window_event_listener(ev::online, move |_| {
        if pending.get_untracked() {
            attempt();
        }
    });
    on_cleanup(move || listener.remove());
}
