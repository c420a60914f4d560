-- Issue 12: the same SQL on SQLite and PostgreSQL (see migrations/postgres/).
--
-- `attempts` had no key of its own: a pending try was found again by SQLite's `rowid`, which
-- PostgreSQL doesn't have. `id INTEGER PRIMARY KEY` is SQLite's name for that same rowid, so
-- the rows keep their numbers (a try being checked while this runs is found again).
CREATE TABLE attempts_0006 (
    id      INTEGER PRIMARY KEY,
    key     TEXT NOT NULL,
    at      INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1))
);
INSERT INTO attempts_0006 (id, key, at, pending) SELECT rowid, key, at, pending FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_0006 RENAME TO attempts;
CREATE INDEX attempts_by_key ON attempts(key, at);

-- An account is found by `lower(email) = $1` (the address folded to ASCII lower case by the
-- server), the comparison both backends share, like the column's NOCASE; this index serves
-- it, as the UNIQUE one on `email` served `email = ?`.
CREATE INDEX accounts_by_lower_email ON accounts(lower(email));
