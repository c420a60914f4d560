//! Profiles ("Who's watching?"): list and select for everyone signed in; add, change, delete
//! and lock only from a profile that is not a kids profile.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hallpass_api::{
    ErrorBody, ErrorCode, MAX_PROFILES, MaturityRating, NewProfile, Profile, ProfilePatch, paths,
};
use sqlx::SqliteConnection;

use crate::auth::{Manager, Session};
use crate::extract::ApiPath;
use crate::routes::devices;
use crate::{ApiError, ApiJson, AppState, crypto, db, names, ratelimit};

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
pub(super) fn profile_not_found() -> ApiError {
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

/// Whether another profile of the account has a name that could be taken for `name`: the same
/// ignoring case, or a look-alike (`names::look_alike`). Five names at most: compared here.
async fn name_taken(
    conn: &mut SqliteConnection,
    account_id: &str,
    name: &str,
    except: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let others: Vec<String> =
        sqlx::query_scalar("SELECT name FROM profiles WHERE account_id = ? AND id IS NOT ?")
            .bind(account_id)
            .bind(except)
            .fetch_all(conn)
            .await?;
    Ok(others.iter().any(|other| names::look_alike(other, name)))
}

/// The account's profiles, in the owner's order.
#[utoipa::path(get, operation_id = "list_profiles", path = paths::PROFILES, tag = "profiles",
    responses((status = 200, body = [Profile]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Vec<Profile>>, ApiError> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(list_of(&mut conn, &session.account_id).await?))
}

/// Add a profile (at most five).
#[utoipa::path(post, operation_id = "create_profile", path = paths::PROFILES, tag = "profiles", request_body = NewProfile,
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
    let name = names::normalise(&body.name);
    let name = name.as_str();
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
#[utoipa::path(patch, operation_id = "update_profile", path = paths::PROFILE, tag = "profiles", request_body = ProfilePatch,
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
        .map_or_else(|| current.name.clone(), names::normalise);
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
#[utoipa::path(delete, operation_id = "delete_profile", path = paths::PROFILE, tag = "profiles",
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
