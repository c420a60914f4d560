use std::sync::Arc;

use hallpass_api::Device;
use hallpass_api::events::{DeviceChange, DevicesChanged};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api;
use crate::auth;
use crate::components::{
    DeviceFinder, DeviceList, DeviceToSignOut, FormError, LoadError, PageHeading, RenameDialog,
    SignOutAll, SignOutDeviceDialog, SortBy, ThisDevice, device_name, devices_word, find,
    focus_when_drawn, grouped, labelled, rename_button_id, shared, sign_out_button_id,
    use_announcer,
};
use crate::context::expected;
use crate::live::Live;
use crate::parts::DeviceDialogsPart;
use crate::viewport::narrow_viewport;

/// How many devices the list draws at first, and how many more each "Show more" adds: a
/// screenful and then some, so a thousand devices never cost a thousand rows up front.
const PAGE: usize = 50;

/// What a row's "Sign out" and "Rename" open, for their dialogs (a part of their own).
#[derive(Clone, Copy)]
pub struct DeviceDialogsRequest {
    open: RwSignal<bool>,
    target: RwSignal<Option<DeviceToSignOut>>,
    gone: Callback<String>,
    return_to: Callback<(), Option<web_sys::HtmlElement>>,
    rename_open: RwSignal<bool>,
    renaming: RwSignal<Option<Device>>,
    renaming_label: Signal<String>,
    renamed: Callback<Device>,
}

/// "Manage access and devices": every signed-in device, and signing them out. The page is
/// wrapped in `.devices-page`, which widens `<main>` from its first frame (not when the table
/// arrives, which moved the whole page sideways: Lighthouse's CLS 0.149).
#[component]
pub fn Devices() -> impl IntoView {
    let (loaded, pending, retry) = crate::load::load(api::devices);
    view! {
        <div class="devices-page">
            <PageHeading text="Manage access and devices" />
            <p class="lead">
                "These devices are signed in to your account. Signing one out takes effect on "
                "its very next request."
            </p>
            {move || match loaded.get() {
                None => loading().into_any(),
                Some(Ok(list)) => view! { <Manager list /> }.into_any(),
                Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
            }}
        </div>
    }
}

/// Placeholders the size of what they stand for: the count and its button, this device,
/// the search, and a screenful of rows. Static markup, which costs the wasm almost nothing.
const SKELETON: &str = concat!(
    r#"<div class="devices-summary"><span class="skeleton skeleton-count"></span>"#,
    r#"<span class="skeleton skeleton-button"></span></div>"#,
    r#"<span class="skeleton skeleton-heading"></span><span class="skeleton skeleton-card"></span>"#,
    r#"<span class="skeleton skeleton-heading"></span><span class="skeleton skeleton-finder"></span>"#,
    r#"<span class="skeleton skeleton-row"></span><span class="skeleton skeleton-row"></span>"#,
    r#"<span class="skeleton skeleton-row"></span><span class="skeleton skeleton-row"></span>"#,
    r#"<span class="skeleton skeleton-row"></span><span class="skeleton skeleton-row"></span>"#,
);

fn loading() -> impl IntoView {
    view! {
        <p class="visually-hidden" role="status">"Loading your devices…"</p>
        <div class="devices-skeleton" aria-hidden="true" inner_html=SKELETON></div>
    }
}

/// "9 devices signed in".
fn signed_in_count(n: usize) -> String {
    devices_word(n) + " signed in"
}

/// What another device's sign-in or sign-out is announced as: "Samsung TV signed in",
/// "3 devices signed out".
fn devices_changed_text(changed: &DevicesChanged) -> String {
    let verb = match changed.change {
        DeviceChange::SignedIn => "signed in",
        DeviceChange::SignedOut => "signed out",
        DeviceChange::Unknown => "changed",
    };
    match changed.devices.as_slice() {
        [] if changed.change == DeviceChange::SignedIn => format!("A device {verb}"),
        [] => format!("Devices {verb}"),
        [one] => format!("{one} {verb}"),
        many => format!("{} devices {verb}", grouped(many.len())),
    }
}

/// The count, this device, the others with search, sort and "Show more", the dialogs, and
/// what happens after each sign-out.
#[component]
fn Manager(list: Vec<Device>) -> impl IntoView {
    let announcer = use_announcer();
    // Each device once, shared by the labelled list, the search's matches and the rows.
    let devices = RwSignal::new(shared(list));
    let narrow = narrow_viewport();

    // Labels over the whole list, so a same-named device keeps its label whatever is shown.
    let entries = Memo::new(move |_| devices.with(|d| labelled(d)));
    let me = Memo::new(move |_| entries.with(|e| e.iter().find(|e| e.device.current).cloned()));
    let others = Memo::new(move |_| {
        entries.with(|e| {
            e.iter()
                .filter(|e| !e.device.current)
                .map(Arc::clone)
                .collect::<Vec<_>>()
        })
    });
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new(SortBy::default());
    let found = Memo::new(move |_| others.with(|o| find(o, &query.get(), sort.get())));
    let shown = RwSignal::new(PAGE);
    // A new search or order starts again from its first page.
    Effect::new(move |_| {
        query.track();
        sort.track();
        shown.set(PAGE);
    });
    // Memos, so that the list and the search box are drawn once, not again at every change.
    let any_found = Memo::new(move |_| !found.with(Vec::is_empty));
    // No search for one device; but never hide a search that still filters.
    let many = Memo::new(move |_| others.with(Vec::len) > 1 || query.with(|q| !q.is_empty()));
    let visible = Signal::derive(move || {
        let n = shown.get();
        found.with(|f| f[..f.len().min(n)].to_vec())
    });
    let label_of = move |device: &Device| {
        entries.with_untracked(|e| {
            e.iter()
                .find(|e| e.device.id == device.id)
                .map_or_else(|| device_name(device), |e| e.label.clone())
        })
    };

    let target = RwSignal::new(None::<DeviceToSignOut>);
    let open = RwSignal::new(false);
    // Where focus goes when the dialog closes and its row is gone: the next row's button.
    let next_focus = StoredValue::new(None::<String>);

    // Why a row's dialog didn't open: their part couldn't be fetched.
    let problem = RwSignal::new(None::<String>);
    let ask = Callback::new(move |device: Device| {
        problem.set(None);
        target.set(Some((device.id.clone(), label_of(&device))));
        open.set(true);
    });

    // Removes the row first, then closes the dialog: by then the opener is gone, so the
    // dialog sends focus to `next_focus`, the row after it as the list shows them.
    let gone = Callback::new(move |id: String| {
        let next = found.with_untracked(|f| {
            let i = f.iter().position(|x| x.device.id == id)?;
            f.get(i + 1).map(|x| x.device.id.clone())
        });
        next_focus.set_value(next);
        devices.update(|d| d.retain(|x| x.id != id));
        open.set(false);
    });
    let sign_out_here = Callback::new(move |()| spawn_local(auth::sign_out()));

    let return_to = Callback::new(move |()| {
        next_focus
            .get_value()
            .and_then(|id| document().get_element_by_id(&sign_out_button_id(&id)))
            .or_else(|| document().query_selector("main h1").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    });
    let refresh = Callback::new(move |_: u32| {
        spawn_local(async move {
            if let Ok(list) = api::devices().await {
                devices.set(shared(list));
            }
        });
    });

    // Another device signed in or out: the list is read again and the change said aloud,
    // and focus stays where it is.
    if let Some(live) = use_context::<Live>() {
        let drawn_after = live
            .devices_changed
            .with_untracked(|c| c.as_ref().map(|(n, _)| *n));
        Effect::new(move |before: Option<Option<u32>>| {
            let latest = live.devices_changed.with(|c| c.as_ref().map(|(n, _)| *n));
            if latest != before.unwrap_or(drawn_after) {
                refresh.run(0);
                let changed = live.devices_changed.with_untracked(|c| {
                    c.as_ref()
                        .and_then(|(_, data)| api::decode::<DevicesChanged>(data))
                });
                if let Some(changed) = changed {
                    announcer.say(devices_changed_text(&changed));
                }
            }
            latest
        });
    }

    let renaming = RwSignal::new(None::<Device>);
    let rename_open = RwSignal::new(false);
    let renaming_label =
        Signal::derive(move || renaming.with(|d| d.as_ref().map(label_of).unwrap_or_default()));
    let rename = Callback::new(move |device: Device| {
        problem.set(None);
        renaming.set(Some(device));
        rename_open.set(true);
    });
    // The list first, so the dialog's focus goes to the redrawn row's Rename button.
    let renamed = Callback::new(move |device: Device| {
        let reset = device.nickname.is_none();
        devices.update(|list| {
            if let Some(slot) = list.iter_mut().find(|d| d.id == device.id) {
                *slot = Arc::new(device.clone());
            }
        });
        let name = label_of(&device);
        rename_open.set(false);
        announcer.say(if reset {
            format!("Back to its own name, {name}")
        } else {
            format!("Renamed to {name}")
        });
    });

    // "Show more" sends focus to the first device it added, so the keyboard carries on there.
    let more = move |_| {
        let first_new =
            found.with_untracked(|f| f.get(shown.get_untracked()).map(|e| e.device.id.clone()));
        shown.update(|n| *n += PAGE);
        if let Some(id) = first_new {
            focus_when_drawn(rename_button_id(&id));
        }
    };
    // The message mustn't cover the button just pressed, often low in the window.
    let toast = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if problem.with(Option::is_some) {
            request_animation_frame(move || uncover_focus(toast));
        }
    });
    provide_context(DeviceDialogsRequest {
        open,
        target,
        gone,
        return_to,
        rename_open,
        renaming,
        renaming_label,
        renamed,
    });
    let status = move || {
        let total = others.with(Vec::len);
        let matches = found.with(Vec::len);
        let showing = matches.min(shown.get());
        let q = query.with(|q| q.trim().to_owned());
        let others_word = if total == 1 {
            "other device"
        } else {
            "other devices"
        };
        let paged = if showing < matches {
            format!(", showing the first {}", grouped(showing))
        } else {
            String::new()
        };
        match (total, matches, q.is_empty()) {
            (0, ..) => "No other devices are signed in.".to_owned(),
            (_, _, true) => format!("{} {others_word}{paged}", grouped(total)),
            (_, 0, false) => format!("No device matches “{q}”."),
            _ => format!(
                "{} of {} {others_word}{paged}",
                grouped(matches),
                grouped(total)
            ),
        }
    };

    view! {
        <div class="devices-summary">
            <p class="device-count">{move || signed_in_count(devices.with(Vec::len))}</p>
            <SignOutAll devices=Signal::derive(move || devices.with(Vec::len)) on_done=refresh />
        </div>
        <section class="device-section" aria-labelledby="this-device-heading">
            <h2 id="this-device-heading">"This device"</h2>
            {move || me.get().map(|entry| view! {
                <ThisDevice entry on_rename=rename on_sign_out=sign_out_here />
            })}
        </section>
        <section class="device-section" aria-labelledby="other-devices-heading">
            <h2 id="other-devices-heading">"Other devices"</h2>
            {move || many.get().then(|| view! { <DeviceFinder query sort /> })}
            <p class="status device-status" role="status">{status}</p>
            {move || any_found.get().then(|| view! {
                <DeviceList devices=visible narrow on_sign_out=ask on_rename=rename />
            })}
            {move || {
                let left = found.with(Vec::len).saturating_sub(shown.get());
                (left > 0).then(|| view! {
                    <button type="button" class="secondary show-more" on:click=more>
                        {format!("Show {} more", left.min(PAGE))}
                    </button>
                })
            }}
        </section>
        // Opened from any row of a long list, so a failure to fetch them is said where it is
        // seen wherever the page is scrolled: at the foot of the window.
        <div class="toast" node_ref=toast>
            <FormError message=problem />
            {move || problem.with(Option::is_some).then(|| view! {
                <button type="button" class="quiet" on:click=move |_| problem.set(None)>
                    "Dismiss"
                </button>
            })}
        </div>
        <DeviceDialogsPart open rename_open problem />
    }
}

/// Scrolls the page up as far as the focused element (the button just pressed) is under
/// `toast`, fixed at the foot of the window, and a little more.
fn uncover_focus(toast: NodeRef<leptos::html::Div>) {
    let (Some(toast), Some(focused)) = (toast.get_untracked(), document().active_element()) else {
        return;
    };
    let under =
        focused.get_bounding_client_rect().bottom() - toast.get_bounding_client_rect().top();
    if under > 0.0 {
        window().scroll_by_with_x_and_y(0.0, under + 16.0);
    }
}

/// A row's "Sign out …?" and "Rename …", with the page's [`DeviceDialogsRequest`]: a part of
/// their own, fetched just after the page shows (most visits open neither).
#[component]
pub fn DeviceDialogs() -> impl IntoView {
    let DeviceDialogsRequest {
        open,
        target,
        gone,
        return_to,
        rename_open,
        renaming,
        renaming_label,
        renamed,
    } = expected();
    view! {
        <SignOutDeviceDialog open device=target confirm="Sign out"
            then="Anyone using it will need the password to sign in again." on_done=gone return_to />
        <RenameDialog open=rename_open device=renaming label=renaming_label on_renamed=renamed />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(change: DeviceChange, devices: &[&str]) -> DevicesChanged {
        DevicesChanged {
            change,
            devices: devices.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    #[test]
    fn says_which_devices_came_and_went() {
        let text = |c, d: &[&str]| devices_changed_text(&changed(c, d));
        assert_eq!(
            text(DeviceChange::SignedIn, &["Samsung TV"]),
            "Samsung TV signed in"
        );
        assert_eq!(
            text(DeviceChange::SignedOut, &["Alex's iPhone"]),
            "Alex's iPhone signed out"
        );
        assert_eq!(
            text(DeviceChange::SignedOut, &["A", "B", "C"]),
            "3 devices signed out"
        );
        assert_eq!(text(DeviceChange::SignedIn, &[]), "A device signed in");
        assert_eq!(text(DeviceChange::SignedOut, &[]), "Devices signed out");
        let many: Vec<String> = (0..1001).map(|i| format!("TV {i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            text(DeviceChange::SignedOut, &many),
            "1,001 devices signed out"
        );
    }
}
