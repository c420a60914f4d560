//! How guessable a new password is: zxcvbn's estimate and its advice.
//!
//! zxcvbn takes 80–200 ms of CPU for a long password. On the async worker that stalls every
//! other request that worker serves, so it runs on the blocking pool.

use crate::ApiError;

/// zxcvbn's score from 0 (guessable) to 4; 3 is "safely unguessable" for an online attack
/// that the rate limits already slow down.
const MIN_STRENGTH: u8 = 3;

/// Why `password` is too weak, in zxcvbn's words, for `fields.new_password`; `None` when it is
/// strong enough. `known` are words an attacker would try first (the email, profile names).
pub async fn advice(password: String, known: Vec<String>) -> Result<Option<String>, ApiError> {
    tokio::task::spawn_blocking(move || {
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        advice_now(&password, &known)
    })
    .await
    .map_err(ApiError::internal)
}

fn advice_now(password: &str, known: &[&str]) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(password, known);
    if u8::from(estimate.score()) >= MIN_STRENGTH {
        return None;
    }
    let mut advice = Vec::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            advice.push(warning.to_string());
        }
        advice.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    if advice.is_empty() {
        advice.push("Add more words or characters that are hard to guess.".to_owned());
    }
    Some(advice.join(" "))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn the_estimate_leaves_the_async_worker_free() {
        // On a one-thread runtime, a task can only run while the estimate is being awaited if
        // the estimate is not holding that thread.
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let ticks = Arc::clone(&ticks);
            tokio::spawn(async move {
                loop {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            })
        };
        let long = "correct horse battery staple ".repeat(3);
        let advice = advice(long, vec!["hallpass".to_owned()]).await;
        assert!(matches!(advice, Ok(None)), "a long passphrase is strong");
        assert!(ticks.load(Ordering::Relaxed) > 0, "the worker was blocked");
        ticker.abort();
    }

    #[tokio::test]
    async fn weak_passwords_get_advice() {
        let advice = advice("password1".to_owned(), Vec::new()).await;
        assert!(matches!(advice, Ok(Some(text)) if !text.is_empty()));
    }
}
