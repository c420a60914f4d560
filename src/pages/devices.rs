use hallpass_api::{Device, ErrorCode};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::auth::{self, use_auth};
use crate::components::{
    ConfirmDialog, DeviceList, LoadError, PageHeading, RenameDialog, SignOutAll, device_name,
    sign_out_button_id, use_announcer, use_step_up,
};

/// Below this width (in CSS pixels) the devices table becomes a list of cards.
const NARROW_BELOW: i32 = 640;

/// "Manage access and devices": every signed-in device, and signing them out.
#[component]
pub fn Devices() -> impl IntoView {
    let auth = use_auth();
    let (loaded, pending, retry) =
        crate::load::load(move || async move { auth.check(api::devices().await) });
    view! {
        <PageHeading text="Manage access and devices" />
        <p class="lead">
            "These devices are signed in to your account. Signing one out takes effect on its "
            "very next request."
        </p>
        {move || match loaded.get() {
            None => view! { <p class="status" role="status">"Loading your devices…"</p> }.into_any(),
            Some(Ok(list)) => view! { <Manager list /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

/// The list, the dialogs, and what happens after each sign-out.
#[component]
fn Manager(list: Vec<Device>) -> impl IntoView {
    let auth = use_auth();
    let step_up = use_step_up();
    let announcer = use_announcer();
    let devices = RwSignal::new(list);
    let narrow = narrow_viewport();

    let target = RwSignal::new(None::<Device>);
    let open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Where focus goes when the dialog closes and its row is gone: the next row's button.
    let next_focus = StoredValue::new(None::<String>);

    let ask = Callback::new(move |device: Device| {
        target.set(Some(device));
        error.set(None);
        busy.set(false);
        open.set(true);
    });

    // Removes the row first, then closes the dialog: by then the opener is gone, so the
    // dialog sends focus to `next_focus`.
    let gone = move |device: &Device| {
        let index = devices.with_untracked(|d| d.iter().position(|x| x.id == device.id));
        devices.update(|d| d.retain(|x| x.id != device.id));
        next_focus.set_value(
            index.and_then(|i| devices.with_untracked(|d| d.get(i).map(|x| x.id.clone()))),
        );
        open.set(false);
    };

    let confirm = Callback::new(move |()| {
        let Some(device) = target.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            if device.current {
                // This browser: the full sign-out, which clears everything and leaves.
                auth::sign_out().await;
                return;
            }
            let id = device.id.clone();
            let result = step_up.run(|| api::sign_out_device(id.clone())).await;
            let name = device_name(&device);
            match auth.check(result) {
                Ok(()) => {
                    gone(&device);
                    announcer.say(format!("Signed out {name}"));
                }
                Err(e) if e.code() == Some(ErrorCode::DeviceNotFound) => {
                    gone(&device);
                    announcer.say(format!("{name} was already signed out"));
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.message()));
                }
            }
        });
    });

    let return_to = Callback::new(move |()| {
        next_focus
            .get_value()
            .and_then(|id| document().get_element_by_id(&sign_out_button_id(&id)))
            .or_else(|| document().query_selector("main h1").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    });
    let title = Signal::derive(move || {
        target.with(|t| {
            t.as_ref()
                .map(|d| format!("Sign out {}?", device_name(d)))
                .unwrap_or_default()
        })
    });
    let what = move || {
        target.with(|t| match t {
            Some(d) if d.current => {
                "This is the device you're using: you'll be signed out here, and this browser's \
                 account data will be cleared."
                    .to_owned()
            }
            Some(d) => format!(
                "{} will be signed out on its next request. Anyone using it will need the \
                 password to sign in again.",
                device_name(d)
            ),
            None => String::new(),
        })
    };
    let refresh = Callback::new(move |_: u32| {
        spawn_local(async move {
            if let Ok(list) = auth.check(api::devices().await) {
                devices.set(list);
            }
        });
    });

    let renaming = RwSignal::new(None::<Device>);
    let rename_open = RwSignal::new(false);
    let rename = Callback::new(move |device: Device| {
        renaming.set(Some(device));
        rename_open.set(true);
    });
    // The list first, so the dialog's focus goes to the redrawn row's Rename button.
    let renamed = Callback::new(move |device: Device| {
        let name = device_name(&device);
        let reset = device.nickname.is_none();
        devices.update(|list| {
            if let Some(slot) = list.iter_mut().find(|d| d.id == device.id) {
                *slot = device;
            }
        });
        rename_open.set(false);
        announcer.say(if reset {
            format!("Back to its own name, {name}")
        } else {
            format!("Renamed to {name}")
        });
    });

    view! {
        <DeviceList devices narrow on_sign_out=ask on_rename=rename />
        <div class="page-actions">
            <SignOutAll devices=Signal::derive(move || devices.with(Vec::len)) on_done=refresh />
        </div>
        <ConfirmDialog open title confirm="Sign out" busy error on_confirm=confirm return_to>
            <p>{what}</p>
        </ConfirmDialog>
        <RenameDialog open=rename_open device=renaming on_renamed=renamed />
    }
}

/// True while the viewport is narrower than [`NARROW_BELOW`]; follows resizes and rotation.
fn narrow_viewport() -> Signal<bool> {
    let measure = || {
        window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w < f64::from(NARROW_BELOW))
    };
    let narrow = RwSignal::new(measure());
    let listener = window_event_listener(ev::resize, move |_| {
        let now = measure();
        if narrow.get_untracked() != now {
            narrow.set(now);
        }
    });
    on_cleanup(move || listener.remove());
    narrow.into()
}
