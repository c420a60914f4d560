//! The typed client of the Hallpass JSON API: the only module that talks HTTP.
//!
//! Every call returns `Result<T, ApiError>`; a non-2xx answer is turned into the shared error
//! body here, once, so pages branch on [`hallpass_api::ErrorCode`]s and never parse JSON or build URLs.
//! Here too, once, a 401 that means the session is over ends it in this browser
//! ([`ApiError::ends_session`], [`crate::auth::ended`]), so no page can forget to.

use gloo_net::http::{Request, Response};
use hallpass_api::{
    Account, ActivityPage, ChangeEmail, ChangePassword, ChangePhone, ChangeRecovery,
    CompletePasswordReset, ConfirmTotp, Device, Health, NewProfile, PasswordResetToken, Profile,
    ProfileLock, ProfilePatch, Reauthenticate, RecoveryCodes, RenameDevice, RequestPasswordReset,
    SelectProfile, SessionInfo, SessionStatus, SignIn, SignInOutcome, SignOutAll, SignedOutCount,
    TotpSetup, TwoFactorSignIn, VerifyCode, VerifyPasswordReset, paths,
};
use js_sys::Reflect;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

mod body;
mod error;
mod json;
mod stream;

pub use error::{ApiError, error_from_response};
pub use stream::{Heard, Stream};

/// JSON.parse, then serde straight from the JS value ([`json`]): no serde_json in the wasm.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    json::from_value(value).ok()
}

/// Every non-2xx answer passes here: a 401 that ends the session starts the clean-up before
/// the page that asked hears of it.
async fn refused(response: Response) -> ApiError {
    let body = response.text().await.unwrap_or_default();
    let error = error_from_response(response.status(), &body);
    if error.ends_session() {
        crate::auth::ended(&error);
    }
    error
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    let status = response.status();
    let value = read_value(response).await?;
    json::from_value(value).map_err(|_| ApiError::Unexpected { status })
}

/// A 2xx answer's body as the JS value `Response.json()` made of it.
async fn read_value(response: Response) -> Result<JsValue, ApiError> {
    let status = response.status();
    if !response.ok() {
        return Err(refused(response).await);
    }
    // The browser parses the body itself, and serde reads the JS value: the text never
    // crosses into the wasm. Copying 300 KB of devices into wasm memory only to hand it back
    // to JSON.parse was a third of the devices page's render time (`cargo xtask render`).
    let unexpected = ApiError::Unexpected { status };
    let promise = web_sys::Response::from(response)
        .json()
        .map_err(|_| unexpected.clone())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|error| {
            // A body that isn't JSON is the server's fault; any other failure to read it is
            // the connection's.
            if wasm_bindgen::JsCast::is_instance_of::<js_sys::SyntaxError>(&error) {
                unexpected
            } else {
                ApiError::Network
            }
        })
}

/// A request to the API, made as the browser's own `Request` and sent by gloo-net. gloo's
/// `RequestBuilder` parses every URL again through `web_sys::Url` and rebuilds its query, code
/// that was 0.6–0.8 KB brotli of every page, for paths that are ours and same-origin.
fn request(method: &str, path: &str, body: Option<&str>) -> Result<Request, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", "application/json");
    if let Some(body) = body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(path, &init)
        .map(Request::from)
        .map_err(|_| ApiError::Network)
}

async fn send(method: &str, path: &str) -> Result<Response, ApiError> {
    let request = request(method, path, None)?;
    request.send().await.map_err(|_| ApiError::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read_json(send("GET", path).await?).await
}

/// A JSON body; same-origin, so the browser adds `Sec-Fetch-Site` and the session cookie.
async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    read_json(post_raw(path, body).await?).await
}

async fn post_raw<B: Serialize>(path: &str, body: &B) -> Result<Response, ApiError> {
    with_body("POST", path, body).await
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    read_json(with_body("PUT", path, body).await?).await
}

async fn with_body<B: Serialize>(method: &str, path: &str, body: &B) -> Result<Response, ApiError> {
    let body = body::to_string(body).ok_or(ApiError::Network)?;
    let request = request(method, path, Some(&body))?;
    request.send().await.map_err(|_| ApiError::Network)
}

/// For answers without a body (204).
async fn no_content(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        Err(refused(response).await)
    }
}

/// `GET /api/health`.
pub async fn health() -> Result<Health, ApiError> {
    get(paths::HEALTH).await
}

/// `GET /api/session/status`: the session, or none when this browser has no session cookie.
pub async fn session_status() -> Result<SessionStatus, ApiError> {
    get(paths::SESSION_STATUS).await
}

/// `POST /api/session`.
pub async fn sign_in(email: String, password: String) -> Result<SignInOutcome, ApiError> {
    let response = post_raw(paths::SESSION, &SignIn { email, password }).await?;
    let status = response.status();
    let value = read_value(response).await?;
    // The two outcomes are told apart by the challenge's flag, not by serde's `untagged`: that
    // buffers the body and decodes each variant with a second copy of every decoder in it
    // (SessionInfo's whole tree): 4.8 KB brotli of the sign-in page's first load.
    let challenged = Reflect::get(&value, &JsValue::from_str("two_factor_required"))
        .is_ok_and(|flag| flag.as_bool() == Some(true));
    let outcome = if challenged {
        json::from_value(value).map(SignInOutcome::TwoFactorRequired)
    } else {
        json::from_value(value).map(|info| SignInOutcome::SignedIn(Box::new(info)))
    };
    outcome.map_err(|_| ApiError::Unexpected { status })
}

/// `POST /api/session/two-factor`, with a code or a recovery code.
pub async fn two_factor(body: TwoFactorSignIn) -> Result<SessionInfo, ApiError> {
    post(paths::SESSION_TWO_FACTOR, &body).await
}

/// `DELETE /api/session`. The server also clears this origin (`Clear-Site-Data`).
pub async fn sign_out() -> Result<(), ApiError> {
    no_content(send("DELETE", paths::SESSION).await?).await
}

/// `GET /api/profiles`.
pub async fn profiles() -> Result<Vec<Profile>, ApiError> {
    get(paths::PROFILES).await
}

/// `POST /api/profiles/{id}/select`.
pub async fn select_profile(id: String, pin: Option<String>) -> Result<SessionInfo, ApiError> {
    post(
        &paths::with_param(paths::PROFILE_SELECT, &id),
        &SelectProfile { pin },
    )
    .await
}

/// `GET /api/account`.
pub async fn account() -> Result<Account, ApiError> {
    get(paths::ACCOUNT).await
}

/// `POST /api/session/reauthenticate`: opens the 10-minute step-up window. With two-step
/// verification on, 403 `code_required` until a code or a recovery code comes along.
pub async fn reauthenticate(body: &Reauthenticate) -> Result<(), ApiError> {
    no_content(post_raw(paths::SESSION_REAUTHENTICATE, body).await?).await
}

/// `GET /api/devices`: this device first, then the most recently active.
pub async fn devices() -> Result<Vec<Device>, ApiError> {
    get(paths::DEVICES).await
}

/// `DELETE /api/devices/{id}` (step-up). Revocation takes effect on that device's next request.
pub async fn sign_out_device(id: String) -> Result<(), ApiError> {
    no_content(send("DELETE", &paths::with_param(paths::DEVICE, &id)).await?).await
}

/// `POST /api/devices/sign-out-all` (step-up).
pub async fn sign_out_all(keep_current: bool) -> Result<SignedOutCount, ApiError> {
    post(paths::DEVICES_SIGN_OUT_ALL, &SignOutAll { keep_current }).await
}

/// `GET /api/activity`, newest first; `before` is the previous page's `next`.
pub async fn activity(before: Option<String>) -> Result<ActivityPage, ApiError> {
    match before {
        None => get(paths::ACTIVITY).await,
        Some(cursor) => {
            let cursor: String = js_sys::encode_uri_component(&cursor).into();
            get(&format!("{}?before={cursor}", paths::ACTIVITY)).await
        }
    }
}

/// `POST /api/profiles`: 409 `profile_limit` at five.
pub async fn add_profile(profile: &NewProfile) -> Result<Profile, ApiError> {
    post(paths::PROFILES, profile).await
}

/// `PATCH /api/profiles/{id}`: only the fields present change.
pub async fn edit_profile(id: &str, patch: &ProfilePatch) -> Result<Profile, ApiError> {
    read_json(with_body("PATCH", &paths::with_param(paths::PROFILE, id), patch).await?).await
}

/// `DELETE /api/profiles/{id}`: 409 `last_profile` for the last one.
pub async fn delete_profile(id: &str) -> Result<(), ApiError> {
    no_content(send("DELETE", &paths::with_param(paths::PROFILE, id)).await?).await
}

/// `PUT /api/profiles/{id}/lock` (step-up): a 4-digit PIN.
pub async fn lock_profile(id: &str, pin: String) -> Result<(), ApiError> {
    let path = paths::with_param(paths::PROFILE_LOCK, id);
    no_content(with_body("PUT", &path, &ProfileLock { pin }).await?).await
}

/// `DELETE /api/profiles/{id}/lock` (step-up).
pub async fn unlock_profile(id: &str) -> Result<(), ApiError> {
    no_content(send("DELETE", &paths::with_param(paths::PROFILE_LOCK, id)).await?).await
}

/// `PUT /api/account/password`: 403 `wrong_password`, 422 `weak_password` / `same_password`.
pub async fn change_password(body: &ChangePassword) -> Result<(), ApiError> {
    no_content(with_body("PUT", paths::ACCOUNT_PASSWORD, body).await?).await
}

/// `PUT /api/account/email` (step-up): a code goes to the new address. Sending it again is
/// the same call.
pub async fn change_email(email: String) -> Result<(), ApiError> {
    no_content(with_body("PUT", paths::ACCOUNT_EMAIL, &ChangeEmail { email }).await?).await
}

/// `POST /api/account/email/verify`: 422 `invalid_code`, 410 `code_expired`.
pub async fn verify_email(code: String) -> Result<Account, ApiError> {
    post(paths::ACCOUNT_EMAIL_VERIFY, &VerifyCode { code }).await
}

/// `PUT /api/account/phone` (step-up), E.164.
pub async fn change_phone(phone: String) -> Result<(), ApiError> {
    no_content(with_body("PUT", paths::ACCOUNT_PHONE, &ChangePhone { phone }).await?).await
}

/// `POST /api/account/phone/verify`.
pub async fn verify_phone(code: String) -> Result<Account, ApiError> {
    post(paths::ACCOUNT_PHONE_VERIFY, &VerifyCode { code }).await
}

/// `PUT /api/account/recovery` (step-up): a field left out stays, an empty one is cleared.
pub async fn change_recovery(body: &ChangeRecovery) -> Result<Account, ApiError> {
    put(paths::ACCOUNT_RECOVERY, body).await
}

/// `DELETE /api/account/linked/{provider}` (step-up).
pub async fn unlink(provider: &str) -> Result<(), ApiError> {
    let path = paths::with_param(paths::LINKED_ACCOUNT, provider);
    no_content(send("DELETE", &path).await?).await
}

/// `PATCH /api/devices/{id}`: an empty nickname goes back to the default name.
pub async fn rename_device(id: &str, nickname: String) -> Result<Device, ApiError> {
    let path = paths::with_param(paths::DEVICE, id);
    read_json(with_body("PATCH", &path, &RenameDevice { nickname }).await?).await
}

/// `POST /api/two-factor/totp` (step-up): a secret that is not active until confirmed.
pub async fn start_totp() -> Result<TotpSetup, ApiError> {
    read_json(send("POST", paths::TWO_FACTOR_TOTP).await?).await
}

/// `POST /api/two-factor/totp/confirm`: the first code turns two-step verification on, and
/// signs out every other device when asked, in the same change.
pub async fn confirm_totp(
    code: String,
    sign_out_other_devices: bool,
) -> Result<RecoveryCodes, ApiError> {
    let body = ConfirmTotp {
        code,
        sign_out_other_devices,
    };
    post(paths::TWO_FACTOR_TOTP_CONFIRM, &body).await
}

/// `POST /api/two-factor/recovery-codes` (step-up): the old codes stop working.
pub async fn new_recovery_codes() -> Result<RecoveryCodes, ApiError> {
    read_json(send("POST", paths::TWO_FACTOR_RECOVERY_CODES).await?).await
}

/// `DELETE /api/two-factor` (step-up); `?sign_out_other_devices=true` signs out every other
/// device in the same change.
pub async fn turn_off_two_factor(sign_out_other_devices: bool) -> Result<(), ApiError> {
    let path = if sign_out_other_devices {
        format!("{}?sign_out_other_devices=true", paths::TWO_FACTOR)
    } else {
        paths::TWO_FACTOR.to_owned()
    };
    no_content(send("DELETE", &path).await?).await
}

/// `POST /api/password-reset`: 202 whether or not the address has an account.
pub async fn request_password_reset(email: String) -> Result<(), ApiError> {
    no_content(post_raw(paths::PASSWORD_RESET, &RequestPasswordReset { email }).await?).await
}

/// `POST /api/password-reset/verify`: 422 `invalid_code`, 410 `code_expired`, 429 after five
/// wrong tries.
pub async fn verify_password_reset(
    email: String,
    code: String,
) -> Result<PasswordResetToken, ApiError> {
    post(
        paths::PASSWORD_RESET_VERIFY,
        &VerifyPasswordReset { email, code },
    )
    .await
}

/// `POST /api/password-reset/complete`: 422 `weak_password` / `same_password`, 403
/// `code_required` / `invalid_code`, 410 `code_expired`.
pub async fn complete_password_reset(body: &CompletePasswordReset) -> Result<(), ApiError> {
    no_content(post_raw(paths::PASSWORD_RESET_COMPLETE, body).await?).await
}
