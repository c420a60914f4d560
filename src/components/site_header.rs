use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::Page;

/// The banner at the top of every page.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <A href=Page::Home.href() attr:class="brand">
                <img class="brand-mark" src="/favicon.svg" alt="" width="24" height="24" />
                "Hallpass"
            </A>
        </header>
    }
}
