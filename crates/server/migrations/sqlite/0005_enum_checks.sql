-- Issue 12: a column that holds one of a fixed set of words (an enum of the server's) accepts
-- only those words, so a typo in a query or a hand edit fails at once instead of turning
-- into a 500 the next time the row is read. The words are the server's `as_str()` of
-- `EndReason` (sessions.end_reason), device kinds (sessions and activity), activity kinds,
-- the outbox's `Channel` and the pending contact's `Contact`.
--
-- SQLite can't add a CHECK with ALTER TABLE, so the four tables are rebuilt: a new table with
-- the CHECKs, the rows copied, the old one dropped, the new one renamed. Why that and not
-- BEFORE INSERT/UPDATE triggers with RAISE(ABORT): a CHECK is the same clause the PostgreSQL
-- schema will carry, it is visible in the table's definition, and it also proves the rows
-- already there are good (a trigger only guards what comes later).
--
-- Foreign keys stay enforced: sqlx 0.8's SQLite migrator runs every migration inside its own
-- transaction (it ignores `-- no-transaction`, sqlx-sqlite 0.8.6 src/migrate.rs), where
-- `PRAGMA foreign_keys` is a no-op. So dropping `sessions` deletes its rows first, which
-- sets `activity.session_id` to NULL (ON DELETE SET NULL): the links are saved beforehand
-- and written back when `activity` is rebuilt. `foreign_key_check` then proves every
-- reference holds (a violation fails the CHECK of a scratch table, and with it the
-- migration, which rolls back whole). AUTOINCREMENT counters of `activity` and `outbox` are
-- carried over, so no id is ever given out twice.

CREATE TEMP TABLE migration_0005_sequence AS SELECT name, seq FROM sqlite_sequence;
CREATE TEMP TABLE migration_0005_links AS
    SELECT id, session_id FROM activity WHERE session_id IS NOT NULL;

CREATE TABLE sessions_0005 (
    id                    TEXT PRIMARY KEY NOT NULL,
    account_id            TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash            BLOB NOT NULL UNIQUE,
    previous_token_hash   BLOB,
    previous_valid_until  INTEGER,
    profile_id            TEXT REFERENCES profiles(id) ON DELETE SET NULL,
    signed_in_at          INTEGER NOT NULL,
    last_active_at        INTEGER NOT NULL,
    reauthenticated_until INTEGER,
    user_agent            TEXT NOT NULL,
    device_name           TEXT NOT NULL,
    device_kind           TEXT NOT NULL
        CHECK (device_kind IN ('computer', 'phone', 'tablet', 'tv', 'console', 'unknown')),
    browser               TEXT NOT NULL,
    os                    TEXT NOT NULL,
    nickname              TEXT,
    ip                    TEXT,
    city                  TEXT,
    country               TEXT,
    ended_at              INTEGER,
    -- 'signed_out': by itself; 'revoked': by another device (named in ended_by), or a
    -- password reset; 'expired': idle or too old.
    end_reason            TEXT CHECK (end_reason IN ('signed_out', 'revoked', 'expired')),
    ended_by              TEXT,
    sealed_token          BLOB
);
INSERT INTO sessions_0005 (id, account_id, token_hash, previous_token_hash,
        previous_valid_until, profile_id, signed_in_at, last_active_at, reauthenticated_until,
        user_agent, device_name, device_kind, browser, os, nickname, ip, city, country,
        ended_at, end_reason, ended_by, sealed_token)
    SELECT id, account_id, token_hash, previous_token_hash,
        previous_valid_until, profile_id, signed_in_at, last_active_at, reauthenticated_until,
        user_agent, device_name, device_kind, browser, os, nickname, ip, city, country,
        ended_at, end_reason, ended_by, sealed_token
    FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_0005 RENAME TO sessions;
CREATE INDEX sessions_by_account ON sessions(account_id, ended_at, last_active_at);
CREATE INDEX sessions_by_previous_token ON sessions(previous_token_hash);
CREATE INDEX sessions_by_profile ON sessions(profile_id);

CREATE TABLE activity_0005 (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('signed_in', 'sign_in_failed', 'signed_out',
                    'device_signed_out', 'signed_out_all', 'password_changed', 'password_reset',
                    'email_changed', 'phone_changed', 'two_factor_enabled',
                    'two_factor_disabled', 'recovery_codes_regenerated', 'profile_pin_failed',
                    'linked_account_removed')),
    at          INTEGER NOT NULL,
    session_id  TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    device_name TEXT,
    device_kind TEXT
        CHECK (device_kind IN ('computer', 'phone', 'tablet', 'tv', 'console', 'unknown')),
    ip_hint     TEXT,
    city        TEXT,
    country     TEXT
);
INSERT INTO activity_0005 (id, account_id, kind, at, session_id, device_name, device_kind,
        ip_hint, city, country)
    SELECT a.id, a.account_id, a.kind, a.at,
        (SELECT l.session_id FROM migration_0005_links l WHERE l.id = a.id),
        a.device_name, a.device_kind, a.ip_hint, a.city, a.country
    FROM activity a;
DROP TABLE activity;
ALTER TABLE activity_0005 RENAME TO activity;
CREATE INDEX activity_by_account ON activity(account_id, at DESC, id DESC);

CREATE TABLE pending_contacts_0005 (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
    value      TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, channel)
);
INSERT INTO pending_contacts_0005 SELECT account_id, channel, value, code_hash, expires_at,
    attempts FROM pending_contacts;
DROP TABLE pending_contacts;
ALTER TABLE pending_contacts_0005 RENAME TO pending_contacts;

CREATE TABLE outbox_0005 (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    channel   TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL
);
INSERT INTO outbox_0005 (id, at, channel, recipient, subject, body)
    SELECT id, at, channel, recipient, subject, body FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_0005 RENAME TO outbox;

DELETE FROM sqlite_sequence WHERE name IN ('activity', 'outbox');
INSERT INTO sqlite_sequence (name, seq)
    SELECT name, seq FROM migration_0005_sequence WHERE name IN ('activity', 'outbox');
DROP TABLE migration_0005_sequence;

CREATE TEMP TABLE migration_0005_check (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO migration_0005_check SELECT COUNT(*) FROM pragma_foreign_key_check;
DROP TABLE migration_0005_check;
DROP TABLE migration_0005_links;
