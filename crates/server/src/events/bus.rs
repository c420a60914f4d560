//! This instance's fan-out: one broadcast channel per account with an open stream, so a
//! notice of one account has no way into another account's stream.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

use super::{Notice, What};

/// How many notices a stream may fall behind before it lags (and then re-reads its session
/// instead). Each account's channel holds this many slots, shared by its streams.
const CAPACITY: usize = 16;

/// What a stream is told.
#[derive(Clone, Debug)]
pub enum Hint {
    What(Arc<What>),
    /// Notices may have been lost (the `LISTEN` connection dropped, the clock jumped): check
    /// the session again.
    Resync,
}

/// The accounts with open streams here, and how many streams are open.
#[derive(Clone, Default)]
pub struct Bus {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    accounts: Mutex<HashMap<String, broadcast::Sender<Hint>>>,
    open: AtomicUsize,
}

impl Bus {
    /// A receiver of `account`'s hints, counted as an open stream until it is dropped.
    pub fn subscribe(&self, account: &str) -> Subscription {
        let mut accounts = self.lock();
        let receiver = accounts
            .entry(account.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe();
        self.inner.open.fetch_add(1, Ordering::Relaxed);
        Subscription {
            receiver,
            account: account.to_owned(),
            bus: self.clone(),
        }
    }

    /// Hands a notice to its account's streams here, if it has any.
    pub fn publish(&self, notice: Notice) {
        if let Some(sender) = self.lock().get(&notice.account) {
            // No receiver left is not an error: the last stream just went.
            let _ = sender.send(Hint::What(Arc::new(notice.what)));
        }
    }

    /// Every stream here checks its session again.
    pub fn resync_all(&self) {
        for sender in self.lock().values() {
            let _ = sender.send(Hint::Resync);
        }
    }

    /// How many streams are open on this instance (`GET /api/dev/streams`).
    pub fn open(&self) -> usize {
        self.inner.open.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, broadcast::Sender<Hint>>> {
        // The map stays consistent whatever panicked while holding it.
        self.inner
            .accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// One stream's receiver; dropping it un-counts the stream and, for the account's last one,
/// drops the account's channel.
pub struct Subscription {
    pub receiver: broadcast::Receiver<Hint>,
    account: String,
    bus: Bus,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.bus.inner.open.fetch_sub(1, Ordering::Relaxed);
        let mut accounts = self.bus.lock();
        // Subscribing happens under this lock too, so the count can't grow meanwhile; the
        // receiver still alive here is this one.
        if accounts
            .get(&self.account)
            .is_some_and(|sender| sender.receiver_count() <= 1)
        {
            accounts.remove(&self.account);
        }
    }
}

#[cfg(test)]
mod tests {
    use hallpass_api::events::{DeviceChange, DevicesChanged};

    use super::*;

    fn notice(account: &str) -> Notice {
        Notice {
            account: account.to_owned(),
            what: What::DevicesChanged {
                by: None,
                event: DevicesChanged {
                    change: DeviceChange::SignedIn,
                    devices: vec![],
                },
            },
        }
    }

    #[test]
    fn a_notice_reaches_only_its_own_account() {
        let bus = Bus::default();
        let mut mine = bus.subscribe("a");
        let mut theirs = bus.subscribe("b");
        bus.publish(notice("a"));
        assert!(matches!(mine.receiver.try_recv(), Ok(Hint::What(_))));
        assert!(theirs.receiver.try_recv().is_err());
    }

    #[test]
    fn the_last_stream_of_an_account_takes_its_channel_away() {
        let bus = Bus::default();
        let first = bus.subscribe("a");
        let second = bus.subscribe("a");
        assert_eq!(bus.open(), 2);
        drop(first);
        assert_eq!(bus.lock().len(), 1);
        drop(second);
        assert_eq!(bus.open(), 0);
        assert!(bus.lock().is_empty());
    }
}
