//! Messages to people (verification codes, security notices) go into the `outbox` table, from
//! which a mail or SMS sender would deliver them. With `--demo` each one is also logged, and
//! `GET /api/dev/outbox` lists them; otherwise no code ever reaches the log. The only module
//! that reads or writes `outbox`; `channel`'s `CHECK` allows the words of [`Channel`].

use hallpass_api::OutboxMessage;
use sqlx::AnyConnection;

use crate::AppState;
use crate::clock::timestamp;

#[derive(Clone, Copy, Debug)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

pub async fn send(
    conn: &mut AnyConnection,
    state: &AppState,
    channel: Channel,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox (at, channel, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state.clock.now())
    .bind(channel.as_str())
    .bind(to)
    .bind(subject)
    .bind(body)
    .execute(&mut *conn)
    .await?;
    if state.demo {
        tracing::info!(
            channel = channel.as_str(),
            to,
            subject,
            body,
            "outbox (demo)"
        );
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
}

/// Newest first.
pub async fn list(state: &AppState) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, at, channel, recipient, subject, body FROM outbox ORDER BY id DESC LIMIT 100",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.id.to_string(),
            at: timestamp(r.at),
            channel: r.channel,
            to: r.recipient,
            subject: r.subject,
            body: r.body,
        })
        .collect())
}
