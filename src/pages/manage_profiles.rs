//! "Manage profiles": add, edit and delete profiles, and lock one with a PIN. Reached from
//! Account › Profiles and from "Who's watching?" (before a profile is chosen, too).

use hallpass_api::{ErrorCode, MAX_PROFILES, Profile};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api;
use crate::auth::use_auth;
use crate::components::{
    Avatar, AvatarSize, ConfirmDialog, Link, LoadError, PageHeading, PinLockDialog, ProfileForm,
    Submit, focus_when_drawn, language_label, rating_label, use_announcer, use_step_up,
};
use crate::routes::Page;

#[component]
pub fn ManageProfiles() -> impl IntoView {
    let auth = use_auth();
    let (loaded, pending, retry) = crate::load::load(api::profiles);
    // Back to where a person would have come from: Account once a profile is chosen,
    // "Who's watching?" before.
    let done = move || {
        let chosen = auth
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.profile.is_some()));
        if chosen {
            Page::Account.href()
        } else {
            Page::Profiles.href()
        }
    };
    view! {
        <PageHeading text="Manage profiles" />
        <p class="lead">
            {format!("Up to {MAX_PROFILES} people can have a profile of their own on this account.")}
        </p>
        {move || match loaded.get() {
            None => view! {
                <p class="visually-hidden" role="status">"Loading profiles…"</p>
                <ul class="manage-profiles" aria-hidden="true">
                    {(0..3).map(|_| view! {
                        <li class="card manage-profile">
                            <span class="skeleton skeleton-avatar-medium"></span>
                            <span class="manage-profile-text">
                                <span class="skeleton skeleton-text skeleton-title"></span>
                                <span class="skeleton skeleton-text"></span>
                            </span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any(),
            Some(Ok(list)) => view! { <Manager list /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
        {move || view! { <p class="page-actions"><Link href=done() class="button">"Done"</Link></p> }}
    }
}

/// What a dialog is about, and which dialog.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Delete,
    Lock,
    Unlock,
}

fn button_id(action: &str, profile_id: &str) -> String {
    format!("{action}-profile-{profile_id}")
}

fn page_heading() -> Option<web_sys::HtmlElement> {
    document()
        .query_selector("main h1")
        .ok()
        .flatten()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

#[component]
fn Manager(list: Vec<Profile>) -> impl IntoView {
    let auth = use_auth();
    let announcer = use_announcer();
    let step_up = use_step_up();
    let profiles = RwSignal::new(list);
    let full = move || profiles.with(|p| p.len() >= MAX_PROFILES);
    let only_one = move || profiles.with(|p| p.len() <= 1);

    let form_open = RwSignal::new(false);
    let editing = RwSignal::new(None::<Profile>);
    let target = RwSignal::new(None::<Profile>);
    let action = RwSignal::new(Action::Delete);
    let delete_open = RwSignal::new(false);
    let unlock_open = RwSignal::new(false);
    let pin_open = RwSignal::new(false);
    let submit = Submit::new();

    // The current profile's name is in the header: keep it in step with an edit.
    let saved = Callback::new(move |profile: Profile| {
        let added = profiles.with_untracked(|p| !p.iter().any(|x| x.id == profile.id));
        let name = profile.name.clone();
        let id = profile.id.clone();
        auth.info.update(|info| {
            if let Some(current) = info.as_mut().and_then(|i| i.profile.as_mut())
                && current.id == profile.id
            {
                *current = profile.clone();
            }
        });
        profiles.update(|p| match p.iter_mut().find(|x| x.id == profile.id) {
            Some(slot) => *slot = profile,
            None => p.push(profile),
        });
        form_open.set(false);
        if added {
            announcer.say(format!("Added {name}"));
            // The new profile's own Edit button: where the person would go next.
            focus_when_drawn(button_id("edit", &id));
        } else {
            announcer.say(format!("Saved {name}"));
        }
    });

    let ask = move |profile: Profile, what: Action| {
        target.set(Some(profile));
        action.set(what);
        submit.reset();
        match what {
            Action::Lock => pin_open.set(true),
            Action::Delete => delete_open.set(true),
            Action::Unlock => unlock_open.set(true),
        }
    };

    let confirm = Callback::new(move |()| {
        let Some(profile) = target.get_untracked() else {
            return;
        };
        if !submit.ready() {
            return;
        }
        let what = action.get_untracked();
        let id = profile.id.clone();
        let request = async move {
            match what {
                Action::Delete => api::delete_profile(&id).await,
                _ => {
                    step_up
                        .run(|| {
                            let id = id.clone();
                            async move { api::unlock_profile(&id).await }
                        })
                        .await
                }
            }
        };
        submit.send(request, move |result| {
            match result {
                Ok(()) if what == Action::Delete => {
                    profiles.update(|p| p.retain(|x| x.id != profile.id));
                    // Deleting the profile in use leaves this browser with none chosen, as
                    // the server now has it: "Done" then leads to "Who's watching?".
                    auth.info.update(|info| {
                        if let Some(info) = info.as_mut()
                            && info.profile.as_ref().is_some_and(|p| p.id == profile.id)
                        {
                            info.profile = None;
                        }
                    });
                    delete_open.set(false);
                    announcer.say(format!("Deleted {}", profile.name));
                }
                Ok(()) => {
                    profiles.update(|p| {
                        if let Some(x) = p.iter_mut().find(|x| x.id == profile.id) {
                            x.locked = false;
                        }
                    });
                    unlock_open.set(false);
                    announcer.say(format!("Removed the PIN from {}", profile.name));
                }
                Err(e) if e.code() == Some(ErrorCode::LastProfile) => submit.error.set(Some(
                    "This is the account's only profile, so it can't be deleted.".to_owned(),
                )),
                Err(e) => submit.fail(e, &[]),
            }
        });
    });

    let locked = Callback::new(move |profile: Profile| {
        profiles.update(|p| {
            if let Some(x) = p.iter_mut().find(|x| x.id == profile.id) {
                x.locked = true;
            }
        });
        pin_open.set(false);
        announcer.say(format!("{} is now locked with a PIN", profile.name));
    });

    let target_name =
        move || target.with(|t| t.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let delete_title = Signal::derive(move || format!("Delete {}?", target_name()));
    let unlock_title = Signal::derive(move || format!("Remove the PIN from {}?", target_name()));
    // After a delete the row is gone: focus goes to the page's heading.
    let after_delete = Callback::new(|()| page_heading());
    let only_one = Signal::derive(only_one);

    view! {
        <ul class="manage-profiles">
            <For each=move || profiles.get() key=|p| (p.id.clone(), p.name.clone(), p.avatar.clone(), p.kids, p.maturity_rating, p.locked, p.language.clone()) let:profile>
                <ProfileRow profile only_one
                    on_edit=Callback::new(move |p: Profile| { editing.set(Some(p)); form_open.set(true); })
                    on_action=Callback::new(move |(p, what): (Profile, Action)| ask(p, what)) />
            </For>
        </ul>
        {move || if full() {
            view! {
                <p class="note">
                    {format!("This account has {MAX_PROFILES} profiles, the most it can have. Delete one to add another.")}
                </p>
            }.into_any()
        } else {
            view! {
                <p>
                    <button type="button" on:click=move |_| { editing.set(None); form_open.set(true); }>
                        "Add profile"
                    </button>
                </p>
            }.into_any()
        }}
        {move || only_one.get().then(|| view! {
            <p class="note">"An account keeps at least one profile."</p>
        })}
        <ProfileForm open=form_open editing on_saved=saved />
        <ConfirmDialog open=delete_open title=delete_title confirm="Delete profile"
            busy=submit.busy error=submit.error on_confirm=confirm return_to=after_delete>
            <p>{move || format!(
                "{}'s viewing history, My List, ratings and settings will be deleted. This can't be undone.",
                target_name()
            )}</p>
        </ConfirmDialog>
        <ConfirmDialog open=unlock_open title=unlock_title confirm="Remove PIN"
            busy=submit.busy error=submit.error on_confirm=confirm>
            <p>{move || format!(
                "Anyone using this account will be able to open {} without a PIN.",
                target_name()
            )}</p>
        </ConfirmDialog>
        <PinLockDialog open=pin_open profile=target on_locked=locked />
    }
}

#[component]
fn ProfileRow(
    profile: Profile,
    only_one: Signal<bool>,
    on_edit: Callback<Profile>,
    on_action: Callback<(Profile, Action)>,
) -> impl IntoView {
    let heading_id = format!("profile-{}-name", profile.id);
    let avatar = profile.avatar.clone();
    let name = profile.name.clone();
    let details = format!(
        "{}Maturity rating {} · {}",
        if profile.kids { "Kids profile · " } else { "" },
        rating_label(profile.maturity_rating),
        language_label(&profile.language)
    );
    let lock_text = if profile.locked {
        "Locked with a PIN"
    } else {
        "No PIN"
    };
    let (edit, lock, delete) = (profile.clone(), profile.clone(), profile.clone());
    let locked = profile.locked;
    view! {
        <li class="card manage-profile">
            <Avatar avatar size=AvatarSize::Medium />
            <div class="manage-profile-text">
                <h2 id=heading_id>{name.clone()}</h2>
                <p>{details}</p>
                <p>{lock_text}</p>
            </div>
            <div class="manage-profile-actions">
                <button type="button" class="secondary" id=button_id("edit", &profile.id)
                    aria-label=format!("Edit {name}")
                    on:click=move |_| on_edit.run(edit.clone())>"Edit"</button>
                <button type="button" class="quiet" id=button_id("lock", &profile.id)
                    aria-label=if locked { format!("Remove PIN from {name}") } else { format!("Set PIN for {name}") }
                    on:click=move |_| on_action.run((lock.clone(), if locked { Action::Unlock } else { Action::Lock }))>
                    {if locked { "Remove PIN" } else { "Set PIN" }}
                </button>
                {move || (!only_one.get()).then(|| {
                    let delete = delete.clone();
                    view! {
                        <button type="button" class="quiet danger" id=button_id("delete", &delete.id)
                            aria-label=format!("Delete {}", delete.name)
                            on:click=move |_| on_action.run((delete.clone(), Action::Delete))>"Delete"</button>
                    }
                })}
            </div>
        </li>
    }
}
