use leptos::prelude::*;
use web_sys::MouseEvent;

use crate::router::use_location;

/// A link to a page of the app. A plain click navigates without reloading; a click that asks
/// for something else (a new tab, a download) is left to the browser. The link to the page
/// being shown says so with `aria-current="page"`.
#[component]
pub fn Link(
    href: &'static str,
    #[prop(optional)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let location = use_location();
    let on_click = move |ev: MouseEvent| {
        let modified = ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key();
        if ev.default_prevented() || ev.button() != 0 || modified {
            return;
        }
        ev.prevent_default();
        location.navigate(href);
    };
    view! {
        <a
            href=href
            class=class
            aria-current=move || (location.path() == href).then_some("page")
            on:click=on_click
        >
            {children()}
        </a>
    }
}
