use std::sync::atomic::{AtomicBool, Ordering};

use leptos::html::H1;
use leptos::prelude::*;

/// Set once the first page has shown its heading.
static FIRST_PAGE_SHOWN: AtomicBool = AtomicBool::new(false);

/// A page's `<h1>`. It also names the browser tab, and after an in-app navigation it takes
/// focus, so keyboard and screen-reader users start on the new page as after a full load.
/// (On the first page focus stays where the browser put it.)
#[component]
pub fn PageHeading(#[prop(into)] text: String) -> impl IntoView {
    document().set_title(&format!("{text} · Hallpass"));
    let take_focus = FIRST_PAGE_SHOWN.swap(true, Ordering::Relaxed);
    let heading = NodeRef::<H1>::new();
    Effect::new(move |_| {
        if let Some(h1) = heading.get()
            && take_focus
        {
            let _ = h1.focus();
        }
    });
    view! {
        <h1 tabindex="-1" node_ref=heading>
            {text}
        </h1>
    }
}
