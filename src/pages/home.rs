use leptos::either::Either;
use leptos::html::P;
use leptos::prelude::*;

use crate::api;
use crate::components::{LoadError, PageHeading};

/// The start page: what Hallpass is, and whether it can reach its server.
#[component]
pub fn Home() -> impl IntoView {
    let health = LocalResource::new(api::health);
    let (pending, set_pending) = signal(false);
    // Made here, not by the prop's `into()` inside the Suspend: <Transition> keeps the error
    // view on screen after the Suspend's owner is disposed, and its button still reads this.
    let pending = Signal::from(pending);
    // After a successful Retry the button is gone; focus goes to the news instead of <body>.
    let retried = StoredValue::new(false);
    let retry = Callback::new(move |()| {
        retried.set_value(true);
        health.refetch();
    });

    view! {
        <PageHeading text="Your Hallpass account" />
        <p class="lead">
            "Decide who can use your streaming account: the profiles, the devices that are "
            "signed in, and how you sign in."
        </p>
        <section class="card" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection"</h2>
            <Transition
                fallback=|| view! { <p class="status" role="status">"Checking the connection…"</p> }
                set_pending
            >
                {move || Suspend::new(async move {
                    match health.await {
                        Ok(health) => Either::Left(view! {
                            <Connected version=health.version refocus=retried.get_value() />
                        }),
                        Err(error) => Either::Right(view! {
                            <LoadError error on_retry=retry pending />
                        }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Connected(version: String, refocus: bool) -> impl IntoView {
    let status = NodeRef::<P>::new();
    Effect::new(move |_| {
        if let Some(p) = status.get()
            && refocus
        {
            let _ = p.focus();
        }
    });
    view! {
        <p class="status status-ok" role="status" tabindex="-1" node_ref=status>
            "Connected to the Hallpass server (version " {version} ")."
        </p>
    }
}
