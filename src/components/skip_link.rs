use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, MouseEvent};

/// The first stop for keyboard users: a link that moves focus past the header to `target`.
///
/// The router would treat `#main` as a navigation and only scroll, and engines differ in
/// whether a fragment link moves focus, so the click focuses the target itself.
#[component]
pub fn SkipLink(target: &'static str) -> impl IntoView {
    let on_click = move |ev: MouseEvent| {
        let Some(el) = document().get_element_by_id(target) else {
            return;
        };
        ev.prevent_default();
        if let Ok(el) = el.dyn_into::<HtmlElement>() {
            let _ = el.focus();
            el.scroll_into_view();
        }
    };
    view! {
        <a class="skip-link" href=format!("#{target}") on:click=on_click>
            "Skip to main content"
        </a>
    }
}
