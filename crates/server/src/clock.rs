//! The server's notion of "now", in Unix seconds.
//!
//! Expiry rules (30 days idle, 400 days absolute, 10-minute step-up, 15-minute rate-limit
//! windows) are tested by moving this clock, not by sleeping; the demo seeding moves it back
//! to sign devices in "three weeks ago" through the real code paths.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use hallpass_api::Timestamp;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// System time plus two offsets: one this process's code moves (the tests, and the demo
/// seeding, which signs devices in "three weeks ago"), and `--demo`'s shared one, the copy of
/// the database's `dev_clock` that every request refreshes (see `routes::dev`), so that
/// instances on one database agree. No route moves the first: what a request can change
/// lives in the database.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
    shared: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> i64 {
        OffsetDateTime::now_utc().unix_timestamp() + self.offset()
    }

    fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed) + self.shared.load(Ordering::Relaxed)
    }

    /// Moves this clock, and every clone of it, by `seconds` (negative goes back).
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// Sets the offset read from the database's `dev_clock`, for this clock and its clones.
    pub fn set_shared(&self, seconds: i64) {
        self.shared.store(seconds, Ordering::Relaxed);
    }

    /// A clock `seconds` behind this one that moves on its own: for seeding the past.
    pub fn detached(&self, seconds_back: i64) -> Self {
        Self {
            offset: Arc::new(AtomicI64::new(self.offset() - seconds_back)),
            shared: Arc::default(),
        }
    }
}

/// `1795338843` → `"2026-11-22T09:14:03Z"`: RFC 3339 in UTC, whole seconds.
pub fn timestamp(unix: i64) -> Timestamp {
    let formatted = OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    Timestamp(formatted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_in_whole_seconds() {
        assert_eq!(timestamp(0).as_str(), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_795_338_843).as_str(), "2026-11-22T09:14:03Z");
    }

    #[test]
    fn advancing_moves_every_clone_but_not_detached_clocks() {
        let clock = Clock::default();
        let clone = clock.clone();
        let past = clock.detached(DAY);
        let before = clone.now();
        clock.advance(HOUR);
        assert!(clone.now() - before >= HOUR);
        assert!(clone.now() - past.now() >= DAY + HOUR - 1);
    }
}
