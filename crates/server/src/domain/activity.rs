//! Account activity: every event of docs/API.md's `ActivityEvent` list, with the device that did it
//! (or, for `device_signed_out`, the device that was signed out), its IP hint and location.

use hallpass_api::{
    ACTIVITY_PAGE_SIZE, ActivityEvent, ActivityKind, ActivityPage, DeviceKind, DeviceRef, Location,
};
use sqlx::AnyConnection;

use super::device::{self, Seen};
use super::sessions::{self, Session};
use crate::clock::timestamp;
use crate::geo::{Geo, Place};
use crate::{ApiError, AppState};

/// The device an event is about.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub session_id: Option<String>,
    pub device_name: Option<String>,
    pub device_kind: Option<DeviceKind>,
    pub ip_hint: Option<String>,
    pub place: Option<Place>,
}

impl Actor {
    /// The signed-in device making the request.
    pub fn session(geo: &Geo, session: &Session) -> Self {
        Self {
            session_id: Some(session.id.clone()),
            device_name: Some(session.device_name.clone()),
            device_kind: Some(session.device_kind),
            ip_hint: session.client.ip_hint(),
            place: session.place(geo),
        }
    }

    /// A device known by its request alone (a sign-in attempt), or the session it just got.
    pub fn seen(seen: &Seen, session_id: Option<String>) -> Self {
        Self {
            session_id,
            device_name: Some(seen.name.clone()),
            device_kind: Some(seen.kind),
            ip_hint: seen.ip_hint.clone(),
            place: seen.place.clone(),
        }
    }
}

/// Every kind the server records; `activity.kind`'s `CHECK` lists the same words.
pub(super) const KINDS: [ActivityKind; 14] = [
    ActivityKind::SignedIn,
    ActivityKind::SignInFailed,
    ActivityKind::SignedOut,
    ActivityKind::DeviceSignedOut,
    ActivityKind::SignedOutAll,
    ActivityKind::PasswordChanged,
    ActivityKind::PasswordReset,
    ActivityKind::EmailChanged,
    ActivityKind::PhoneChanged,
    ActivityKind::TwoFactorEnabled,
    ActivityKind::TwoFactorDisabled,
    ActivityKind::RecoveryCodesRegenerated,
    ActivityKind::ProfilePinFailed,
    ActivityKind::LinkedAccountRemoved,
];

/// The database's word for an event kind.
pub fn kind_str(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::SignedIn => "signed_in",
        ActivityKind::SignInFailed => "sign_in_failed",
        ActivityKind::SignedOut => "signed_out",
        ActivityKind::DeviceSignedOut => "device_signed_out",
        ActivityKind::SignedOutAll => "signed_out_all",
        ActivityKind::PasswordChanged => "password_changed",
        ActivityKind::PasswordReset => "password_reset",
        ActivityKind::EmailChanged => "email_changed",
        ActivityKind::PhoneChanged => "phone_changed",
        ActivityKind::TwoFactorEnabled => "two_factor_enabled",
        ActivityKind::TwoFactorDisabled => "two_factor_disabled",
        ActivityKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
        ActivityKind::ProfilePinFailed => "profile_pin_failed",
        ActivityKind::LinkedAccountRemoved => "linked_account_removed",
        // Never recorded (the schema's CHECK would refuse it): the app's word for a kind
        // newer than itself.
        ActivityKind::Unknown => "unknown",
    }
}

/// Records one event; call it inside the transaction of the change it reports. Returns its
/// id (a new sign-in's live event links to it).
pub async fn record(
    conn: &mut AnyConnection,
    account_id: &str,
    kind: ActivityKind,
    at: i64,
    actor: &Actor,
) -> Result<i64, sqlx::Error> {
    let place = actor.place.clone().unwrap_or_default();
    let row = sqlx::query(
        "INSERT INTO activity (account_id, kind, at, session_id, device_name, device_kind,
             ip_hint, city, country)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id",
    )
    .bind(account_id)
    .bind(kind_str(kind))
    .bind(at)
    .bind(&actor.session_id)
    .bind(&actor.device_name)
    .bind(actor.device_kind.map(device::kind_str))
    .bind(&actor.ip_hint)
    .bind(place.city)
    .bind(place.country)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::Row::try_get(&row, 0)
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    kind: String,
    at: i64,
    device_name: Option<String>,
    device_kind: Option<String>,
    ip_hint: Option<String>,
    city: Option<String>,
    country: Option<String>,
    device_id: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    unusual: bool,
}

/// A cursor is the position of the last event of a page: `<at>.<id>`, opaque to the app.
fn parse_cursor(cursor: &str) -> Option<(i64, i64)> {
    let (at, id) = cursor.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

/// The kind the database's word names; any other word is a broken row, an internal error.
fn parse_kind(text: &str) -> Result<ActivityKind, ApiError> {
    KINDS
        .into_iter()
        .find(|kind| kind_str(*kind) == text)
        .ok_or_else(|| ApiError::internal(format!("activity kind {text:?}")))
}

/// One page of events, newest first, older than `before`.
pub async fn page(
    state: &AppState,
    account_id: &str,
    before: Option<&str>,
) -> Result<ActivityPage, ApiError> {
    let (before_at, before_id) = match before {
        None => (i64::MAX, i64::MAX),
        Some(cursor) => parse_cursor(cursor).ok_or_else(|| {
            ApiError::invalid_fields(
                [(
                    "before".to_owned(),
                    "That is not a cursor this server gave out.".to_owned(),
                )]
                .into(),
            )
        })?,
    };
    // One more than a page tells whether there is a next one.
    let limit = i64::try_from(ACTIVITY_PAGE_SIZE + 1).unwrap_or(i64::MAX);
    let now = state.clock.now();
    let (idle, absolute) = sessions::active_bounds(now);
    // The device's nickname and whether it is still signed in are read in this one query
    // (with the sessions module's rule of "active"), not one query per event.
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT a.id, a.kind, a.at, COALESCE(s.nickname, a.device_name) AS device_name,
                a.device_kind, a.ip_hint, a.city, a.country,
                CASE WHEN {} THEN s.id END AS device_id,
                -- Unusual: a failure from where no sign-in of this account ever succeeded.
                -- The place when it is known, else the address's hint (no GeoIP database).
                a.kind = $8 AND NOT EXISTS (
                    SELECT 1 FROM activity o
                    WHERE o.account_id = a.account_id AND o.kind = $9
                      AND CASE WHEN a.city IS NULL AND a.country IS NULL
                               THEN o.city IS NULL AND o.country IS NULL
                                    AND o.ip_hint IS NOT DISTINCT FROM a.ip_hint
                               ELSE o.city IS NOT DISTINCT FROM a.city
                                    AND o.country IS NOT DISTINCT FROM a.country END
                ) AS unusual
         FROM activity a LEFT JOIN sessions s ON s.id = a.session_id
         WHERE a.account_id = $1 AND (a.at < $2 OR (a.at = $3 AND a.id < $4))
         ORDER BY a.at DESC, a.id DESC
         LIMIT $5",
        sessions::active("s", 6, 7)
    ))
    .bind(account_id)
    .bind(before_at)
    .bind(before_at)
    .bind(before_id)
    .bind(limit)
    .bind(idle)
    .bind(absolute)
    .bind(kind_str(ActivityKind::SignInFailed))
    .bind(kind_str(ActivityKind::SignedIn))
    .fetch_all(&state.db)
    .await?;
    let more = rows.len() > ACTIVITY_PAGE_SIZE;
    let rows: Vec<EventRow> = rows.into_iter().take(ACTIVITY_PAGE_SIZE).collect();
    let next = more
        .then(|| rows.last().map(|r| format!("{}.{}", r.at, r.id)))
        .flatten();
    let events = rows
        .into_iter()
        .map(|row| {
            let kind = match row.device_kind.as_deref() {
                Some(kind) => device::parse_kind(kind)?,
                None => DeviceKind::Unknown,
            };
            Ok(ActivityEvent {
                id: row.id.to_string(),
                kind: parse_kind(&row.kind)?,
                at: timestamp(row.at),
                device: row.device_name.map(|name| DeviceRef {
                    id: row.device_id,
                    name,
                    kind,
                }),
                location: location(row.city, row.country),
                ip_hint: row.ip_hint,
                unusual: row.unusual,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(ActivityPage { events, next })
}

/// `None` when neither part is known, as docs/API.md's `location | null`.
pub fn location(city: Option<String>, country: Option<String>) -> Option<Location> {
    (city.is_some() || country.is_some()).then_some(Location { city, country })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_stored_as_its_wire_name_and_reads_back_as_itself() {
        for kind in KINDS {
            let wire = serde_json::to_value(kind).expect("serialises");
            assert_eq!(wire.as_str(), Some(kind_str(kind)));
            assert_eq!(parse_kind(kind_str(kind)).ok(), Some(kind));
        }
        assert!(parse_kind("unknown").is_err());
    }
}
