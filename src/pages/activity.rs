//! Account activity: what happened to the account, newest first, 50 at a time, grouped by day
//! ("Today", "Yesterday", "Monday 23 November") and filtered by what people look for: sign-ins,
//! changes, failures. One event's row and its "Wasn't you?" are in `activity_event`.

use hallpass_api::{ActivityEvent, ActivityKind, ActivityPage};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::activity_event::{EventItem, suspect_sign_in};
use crate::api::{self, ApiError};
use crate::components::{LoadError, PageHeading, focus_when_drawn, use_announcer};
use crate::routes::activity_event_id;
use crate::time;

/// "Account activity".
#[component]
pub fn Activity() -> impl IntoView {
    let (first, pending, retry) = crate::load::load(move || api::activity(None));
    view! {
        <PageHeading text="Account activity" />
        <p class="lead">"Sign-ins and changes to your account. If something wasn't you, you can act on it here."</p>
        {move || match first.get() {
            None => view! { <Placeholder /> }.into_any(),
            Some(Ok(page)) => view! { <Events page /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

/// What [`Placeholder`] shows: the words a screen reader hears, the filter, four rows.
const PLACEHOLDER: &str = concat!(
    r#"<span class="visually-hidden">Loading activity…</span>"#,
    r#"<span class="skeleton activity-skeleton-filter" aria-hidden="true"></span>"#,
    r#"<span class="skeleton activity-skeleton-row" aria-hidden="true"></span>"#,
    r#"<span class="skeleton activity-skeleton-row" aria-hidden="true"></span>"#,
    r#"<span class="skeleton activity-skeleton-row" aria-hidden="true"></span>"#,
    r#"<span class="skeleton activity-skeleton-row" aria-hidden="true"></span>"#,
);

/// Rows of the right size while the first page loads, so the page doesn't jump. Static
/// markup, which costs the wasm almost nothing.
#[component]
fn Placeholder() -> impl IntoView {
    view! { <div class="activity-loading" role="status" inner_html=PLACEHOLDER></div> }
}

/// What the filter shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Filter {
    All,
    SignIns,
    Changes,
    Failures,
}

impl Filter {
    const ALL: [Filter; 4] = [
        Filter::All,
        Filter::SignIns,
        Filter::Changes,
        Filter::Failures,
    ];

    fn label(self) -> &'static str {
        match self {
            Filter::All => "All",
            Filter::SignIns => "Sign-ins",
            Filter::Changes => "Changes",
            Filter::Failures => "Failures",
        }
    }

    fn value(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::SignIns => "sign-ins",
            Filter::Changes => "changes",
            Filter::Failures => "failures",
        }
    }

    /// "3 failures", "1 change", for the count that is announced.
    fn count(self, n: usize) -> String {
        let (one, many) = match self {
            Filter::All => ("event", "events"),
            Filter::SignIns => ("sign-in or sign-out", "sign-ins and sign-outs"),
            Filter::Changes => ("change", "changes"),
            Filter::Failures => ("failure", "failures"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }

    fn shows(self, kind: ActivityKind) -> bool {
        self == Filter::All || category(kind) == self
    }
}

/// Which filter an event belongs to. A kind this build doesn't know is a change: it is
/// something that happened to the account, not a sign-in this page can describe.
fn category(kind: ActivityKind) -> Filter {
    match kind {
        ActivityKind::SignedIn
        | ActivityKind::SignedOut
        | ActivityKind::DeviceSignedOut
        | ActivityKind::SignedOutAll => Filter::SignIns,
        ActivityKind::SignInFailed | ActivityKind::ProfilePinFailed => Filter::Failures,
        _ => Filter::Changes,
    }
}

/// One day of events: its local date (`yyyymmdd`), heading and events.
type Day = (u32, String, Vec<ActivityEvent>);

/// `events` (newest first) that `filter` shows, grouped by the day they happened where the
/// browser is.
fn by_day(events: &[ActivityEvent], filter: Filter) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for event in events.iter().filter(|e| filter.shows(e.kind)) {
        let at = event.at.as_str();
        let day = time::local_day(at).unwrap_or_default();
        match days.last_mut() {
            Some((d, _, list)) if *d == day => list.push(event.clone()),
            _ => days.push((day, time::day_heading(at), vec![event.clone()])),
        }
    }
    days
}

#[component]
fn Events(page: ActivityPage) -> impl IntoView {
    let announcer = use_announcer();
    let events = RwSignal::new(page.events);
    let next = RwSignal::new(page.next);
    let filter = RwSignal::new(Filter::All);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let suspect = suspect_sign_in();
    // Turn on two-step is offered only while it is off; asked only if a failure needs it.
    let two_step_on = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        if two_step_on.get_untracked().is_none() && events.with(|e| e.iter().any(|e| e.unusual)) {
            two_step_on.set(Some(false));
            spawn_local(async move {
                if let Ok(account) = api::account().await {
                    two_step_on.set(Some(account.two_factor.enabled));
                }
            });
        }
    });
    let days = Memo::new(move |_| events.with(|e| by_day(e, filter.get())));
    // An address that names an entry (the new sign-in notice's "Wasn't you?") shows it.
    let named = window().location().hash().ok();
    if let Some(id) = named.as_deref().and_then(|h| h.strip_prefix('#'))
        && events.with_untracked(|e| e.iter().any(|e| activity_event_id(&e.id) == id))
    {
        focus_when_drawn(id.to_owned());
    }

    let choose = move |chosen: Filter| {
        filter.set(chosen);
        let shown = events.with_untracked(|e| e.iter().filter(|e| chosen.shows(e.kind)).count());
        let more = if next.with_untracked(Option::is_some) {
            " so far. Load more to see older ones."
        } else {
            "."
        };
        announcer.say(format!("Showing {}{more}", chosen.count(shown)));
    };

    let more = Callback::new(move |()| {
        let Some(cursor) = next.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::activity(Some(cursor)).await {
                Ok(page) => {
                    let shown = filter.get_untracked();
                    let first_new = page.events.iter().find(|e| shown.shows(e.kind));
                    let added = page.events.iter().filter(|e| shown.shows(e.kind)).count();
                    // The first new entry takes focus, so reading goes on where the list grew.
                    if let Some(event) = first_new {
                        focus_when_drawn(activity_event_id(&event.id));
                    }
                    announcer.say(format!("Loaded older activity: {}", shown.count(added)));
                    events.update(|e| e.extend(page.events));
                    next.set(page.next);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    });

    view! {
        <fieldset class="activity-filter">
            <legend>"Show"</legend>
            <div class="segmented">
                {Filter::ALL.into_iter().map(|f| view! {
                    <label class="segment">
                        <input type="radio" name="activity-filter" value=f.value()
                            prop:checked=move || filter.get() == f
                            on:change=move |_| choose(f) />
                        <span>{f.label()}</span>
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
        {move || days.with(Vec::is_empty).then(|| view! {
            <p class="activity-empty">{move || match (filter.get(), next.with(Option::is_some)) {
                (Filter::All, _) => "No activity yet.".to_owned(),
                (f, true) => format!("No {} in the latest activity. Load more to look further back.", f.count(0).trim_start_matches("0 ")),
                (f, false) => format!("No {}.", f.count(0).trim_start_matches("0 ")),
            }}</p>
        })}
        <ol class="activity-days">
            {move || days.get().into_iter().map(|(day, heading, list)| {
                let heading_id = format!("activity-day-{day}");
                view! {
                    <li>
                        <h2 id=heading_id.clone() class="activity-day">{heading}</h2>
                        <ol class="activity" aria-labelledby=heading_id>
                            {list.into_iter().map(|event| view! {
                                <EventItem event two_step_on on_not_me=suspect.ask />
                            }).collect_view()}
                        </ol>
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || error.get().map(|error| view! {
            <LoadError error on_retry=more pending=Signal::from(busy) />
        })}
        {move || (next.with(Option::is_some) && error.with(Option::is_none)).then(|| view! {
            <button type="button" class="secondary"
                aria-disabled=move || busy.get().then_some("true")
                on:click=move |_| more.run(())>
                "Load more"
            </button>
        })}
        {suspect.dialog}
    }
}
