//! Change password (Account › Password). The current password is the check, so this is not
//! behind step-up. Paste and password managers work: nothing blocks them, and each field says
//! what it holds (`current-password`, `new-password`), as WCAG 2.2's Accessible Authentication
//! asks.

use hallpass_api::{ChangePassword as Body, ErrorCode, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    Field, FormError, Link, NewPassword, NewPasswordFields, PageHeading, Submit, focus,
    use_announcer,
};
use crate::router::use_location;
use crate::routes::Page;

#[component]
pub fn ChangePassword() -> impl IntoView {
    let location = use_location();
    let announcer = use_announcer();
    let current = RwSignal::new(String::new());
    let password = NewPassword::new();
    let sign_out_others = RwSignal::new(true);
    let current_error = RwSignal::new(None::<String>);
    let current_input = NodeRef::<Input>::new();
    let form = Submit::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let body = Body {
            current_password: current.get_untracked(),
            new_password: password.value.get_untracked(),
            sign_out_other_devices: sign_out_others.get_untracked(),
        };
        // The same rules the server applies, first here, so a slip costs no round trip.
        let current_problem = validate::given_password(&body.current_password).err();
        current_error.set(current_problem.map(str::to_owned));
        let new_problem = password.check();
        if let Some(input) = current_problem.map(|_| current_input).or(new_problem) {
            focus(input);
            return;
        }
        let others = body.sign_out_other_devices;
        form.send(
            async move { api::change_password(&body).await },
            move |result| match result {
                Ok(()) => {
                    announcer.say(if others {
                        "Password changed. Every other device was signed out."
                    } else {
                        "Password changed."
                    });
                    location.navigate(Page::Account.href());
                }
                Err(error) if error.code() == Some(ErrorCode::WrongPassword) => {
                    current_error.set(Some(
                        error
                            .field("current_password")
                            .unwrap_or_else(|| "That isn't your current password.".to_owned()),
                    ));
                    current.set(String::new());
                    focus(current_input);
                }
                Err(error) => form.fail(
                    error,
                    &[
                        ("current_password", current_error, current_input),
                        password.slot(),
                    ],
                ),
            },
        );
    };

    view! {
        <PageHeading text="Change password" />
        <form class="card form" on:submit=submit novalidate>
            <Field label="Current password" id="current-password" value=current error=current_error
                node_ref=current_input input_type="password" autocomplete="current-password" />
            <NewPasswordFields password />
            <div class="check">
                <input type="checkbox" id="sign-out-others"
                    prop:checked=move || sign_out_others.get()
                    on:change=move |ev| sign_out_others.set(event_target_checked(&ev)) />
                <label for="sign-out-others">"Sign out of all other devices"</label>
            </div>
            <FormError message=form.error />
            <div class="dialog-actions">
                <button type="submit" aria-disabled=move || form.disabled()>
                    {move || if form.busy.get() { "Changing password…" } else { "Change password" }}
                </button>
                <Link href=Page::Account.href()>"Cancel"</Link>
            </div>
        </form>
    }
}
