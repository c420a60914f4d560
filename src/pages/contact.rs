//! Changing the email address or the phone number: the new value (step-up), then the 6-digit
//! code sent to it, with "Send a new code" for a lost or expired one.

use hallpass_api::{Account, ErrorCode, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{
    Field, FormError, Link, PageHeading, Submit, focus, focus_when_drawn, use_announcer,
    use_step_up,
};
use crate::router::use_location;
use crate::routes::Page;

/// What is being changed: the words and the calls differ, the flow doesn't.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Contact {
    Email,
    Phone,
}

impl Contact {
    fn heading(self) -> &'static str {
        match self {
            Contact::Email => "Change email",
            Contact::Phone => "Change phone",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Contact::Email => "New email",
            Contact::Phone => "New phone number",
        }
    }

    /// What the person typed, as the API wants it: a phone number without its spaces.
    fn normalise(self, typed: &str) -> String {
        match self {
            Contact::Email => typed.trim().to_owned(),
            Contact::Phone => typed
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect(),
        }
    }

    fn check(self, value: &str) -> Result<(), &'static str> {
        match self {
            Contact::Email => validate::email(value),
            Contact::Phone => validate::phone(value),
        }
    }

    async fn send(self, value: String) -> Result<(), ApiError> {
        match self {
            Contact::Email => api::change_email(value).await,
            Contact::Phone => api::change_phone(value).await,
        }
    }

    async fn verify(self, code: String) -> Result<Account, ApiError> {
        match self {
            Contact::Email => api::verify_email(code).await,
            Contact::Phone => api::verify_phone(code).await,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Contact::Email => "email",
            Contact::Phone => "phone",
        }
    }
}

#[component]
pub fn ChangeEmail() -> impl IntoView {
    view! { <ChangeContact contact=Contact::Email /> }
}

#[component]
pub fn ChangePhone() -> impl IntoView {
    view! { <ChangeContact contact=Contact::Phone /> }
}

#[component]
fn ChangeContact(contact: Contact) -> impl IntoView {
    // The address the code went to, once it has been sent.
    let sent_to = RwSignal::new(None::<String>);
    view! {
        <PageHeading text=contact.heading() />
        {move || match sent_to.get() {
            None => view! { <NewValue contact sent_to /> }.into_any(),
            Some(value) => view! { <EnterCode contact value sent_to /> }.into_any(),
        }}
    }
}

#[component]
fn NewValue(contact: Contact, sent_to: RwSignal<Option<String>>) -> impl IntoView {
    let step_up = use_step_up();
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let typed = contact.normalise(&value.get_untracked());
        if let Err(problem) = contact.check(&typed) {
            error.set(Some(problem.to_owned()));
            focus(input);
            return;
        }
        error.set(None);
        form.send(
            {
                let typed = typed.clone();
                async move { step_up.run(|| contact.send(typed.clone())).await }
            },
            move |result| match result {
                Ok(()) => {
                    sent_to.set(Some(typed));
                    focus_when_drawn("code-step".to_owned());
                }
                Err(e) => form.fail(e, &[(contact.field(), error, input)]),
            },
        );
    };
    let (input_type, autocomplete) = match contact {
        Contact::Email => ("email", "email"),
        Contact::Phone => ("tel", "tel"),
    };
    let hint = Signal::derive(move || {
        match contact {
            Contact::Email => "We'll send a code to the new address to check it's yours.",
            Contact::Phone => {
                "With the country code, such as +351 912 345 678. We'll text it a code."
            }
        }
        .to_owned()
    });
    view! {
        <form class="card form" on:submit=submit novalidate>
            <Field label=contact.label() id="new-contact" value error node_ref=input
                input_type autocomplete hint />
            <FormError message=form.error />
            <div class="dialog-actions">
                <button type="submit" aria-disabled=move || form.disabled()>"Send code"</button>
                <Link href=Page::Account.href() class="button">"Cancel"</Link>
            </div>
        </form>
    }
}

#[component]
fn EnterCode(contact: Contact, value: String, sent_to: RwSignal<Option<String>>) -> impl IntoView {
    let step_up = use_step_up();
    let announcer = use_announcer();
    let location = use_location();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    let target = StoredValue::new(value.clone());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let typed: String = code.get_untracked().split_whitespace().collect();
        if let Err(problem) = validate::six_digit_code(&typed) {
            error.set(Some(problem.to_owned()));
            focus(input);
            return;
        }
        form.send(async move { contact.verify(typed).await }, move |result| {
            let problem = match result {
                Ok(_) => {
                    announcer.say(format!(
                        "{} changed to {}",
                        if contact == Contact::Email { "Email" } else { "Phone number" },
                        target.get_value()
                    ));
                    location.navigate(Page::Account.href());
                    return;
                }
                Err(e) if e.code() == Some(ErrorCode::InvalidCode) => {
                    "That code isn't right. Check the newest message and try again.".to_owned()
                }
                Err(e) if e.code() == Some(ErrorCode::CodeExpired) => {
                    "That code has expired. Choose \u{201c}Send a new code\u{201d} and enter the new one."
                        .to_owned()
                }
                Err(e) => {
                    form.fail(e, &[("code", error, input)]);
                    return;
                }
            };
            error.set(Some(problem));
            code.set(String::new());
            focus(input);
        });
    };
    let resend = move |_| {
        if !form.ready() {
            return;
        }
        let to = target.get_value();
        let request = async move { step_up.run(|| contact.send(to.clone())).await };
        form.send(request, move |result| match result {
            Ok(()) => {
                let to = target.get_value();
                error.set(None);
                code.set(String::new());
                announcer.say(format!("A new code was sent to {to}."));
                focus(input);
            }
            Err(e) => form.fail(e, &[("code", error, input)]),
        });
    };
    view! {
        <section class="card" aria-labelledby="code-step">
            <h2 id="code-step" tabindex="-1">"Enter the code"</h2>
            <p>
                {format!("We sent a 6-digit code to {value}. It works for 15 minutes. ")}
                <button type="button" class="link-button" on:click=move |_| sent_to.set(None)>
                    {match contact {
                        Contact::Email => "Use a different email",
                        Contact::Phone => "Use a different number",
                    }}
                </button>
            </p>
            <form class="form" on:submit=submit novalidate>
                <Field label="Verification code" id="verification-code" value=code error node_ref=input
                    autocomplete="one-time-code" inputmode="numeric" />
                <FormError message=form.error />
                <div class="dialog-actions">
                    <button type="submit" aria-disabled=move || form.disabled()>"Verify"</button>
                    <button type="button" class="secondary" on:click=resend>"Send a new code"</button>
                    <Link href=Page::Account.href() class="button">"Cancel"</Link>
                </div>
            </form>
        </section>
    }
}
