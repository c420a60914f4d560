-- Hallpass schema, PostgreSQL dialect: the state migrations/sqlite/ reaches after 0006, in
-- one step (there are no older PostgreSQL databases to upgrade). The server runs the same SQL
-- on both, so the types are chosen for that, not for what PostgreSQL would pick alone:
--
-- - times are BIGINT Unix seconds (UTC), as SQLite's INTEGER;
-- - flags are SMALLINT 0/1 with a CHECK, not BOOLEAN: queries write `pending = 1` on both;
-- - hashes and tokens are BYTEA (SQLite's BLOB);
-- - every TEXT column is COLLATE "C": bytewise order and ASCII-only lower(), as SQLite's
--   BINARY collation and its lower(), whatever locale the cluster was created with;
-- - SQLite's COLLATE NOCASE uniqueness is a UNIQUE index on lower(...), and queries compare
--   `lower(email) = $1` on both backends, the address folded (ASCII only) by the server;
-- - SQLite's AUTOINCREMENT ids are identity columns (never given out twice either).

CREATE TABLE accounts (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    email               TEXT COLLATE "C" NOT NULL,
    email_verified      SMALLINT NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    password_hash       TEXT COLLATE "C" NOT NULL,
    phone               TEXT COLLATE "C",
    phone_verified      SMALLINT NOT NULL DEFAULT 0 CHECK (phone_verified IN (0, 1)),
    recovery_email      TEXT COLLATE "C",
    recovery_phone      TEXT COLLATE "C",
    member_since        BIGINT NOT NULL,
    plan_name           TEXT COLLATE "C" NOT NULL,
    plan_price          TEXT COLLATE "C" NOT NULL,   -- decimal string: money is never a float
    plan_currency       TEXT COLLATE "C" NOT NULL,
    plan_next_billing   BIGINT NOT NULL,
    plan_streams        BIGINT NOT NULL,
    totp_secret         TEXT COLLATE "C",
    totp_pending_secret TEXT COLLATE "C",
    totp_last_step      BIGINT
);
CREATE UNIQUE INDEX accounts_by_lower_email ON accounts (lower(email));

CREATE TABLE profiles (
    id              TEXT COLLATE "C" PRIMARY KEY,
    account_id      TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    position        BIGINT NOT NULL,
    name            TEXT COLLATE "C" NOT NULL,
    avatar          TEXT COLLATE "C" NOT NULL,
    kids            SMALLINT NOT NULL CHECK (kids IN (0, 1)),
    maturity_rating TEXT COLLATE "C" NOT NULL,
    language        TEXT COLLATE "C" NOT NULL,
    pin_hash        TEXT COLLATE "C"
);
CREATE UNIQUE INDEX profiles_by_lower_name ON profiles (account_id, lower(name));
CREATE INDEX profiles_by_account ON profiles (account_id, position);

CREATE TABLE sessions (
    id                    TEXT COLLATE "C" PRIMARY KEY,
    account_id            TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    token_hash            BYTEA NOT NULL UNIQUE,
    previous_token_hash   BYTEA,
    previous_valid_until  BIGINT,
    profile_id            TEXT COLLATE "C" REFERENCES profiles(id) ON DELETE SET NULL,
    signed_in_at          BIGINT NOT NULL,
    last_active_at        BIGINT NOT NULL,
    reauthenticated_until BIGINT,
    user_agent            TEXT COLLATE "C" NOT NULL,
    device_name           TEXT COLLATE "C" NOT NULL,
    device_kind           TEXT COLLATE "C" NOT NULL
        CHECK (device_kind IN ('computer', 'phone', 'tablet', 'tv', 'console', 'unknown')),
    browser               TEXT COLLATE "C" NOT NULL,
    os                    TEXT COLLATE "C" NOT NULL,
    nickname              TEXT COLLATE "C",
    ip                    TEXT COLLATE "C",
    city                  TEXT COLLATE "C",
    country               TEXT COLLATE "C",
    ended_at              BIGINT,
    end_reason            TEXT COLLATE "C"
        CHECK (end_reason IN ('signed_out', 'revoked', 'expired')),
    ended_by              TEXT COLLATE "C",
    sealed_token          BYTEA
);
CREATE INDEX sessions_by_account ON sessions (account_id, ended_at, last_active_at);
CREATE INDEX sessions_by_previous_token ON sessions (previous_token_hash);
CREATE INDEX sessions_by_profile ON sessions (profile_id);

CREATE TABLE activity (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('signed_in', 'sign_in_failed',
                    'signed_out', 'device_signed_out', 'signed_out_all', 'password_changed',
                    'password_reset', 'email_changed', 'phone_changed', 'two_factor_enabled',
                    'two_factor_disabled', 'recovery_codes_regenerated', 'profile_pin_failed',
                    'linked_account_removed')),
    at          BIGINT NOT NULL,
    session_id  TEXT COLLATE "C" REFERENCES sessions(id) ON DELETE SET NULL,
    device_name TEXT COLLATE "C",
    device_kind TEXT COLLATE "C"
        CHECK (device_kind IN ('computer', 'phone', 'tablet', 'tv', 'console', 'unknown')),
    ip_hint     TEXT COLLATE "C",
    city        TEXT COLLATE "C",
    country     TEXT COLLATE "C"
);
CREATE INDEX activity_by_account ON activity (account_id, at DESC, id DESC);
-- SQLite's ON DELETE SET NULL finds the rows by scanning; PostgreSQL wants an index for it.
CREATE INDEX activity_by_session ON activity (session_id);

CREATE TABLE attempts (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key     TEXT COLLATE "C" NOT NULL,
    at      BIGINT NOT NULL,
    pending SMALLINT NOT NULL DEFAULT 0 CHECK (pending IN (0, 1))
);
CREATE INDEX attempts_by_key ON attempts (key, at);

CREATE TABLE two_factor_challenges (
    token_hash BYTEA PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    user_agent TEXT COLLATE "C" NOT NULL,
    ip         TEXT COLLATE "C"
);

CREATE TABLE recovery_codes (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE pending_contacts (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    channel    TEXT COLLATE "C" NOT NULL CHECK (channel IN ('email', 'phone')),
    value      TEXT COLLATE "C" NOT NULL,
    code_hash  BYTEA NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, channel)
);

CREATE TABLE linked_accounts (
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    provider     TEXT COLLATE "C" NOT NULL,
    display_name TEXT COLLATE "C" NOT NULL,
    linked_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, provider)
);

CREATE TABLE outbox (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    channel   TEXT COLLATE "C" NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT COLLATE "C" NOT NULL,
    subject   TEXT COLLATE "C" NOT NULL,
    body      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    at BIGINT NOT NULL
);

CREATE TABLE password_resets (
    account_id       TEXT COLLATE "C" PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash        BYTEA,
    expires_at       BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    token_hash       BYTEA UNIQUE,
    token_expires_at BIGINT
);
