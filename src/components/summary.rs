//! The parts of an overview page (Account, Security): titled cards of rows, each row a label,
//! its value and the action that changes it; skeletons of the same size while they load; and
//! an inline error with Retry for a part whose request failed while the rest of the page shows.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::router::use_location;

/// A titled card, for a `<dl class="rows">` of [`Row`]s. Its heading's id is `section-<title in kebab case>`, so focus can be
/// sent there when something inside it goes away.
#[component]
pub fn SummaryCard(title: &'static str, children: Children) -> impl IntoView {
    let id = section_id(title);
    let labelled_by = id.clone();
    view! {
        <section class="card summary" aria-labelledby=labelled_by>
            <h2 id=id tabindex="-1">{title}</h2>
            {children()}
        </section>
    }
}

/// The titles are ours and in English: ASCII lower case is enough, and leaves Unicode's case
/// tables out of the wasm.
pub fn section_id(title: &str) -> String {
    format!("section-{}", title.to_ascii_lowercase().replace(' ', "-"))
}

/// The action of a row: a link to the page that changes the value. The visible text is short
/// ("Change"); the accessible name says what it changes ("Change email"), and starts with the
/// visible text so speech control finds it by what it shows (WCAG 2.5.3).
pub struct RowLink {
    pub href: &'static str,
    pub text: &'static str,
    pub name: String,
}

impl RowLink {
    pub fn new(href: &'static str, text: &'static str, name: impl Into<String>) -> Self {
        Self {
            href,
            text,
            name: name.into(),
        }
    }
}

/// One fact of a card: label, value and (optionally) the link that changes it, on one line
/// where there is room; on a phone the value goes under the label and the action stays right.
#[component]
pub fn Row(
    label: &'static str,
    #[prop(optional)] link: Option<RowLink>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="row">
            <dt>{label}</dt>
            <dd class="row-value">{children()}</dd>
            {link.map(|l| view! {
                <dd class="row-action"><RowAnchor link=l /></dd>
            })}
        </div>
    }
}

/// A row's action as an in-app link (as [`crate::components::Link`] does it: a plain click
/// navigates in place, a modified one is the browser's), with its own accessible name. Spreading
/// `aria-label` onto `Link` instead cost more wasm than this whole component.
#[component]
pub fn RowAnchor(link: RowLink) -> impl IntoView {
    let location = use_location();
    let href = link.href;
    let on_click = move |ev: web_sys::MouseEvent| {
        let modified = ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key();
        if !ev.default_prevented() && ev.button() == 0 && !modified {
            ev.prevent_default();
            location.navigate(href);
        }
    };
    view! {
        <a href=href class="row-link" aria-label=link.name on:click=on_click>{link.text}</a>
    }
}

/// One placeholder row: the same height as the row it stands for, so nothing moves when the
/// value arrives.
const SKELETON_ROW: &str = r#"<div class="row"><span class="skeleton skeleton-label"></span><span class="skeleton skeleton-value"></span></div>"#;

/// A card-shaped placeholder with `rows` rows, for a whole card that is still loading. Hidden
/// from screen readers, which hear the page's `status`. Static markup: a view built for each
/// row is code of its own in every page that waits for a card.
#[component]
pub fn SkeletonCard(rows: usize) -> impl IntoView {
    let mut markup =
        String::from(r#"<span class="skeleton skeleton-heading"></span><div class="rows">"#);
    for _ in 0..rows {
        markup.push_str(SKELETON_ROW);
    }
    markup.push_str("</div>");
    view! { <div class="card summary" aria-hidden="true" inner_html=markup></div> }
}

/// One part of a page couldn't be loaded: says so in a line, with Retry, where the part
/// would be. The rest of the page stays usable. Retry stays while it runs (`pending`), so
/// focus isn't lost under a keyboard user.
#[component]
pub fn PartError(
    /// What couldn't be loaded, as a sentence: "Your profiles couldn't be loaded."
    what: &'static str,
    error: ApiError,
    #[prop(into)] on_retry: Callback<()>,
    pending: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="part-error" role="alert">
            <p>
                <span class="part-error-title">{what}</span>
                " "
                {error.message()}
            </p>
            <button type="button" class="secondary"
                aria-disabled=move || pending.get().then_some("true")
                on:click=move |_| {
                    if !pending.get_untracked() {
                        on_retry.run(());
                    }
                }>
                "Retry"
            </button>
        </div>
    }
}
