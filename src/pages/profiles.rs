use hallpass_api::{ErrorCode, Profile, SessionInfo};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::{
    Avatar, AvatarSize, Dialog, Field, FormError, Link, LoadError, PageHeading, Submit,
};
use crate::context::expected;
use crate::parts::{self, PinDialogPart};
use crate::router::{return_to, use_location, with_query};
use crate::routes::Page;

/// The locked profile whose PIN is asked for, and whether its dialog is open. The dialog is a
/// part of its own ([`PinDialogPart`]): most visits to "Who's watching?" never open it.
#[derive(Clone, Copy)]
pub struct PinRequest {
    pub profile: RwSignal<Option<Profile>>,
    pub open: RwSignal<bool>,
}

/// "Who's watching?": one tile per profile; a locked one asks for its PIN. Afterwards, on to
/// the address the visit asked for before signing in (`?next=`), or Account.
#[component]
pub fn Profiles() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    Effect::new(move |_| {
        if auth.known.get() && auth.failed.with(Option::is_none) && auth.info.with(Option::is_none)
        {
            location.replace(&with_query(Page::SignIn, "next", return_to().as_deref()));
        }
    });
    // Profiles are asked for only once the session is known, so a signed-out visit goes to
    // sign in rather than racing the redirect with a 401.
    view! {
        <div class="picker-page">
            <PageHeading text="Who's watching?" />
            {move || if let Some(error) = auth.failed.get() {
                view! {
                    <LoadError error on_retry=Callback::new(move |()| auth.refresh())
                        pending=Signal::from(auth.pending) />
                }.into_any()
            } else if auth.known.get() && auth.info.with(Option::is_some) {
                view! { <ProfileChooser /> }.into_any()
            } else {
                view! { <PickerSkeleton /> }.into_any()
            }}
        </div>
    }
}

/// Four tiles, as many as most accounts have.
const PICKER_TILES: &str = concat!(
    r#"<li><span class="skeleton picker-skeleton"></span></li>"#,
    r#"<li><span class="skeleton picker-skeleton"></span></li>"#,
    r#"<li><span class="skeleton picker-skeleton"></span></li>"#,
    r#"<li><span class="skeleton picker-skeleton"></span></li>"#,
);

/// Tiles of the right size while the profiles load, so the page doesn't jump when they come.
/// Static markup, which costs the wasm almost nothing.
#[component]
fn PickerSkeleton() -> impl IntoView {
    view! {
        <p class="visually-hidden" role="status">"Loading profiles…"</p>
        <ul class="picker" aria-hidden="true" inner_html=PICKER_TILES></ul>
    }
}

#[component]
fn ProfileChooser() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let (profiles, pending, retry) = crate::load::load(api::profiles);
    let request = PinRequest {
        profile: RwSignal::new(None),
        open: RwSignal::new(false),
    };
    provide_context(request);
    // Why the last choice didn't go through (the connection, most likely).
    let problem = RwSignal::new(None::<String>);
    // With a locked profile in the list, its PIN dialog is fetched once the tiles show, so
    // that it opens at once.
    Effect::new(move |_| {
        if profiles.with(|p| matches!(p, Some(Ok(list)) if list.iter().any(|p| p.locked))) {
            parts::fetch_pin_dialog();
        }
    });
    let choose = Callback::new(move |profile: Profile| {
        problem.set(None);
        if profile.locked {
            request.profile.set(Some(profile));
            request.open.set(true);
        } else {
            spawn_local(async move {
                match api::select_profile(profile.id, None).await {
                    Ok(info) => selected(auth, location, info),
                    Err(error) => {
                        problem.try_set(Some(error.message()));
                    }
                }
            });
        }
    });

    view! {
            {move || match profiles.get() {
                None => view! { <PickerSkeleton /> }.into_any(),
                Some(Ok(list)) => view! {
                    <FormError message=problem />
                    <ProfileList list choose />
                    // A kids profile doesn't manage profiles (the server refuses it too).
                    {(!auth.kids()).then(|| view! {
                        <p class="picker-manage">
                            <Link href=Page::ManageProfiles.href() class="button">"Manage profiles"</Link>
                        </p>
                    })}
                }.into_any(),
                Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
            }}
        <PinDialogPart open=request.open problem />
    }
}

#[component]
fn ProfileList(list: Vec<Profile>, choose: Callback<Profile>) -> impl IntoView {
    view! {
        <ul class="picker">
            {list
                .into_iter()
                .map(|profile| {
                    let described = format!("profile-{}-note", profile.id);
                    let locked = profile.locked;
                    let kids = profile.kids;
                    let avatar = profile.avatar.clone();
                    let name = profile.name.clone();
                    view! {
                        <li>
                            <button
                                type="button"
                                class="picker-tile"
                                aria-describedby=locked.then(|| described.clone())
                                on:click=move |_| choose.run(profile.clone())
                            >
                                <Avatar avatar size=AvatarSize::Large />
                                <span class="picker-name">{name}</span>
                            </button>
                            {locked.then(|| view! {
                                <p class="picker-note">
                                    <span aria-hidden="true" inner_html=LOCK></span>
                                    <span id=described class="visually-hidden">"Locked with a PIN"</span>
                                </p>
                            })}
                            {kids.then(|| view! { <p class="picker-note picker-kids">"Kids"</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// A padlock: this profile asks for its PIN (the words are in the tile's description). Markup
/// in a string: a `view!` of SVG elements costs far more wasm than this one `innerHTML`.
const LOCK: &str = r#"<svg class="picker-lock" viewBox="0 0 24 24" width="20" height="20" focusable="false"><rect x="5" y="10" width="14" height="10" rx="2"/><path d="M8 10V7a4 4 0 0 1 8 0v3"/></svg>"#;

/// A profile is chosen: on to the address asked for, or the account.
fn selected(auth: crate::auth::Auth, location: crate::router::Location, info: SessionInfo) {
    auth.info.set(Some(info));
    let href = return_to().unwrap_or_else(|| Page::Account.href().to_owned());
    location.navigate(&href);
}

/// The PIN of a locked profile, for the [`PinRequest`] of "Who's watching?".
#[component]
pub fn PinDialog() -> impl IntoView {
    let PinRequest { profile, open } = expected();
    let auth = use_auth();
    let location = use_location();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    let title = Signal::derive(move || {
        profile.with(|p| {
            format!(
                "Enter the PIN for {}",
                p.as_ref().map_or("", |p| p.name.as_str())
            )
        })
    });
    // A fresh form each time it opens.
    Effect::new(move |_| {
        if open.get() {
            pin.set(String::new());
            error.set(None);
        }
    });
    let report = move |e: ApiError| {
        let message = match e.code() {
            Some(ErrorCode::WrongPin) => "That PIN is not right. Try again.".to_owned(),
            _ => e.field("pin").unwrap_or_else(|| e.message()),
        };
        error.set(Some(message));
        pin.set(String::new());
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = profile.with_untracked(|p| p.as_ref().map(|p| p.id.clone())) else {
            return;
        };
        if !form.ready() {
            return;
        }
        let request = api::select_profile(id, Some(pin.get_untracked()));
        form.send(request, move |result| match result {
            Ok(info) => selected(auth, location, info),
            Err(e) => report(e),
        });
    };
    view! {
        <Dialog open title>
            <form class="form" on:submit=submit novalidate>
                <Field label="PIN" id="profile-pin" value=pin error=error node_ref=input
                    input_type="password" inputmode="numeric" autocomplete="off" />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || form.disabled()>"Continue"</button>
                </div>
            </form>
        </Dialog>
    }
}
