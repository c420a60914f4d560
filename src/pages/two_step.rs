//! Two-step verification (Security): turn it on with an authenticator app, see the recovery
//! codes once, get new ones, or turn it off. Every change but the first code is behind
//! step-up; turning it off and replacing the codes ask first. Turning it on or off offers
//! "Sign out of all other devices" (checked), done by the server in the same change.

use hallpass_api::{TotpSetup, TwoFactorStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::two_step_setup::{Setup, to_clipboard};
use crate::api;
use crate::components::{
    ConfirmDialog, FormError, LoadError, PageHeading, Submit, focus_when_drawn, use_announcer,
    use_step_up,
};

/// Where the page is.
#[derive(Clone, PartialEq)]
enum Step {
    Status(TwoFactorStatus),
    Setup(TotpSetup),
    Codes(Vec<String>),
}

#[component]
pub fn TwoStep() -> impl IntoView {
    let (loaded, pending, retry) = crate::load::load(api::account);
    view! {
        <PageHeading text="Two-step verification" />
        <p class="lead">
            "With two-step verification on, signing in takes your password and a code from an "
            "authenticator app, so a stolen password alone isn't enough."
        </p>
        {move || match loaded.get() {
            None => view! { <p class="status" role="status">"Loading…"</p> }.into_any(),
            Some(Ok(account)) => view! { <Flow status=account.two_factor /> }.into_any(),
            Some(Err(error)) => view! { <LoadError error on_retry=retry pending /> }.into_any(),
        }}
    }
}

#[component]
fn Flow(status: TwoFactorStatus) -> impl IntoView {
    let step_up = use_step_up();
    let announcer = use_announcer();
    let step = RwSignal::new(Step::Status(status));
    let form = Submit::new();
    let off_open = RwSignal::new(false);
    let renew_open = RwSignal::new(false);
    // "Sign out of all other devices" in the Turn off dialog, checked each time it opens.
    let off_signs_out = RwSignal::new(true);
    let go = move |next: Step| {
        step.set(next);
        // The new step's heading, so a screen reader starts reading there.
        focus_when_drawn("two-step-step".to_owned());
    };

    let turn_on = move |_| {
        if !form.ready() {
            return;
        }
        form.send(
            async move { step_up.run(api::start_totp).await },
            move |result| match result {
                Ok(setup) => go(Step::Setup(setup)),
                Err(e) => form.fail(e, &[]),
            },
        );
    };
    let renew = Callback::new(move |()| {
        if !form.ready() {
            return;
        }
        form.send(
            async move { step_up.run(api::new_recovery_codes).await },
            move |result| match result {
                Ok(codes) => {
                    renew_open.set(false);
                    announcer.say("New recovery codes made. The old ones no longer work.");
                    go(Step::Codes(codes.recovery_codes));
                }
                Err(e) => form.fail(e, &[]),
            },
        );
    });
    let turn_off = Callback::new(move |()| {
        if !form.ready() {
            return;
        }
        let others = off_signs_out.get_untracked();
        form.send(
            async move { step_up.run(move || api::turn_off_two_factor(others)).await },
            move |result| match result {
                Ok(()) => {
                    off_open.set(false);
                    announcer.say(signed_out_others("Two-step verification is off.", others));
                    go(Step::Status(TwoFactorStatus {
                        enabled: false,
                        recovery_codes_left: 0,
                    }));
                }
                Err(e) => form.fail(e, &[]),
            },
        );
    });
    let turned_on = Callback::new(move |(codes, others): (Vec<String>, bool)| {
        announcer.say(signed_out_others("Two-step verification is on.", others));
        go(Step::Codes(codes));
    });
    let done = Callback::new(move |count: usize| {
        go(Step::Status(TwoFactorStatus {
            enabled: true,
            recovery_codes_left: u32::try_from(count).unwrap_or(0),
        }));
    });

    view! {
        <section class="card" aria-labelledby="two-step-step">
            {move || match step.get() {
                Step::Status(status) if status.enabled => view! {
                    <h2 id="two-step-step" tabindex="-1">"Two-step verification is on"</h2>
                    <p>{format!(
                        "You have {} recovery code{} left.",
                        status.recovery_codes_left,
                        if status.recovery_codes_left == 1 { "" } else { "s" }
                    )}</p>
                    <div class="dialog-actions">
                        <button type="button" class="secondary" on:click=move |_| { form.error.set(None); renew_open.set(true); }>
                            "Get new recovery codes"
                        </button>
                        <button type="button" class="secondary danger" on:click=move |_| {
                            form.error.set(None);
                            off_signs_out.set(true);
                            off_open.set(true);
                        }>
                            "Turn off"
                        </button>
                    </div>
                }.into_any(),
                Step::Status(_) => view! {
                    <h2 id="two-step-step" tabindex="-1">"Two-step verification is off"</h2>
                    <p>"You'll need an authenticator app on your phone, such as one from your phone's maker or your password manager."</p>
                    <FormError message=form.error />
                    <button type="button" on:click=turn_on aria-disabled=move || form.disabled()>
                        "Turn on"
                    </button>
                }.into_any(),
                Step::Setup(setup) => view! { <Setup setup on_done=turned_on /> }.into_any(),
                Step::Codes(codes) => view! { <Codes codes on_done=done /> }.into_any(),
            }}
        </section>
        <ConfirmDialog open=renew_open title="Get new recovery codes?" confirm="Get new codes"
            busy=form.busy error=form.error on_confirm=renew>
            <p>"Your current recovery codes will stop working. Save the new ones somewhere safe."</p>
        </ConfirmDialog>
        <ConfirmDialog open=off_open title="Turn off two-step verification?" confirm="Turn off"
            busy=form.busy error=form.error on_confirm=turn_off>
            <p>"Signing in will take only your password. Your recovery codes will stop working."</p>
            <SignOutOthers id="off-sign-out-others" checked=off_signs_out />
        </ConfirmDialog>
    }
}

/// What the page says once a change is made, and whether the other devices were signed out.
fn signed_out_others(done: &str, others: bool) -> String {
    if others {
        format!("{done} Every other device was signed out.")
    } else {
        done.to_owned()
    }
}

/// "Sign out of all other devices", as Change password has it: someone who had the password
/// may still be signed in elsewhere, and a change of sign-in rules should be able to end that.
#[component]
pub fn SignOutOthers(id: &'static str, checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="check">
            <input type="checkbox" id=id
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev)) />
            <label for=id>"Sign out of all other devices"</label>
        </div>
    }
}

/// The ten recovery codes, shown this once, to copy or download.
#[component]
fn Codes(codes: Vec<String>, on_done: Callback<usize>) -> impl IntoView {
    let announcer = use_announcer();
    let count = codes.len();
    let text = codes.join("\n") + "\n";
    let copy_text = text.clone();
    let copy = move |_| {
        let text = copy_text.clone();
        spawn_local(async move {
            let copied = to_clipboard(&text).await;
            announcer.say(if copied {
                "Recovery codes copied."
            } else {
                "Couldn't copy. Select the codes and copy them, or download them."
            });
        });
    };
    let download = move |_| {
        if download_text(&text, "hallpass-recovery-codes.txt").is_ok() {
            announcer.say("Recovery codes downloaded.");
        }
    };
    view! {
        <h2 id="two-step-step" tabindex="-1">"Save your recovery codes"</h2>
        <p class="warning">
            <strong>"These codes won't be shown again."</strong>
            " Each one signs you in once if you lose your phone. Keep them somewhere safe, such as your password manager."
        </p>
        // Numbered by the list itself, in a column of their own: "10." never runs into its code.
        <ol class="codes" aria-label="Recovery codes">
            {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
        </ol>
        <div class="dialog-actions">
            <button type="button" class="secondary" on:click=copy>"Copy"</button>
            <button type="button" class="secondary" on:click=download>"Download"</button>
            <button type="button" on:click=move |_| on_done.run(count)>"Done"</button>
        </div>
    }
}

/// Saves `text` as a file through a temporary object URL and a download link.
fn download_text(text: &str, file_name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}
