use hallpass_api::{ActivityEvent, ActivityKind, ActivityPage, ErrorCode};
use leptos::html::Ol;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::{
    ConfirmDialog, LoadError, PageHeading, kind_label, place, use_announcer, use_step_up,
};
use crate::router::use_location;
use crate::routes::Page;
use crate::time;

/// "Account activity": what happened to the account, newest first, 50 at a time.
#[component]
pub fn Activity() -> impl IntoView {
    let auth = use_auth();
    let (first, pending, retry) =
        crate::load::load(move || async move { auth.check(api::activity(None).await) });
    view! {
        <PageHeading text="Account activity" />
        {move || match first.get() {
            None => view! { <p class="status" role="status">"Loading activity…"</p> }.into_any(),
            Some(Ok(page)) => view! { <Events page /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

#[component]
fn Events(page: ActivityPage) -> impl IntoView {
    let auth = use_auth();
    let announcer = use_announcer();
    let events = RwSignal::new(page.events);
    let next = RwSignal::new(page.next);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let list = NodeRef::<Ol>::new();
    let suspect = suspect_sign_in();

    let more = Callback::new(move |()| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match auth.check(api::activity(Some(cursor)).await) {
                Ok(page) => {
                    let first_new = events.with_untracked(Vec::len);
                    let added = page.events.len();
                    events.update(|e| e.extend(page.events));
                    next.set(page.next);
                    error.set(None);
                    announcer.say(format!("{added} older events loaded"));
                    // The first new entry takes focus, so reading goes on where the list grew.
                    if let Some(item) = list
                        .get_untracked()
                        .and_then(|ol| ol.children().item(first_new as u32))
                        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                    {
                        let _ = item.focus();
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });

    view! {
        {move || events.with(Vec::is_empty).then(|| view! { <p>"No activity yet."</p> })}
        <ol class="activity" node_ref=list>
            <For each=move || events.get() key=|e| e.id.clone() let(event)>
                <EventItem event on_not_me=suspect.ask />
            </For>
        </ol>
        {move || error.get().map(|error| view! {
            <LoadError error on_retry=more pending=Signal::from(busy) />
        })}
        {move || (next.with(Option::is_some) && error.with(Option::is_none)).then(|| view! {
            <button type="button" class="secondary"
                aria-disabled=move || busy.get().then_some("true")
                on:click=move |_| more.run(())>
                "Load more"
            </button>
        })}
        {suspect.dialog}
    }
}

/// A device behind a sign-in that wasn't the account holder: its id and name.
type Suspect = (String, String);

struct SuspectSignIn {
    ask: Callback<Suspect>,
    dialog: AnyView,
}

/// "Wasn't you?": signs the device out (step-up), then goes to Change password, since whoever
/// signed in knows the password.
fn suspect_sign_in() -> SuspectSignIn {
    let auth = use_auth();
    let step_up = use_step_up();
    let announcer = use_announcer();
    let location = use_location();
    let target = RwSignal::new(None::<Suspect>);
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let ask = Callback::new(move |suspect: Suspect| {
        target.set(Some(suspect));
        error.set(None);
        busy.set(false);
        open.set(true);
    });
    let confirm = Callback::new(move |()| {
        let Some((id, name)) = target.get_untracked() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let result = step_up.run(|| api::sign_out_device(id.clone())).await;
            busy.set(false);
            match auth.check(result) {
                // Already gone is as good: on to the password either way.
                Ok(()) => announcer.say(format!("Signed out {name}. Now change your password.")),
                Err(e) if e.code() == Some(ErrorCode::DeviceNotFound) => {
                    announcer.say(format!(
                        "{name} was already signed out. Now change your password."
                    ));
                }
                Err(e) => {
                    error.set(Some(e.message()));
                    return;
                }
            }
            open.set(false);
            location.navigate(Page::ChangePassword.href());
        });
    });
    let name = move || target.with(|t| t.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
    let title = Signal::derive(move || format!("Sign out {}?", name()));
    let dialog = view! {
        <ConfirmDialog open title confirm="Sign out and change password" busy error on_confirm=confirm>
            <p>{move || format!(
                "{} will be signed out on its next request. Whoever signed in there knows your \
                 password, so change it next.",
                name()
            )}</p>
        </ConfirmDialog>
    }
    .into_any();
    SuspectSignIn { ask, dialog }
}

/// What an event was, in words.
pub fn describe(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::SignedIn => "Signed in",
        ActivityKind::SignInFailed => "Failed sign-in attempt",
        ActivityKind::SignedOut => "Signed out",
        ActivityKind::DeviceSignedOut => "Device signed out",
        ActivityKind::SignedOutAll => "Signed out of all devices",
        ActivityKind::PasswordChanged => "Password changed",
        ActivityKind::PasswordReset => "Password reset",
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

#[component]
fn EventItem(event: ActivityEvent, on_not_me: Callback<Suspect>) -> impl IntoView {
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
    let mut whereabouts = vec![];
    if event.location.is_some() {
        whereabouts.push(place(event.location.as_ref()));
    }
    if let Some(ip) = &event.ip_hint {
        whereabouts.push(format!("IP {ip}"));
    }
    let warn = event.kind == ActivityKind::SignInFailed;
    view! {
        <li tabindex="-1" class:warn=warn>
            <p class="event-what">{describe(event.kind)}</p>
            <p class="muted">
                <time datetime=at.clone()>{time::exact(&at)}</time>
                {format!(" ({})", time::relative(&at))}
                {device.map(|d| format!(" · {d}"))}
                {(!whereabouts.is_empty()).then(|| format!(" · {}", whereabouts.join(", ")))}
            </p>
            {suspect.map(|suspect| {
                // One sign-in per device, so the device's name tells the buttons apart.
                let label = format!("Wasn't you? Sign out {}", suspect.1);
                view! {
                    <button type="button" class="secondary" aria-label=label
                        on:click=move |_| on_not_me.run(suspect.clone())>
                        "Wasn't you?"
                    </button>
                }
            })}
        </li>
    }
}
