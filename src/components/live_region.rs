use leptos::prelude::*;

use crate::context::expected;

/// The one polite live region: results of actions ("Signed out Samsung TV") are read out
/// from here, whatever page or dialog the user is on.
#[derive(Clone, Copy, Debug)]
pub struct Announcer {
    text: RwSignal<String>,
    /// The last message and when it was said (ms since the epoch).
    last: StoredValue<(f64, String)>,
}

impl Announcer {
    /// Says `message` to screen-reader users without moving focus. The region is emptied
    /// first and filled a moment later, so the same message twice is read twice.
    ///
    /// Two messages within a second are said together ("Samsung TV signed in. New sign-in on
    /// Samsung TV"): a live event can bring two at once, and the second would replace the
    /// first before anyone heard it.
    pub fn say(self, message: impl Into<String>) {
        let mut message = message.into();
        let now = js_sys::Date::now();
        let (at, before) = self.last.get_value();
        if now - at < 1000.0 && !before.is_empty() && before != message {
            let stop = if before.ends_with(['.', '!', '?']) {
                ""
            } else {
                "."
            };
            message = format!("{before}{stop} {message}");
        }
        self.last.set_value((now, message.clone()));
        self.text.set(String::new());
        set_timeout(
            move || self.text.set(message),
            std::time::Duration::from_millis(50),
        );
    }
}

/// Provides the [`Announcer`]; once, in `App`.
pub fn provide_announcer() -> Announcer {
    let announcer = Announcer {
        text: RwSignal::new(String::new()),
        last: StoredValue::new((0.0, String::new())),
    };
    provide_context(announcer);
    announcer
}

pub fn use_announcer() -> Announcer {
    expected()
}

/// Where the [`Announcer`] speaks: present from the first render, as live regions must be.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let announcer = use_announcer();
    view! {
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            {move || announcer.text.get()}
        </div>
    }
}
