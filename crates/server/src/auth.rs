//! The session at the edge of a request: the cookie, and the extractors handlers use to say
//! who may call them. What a session is and when it ends is `domain::sessions`'.
//!
//! - [`Session`]: any signed-in browser (401 with the reason otherwise).
//! - [`Manager`]: a signed-in browser whose profile is not a kids profile (403 `kids_profile`).
//! - [`SteppedUp`]: a [`Manager`] that checked its password in the last 10 minutes
//!   (403 `reauthentication_required`).

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hallpass_api::ErrorCode;

use crate::client::Client;
use crate::domain::sessions::{self, ABSOLUTE_TIMEOUT, reauthentication_required};
use crate::{ApiError, AppState};

pub use crate::domain::sessions::Session;

pub const COOKIE_NAME: &str = "__Host-hallpass_session";

/// The session token from the request's cookies, if there is one.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` for a new session. `Max-Age` keeps the cookie across browser restarts for as
/// long as the session could live; the server decides when it really ends.
pub fn cookie(token: &str) -> HeaderValue {
    let value = format!(
        "{COOKIE_NAME}={token}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={ABSOLUTE_TIMEOUT}"
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| expired_cookie())
}

/// `Set-Cookie` that removes the session cookie.
pub fn expired_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-hallpass_session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0",
    )
}

/// `Set-Cookie` plus a body.
pub fn with_cookie(cookie: HeaderValue, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie);
    response
}

/// 204 with the new token if there is one (a rotation), else without `Set-Cookie`.
pub fn no_content_with(token: Option<String>) -> Response {
    match token {
        Some(token) => with_cookie(cookie(&token), StatusCode::NO_CONTENT),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// What ends a browser's session in the answer: the cookie expired and the browser told to
/// clear everything of this origin.
pub fn clear_session(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(SET_COOKIE, expired_cookie());
    headers.insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
}

/// 204 that ends the browser's session.
pub fn signed_out_response() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    clear_session(&mut response);
    response
}

/// Looks the request's session up; `Err` is the 401 to answer with.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    client: Client,
) -> Result<Session, ApiError> {
    sessions::find(state, token(headers).as_deref(), client).await
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        let Ok(client) = Client::from_request_parts(parts, state).await;
        let session = authenticate(state, &parts.headers, client).await?;
        parts.extensions.insert(session.clone());
        Ok(session)
    }
}

/// A session allowed to manage the account: its profile is not a kids profile.
#[derive(Clone, Debug)]
pub struct Manager(pub Session);

impl FromRequestParts<AppState> for Manager {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let session = Session::from_request_parts(parts, state).await?;
        if session.kids {
            return Err(ApiError::forbidden(
                ErrorCode::KidsProfile,
                "This profile can't manage the account.",
            ));
        }
        Ok(Self(session))
    }
}

/// A [`Manager`] inside its step-up window.
#[derive(Clone, Debug)]
pub struct SteppedUp(pub Session);

impl FromRequestParts<AppState> for SteppedUp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Manager(session) = Manager::from_request_parts(parts, state).await?;
        if !session.recently_authenticated() {
            return Err(reauthentication_required());
        }
        Ok(Self(session))
    }
}
