//! Sessions: the cookie, the rules that end a session, and the extractors handlers use to say
//! who may call them.
//!
//! - [`Session`]: any signed-in browser (401 with the reason otherwise).
//! - [`Manager`]: a signed-in browser whose profile is not a kids profile (403 `kids_profile`).
//! - [`SteppedUp`]: a [`Manager`] that checked its password in the last 10 minutes
//!   (403 `reauthentication_required`).
//!
//! A session is looked up on every request, so revocation takes effect on the very next one.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use hallpass_api::{DeviceKind, ErrorCode, SignedOutBy, SignedOutDetails};
use sqlx::SqliteConnection;

use crate::client::Client;
use crate::clock::{DAY, MINUTE, timestamp};
use crate::useragent::{self, DeviceInfo};
use crate::{ApiError, AppState, crypto};

pub const COOKIE_NAME: &str = "__Host-hallpass_session";
/// A session unused for this long has ended.
pub const IDLE_TIMEOUT: i64 = 30 * DAY;
/// A session older than this has ended, however much it is used (also the longest cookie
/// lifetime browsers accept).
pub const ABSOLUTE_TIMEOUT: i64 = 400 * DAY;
/// How long a password check opens the step-up window.
pub const STEP_UP_WINDOW: i64 = 10 * MINUTE;
/// After a token rotation, the old token still works this long, for requests in flight.
pub const ROTATION_GRACE: i64 = MINUTE;
/// Last-activity writes are at most this often per session: the Devices page needs minutes,
/// not every request, and this keeps reads from writing.
pub const TOUCH_INTERVAL: i64 = MINUTE;

/// When a session signed in at `signed_in_at` and last used at `last_active_at` ends: the
/// earlier of the idle and the absolute limit.
pub fn expires_at(signed_in_at: i64, last_active_at: i64) -> i64 {
    (last_active_at + IDLE_TIMEOUT).min(signed_in_at + ABSOLUTE_TIMEOUT)
}

/// The signed-in browser making this request.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub account_id: String,
    pub email: String,
    pub kids: bool,
    pub last_active_at: i64,
    pub reauthenticated_until: Option<i64>,
    /// The device's nickname, or its readable default name.
    pub device_name: String,
    pub device_kind: DeviceKind,
    pub client: Client,
    /// "Now" for this request, read once so that every check in it agrees.
    pub now: i64,
}

impl Session {
    pub fn recently_authenticated(&self) -> bool {
        self.reauthenticated_until
            .is_some_and(|until| until > self.now)
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    account_id: String,
    email: String,
    kids: Option<bool>,
    signed_in_at: i64,
    last_active_at: i64,
    reauthenticated_until: Option<i64>,
    user_agent: String,
    ip: Option<String>,
    device_name: String,
    device_kind: String,
    nickname: Option<String>,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    ended_by: Option<String>,
}

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

pub fn device_kind_text(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Computer => "computer",
        DeviceKind::Phone => "phone",
        DeviceKind::Tablet => "tablet",
        DeviceKind::Tv => "tv",
        DeviceKind::Console => "console",
        DeviceKind::Unknown => "unknown",
    }
}

pub fn device_kind_from_text(text: &str) -> DeviceKind {
    match text {
        "computer" => DeviceKind::Computer,
        "phone" => DeviceKind::Phone,
        "tablet" => DeviceKind::Tablet,
        "tv" => DeviceKind::Tv,
        "console" => DeviceKind::Console,
        _ => DeviceKind::Unknown,
    }
}

/// Looks the session up; `Err` is the 401 to answer with.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    client: Client,
) -> Result<Session, ApiError> {
    let not_signed_in = || ApiError::unauthorized(ErrorCode::NotSignedIn, "Please sign in.");
    let token = token(headers).ok_or_else(not_signed_in)?;
    let now = state.clock.now();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.account_id, a.email, p.kids, s.signed_in_at,
                s.last_active_at, s.reauthenticated_until, s.user_agent, s.ip, s.device_name,
                s.device_kind, s.nickname, s.ended_at, s.end_reason, s.ended_by
         FROM sessions s
         JOIN accounts a ON a.id = s.account_id
         LEFT JOIN profiles p ON p.id = s.profile_id
         WHERE s.token_hash = ?1 OR (s.previous_token_hash = ?1 AND s.previous_valid_until > ?2)",
    )
    .bind(crypto::sha256(&token))
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or_else(not_signed_in)?;

    if let Some(ended_at) = row.ended_at {
        return Err(match row.end_reason.as_deref() {
            Some("revoked") => ApiError::unauthorized(
                ErrorCode::SignedOutRemotely,
                "This device was signed out from another device.",
            )
            .with_details(SignedOutDetails {
                signed_out_at: timestamp(ended_at),
                signed_out_by: SignedOutBy {
                    device_name: row.ended_by.unwrap_or_default(),
                },
            }),
            Some("expired") => expired(),
            _ => not_signed_in(),
        });
    }
    if now >= expires_at(row.signed_in_at, row.last_active_at) {
        sqlx::query(
            "UPDATE sessions SET ended_at = ?, end_reason = 'expired' WHERE id = ? AND ended_at IS NULL",
        )
        .bind(now)
        .bind(&row.id)
        .execute(&state.db)
        .await?;
        return Err(expired());
    }

    let mut session = Session {
        id: row.id,
        account_id: row.account_id,
        email: row.email,
        kids: row.kids.unwrap_or(false),
        last_active_at: row.last_active_at,
        reauthenticated_until: row.reauthenticated_until,
        device_name: row.nickname.unwrap_or(row.device_name),
        device_kind: device_kind_from_text(&row.device_kind),
        client,
        now,
    };
    if now - session.last_active_at >= TOUCH_INTERVAL {
        let ip = session.client.ip.map(|ip| ip.to_string());
        let ua_changed = session.client.user_agent != row.user_agent;
        let place = state.geo.locate(session.client.ip);
        let moved = ip != row.ip;
        let mut tx = crate::db::write(&state.db).await?;
        touch(&mut tx, &session, ua_changed, moved, place).await?;
        tx.commit().await?;
        session.last_active_at = now;
    }
    Ok(session)
}

fn expired() -> ApiError {
    ApiError::unauthorized(
        ErrorCode::SessionExpired,
        "You were signed out because the session ended. Please sign in again.",
    )
}

/// Records that the session was used now, from where, with what.
async fn touch(
    conn: &mut SqliteConnection,
    session: &Session,
    ua_changed: bool,
    moved: bool,
    place: Option<crate::geo::Place>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET last_active_at = ? WHERE id = ?")
        .bind(session.now)
        .bind(&session.id)
        .execute(&mut *conn)
        .await?;
    if moved {
        let place = place.unwrap_or_default();
        sqlx::query("UPDATE sessions SET ip = ?, city = ?, country = ? WHERE id = ?")
            .bind(session.client.ip.map(|ip| ip.to_string()))
            .bind(place.city)
            .bind(place.country)
            .bind(&session.id)
            .execute(&mut *conn)
            .await?;
    }
    if ua_changed {
        // A browser update changes the version, rarely the device; keep the row current.
        let info = useragent::describe(&session.client.user_agent);
        sqlx::query(
            "UPDATE sessions SET user_agent = ?, device_name = ?, device_kind = ?, browser = ?, os = ?
             WHERE id = ?",
        )
        .bind(&session.client.user_agent)
        .bind(&info.name)
        .bind(device_kind_text(info.kind))
        .bind(&info.browser)
        .bind(&info.os)
        .bind(&session.id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Starts a session for `account_id` on the device `client`: a new id and token every time
/// (no fixation), the step-up window open. Returns the token for the cookie and the session id.
pub async fn start(
    conn: &mut SqliteConnection,
    state: &AppState,
    account_id: &str,
    client: &Client,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    let token = crypto::token();
    let id = crypto::id();
    let DeviceInfo {
        name,
        kind,
        browser,
        os,
    } = useragent::describe(&client.user_agent);
    let place = state.geo.locate(client.ip).unwrap_or_default();
    sqlx::query(
        "INSERT INTO sessions (id, account_id, token_hash, signed_in_at, last_active_at,
             reauthenticated_until, user_agent, device_name, device_kind, browser, os, ip, city, country)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(account_id)
    .bind(crypto::sha256(&token))
    .bind(now)
    .bind(now)
    .bind(now + STEP_UP_WINDOW)
    .bind(&client.user_agent)
    .bind(&name)
    .bind(device_kind_text(kind))
    .bind(&browser)
    .bind(&os)
    .bind(client.ip.map(|ip| ip.to_string()))
    .bind(place.city)
    .bind(place.country)
    .execute(&mut *conn)
    .await?;
    Ok((token, id))
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

pub fn reauthentication_required() -> ApiError {
    ApiError::forbidden(
        ErrorCode::ReauthenticationRequired,
        "Please confirm your password to continue.",
    )
}
