use futures_channel::oneshot;
use leptos::html::Input;
use leptos::prelude::*;
use std::future::Future;

use hallpass_api::{ErrorCode, Reauthenticate};

use crate::api::{self, ApiError};
use crate::components::{Dialog, Field, FormError, Submit, focus, focus_when_drawn};
use crate::context::expected;

/// Step-up: actions the server guards with a recent password check answer 403
/// `reauthentication_required`; [`StepUp::run`] then asks for the password in the
/// "Confirm it's you" dialog and tries the action once more.
///
/// This is in the shell; the dialog is a part of its own (`parts::StepUpPart`), fetched the
/// first time it is needed (and after an account page shows): a sign-in page never pays for it.
#[derive(Clone, Copy, Debug)]
pub struct StepUp {
    open: RwSignal<bool>,
    /// Told how the dialog ended.
    waiting: StoredValue<Option<oneshot::Sender<Answer>>, LocalStorage>,
}

/// How "Confirm it's you" ended.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    Confirmed,
    Dismissed,
    /// Its part couldn't be fetched: the network is gone, so the action can't go through.
    Unavailable,
}

impl StepUp {
    /// Runs `action`; if it needs a recent password check, asks for the password and runs it
    /// once more. Dismissing the dialog answers [`ApiError::Cancelled`]: the person chose not
    /// to go on, which is not an error to show them.
    pub async fn run<T, Fut>(self, action: impl Fn() -> Fut) -> Result<T, ApiError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let first = action().await;
        match first {
            Err(error) if error.needs_step_up() => match self.confirm().await {
                Answer::Confirmed => action().await,
                Answer::Dismissed => Err(ApiError::Cancelled),
                Answer::Unavailable => Err(ApiError::Network),
            },
            other => other,
        }
    }

    /// "Confirm it's you" is open: it stands in for any dialog it interrupted (see [`Dialog`]).
    pub fn is_open(self) -> bool {
        self.open.get()
    }

    /// Its part couldn't be fetched: the action waiting on it fails as the network would.
    pub fn unavailable(self) {
        self.answer(Answer::Unavailable);
        self.open.set(false);
    }

    async fn confirm(self) -> Answer {
        let (sender, receiver) = oneshot::channel();
        // A dialog already waiting (it can't be, but) is answered "no" rather than left hanging.
        if let Some(old) = self
            .waiting
            .try_update_value(|w| w.replace(sender))
            .flatten()
        {
            let _ = old.send(Answer::Dismissed);
        }
        self.open.set(true);
        receiver.await.unwrap_or(Answer::Dismissed)
    }

    fn answer(self, answer: Answer) {
        if let Some(sender) = self.waiting.try_update_value(Option::take).flatten() {
            let _ = sender.send(answer);
        }
    }
}

/// Makes the tab's [`StepUp`]; once, in `App`.
pub fn provide_step_up() -> StepUp {
    let step_up = StepUp {
        open: RwSignal::new(false),
        waiting: StoredValue::new_local(None),
    };
    provide_context(step_up);
    step_up
}

pub fn use_step_up() -> StepUp {
    expected()
}

/// The "Confirm it's you" dialog, once, from its part (`parts::StepUpPart`). With two-step
/// verification on, the server answers the password alone with `code_required`; the dialog
/// then asks for a code as well (or a recovery code), keeping the password typed.
#[component]
pub fn StepUpDialog() -> impl IntoView {
    let step_up = use_step_up();
    let open = step_up.open;
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // Learnt from the answer, never assumed: see ARCHITECTURE.md ("Step-up and two-step").
    let needs_code = RwSignal::new(false);
    let recovery = RwSignal::new(false);
    let password_error = RwSignal::new(None::<String>);
    let code_error = RwSignal::new(None::<String>);
    let form = Submit::new();
    let password_input = NodeRef::<Input>::new();
    let code_input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if open.get() {
            password.set(String::new());
            code.set(String::new());
            needs_code.set(false);
            recovery.set(false);
            password_error.set(None);
            code_error.set(None);
            form.reset();
        }
    });
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
        password_error.set(None);
        code_error.set(None);
        let typed = password.get_untracked();
        let typed_code = code.get_untracked().trim().to_owned();
        let with_code = needs_code.get_untracked();
        let use_recovery = recovery.get_untracked();
        if typed.is_empty() {
            password_error.set(Some("Enter your password.".to_owned()));
            focus(password_input);
            return;
        }
        if with_code && typed_code.is_empty() {
            code_error.set(Some(missing_code(use_recovery).to_owned()));
            focus(code_input);
            return;
        }
        let body = Reauthenticate {
            password: typed,
            code: (with_code && !use_recovery).then(|| typed_code.replace(' ', "")),
            recovery_code: (with_code && use_recovery).then_some(typed_code),
        };
        form.send(
            async move { api::reauthenticate(&body).await },
            move |result| {
                let Err(e) = result else {
                    step_up.answer(Answer::Confirmed);
                    open.set(false);
                    return;
                };
                match e.code() {
                    Some(ErrorCode::WrongPassword) => {
                        password_error
                            .set(Some("That password is not right. Try again.".to_owned()));
                        focus(password_input);
                    }
                    // The password was right: the code field appears, and takes focus with its
                    // message, which is read with it.
                    Some(ErrorCode::CodeRequired) => {
                        needs_code.set(true);
                        code_error.set(Some(missing_code(false).to_owned()));
                        focus_when_drawn(CODE_ID.to_owned());
                    }
                    // Only the code was wrong: the password stays, the code is emptied.
                    Some(ErrorCode::InvalidCode) => {
                        code.set(String::new());
                        code_error.set(Some(e.field(code_field()).unwrap_or_else(|| e.message())));
                        focus(code_input);
                    }
                    _ => {
                        let mut fields = vec![("password", password_error, password_input)];
                        if with_code {
                            fields.push((code_field(), code_error, code_input));
                        }
                        form.fail(e, &fields);
                    }
                }
            },
        );
    };
    let switch = move |_| {
        recovery.update(|r| *r = !*r);
        code.set(String::new());
        code_error.set(None);
        focus_when_drawn(
            if recovery.get_untracked() {
                RECOVERY_ID
            } else {
                CODE_ID
            }
            .to_owned(),
        );
    };
    view! {
        <Dialog open title="Confirm it's you" on_top=true on_close=Callback::new(move |()| step_up.answer(Answer::Dismissed))>
            <p>{move || if needs_code.get() {
                "Two-step verification is on: enter your password and a code from your authenticator app."
            } else {
                "For your security, enter your password to continue."
            }}</p>
            <form class="form" on:submit=submit novalidate>
                <Field label="Password" id="step-up-password" value=password error=password_error
                    node_ref=password_input input_type="password" autocomplete="current-password" />
                {move || needs_code.get().then(|| if recovery.get() {
                    view! {
                        <Field label="Recovery code" id=RECOVERY_ID value=code error=code_error
                            node_ref=code_input autocomplete="off" />
                    }.into_any()
                } else {
                    view! {
                        <Field label="Code from your authenticator app" id=CODE_ID value=code
                            error=code_error node_ref=code_input autocomplete="one-time-code"
                            inputmode="numeric" />
                    }.into_any()
                })}
                {move || needs_code.get().then(|| view! {
                    <button type="button" class="link-button" on:click=switch>
                        {move || if recovery.get() { "Use a code from your app instead" } else { "Use a recovery code instead" }}
                    </button>
                })}
                <FormError message=form.error />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || form.disabled()>"Confirm"</button>
                </div>
            </form>
        </Dialog>
    }
}

const CODE_ID: &str = "step-up-code";
const RECOVERY_ID: &str = "step-up-recovery-code";

fn missing_code(recovery: bool) -> &'static str {
    if recovery {
        "Enter one of your recovery codes."
    } else {
        "Enter the code from your authenticator app."
    }
}
