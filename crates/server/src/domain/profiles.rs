//! Profiles ("Who's watching?"): the only module that reads or writes `profiles` (their
//! PINs' hashes too; checking a PIN is `profile_pins`, through [`pin_hash`] and [`set_pin`]).

use axum::http::StatusCode;
use hallpass_api::{ErrorCode, MAX_PROFILES, MaturityRating, NewProfile, Profile, ProfilePatch};
use sqlx::AnyConnection;

use super::ratelimit;
use super::sessions::{self, Session};
use crate::{ApiError, AppState, crypto, db, names};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    avatar: String,
    #[sqlx(try_from = "crate::db::Flag")]
    kids: bool,
    maturity_rating: String,
    language: String,
    #[sqlx(try_from = "crate::db::Flag")]
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
    conn: &mut AnyConnection,
    account_id: &str,
    id: &str,
) -> Result<Option<Profile>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM profiles WHERE account_id = $1 AND id = $2"
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Profile::from))
}

async fn load_or_404(
    conn: &mut AnyConnection,
    account_id: &str,
    id: &str,
) -> Result<Profile, ApiError> {
    load(conn, account_id, id)
        .await?
        .ok_or_else(profile_not_found)
}

/// Also for another account's profile: 404, never a hint that it exists.
pub fn profile_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is no such profile.",
    )
}

pub async fn list_of(
    conn: &mut AnyConnection,
    account_id: &str,
) -> Result<Vec<Profile>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM profiles WHERE account_id = $1 ORDER BY position, id"
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

/// Whether another profile of the account has a name that could be taken for `name`: the same
/// ignoring case, or a look-alike (`names::look_alike`). Five names at most: compared here.
async fn name_taken(
    conn: &mut AnyConnection,
    account_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let others: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM profiles WHERE account_id = $1 AND id IS DISTINCT FROM $2",
    )
    .bind(account_id)
    .bind(except)
    .fetch_all(conn)
    .await?;
    Ok(others.iter().any(|other| names::look_alike(other, name)))
}

/// The account's profiles, in the owner's order.
pub async fn list(state: &AppState, account_id: &str) -> Result<Vec<Profile>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(list_of(&mut conn, account_id).await?)
}

/// The id of the account's profile called `name` (the demo's seeding finds them so).
pub async fn id_by_name(
    state: &AppState,
    account_id: &str,
    name: &str,
) -> Result<Option<String>, ApiError> {
    Ok(list(state, account_id)
        .await?
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.id))
}

/// Adds a profile (at most five).
pub async fn create(
    state: &AppState,
    session: &Session,
    body: NewProfile,
) -> Result<Profile, ApiError> {
    check_kids_rating(body.kids, body.maturity_rating)?;
    let name = names::normalise(&body.name);
    let name = name.as_str();
    let mut tx = db::write(&state.db).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profiles WHERE account_id = $1")
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
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM profiles WHERE account_id = $3),
                 $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&session.account_id)
    .bind(&session.account_id)
    .bind(name)
    .bind(&body.avatar)
    .bind(db::flag(body.kids))
    .bind(rating_text(body.maturity_rating))
    .bind(&body.language)
    .execute(&mut *tx)
    .await?;
    let profile = load_or_404(&mut tx, &session.account_id, &id).await?;
    tx.commit().await?;
    Ok(profile)
}

/// Changes some of a profile's fields.
pub async fn update(
    state: &AppState,
    session: &Session,
    id: &str,
    body: ProfilePatch,
) -> Result<Profile, ApiError> {
    let mut tx = db::write(&state.db).await?;
    let current = load_or_404(&mut tx, &session.account_id, id).await?;
    let name = body
        .name
        .as_deref()
        .map_or_else(|| current.name.clone(), names::normalise);
    let kids = body.kids.unwrap_or(current.kids);
    let rating = body.maturity_rating.unwrap_or(current.maturity_rating);
    check_kids_rating(kids, rating)?;
    if name_taken(&mut tx, &session.account_id, &name, Some(id)).await? {
        return Err(duplicate_name(&name));
    }
    sqlx::query(
        "UPDATE profiles SET name = $1, avatar = $2, kids = $3, maturity_rating = $4, language = $5
         WHERE id = $6",
    )
    .bind(&name)
    .bind(body.avatar.as_ref().unwrap_or(&current.avatar))
    .bind(db::flag(kids))
    .bind(rating_text(rating))
    .bind(body.language.as_ref().unwrap_or(&current.language))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let profile = load_or_404(&mut tx, &session.account_id, id).await?;
    tx.commit().await?;
    Ok(profile)
}

/// Deletes a profile; the last one stays.
pub async fn delete(state: &AppState, session: &Session, id: &str) -> Result<(), ApiError> {
    let mut tx = db::write(&state.db).await?;
    load_or_404(&mut tx, &session.account_id, id).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM profiles WHERE account_id = $1")
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
    let users = sessions::watching(&mut tx, id, &session.id).await?;
    sessions::revoke(&mut tx, session, &users).await?;
    sqlx::query("DELETE FROM profiles WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    ratelimit::clear(&mut tx, &ratelimit::pin_key(id)).await?;
    tx.commit().await?;
    Ok(())
}

/// The PIN hash of the account's profile `id`: `None` if there is no such profile,
/// `Some(None)` if it has no PIN.
pub async fn pin_hash(
    state: &AppState,
    account_id: &str,
    id: &str,
) -> Result<Option<Option<String>>, sqlx::Error> {
    sqlx::query_scalar("SELECT pin_hash FROM profiles WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account_id)
        .fetch_optional(&state.db)
        .await
}

/// Whether the account's profile `id` still exists with the PIN hash `pin_hash` (read again
/// inside a write transaction, after a slow PIN check).
pub async fn still_has_pin(
    conn: &mut AnyConnection,
    account_id: &str,
    id: &str,
    pin_hash: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM profiles WHERE id = $1 AND account_id = $2 AND pin_hash IS NOT DISTINCT FROM $3",
    )
    .bind(id)
    .bind(account_id)
    .bind(pin_hash)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Sets (or with `None` removes) the PIN of the account's profile `id`; `false` if there is
/// no such profile.
pub async fn set_pin(
    conn: &mut AnyConnection,
    account_id: &str,
    id: &str,
    hash: Option<String>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE profiles SET pin_hash = $1 WHERE id = $2 AND account_id = $3")
        .bind(hash)
        .bind(id)
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a profile at the end of the account's list (for a new account).
pub async fn insert(
    conn: &mut AnyConnection,
    account_id: &str,
    name: &str,
    avatar: &str,
    rating: MaturityRating,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO profiles (id, account_id, position, name, avatar, kids, maturity_rating, language)
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM profiles WHERE account_id = $3),
                 $4, $5, 0, $6, 'en')",
    )
    .bind(crypto::id())
    .bind(account_id)
    .bind(account_id)
    .bind(name)
    .bind(avatar)
    .bind(rating_text(rating))
    .execute(conn)
    .await?;
    Ok(())
}
