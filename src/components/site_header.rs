use leptos::prelude::*;

use crate::components::Link;
use crate::routes::Page;

/// The banner at the top of every page.
#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <Link href=Page::Home.href() class="brand">
                <img class="brand-mark" src="/favicon.svg" alt="" width="24" height="24" />
                "Hallpass"
            </Link>
        </header>
    }
}
