use leptos::prelude::*;
use web_sys::MouseEvent;

use crate::parts::preload;
use crate::router::{path_of, use_location};
use crate::routes::Page;

/// A link to a page of the app. A plain click navigates without reloading; a click that asks
/// for something else (a new tab, a download) is left to the browser. The link to the page
/// being shown says so with `aria-current="page"`. Pointing at the link or focusing it starts
/// fetching its page's part, so the click rarely waits for the network.
#[component]
pub fn Link(
    href: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    /// The link heads a section of the app (Security): it is current on the pages under it
    /// too (`aria-current="true"` there, `"page"` on its own address).
    #[prop(optional)]
    section: bool,
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let on_click = move |ev: MouseEvent| {
        if in_app_click(&ev) {
            ev.prevent_default();
            location.navigate(href);
        }
    };
    let fetch_part = move || {
        if let Some(page) = Page::from_path(path_of(href)) {
            preload(page);
        }
    };
    view! {
        <a
            href=href
            class=class
            aria-current=move || {
                let path = location.path();
                if path == href {
                    Some("page")
                } else if section && path.starts_with(href) && path[href.len()..].starts_with('/') {
                    Some("true")
                } else {
                    None
                }
            }
            on:click=on_click
            on:pointerenter=move |_| fetch_part()
            on:focus=move |_| fetch_part()
        >
            {children()}
        </a>
    }
}

/// A plain click, which the app follows itself without reloading; one that asks for something
/// else (a new tab or window, a download: a modifier key or another button) is the browser's.
pub fn in_app_click(ev: &MouseEvent) -> bool {
    let modified = ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key();
    !ev.default_prevented() && ev.button() == 0 && !modified
}
