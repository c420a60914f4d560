-- One row that GET /api/health rewrites: a real write transaction is the only sure way to
-- know the database can take writes (a full disk or a read-only file fails it).
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
);
