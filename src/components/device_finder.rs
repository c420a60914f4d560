//! Finding a device among many: every device's label (same-named devices told apart), a search
//! by name, kind or place, and a sort. All of it runs in the browser: `GET /api/devices`
//! returns the whole list anyway (a thousand devices are about 25 KB compressed), so filtering
//! as you type costs no request, and the labels, numbered over the whole list, stay the same
//! whatever the search shows.

use std::cmp::Ordering;
use std::sync::Arc;

use hallpass_api::Device;
use leptos::prelude::*;

use crate::components::{device_name, kind_label, place};

/// A device as the list shows it. Shared ([`Arc`]) between the whole list, the search's
/// matches and the rows drawn, which are copies of pointers, not of devices: with the
/// devices themselves copied at each step, a first draw of a thousand copied every one of
/// them three times (about 45,000 small allocations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub device: Arc<Device>,
    /// What the page and the buttons call it: its name, and for a name that several devices
    /// share, where it is and, if that is shared too, its number in the order they signed in
    /// ("Chrome on Windows (Lisbon, #2)").
    pub label: String,
    /// Lowercase text a search looks in: the label first (`..label_end`, the name sort's key),
    /// then kind, software and place.
    haystack: String,
    label_end: usize,
}

/// Sorts positions with `cmp`, stably. Every order of the page goes through this one
/// instantiation of the standard sort: each closure type would add its own copy to the wasm.
fn sort_positions(positions: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    positions.sort_by(|&a, &b| cmp(a, b));
}

/// The lengths of the runs of equal items in `positions` (already sorted by `key`).
fn runs<K: PartialEq>(positions: &[usize], key: impl Fn(usize) -> K) -> Vec<usize> {
    let mut lengths = Vec::new();
    let mut i = 0;
    while i < positions.len() {
        let first = key(positions[i]);
        let n = positions[i..]
            .iter()
            .take_while(|&&p| key(p) == first)
            .count();
        lengths.push(n);
        i += n;
    }
    lengths
}

/// The devices as a list keeps them: each one allocated once, and only pointers copied
/// after that (into [`Entry`], the search's matches and the rows).
pub fn shared(list: Vec<Device>) -> Vec<Arc<Device>> {
    list.into_iter().map(Arc::new).collect()
}

/// Labels and search text for every device, in the same order.
pub fn labelled(devices: &[Arc<Device>]) -> Vec<Arc<Entry>> {
    let names: Vec<String> = devices.iter().map(|d| device_name(d)).collect();
    // Where: the city, else the country; nothing when the address can't be placed.
    let wheres: Vec<Option<&str>> = devices
        .iter()
        .map(|d| {
            d.location
                .as_ref()
                .and_then(|l| l.city.as_deref().or(l.country.as_deref()))
        })
        .collect();
    // By name, place and when they signed in: devices to tell apart end up side by side, in
    // the order they are numbered. A number stays with its device while others come and go
    // after it.
    let mut order: Vec<usize> = (0..devices.len()).collect();
    sort_positions(&mut order, &|a, b| {
        let key = |i: usize| {
            (
                &names[i],
                wheres[i],
                &devices[i].signed_in_at.0,
                &devices[i].id,
            )
        };
        key(a).cmp(&key(b))
    });
    let mut shared = vec![false; devices.len()];
    let mut number = vec![0usize; devices.len()];
    let mut start = 0;
    for same_name in runs(&order, |i| &names[i]) {
        let group = &order[start..start + same_name];
        if same_name > 1 {
            let mut at = 0;
            for same_place in runs(group, |i| wheres[i]) {
                for (n, &i) in group[at..at + same_place].iter().enumerate() {
                    shared[i] = true;
                    number[i] = if same_place > 1 { n + 1 } else { 0 };
                }
                at += same_place;
            }
        }
        start += same_name;
    }
    let labels: Vec<String> = (0..devices.len())
        .map(|i| {
            let name = &names[i];
            match (shared[i], wheres[i], number[i]) {
                (false, ..) | (true, None, 0) => name.clone(),
                (true, Some(at), 0) => format!("{name} ({at})"),
                (true, Some(at), n) => format!("{name} ({at}, #{n})"),
                (true, None, n) => format!("{name} (#{n})"),
            }
        })
        .collect();
    // Each device's label, then the rest of what a search looks in, lowercased in one go.
    let mut texts = Vec::with_capacity(devices.len() * 2);
    for (device, label) in devices.iter().zip(&labels) {
        texts.push(label.clone());
        texts.push(format!(
            " {} {} {} {} {}",
            device.name,
            kind_label(device.kind),
            device.browser,
            device.os,
            place(device.location.as_ref())
        ));
    }
    let mut lower = lowercase_all(&texts).into_iter();
    devices
        .iter()
        .zip(labels)
        .map(|(device, label)| {
            let mut haystack = lower.next().unwrap_or_default();
            let label_end = haystack.len();
            haystack.push_str(&lower.next().unwrap_or_default());
            Arc::new(Entry {
                device: Arc::clone(device),
                label,
                haystack,
                label_end,
            })
        })
        .collect()
}

/// `text` in lower case as the browser makes it (`String.prototype.toLowerCase`: all of
/// Unicode, as `str::to_lowercase`). Rust's own carries Unicode's case tables into the wasm,
/// about 5 KB brotli on each page that used it.
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// [`lowercase`] of every text, with one call into JS for the whole list (a thousand devices
/// are two thousand texts).
fn lowercase_all(texts: &[String]) -> Vec<String> {
    const SEPARATOR: &str = "\0";
    let lower = lowercase(&texts.join(SEPARATOR));
    let lower: Vec<String> = lower.split(SEPARATOR).map(str::to_owned).collect();
    if lower.len() == texts.len() {
        lower
    } else {
        // A text held the separator itself (a name may hold anything): one at a time.
        texts.iter().map(|text| lowercase(text)).collect()
    }
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
pub fn find(entries: &[Arc<Entry>], query: &str, sort: SortBy) -> Vec<Arc<Entry>> {
    let query = lowercase(query);
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<usize> = (0..entries.len())
        .filter(|&i| words.iter().all(|w| entries[i].haystack.contains(w)))
        .collect();
    sort_positions(&mut found, &|a, b| {
        let (a, b) = (&entries[a], &entries[b]);
        let by = match sort {
            SortBy::Recent => Ordering::Equal,
            SortBy::Name => a.haystack[..a.label_end].cmp(&b.haystack[..b.label_end]),
            SortBy::Kind => kind_label(a.device.kind).cmp(kind_label(b.device.kind)),
        };
        by.then_with(|| b.device.last_active_at.0.cmp(&a.device.last_active_at.0))
    });
    found.into_iter().map(|i| Arc::clone(&entries[i])).collect()
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
