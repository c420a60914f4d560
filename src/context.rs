//! Reading what an ancestor component provided.
//!
//! Leptos's `expect_context` formats its panic with `{:?}` (the caller's `Location` and the
//! type's name): that links `Debug` for `str`, `Location` and the struct helpers into the wasm,
//! and each of its callers instantiates the formatting again. A missing context is a bug in
//! the app, never something a user can cause, so the panic here only names the type, from one
//! function that isn't generic.

use leptos::prelude::use_context;

/// The `T` an ancestor provided. Panics (naming `T` and the caller) if none did.
#[track_caller]
pub fn expected<T: Clone + 'static>() -> T {
    match use_context() {
        Some(value) => value,
        None => missing(std::any::type_name::<T>()),
    }
}

#[cold]
#[track_caller]
fn missing(what: &str) -> ! {
    panic!("no {what} was provided above this component")
}
