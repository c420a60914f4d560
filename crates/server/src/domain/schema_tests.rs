//! The schema's `CHECK`s refuse what the enums can't say, and allow every word they can: the
//! database and the Rust enums agree on both sides.

use sqlx::AnyPool;

use super::contacts::Contact;
use super::outbox::Channel;
use super::sessions::EndReason;
use super::{activity, device};

async fn database() -> (tempfile::TempDir, AnyPool) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("hallpass.sqlite");
    let pool = crate::db::open(&crate::db::Database::Sqlite(path))
        .await
        .expect("database");
    sqlx::query(
        "INSERT INTO accounts (id, email, password_hash, member_since, plan_name, plan_price,
             plan_currency, plan_next_billing, plan_streams)
         VALUES ('a', 'a@example.test', 'x', 0, 'Basic', '7.99', 'USD', 0, 1)",
    )
    .execute(&pool)
    .await
    .expect("account");
    (dir, pool)
}

async fn session(pool: &AnyPool, id: &str, kind: &str, reason: Option<&str>) -> bool {
    sqlx::query(
        "INSERT INTO sessions (id, account_id, token_hash, signed_in_at, last_active_at,
             user_agent, device_name, device_kind, browser, os, end_reason)
         VALUES ($1, 'a', $2, 0, 0, '', '', $3, '', '', $4)",
    )
    .bind(id)
    .bind(id.as_bytes())
    .bind(kind)
    .bind(reason)
    .execute(pool)
    .await
    .is_ok()
}

fn is_check_failure(err: &sqlx::Error) -> bool {
    err.to_string().contains("CHECK constraint failed")
}

#[tokio::test]
async fn sessions_take_only_known_end_reasons_and_device_kinds() {
    let (_dir, pool) = database().await;
    for (i, reason) in EndReason::ALL.into_iter().enumerate() {
        let kind = device::kind_str(hallpass_api::DeviceKind::Tv);
        assert!(session(&pool, &format!("s{i}"), kind, Some(reason.as_str())).await);
    }
    assert!(session(&pool, "open", "phone", None).await);
    assert!(!session(&pool, "bad-reason", "phone", Some("logged_out")).await);
    assert!(!session(&pool, "bad-kind", "toaster", None).await);
    let err = sqlx::query("UPDATE sessions SET end_reason = 'gone' WHERE id = 'open'")
        .execute(&pool)
        .await
        .expect_err("a reason no enum has");
    assert!(is_check_failure(&err), "{err}");
}

#[tokio::test]
async fn activity_outbox_and_codes_take_only_their_words() {
    let (_dir, pool) = database().await;
    let event = |kind: &str| {
        sqlx::query(
            "INSERT INTO activity (account_id, kind, at, device_kind) VALUES ('a', $1, 0, 'tv')",
        )
        .bind(kind.to_owned())
        .execute(&pool)
    };
    for kind in activity::KINDS {
        event(activity::kind_str(kind)).await.expect("a known kind");
    }
    assert!(is_check_failure(
        &event("signed_up").await.expect_err("unknown")
    ));
    let message = |channel: &str| {
        sqlx::query(
            "INSERT INTO outbox (at, channel, recipient, subject, body) VALUES (0, $1, '', '', '')",
        )
        .bind(channel.to_owned())
        .execute(&pool)
    };
    for channel in [Channel::Email, Channel::Sms] {
        message(channel.as_str()).await.expect("a known channel");
    }
    assert!(is_check_failure(
        &message("pigeon").await.expect_err("unknown")
    ));
    let code = |channel: &str| {
        sqlx::query(
            "INSERT INTO pending_contacts (account_id, channel, value, code_hash, expires_at)
             VALUES ('a', $1, '', x'00', 0)",
        )
        .bind(channel.to_owned())
        .execute(&pool)
    };
    for contact in [Contact::Email, Contact::Phone] {
        code(contact.as_str()).await.expect("a known contact");
    }
    assert!(is_check_failure(&code("fax").await.expect_err("unknown")));
}

/// A database made before the `CHECK`s comes through their migration whole: every row, the
/// links from activity to its sessions (which dropping `sessions` would have cut), and the
/// counters of ids.
#[tokio::test]
async fn the_migration_to_checks_keeps_rows_links_and_ids() {
    use sqlx::sqlite::SqliteConnectOptions;

    let dir = tempfile::tempdir().expect("temporary folder");
    let before = dir.path().join("migrations");
    std::fs::create_dir(&before).expect("folder");
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(&all).expect("migrations").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.as_str() < "0005" {
            std::fs::copy(entry.path(), before.join(&name)).expect("copy");
        }
    }
    let path = dir.path().join("hallpass.sqlite");
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let old = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("database");
    let migrator = sqlx::migrate::Migrator::new(before.as_path())
        .await
        .expect("the migrations before the checks");
    migrator.run(&old).await.expect("migrated to 0004");
    for statement in [
        "INSERT INTO accounts (id, email, password_hash, member_since, plan_name, plan_price,
             plan_currency, plan_next_billing, plan_streams)
         VALUES ('a', 'a@example.test', 'x', 0, 'Basic', '7.99', 'USD', 0, 1)",
        "INSERT INTO sessions (id, account_id, token_hash, signed_in_at, last_active_at,
             user_agent, device_name, device_kind, browser, os, end_reason, sealed_token)
         VALUES ('s', 'a', x'01', 0, 0, 'ua', 'n', 'phone', 'b', 'o', 'revoked', x'02')",
        "INSERT INTO activity (account_id, kind, at, session_id)
         VALUES ('a', 'signed_in', 1, 's'), ('a', 'signed_out', 2, 's'), ('a', 'signed_out', 3, NULL)",
        "DELETE FROM activity WHERE id = 3",
        "INSERT INTO outbox (at, channel, recipient, subject, body) VALUES (0, 'sms', 'r', 's', 'b')",
        "INSERT INTO attempts (key, at, pending) VALUES ('gone', 1, 0), ('k', 2, 1)",
        "DELETE FROM attempts WHERE key = 'gone'",
    ] {
        sqlx::query(statement).execute(&old).await.expect(statement);
    }
    old.close().await;

    let pool = crate::db::open(&crate::db::Database::Sqlite(path))
        .await
        .expect("migrated to the checks");
    let links: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, session_id FROM activity ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("activity");
    assert_eq!(
        links,
        [(1, Some("s".to_owned())), (2, Some("s".to_owned()))]
    );
    let sealed: Option<Vec<u8>> = sqlx::query_scalar("SELECT sealed_token FROM sessions")
        .fetch_one(&pool)
        .await
        .expect("session");
    assert_eq!(sealed, Some(vec![2]));
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO activity (account_id, kind, at) VALUES ('a', 'signed_in', 4) RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("a new event");
    assert_eq!(next, 4, "an id given out before is never given out again");
    // 0006: a try still being checked is found again by its id, which was its rowid.
    let attempt: (i64, String, i64) = sqlx::query_as("SELECT id, key, pending FROM attempts")
        .fetch_one(&pool)
        .await
        .expect("attempt");
    assert_eq!(attempt, (2, "k".to_owned(), 1));
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&pool)
        .await
        .expect("pragma");
    assert_eq!(foreign_keys, 1);
}
