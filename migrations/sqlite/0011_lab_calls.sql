-- Calls started from the web console's test lab. A call is a test only because a signed-in
-- member of the clinic registered its id here before it connected: Retell's WebSocket and
-- webhooks cannot mark (or unmark) a call as one. created_at is Unix seconds.
CREATE TABLE lab_calls (
    call_id    TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    started_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX lab_calls_org_created ON lab_calls (org_id, created_at);
