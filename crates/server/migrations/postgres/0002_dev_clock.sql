-- As migrations/sqlite/0007: `--demo`'s clock offset, one row, shared by every instance.
CREATE TABLE dev_clock (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    offset_seconds BIGINT NOT NULL
);
