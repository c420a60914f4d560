//! What the browser test files share: somewhere to mount a view, finding in it, and waiting
//! for effects. Each file under `tests/` is its own crate, so they include this with `mod`.

use std::time::Duration;

use leptos::prelude::document;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// A fresh element in `<body>` to mount one test's view into.
pub fn container() -> HtmlElement {
    let doc = document();
    let el = doc.create_element("div").expect("div");
    doc.body().expect("body").append_child(&el).expect("append");
    el.unchecked_into()
}

pub fn find(root: &HtmlElement, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("nothing matches {selector} in {}", root.inner_html()))
        .unchecked_into()
}

/// Lets effects, timers and the DOM catch up.
pub async fn settle() {
    gloo_timers::future::sleep(Duration::from_millis(30)).await;
}
