use hallpass_api::{ErrorCode, SessionInfo, SignInOutcome, TwoFactorSignIn};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::{Field, FormError, Link, PageHeading, Submit, focus};
use crate::context::expected;
use crate::parts::{self, SignInCodePart};
use crate::router::{query_param, return_to, use_location, with_query};
use crate::routes::Page;

/// The two-step challenge of this sign-in once the password was right: what the code step
/// answers. Back to `None`, the password step shows again.
#[derive(Clone, Copy)]
struct Challenge(RwSignal<Option<String>>);

/// Sign in with email and password, then, when it is on, the two-step code; afterwards on to
/// "Who's watching?" and then to the address asked for (`?next=`), if any.
#[component]
pub fn SignIn() -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    Effect::new(move |_| {
        if auth.known.get()
            && let Some(href) = auth.info.with(|i| i.as_ref().map(onward))
        {
            location.replace(&href);
        }
    });
    let challenge = RwSignal::new(None::<String>);
    provide_context(Challenge(challenge));
    view! {
        <div class="auth-page">
            <div class="card auth-card">
                <img class="auth-mark" src="/favicon.svg" alt="" width="40" height="40" />
                {move || if challenge.with(Option::is_some) {
                    view! { <SignInCodePart /> }.into_any()
                } else {
                    view! { <PasswordStep challenge /> }.into_any()
                }}
            </div>
        </div>
    }
}

/// Where a signed-in browser goes from here: "Who's watching?" until a profile is chosen
/// (carrying the return-to address along), then that address or Account.
fn onward(info: &SessionInfo) -> String {
    let next = return_to();
    if info.profile.is_some() {
        next.unwrap_or_else(|| Page::Account.href().to_owned())
    } else {
        with_query(Page::Profiles, "next", next.as_deref())
    }
}

#[component]
fn PasswordStep(challenge: RwSignal<Option<String>>) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    // The forgot-password page sends people back with the address they typed there.
    let email = RwSignal::new(query_param("email").unwrap_or_default());
    let password = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let (email_error, password_error) = (RwSignal::new(None), RwSignal::new(None));
    let (email_input, password_input) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let form = Submit::new();
    let fields = [
        ("email", email_error, email_input),
        ("password", password_error, password_input),
    ];

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        // Hidden again before it is sent: password managers offer to save what a password
        // field holds, and the password shouldn't stay on screen while the next page loads.
        show_password(shown, password_input, false);
        // The code step is a part of its own (most sign-ins never need it): fetched while the
        // password is checked, so that one that does needn't wait for it after.
        spawn_local(async {
            parts::load_sign_in_code().await;
        });
        form.send(
            api::sign_in(email.get_untracked(), password.get_untracked()),
            move |result| {
                match result {
                    Ok(SignInOutcome::SignedIn(info)) => {
                        // Replaced, not pushed: Back should not return to a sign-in form that
                        // would only send a signed-in browser on again.
                        let href = onward(&info);
                        auth.info.set(Some(*info));
                        location.replace(&href);
                    }
                    // On to the code once its part is here; if it can't be fetched, the
                    // password stays, with the error any lost connection gets.
                    Ok(SignInOutcome::TwoFactorRequired(c)) => {
                        form.busy.set(true);
                        spawn_local(async move {
                            let loaded = parts::load_sign_in_code().await;
                            form.busy.try_set(false);
                            if loaded {
                                challenge.try_set(Some(c.challenge));
                            } else {
                                form.fail(ApiError::Network, &fields);
                            }
                        });
                    }
                    Err(error) => form.fail(error, &fields),
                }
            },
        );
    };

    view! {
        <PageHeading text="Sign in" />
        <p class="auth-lead">"to your Hallpass account"</p>
        <form class="auth-form" on:submit=submit novalidate>
            <Field label="Email" id="email" value=email error=email_error node_ref=email_input
                input_type="email" autocomplete="username" />
            <Field label="Password" id="password" value=password error=password_error
                node_ref=password_input input_type="password" autocomplete="current-password">
                <ShowPassword shown input=password_input />
            </Field>
            <FormError message=form.error />
            <button type="submit" class="auth-submit" aria-disabled=move || form.disabled()>
                {move || if form.busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
        <p class="auth-aside"><Link href=Page::ForgotPassword.href()>"Forgot password?"</Link></p>
    }
}

/// An eye, struck through while the password is shown. Markup in a string: a `view!` of SVG
/// elements costs far more wasm than this one `innerHTML`.
const EYE: &str = r#"<svg viewBox="0 0 24 24" width="22" height="22" focusable="false"><path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/><path class="password-toggle-slash" d="M4 4l16 16"/></svg>"#;

/// The button that shows the password: a toggle (`aria-pressed`) with one name, "Show
/// password", inside the field's right edge. It changes only the input's `type`, so the input
/// stays the same element: the value, the caret and focus stay where they were.
#[component]
fn ShowPassword(shown: RwSignal<bool>, input: NodeRef<Input>) -> impl IntoView {
    view! {
        <button
            type="button"
            class="quiet password-toggle"
            aria-label="Show password"
            aria-controls="password"
            aria-pressed=move || if shown.get() { "true" } else { "false" }
            on:click=move |_| show_password(shown, input, !shown.get_untracked())
        >
            <span class="password-toggle-icon" aria-hidden="true" inner_html=EYE></span>
        </button>
    }
}

/// Shows the password as text, or hides it again. Set on the element, not through a reactive
/// `type` in [`Field`]: that would be code in every form's download for this one field.
fn show_password(shown: RwSignal<bool>, input: NodeRef<Input>, show: bool) {
    shown.set(show);
    if let Some(input) = input.get_untracked() {
        input.set_type(if show { "text" } else { "password" });
    }
}

/// The second step, when two-step verification is on: a code from the app, or a recovery
/// code. A part of its own (`parts::SignInCodePart`), shown with this sign-in's [`Challenge`].
#[component]
pub fn CodeStep() -> impl IntoView {
    let Challenge(challenge) = expected();
    let token = challenge.get_untracked().unwrap_or_default();
    let auth = use_auth();
    let location = use_location();
    let recovery = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    let token = StoredValue::new(token);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
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
        form.send(api::two_factor(body), move |result| {
            match result {
                Ok(info) => {
                    let href = onward(&info);
                    auth.info.set(Some(info));
                    location.replace(&href);
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
                    form.fail(error, &[(field, code_error, input)]);
                }
            }
        });
    };
    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        code.set(String::new());
        code_error.set(None);
        form.error.set(None);
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };

    view! {
        <PageHeading text="Two-step verification" />
        <form class="auth-form" on:submit=submit novalidate>
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
            <FormError message=form.error />
            <button type="submit" class="auth-submit" aria-disabled=move || form.disabled()>"Verify"</button>
            <button type="button" class="link-button" on:click=switch>
                {move || if recovery.get() { "Use a code from your app instead" } else { "Use a recovery code instead" }}
            </button>
        </form>
    }
}
