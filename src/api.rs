//! The typed client of the Hallpass JSON API: the only module that talks HTTP.
//!
//! Every call returns `Result<T, ApiError>`; a non-2xx answer is turned into the shared error
//! body here, once, so pages branch on [`ErrorCode`]s and never parse JSON or build URLs.
//! Here too, once, a 401 that means the session is over ends it in this browser
//! ([`ApiError::ends_session`], [`crate::auth::ended`]), so no page can forget to.

use gloo_net::http::{Request, RequestBuilder, Response};
use hallpass_api::{
    Account, ActivityPage, ChangeEmail, ChangePassword, ChangePhone, ChangeRecovery,
    CompletePasswordReset, ConfirmTotp, Device, ErrorBody, ErrorCode, ErrorDetail, Health,
    NewProfile, PasswordResetToken, Profile, ProfileLock, ProfilePatch, Reauthenticate,
    RecoveryCodes, RenameDevice, RequestPasswordReset, SelectProfile, SessionInfo, SessionStatus,
    SignIn, SignInOutcome, SignOutAll, SignedOutCount, TotpSetup, TwoFactorSignIn, VerifyCode,
    VerifyPasswordReset, paths,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a request did not give the answer the page wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// No answer at all: offline, server down, connection dropped.
    Network,
    /// The server answered with the shared error body.
    // Boxed: the body is large, and every `Result<_, ApiError>` would carry its size.
    Server {
        status: u16,
        detail: Box<ErrorDetail>,
    },
    /// An answer outside the contract, such as an HTML error page from a proxy.
    Unexpected { status: u16 },
    /// The person dismissed "Confirm it's you": not a failure, so its message is empty and
    /// forms and dialogs show nothing (see `StepUp::run`).
    Cancelled,
}

impl ApiError {
    /// 401: this browser is not signed in (any more). The app then clears what it holds.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// A 401 that means this browser's session is over (`not_signed_in`, `session_expired`,
    /// `signed_out_remotely`, or a code this build doesn't know), as opposed to the 401s that
    /// only say a credential typed into a form was wrong: a sign-in's password or code. Those
    /// stay with the form.
    pub fn ends_session(&self) -> bool {
        self.is_unauthorized()
            && !matches!(
                self.code(),
                Some(ErrorCode::InvalidCredentials | ErrorCode::InvalidCode)
            )
    }

    /// What the server says is wrong with each field, for the form to show beside them.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            ApiError::Server { detail, .. } => detail.fields.as_ref()?.get(name).cloned(),
            _ => None,
        }
    }

    /// 403 `reauthentication_required`: the action needs a recent password check.
    pub fn needs_step_up(&self) -> bool {
        self.code() == Some(ErrorCode::ReauthenticationRequired)
    }

    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ApiError::Server { detail, .. } => Some(detail.code),
            _ => None,
        }
    }

    /// A short heading for the problem, for people.
    pub fn title(&self) -> &'static str {
        match self {
            ApiError::Network => "Can't reach Hallpass",
            ApiError::Server { status, .. } if *status >= 500 => "Something went wrong",
            ApiError::Server { .. } => "That didn't work",
            ApiError::Unexpected { .. } => "Unexpected answer",
            ApiError::Cancelled => "Cancelled",
        }
    }

    /// What happened and what to do about it, for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => "Check your internet connection, then try again.".to_owned(),
            ApiError::Server { detail, .. } => match &detail.request_id {
                Some(id) => format!("{} (Request id: {id})", detail.message),
                None => detail.message.clone(),
            },
            ApiError::Unexpected { status } => format!(
                "Hallpass answered in a way this page doesn't understand (HTTP {status}). \
                 Try again; if it keeps happening, reload the page."
            ),
            ApiError::Cancelled => String::new(),
        }
    }
}

/// Turns a non-2xx answer into an [`ApiError`]. Pure, so it is tested without a server.
pub fn error_from_response(status: u16, body: &str) -> ApiError {
    match parse::<ErrorBody>(body) {
        Some(body) => ApiError::Server {
            status,
            detail: Box::new(body.error),
        },
        None => ApiError::Unexpected { status },
    }
}

/// JSON.parse, then serde straight from the JS value: no serde_json in the wasm.
fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
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
    if !response.ok() {
        return Err(refused(response).await);
    }
    let text = response.text().await.map_err(|_| ApiError::Network)?;
    parse(&text).ok_or(ApiError::Unexpected { status })
}

async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
    request
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|_| ApiError::Network)
}

async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read_json(send(Request::get(path)).await?).await
}

/// A JSON body; same-origin, so the browser adds `Sec-Fetch-Site` and the session cookie.
async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    read_json(post_raw(path, body).await?).await
}

async fn post_raw<B: Serialize>(path: &str, body: &B) -> Result<Response, ApiError> {
    with_body(Request::post(path), body).await
}

async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    read_json(with_body(Request::put(path), body).await?).await
}

async fn with_body<B: Serialize>(request: RequestBuilder, body: &B) -> Result<Response, ApiError> {
    let request = request
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(stringify(body).ok_or(ApiError::Network)?)
        .map_err(|_| ApiError::Network)?;
    request.send().await.map_err(|_| ApiError::Network)
}

fn stringify<B: Serialize>(body: &B) -> Option<String> {
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
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
    post(paths::SESSION, &SignIn { email, password }).await
}

/// `POST /api/session/two-factor`, with a code or a recovery code.
pub async fn two_factor(body: TwoFactorSignIn) -> Result<SessionInfo, ApiError> {
    post(paths::SESSION_TWO_FACTOR, &body).await
}

/// `DELETE /api/session`. The server also clears this origin (`Clear-Site-Data`).
pub async fn sign_out() -> Result<(), ApiError> {
    no_content(send(Request::delete(paths::SESSION)).await?).await
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
    no_content(send(Request::delete(&paths::with_param(paths::DEVICE, &id))).await?).await
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
    read_json(
        with_body(
            Request::patch(&paths::with_param(paths::PROFILE, id)),
            patch,
        )
        .await?,
    )
    .await
}

/// `DELETE /api/profiles/{id}`: 409 `last_profile` for the last one.
pub async fn delete_profile(id: &str) -> Result<(), ApiError> {
    no_content(send(Request::delete(&paths::with_param(paths::PROFILE, id))).await?).await
}

/// `PUT /api/profiles/{id}/lock` (step-up): a 4-digit PIN.
pub async fn lock_profile(id: &str, pin: String) -> Result<(), ApiError> {
    let path = paths::with_param(paths::PROFILE_LOCK, id);
    no_content(with_body(Request::put(&path), &ProfileLock { pin }).await?).await
}

/// `DELETE /api/profiles/{id}/lock` (step-up).
pub async fn unlock_profile(id: &str) -> Result<(), ApiError> {
    no_content(send(Request::delete(&paths::with_param(paths::PROFILE_LOCK, id))).await?).await
}

/// `PUT /api/account/password`: 403 `wrong_password`, 422 `weak_password` / `same_password`.
pub async fn change_password(body: &ChangePassword) -> Result<(), ApiError> {
    no_content(with_body(Request::put(paths::ACCOUNT_PASSWORD), body).await?).await
}

/// `PUT /api/account/email` (step-up): a code goes to the new address. Sending it again is
/// the same call.
pub async fn change_email(email: String) -> Result<(), ApiError> {
    no_content(with_body(Request::put(paths::ACCOUNT_EMAIL), &ChangeEmail { email }).await?).await
}

/// `POST /api/account/email/verify`: 422 `invalid_code`, 410 `code_expired`.
pub async fn verify_email(code: String) -> Result<Account, ApiError> {
    post(paths::ACCOUNT_EMAIL_VERIFY, &VerifyCode { code }).await
}

/// `PUT /api/account/phone` (step-up), E.164.
pub async fn change_phone(phone: String) -> Result<(), ApiError> {
    no_content(with_body(Request::put(paths::ACCOUNT_PHONE), &ChangePhone { phone }).await?).await
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
    no_content(send(Request::delete(&path)).await?).await
}

/// `PATCH /api/devices/{id}`: an empty nickname goes back to the default name.
pub async fn rename_device(id: &str, nickname: String) -> Result<Device, ApiError> {
    let request = Request::patch(&paths::with_param(paths::DEVICE, id));
    read_json(with_body(request, &RenameDevice { nickname }).await?).await
}

/// `POST /api/two-factor/totp` (step-up): a secret that is not active until confirmed.
pub async fn start_totp() -> Result<TotpSetup, ApiError> {
    read_json(send(Request::post(paths::TWO_FACTOR_TOTP)).await?).await
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
    read_json(send(Request::post(paths::TWO_FACTOR_RECOVERY_CODES)).await?).await
}

/// `DELETE /api/two-factor` (step-up); `?sign_out_other_devices=true` signs out every other
/// device in the same change.
pub async fn turn_off_two_factor(sign_out_other_devices: bool) -> Result<(), ApiError> {
    let path = if sign_out_other_devices {
        format!("{}?sign_out_other_devices=true", paths::TWO_FACTOR)
    } else {
        paths::TWO_FACTOR.to_owned()
    };
    no_content(send(Request::delete(&path)).await?).await
}

// JSON.parse is the browser's, so these run in the browser suites, not natively.
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_shared_error_body_becomes_a_server_error() {
        let err = error_from_response(
            404,
            r#"{"error":{"code":"not_found","message":"There is nothing at this address."}}"#,
        );
        assert_eq!(err.code(), Some(ErrorCode::NotFound));
        assert_eq!(err.message(), "There is nothing at this address.");
        assert_eq!(err.title(), "That didn't work");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_5xx_names_its_request_id_so_people_can_quote_it() {
        let err = error_from_response(
            500,
            r#"{"error":{"code":"internal_error","message":"Oops.","request_id":"r-1"}}"#,
        );
        assert_eq!(err.title(), "Something went wrong");
        assert_eq!(err.message(), "Oops. (Request id: r-1)");
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn a_proxy_error_page_is_unexpected_not_a_crash() {
        let err = error_from_response(502, "<html><body>Bad gateway</body></html>");
        assert_eq!(err, ApiError::Unexpected { status: 502 });
        assert!(err.message().contains("HTTP 502"));
    }
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

#[cfg(test)]
mod session_tests {
    use super::*;

    fn refused(status: u16, code: ErrorCode) -> ApiError {
        ApiError::Server {
            status,
            detail: Box::new(ErrorBody::new(code, "").error),
        }
    }

    #[test]
    fn a_401_ends_the_session_unless_it_only_says_a_credential_was_wrong() {
        for code in [
            ErrorCode::NotSignedIn,
            ErrorCode::SessionExpired,
            ErrorCode::SignedOutRemotely,
            ErrorCode::Unknown,
        ] {
            assert!(refused(401, code).ends_session(), "{code:?}");
        }
        // Sign-in's wrong password and wrong code; step-up's and the PIN's are 403s.
        for code in [ErrorCode::InvalidCredentials, ErrorCode::InvalidCode] {
            assert!(!refused(401, code).ends_session(), "{code:?}");
        }
        for (status, code) in [
            (403, ErrorCode::WrongPassword),
            (403, ErrorCode::WrongPin),
            (403, ErrorCode::InvalidCode),
            (403, ErrorCode::ReauthenticationRequired),
        ] {
            assert!(!refused(status, code).ends_session(), "{code:?}");
        }
        assert!(!ApiError::Network.ends_session());
        assert!(!ApiError::Unexpected { status: 401 }.ends_session());
    }
}
