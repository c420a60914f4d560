use hallpass_api::TwoFactorStatus;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::{
    LoadError, PageHeading, PartError, Row, RowLink, SignOutAll, SkeletonCard, SummaryCard,
    devices_word,
};
use crate::routes::Page;

/// "Security & privacy": two-step verification, the devices, and account activity, each a
/// row with its action.
///
/// Two-step's state comes with the account, the device count from the devices list: if only
/// the devices fail, the rest of the page shows and the devices row offers its own Retry.
#[component]
pub fn Security() -> impl IntoView {
    let (two_factor, pending, retry_account) =
        crate::load::load(move || async move { api::account().await.map(|a| a.two_factor) });
    let (devices, devices_pending, retry_devices) =
        crate::load::load(move || async move { api::devices().await.map(|d| d.len()) });
    let retry_all = Callback::new(move |()| {
        retry_account.run(());
        if devices.with_untracked(|d| matches!(d, Some(Err(_)))) {
            retry_devices.run(());
        }
    });
    let part = DevicesPart {
        count: devices,
        pending: devices_pending,
        retry: retry_devices,
    };
    view! {
        <PageHeading text="Security & privacy" />
        {move || match two_factor.get() {
            None => view! {
                <p class="visually-hidden" role="status">"Loading…"</p>
                <SkeletonCard rows=1 />
                <SkeletonCard rows=2 />
            }.into_any(),
            Some(Ok(two_factor)) => view! { <Sections two_factor devices=part /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry_all pending /> }.into_any(),
        }}
    }
}

/// The device count's request, loaded on its own.
#[derive(Clone, Copy)]
struct DevicesPart {
    count: RwSignal<Option<Result<usize, ApiError>>>,
    pending: Signal<bool>,
    retry: Callback<()>,
}

#[component]
fn Sections(two_factor: TwoFactorStatus, devices: DevicesPart) -> impl IntoView {
    let left = two_factor.recovery_codes_left;
    let two_step_link = if two_factor.enabled {
        RowLink::new(
            Page::TwoStep.href(),
            "Manage",
            "Manage two-step verification",
        )
    } else {
        RowLink::new(
            Page::TwoStep.href(),
            "Set up",
            "Set up two-step verification",
        )
    };
    let two_step = if two_factor.enabled {
        view! {
            <span class="badge">"On"</span>
            <span class="row-detail">
                {format!("{left} recovery code{} left", if left == 1 { "" } else { "s" })}
            </span>
        }
        .into_any()
    } else {
        view! {
            <span class="badge badge-warn">"Off"</span>
            <span class="row-detail">"A password alone is enough to sign in."</span>
        }
        .into_any()
    };
    let loaded = Memo::new(move |_| devices.count.with(|c| matches!(c, Some(Ok(_)))));
    let count = Signal::derive(move || {
        devices.count.with(|c| {
            c.as_ref()
                .and_then(|r| r.as_ref().ok())
                .copied()
                .unwrap_or(1)
        })
    });
    view! {
        <SummaryCard title="How you sign in">
            <dl class="rows">
                <Row label="Two-step verification" link=two_step_link>{two_step}</Row>
            </dl>
        </SummaryCard>
        <SummaryCard title="Where you're signed in">
            <dl class="rows">
                <Row label="Devices"
                    link=RowLink::new(Page::Devices.href(), "Manage", "Manage access and devices")>
                    <DeviceCount part=devices />
                </Row>
                <Row label="Account activity"
                    link=RowLink::new(Page::Activity.href(), "Review", "Review account activity")>
                    <span class="row-detail">"Sign-ins, sign-outs and changes, newest first"</span>
                </Row>
            </dl>
            // Its confirmation says how many devices it ends, so it waits for the count.
            <Show when=move || loaded.get()>
                <div class="card-actions">
                    <SignOutAll devices=count on_done=Callback::new(move |_| {
                        devices.count.set(Some(Ok(1)));
                    }) />
                </div>
            </Show>
        </SummaryCard>
    }
}

/// "3 devices signed in", a skeleton while it loads, or a line and Retry if it couldn't be.
#[component]
fn DeviceCount(part: DevicesPart) -> impl IntoView {
    move || match part.count.get() {
        None => view! {
            <span class="skeleton skeleton-value" aria-hidden="true"></span>
        }
        .into_any(),
        Some(Ok(n)) => view! {
            <span>{devices_word(n) + " signed in"}</span>
            <span class="row-detail">"this one included"</span>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <PartError what="The devices couldn't be counted." error
                on_retry=part.retry pending=part.pending />
        }
        .into_any(),
    }
}
