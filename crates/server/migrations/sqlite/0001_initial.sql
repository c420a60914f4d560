-- Hallpass schema, SQLite dialect. Times are Unix seconds (UTC); the API formats them as
-- RFC 3339. Ids are random URL-safe strings made by the server. Secrets are stored only as
-- hashes: SHA-256 for high-entropy random tokens and codes, argon2id for passwords and PINs.

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY NOT NULL,
    email               TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email_verified      INTEGER NOT NULL DEFAULT 0,
    password_hash       TEXT NOT NULL,
    phone               TEXT,
    phone_verified      INTEGER NOT NULL DEFAULT 0,
    recovery_email      TEXT,
    recovery_phone      TEXT,
    member_since        INTEGER NOT NULL,
    plan_name           TEXT NOT NULL,
    plan_price          TEXT NOT NULL,   -- decimal string: money is never a float
    plan_currency       TEXT NOT NULL,
    plan_next_billing   INTEGER NOT NULL,
    plan_streams        INTEGER NOT NULL,
    -- Base32 TOTP secret once two-step verification is on; the pending one during set-up.
    totp_secret         TEXT,
    totp_pending_secret TEXT,
    -- The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step      INTEGER
);

CREATE TABLE profiles (
    id              TEXT PRIMARY KEY NOT NULL,
    account_id      TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    avatar          TEXT NOT NULL,
    kids            INTEGER NOT NULL,
    maturity_rating TEXT NOT NULL,
    language        TEXT NOT NULL,
    pin_hash        TEXT,
    UNIQUE (account_id, name COLLATE NOCASE)
);
CREATE INDEX profiles_by_account ON profiles(account_id, position);

-- One row per sign-in: a session is a device on the Devices page. Ended sessions are kept for
-- a while so that their cookie gets a 401 that says why (signed out where, and when).
CREATE TABLE sessions (
    id                    TEXT PRIMARY KEY NOT NULL,
    account_id            TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash            BLOB NOT NULL UNIQUE,
    -- The token before the last rotation (step-up issues a new one), still accepted until
    -- previous_valid_until so requests already in flight don't fail.
    previous_token_hash   BLOB,
    previous_valid_until  INTEGER,
    profile_id            TEXT REFERENCES profiles(id) ON DELETE SET NULL,
    signed_in_at          INTEGER NOT NULL,
    last_active_at        INTEGER NOT NULL,
    reauthenticated_until INTEGER,
    user_agent            TEXT NOT NULL,
    device_name           TEXT NOT NULL,
    device_kind           TEXT NOT NULL,
    browser               TEXT NOT NULL,
    os                    TEXT NOT NULL,
    nickname              TEXT,
    ip                    TEXT,
    city                  TEXT,
    country               TEXT,
    ended_at              INTEGER,
    -- 'signed_out': by itself; 'revoked': by another device (named in ended_by).
    end_reason            TEXT,
    ended_by              TEXT
);
CREATE INDEX sessions_by_account ON sessions(account_id, ended_at, last_active_at);
CREATE INDEX sessions_by_previous_token ON sessions(previous_token_hash);
CREATE INDEX sessions_by_profile ON sessions(profile_id);

CREATE TABLE activity (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    -- The device, so a later nickname shows in the list; the name and kind are kept too,
    -- for attempts that never had a session (a failed sign-in) and sessions since purged.
    session_id  TEXT REFERENCES sessions(id) ON DELETE SET NULL,
    device_name TEXT,
    device_kind TEXT,
    ip_hint     TEXT,
    city        TEXT,
    country     TEXT
);
CREATE INDEX activity_by_account ON activity(account_id, at DESC, id DESC);

-- Failed attempts, for rate limits that survive a restart: key is e.g. 'sign-in-ip:203.0.113.7'.
CREATE TABLE attempts (
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX attempts_by_key ON attempts(key, at);

CREATE TABLE two_factor_challenges (
    token_hash BLOB PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    user_agent TEXT NOT NULL,
    ip         TEXT
);

CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (account_id, code_hash)
);

-- A new email address or phone number waiting for its 6-digit code.
CREATE TABLE pending_contacts (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,  -- 'email' or 'phone'
    value      TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, channel)
);

CREATE TABLE linked_accounts (
    account_id   TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    provider     TEXT NOT NULL,
    display_name TEXT NOT NULL,
    linked_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, provider)
);

-- Messages a mail or SMS sender would deliver.
CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    channel   TEXT NOT NULL,  -- 'email' or 'sms'
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL
);
