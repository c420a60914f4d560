use leptos::html::P;
use leptos::prelude::*;

use crate::api;
use crate::components::{LoadError, PageHeading};

/// The start page: what Hallpass is, and whether it can reach its server.
#[component]
pub fn Home() -> impl IntoView {
    let (health, pending, refetch) = crate::load::load(api::health);
    // After a successful Retry the button is gone; focus goes to the news instead of <body>.
    let retried = StoredValue::new(false);
    let retry = Callback::new(move |()| {
        retried.set_value(true);
        refetch.run(());
    });

    view! {
        <PageHeading text="Your Hallpass account" />
        <p class="lead">
            "Decide who can use your streaming account: the profiles, the devices that are "
            "signed in, and how you sign in."
        </p>
        <section class="card" aria-labelledby="connection-heading">
            <h2 id="connection-heading">"Connection"</h2>
                {move || match health.get() {
                    None => view! { <p class="status" role="status">"Checking the connection…"</p> }.into_any(),
                    Some(Ok(health)) => view! {
                            <Connected version=health.version refocus=retried.get_value() />
                        }.into_any(),
                    Some(Err(error)) => view! {
                            <LoadError error on_retry=retry pending />
                        }.into_any(),
                }}
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
