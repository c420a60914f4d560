-- Issue 12: `--demo`'s clock offset (POST /api/dev/clock) lives in the database, so every
-- instance serving it agrees on "now". One row; absent until the clock first moves.
CREATE TABLE dev_clock (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds INTEGER NOT NULL
);
