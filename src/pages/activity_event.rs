//! One event of Account activity, and "Wasn't you?" where it makes sense: another device's
//! sign-in (sign that device out, then change the password) and a failed sign-in from a place
//! the account never signed in from (no session to end: change the password, turn on
//! two-step verification).

use hallpass_api::{ActivityEvent, ActivityKind};
use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::{DeviceToSignOut, Link, SignOutDeviceDialog, kind_label, place};
use crate::router::use_location;
use crate::routes::{Page, activity_event_id as event_id};
use crate::time;

/// What an event was, in words.
pub fn describe(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::SignedIn => "Signed in",
        ActivityKind::SignInFailed => "Failed sign-in attempt",
        ActivityKind::SignedOut => "Signed out",
        ActivityKind::DeviceSignedOut => "Device signed out",
        ActivityKind::SignedOutAll => "Signed out of all devices",
        ActivityKind::PasswordChanged => "Password changed",
        ActivityKind::PasswordReset => "Password reset with an emailed code",
        ActivityKind::EmailChanged => "Email changed",
        ActivityKind::PhoneChanged => "Phone number changed",
        ActivityKind::TwoFactorEnabled => "Two-step verification turned on",
        ActivityKind::TwoFactorDisabled => "Two-step verification turned off",
        ActivityKind::RecoveryCodesRegenerated => "New recovery codes made",
        ActivityKind::ProfilePinFailed => "Wrong profile PIN entered",
        ActivityKind::LinkedAccountRemoved => "Linked account removed",
        ActivityKind::Unknown => "Other account activity",
    }
}

/// The icon of a kind: a CSS mask over a file in `public/icons/activity/` (no bytes in the
/// wasm), decorative, since the words say the same.
fn icon(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::SignedIn => "event-icon icon-sign-in",
        ActivityKind::SignedOut | ActivityKind::DeviceSignedOut | ActivityKind::SignedOutAll => {
            "event-icon icon-sign-out"
        }
        ActivityKind::SignInFailed | ActivityKind::ProfilePinFailed => "event-icon icon-alert",
        ActivityKind::PasswordChanged | ActivityKind::PasswordReset => "event-icon icon-key",
        ActivityKind::TwoFactorEnabled
        | ActivityKind::TwoFactorDisabled
        | ActivityKind::RecoveryCodesRegenerated => "event-icon icon-shield",
        _ => "event-icon icon-edit",
    }
}

/// A device behind a sign-in that wasn't the account holder: its id and name.
pub type Suspect = DeviceToSignOut;

pub struct SuspectSignIn {
    pub ask: Callback<Suspect>,
    pub dialog: AnyView,
}

/// "Wasn't you?" on another device's sign-in: signs the device out (step-up), then goes to
/// Change password, since whoever signed in knows the password.
pub fn suspect_sign_in() -> SuspectSignIn {
    let location = use_location();
    let target = RwSignal::new(None::<Suspect>);
    let open = RwSignal::new(false);
    let ask = Callback::new(move |suspect: Suspect| {
        target.set(Some(suspect));
        open.set(true);
    });
    // Already gone is as good: on to the password either way.
    let done = Callback::new(move |_id: String| {
        open.set(false);
        location.navigate(Page::ChangePassword.href());
    });
    let dialog = view! {
        <SignOutDeviceDialog open device=target confirm="Sign out and change password"
            then="Whoever signed in there knows your password, so change it next."
            next_step=". Now change your password." on_done=done />
    }
    .into_any();
    SuspectSignIn { ask, dialog }
}

#[component]
pub fn EventItem(
    event: ActivityEvent,
    /// Whether two-step verification is on, once known: "Turn on" is offered only while off.
    two_step_on: RwSignal<Option<bool>>,
    on_not_me: Callback<Suspect>,
) -> impl IntoView {
    let auth = use_auth();
    let at = event.at.as_str().to_owned();
    // A sign-in by another device that is still signed in can be acted on from here.
    let this_device = auth
        .info
        .with_untracked(|i| i.as_ref().map(|i| i.session.id.clone()));
    let suspect = event
        .device
        .as_ref()
        .filter(|_| event.kind == ActivityKind::SignedIn)
        .and_then(|d| Some((d.id.clone()?, d.name.clone())))
        .filter(|(id, _)| this_device.as_ref() != Some(id));
    let device = event
        .device
        .as_ref()
        .map(|d| format!("{} ({})", d.name, kind_label(d.kind)));
    let whereabouts = event
        .location
        .is_some()
        .then(|| place(event.location.as_ref()));
    let ip = event.ip_hint.as_ref().map(|ip| format!("IP {ip}"));
    let details: Vec<String> = [device, whereabouts.clone(), ip]
        .into_iter()
        .flatten()
        .collect();
    let unusual = event.unusual && event.kind == ActivityKind::SignInFailed;
    let from = whereabouts
        .or_else(|| event.ip_hint.clone())
        .unwrap_or_else(|| "an unknown place".to_owned());
    let panel_id = format!("{}-help", event_id(&event.id));
    let expanded = RwSignal::new(false);
    view! {
        <li id=event_id(&event.id) tabindex="-1" class="event" class:unusual=unusual>
            <span class=icon(event.kind) aria-hidden="true"></span>
            <div class="event-body">
                <p class="event-what">
                    {describe(event.kind)}
                    {unusual.then(|| view! { <span class="event-flag">"New place"</span> })}
                </p>
                <p class="event-details">
                    <time datetime=at.clone() title=time::exact(&at)>{time::clock(&at)}</time>
                    {details.into_iter().map(|d| view! { <span>{d}</span> }).collect_view()}
                </p>
                {suspect.map(|suspect| {
                    // One sign-in per device, so the device's name tells the buttons apart.
                    let label = format!("Wasn't you? Sign out {}", suspect.1);
                    view! {
                        <button type="button" class="quiet danger" aria-label=label
                            on:click=move |_| on_not_me.run(suspect.clone())>
                            "Wasn't you?"
                        </button>
                    }
                })}
                {unusual.then(|| {
                    let label = format!("Wasn't you? Failed sign-in from {from}");
                    view! {
                        <button type="button" class="secondary" aria-label=label
                            aria-expanded=move || expanded.get().to_string()
                            aria-controls=panel_id.clone()
                            on:click=move |_| expanded.update(|e| *e = !*e)>
                            "Wasn't you?"
                        </button>
                        <div id=panel_id class="event-help" hidden=move || !expanded.get()>
                            <p>{format!(
                                "Someone tried to sign in from {from} with a wrong password. \
                                 They didn't get in. If you use this password anywhere else, \
                                 change it."
                            )}</p>
                            <div class="event-help-actions">
                                <Link href=Page::ChangePassword.href() class="button primary">"Change password"</Link>
                                {move || (two_step_on.get() != Some(true)).then(|| view! {
                                    <Link href=Page::TwoStep.href() class="button">"Turn on two-step verification"</Link>
                                })}
                            </div>
                        </div>
                    }
                })}
            </div>
        </li>
    }
}
