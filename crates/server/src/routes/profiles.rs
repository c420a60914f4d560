//! Profiles ("Who's watching?"): list and select for everyone signed in; add, change, delete
//! and lock only from a profile that is not a kids profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    ActivityKind, ErrorBody, ErrorCode, MAX_PROFILES, MaturityRating, NewProfile, Profile,
    ProfileLock, ProfilePatch, SelectProfile, SessionInfo, paths,
};
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::auth::{Manager, Session, SteppedUp};
use crate::extract::ApiPath;
use crate::routes::{devices, session};
use crate::{ApiError, ApiJson, AppState, crypto, db, ratelimit};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    avatar: String,
    kids: bool,
    maturity_rating: String,
    language: String,
    locked: bool,
}

const COLUMNS: &str =
    "id, name, avatar, kids, maturity_rating, language, pin_hash IS NOT NULL AS locked";

fn rating_text(rating: MaturityRating) -> &'static str {
    rating.as_str()
}

/// A value the database holds that no build knows is read as the strictest rating.
fn rating_from_text(text: &str) -> MaturityRating {
    MaturityRating::from_wire(text).unwrap_or(MaturityRating::Eighteen)
}

impl From<Row> for Profile {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            name: row.name,
            avatar: row.avatar,
            kids: row.kids,
            maturity_rating: rating_from_text(&row.maturity_rating),
            locked: row.locked,
            language: row.language,
        }
    }
}

/// The profile `id` of the account, or `None` (also for another account's profile).
pub async fn load(
    conn: &mut SqliteConnection,
    account_id: &str,
    id: &str,
) -> Result<Option<Profile>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM profiles WHERE account_id = ? AND id = ?"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Profile::from))
}

async fn load_or_404(
    conn: &mut SqliteConnection,
    account_id: &str,
    id: &str,
) -> Result<Profile, ApiError> {
    load(conn, account_id, id)
        .await?
        .ok_or_else(profile_not_found)
}

/// Also for another account's profile: 404, never a hint that it exists.
fn profile_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is no such profile.",
    )
}

pub async fn list_of(
    conn: &mut SqliteConnection,
    account_id: &str,
) -> Result<Vec<Profile>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM profiles WHERE account_id = ? ORDER BY position, rowid"
    ))
    .bind(account_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Profile::from).collect())
}

fn duplicate_name(name: &str) -> ApiError {
    ApiError::invalid_fields(
        [(
            "name".to_owned(),
            format!("There is already a profile called {name}."),
        )]
        .into(),
    )
}

/// A kids profile is for children: it can't be rated for adults.
fn check_kids_rating(kids: bool, rating: MaturityRating) -> Result<(), ApiError> {
    if kids && matches!(rating, MaturityRating::Sixteen | MaturityRating::Eighteen) {
        return Err(ApiError::invalid_fields(
            [(
                "maturity_rating".to_owned(),
                "A kids profile can be rated up to 13+.".to_owned(),
            )]
            .into(),
        ));
    }
    Ok(())
}

async fn name_taken(
    conn: &mut SqliteConnection,
    account_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM profiles WHERE account_id = ? AND name = ? COLLATE NOCASE AND id IS NOT ?",
    )
    .bind(account_id)
    .bind(name)
    .bind(except)
    .fetch_one(conn)
    .await?;
    Ok(count > 0)
}

/// The account's profiles, in the owner's order.
#[utoipa::path(get, path = paths::PROFILES, tag = "profiles",
    responses((status = 200, body = [Profile]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Profile>>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(list_of(&mut conn, &session.account_id).await?))
}

/// Switch this browser to a profile; a locked one needs its PIN.
#[utoipa::path(post, path = paths::PROFILE_SELECT, tag = "profiles", request_body = SelectProfile,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`pin_required` or `wrong_pin`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong PINs in 15 minutes", body = ErrorBody),
    ))]
pub async fn select(
    State(state): State<AppState>,
    session: Session,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<SelectProfile>,
) -> Result<Json<SessionInfo>, ApiError> {
    let now = session.now;
    let pin_hash: Option<Option<String>> =
        sqlx::query_scalar("SELECT pin_hash FROM profiles WHERE id = ? AND account_id = ?")
            .bind(&id)
            .bind(&session.account_id)
            .fetch_optional(&state.db)
            .await?;
    let Some(pin_hash) = pin_hash else {
        return Err(profile_not_found());
    };
    let mut tx = match &pin_hash {
        None => db::write(&state.db).await?,
        Some(hash) => check_pin(&state, &session, &id, body.pin, hash.clone()).await?,
    };
    // The profile may have been deleted, or locked with another PIN, since it was read: the
    // choice holds only if it is still the profile that was checked, in this transaction.
    let chosen = sqlx::query(
        "UPDATE sessions SET profile_id = ?1 WHERE id = ?2
           AND EXISTS (SELECT 1 FROM profiles WHERE id = ?1 AND account_id = ?3 AND pin_hash IS ?4)",
    )
    .bind(&id)
    .bind(&session.id)
    .bind(&session.account_id)
    .bind(&pin_hash)
    .execute(&mut *tx)
    .await?;
    if chosen.rows_affected() == 0 {
        let still_there = load(&mut tx, &session.account_id, &id).await?.is_some();
        tx.commit().await?;
        return Err(if still_there {
            pin_required()
        } else {
            profile_not_found()
        });
    }
    tx.commit().await?;
    Ok(Json(session::info(&state.db, &session.id, now).await?))
}

fn pin_required() -> ApiError {
    ApiError::forbidden(
        ErrorCode::PinRequired,
        "This profile is locked. Enter its PIN.",
    )
}

/// Checks `pin` against the profile's `pin_hash` under the PIN rate limit. Right: the open
/// write transaction in which the try is given back, for the caller to finish. Wrong: the
/// failure is recorded and the answer is 403 `wrong_pin`.
async fn check_pin(
    state: &AppState,
    session: &Session,
    id: &str,
    pin: Option<String>,
    pin_hash: String,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, ApiError> {
    let pin = pin.ok_or_else(pin_required)?;
    let key = ratelimit::pin_key(id);
    let reservation =
        ratelimit::reserve(&state.db, &[(&key, ratelimit::PROFILE_PIN)], session.now).await?;
    let checked = state.hasher.verify(pin, pin_hash).await;
    let mut tx = db::write(&state.db).await?;
    // A server too busy to check (503) has seen no wrong PIN: the try is given back.
    let right = match checked {
        Ok(right) => right,
        Err(err) => {
            reservation.release(&mut tx).await?;
            tx.commit().await?;
            return Err(err);
        }
    };
    if !right {
        let actor = Actor::session(state, session);
        activity::record(
            &mut tx,
            &session.account_id,
            ActivityKind::ProfilePinFailed,
            session.now,
            &actor,
        )
        .await?;
        tx.commit().await?;
        return Err(
            ApiError::forbidden(ErrorCode::WrongPin, "That PIN is not right.")
                .with_field("pin", "That PIN is not right."),
        );
    }
    reservation.release(&mut tx).await?;
    ratelimit::clear(&mut tx, &key).await?;
    Ok(tx)
}

/// Add a profile (at most five).
#[utoipa::path(post, path = paths::PROFILES, tag = "profiles", request_body = NewProfile,
    responses(
        (status = 201, body = Profile),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 409, description = "`profile_limit`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`, also for a name already used", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiJson(body): ApiJson<NewProfile>,
) -> Result<(StatusCode, Json<Profile>), ApiError> {
    check_kids_rating(body.kids, body.maturity_rating)?;
    let name = body.name.trim();
    let mut tx = db::write(&state.db).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profiles WHERE account_id = ?")
        .bind(&session.account_id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= i64::try_from(MAX_PROFILES).unwrap_or(i64::MAX) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::ProfileLimit,
            "An account can have at most 5 profiles.",
        ));
    }
    if name_taken(&mut tx, &session.account_id, name, None).await? {
        return Err(duplicate_name(name));
    }
    let id = crypto::id();
    sqlx::query(
        "INSERT INTO profiles (id, account_id, position, name, avatar, kids, maturity_rating, language)
         VALUES (?, ?, (SELECT COALESCE(MAX(position), -1) + 1 FROM profiles WHERE account_id = ?),
                 ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&session.account_id)
    .bind(&session.account_id)
    .bind(name)
    .bind(&body.avatar)
    .bind(body.kids)
    .bind(rating_text(body.maturity_rating))
    .bind(&body.language)
    .execute(&mut *tx)
    .await?;
    let profile = load_or_404(&mut tx, &session.account_id, &id).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(profile)))
}

/// Change some of a profile's fields.
#[utoipa::path(patch, path = paths::PROFILE, tag = "profiles", request_body = ProfilePatch,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 200, body = Profile),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`, also for a name already used", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ProfilePatch>,
) -> Result<Json<Profile>, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let current = load_or_404(&mut tx, &session.account_id, &id).await?;
    let name = body
        .name
        .as_deref()
        .map_or(current.name.as_str(), str::trim)
        .to_owned();
    let kids = body.kids.unwrap_or(current.kids);
    let rating = body.maturity_rating.unwrap_or(current.maturity_rating);
    check_kids_rating(kids, rating)?;
    if name_taken(&mut tx, &session.account_id, &name, Some(&id)).await? {
        return Err(duplicate_name(&name));
    }
    sqlx::query(
        "UPDATE profiles SET name = ?, avatar = ?, kids = ?, maturity_rating = ?, language = ?
         WHERE id = ?",
    )
    .bind(&name)
    .bind(body.avatar.as_ref().unwrap_or(&current.avatar))
    .bind(kids)
    .bind(rating_text(rating))
    .bind(body.language.as_ref().unwrap_or(&current.language))
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    let profile = load_or_404(&mut tx, &session.account_id, &id).await?;
    tx.commit().await?;
    Ok(Json(profile))
}

/// Delete a profile; the last one stays.
#[utoipa::path(delete, path = paths::PROFILE, tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Deleted; browsers using it go back to choosing a profile"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`last_profile`", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    Manager(session): Manager,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let mut tx = db::write(&state.db).await?;
    load_or_404(&mut tx, &session.account_id, &id).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profiles WHERE account_id = ?")
        .bind(&session.account_id)
        .fetch_one(&mut *tx)
        .await?;
    if count <= 1 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::LastProfile,
            "An account needs at least one profile.",
        ));
    }
    // Devices watching as this profile are signed out: left without a profile, a device that
    // was on a kids profile would be one that may manage the account.
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM sessions WHERE profile_id = ? AND id != ? AND ended_at IS NULL",
    )
    .bind(&id)
    .bind(&session.id)
    .fetch_all(&mut *tx)
    .await?;
    devices::revoke(&mut tx, &session, &users).await?;
    sqlx::query("DELETE FROM profiles WHERE id = ?")
        .bind(&id)
        .execute(&mut *tx)
        .await?;
    ratelimit::clear(&mut tx, &ratelimit::pin_key(&id)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lock a profile with a 4-digit PIN (or change its PIN).
#[utoipa::path(put, path = paths::PROFILE_LOCK, tag = "profiles", request_body = ProfileLock,
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Locked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile` or `reauthentication_required`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 10 PINs set per account in 15 minutes, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: too many passwords and PINs being checked at once; `Retry-After`", body = ErrorBody),
    ))]
pub async fn lock(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ProfileLock>,
) -> Result<StatusCode, ApiError> {
    // Counted before the hash: a burst of PIN changes must not be a burst of argon2 work.
    let key = ratelimit::pin_change_key(&session.account_id);
    ratelimit::spend(
        &state.db,
        &key,
        ratelimit::PIN_CHANGES_PER_ACCOUNT,
        session.now,
    )
    .await?;
    let hash = state.hasher.hash(body.pin).await?;
    set_pin(&state, &session.account_id, &id, Some(hash)).await
}

/// Remove a profile's PIN.
#[utoipa::path(delete, path = paths::PROFILE_LOCK, tag = "profiles",
    params(("id" = String, Path, description = "Profile id")),
    responses(
        (status = 204, description = "Unlocked"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "`kids_profile` or `reauthentication_required`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn unlock(
    State(state): State<AppState>,
    SteppedUp(session): SteppedUp,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    set_pin(&state, &session.account_id, &id, None).await
}

async fn set_pin(
    state: &AppState,
    account_id: &str,
    id: &str,
    hash: Option<String>,
) -> Result<StatusCode, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let done = sqlx::query("UPDATE profiles SET pin_hash = ? WHERE id = ? AND account_id = ?")
        .bind(hash)
        .bind(id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(profile_not_found());
    }
    // A new PIN starts with a clean slate of tries.
    ratelimit::clear(&mut tx, &ratelimit::pin_key(id)).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
