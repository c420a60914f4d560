//! Forgot password (`/signin/forgot`), in the steps the server takes them: the email address,
//! the 6-digit code sent to it, the new password (with a two-step code when two-step
//! verification is on), and the end, where every device has been signed out and the person
//! signs in with the new password. Each step's heading takes focus when the step appears.

use hallpass_api::{CompletePasswordReset, ErrorCode, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api;
use crate::auth::use_auth;
use crate::components::{
    Field, FormError, Link, NewPassword, NewPasswordFields, PageHeading, Submit, focus,
    focus_when_drawn, in_app_click, use_announcer,
};
use crate::router::{query_param, use_location, with_query};
use crate::routes::Page;

/// The id of every step's heading, which takes focus as the step appears.
const STEP_HEADING: &str = "reset-step";

#[derive(Clone, PartialEq, Eq)]
enum Step {
    Email,
    Code,
    Password { token: String, two_factor: bool },
    Done,
}

/// Shows `next` and moves focus to its heading.
fn go(step: RwSignal<Step>, next: Step) {
    step.set(next);
    focus_when_drawn(STEP_HEADING.to_owned());
}

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let step = RwSignal::new(Step::Email);
    // `?email=`, so that a link to this page can carry an address already typed.
    let email = RwSignal::new(query_param("email").unwrap_or_default());
    // Why the person is back at the first step (the reset lapsed), for its alert.
    let notice = RwSignal::new(None::<String>);
    view! {
        <PageHeading text="Reset your password" />
        {move || match step.get() {
            Step::Email => view! { <EmailStep email step notice /> }.into_any(),
            Step::Code => view! { <CodeStep email step /> }.into_any(),
            Step::Password { token, two_factor } => {
                view! { <PasswordStep email token two_factor step notice /> }.into_any()
            }
            Step::Done => view! { <Done email /> }.into_any(),
        }}
        {move || (step.get() != Step::Done).then(|| view! {
            <p><Link href=Page::SignIn.href()>"Back to sign in"</Link></p>
        })}
    }
}

#[component]
fn EmailStep(
    email: RwSignal<String>,
    step: RwSignal<Step>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    form.error.set(notice.get_untracked());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        notice.set(None);
        let typed = email.get_untracked().trim().to_owned();
        if let Err(problem) = validate::email(&typed) {
            error.set(Some(problem.to_owned()));
            focus(input);
            return;
        }
        error.set(None);
        form.send(
            api::request_password_reset(typed.clone()),
            move |result| match result {
                Ok(()) => {
                    email.set(typed);
                    go(step, Step::Code);
                }
                Err(e) => form.fail(e, &[("email", error, input)]),
            },
        );
    };
    view! {
        <form class="card form reset" on:submit=submit novalidate>
            <div class="step-intro">
                <h2 id=STEP_HEADING tabindex="-1">"Enter your email"</h2>
                <p>"We'll send a code to your account's email address to check it's you."</p>
            </div>
            <Field label="Email" id="reset-email" value=email error node_ref=input
                input_type="email" autocomplete="username" />
            <FormError message=form.error />
            <button type="submit" aria-disabled=move || form.disabled()>
                {move || if form.busy.get() { "Sending code…" } else { "Send code" }}
            </button>
        </form>
    }
}

#[component]
fn CodeStep(email: RwSignal<String>, step: RwSignal<Step>) -> impl IntoView {
    let announcer = use_announcer();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let resent = RwSignal::new(false);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();

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
        let request = api::verify_password_reset(email.get_untracked(), typed);
        form.send(request, move |result| {
            let problem = match result {
                Ok(answer) => {
                    go(
                        step,
                        Step::Password {
                            token: answer.reset_token,
                            two_factor: answer.two_factor_required,
                        },
                    );
                    return;
                }
                Err(e) if e.code() == Some(ErrorCode::InvalidCode) => {
                    "That code isn't right. Check the newest email and try again.".to_owned()
                }
                Err(e) if e.code() == Some(ErrorCode::CodeExpired) => {
                    "That code has expired. Choose \u{201c}Send a new code\u{201d} and enter the new one."
                        .to_owned()
                }
                Err(e) if e.code() == Some(ErrorCode::TooManyAttempts) => e.message(),
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
        form.send(
            api::request_password_reset(email.get_untracked()),
            move |result| match result {
                Ok(()) => {
                    error.set(None);
                    code.set(String::new());
                    resent.set(true);
                    announcer.say("A new code is on its way. Codes sent before it no longer work.");
                    focus(input);
                }
                Err(e) => form.error.set(Some(e.message())),
            },
        );
    };
    view! {
        <form class="card form reset" on:submit=submit novalidate>
            <div class="step-intro">
                <h2 id=STEP_HEADING tabindex="-1">"Check your email"</h2>
                <p>
                    "If " <strong>{move || email.get()}</strong>
                    " has a Hallpass account, we've sent it a 6-digit code. It works for 30 minutes."
                </p>
            </div>
            <Field label="Code" id="reset-code" value=code error node_ref=input
                autocomplete="one-time-code" inputmode="numeric" />
            {move || resent.get().then_some(view! {
                <p class="hint">"New code sent. Codes sent before it no longer work."</p>
            })}
            <FormError message=form.error />
            <div class="dialog-actions">
                <button type="submit" aria-disabled=move || form.disabled()>"Continue"</button>
                <button type="button" class="secondary" on:click=resend>"Send a new code"</button>
            </div>
            <button type="button" class="link-button" on:click=move |_| go(step, Step::Email)>
                "Use another email address"
            </button>
        </form>
    }
}

#[component]
fn PasswordStep(
    email: RwSignal<String>,
    token: String,
    two_factor: bool,
    step: RwSignal<Step>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = use_auth();
    let password = NewPassword::new();
    // Also learnt from the answer, should two-step have been turned on meanwhile.
    let needs_code = RwSignal::new(two_factor);
    let recovery = RwSignal::new(false);
    let code = RwSignal::new(String::new());
    let code_error = RwSignal::new(None::<String>);
    let code_input = NodeRef::<Input>::new();
    let form = Submit::new();
    let token = StoredValue::new(token);
    let code_field = move || {
        if recovery.get_untracked() {
            "recovery_code"
        } else {
            "code"
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let typed = code.get_untracked().trim().to_owned();
        let code_problem = needs_code.get_untracked().then(|| {
            if recovery.get_untracked() {
                (typed.is_empty()).then_some("Enter one of your recovery codes.")
            } else {
                validate::six_digit_code(&typed.replace(' ', "")).err()
            }
        });
        let code_problem = code_problem.flatten();
        code_error.set(code_problem.map(str::to_owned));
        let first = password.check().or(code_problem.map(|_| code_input));
        if let Some(input) = first {
            focus(input);
            return;
        }
        let given = needs_code.get_untracked().then_some(typed);
        let body = CompletePasswordReset {
            reset_token: token.get_value(),
            new_password: password.value.get_untracked(),
            code: given
                .clone()
                .filter(|_| !recovery.get_untracked())
                .map(|c| c.replace(' ', "")),
            recovery_code: given.filter(|_| recovery.get_untracked()),
        };
        let request = async move {
            let result = api::complete_password_reset(&body).await;
            if result.is_ok() {
                // Every session ended, this browser's too. Its dead cookie goes now (with what
                // the origin stored), or the next page load would report the sign-out as if it
                // had happened elsewhere. No answer is fine: it changes nothing.
                auth.info.set(None);
                let _ = api::sign_out().await;
            }
            result
        };
        form.send(request, move |result| match result {
            Ok(()) => go(step, Step::Done),
            Err(e) if e.code() == Some(ErrorCode::CodeRequired) => {
                needs_code.set(true);
                code_error.set(e.field("code"));
                focus_when_drawn("reset-two-step".to_owned());
            }
            Err(e) if e.code() == Some(ErrorCode::CodeExpired) => {
                notice.set(Some(
                    "That reset has expired. Enter your email to get a new code.".to_owned(),
                ));
                go(step, Step::Email);
            }
            Err(e) if e.code() == Some(ErrorCode::InvalidCode) => {
                code_error.set(e.field(code_field()).or_else(|| Some(e.message())));
                code.set(String::new());
                focus(code_input);
            }
            Err(e) => form.fail(
                e,
                &[password.slot(), (code_field(), code_error, code_input)],
            ),
        });
    };
    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        code.set(String::new());
        code_error.set(None);
        focus_when_drawn("reset-two-step".to_owned());
    };
    view! {
        <form class="card form reset" on:submit=submit novalidate>
            <div class="step-intro">
                <h2 id=STEP_HEADING tabindex="-1">"Choose a new password"</h2>
                <p>
                    "For " <strong>{move || email.get()}</strong>
                    ". Every device signed in to your account will be signed out."
                </p>
            </div>
            <NewPasswordFields password />
            {move || needs_code.get().then(|| view! {
                <p>"Two-step verification is on, so your new password needs a code too."</p>
                {move || if recovery.get() {
                    view! {
                        <Field label="Recovery code" id="reset-two-step" value=code
                            error=code_error node_ref=code_input />
                    }.into_any()
                } else {
                    view! {
                        <Field label="Code from your authenticator app" id="reset-two-step"
                            value=code error=code_error node_ref=code_input
                            autocomplete="one-time-code" inputmode="numeric" />
                    }.into_any()
                }}
                <button type="button" class="link-button" on:click=switch>
                    {move || if recovery.get() {
                        "Use a code from your app instead"
                    } else {
                        "Use a recovery code instead"
                    }}
                </button>
            })}
            <FormError message=form.error />
            <button type="submit" aria-disabled=move || form.disabled()>
                {move || if form.busy.get() { "Changing password…" } else { "Change password" }}
            </button>
        </form>
    }
}

#[component]
fn Done(email: RwSignal<String>) -> impl IntoView {
    let location = use_location();
    let href = with_query(Page::SignIn, "email", Some(&email.get_untracked()));
    let target = href.clone();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if in_app_click(&ev) {
            ev.prevent_default();
            location.navigate(&target);
        }
    };
    view! {
        <section class="card form reset" aria-labelledby=STEP_HEADING>
            <div class="step-intro">
                <h2 id=STEP_HEADING tabindex="-1">"Your password is changed"</h2>
                <p>"Every device was signed out, this one too. Sign in with your new password."</p>
            </div>
            <a class="button primary" href=href on:click=on_click>"Sign in"</a>
        </section>
    }
}
