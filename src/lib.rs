//! Hallpass: the account pages of a streaming service, as a Leptos client-side app.
//!
//! - [`api`] is the only module that talks HTTP.
//! - [`routes`] names every page's path; [`router`] follows the address; [`app::App`]
//!   shows the page it names.
//! - `pages/` holds one file per page, `components/` the parts they share.

pub mod api;
pub mod app;
pub mod auth;
pub mod cleanup;
pub mod components;
pub mod context;
pub mod format;
pub mod live;
pub mod load;
pub mod pages;
pub mod parts;
pub mod router;
pub mod routes;
pub mod time;
pub mod viewport;

pub use app::App;

/// Mounts the app into `<body>`, replacing the static "Loading" placeholder of `index.html`.
pub fn start() {
    console_error_panic_hook::set_once();
    if let Some(boot) = leptos::prelude::document().get_element_by_id("boot") {
        boot.remove();
    }
    leptos::mount::mount_to_body(App);
}
