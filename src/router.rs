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

use crate::context::expected;
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

    /// The page the current path names, read once (a component that is built anew for
    /// each page needs no subscription).
    pub fn page_untracked(self) -> Option<Page> {
        self.path.with_untracked(|path| Page::from_path(path))
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
    expected()
}

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".to_owned())
}

/// The value of `key` in the address's query, percent-decoded; read when a page is drawn.
pub fn query_param(key: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(key)
}

/// Where this address asks to go after signing in (`?next=`), if it is one of this app's
/// account pages: see [`crate::routes::return_to`], which never lets it leave the app.
///
/// Carried in the address rather than in session storage: it survives a reload of the sign-in
/// page, belongs to this one tab and this one visit (a stale value in storage could send a
/// later, unrelated sign-in somewhere unexpected), and what it does is visible in the address.
pub fn return_to() -> Option<String> {
    query_param("next").and_then(|next| crate::routes::return_to(&next))
}

/// `page`'s address carrying `value` along as `?key=` (`?next=` where to go after signing in,
/// `?email=` the address the reset was for), or just `page`'s address without one.
pub fn with_query(page: Page, key: &str, value: Option<&str>) -> String {
    match value {
        Some(value) => {
            let value: String = js_sys::encode_uri_component(value).into();
            format!("{}?{key}={value}", page.href())
        }
        None => page.href().to_owned(),
    }
}

/// This address, path and query, as a return-to address (`None` if it isn't one).
pub fn here() -> Option<String> {
    let location = window().location();
    let path = location.pathname().ok()?;
    let search = location.search().unwrap_or_default();
    crate::routes::return_to(&format!("{path}{search}"))
}

/// `href` without its query and fragment.
pub fn path_of(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}
