//! Password and PIN hashing (argon2id) on a fixed set of threads with a bounded queue.
//!
//! Argon2id spends 19 MiB and tens of milliseconds a hash on purpose. Run on tokio's blocking
//! pool, nothing limited how many ran at once: 200 concurrent PIN changes took the process from
//! 170 MiB to 3.8 GiB, and glibc kept most of it (blocks that size come from per-thread heaps,
//! not `mmap`, once the first one is freed). So here:
//!
//! - one thread per core hashes, and each owns one block of argon2 memory, allocated once and
//!   reused for every hash: hashing memory is `workers × 19 MiB`, whatever the load;
//! - up to `queue` requests wait their turn (about two seconds at most), and past
//!   that a request is refused at once with 503 `unavailable` and `Retry-After`, before any
//!   work or memory is spent on it;
//! - a request whose client has gone while it waited is skipped, not hashed.
//!
//! Passwords and PINs are stored as PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`), the same
//! form the `argon2` crate's high-level API writes, so existing hashes keep verifying.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::{ApiError, crypto};

/// OWASP Password Storage Cheat Sheet: m = 19456 KiB, t = 2, p = 1.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
/// A stored hash asking for more memory than this counts as no match rather than letting a
/// damaged row make a worker allocate without bound.
const MAX_M_COST_KIB: u32 = 64 * 1024;
/// Waiting requests per worker. At ~30 ms a hash (measured with `cargo xtask flood`), a full
/// queue drains in about two seconds: a sign-in waits that long at worst, not longer.
const QUEUE_PER_WORKER: usize = 64;

fn params() -> Params {
    Params::new(M_COST_KIB, T_COST, 1, None).unwrap_or_default()
}

/// What a worker thread owns: argon2's working memory, reused from hash to hash.
struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() < count {
            self.0.resize(count, Block::new());
        }
        &mut self.0[..count]
    }
}

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// Counters for tests and reports.
#[derive(Debug, Default)]
struct Counters {
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    refused: AtomicU64,
}

/// What [`Hasher::stats`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingStats {
    pub workers: usize,
    pub queue: usize,
    /// The most hashes that ever ran at the same moment.
    pub peak_in_flight: usize,
    /// Requests answered 503 because the queue was full.
    pub refused: u64,
}

/// The hashing threads. Cheap to clone; the threads end when the last clone is dropped.
#[derive(Clone, Debug)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    counters: Arc<Counters>,
    workers: usize,
    queue: usize,
}

impl Hasher {
    /// One worker per core the process may use, and a queue of 64 per worker.
    pub fn for_this_machine() -> Self {
        let workers = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(workers, workers * QUEUE_PER_WORKER)
    }

    /// `workers` threads (at least one) and room for `queue` waiting requests.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        let (jobs, receiver) = mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let counters = Arc::new(Counters::default());
        for n in 0..workers {
            let receiver = Arc::clone(&receiver);
            let counters = Arc::clone(&counters);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&receiver, &counters));
            if let Err(err) = spawned {
                tracing::error!(%err, "could not start a hashing thread");
            }
        }
        Self {
            jobs,
            counters,
            workers,
            queue,
        }
    }

    pub fn stats(&self) -> HashingStats {
        HashingStats {
            workers: self.workers,
            queue: self.queue,
            peak_in_flight: self.counters.peak_in_flight.load(Ordering::Relaxed),
            refused: self.counters.refused.load(Ordering::Relaxed),
        }
    }

    /// An argon2id PHC string for `secret`, with a fresh salt.
    pub async fn hash(&self, secret: String) -> Result<String, ApiError> {
        self.run(move |memory| hash_with(memory, &secret))
            .await?
            .map_err(ApiError::internal)
    }

    /// Whether `secret` matches the PHC string `stored`. A malformed stored hash is no match.
    pub async fn verify(&self, secret: String, stored: String) -> Result<bool, ApiError> {
        self.run(move |memory| verify_with(memory, &secret, &stored))
            .await
    }

    /// Spends the time of one password check against nothing, so that "no such account" takes
    /// as long as "wrong password" and timing doesn't tell which emails have accounts.
    pub async fn verify_nothing(&self, secret: String) -> Result<(), ApiError> {
        self.run(move |memory| {
            static DUMMY: OnceLock<String> = OnceLock::new();
            let dummy = DUMMY.get_or_init(|| {
                hash_with(memory, "no account has this password").unwrap_or_default()
            });
            verify_with(memory, &secret, dummy);
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The request was dropped while it waited (its client went away): skip the work.
            if !reply.is_closed() {
                let _ = reply.send(work(memory));
            }
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.counters.refused.fetch_add(1, Ordering::Relaxed);
                return Err(ApiError::unavailable(
                    1,
                    "The server is busy. Please try again in a moment.",
                ));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(ApiError::internal("every hashing thread has stopped"));
            }
        }
        answer
            .await
            .map_err(|_| ApiError::internal("a hashing job ended without an answer"))
    }
}

/// A worker: takes jobs one at a time until every [`Hasher`] is gone.
fn work(receiver: &Mutex<Receiver<Job>>, counters: &Counters) {
    let mut memory = Memory(Vec::new());
    loop {
        let job = {
            let Ok(receiver) = receiver.lock() else {
                return;
            };
            match receiver.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let now = counters.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        counters.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        // A panic inside argon2 fails that request (its answer channel is dropped), not the
        // thread: the pool keeps its size.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
        counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        if outcome.is_err() {
            tracing::error!("a hashing job panicked");
        }
    }
}

fn hash_with(memory: &mut Memory, secret: &str) -> Result<String, argon2::password_hash::Error> {
    let params = params();
    let salt = SaltString::encode_b64(&crypto::random_bytes::<16>())?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(
            secret.as_bytes(),
            salt_bytes,
            &mut out,
            memory.blocks(params.block_count()),
        )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Memory, secret: &str, stored: &str) -> bool {
    check(memory, secret, stored).unwrap_or(false)
}

fn check(memory: &mut Memory, secret: &str, stored: &str) -> Option<bool> {
    let phc = PasswordHash::new(stored).ok()?;
    let algorithm = Algorithm::try_from(phc.algorithm).ok()?;
    let version = phc
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .ok()?;
    let params = Params::try_from(&phc).ok()?;
    if params.m_cost() > MAX_M_COST_KIB {
        return None;
    }
    let expected = phc.hash?;
    let mut salt = [0u8; 64];
    let salt = phc.salt?.decode_b64(&mut salt).ok()?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            secret.as_bytes(),
            salt,
            &mut out,
            memory.blocks(params.block_count()),
        )
        .ok()?;
    // `Output`'s equality is constant-time.
    Some(Output::new(&out).ok()? == expected)
}

#[cfg(test)]
mod tests {
    use argon2::PasswordHasher;

    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_keep_the_phc_form() {
        let hasher = Hasher::new(1, 4);
        let stored = hasher
            .hash("correct-horse".to_owned())
            .await
            .unwrap_or_default();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        let verify =
            |secret: &str, stored: &str| hasher.verify(secret.to_owned(), stored.to_owned());
        assert_eq!(verify("correct-horse", &stored).await.ok(), Some(true));
        assert_eq!(verify("Correct-horse", &stored).await.ok(), Some(false));
        assert_eq!(verify("anything", "not a hash").await.ok(), Some(false));
    }

    #[tokio::test]
    async fn hashes_written_by_the_argon2_crate_still_verify() {
        // Rows written before the pool existed came from the crate's high-level API.
        let salt = SaltString::encode_b64(&crypto::random_bytes::<16>()).expect("salt");
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
            .hash_password(b"2468", &salt)
            .expect("hash")
            .to_string();
        let hasher = Hasher::new(1, 4);
        assert_eq!(
            hasher.verify("2468".to_owned(), old.clone()).await.ok(),
            Some(true)
        );
        assert_eq!(
            hasher.verify("1357".to_owned(), old).await.ok(),
            Some(false)
        );
    }

    #[tokio::test]
    async fn a_full_queue_answers_unavailable_at_once() {
        let hasher = Hasher::new(1, 1);
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash("pin".to_owned()).await })
            })
            .collect();
        let mut busy = 0;
        for call in calls {
            match call.await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => {
                    assert_eq!(err.code(), hallpass_api::ErrorCode::Unavailable);
                    busy += 1;
                }
                Err(err) => panic!("{err}"),
            }
        }
        let stats = hasher.stats();
        assert!(
            busy >= 1,
            "eight at once can't all fit one worker and one seat"
        );
        assert_eq!(stats.refused, busy);
        assert_eq!(stats.peak_in_flight, 1);
    }
}
