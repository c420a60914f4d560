//! Recovery email and phone (step-up): where Hallpass reaches the account holder when the
//! sign-in email or phone is lost. An empty field clears that contact.

use hallpass_api::{Account, ChangeRecovery, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    Field, FormError, Link, LoadError, PageHeading, Submit, focus, use_announcer, use_step_up,
};
use crate::router::use_location;
use crate::routes::Page;

#[component]
pub fn Recovery() -> impl IntoView {
    let (loaded, pending, retry) = crate::load::load(api::account);
    view! {
        <PageHeading text="Recovery email and phone" />
        <p class="lead">
            "If you lose access to your email or phone, Hallpass can help you back in through these."
        </p>
        {move || match loaded.get() {
            None => view! {
                <p class="visually-hidden" role="status">"Loading…"</p>
                <div class="card form" aria-hidden="true">
                    <span class="skeleton skeleton-field"></span>
                    <span class="skeleton skeleton-field"></span>
                </div>
            }.into_any(),
            Some(Ok(account)) => view! { <RecoveryForm account /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

#[component]
fn RecoveryForm(account: Account) -> impl IntoView {
    let step_up = use_step_up();
    let announcer = use_announcer();
    let location = use_location();
    let email = RwSignal::new(account.recovery_email.unwrap_or_default());
    let phone = RwSignal::new(account.recovery_phone.unwrap_or_default());
    let (email_error, phone_error) = (RwSignal::new(None::<String>), RwSignal::new(None::<String>));
    let (email_input, phone_input) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let form = Submit::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let typed_email = email.get_untracked().trim().to_owned();
        let typed_phone: String = phone
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let email_problem = (!typed_email.is_empty())
            .then(|| validate::email(&typed_email).err())
            .flatten();
        let phone_problem = (!typed_phone.is_empty())
            .then(|| validate::phone(&typed_phone).err())
            .flatten();
        email_error.set(email_problem.map(str::to_owned));
        phone_error.set(phone_problem.map(str::to_owned));
        if email_problem.is_some() {
            focus(email_input);
            return;
        }
        if phone_problem.is_some() {
            focus(phone_input);
            return;
        }
        let body = ChangeRecovery {
            recovery_email: Some(typed_email),
            recovery_phone: Some(typed_phone),
        };
        form.send(
            async move { step_up.run(|| api::change_recovery(&body)).await },
            move |result| match result {
                Ok(_) => {
                    announcer.say("Recovery email and phone saved.");
                    location.navigate(Page::Account.href());
                }
                Err(e) => form.fail(
                    e,
                    &[
                        ("recovery_email", email_error, email_input),
                        ("recovery_phone", phone_error, phone_input),
                    ],
                ),
            },
        );
    };
    let phone_hint =
        Signal::derive(|| "With the country code, such as +351 912 345 678.".to_owned());
    view! {
        <form class="card form" on:submit=submit novalidate>
            <Field label="Recovery email" id="recovery-email" value=email error=email_error
                node_ref=email_input input_type="email" autocomplete="off" />
            <Field label="Recovery phone" id="recovery-phone" value=phone error=phone_error
                node_ref=phone_input input_type="tel" autocomplete="off" hint=phone_hint />
            <p class="hint">"Leave a field empty to remove that contact."</p>
            <FormError message=form.error />
            <div class="dialog-actions">
                <button type="submit" aria-disabled=move || form.disabled()>"Save"</button>
                <Link href=Page::Account.href() class="button">"Cancel"</Link>
            </div>
        </form>
    }
}
