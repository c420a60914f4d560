//! Finding a device among many: every device's label (same-named devices told apart), a search
//! by name, kind or place, and a sort. All of it runs in the browser: `GET /api/devices`
//! returns the whole list anyway (a thousand devices are about 25 KB compressed), so filtering
//! as you type costs no request, and the labels, numbered over the whole list, stay the same
//! whatever the search shows.

use std::collections::HashMap;

use hallpass_api::Device;
use leptos::prelude::*;

use crate::components::{device_name, kind_label, place};

/// A device as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub device: Device,
    /// What the page and the buttons call it: its name, and for a name that several devices
    /// share, where it is and, if that is shared too, its number in the order they signed in
    /// ("Chrome on Windows (Lisbon, #2)").
    pub label: String,
    /// Lowercase text a search looks in: label, kind, software and place.
    haystack: String,
}

/// Labels and search text for every device, in the same order.
pub fn labelled(devices: &[Device]) -> Vec<Entry> {
    let names: Vec<String> = devices.iter().map(device_name).collect();
    let mut same_name: HashMap<&str, usize> = HashMap::new();
    for name in &names {
        *same_name.entry(name).or_default() += 1;
    }
    // Where: the city, else the country; nothing when the address can't be placed.
    let wheres: Vec<Option<&str>> = devices
        .iter()
        .map(|d| {
            d.location
                .as_ref()
                .and_then(|l| l.city.as_deref().or(l.country.as_deref()))
        })
        .collect();
    let mut same_place: HashMap<(&str, Option<&str>), Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        if same_name[name.as_str()] > 1 {
            same_place.entry((name, wheres[i])).or_default().push(i);
        }
    }
    // Numbered by when they signed in, so a number stays with its device while others come
    // and go after it.
    let mut number = vec![0usize; devices.len()];
    for group in same_place.values_mut().filter(|g| g.len() > 1) {
        group.sort_by(|&a, &b| {
            let (a, b) = (&devices[a], &devices[b]);
            (&a.signed_in_at.0, &a.id).cmp(&(&b.signed_in_at.0, &b.id))
        });
        for (n, &i) in group.iter().enumerate() {
            number[i] = n + 1;
        }
    }
    devices
        .iter()
        .enumerate()
        .map(|(i, device)| {
            let name = &names[i];
            let label = match (same_name[name.as_str()] > 1, wheres[i], number[i]) {
                (false, ..) => name.clone(),
                (true, Some(at), 0) => format!("{name} ({at})"),
                (true, Some(at), n) => format!("{name} ({at}, #{n})"),
                (true, None, 0) => name.clone(),
                (true, None, n) => format!("{name} (#{n})"),
            };
            let haystack = format!(
                "{label} {} {} {} {} {}",
                device.name,
                kind_label(device.kind),
                device.browser,
                device.os,
                place(device.location.as_ref())
            )
            .to_lowercase();
            Entry {
                device: device.clone(),
                label,
                haystack,
            }
        })
        .collect()
}

/// The orders the list can be read in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Most recently active first: the server's order.
    #[default]
    Recent,
    Name,
    Kind,
}

impl SortBy {
    const ALL: [SortBy; 3] = [SortBy::Recent, SortBy::Name, SortBy::Kind];

    fn value(self) -> &'static str {
        match self {
            SortBy::Recent => "recent",
            SortBy::Name => "name",
            SortBy::Kind => "kind",
        }
    }

    fn label(self) -> &'static str {
        match self {
            SortBy::Recent => "Most recent activity",
            SortBy::Name => "Name",
            SortBy::Kind => "Kind",
        }
    }
}

/// The entries that match every word of `query`, in `sort`'s order; ties keep the most
/// recently active first.
pub fn find(entries: &[Entry], query: &str, sort: SortBy) -> Vec<Entry> {
    let query = query.to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<Entry> = entries
        .iter()
        .filter(|e| words.iter().all(|w| e.haystack.contains(w)))
        .cloned()
        .collect();
    let recent = |a: &Entry, b: &Entry| b.device.last_active_at.0.cmp(&a.device.last_active_at.0);
    match sort {
        SortBy::Recent => found.sort_by(recent),
        SortBy::Name => found.sort_by(|a, b| {
            a.label
                .to_lowercase()
                .cmp(&b.label.to_lowercase())
                .then_with(|| recent(a, b))
        }),
        SortBy::Kind => found.sort_by(|a, b| {
            kind_label(a.device.kind)
                .cmp(kind_label(b.device.kind))
                .then_with(|| recent(a, b))
        }),
    }
    found
}

/// "1,000": the count as people read it.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The search box and the sort above the list. Typing filters at once; the count of matches
/// is in the polite status that follows these controls.
#[component]
pub fn DeviceFinder(query: RwSignal<String>, sort: RwSignal<SortBy>) -> impl IntoView {
    view! {
        <div class="device-finder" role="search" aria-label="Devices">
            <div class="field">
                <label for="device-search">"Find a device"</label>
                <input type="search" id="device-search" autocomplete="off"
                    aria-describedby="device-search-hint"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
                <p class="hint" id="device-search-hint">"By name, kind or place"</p>
            </div>
            <div class="field">
                <label for="device-sort">"Sort by"</label>
                <select id="device-sort" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    sort.set(
                        SortBy::ALL.into_iter().find(|s| s.value() == value).unwrap_or_default(),
                    );
                }>
                    {SortBy::ALL
                        .map(|s| {
                            view! {
                                <option value=s.value() selected=move || sort.get() == s>
                                    {s.label()}
                                </option>
                            }
                        })}
                </select>
            </div>
        </div>
    }
}
