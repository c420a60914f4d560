//! The one modal dialog of the app; confirmations, the PIN and step-up are built on it.

use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

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
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let title_id = format!("dialog-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);

    Effect::new(move |_| {
        let Some(el) = dialog.get() else {
            return;
        };
        if open.get() && !el.open() {
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
        } else if !open.get() && el.open() {
            el.close();
        }
    });

    let closed = move |_| {
        open.set(false);
        if let Some(f) = on_close {
            f.run(());
        }
        let back = opener
            .get_value()
            .filter(|e| e.is_connected())
            .or_else(|| return_to.and_then(|f| f.run(())));
        if let Some(el) = back {
            let _ = el.focus();
        }
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
