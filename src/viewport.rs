//! The one breakpoint the app decides on in code (the devices page's table or cards, two-step
//! set-up's order): CSS can restyle a page, but not change which parts it draws first.

use leptos::prelude::*;

/// Below this width (CSS pixels) a page is laid out for a phone.
pub const NARROW_BELOW: i32 = 640;

/// True while the viewport is narrower than [`NARROW_BELOW`]; follows resizes and rotation.
pub fn narrow_viewport() -> Signal<bool> {
    let measure = || {
        window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .is_some_and(|w| w < f64::from(NARROW_BELOW))
    };
    let narrow = RwSignal::new(measure());
    let listener = window_event_listener(leptos::ev::resize, move |_| {
        let now = measure();
        if narrow.get_untracked() != now {
            narrow.set(now);
        }
    });
    on_cleanup(move || listener.remove());
    narrow.into()
}
