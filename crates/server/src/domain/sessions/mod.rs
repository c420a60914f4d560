//! Sessions: one row per sign-in, a device on the Devices page. The only module that reads
//! or writes `sessions` (issue, find, touch, rotate, end, revoke, purge); the rule of when a
//! session is active is written here once, as [`expires_at`] in Rust and [`active`] in SQL.
//!
//! A session is looked up on every request, so revocation takes effect on the very next one.

pub mod devices;
mod info;
mod lifecycle;
pub mod rotation;
mod standing;

pub use info::{choose_profile, info, watching};
use lifecycle::end;
pub use lifecycle::{end_own, end_replaced, issue, known_user_agent, purge, revoke, revoke_all};
pub use standing::{Standing, standing};

use hallpass_api::{DeviceKind, ErrorCode, SignedOutBy, SignedOutDetails};
use sqlx::AnyConnection;

use super::device;
use crate::client::Client;
use crate::clock::{DAY, MINUTE, timestamp};
use crate::geo::{Geo, Place};
use crate::{ApiError, AppState, crypto, db};

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
/// Ended and expired sessions are kept this long, so their cookie gets a 401 that says why.
const KEPT_AFTER_END: i64 = 30 * DAY;

/// When a session signed in at `signed_in_at` and last used at `last_active_at` ends: the
/// earlier of the idle and the absolute limit.
pub fn expires_at(signed_in_at: i64, last_active_at: i64) -> i64 {
    (last_active_at + IDLE_TIMEOUT).min(signed_in_at + ABSOLUTE_TIMEOUT)
}

/// "The session `alias` is active", in SQL: the same rule as [`expires_at`], with the bounds
/// of [`active_bounds`] bound at the positions `idle` and `absolute`.
pub fn active(alias: &str, idle: u8, absolute: u8) -> String {
    format!(
        "{alias}.ended_at IS NULL AND {alias}.last_active_at > ${idle} \
         AND {alias}.signed_in_at > ${absolute}"
    )
}

/// The values [`active`] compares with at `now`: last used after the first, signed in after
/// the second.
pub fn active_bounds(now: i64) -> (i64, i64) {
    (now - IDLE_TIMEOUT, now - ABSOLUTE_TIMEOUT)
}

/// Why a session ended; `sessions.end_reason` holds [`EndReason::as_str`] (and its `CHECK`
/// these words only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// By itself: sign-out, or another sign-in in the same browser.
    SignedOut,
    /// By another device (named in `ended_by`), or by a password reset.
    Revoked,
    /// Idle or too old, noticed when its cookie came back.
    Expired,
}

impl EndReason {
    pub const ALL: [Self; 3] = [Self::SignedOut, Self::Revoked, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedOut => "signed_out",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ApiError> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == text)
            .ok_or_else(|| ApiError::internal(format!("session end reason {text:?}")))
    }
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
    /// The address the row last recorded, and where it was: reused while the request comes
    /// from the same address, so a request's events don't look it up again.
    recorded_ip: Option<String>,
    recorded_place: Option<Place>,
}

impl Session {
    pub fn recently_authenticated(&self) -> bool {
        self.reauthenticated_until
            .is_some_and(|until| until > self.now)
    }

    /// Where this request comes from: the recorded place while the address is the same.
    pub fn place(&self, geo: &Geo) -> Option<Place> {
        if self.client.ip.map(|ip| ip.to_string()) == self.recorded_ip {
            self.recorded_place.clone()
        } else {
            geo.locate(self.client.ip)
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    account_id: String,
    email: String,
    kids: Option<crate::db::Flag>,
    signed_in_at: i64,
    last_active_at: i64,
    reauthenticated_until: Option<i64>,
    user_agent: String,
    ip: Option<String>,
    city: Option<String>,
    country: Option<String>,
    device_name: String,
    device_kind: String,
    nickname: Option<String>,
    ended_at: Option<i64>,
    end_reason: Option<String>,
    ended_by: Option<String>,
}

fn not_signed_in() -> ApiError {
    ApiError::unauthorized(ErrorCode::NotSignedIn, "Please sign in.")
}

/// 403 for a route that needs the step-up window when it is closed.
pub fn reauthentication_required() -> ApiError {
    ApiError::forbidden(
        ErrorCode::ReauthenticationRequired,
        "Please confirm your password to continue.",
    )
}

fn expired() -> ApiError {
    ApiError::unauthorized(
        ErrorCode::SessionExpired,
        "You were signed out because the session ended. Please sign in again.",
    )
}

/// The session whose token is `token`, used now from `client`; `Err` is the 401 to answer
/// with, which says why a session that existed has ended.
pub async fn find(
    state: &AppState,
    token: Option<&str>,
    client: Client,
) -> Result<Session, ApiError> {
    let token = token.ok_or_else(not_signed_in)?;
    let now = state.clock.now();
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.id, s.account_id, a.email, p.kids, s.signed_in_at,
                s.last_active_at, s.reauthenticated_until, s.user_agent, s.ip, s.city, s.country,
                s.device_name, s.device_kind, s.nickname, s.ended_at, s.end_reason, s.ended_by
         FROM sessions s
         JOIN accounts a ON a.id = s.account_id
         LEFT JOIN profiles p ON p.id = s.profile_id
         WHERE s.token_hash = $1 OR (s.previous_token_hash = $1 AND s.previous_valid_until > $2)",
    )
    .bind(crypto::sha256(token))
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let row = row.ok_or_else(not_signed_in)?;

    if let Some(ended_at) = row.ended_at {
        let reason = row
            .end_reason
            .as_deref()
            .map(EndReason::parse)
            .transpose()?;
        return Err(match reason {
            Some(EndReason::Revoked) => ApiError::unauthorized(
                ErrorCode::SignedOutRemotely,
                "This device was signed out from another device.",
            )
            .with_details(SignedOutDetails {
                signed_out_at: timestamp(ended_at),
                signed_out_by: SignedOutBy {
                    device_name: row.ended_by.unwrap_or_default(),
                },
            }),
            Some(EndReason::Expired) => expired(),
            Some(EndReason::SignedOut) | None => not_signed_in(),
        });
    }
    if now >= expires_at(row.signed_in_at, row.last_active_at) {
        let mut conn = state.db.acquire().await?;
        end(&mut conn, &row.id, EndReason::Expired, None, now).await?;
        return Err(expired());
    }

    let mut session = Session {
        id: row.id,
        account_id: row.account_id,
        email: row.email,
        kids: row.kids.is_some_and(bool::from),
        last_active_at: row.last_active_at,
        reauthenticated_until: row.reauthenticated_until,
        device_name: row.nickname.unwrap_or(row.device_name),
        device_kind: device::parse_kind(&row.device_kind)?,
        client,
        now,
        recorded_place: (row.city.is_some() || row.country.is_some()).then_some(Place {
            city: row.city,
            country: row.country,
        }),
        recorded_ip: row.ip,
    };
    if now - session.last_active_at >= TOUCH_INTERVAL {
        let ua_changed = session.client.user_agent != row.user_agent;
        let mut tx = db::write(&state.db).await?;
        touch(&mut tx, &state.geo, &mut session, ua_changed).await?;
        tx.commit().await?;
    }
    Ok(session)
}

/// Records that the session was used now, from where, with what. The address is looked up
/// only when it changed.
async fn touch(
    conn: &mut AnyConnection,
    geo: &Geo,
    session: &mut Session,
    ua_changed: bool,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE sessions SET last_active_at = $1 WHERE id = $2")
        .bind(session.now)
        .bind(&session.id)
        .execute(&mut *conn)
        .await?;
    let ip = session.client.ip.map(|ip| ip.to_string());
    if ip != session.recorded_ip {
        let place = geo.locate(session.client.ip);
        let stored = place.clone().unwrap_or_default();
        sqlx::query("UPDATE sessions SET ip = $1, city = $2, country = $3 WHERE id = $4")
            .bind(&ip)
            .bind(stored.city)
            .bind(stored.country)
            .bind(&session.id)
            .execute(&mut *conn)
            .await?;
        session.recorded_ip = ip;
        session.recorded_place = place;
    }
    if ua_changed {
        // A browser update changes the version, rarely the device; keep the row current.
        let info = crate::useragent::describe(&session.client.user_agent);
        sqlx::query(
            "UPDATE sessions SET user_agent = $1, device_name = $2, device_kind = $3, browser = $4, os = $5
             WHERE id = $6",
        )
        .bind(&session.client.user_agent)
        .bind(&info.name)
        .bind(device::kind_str(info.kind))
        .bind(&info.browser)
        .bind(&info.os)
        .bind(&session.id)
        .execute(&mut *conn)
        .await?;
    }
    session.last_active_at = session.now;
    Ok(())
}
