//! Locking a profile with a PIN, from Manage profiles.

use hallpass_api::{Profile, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api;
use crate::components::{Dialog, Field, Submit, use_step_up};

/// Sets a 4-digit PIN (step-up), typed twice so a slip doesn't lock someone out.
#[component]
pub fn PinLockDialog(
    open: RwSignal<bool>,
    profile: RwSignal<Option<Profile>>,
    on_locked: Callback<Profile>,
) -> impl IntoView {
    let step_up = use_step_up();
    let pin = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let pin_error = RwSignal::new(None::<String>);
    let again_error = RwSignal::new(None::<String>);
    let form = Submit::new();
    let pin_input = NodeRef::<Input>::new();
    let again_input = NodeRef::<Input>::new();
    Effect::new(move |_| {
        if open.get() {
            pin.set(String::new());
            again.set(String::new());
            pin_error.set(None);
            again_error.set(None);
            form.reset();
        }
    });
    let title = Signal::derive(move || {
        profile.with(|p| {
            format!(
                "Lock {} with a PIN",
                p.as_ref().map_or("", |p| p.name.as_str())
            )
        })
    });
    let focus = |input: NodeRef<Input>| {
        if let Some(el) = input.get_untracked() {
            let _ = el.focus();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(target) = profile.get_untracked() else {
            return;
        };
        if !form.ready() {
            return;
        }
        let typed = pin.get_untracked();
        pin_error.set(None);
        again_error.set(None);
        if let Err(problem) = validate::pin(&typed) {
            pin_error.set(Some(problem.to_owned()));
            focus(pin_input);
            return;
        }
        if again.get_untracked() != typed {
            again_error.set(Some("The two PINs are not the same.".to_owned()));
            focus(again_input);
            return;
        }
        let id = target.id.clone();
        let request = async move {
            step_up
                .run(|| {
                    let (id, pin) = (id.clone(), typed.clone());
                    async move { api::lock_profile(&id, pin).await }
                })
                .await
        };
        form.send(request, move |result| match result {
            Ok(()) => on_locked.run(target),
            Err(e) => {
                pin_error.set(Some(e.field("pin").unwrap_or_else(|| e.message())));
                focus(pin_input);
            }
        });
    };
    view! {
        <Dialog open title>
            <form class="form" on:submit=submit novalidate>
                <p>"Whoever opens this profile will be asked for the PIN first."</p>
                <Field label="PIN" id="lock-pin" value=pin error=pin_error node_ref=pin_input
                    input_type="password" inputmode="numeric" autocomplete="off" />
                <Field label="Type the PIN again" id="lock-pin-again" value=again error=again_error
                    node_ref=again_input input_type="password" inputmode="numeric" autocomplete="off" />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || form.disabled()>"Lock profile"</button>
                </div>
            </form>
        </Dialog>
    }
}
