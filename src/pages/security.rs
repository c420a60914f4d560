use hallpass_api::TwoFactorStatus;
use leptos::prelude::*;

use crate::api;
use crate::auth::use_auth;
use crate::components::{Link, LoadError, PageHeading, SignOutAll};
use crate::routes::Page;

/// "Security & privacy": two-step verification, account activity, and the devices.
#[component]
pub fn Security() -> impl IntoView {
    let auth = use_auth();
    let (both, pending, retry) = crate::load::load(move || async move {
        let account = auth.check(api::account().await);
        let devices = auth.check(api::devices().await);
        account.and_then(|a| devices.map(|d| (a.two_factor, d.len())))
    });
    view! {
        <PageHeading text="Security & privacy" />
        {move || match both.get() {
            None => view! { <p class="status" role="status">"Loading…"</p> }.into_any(),
            Some(Ok((two_factor, devices))) => view! { <Sections two_factor devices /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

#[component]
fn Sections(two_factor: TwoFactorStatus, devices: usize) -> impl IntoView {
    let devices = RwSignal::new(devices);
    let status = if two_factor.enabled {
        format!(
            "On. You have {} recovery code{} left.",
            two_factor.recovery_codes_left,
            if two_factor.recovery_codes_left == 1 {
                ""
            } else {
                "s"
            }
        )
    } else {
        "Off. Turn it on so a password alone isn't enough to sign in.".to_owned()
    };
    let signed_in =
        move || crate::components::devices_word(devices.get()) + " signed in, this one included.";
    view! {
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"Two-step verification"</h2>
            <p>{status}</p>
            <p>
                <Link href=Page::TwoStep.href()>
                    {if two_factor.enabled { "Manage two-step verification" } else { "Set up two-step verification" }}
                </Link>
            </p>
        </section>
        <section class="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">"Account activity"</h2>
            <p>"Sign-ins, sign-outs and changes to your account, newest first."</p>
            <p><Link href=Page::Activity.href()>"Account activity"</Link></p>
        </section>
        <section class="card" aria-labelledby="access-heading">
            <h2 id="access-heading">"Access and devices"</h2>
            <p>{signed_in}</p>
            <p><Link href=Page::Devices.href()>"Manage access and devices"</Link></p>
            <SignOutAll devices on_done=Callback::new(move |_| devices.set(1)) />
        </section>
    }
}
