//! The shell every page shares: skip link, header, `<main>`, and the route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{SiteHeader, SkipLink};
use crate::pages::{Home, NotFound};

/// The id of `<main>`, the skip link's target.
pub const MAIN_ID: &str = "main";

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <SkipLink target=MAIN_ID />
            <SiteHeader />
            <main id=MAIN_ID tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                </Routes>
            </main>
        </Router>
    }
}
