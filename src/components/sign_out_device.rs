//! Signing out one other device, after asking: from Manage access and devices, and from
//! "Wasn't you?" in Account activity. One flow, so both say and do the same.

use hallpass_api::ErrorCode;
use leptos::prelude::*;

use crate::api;
use crate::components::{ConfirmDialog, Submit, use_announcer, use_step_up};

/// A device to sign out: its id, and what the page calls it.
pub type DeviceToSignOut = (String, String);

/// "Sign out <device>?", then `DELETE /api/devices/{id}` (step-up). A device that is already
/// gone counts as signed out. The announcement names the device; `on_done` gets its id and
/// closes the dialog (after removing the row, so focus goes to `return_to`).
#[component]
pub fn SignOutDeviceDialog(
    open: RwSignal<bool>,
    /// Set before `open`.
    device: RwSignal<Option<DeviceToSignOut>>,
    /// The destructive button's text.
    confirm: &'static str,
    /// What follows for the person, after "<device> will be signed out on its next request."
    then: &'static str,
    /// Said after "Signed out <device>" or "<device> was already signed out": what comes next.
    #[prop(optional)]
    next_step: &'static str,
    on_done: Callback<String>,
    #[prop(optional, into)] return_to: Option<Callback<(), Option<web_sys::HtmlElement>>>,
) -> impl IntoView {
    let step_up = use_step_up();
    let announcer = use_announcer();
    let submit = Submit::new();
    submit.reset_on_open(open);
    let confirm_it = Callback::new(move |()| {
        let Some((id, name)) = device.get_untracked() else {
            return;
        };
        if !submit.ready() {
            return;
        }
        let request_id = id.clone();
        let request = async move {
            step_up
                .run(|| api::sign_out_device(request_id.clone()))
                .await
        };
        submit.send(request, move |result| {
            let said = match result {
                Ok(()) => format!("Signed out {name}{next_step}"),
                Err(e) if e.code() == Some(ErrorCode::DeviceNotFound) => {
                    format!("{name} was already signed out{next_step}")
                }
                Err(e) => return submit.fail(e, &[]),
            };
            announcer.say(said);
            on_done.run(id);
        });
    });
    let name = move || device.with(|d| d.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
    let title = Signal::derive(move || format!("Sign out {}?", name()));
    view! {
        <ConfirmDialog open title confirm busy=submit.busy error=submit.error on_confirm=confirm_it
            return_to=return_to.unwrap_or_else(|| Callback::new(|()| None))>
            <p>{move || format!("{} will be signed out on its next request. {then}", name())}</p>
        </ConfirmDialog>
    }
}
