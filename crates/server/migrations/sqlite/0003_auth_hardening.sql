-- Issue 10 (security review), items 7 and 8.

-- A try whose password or PIN is still being checked: counted against its limit while
-- pending (so a burst can't all be checked at once), but not a failure until the check says
-- so (so right passwords arriving together don't lock the account). A right try's row is
-- deleted; a wrong one's becomes pending = 0. Rows of the failures before were all 0.
ALTER TABLE attempts ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- The current session token sealed under the previous one (XOR with a SHA-256 keystream of
-- 'hallpass seal' || previous token; see rotation.rs), so a step-up that presents the
-- previous token in its grace gets the current one back. Only the holder of the previous
-- token can unseal it; the database has that token only as previous_token_hash.
ALTER TABLE sessions ADD COLUMN sealed_token BLOB;
