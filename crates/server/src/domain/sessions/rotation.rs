//! Token rotation at step-up, safe for tabs that step up at the same moment.
//!
//! A step-up issues a new token (ASVS 5.0 7.2.4) and keeps the one before it valid for
//! [`ROTATION_GRACE`]. Two tabs of one browser share its cookie; if both rotated, the browser
//! would keep whichever `Set-Cookie` it applied last, and that could be the token the other
//! rotation replaced, dead after the grace. So only a request that presents the *current*
//! token rotates; one that presents the previous token, still in its grace, gets the current
//! token back. Every concurrent step-up of one browser then answers with the same token.
//!
//! A password change rotates the same way ([`rotate`], inside its own transaction, without
//! opening the step-up window).
//!
//! Handing the current token back without storing it in the clear: at rotation the row keeps
//! the new token sealed under the old one (XOR with a SHA-256 keystream of
//! `"hallpass seal" || old token`). The database holds the old token only as its SHA-256, so
//! only the browser that held the old token can unseal the new one.

use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use super::{ROTATION_GRACE, STEP_UP_WINDOW, Session};
use crate::{ApiError, AppState, crypto};

/// `token` XOR a keystream only the holder of `key` (a previous token) can make. A key
/// seals one token only (a token is current once), so the keystream is never reused.
fn xor_keystream(data: &[u8], key: &str) -> Vec<u8> {
    data.chunks(32)
        .zip(0u8..)
        .flat_map(|(chunk, block)| {
            let pad = Sha256::new()
                .chain_update(b"hallpass seal")
                .chain_update(key.as_bytes())
                .chain_update([block])
                .finalize();
            chunk
                .iter()
                .zip(pad)
                .map(|(byte, pad)| byte ^ pad)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn seal(token: &str, under: &str) -> Vec<u8> {
    xor_keystream(token.as_bytes(), under)
}

fn unseal(sealed: &[u8], with: &str) -> Option<String> {
    String::from_utf8(xor_keystream(sealed, with)).ok()
}

#[derive(sqlx::FromRow)]
struct Tokens {
    token_hash: Vec<u8>,
    previous_token_hash: Option<Vec<u8>>,
    previous_valid_until: Option<i64>,
    sealed_token: Option<Vec<u8>>,
}

/// What the browser's cookie should be after a step-up.
pub enum Cookie {
    /// `Set-Cookie` with this token: a new one, or the current one another tab's step-up made.
    Set(String),
    /// No `Set-Cookie`: the browser got the current token from the step-up that made it.
    Keep,
    /// The token presented is neither current nor in its grace any more (the session ended,
    /// or rotated twice meanwhile): answer 401, nothing changed.
    Refused,
}

/// Whether the rotation also opens the step-up window.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// A step-up: the password (and with two-step verification, a code) was just checked.
    Open,
    /// Another authentication change (the password's): a new token, but the window stays
    /// as it is, since that change checked the password only, not a two-step code.
    Leave,
}

/// Rotates the token of `session` if `presented` is the current one, or hands the current
/// one back if `presented` is the previous token in its grace. Runs inside the caller's
/// write transaction: of two concurrent step-ups the second sees the first's rotation, and
/// the new token lands with the change that called for it (a spent two-step code, a new
/// password), or not at all. On [`Cookie::Refused`] nothing was written.
pub async fn rotate(
    conn: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    presented: &str,
    window: Window,
) -> Result<Cookie, ApiError> {
    let now = state.clock.now();
    let presented_hash = crypto::sha256(presented);
    let row: Option<Tokens> = sqlx::query_as(
        "SELECT token_hash, previous_token_hash, previous_valid_until, sealed_token
         FROM sessions WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(&session.id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Cookie::Refused);
    };
    let cookie = if row.token_hash == presented_hash {
        let token = crypto::token();
        sqlx::query(
            "UPDATE sessions SET previous_token_hash = token_hash, previous_valid_until = $1,
                 token_hash = $2, sealed_token = $3
             WHERE id = $4",
        )
        .bind(now + ROTATION_GRACE)
        .bind(crypto::sha256(&token))
        .bind(seal(&token, presented))
        .bind(&session.id)
        .execute(&mut *conn)
        .await?;
        Cookie::Set(token)
    } else if row.previous_token_hash.as_ref() == Some(&presented_hash)
        && row.previous_valid_until.is_some_and(|until| until > now)
    {
        let current = row
            .sealed_token
            .as_deref()
            .and_then(|s| unseal(s, presented));
        match current {
            Some(current) if crypto::sha256(&current) == row.token_hash => Cookie::Set(current),
            // Only a rotation from before sealing existed has nothing to unseal.
            _ => Cookie::Keep,
        }
    } else {
        return Ok(Cookie::Refused);
    };
    if window == Window::Open {
        sqlx::query("UPDATE sessions SET reauthenticated_until = $1 WHERE id = $2")
            .bind(now + STEP_UP_WINDOW)
            .bind(&session.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(cookie)
}

/// Why a session that could not be rotated is refused: the 401 any request of it would get.
pub async fn refused(state: &AppState, token: Option<&str>, session: Session) -> ApiError {
    super::find(state, token, session.client)
        .await
        .err()
        .unwrap_or_else(super::not_signed_in)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_previous_token_unseals_the_current_one() {
        let (old, new) = (crypto::token(), crypto::token());
        let sealed = seal(&new, &old);
        assert_eq!(sealed.len(), new.len());
        assert_ne!(sealed, new.as_bytes());
        assert_eq!(unseal(&sealed, &old).as_deref(), Some(new.as_str()));
        assert_ne!(
            unseal(&sealed, &crypto::token()).as_deref(),
            Some(new.as_str())
        );
    }
}
