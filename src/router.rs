//! A small client-side router over the History API.
//!
//! Why not leptos_router: measured with this project's release settings, it adds about 43 KB
//! brotli to the first load (a Leptos page with signals and a resource is 48 KB; the same
//! with leptos_router, 91 KB), against a 100 KB budget for the whole app. What this app needs
//! from a router is small: which [`Page`] the address names, Back and Forward, and links
//! that don't reload the page. That is this module and [`crate::components::Link`].

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::routes::Page;

/// The address the app shows, shared through context.
#[derive(Clone, Copy, Debug)]
pub struct Location {
    path: RwSignal<String>,
}

impl Location {
    /// The current path, without query or fragment. Reactive.
    pub fn path(self) -> String {
        self.path.get()
    }

    /// The page the current path names, if any. Reactive.
    pub fn page(self) -> Option<Page> {
        self.path.with(|path| Page::from_path(path))
    }

    /// Goes to `href` (a path of this app) with a new history entry and no page load.
    pub fn navigate(self, href: &str) {
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(href));
        }
        self.path.set(path_of(href).to_owned());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    }
}

impl Location {
    /// Goes to `href` in place of the current history entry: for redirects, so that Back
    /// doesn't return to a page that only sends the user on again.
    pub fn replace(self, href: &str) {
        if let Ok(history) = window().history() {
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(href));
        }
        self.path.set(path_of(href).to_owned());
    }
}

/// Starts routing from the browser's address and follows Back and Forward. Once, in `App`.
pub fn provide_location() -> Location {
    let location = Location {
        path: RwSignal::new(current_path()),
    };
    let listener = window_event_listener(ev::popstate, move |_| location.path.set(current_path()));
    on_cleanup(move || listener.remove());
    provide_context(location);
    location
}

/// The [`Location`] that `App` provided.
pub fn use_location() -> Location {
    expect_context()
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned())
}

/// `href` without its query and fragment.
fn path_of(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}
