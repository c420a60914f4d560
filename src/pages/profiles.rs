use hallpass_api::{ErrorCode, Profile};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::{Avatar, AvatarSize, Dialog, Field, Link, LoadError, PageHeading};
use crate::router::use_location;
use crate::routes::Page;

/// "Who's watching?": one button per profile; a locked one asks for its PIN.
#[component]
pub fn Profiles() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    Effect::new(move |_| {
        if auth.known.get() && auth.info.with(Option::is_none) {
            location.replace(Page::SignIn.href());
        }
    });
    // Profiles are asked for only once the session is known, so a signed-out visit goes to
    // sign in rather than racing the redirect with a 401.
    view! {
        <PageHeading text="Who's watching?" />
        {move || if auth.known.get() && auth.info.with(Option::is_some) {
            view! { <ProfileChooser /> }.into_any()
        } else {
            view! { <p class="status" role="status">"Loading profiles…"</p> }.into_any()
        }}
    }
}

#[component]
fn ProfileChooser() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let (profiles, pending, retry) =
        crate::load::load(move || async move { auth.check(api::profiles().await) });

    // The locked profile being unlocked, and its PIN dialog.
    let locked = RwSignal::new(None::<Profile>);
    let dialog_open = RwSignal::new(false);
    let choose = Callback::new(move |profile: Profile| {
        if profile.locked {
            locked.set(Some(profile));
            dialog_open.set(true);
        } else {
            spawn_local(select(auth, location, profile.id, None, None));
        }
    });

    view! {
            {move || match profiles.get() {
                None => view! { <p class="status" role="status">"Loading profiles…"</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ProfileList list choose />
                    // A kids profile doesn't manage profiles (the server refuses it too).
                    {(!auth.kids()).then(|| view! {
                        <p class="manage-link"><Link href=Page::ManageProfiles.href()>"Manage profiles"</Link></p>
                    })}
                }.into_any(),
                Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
            }}
        <PinDialog profile=locked open=dialog_open />
    }
}

#[component]
fn ProfileList(list: Vec<Profile>, choose: Callback<Profile>) -> impl IntoView {
    view! {
        <ul class="profile-grid">
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
                                class="profile-button"
                                aria-describedby=locked.then(|| described.clone())
                                on:click=move |_| choose.run(profile.clone())
                            >
                                <Avatar avatar size=AvatarSize::Large />
                                <span class="profile-label">{name}</span>
                            </button>
                            {locked.then(|| view! {
                                <p id=described class="profile-note">"Locked with a PIN"</p>
                            })}
                            {kids.then(|| view! { <p class="profile-note">"Kids"</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// Selects a profile and moves on to the account; `Err` with the PIN's problem.
async fn select(
    auth: crate::auth::Auth,
    location: crate::router::Location,
    id: String,
    pin: Option<String>,
    on_pin_error: Option<Callback<ApiError>>,
) {
    match auth.check(api::select_profile(id, pin).await) {
        Ok(info) => {
            auth.info.set(Some(info));
            location.navigate(Page::Account.href());
        }
        Err(error) => {
            if let Some(report) = on_pin_error {
                report.run(error);
            }
        }
    }
}

#[component]
fn PinDialog(profile: RwSignal<Option<Profile>>, open: RwSignal<bool>) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let busy = RwSignal::new(false);
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
    let report = Callback::new(move |e: ApiError| {
        busy.set(false);
        let message = match e.code() {
            Some(ErrorCode::WrongPin) => "That PIN is not right. Try again.".to_owned(),
            _ => e.field("pin").unwrap_or_else(|| e.message()),
        };
        error.set(Some(message));
        pin.set(String::new());
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = profile.with_untracked(|p| p.as_ref().map(|p| p.id.clone())) else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(select(
            auth,
            location,
            id,
            Some(pin.get_untracked()),
            Some(report),
        ));
    };
    view! {
        <Dialog open title>
            <form class="form" on:submit=submit novalidate>
                <Field label="PIN" id="profile-pin" value=pin error=error node_ref=input
                    input_type="password" inputmode="numeric" autocomplete="off" />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || busy.get().then_some("true")>"Continue"</button>
                </div>
            </form>
        </Dialog>
    }
}
