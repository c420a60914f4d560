//! PostgreSQL's path to the bus: one `LISTEN` connection per instance, whose notifications
//! (sent by [`super::emit`] in the changing transaction, so only once it committed) go to
//! this instance's streams.
//!
//! Notifications sent while the connection is down are never replayed. So whenever it comes
//! back, every stream here re-reads its session: a sign-out missed meanwhile still ends it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};

use super::{Bus, CHANNEL, Notice};

/// The listener's connection calls itself this in `pg_stat_activity` (the tests end it by
/// this name to check the reconnect).
pub const APPLICATION_NAME: &str = "hallpass-events";

/// How long to wait before trying again after the connection could not be made.
const RETRY: Duration = Duration::from_secs(1);

/// Starts the listener task for the database at `url`.
pub fn spawn(url: &str, bus: Bus) -> Result<(), sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?
        .application_name(APPLICATION_NAME)
        .disable_statement_logging();
    // One connection, kept: the pool is only how PgListener reconnects.
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .max_lifetime(None)
        .idle_timeout(None)
        .connect_lazy_with(options);
    tokio::spawn(async move {
        let mut first = true;
        loop {
            let mut listener = match connect(&pool).await {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(%err, "events: can't listen to PostgreSQL; trying again");
                    tokio::time::sleep(RETRY).await;
                    continue;
                }
            };
            if !first {
                tracing::info!("events: listening again; every stream re-checks its session");
                bus.resync_all();
            }
            first = false;
            forward(&mut listener, &bus).await;
        }
    });
    Ok(())
}

async fn connect(pool: &sqlx::PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Hands notifications to the bus until the connection fails in a way PgListener does not
/// mend by itself.
async fn forward(listener: &mut PgListener, bus: &Bus) {
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) => bus.publish(notice),
                    Err(err) => tracing::warn!(%err, "events: a notification we can't read"),
                }
            }
            // The connection dropped and PgListener has already listened again on a new one.
            Ok(None) => {
                tracing::info!("events: the LISTEN connection came back");
                bus.resync_all();
            }
            Err(err) => {
                tracing::warn!(%err, "events: the LISTEN connection failed; reconnecting");
                return;
            }
        }
    }
}
