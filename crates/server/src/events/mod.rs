//! Live events (`GET /api/events`, docs/API.md "Live events"): what a change tells the open
//! pages of its account, and how it gets to them.
//!
//! The domain calls [`emit`] with the transaction's connection, where the change happens. On
//! PostgreSQL that is a `NOTIFY` in the same transaction: delivered on commit only, to every
//! instance, whose [`listener`] hands it to its local [`Bus`]. On SQLite (one instance) the
//! notice waits in the request's [`pending`] list and reaches the bus once the request has
//! answered 2xx, that is after its commit; a rolled-back change never answers 2xx.

mod bus;
pub mod listener;
pub mod pending;
mod stream;

pub use bus::Bus;
pub use stream::open;

use hallpass_api::events::{DevicesChanged, NewSignIn};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// The `LISTEN`/`NOTIFY` channel every instance on one database shares.
pub const CHANNEL: &str = "hallpass_events";

/// PostgreSQL refuses a payload of 8000 bytes or more; a notice over this drops the device
/// names, which the contract allows ("empty when the server doesn't know them").
const MAX_PAYLOAD: usize = 7000;

/// Something that happened to one account, as its streams need to hear it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notice {
    pub account: String,
    pub what: What,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum What {
    /// Sessions of the account ended: each stream re-reads its own row (cheaper to say than
    /// which ones, when "sign out of all devices" ends a thousand).
    SessionsEnded,
    /// `by` is the session that made the change, which is not told.
    DevicesChanged {
        by: Option<String>,
        event: DevicesChanged,
    },
    /// `session` is the new session itself.
    NewSignIn { session: String, event: NewSignIn },
}

/// Sends `what` to the account's streams once the transaction on `conn` commits (see the
/// module's comment for how, per backend).
pub async fn emit(conn: &mut AnyConnection, account: &str, what: What) -> Result<(), sqlx::Error> {
    let notice = Notice {
        account: account.to_owned(),
        what,
    };
    if conn.backend_name() != "PostgreSQL" {
        pending::push(notice);
        return Ok(());
    }
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload(notice))
        .execute(conn)
        .await?;
    Ok(())
}

fn payload(mut notice: Notice) -> String {
    let text = serde_json::to_string(&notice).unwrap_or_default();
    if text.len() < MAX_PAYLOAD {
        return text;
    }
    if let What::DevicesChanged { event, .. } = &mut notice.what {
        event.devices.clear();
    }
    serde_json::to_string(&notice).unwrap_or_default()
}
