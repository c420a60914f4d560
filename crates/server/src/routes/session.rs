//! Session (this browser): sign in, two-step verification, step-up, sign out.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hallpass_api::{
    AccountRef, ActivityKind, ErrorBody, ErrorCode, SessionInfo, SessionMeta, SessionStatus,
    SignIn, SignInOutcome, TwoFactorChallenge, TwoFactorSignIn, paths,
};
use sqlx::SqliteConnection;

use crate::activity::{self, Actor};
use crate::auth::{self, Session};
use crate::client::Client;
use crate::clock::{MINUTE, timestamp};
use crate::routes::profiles;
use crate::second_factor::{self, Answer};
use crate::{ApiError, ApiJson, AppState, crypto, db, ratelimit};

/// A two-step challenge must be answered within this time.
pub const CHALLENGE_LIFETIME: i64 = 5 * MINUTE;
/// Wrong codes per challenge before it is spent.
pub const CHALLENGE_ATTEMPTS: i64 = 5;

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(
        ErrorCode::InvalidCredentials,
        "That email and password don't match an account.",
    )
}

/// `Set-Cookie` plus a JSON body.
pub fn with_cookie(cookie: HeaderValue, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie);
    response
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: String,
    password_hash: String,
    totp_secret: Option<String>,
}

/// Checks the password of the account with `email`, under the sign-in rate limits. Unknown
/// addresses and wrong passwords take the same path and the same time, and give one answer.
pub async fn check_password(
    state: &AppState,
    client: &Client,
    email: &str,
    password: &str,
) -> Result<(String, Option<String>), ApiError> {
    let now = state.clock.now();
    let account_key = ratelimit::account_key(&email.to_lowercase());
    let ip_key = ratelimit::ip_key(client.ip);
    let reservation = ratelimit::reserve(
        &state.db,
        &[
            (&ip_key, ratelimit::SIGN_IN_PER_IP),
            (&account_key, ratelimit::SIGN_IN_PER_ACCOUNT),
        ],
        now,
    )
    .await?;
    let account: Option<Credentials> =
        sqlx::query_as("SELECT id, password_hash, totp_secret FROM accounts WHERE email = ?")
            .bind(email)
            .fetch_optional(&state.db)
            .await?;
    let password = password.to_owned();
    let checked = match &account {
        Some(account) => {
            (state.hasher)
                .verify(password, account.password_hash.clone())
                .await
        }
        None => state.hasher.verify_nothing(password).await.map(|()| false),
    };
    let mut tx = db::write(&state.db).await?;
    // A server too busy to check (503) has seen no failure: the try is given back.
    let matched = match checked {
        Ok(matched) => matched,
        Err(err) => {
            reservation.release(&mut tx).await?;
            tx.commit().await?;
            return Err(err);
        }
    };
    match account {
        Some(account) if matched => {
            reservation.release(&mut tx).await?;
            ratelimit::clear(&mut tx, &account_key).await?;
            tx.commit().await?;
            Ok((account.id, account.totp_secret))
        }
        _ => {
            reservation.fail(&mut tx).await?;
            if let Some(account) = account {
                let actor = Actor::client(state, client, None);
                activity::record(
                    &mut tx,
                    &account.id,
                    ActivityKind::SignInFailed,
                    now,
                    &actor,
                )
                .await?;
            }
            tx.commit().await?;
            Err(invalid_credentials())
        }
    }
}

/// Signs `account_id` in on `client`: a new session, the `signed_in` event. The session
/// behind `replacing` (the cookie the browser sent, if any) ends: one browser, one session.
/// Returns the new token and the session's id.
pub async fn sign_in_as(
    tx: &mut SqliteConnection,
    state: &AppState,
    account_id: &str,
    client: &Client,
    replacing: Option<&str>,
) -> Result<(String, String), ApiError> {
    let now = state.clock.now();
    if let Some(old) = replacing {
        sqlx::query(
            "UPDATE sessions SET ended_at = ?, end_reason = 'signed_out'
             WHERE token_hash = ? AND ended_at IS NULL",
        )
        .bind(now)
        .bind(crypto::sha256(old))
        .execute(&mut *tx)
        .await?;
    }
    let (token, session_id) = auth::start(&mut *tx, state, account_id, client, now).await?;
    let actor = Actor::client(state, client, Some(session_id.clone()));
    activity::record(&mut *tx, account_id, ActivityKind::SignedIn, now, &actor).await?;
    Ok((token, session_id))
}

/// Signs in in one transaction and answers with the cookie and `body(info)`.
async fn signed_in(
    state: &AppState,
    account_id: &str,
    client: &Client,
    headers: &HeaderMap,
) -> Result<(HeaderValue, SessionInfo), ApiError> {
    let mut tx = db::write(&state.db).await?;
    let (token, id) = sign_in_as(
        &mut tx,
        state,
        account_id,
        client,
        auth::token(headers).as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok((
        auth::cookie(&token),
        info(&state.db, &id, state.clock.now()).await?,
    ))
}

#[derive(sqlx::FromRow)]
struct InfoRow {
    account_id: String,
    email: String,
    profile_id: Option<String>,
    signed_in_at: i64,
    last_active_at: i64,
    reauthenticated_until: Option<i64>,
}

/// `SessionInfo` for the session `session_id`.
pub async fn info(
    pool: &sqlx::SqlitePool,
    session_id: &str,
    now: i64,
) -> Result<SessionInfo, ApiError> {
    let mut conn = pool.acquire().await?;
    let row: InfoRow = sqlx::query_as(
        "SELECT s.account_id, a.email, s.profile_id, s.signed_in_at, s.last_active_at,
                s.reauthenticated_until
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
    )
    .bind(session_id)
    .fetch_one(&mut *conn)
    .await?;
    let profile = match &row.profile_id {
        Some(id) => profiles::load(&mut conn, &row.account_id, id).await?,
        None => None,
    };
    let expires_at = auth::expires_at(row.signed_in_at, row.last_active_at);
    Ok(SessionInfo {
        account: AccountRef {
            id: row.account_id,
            email: row.email,
        },
        session: SessionMeta {
            id: session_id.to_owned(),
            signed_in_at: timestamp(row.signed_in_at),
            expires_at: timestamp(expires_at),
            recently_authenticated_until: row
                .reauthenticated_until
                .filter(|until| *until > now)
                .map(timestamp),
        },
        profile,
    })
}

/// Sign in with email and password.
#[utoipa::path(post, operation_id = "sign_in", path = paths::SESSION, tag = "session", request_body = SignIn,
    responses(
        (status = 200, description = "Signed in (cookie set), or a two-step challenge", body = SignInOutcome),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`, with `Retry-After`", body = ErrorBody),
        (status = 503, description = "`unavailable`: tries in progress for this account were not decided in time; `Retry-After`", body = ErrorBody),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, ApiError> {
    let (account_id, totp_secret) =
        check_password(&state, &client, body.email.trim(), &body.password).await?;
    if totp_secret.is_some() {
        let challenge = crypto::token();
        sqlx::query(
            "INSERT INTO two_factor_challenges (token_hash, account_id, created_at, user_agent, ip)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(crypto::sha256(&challenge))
        .bind(&account_id)
        .bind(state.clock.now())
        .bind(&client.user_agent)
        .bind(client.ip.map(|ip| ip.to_string()))
        .execute(&state.db)
        .await?;
        let outcome = SignInOutcome::TwoFactorRequired(TwoFactorChallenge {
            two_factor_required: true,
            challenge,
        });
        return Ok(Json(outcome).into_response());
    }
    let (cookie, info) = signed_in(&state, &account_id, &client, &headers).await?;
    Ok(with_cookie(
        cookie,
        Json(SignInOutcome::SignedIn(Box::new(info))),
    ))
}

#[derive(sqlx::FromRow)]
struct Challenge {
    account_id: String,
    created_at: i64,
    attempts: i64,
}

fn invalid_code() -> ApiError {
    ApiError::unauthorized(ErrorCode::InvalidCode, "That code is not right.")
}

/// Finish signing in with a code from the authenticator app, or a recovery code.
#[utoipa::path(post, operation_id = "sign_in_two_factor", path = paths::SESSION_TWO_FACTOR, tag = "session", request_body = TwoFactorSignIn,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = SessionInfo),
        (status = 401, description = "`invalid_code` (also for an unknown challenge)", body = ErrorBody),
        (status = 410, description = "`code_expired`: the challenge is older than 5 minutes", body = ErrorBody),
        (status = 422, description = "`invalid_fields`", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: 5 wrong codes spend the challenge", body = ErrorBody),
    ))]
pub async fn two_factor(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TwoFactorSignIn>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    let challenge_hash = crypto::sha256(&body.challenge);
    // One write transaction from lookup to session: the count of tries, the spent code and
    // the new session land together or not at all.
    let mut tx = db::write(&state.db).await?;
    let challenge: Option<Challenge> = sqlx::query_as(
        "SELECT account_id, created_at, attempts FROM two_factor_challenges
         WHERE token_hash = ?",
    )
    .bind(&challenge_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(challenge) = challenge else {
        return Err(invalid_code());
    };
    if now >= challenge.created_at + CHALLENGE_LIFETIME {
        delete_challenge(&mut tx, &challenge_hash).await?;
        tx.commit().await?;
        return Err(ApiError::new(
            StatusCode::GONE,
            ErrorCode::CodeExpired,
            "That took too long. Please sign in again.",
        ));
    }
    if challenge.attempts >= CHALLENGE_ATTEMPTS {
        return Err(ApiError::too_many_attempts(
            challenge.created_at + CHALLENGE_LIFETIME - now,
        ));
    }
    second_factor::check_limit(&mut tx, &challenge.account_id, now).await?;
    // The wire type's validation lets exactly one of the two through.
    let Some(answer) = Answer::from_fields(body.code.as_deref(), body.recovery_code.as_deref())
    else {
        return Err(invalid_code());
    };
    let accepted = second_factor::accept(
        &mut tx,
        &state,
        &client,
        &challenge.account_id,
        &answer,
        now,
    )
    .await?;
    if !accepted {
        sqlx::query(
            "UPDATE two_factor_challenges SET attempts = attempts + 1 WHERE token_hash = ?",
        )
        .bind(&challenge_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Err(invalid_code());
    }
    delete_challenge(&mut tx, &challenge_hash).await?;
    let replacing = auth::token(&headers);
    let (token, id) = sign_in_as(
        &mut tx,
        &state,
        &challenge.account_id,
        &client,
        replacing.as_deref(),
    )
    .await?;
    tx.commit().await?;
    let info = info(&state.db, &id, now).await?;
    Ok(with_cookie(auth::cookie(&token), Json(info)))
}

async fn delete_challenge(conn: &mut SqliteConnection, hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM two_factor_challenges WHERE token_hash = ?")
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who is signed in here.
#[utoipa::path(get, operation_id = "get_session", path = paths::SESSION, tag = "session",
    responses(
        (status = 200, body = SessionInfo),
        (status = 401, description = "`not_signed_in`, `session_expired` or `signed_out_remotely` (with `details`)", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<SessionInfo>, ApiError> {
    Ok(Json(info(&state.db, &session.id, session.now).await?))
}

/// Who is signed in here, if anyone. As `GET /api/session`, except that a browser with no
/// session at all gets 200 and `session: null` rather than 401 `not_signed_in`: the app asks
/// this at start-up, and a browser logs every 4xx in its console, so each signed-out visit
/// to the sign-in page would show an error (Lighthouse's best-practices audit counts it). A
/// cookie whose session has ended still gets its 401 and reason, which the app shows.
#[utoipa::path(get, operation_id = "get_session_status", path = paths::SESSION_STATUS, tag = "session",
    responses(
        (status = 200, description = "`session` is `null` when the request has no session", body = SessionStatus),
        (status = 401, description = "`session_expired` or `signed_out_remotely` (with `details`): the cookie names a session that has ended", body = ErrorBody),
    ))]
pub async fn status(
    State(state): State<AppState>,
    session: Result<Session, ApiError>,
) -> Result<Json<SessionStatus>, ApiError> {
    match session {
        Ok(session) => Ok(Json(SessionStatus {
            session: Some(info(&state.db, &session.id, session.now).await?),
        })),
        Err(error) if error.code() == ErrorCode::NotSignedIn => {
            Ok(Json(SessionStatus { session: None }))
        }
        Err(error) => Err(error),
    }
}

/// The answer that ends a browser's session: the cookie expired and the browser told to
/// clear everything of this origin.
pub fn signed_out_response() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(SET_COOKIE, auth::expired_cookie());
    headers.insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    response
}

/// Ends `session` because it signed itself out.
pub async fn end_own(
    conn: &mut SqliteConnection,
    state: &AppState,
    session: &Session,
) -> Result<(), ApiError> {
    let ended = sqlx::query(
        "UPDATE sessions SET ended_at = ?, end_reason = 'signed_out' WHERE id = ? AND ended_at IS NULL",
    )
    .bind(session.now)
    .bind(&session.id)
    .execute(&mut *conn)
    .await?;
    if ended.rows_affected() == 1 {
        let actor = Actor::session(state, session);
        activity::record(
            conn,
            &session.account_id,
            ActivityKind::SignedOut,
            session.now,
            &actor,
        )
        .await?;
    }
    Ok(())
}

/// Sign out of this browser. Idempotent: 204 whether or not a session was there.
#[utoipa::path(delete, operation_id = "sign_out", path = paths::SESSION, tag = "session",
    responses(
        (status = 204, description = "Signed out; `Set-Cookie` expires the cookie and `Clear-Site-Data` clears the origin"),
        (status = 403, description = "`cross_site_request`", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // Any reason the session is already over (expired, revoked, unknown) is fine here.
    if let Ok(session) = auth::authenticate(&state, &headers, client).await {
        let mut tx = db::write(&state.db).await?;
        end_own(&mut tx, &state, &session).await?;
        tx.commit().await?;
    }
    Ok(signed_out_response())
}
