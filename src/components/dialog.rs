//! The one modal dialog of the app; confirmations, the PIN and step-up are built on it. One
//! is open at a time: "Confirm it's you" sets aside the dialog it interrupts.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::StepUp;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// A modal dialog on the native `<dialog>` with `showModal()`: the browser keeps Tab inside it
/// and closes it on Escape. Its content exists only while it is open, so a closed dialog's
/// fields never answer to a search by label (a closed "Password" beside the page's own). It is labelled by its title, focuses the element marked
/// `autofocus` (put it on Cancel for a destructive choice), and gives focus back on close —
/// to the element that had it, or to `return_to` when that element is gone.
#[component]
pub fn Dialog(
    /// Open while true; closing the dialog (Escape, a Cancel button) sets it false.
    open: RwSignal<bool>,
    #[prop(into)] title: Signal<String>,
    /// Where focus goes on close when the element that opened the dialog is gone.
    #[prop(optional, into)]
    return_to: Option<Callback<(), Option<web_sys::HtmlElement>>>,
    /// Runs whenever the dialog closes, however it was closed.
    #[prop(optional, into)]
    on_close: Option<Callback<()>>,
    /// "Confirm it's you" alone: it interrupts the others instead of being set aside.
    #[prop(optional)]
    on_top: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let title_id = format!("dialog-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    // Set aside while "Confirm it's you" is open: one dialog at a time, so people answer the
    // one in front of them, and Escape there comes back here rather than closing both. The
    // content (what was typed, the busy state) stays; `held` is where focus was in it.
    let set_aside = StoredValue::new(false);
    let held = StoredValue::new_local(None::<web_sys::HtmlElement>);

    let give_back_focus = move || {
        let back = opener
            .get_value()
            .filter(|e| e.is_connected())
            .or_else(|| return_to.and_then(|f| f.run(())));
        if let Some(el) = back {
            let _ = el.focus();
        }
    };

    Effect::new(move |_| {
        let Some(el) = dialog.get() else {
            return;
        };
        // Looked up here, not when the dialog is made: a dialog made outside `App`'s
        // context (a test's) has none, and then nothing covers it.
        let covered = !on_top && use_context::<StepUp>().is_some_and(StepUp::is_open);
        let wanted = open.get();
        if wanted && covered {
            if el.open() {
                held.set_value(
                    document()
                        .active_element()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                        .filter(|e| el.contains(Some(e))),
                );
                set_aside.set_value(true);
                el.close();
            }
        } else if wanted && !el.open() {
            if set_aside.get_value() {
                // Back from "Confirm it's you": as it was, focus where it was.
                set_aside.set_value(false);
                let _ = el.show_modal();
                if let Some(e) = held.get_value().filter(|e| e.is_connected()) {
                    let _ = e.focus();
                }
                return;
            }
            opener.set_value(
                document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
            );
            // After this frame's rendering, so the content is in place and showModal's
            // focusing steps find its `autofocus` or first field.
            request_animation_frame(move || {
                if open.get_untracked() && !el.open() {
                    let _ = el.show_modal();
                }
            });
        } else if !wanted && el.open() {
            el.close();
        } else if !wanted && set_aside.get_value() {
            // Finished while set aside (the action went on after step-up): no close event
            // will come, so focus goes back from here.
            set_aside.set_value(false);
            if let Some(f) = on_close {
                f.run(());
            }
            give_back_focus();
        }
    });

    let closed = move |_| {
        if set_aside.get_value() {
            return;
        }
        open.set(false);
        if let Some(f) = on_close {
            f.run(());
        }
        give_back_focus();
    };

    let labelled_by = title_id.clone();
    view! {
        <dialog class="dialog" aria-labelledby=labelled_by node_ref=dialog on:close=closed>
            {move || open.get().then(|| view! {
                <h2 id=title_id.clone()>{move || title.get()}</h2>
                {children()}
            })}
        </dialog>
    }
}
