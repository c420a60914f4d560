//! Each page is its own part of the wasm, fetched the first time the page is shown.
//!
//! The release build (`cargo xtask dist`) runs `wasm-split-cli` between cargo and wasm-bindgen:
//! every function below marks a split point, and the code only it reaches (the page, its
//! components, the decoding of its wire types) moves into that page's `.wasm` file. What
//! stays in the main module is the shell every page needs: the router, the session check,
//! the header, the error page and the clean-up on 401. The split points exist only with
//! `--cfg hallpass_split`, which that build sets: a module built without it (the wasm-bindgen
//! tests, `cargo check`) would import loaders no one provides, so there the same functions
//! are plain calls.
//!
//! [`PagePart`] shows a part: nothing for the first 300 ms, then "Loading…", and if the part
//! can't be fetched (the network went away between pages) the usual error with Retry.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::SplitLoaderError;
#[cfg(hallpass_split)]
use leptos::wasm_split::wasm_split;

use crate::api::ApiError;
use crate::components::{LoadError, ManagerOnly, PageHeading, SignedIn, StepUpDialog, use_step_up};
use crate::pages;
use crate::routes::Page;

/// A part's module could not be fetched or instantiated.
#[derive(Debug)]
pub struct PartError;

impl From<SplitLoaderError> for PartError {
    fn from(_: SplitLoaderError) -> Self {
        PartError
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = T>>>;
type Shown = Result<AnyView, PartError>;
/// Fetches a part's module.
type Load = fn() -> Boxed<Result<(), SplitLoaderError>>;
/// Builds a part's view (once its module is here).
type Show = fn() -> Boxed<Shown>;

/// One page's part: `load` fetches its module; `show` builds the page (after `load`).
#[derive(Clone, Copy)]
pub struct Part {
    load: Load,
    show: Show,
}

/// Declares a page's split point and its [`Part`]. The module name is the part's file name.
macro_rules! parts {
    ($($part:ident, $preload:ident => $page:ident;)*) => {
        $(split_point!($part, $preload => page_view!($page));)*

        /// The part that holds `page`.
        pub fn part(page: Page) -> Part {
            match page {
                $(Page::$page => Part {
                    load: || Box::pin($preload()),
                    show: || Box::pin($part()),
                },)*
            }
        }
    };
}

/// A split point `$part` that shows `$view`, and `$preload`, which fetches its module.
macro_rules! split_point {
    ($part:ident, $preload:ident => $view:expr) => {
        #[cfg(hallpass_split)]
        #[wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible, preload($preload))]
        fn $part() -> Shown {
            Ok($view)
        }

        // Not split (the wasm-bindgen tests, `cargo check`): a plain call, nothing to fetch.
        #[cfg(not(hallpass_split))]
        async fn $part() -> Shown {
            Ok($view)
        }

        #[cfg(not(hallpass_split))]
        async fn $preload() -> Result<(), SplitLoaderError> {
            Ok(())
        }
    };
}

mod seldom;
pub use seldom::{
    DeviceDialogsPart, PinDialogPart, SignInCodePart, SignInNoticePart, SignOutAllDialogPart,
    UnlinkDialogPart, fetch_pin_dialog, load_sign_in_code,
};

/// A page, with the account pages' guards (signed in with a profile chosen, not a kids
/// profile) around it. The guards are in the parts, not the shell: the pages that need them
/// share them in a chunk, and a sign-in page never fetches them. `guard` is decided when the
/// part is compiled, so a part without guards doesn't refer to them at all.
macro_rules! page_view {
    ($page:ident) => {
        match const { guard(Page::$page) } {
            None => view! { <pages::$page /> }.into_any(),
            Some(any_profile) => view! {
                <SignedIn any_profile><ManagerOnly><pages::$page /></ManagerOnly></SignedIn>
            }
            .into_any(),
        }
    };
}

/// Whether `page` is guarded, and if so whether any profile will do ("Manage profiles" is
/// offered on "Who's watching?", before a profile is chosen).
const fn guard(page: Page) -> Option<bool> {
    match page {
        Page::ManageProfiles => Some(true),
        _ if page.is_account_page() => Some(false),
        _ => None,
    }
}

parts! {
    home, preload_home => Home;
    sign_in, preload_sign_in => SignIn;
    forgot_password, preload_forgot_password => ForgotPassword;
    profiles, preload_profiles => Profiles;
    manage_profiles, preload_manage_profiles => ManageProfiles;
    account, preload_account => Account;
    change_password, preload_change_password => ChangePassword;
    change_email, preload_change_email => ChangeEmail;
    change_phone, preload_change_phone => ChangePhone;
    recovery, preload_recovery => Recovery;
    security, preload_security => Security;
    two_step, preload_two_step => TwoStep;
    devices, preload_devices => Devices;
    activity, preload_activity => Activity;
    signed_out, preload_signed_out => SignedOut;
}

// "Confirm it's you" is a part of its own, fetched the first time an action needs it, or
// just after an account page shows (the actions that need it are there).
split_point!(step_up_dialog, preload_step_up_dialog => view! { <StepUpDialog /> }.into_any());

/// "Confirm it's you", once an action has asked for it and its part is fetched. If the part
/// can't be fetched, the action fails as it would without a network.
#[component]
pub fn StepUpPart() -> impl IntoView {
    let step_up = use_step_up();
    on_demand(
        move || step_up.is_open(),
        || Box::pin(preload_step_up_dialog()),
        || Box::pin(step_up_dialog()),
        move || step_up.unavailable(),
    )
}

/// A part shown once `wanted` first holds and its module is fetched; `failed` runs if it
/// can't be, and the next time `wanted` holds tries again.
fn on_demand(
    wanted: impl Fn() -> bool + Send + Sync + 'static,
    load: Load,
    show: Show,
    failed: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let ready = RwSignal::new(false);
    Effect::new(move |_| {
        if wanted() && !ready.get_untracked() {
            spawn_local(async move {
                if load().await.is_ok() {
                    ready.try_set(true);
                } else {
                    failed();
                }
            });
        }
    });
    move || {
        ready
            .get()
            .then(|| now(show()).and_then(Result::ok))
            .flatten()
    }
}

/// Fetches a part just after the page shows (its own requests go first); a failure is
/// forgotten, and opening what needs it tries again.
fn fetch_soon(load: Load) {
    set_timeout(move || fetch(load), Duration::from_millis(50));
}

/// The live events' stream (`crate::live::stream`) is a part of its own: only the one tab of a
/// signed-in browser that holds the stream fetches it. Its future runs as long as the tab.
#[cfg(hallpass_split)]
#[wasm_split(live_stream, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn live_stream() -> Result<Boxed<()>, PartError> {
    Ok(Box::pin(crate::live::stream::run()))
}

#[cfg(not(hallpass_split))]
pub async fn live_stream() -> Result<Boxed<()>, PartError> {
    Ok(Box::pin(crate::live::stream::run()))
}

/// The page a visitor most likely opens next from `page`, fetched just after `page` is shown
/// (its own requests go first) so that following the link doesn't wait for the network.
/// Every `Link` also fetches its page's part when pointed at or focused.
const fn likely_next(page: Page) -> Option<Page> {
    match page {
        Page::Home | Page::SignIn => Some(Page::Profiles),
        Page::Profiles => Some(Page::Account),
        Page::Account => Some(Page::Security),
        Page::Security => Some(Page::Devices),
        Page::SignedOut => Some(Page::SignIn),
        _ => None,
    }
}

/// Fetches `page`'s part in the background; a failure is forgotten (the page's own load
/// will try again and show Retry if it has to).
pub fn preload(page: Page) {
    fetch(part(page).load);
}

/// Fetches a part in the background; a failure is forgotten.
fn fetch(load: Load) {
    spawn_local(async move {
        let _ = load().await;
    });
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Loading,
    Slow,
    Failed,
    Ready,
}

/// Shows `page` from its part, fetching the part first if this tab hasn't yet.
#[component]
pub fn PagePart(page: Page) -> impl IntoView {
    let Part { load, show } = part(page);
    let state = RwSignal::new(State::Loading);
    let pending = RwSignal::new(false);
    let fetch = move || {
        pending.set(true);
        spawn_local(async move {
            let loaded = load().await.is_ok();
            // `try_`: the visitor may have moved on to another page meanwhile.
            pending.try_set(false);
            state.try_set(if loaded { State::Ready } else { State::Failed });
            if loaded && let Some(next) = likely_next(page) {
                fetch_soon(part(next).load);
            }
            if loaded && page.is_account_page() {
                fetch_soon(|| Box::pin(preload_step_up_dialog()));
            }
        });
    };
    fetch();
    // A part already fetched resolves at once: no "Loading…" flashes on a warm navigation.
    set_timeout(
        move || {
            if state.try_get_untracked() == Some(State::Loading) {
                state.try_set(State::Slow);
            }
        },
        Duration::from_millis(300),
    );
    move || {
        match state.get() {
            State::Loading => ().into_any(),
            State::Slow => view! { <p class="status" role="status">"Loading…"</p> }.into_any(),
            State::Failed => failed(fetch, pending),
            State::Ready => match now(show()) {
                Some(Ok(view)) => view,
                // Loaded a moment ago, so this can't wait: a part that does is a build fault.
                _ => failed(fetch, pending),
            },
        }
    }
}

/// The page in place of one whose part couldn't be fetched: a heading of its own (the page's
/// is in the part), what went wrong, and Retry.
fn failed(fetch: impl Fn() + Copy + Send + Sync + 'static, pending: RwSignal<bool>) -> AnyView {
    view! {
        <PageHeading text="This page couldn't be loaded" />
        <LoadError error=ApiError::Network on_retry=Callback::new(move |()| fetch()) pending=pending.into() />
    }
    .into_any()
}

/// Polls `future` once: a part already loaded builds its page synchronously, inside the
/// reactive owner of the view being drawn (a page built after an `.await` would have none,
/// and no context to find the router or the session in).
fn now<T>(future: Boxed<T>) -> Option<T> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}
