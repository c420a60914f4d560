//! Two-step set-up: add Hallpass to an authenticator app (QR code, setup key or the app's own
//! `otpauth:` link, in the order that suits the device), then prove it with the first code.

use hallpass_api::{ErrorCode, TotpSetup, validate};
use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::two_step::SignOutOthers;
use crate::api;
use crate::components::{Field, FormError, Submit, focus, use_announcer};
use crate::viewport::narrow_viewport;

/// The secret in groups of four, as authenticator apps show it and people type it.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|c| std::str::from_utf8(c).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Scan or type the secret, then prove it with the first code.
#[component]
pub fn Setup(setup: TotpSetup, on_done: Callback<(Vec<String>, bool)>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let sign_out_others = RwSignal::new(true);
    let code_error = RwSignal::new(None::<String>);
    let input = NodeRef::<Input>::new();
    let form = Submit::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !form.ready() {
            return;
        }
        let typed: String = code.get_untracked().split_whitespace().collect();
        if let Err(problem) = validate::six_digit_code(&typed) {
            code_error.set(Some(problem.to_owned()));
            focus(input);
            return;
        }
        let others = sign_out_others.get_untracked();
        form.send(
            api::confirm_totp(typed, others),
            move |result| match result {
                Ok(codes) => on_done.run((codes.recovery_codes, others)),
                Err(e) if e.code() == Some(ErrorCode::InvalidCode) => {
                    code_error.set(Some(
                        "That code isn't right. Check the app shows Hallpass, and enter the \
                         newest code."
                            .to_owned(),
                    ));
                    code.set(String::new());
                    focus(input);
                }
                Err(e) => form.fail(e, &[("code", code_error, input)]),
            },
        );
    };
    let key = grouped(&setup.secret);
    let phone = narrow_viewport();
    let qr_label = "QR code for adding Hallpass to an authenticator app. If you can't scan it, \
                    type the setup key instead.";
    // The server's SVG, drawn as markup: the CSP allows no data: images.
    let qr = move || {
        view! { <div class="qr" role="img" aria-label=qr_label inner_html=setup.qr_svg.clone()></div> }
    };
    let uri = setup.otpauth_uri;
    view! {
        <h2 id="two-step-step" tabindex="-1">"Set up your authenticator app"</h2>
        <ol class="setup-steps">
            // On a phone the authenticator is on this very device: the key (or the app's own
            // link) first, the QR code for when the app is on another one. On a computer the
            // phone is the other device, so the QR code first.
            {move || if phone.get() {
                view! {
                    <li>
                        <p>"Add Hallpass to your authenticator app: open it from here, or copy the setup key into it."</p>
                        <a class="button" href=uri.clone()>"Open in authenticator app"</a>
                        <SetupKey key=key.clone() />
                        <details class="qr-elsewhere">
                            <summary>"Scan with another device"</summary>
                            <p>"If the app is on another phone or tablet, scan this code with it."</p>
                            {qr()}
                        </details>
                    </li>
                }.into_any()
            } else {
                view! {
                    <li>
                        <p>"Scan this QR code with the authenticator app on your phone."</p>
                        {qr()}
                    </li>
                    <li>
                        <p>"Can't scan it? Choose to enter a key in the app, and type this one:"</p>
                        <SetupKey key=key.clone() />
                    </li>
                }.into_any()
            }}
            <li>
                <form class="form" on:submit=submit novalidate>
                    <Field label="Code" id="totp-code" value=code error=code_error node_ref=input
                        autocomplete="one-time-code" inputmode="numeric"
                        hint=Signal::derive(|| "The 6-digit code the app shows for Hallpass.".to_owned()) />
                    <SignOutOthers id="on-sign-out-others" checked=sign_out_others />
                    <FormError message=form.error />
                    <button type="submit" aria-disabled=move || form.disabled()>
                        "Turn on two-step verification"
                    </button>
                </form>
            </li>
        </ol>
    }
}

/// The setup key, whole (it wraps between groups of four, never inside one), with Copy.
#[component]
fn SetupKey(key: String) -> impl IntoView {
    let announcer = use_announcer();
    let secret: String = key.split_whitespace().collect();
    let copy = move |_| {
        let text = secret.clone();
        spawn_local(async move {
            let copied = to_clipboard(&text).await;
            announcer.say(if copied {
                "Setup key copied."
            } else {
                "Couldn't copy. Select the key and copy it."
            });
        });
    };
    view! {
        <div class="field setup-key-field">
            <label for="setup-key">"Setup key"</label>
            <div class="setup-key-row">
                <textarea id="setup-key" class="setup-key" readonly rows="2" autocomplete="off"
                    spellcheck="false" prop:value=key></textarea>
                <button type="button" class="secondary" on:click=copy>"Copy key"</button>
            </div>
        </div>
    }
}

/// Puts `text` on the clipboard; false when the browser refused.
pub async fn to_clipboard(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
