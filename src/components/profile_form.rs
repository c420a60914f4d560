//! Adding or editing a profile, in a dialog: name, avatar, kids profile, maturity rating and
//! language. The server checks the same rules (`hallpass_api::validate`); what it says about a
//! field is shown against that field.

use hallpass_api::{
    AVATARS, ErrorCode, MaturityRating, NewProfile, Profile, ProfilePatch, validate,
};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{Avatar, AvatarSize, Dialog, Field, Submit};
use crate::format::capitalised;

/// The ratings in the order people think of them, with their visible names.
pub const RATINGS: [(MaturityRating, &str); 5] = [
    (MaturityRating::All, "All ages"),
    (MaturityRating::Seven, "7+"),
    (MaturityRating::Thirteen, "13+"),
    (MaturityRating::Sixteen, "16+"),
    (MaturityRating::Eighteen, "18+"),
];

/// Display languages, each named in itself, as people look for their own.
pub const LANGUAGES: [(&str, &str); 8] = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("it", "Italiano"),
    ("pt-PT", "Português (Portugal)"),
    ("pt-BR", "Português (Brasil)"),
    ("ja", "日本語"),
];

pub fn rating_label(rating: MaturityRating) -> &'static str {
    RATINGS
        .iter()
        .find(|(r, _)| *r == rating)
        .map_or("?", |(_, label)| label)
}

pub fn language_label(tag: &str) -> String {
    LANGUAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or_else(|| tag.to_owned(), |(_, name)| (*name).to_owned())
}

fn rating_from_value(value: &str) -> MaturityRating {
    MaturityRating::from_wire(value).unwrap_or(MaturityRating::All)
}

/// The dialog. `editing` is the profile being edited, or `None` to add one; `on_saved` gets
/// the server's copy.
#[component]
pub fn ProfileForm(
    open: RwSignal<bool>,
    editing: RwSignal<Option<Profile>>,
    on_saved: Callback<Profile>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let avatar = RwSignal::new(AVATARS[0].to_owned());
    let kids = RwSignal::new(false);
    let rating = RwSignal::new(MaturityRating::All);
    let language = RwSignal::new("en".to_owned());
    let name_error = RwSignal::new(None::<String>);
    let rating_error = RwSignal::new(None::<String>);
    let form = Submit::new();
    let name_input = NodeRef::<Input>::new();

    // A fresh form, filled from the profile, each time it opens.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let current = editing.get_untracked();
        name.set(current.as_ref().map(|p| p.name.clone()).unwrap_or_default());
        avatar.set(
            current
                .as_ref()
                .map_or_else(|| AVATARS[0].to_owned(), |p| p.avatar.clone()),
        );
        kids.set(current.as_ref().is_some_and(|p| p.kids));
        rating.set(
            current
                .as_ref()
                .map_or(MaturityRating::All, |p| p.maturity_rating),
        );
        language.set(
            current
                .as_ref()
                .map_or_else(|| "en".to_owned(), |p| p.language.clone()),
        );
        name_error.set(None);
        rating_error.set(None);
        form.reset();
    });

    let title = Signal::derive(move || {
        editing.with(|p| match p {
            Some(p) => format!("Edit {}", p.name),
            None => "Add a profile".to_owned(),
        })
    });

    let focus_name = move || {
        if let Some(el) = name_input.get_untracked() {
            let _ = el.focus();
        }
    };
    let report = move |error: ApiError| {
        let on_name = error.field("name");
        let on_rating = error.field("maturity_rating");
        if on_name.is_none() && on_rating.is_none() {
            form.error.set(Some(match error.code() {
                Some(ErrorCode::ProfileLimit) => {
                    "This account already has 5 profiles, the most it can have.".to_owned()
                }
                _ => error.message(),
            }));
        }
        name_error.set(on_name.clone());
        rating_error.set(on_rating);
        if on_name.is_some() {
            focus_name();
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        rating_error.set(None);
        let typed = name.get_untracked();
        if let Err(problem) = validate::profile_name(&typed) {
            name_error.set(Some(problem.to_owned()));
            focus_name();
            return;
        }
        name_error.set(None);
        let kids_now = kids.get_untracked();
        let rating_now = rating.get_untracked();
        if kids_now
            && matches!(
                rating_now,
                MaturityRating::Sixteen | MaturityRating::Eighteen
            )
        {
            rating_error.set(Some("A kids profile can be rated up to 13+.".to_owned()));
            return;
        }
        let existing = editing.get_untracked();
        let body = NewProfile {
            name: typed.trim().to_owned(),
            avatar: avatar.get_untracked(),
            kids: kids_now,
            maturity_rating: rating_now,
            language: language.get_untracked(),
        };
        let request = async move {
            match existing {
                Some(profile) => {
                    let patch = ProfilePatch {
                        name: Some(body.name),
                        avatar: Some(body.avatar),
                        kids: Some(body.kids),
                        maturity_rating: Some(body.maturity_rating),
                        language: Some(body.language),
                    };
                    api::edit_profile(&profile.id, &patch).await
                }
                None => api::add_profile(&body).await,
            }
        };
        form.send(request, move |saved| match saved {
            Ok(profile) => on_saved.run(profile),
            Err(error) => report(error),
        });
    };

    let rating_described = move || {
        rating_error
            .with(Option::is_some)
            .then_some("profile-rating-error")
    };
    view! {
        <Dialog open title>
            <form class="form" on:submit=submit novalidate>
                <Field label="Name" id="profile-name" value=name error=name_error node_ref=name_input
                    autocomplete="off" />
                <fieldset class="avatar-choice">
                    <legend>"Avatar"</legend>
                    {AVATARS.iter().map(|&choice| {
                        let id = format!("avatar-{choice}");
                        let label_for = id.clone();
                        view! {
                            <div class="avatar-option">
                                <input type="radio" name="avatar" id=id value=choice
                                    prop:checked=move || avatar.with(|a| a == choice)
                                    on:change=move |_| avatar.set(choice.to_owned()) />
                                <label for=label_for>
                                    <Avatar avatar=choice size=AvatarSize::Medium />
                                    {capitalised(choice)}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div>
                    <div class="check">
                        <input type="checkbox" id="profile-kids" aria-describedby="profile-kids-hint"
                            prop:checked=move || kids.get()
                            on:change=move |ev| kids.set(event_target_checked(&ev)) />
                        <label for="profile-kids">"Kids profile"</label>
                    </div>
                    <p id="profile-kids-hint" class="hint">
                        "Only titles for children, rated up to 13+, and no account settings."
                    </p>
                </div>
                <div class="field">
                    <label for="profile-rating">"Maturity rating"</label>
                    <select id="profile-rating"
                        aria-invalid=move || rating_error.with(Option::is_some).then_some("true")
                        aria-describedby=rating_described
                        on:change=move |ev| rating.set(rating_from_value(&event_target_value(&ev)))>
                        {RATINGS.iter().map(|&(r, label)| view! {
                            <option value=r.as_str() prop:selected=move || rating.get() == r>{label}</option>
                        }).collect_view()}
                    </select>
                    <p id="profile-rating-error" class="field-error">{move || rating_error.get()}</p>
                </div>
                <div class="field">
                    <label for="profile-language">"Language"</label>
                    <select id="profile-language" on:change=move |ev| language.set(event_target_value(&ev))>
                        {move || {
                            // A language set elsewhere that this list lacks stays choosable.
                            let current = language.get();
                            let known = LANGUAGES.iter().any(|(t, _)| *t == current);
                            (!known).then(|| view! {
                                <option value=current.clone() selected>{current.clone()}</option>
                            })
                        }}
                        {LANGUAGES.iter().map(|&(tag, label)| view! {
                            <option value=tag prop:selected=move || language.with(|l| l == tag)>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="form-error" role="alert">
                    {move || form.error.get().map(|message| view! { <p>{message}</p> })}
                </div>
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || form.disabled()>
                        {move || if editing.with(Option::is_some) { "Save" } else { "Add profile" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
