use std::sync::Arc;
use std::time::Duration;

use sqlx::AnyPool;

use crate::client::TrustedProxies;
use crate::clock::Clock;
use crate::db::{self, Database};
use crate::events::Bus;
use crate::geo::Geo;
use crate::hashing::Hasher;
use crate::web::{FileSends, WebApp};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: AnyPool,
    /// Where the data lives; `/api/health` looks at the disk of an SQLite file.
    pub database: Arc<Database>,
    pub web: Arc<WebApp>,
    /// `--demo`: the outbox is logged and served at `GET /api/dev/outbox`.
    pub demo: bool,
    /// Served over HTTPS: the scheme of this server's own origin.
    pub https: bool,
    pub clock: Clock,
    pub geo: Arc<Geo>,
    /// Argon2id for passwords and PINs, on threads of its own with a bounded queue.
    pub hasher: Hasher,
    /// How long an `/api/` request may take until its response starts (`--request-timeout`).
    pub request_timeout: Duration,
    /// `--trusted-proxy`: whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// This instance's open `GET /api/events` streams, by account.
    pub events: Bus,
    /// Files of `dist/` being sent at once, each a descriptor beside its connection's socket;
    /// sized with the connection cap from the open-file limit (`serve/limits.rs`).
    pub file_sends: FileSends,
}

/// `--request-timeout`'s default.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl AppState {
    /// Opens (creating and migrating if needed) the database at `database`.
    /// On PostgreSQL, also starts listening for other instances' live events.
    pub async fn open(database: &Database, web: WebApp, demo: bool) -> Result<Self, sqlx::Error> {
        let events = Bus::default();
        if let Database::Postgres(url) = database {
            crate::events::listener::spawn(url, events.clone())?;
        }
        Ok(Self {
            db: db::open(database).await?,
            database: Arc::new(database.clone()),
            web: Arc::new(web),
            demo,
            https: false,
            clock: Clock::default(),
            geo: Arc::new(Geo::none()),
            hasher: Hasher::for_this_machine(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            trusted_proxies: TrustedProxies::default(),
            events,
            file_sends: FileSends::default(),
        })
    }
}
