//! Browser tests of the components issue 4 added: the confirmation dialog's focus rules,
//! the devices table and its cards, and the clean-up that sign-out runs. In Chromium and
//! Firefox, through `cargo xtask test wasm-chromium wasm-firefox`.
#![cfg(target_arch = "wasm32")]

use hallpass::cleanup::clear_browser_data;
use hallpass::components::{ConfirmDialog, DEVICES_CAPTION, DeviceList, SortBy, labelled, shared};
use hallpass_api::{Device, DeviceKind, Location, ProfileRef, Timestamp};
use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlDialogElement, HtmlElement};

mod support;

use support::{container, find, settle};

wasm_bindgen_test_configure!(run_in_browser);

fn count(root: &HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("valid selector")
        .length()
}

fn focused_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

fn focused_text() -> String {
    document()
        .active_element()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// A dialog with an opener, as the devices page has it: the opener can be removed while the
/// dialog is open (its row was signed out), and focus must still land somewhere sensible.
fn mount_dialog(root: &HtmlElement, open: RwSignal<bool>, opener_shown: RwSignal<bool>) {
    let confirmed = RwSignal::new(0);
    let view = mount_to(root.clone(), move || {
        view! {
            <h1 id="fallback" tabindex="-1">"Heading"</h1>
            <Show when=move || opener_shown.get()>
                <button id="opener" on:click=move |_| open.set(true)>"Open"</button>
            </Show>
            <ConfirmDialog
                open
                title="Sign out Samsung TV?"
                confirm="Sign out"
                busy=false
                error=Signal::derive(|| None::<String>)
                on_confirm=Callback::new(move |()| confirmed.update(|n| *n += 1))
                return_to=Callback::new(|()| {
                    document().get_element_by_id("fallback").map(|e| e.unchecked_into())
                })
            >
                <p>"Samsung TV will be signed out."</p>
            </ConfirmDialog>
        }
    });
    view.forget();
}

#[wasm_bindgen_test]
async fn the_dialog_is_modal_named_by_its_title_and_starts_on_cancel() {
    let root = container();
    let open = RwSignal::new(false);
    mount_dialog(&root, open, RwSignal::new(true));
    settle().await;
    find(&root, "#opener").click();
    find(&root, "#opener").focus().expect("focus");
    settle().await;

    let dialog: HtmlDialogElement = find(&root, "dialog").unchecked_into();
    assert!(dialog.open(), "the dialog opened");
    assert!(
        dialog.matches(":modal").unwrap_or(false),
        "it is modal (showModal), so the page behind is inert"
    );
    let title_id = dialog.get_attribute("aria-labelledby").expect("labelled");
    let title = document()
        .get_element_by_id(&title_id)
        .expect("title element");
    assert_eq!(
        title.text_content().as_deref(),
        Some("Sign out Samsung TV?")
    );
    assert_eq!(
        focused_text(),
        "Cancel",
        "focus starts on the least destructive choice"
    );

    // Cancel closes it and gives focus back to the button that opened it.
    let cancel: HtmlElement = document().active_element().expect("focus").unchecked_into();
    cancel.click();
    settle().await;
    assert!(!dialog.open());
    assert!(!open.get_untracked());
    assert_eq!(focused_id(), "opener");
}

#[wasm_bindgen_test]
async fn when_the_opener_is_gone_focus_goes_to_the_fallback() {
    let root = container();
    let open = RwSignal::new(false);
    let opener_shown = RwSignal::new(true);
    mount_dialog(&root, open, opener_shown);
    settle().await;
    find(&root, "#opener").focus().expect("focus");
    open.set(true);
    settle().await;
    // The row with the opener disappears while the dialog is open, then the dialog closes.
    opener_shown.set(false);
    settle().await;
    open.set(false);
    settle().await;
    assert_eq!(focused_id(), "fallback");
}

fn device(id: &str, name: &str, kind: DeviceKind, current: bool) -> Device {
    Device {
        id: id.to_owned(),
        current,
        nickname: None,
        name: name.to_owned(),
        kind,
        browser: "Chrome".to_owned(),
        os: "Linux".to_owned(),
        last_profile: Some(ProfileRef {
            id: "p1".to_owned(),
            name: "Alex".to_owned(),
            avatar: "ocean".to_owned(),
        }),
        signed_in_at: Timestamp("2026-11-01T10:00:00Z".to_owned()),
        last_active_at: Timestamp("2026-11-20T10:00:00Z".to_owned()),
        location: Some(Location {
            city: Some("Lisbon".to_owned()),
            country: Some("Portugal".to_owned()),
        }),
        ip_hint: "203.0.113.x".to_owned(),
    }
}

fn three_devices() -> Vec<Device> {
    let mut tv = device("d2", "Samsung TV", DeviceKind::Tv, false);
    tv.nickname = Some("Living room".to_owned());
    tv.location = None;
    vec![
        device("d1", "Chrome on Linux", DeviceKind::Computer, true),
        tv,
        device("d3", "Safari on iPhone", DeviceKind::Phone, false),
    ]
}

#[wasm_bindgen_test]
async fn the_device_table_has_a_caption_headers_and_one_row_per_device() {
    let root = container();
    let devices = RwSignal::new(three_devices());
    let entries = Signal::derive(move || labelled(&shared(devices.get())));
    let pressed = RwSignal::new(None::<String>);
    let renaming = RwSignal::new(None::<String>);
    let view = mount_to(root.clone(), move || {
        view! {
            <DeviceList devices=entries narrow=false
                on_sign_out=Callback::new(move |d: Device| pressed.set(Some(d.id)))
                on_rename=Callback::new(move |d: Device| renaming.set(Some(d.id))) />
        }
    });
    view.forget();
    settle().await;

    assert_eq!(
        find(&root, "table caption").text_content().as_deref(),
        Some(DEVICES_CAPTION)
    );
    assert_eq!(count(&root, "thead th[scope=col]"), 5);
    assert_eq!(count(&root, "tbody tr"), 3);
    assert_eq!(
        count(&root, "tbody th[scope=row]"),
        3,
        "each row is headed by its device"
    );

    let first = find(&root, "tbody tr:nth-child(1)")
        .text_content()
        .unwrap_or_default();
    assert!(first.contains("This device"), "{first}");
    assert_eq!(
        count(&root, ".badge"),
        1,
        "only the current device is marked"
    );

    // The nickname names the device; a missing location is said, not left blank.
    let tv = find(&root, "tbody tr:nth-child(2)");
    let text = tv.text_content().unwrap_or_default();
    assert!(
        text.contains("Living room") && text.contains("Unknown location"),
        "{text}"
    );
    let icon = find(&tv, "[role=img]");
    assert_eq!(icon.get_attribute("aria-label").as_deref(), Some("TV"));
    let time = find(&tv, "time");
    assert_eq!(
        time.get_attribute("datetime").as_deref(),
        Some("2026-11-20T10:00:00Z")
    );
    assert!(time.get_attribute("title").is_some_and(|t| !t.is_empty()));

    // Two buttons, each named with the device: "Rename", then "Sign out".
    let rename = find(&tv, "button:first-of-type");
    assert_eq!(rename.text_content().as_deref(), Some("Rename"));
    assert_eq!(
        rename.get_attribute("aria-label").as_deref(),
        Some("Rename Living room")
    );
    rename.click();
    assert_eq!(renaming.get_untracked().as_deref(), Some("d2"));
    let button = find(&tv, "button:last-of-type");
    assert_eq!(button.text_content().as_deref(), Some("Sign out"));
    assert_eq!(
        button.get_attribute("aria-label").as_deref(),
        Some("Sign out Living room")
    );
    button.click();
    assert_eq!(pressed.get_untracked().as_deref(), Some("d2"));

    // Removing a device removes its row, and only its row.
    devices.update(|d| d.retain(|x| x.id != "d2"));
    settle().await;
    assert_eq!(count(&root, "tbody tr"), 2);
    assert!(
        !root
            .text_content()
            .unwrap_or_default()
            .contains("Living room")
    );
}

#[wasm_bindgen_test]
async fn on_a_narrow_screen_the_table_becomes_cards_with_the_same_content() {
    let root = container();
    let devices = Signal::stored(labelled(&shared(three_devices())));
    let narrow = RwSignal::new(true);
    let view = mount_to(root.clone(), move || {
        view! { <DeviceList devices narrow on_sign_out=Callback::new(|_| ()) on_rename=Callback::new(|_| ()) /> }
    });
    view.forget();
    settle().await;

    assert_eq!(
        count(&root, "table"),
        0,
        "only one of the two is in the page"
    );
    let list = find(&root, "ul");
    assert_eq!(
        list.get_attribute("aria-label").as_deref(),
        Some(DEVICES_CAPTION)
    );
    assert_eq!(count(&root, "ul > li"), 3);
    let card = find(&root, "ul > li:nth-child(2)");
    let text = card.text_content().unwrap_or_default();
    for part in [
        "Living room",
        "Alex",
        "Unknown location",
        "IP 203.0.113.x",
        "Chrome · Linux",
    ] {
        assert!(text.contains(part), "the card lacks {part:?}: {text}");
    }
    assert_eq!(
        find(&card, "button:first-of-type")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Rename Living room")
    );
    assert_eq!(
        find(&card, "button:last-of-type")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Sign out Living room")
    );

    narrow.set(false);
    settle().await;
    assert_eq!(count(&root, "ul"), 0);
    assert_eq!(count(&root, "tbody tr"), 3);
}

async fn js(script: &str) -> JsValue {
    let promise: js_sys::Promise = js_sys::Function::new_no_args(script)
        .call0(&JsValue::NULL)
        .expect("script runs")
        .unchecked_into();
    JsFuture::from(promise).await.expect("script resolves")
}

#[wasm_bindgen_test]
async fn clean_up_clears_every_store_script_can_reach() {
    js(r#"return (async () => {
        localStorage.setItem("k", "v");
        sessionStorage.setItem("k", "v");
        document.cookie = "hallpass_test=1; Path=/";
        await new Promise((resolve, reject) => {
            const open = indexedDB.open("hallpass-test", 1);
            open.onupgradeneeded = () => open.result.createObjectStore("s");
            open.onsuccess = () => {
                const tx = open.result.transaction("s", "readwrite");
                tx.objectStore("s").put("v", "k");
                tx.oncomplete = () => { open.result.close(); resolve(); };
            };
            open.onerror = () => reject(open.error);
        });
        const cache = await caches.open("hallpass-test");
        await cache.put("/cached", new Response("v"));
    })();"#)
    .await;

    clear_browser_data().await;

    let left = js(r#"return (async () => ({
        local: localStorage.length,
        session: sessionStorage.length,
        cookie: document.cookie,
        idb: (await indexedDB.databases()).map(d => d.name).join(","),
        caches: (await caches.keys()).join(","),
    }))();"#)
    .await;
    let get = |key: &str| js_sys::Reflect::get(&left, &key.into()).expect("key");
    assert_eq!(get("local").as_f64(), Some(0.0));
    assert_eq!(get("session").as_f64(), Some(0.0));
    assert_eq!(get("cookie").as_string().as_deref(), Some(""));
    assert_eq!(get("idb").as_string().as_deref(), Some(""));
    assert_eq!(get("caches").as_string().as_deref(), Some(""));
}

#[wasm_bindgen_test]
fn same_named_devices_are_told_apart_by_place_then_by_sign_in_order() {
    let at = |id: &str, city: Option<&str>, signed_in: &str| {
        let mut d = device(id, "Chrome on Windows", DeviceKind::Computer, false);
        d.location = city.map(|c| Location {
            city: Some(c.to_owned()),
            country: None,
        });
        d.signed_in_at = Timestamp(signed_in.to_owned());
        d
    };
    let list = shared(vec![
        at("a", Some("Lisbon"), "2026-11-03T10:00:00Z"),
        at("b", Some("Austin"), "2026-11-01T10:00:00Z"),
        at("c", Some("Lisbon"), "2026-11-02T10:00:00Z"),
        device("d", "Samsung TV", DeviceKind::Tv, false),
    ]);
    let labels: Vec<String> = labelled(&list)
        .into_iter()
        .map(|e| e.label.clone())
        .collect();
    assert_eq!(
        labels,
        [
            "Chrome on Windows (Lisbon, #2)",
            "Chrome on Windows (Austin)",
            "Chrome on Windows (Lisbon, #1)",
            "Samsung TV",
        ]
    );
    // The labels come from the whole list, so a search doesn't renumber what it shows.
    let found = hallpass::components::find(&labelled(&list), "lisbon #2", SortBy::Name);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].label, "Chrome on Windows (Lisbon, #2)");
    let by_name: Vec<String> = hallpass::components::find(&labelled(&list), "", SortBy::Name)
        .into_iter()
        .map(|e| e.label.clone())
        .collect();
    assert_eq!(by_name[0], "Chrome on Windows (Austin)");
    assert_eq!(by_name[3], "Samsung TV");
}

#[wasm_bindgen_test]
fn a_search_ignores_case_in_any_script() {
    // Lower case is the browser's (all of Unicode), in one call for the whole list; a name
    // holding the separator that call uses falls back to one text at a time.
    let list = shared(vec![
        device("a", "ÉCRAN du SALON", DeviceKind::Tv, false),
        device("b", "Straße\0TV", DeviceKind::Tv, false),
        device("c", "Ξ Phone", DeviceKind::Phone, false),
    ]);
    let entries = labelled(&list);
    let found = |query: &str| -> Vec<String> {
        hallpass::components::find(&entries, query, SortBy::Name)
            .into_iter()
            .map(|e| e.device.id.clone())
            .collect()
    };
    assert_eq!(found("écran salon"), ["a"]);
    assert_eq!(found("STRASSE"), Vec::<String>::new());
    assert_eq!(found("straße"), ["b"]);
    assert_eq!(found("ξ"), ["c"]);
    assert_eq!(found("lisbon").len(), 3);
    // The labels themselves keep their case.
    assert_eq!(entries[0].label, "ÉCRAN du SALON");
}
