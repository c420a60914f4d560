//! The domain: what Hallpass decides about accounts, and the only code that reads or writes
//! their tables. `routes/` (and `demo.rs`) call it; it calls `db.rs` for transactions.
//!
//! The rules of this layer:
//!
//! - **One owner per table.** Each table has exactly one module that writes it, and reads of
//!   it go through that module's functions:
//!
//!   | module | owns |
//!   |---|---|
//!   | [`accounts`] | `accounts`, `linked_accounts` |
//!   | [`profiles`] | `profiles` |
//!   | [`sessions`] | `sessions` |
//!   | [`challenges`] | `two_factor_challenges` |
//!   | [`password_resets`] | `password_resets` |
//!   | [`contacts`] | `pending_contacts` |
//!   | [`recovery_codes`] | `recovery_codes` |
//!   | [`ratelimit`] | `attempts` |
//!   | [`activity`] | `activity` |
//!   | [`outbox`] | `outbox` |
//!   | [`dev_clock`] | `dev_clock` (`--demo` only) |
//!
//!   The one exception is a read by `JOIN` where a request would otherwise pay a query per
//!   row or per request: the session lookup reads the account's address and the profile's
//!   kids flag, the Devices page the profile's name and avatar, `SessionInfo` the address,
//!   activity the device's nickname (with [`sessions::active`], the sessions module's own
//!   rule). A module never writes another's table.
//! - Modules without a table (`sign_in`, `credentials`, `two_factor`, `profile_pins`,
//!   `second_factor`) are rules that span owners; they call the owners.
//! - **Values with a fixed set of words are enums** ([`sessions::EndReason`], device kinds in
//!   [`device`], activity kinds, [`outbox::Channel`], [`contacts::Contact`]), mapped by hand
//!   at the database edge (`as_str` to bind, a parse that makes an unknown word an internal
//!   error), and the schema's `CHECK`s allow the same words.
//! - **The domain knows nothing about requests**: no extractors, headers or cookies. It gets
//!   the browser's token as a string and the [`device::Seen`] or `Client` of the request,
//!   and answers with values or an [`ApiError`](crate::ApiError).
//! - **One SQL text for both backends** (sqlx's `Any` driver): `$N` placeholders,
//!   `ON CONFLICT … DO …`, `RETURNING`, `IS [NOT] DISTINCT FROM`, no `rowid`; 0/1 columns
//!   read through [`db::Flag`](crate::db::Flag) and bound with [`db::flag`](crate::db::flag)
//!   (ARCHITECTURE.md, "Backends"). Every write transaction starts with
//!   [`db::write`](crate::db::write): one writer at a time, on either backend, so a check
//!   and the write it allows are never split by another writer.
//! - **Each owner purges its own rows**; [`purge`] calls them all, hourly.

pub mod accounts;
pub mod activity;
pub mod challenges;
pub mod contacts;
pub mod credentials;
pub mod dev_clock;
pub mod device;
pub mod outbox;
pub mod password_resets;
pub mod profile_pins;
pub mod profiles;
pub mod ratelimit;
pub mod recovery_codes;
#[cfg(test)]
mod schema_tests;
pub mod second_factor;
pub mod sessions;
pub mod sign_in;
pub mod two_factor;

use std::time::Duration;

use sqlx::AnyPool;

use crate::{AppState, db};

/// Drops what no rule needs any more, each owner its own rows, in one transaction.
pub async fn purge(pool: &AnyPool, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db::write(pool).await?;
    sessions::purge(&mut tx, now).await?;
    challenges::purge(&mut tx, now).await?;
    ratelimit::purge(&mut tx, now).await?;
    password_resets::purge(&mut tx, now).await?;
    contacts::purge(&mut tx, now).await?;
    tx.commit().await
}

pub async fn purge_every_hour(state: AppState) {
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(err) = purge(&state.db, state.clock.now()).await {
            tracing::warn!(%err, "purging old rows failed; will try again in an hour");
        }
    }
}
