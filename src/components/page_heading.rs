use std::sync::atomic::{AtomicBool, Ordering};

use leptos::html::H1;
use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::Link;
use crate::router::use_location;

/// Set once the first page has shown its heading.
static FIRST_PAGE_SHOWN: AtomicBool = AtomicBool::new(false);

/// A page's `<h1>`. It also names the browser tab, and after an in-app navigation it takes
/// focus, so keyboard and screen-reader users start on the new page as after a full load.
/// (On the first page focus stays where the browser put it.)
///
/// Above the heading of a sub-page, its way back ("‹ Account"), always in the same place: the
/// parent comes from [`crate::routes::Page::parent`], so no page draws its own.
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
    let auth = use_auth();
    let page = use_location().page_untracked();
    // A kids profile sees a block on these pages; a way back to another block helps no one.
    let back = move || {
        let chosen = auth
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.profile.is_some()));
        page.and_then(|p| p.parent(chosen))
            .filter(|_| !auth.kids())
            .map(|(parent, name)| {
                view! {
                    <p class="back-link">
                        <Link href=parent.href()>
                            <span aria-hidden="true">"‹"</span>
                            <span class="visually-hidden">"Back to "</span>
                            {name}
                        </Link>
                    </p>
                }
            })
    };
    view! {
        {back}
        <h1 tabindex="-1" node_ref=heading>
            {text}
        </h1>
    }
}
