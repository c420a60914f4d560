//! The end-to-end suite: the release app and the real server, driven in Chromium, Firefox ESR
//! and WebKitGTK over WebDriver. Every test runs once per engine, each against a server of
//! its own on a fresh database.
//!
//! `cargo xtask test e2e` builds what it needs and runs it. Run directly, it expects
//! `HALLPASS_DIST`, `HALLPASS_SERVER_BIN` and `HALLPASS_NODE_MODULES` (see `env.rs`).
//! Filters work as with libtest: `cargo test --test e2e -- firefox::skip`.

#[cfg(not(target_arch = "wasm32"))]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod env;
#[cfg(not(target_arch = "wasm32"))]
mod runner;
#[cfg(not(target_arch = "wasm32"))]
mod shell;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    runner::main(&[
        case!(shell::loads_with_landmarks_and_passes_axe),
        case!(shell::skip_link_moves_focus_to_main),
        case!(shell::deep_link_to_a_missing_page),
        case!(shell::offers_retry_when_the_server_is_down),
        // Only Chromium can switch prefers-color-scheme within a session; the CSS is the same
        // in every engine, so its contrast is checked once.
        case!(shell::dark_theme_passes_axe, [browser::Engine::Chromium]),
    ])
}

/// The suite is native; this keeps `cargo clippy --target wasm32-unknown-unknown` building.
#[cfg(target_arch = "wasm32")]
fn main() {}
