use hallpass_api::{ErrorCode, SignInOutcome, TwoFactorSignIn};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::auth::use_auth;
use crate::components::{Field, FormError, PageHeading, focus, show_error};
use crate::router::use_location;
use crate::routes::Page;

/// Sign in with email and password, then, when it is on, the two-step code.
#[component]
pub fn SignIn() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    Effect::new(move |_| {
        if auth.known.get() && auth.info.with(Option::is_some) {
            location.replace(Page::Profiles.href());
        }
    });
    let challenge = RwSignal::new(None::<String>);
    view! {
        {move || match challenge.get() {
            None => view! { <PasswordStep challenge /> }.into_any(),
            Some(token) => view! { <TwoStep token challenge /> }.into_any(),
        }}
    }
}

#[component]
fn PasswordStep(challenge: RwSignal<Option<String>>) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let (email_error, password_error) = (RwSignal::new(None), RwSignal::new(None));
    let form_error = RwSignal::new(None::<String>);
    let (email_input, password_input) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            let result = api::sign_in(email.get_untracked(), password.get_untracked()).await;
            busy.set(false);
            match result {
                Ok(SignInOutcome::SignedIn(info)) => {
                    auth.info.set(Some(*info));
                    location.navigate(Page::Profiles.href());
                }
                Ok(SignInOutcome::TwoFactorRequired(c)) => challenge.set(Some(c.challenge)),
                Err(error) => show_error(
                    error,
                    form_error,
                    &[
                        ("email", email_error, email_input),
                        ("password", password_error, password_input),
                    ],
                ),
            }
        });
    };

    view! {
        <PageHeading text="Sign in" />
        <form class="card form" on:submit=submit novalidate>
            <Field label="Email" id="email" value=email error=email_error node_ref=email_input
                input_type="email" autocomplete="username" />
            <Field label="Password" id="password" value=password error=password_error
                node_ref=password_input input_type="password" autocomplete="current-password" />
            <FormError message=form_error />
            <button type="submit" aria-disabled=move || busy.get().then_some("true")>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
    }
}

#[component]
fn TwoStep(token: String, challenge: RwSignal<Option<String>>) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let recovery = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None);
    let form_error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        form_error.set(None);
        let value = code.get_untracked().trim().to_owned();
        let body = if recovery.get_untracked() {
            TwoFactorSignIn {
                challenge: token.get_value(),
                code: None,
                recovery_code: Some(value),
            }
        } else {
            TwoFactorSignIn {
                challenge: token.get_value(),
                code: Some(value),
                recovery_code: None,
            }
        };
        spawn_local(async move {
            let result = api::two_factor(body).await;
            busy.set(false);
            match result {
                Ok(info) => {
                    auth.info.set(Some(info));
                    location.navigate(Page::Profiles.href());
                }
                // The challenge is over: back to the password, saying why.
                Err(error) if error.code() == Some(ErrorCode::CodeExpired) => challenge.set(None),
                // Said against the field, which is emptied for the next try.
                Err(error) if error.code() == Some(ErrorCode::InvalidCode) => {
                    code_error.set(Some(
                        if recovery.get_untracked() {
                            "That recovery code isn't right, or it has been used already."
                        } else {
                            "That code isn't right. Enter the newest code from your app."
                        }
                        .to_owned(),
                    ));
                    code.set(String::new());
                    focus(input);
                }
                Err(error) => {
                    let field = if recovery.get_untracked() {
                        "recovery_code"
                    } else {
                        "code"
                    };
                    show_error(error, form_error, &[(field, code_error, input)]);
                }
            }
        });
    };
    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        code.set(String::new());
        code_error.set(None);
        form_error.set(None);
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };

    view! {
        <PageHeading text="Two-step verification" />
        <form class="card form" on:submit=submit novalidate>
            <p>
                {move || if recovery.get() {
                    "Enter one of the recovery codes you saved when you turned on two-step verification."
                } else {
                    "Enter the 6-digit code from your authenticator app."
                }}
            </p>
            {move || if recovery.get() {
                view! {
                    <Field label="Recovery code" id="recovery-code" value=code error=code_error
                        node_ref=input autocomplete="off" />
                }.into_any()
            } else {
                view! {
                    <Field label="Code" id="code" value=code error=code_error node_ref=input
                        autocomplete="one-time-code" inputmode="numeric" />
                }.into_any()
            }}
            <FormError message=form_error />
            <button type="submit" aria-disabled=move || busy.get().then_some("true")>"Verify"</button>
            <button type="button" class="link-button" on:click=switch>
                {move || if recovery.get() { "Use a code from your app instead" } else { "Use a recovery code instead" }}
            </button>
        </form>
    }
}
