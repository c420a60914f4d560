//! What most visits to a page never open, each a part of its own, fetched when it may be
//! needed: the new sign-in notice, sign-in's two-step code, the PIN of a locked profile, the
//! confirmations "Sign out of all devices?" and "Unlink …?", and a device's "Sign out …?" and
//! "Rename …" on Manage access and devices.

use leptos::prelude::*;
#[cfg(not(hallpass_split))]
use leptos::wasm_split::SplitLoaderError;
#[cfg(hallpass_split)]
use leptos::wasm_split::wasm_split;

use super::{Load, Show, Shown, fetch, fetch_soon, now, on_demand};
use crate::api::ApiError;
use crate::components::{SignInNotice, SignOutAllDialog};
use crate::context::expected;
use crate::live::Live;
use crate::pages;

// The new sign-in notice is a part of its own, fetched when the first `new_sign_in` arrives:
// most visits never see one, so no page's first load pays for it.
split_point!(sign_in_notice, preload_sign_in_notice => view! { <SignInNotice /> }.into_any());

// Sign-in's two-step code is a part of its own: most sign-ins never ask for it, and the sign-in
// page is the one most visits start with.
split_point!(sign_in_code, preload_sign_in_code => view! { <pages::CodeStep /> }.into_any());

// The PIN of a locked profile on "Who's watching?" is a part of its own: most visits there
// choose a profile without one.
split_point!(pin_dialog, preload_pin_dialog => view! { <pages::PinDialog /> }.into_any());

// Confirmations that most visits to their page never open are parts of their own, fetched
// just after the page shows (`dialog_part`).
split_point!(sign_out_all_dialog, preload_sign_out_all_dialog => view! { <SignOutAllDialog /> }.into_any());
split_point!(unlink_dialog, preload_unlink_dialog => view! { <pages::UnlinkDialog /> }.into_any());
split_point!(device_dialogs, preload_device_dialogs => view! { <pages::DeviceDialogs /> }.into_any());

/// Where the new sign-in notice appears, once one has arrived and its part is fetched. A part
/// that can't be fetched shows nothing: the devices page and account activity list the
/// sign-in all the same, and the next `new_sign_in` tries again.
#[component]
pub fn SignInNoticePart() -> impl IntoView {
    let live = expected::<Live>();
    on_demand(
        move || live.new_sign_in.with(Option::is_some),
        || Box::pin(preload_sign_in_notice()),
        || Box::pin(sign_in_notice()),
        || {},
    )
}

/// Fetches sign-in's code step; whether it is here. The password step waits for it before
/// moving on, so [`SignInCodePart`] always finds it.
pub async fn load_sign_in_code() -> bool {
    preload_sign_in_code().await.is_ok()
}

/// Sign-in's code step, from its part (fetched already: see [`load_sign_in_code`]).
#[component]
pub fn SignInCodePart() -> impl IntoView {
    now(Box::pin(sign_in_code())).and_then(Result::ok)
}

/// Fetches the PIN dialog of "Who's watching?" in the background (the page does when it lists
/// a locked profile).
pub fn fetch_pin_dialog() {
    fetch(|| Box::pin(preload_pin_dialog()));
}

/// The PIN dialog of "Who's watching?", once a locked profile is chosen.
#[component]
pub fn PinDialogPart(open: RwSignal<bool>, problem: RwSignal<Option<String>>) -> impl IntoView {
    dialog_part(
        [open],
        problem,
        || Box::pin(preload_pin_dialog()),
        || Box::pin(pin_dialog()),
    )
}

/// The confirmation of "Sign out of all devices" (`SignOutAll`).
#[component]
pub fn SignOutAllDialogPart(
    open: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let load: Load = || Box::pin(preload_sign_out_all_dialog());
    fetch_soon(load);
    dialog_part([open], problem, load, || Box::pin(sign_out_all_dialog()))
}

/// The confirmation of unlinking an account elsewhere, on Account.
#[component]
pub fn UnlinkDialogPart(open: RwSignal<bool>, problem: RwSignal<Option<String>>) -> impl IntoView {
    let load: Load = || Box::pin(preload_unlink_dialog());
    fetch_soon(load);
    dialog_part([open], problem, load, || Box::pin(unlink_dialog()))
}

/// A dialog that is a part of its own, shown once one of `opens` is first set and its module
/// is here. If it can't be fetched, each of `opens` goes back to false and `problem` says why,
/// for the page to show where it is seen; the next try fetches again.
fn dialog_part<const N: usize>(
    opens: [RwSignal<bool>; N],
    problem: RwSignal<Option<String>>,
    load: Load,
    show: Show,
) -> impl IntoView {
    on_demand(
        move || opens.iter().any(|open| open.get()),
        load,
        show,
        move || {
            for open in opens {
                open.set(false);
            }
            problem.set(Some(ApiError::Network.message()));
        },
    )
}

/// A row's "Sign out …?" and "Rename …" on Manage access and devices, one part for both.
#[component]
pub fn DeviceDialogsPart(
    open: RwSignal<bool>,
    rename_open: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
) -> impl IntoView {
    let load: Load = || Box::pin(preload_device_dialogs());
    fetch_soon(load);
    dialog_part([open, rename_open], problem, load, || {
        Box::pin(device_dialogs())
    })
}
