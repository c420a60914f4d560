use leptos::prelude::*;

use crate::api;
use crate::auth;
use crate::components::{ConfirmDialog, FormError, Submit, grouped, use_announcer, use_step_up};
use crate::context::expected;
use crate::parts::SignOutAllDialogPart;

/// What "Sign out of all devices" was given, for its confirmation (a part of its own).
#[derive(Clone, Copy)]
pub struct SignOutAllRequest {
    open: RwSignal<bool>,
    devices: Signal<usize>,
    on_done: Callback<u32>,
}

/// "Sign out of all devices", with its confirmation: how many devices it ends, and whether
/// this one stays signed in. Revocation is immediate on the server. The confirmation is a
/// part of its own, fetched just after the page shows: most visits never open it.
#[component]
pub fn SignOutAll(
    /// Signed-in devices, this one included.
    #[prop(into)]
    devices: Signal<usize>,
    /// After a sign-out that kept this device, with how many were signed out.
    on_done: Callback<u32>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    // Why the confirmation didn't open: its part couldn't be fetched.
    let problem = RwSignal::new(None::<String>);
    provide_context(SignOutAllRequest {
        open,
        devices,
        on_done,
    });
    view! {
        // Opens the confirmation, so red text without the fill (the solid red is the dialog's).
        <button type="button" class="secondary danger" on:click=move |_| {
            problem.set(None);
            open.set(true);
        }>
            "Sign out of all devices"
        </button>
        <FormError message=problem />
        <SignOutAllDialogPart open problem />
    }
}

/// The confirmation of [`SignOutAll`], with its [`SignOutAllRequest`].
#[component]
pub fn SignOutAllDialog() -> impl IntoView {
    let SignOutAllRequest {
        open,
        devices,
        on_done,
    } = expected();
    let step_up = use_step_up();
    let announcer = use_announcer();
    let keep = RwSignal::new(true);
    let submit = Submit::new();
    Effect::new(move |_| {
        if open.get() {
            keep.set(true);
            submit.reset();
        }
    });
    let confirm = Callback::new(move |()| {
        if !submit.ready() {
            return;
        }
        let keep_current = keep.get_untracked();
        let request = async move {
            let result = step_up.run(|| api::sign_out_all(keep_current)).await;
            // This browser too: signed out here while still busy, the page then leaves.
            if result.is_ok() && !keep_current {
                auth::sign_out().await;
            }
            result
        };
        submit.send(request, move |result| match result {
            Ok(_) if !keep_current => {}
            Ok(count) => {
                let n = count.signed_out;
                announcer.say(format!("Signed out {}", devices_word(n as usize)));
                on_done.run(n);
                open.set(false);
            }
            Err(e) => submit.fail(e, &[]),
        });
    });
    let summary = move || {
        let total = devices.get();
        if keep.get() {
            match total.saturating_sub(1) {
                0 => "No other devices are signed in.".to_owned(),
                others => format!(
                    "This signs out {} other than this one, on their next request.",
                    devices_word(others)
                ),
            }
        } else {
            format!(
                "This signs out all {}, including this one.",
                devices_word(total.max(1))
            )
        }
    };
    view! {
        <ConfirmDialog open title="Sign out of all devices?" confirm="Sign out of all devices"
            busy=submit.busy error=submit.error on_confirm=confirm>
            <p>{summary}</p>
            // Focus starts on the box, before Cancel and the button: the choice comes first,
            // and its checked state (stay signed in here) is the safe one.
            <label class="check">
                <input type="checkbox" autofocus prop:checked=move || keep.get()
                    on:change=move |ev| keep.set(event_target_checked(&ev)) />
                "Keep me signed in on this device"
            </label>
        </ConfirmDialog>
    }
}

/// "1 device", "3 devices".
pub fn devices_word(n: usize) -> String {
    if n == 1 {
        "1 device".to_owned()
    } else {
        format!("{} devices", grouped(n))
    }
}

#[cfg(test)]
mod tests {
    use super::devices_word;

    #[test]
    fn counts_devices_as_people_read_them() {
        assert_eq!(devices_word(1), "1 device");
        assert_eq!(devices_word(3), "3 devices");
        // Security's summary said "1001 devices signed in".
        assert_eq!(devices_word(1001), "1,001 devices");
    }
}
