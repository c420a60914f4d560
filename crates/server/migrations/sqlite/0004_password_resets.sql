-- Issue 11: forgot password. One reset at a time per account: asking again replaces the code.
-- The 6-digit code lasts 30 minutes and 5 wrong tries; once right, it is spent and a random
-- token takes its place for the last step (15 minutes), so the person can take a moment over
-- the new password without the code being usable again. Both are stored as SHA-256 only.
CREATE TABLE password_resets (
    account_id       TEXT PRIMARY KEY NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    code_hash        BLOB,
    expires_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    token_hash       BLOB UNIQUE,
    token_expires_at INTEGER
);
