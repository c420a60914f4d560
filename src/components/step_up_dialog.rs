use futures_channel::oneshot;
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::{Dialog, Field};

/// Step-up: actions the server guards with a recent password check answer 403
/// `reauthentication_required`; [`StepUp::run`] then asks for the password in the
/// "Confirm it's you" dialog and tries the action once more.
#[derive(Clone, Copy, Debug)]
pub struct StepUp {
    open: RwSignal<bool>,
    /// Told whether the password was confirmed (`true`) or the dialog dismissed.
    waiting: StoredValue<Option<oneshot::Sender<bool>>, LocalStorage>,
}

impl StepUp {
    /// Runs `action`; if it needs a recent password check, asks for the password and runs it
    /// once more. Dismissing the dialog gives back the first answer.
    pub async fn run<T, Fut>(self, action: impl Fn() -> Fut) -> Result<T, ApiError>
    where
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let first = action().await;
        match first {
            Err(error) if error.needs_step_up() => {
                if self.confirm().await {
                    action().await
                } else {
                    Err(error)
                }
            }
            other => other,
        }
    }

    async fn confirm(self) -> bool {
        let (sender, receiver) = oneshot::channel();
        // A dialog already waiting (it can't be, but) is answered "no" rather than left hanging.
        if let Some(old) = self
            .waiting
            .try_update_value(|w| w.replace(sender))
            .flatten()
        {
            let _ = old.send(false);
        }
        self.open.set(true);
        receiver.await.unwrap_or(false)
    }

    fn answer(self, confirmed: bool) {
        if let Some(sender) = self.waiting.try_update_value(Option::take).flatten() {
            let _ = sender.send(confirmed);
        }
    }
}

pub fn use_step_up() -> StepUp {
    expect_context()
}

/// The "Confirm it's you" dialog, once, in `App`; it also provides [`StepUp`].
#[component]
pub fn StepUpDialog() -> impl IntoView {
    let step_up = StepUp {
        open: RwSignal::new(false),
        waiting: StoredValue::new_local(None),
    };
    provide_context(step_up);
    let auth = use_auth();
    let open = step_up.open;
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if open.get() {
            password.set(String::new());
            error.set(None);
            busy.set(false);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = password.get_untracked();
        if typed.is_empty() {
            error.set(Some("Enter your password.".to_owned()));
            focus(input);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match auth.check(api::reauthenticate(typed).await) {
                Ok(()) => {
                    step_up.answer(true);
                    open.set(false);
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(reauth_error(&e)));
                    focus(input);
                }
            }
        });
    };
    view! {
        <Dialog open title="Confirm it's you" on_close=Callback::new(move |()| step_up.answer(false))>
            <p>"For your security, enter your password to continue."</p>
            <form class="form" on:submit=submit novalidate>
                <Field label="Password" id="step-up-password" value=password error=error
                    node_ref=input input_type="password" autocomplete="current-password" />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || busy.get().then_some("true")>"Confirm"</button>
                </div>
            </form>
        </Dialog>
    }
}

fn reauth_error(error: &ApiError) -> String {
    match error.code() {
        Some(hallpass_api::ErrorCode::WrongPassword) => {
            "That password is not right. Try again.".to_owned()
        }
        _ => error.field("password").unwrap_or_else(|| error.message()),
    }
}

fn focus(input: NodeRef<Input>) {
    if let Some(el) = input.get_untracked() {
        let _ = el.focus();
    }
}
