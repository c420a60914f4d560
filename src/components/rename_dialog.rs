//! "Rename <device name>": a nickname for a device, shown wherever the device is named (the
//! devices list, account activity, "Signed out from …"). Empty goes back to the default name.

use hallpass_api::{Device, validate};
use leptos::html::Input;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    Dialog, Field, FormError, Submit, device_name, element, focus, rename_button_id,
};

#[component]
pub fn RenameDialog(
    open: RwSignal<bool>,
    device: RwSignal<Option<Device>>,
    /// What the page calls the device, when that tells it from a same-named one; else its name.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    /// The server's copy of the renamed device.
    on_renamed: Callback<Device>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let form = Submit::new();
    let input = NodeRef::<Input>::new();

    Effect::new(move |_| {
        if open.get() {
            name.set(device.with_untracked(|d| d.as_ref().map(device_name).unwrap_or_default()));
            error.set(None);
            form.reset();
        }
    });
    let title = Signal::derive(move || match label {
        Some(label) => format!("Rename {}", label.get()),
        None => {
            device.with(|d| format!("Rename {}", d.as_ref().map(device_name).unwrap_or_default()))
        }
    });
    let default_name =
        move || device.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let hint = Signal::derive(move || {
        format!(
            "Up to 40 characters. Leave it empty to go back to “{}”.",
            default_name()
        )
    });
    // The row is drawn again with its new name; focus goes to its Rename button.
    let return_to = Callback::new(move |()| {
        device
            .with_untracked(|d| d.as_ref().map(|d| rename_button_id(&d.id)))
            .and_then(|id| element(&id))
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(target) = device.get_untracked() else {
            return;
        };
        if !form.ready() {
            return;
        }
        let typed = name.get_untracked().trim().to_owned();
        if let Err(problem) = validate::nickname(&typed) {
            error.set(Some(problem.to_owned()));
            focus(input);
            return;
        }
        // Keeping the default name is no nickname at all.
        let nickname = if typed == target.name {
            String::new()
        } else {
            typed
        };
        form.send(
            async move { api::rename_device(&target.id, nickname).await },
            move |result| match result {
                Ok(renamed) => on_renamed.run(renamed),
                Err(e) => form.fail(e, &[("nickname", error, input)]),
            },
        );
    };

    view! {
        <Dialog open title return_to>
            <form class="form" on:submit=submit novalidate>
                <Field label="Device name" id="device-nickname" value=name error node_ref=input
                    autocomplete="off" hint />
                <FormError message=form.error />
                <div class="dialog-actions">
                    <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" aria-disabled=move || form.disabled()>"Save"</button>
                </div>
            </form>
        </Dialog>
    }
}
