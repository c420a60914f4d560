use std::sync::Arc;

use hallpass_api::{Device, DeviceKind};
use leptos::prelude::*;

use crate::components::device_finder::Entry;
use crate::time;

/// The caption of the devices table, and the name of the card list that replaces it.
pub const DEVICES_CAPTION: &str = "Devices signed in to your account";

/// Signed-in devices: a real table on wide screens and a list of cards with the same
/// content on narrow ones (`narrow`), so a phone never scrolls sideways. Only one of the two
/// is in the page, so a screen reader meets each device once.
#[component]
pub fn DeviceList(
    /// The devices to show, each with its label ([`crate::components::labelled`]).
    #[prop(into)]
    devices: Signal<Vec<Arc<Entry>>>,
    #[prop(into)] narrow: Signal<bool>,
    /// "Sign out" was pressed on a device.
    on_sign_out: Callback<Device>,
    /// "Rename" was pressed on a device.
    on_rename: Callback<Device>,
) -> impl IntoView {
    let actions = Actions {
        on_sign_out,
        on_rename,
    };
    move || {
        if narrow.get() {
            view! {
                <ul class="device-cards" aria-label=DEVICES_CAPTION>
                    <For each=move || devices.get() key=key let(entry)>
                        <DeviceCard entry actions />
                    </For>
                </ul>
            }
            .into_any()
        } else {
            view! {
                <table class="devices">
                    <caption>{DEVICES_CAPTION}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Device"</th>
                            <th scope="col">"Profile"</th>
                            <th scope="col">"Last active"</th>
                            <th scope="col">"Location"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || devices.get() key=key let(entry)>
                            <DeviceRow entry actions />
                        </For>
                    </tbody>
                </table>
            }
            .into_any()
        }
    }
}

/// A renamed (or renumbered) device is drawn again; one that is only more recently active is
/// not.
fn key(entry: &Arc<Entry>) -> (String, String, Option<String>) {
    (
        entry.device.id.clone(),
        entry.label.clone(),
        entry.device.nickname.clone(),
    )
}

/// What the buttons of a row or card do.
#[derive(Clone, Copy)]
struct Actions {
    on_sign_out: Callback<Device>,
    on_rename: Callback<Device>,
}

/// What a device is called: its nickname if it has one.
pub fn device_name(device: &Device) -> String {
    device
        .nickname
        .clone()
        .unwrap_or_else(|| device.name.clone())
}

/// The id of a device's "Sign out" button, for moving focus to it.
pub fn sign_out_button_id(device_id: &str) -> String {
    format!("sign-out-{device_id}")
}

/// The id of a device's "Rename" button, where focus returns after renaming.
pub fn rename_button_id(device_id: &str) -> String {
    format!("rename-{device_id}")
}

/// The text alternative of a device's kind icon.
pub fn kind_label(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Computer => "Computer",
        DeviceKind::Phone => "Phone",
        DeviceKind::Tablet => "Tablet",
        DeviceKind::Tv => "TV",
        DeviceKind::Console => "Game console",
        DeviceKind::Unknown => "Unknown device",
    }
}

fn kind_class(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Computer => "kind-icon kind-computer",
        DeviceKind::Phone => "kind-icon kind-phone",
        DeviceKind::Tablet => "kind-icon kind-tablet",
        DeviceKind::Tv => "kind-icon kind-tv",
        DeviceKind::Console => "kind-icon kind-console",
        DeviceKind::Unknown => "kind-icon kind-unknown",
    }
}

/// "Lisbon, Portugal"; "Unknown location" when the address can't be placed.
pub fn place(location: Option<&hallpass_api::Location>) -> String {
    let parts: Vec<&str> = location
        .into_iter()
        .flat_map(|l| [l.city.as_deref(), l.country.as_deref()])
        .flatten()
        .collect();
    if parts.is_empty() {
        "Unknown location".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The parts a row and a card both show.
struct Shown {
    id: String,
    rename_id: String,
    name: String,
    icon: &'static str,
    kind: &'static str,
    software: String,
    current: bool,
    profile: String,
    iso: String,
    relative: String,
    exact: String,
    place: String,
    ip: String,
}

impl Shown {
    fn of(device: &Device, label: String) -> Self {
        let at = device.last_active_at.as_str();
        Self {
            id: sign_out_button_id(&device.id),
            rename_id: rename_button_id(&device.id),
            name: label,
            icon: kind_class(device.kind),
            kind: kind_label(device.kind),
            software: format!("{} · {}", device.browser, device.os),
            current: device.current,
            profile: device
                .last_profile
                .as_ref()
                .map_or_else(|| "No profile chosen".to_owned(), |p| p.name.clone()),
            iso: at.to_owned(),
            relative: time::relative(at),
            exact: time::exact(at),
            place: place(device.location.as_ref()),
            ip: format!("IP {}", device.ip_hint),
        }
    }
}

/// The device's name, with its kind as an icon with a text alternative, its software and
/// the "This device" mark.
fn identity(s: &Shown) -> impl IntoView + use<> {
    view! {
        <span class=s.icon role="img" aria-label=s.kind></span>
        <span class="device-id">
            <span class="device-name">{s.name.clone()}</span>
            {s.current.then(|| view! { <span class="badge">"This device"</span> })}
            <span class="muted">{s.software.clone()}</span>
        </span>
    }
}

fn last_active(s: &Shown) -> impl IntoView + use<> {
    view! { <time datetime=s.iso.clone() title=s.exact.clone()>{s.relative.clone()}</time> }
}

/// "Rename" and "Sign out", each named with the device's label ("Sign out Samsung TV"). Rename
/// is quiet (a minor edit); Sign out is a plain secondary button, not red: it opens a
/// confirmation, the device can sign in again, and a column of red buttons would drown the
/// one red control of the page, "Sign out of all devices".
fn buttons(s: &Shown, device: Arc<Device>, actions: Actions) -> impl IntoView + use<> {
    let renamed = Arc::clone(&device);
    view! {
        <div class="device-actions">
            <button type="button" class="quiet" id=s.rename_id.clone()
                aria-label=format!("Rename {}", s.name)
                on:click=move |_| actions.on_rename.run((*renamed).clone())>
                "Rename"
            </button>
            <button type="button" class="secondary" id=s.id.clone()
                aria-label=format!("Sign out {}", s.name)
                on:click=move |_| actions.on_sign_out.run((*device).clone())>
                "Sign out"
            </button>
        </div>
    }
}

#[component]
fn DeviceRow(entry: Arc<Entry>, actions: Actions) -> impl IntoView {
    let s = Shown::of(&entry.device, entry.label.clone());
    let device = Arc::clone(&entry.device);
    view! {
        <tr>
            <th scope="row"><div class="device">{identity(&s)}</div></th>
            <td>{s.profile.clone()}</td>
            <td>{last_active(&s)}</td>
            <td>{s.place.clone()}<br /><span class="muted">{s.ip.clone()}</span></td>
            <td>{buttons(&s, device, actions)}</td>
        </tr>
    }
}

/// Profile, last active and location, as a card shows them.
fn details(s: &Shown) -> impl IntoView + use<> {
    view! {
        <dl>
            <dt>"Profile"</dt><dd>{s.profile.clone()}</dd>
            <dt>"Last active"</dt><dd>{last_active(s)}</dd>
            <dt>"Location"</dt><dd>{s.place.clone()}<br /><span class="muted">{s.ip.clone()}</span></dd>
        </dl>
    }
}

#[component]
fn DeviceCard(entry: Arc<Entry>, actions: Actions) -> impl IntoView {
    let s = Shown::of(&entry.device, entry.label.clone());
    let device = Arc::clone(&entry.device);
    view! {
        <li class="device-card">
            <div class="device">{identity(&s)}</div>
            {details(&s)}
            {buttons(&s, device, actions)}
        </li>
    }
}

/// The visible text of this device's own sign-out button: not "Sign out" like the others',
/// because it does something else (this browser leaves the account).
pub const SIGN_OUT_HERE: &str = "Sign out of this device";

/// This browser's own device, first and apart from the rest, marked "This device". Its
/// sign-out signs this browser out at once, as the header's "Sign out" does: nothing is lost
/// that signing in again doesn't bring back, so it asks nothing.
#[component]
pub fn ThisDevice(
    entry: Arc<Entry>,
    on_rename: Callback<Device>,
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let s = Shown::of(&entry.device, entry.label.clone());
    let device = Arc::clone(&entry.device);
    view! {
        <div class="device-card this-device">
            <div class="device">{identity(&s)}</div>
            {details(&s)}
            <div class="device-actions">
                <button type="button" class="quiet" id=s.rename_id.clone()
                    aria-label=format!("Rename {}", s.name)
                    on:click=move |_| on_rename.run((*device).clone())>
                    "Rename"
                </button>
                <button type="button" class="secondary" on:click=move |_| on_sign_out.run(())>
                    {SIGN_OUT_HERE}
                </button>
            </div>
        </div>
    }
}
