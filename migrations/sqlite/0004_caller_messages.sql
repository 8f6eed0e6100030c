-- Messages the receptionist took for the front desk: who called, a number to call back, why.
-- created_at is Unix microseconds: date ranges and newest-first pages compare integers.
CREATE TABLE caller_messages (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id     TEXT,
    caller_name TEXT NOT NULL CHECK (length(caller_name) BETWEEN 1 AND 120),
    callback    TEXT,
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    language    TEXT,
    urgent      INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('new', 'handled')),
    created_at  INTEGER NOT NULL,
    handled_at  TEXT,
    CHECK ((status = 'handled') = (handled_at IS NOT NULL)),
    UNIQUE (org_id, id)
);
CREATE INDEX caller_messages_org_created ON caller_messages (org_id, created_at);
CREATE INDEX caller_messages_org_call ON caller_messages (org_id, call_id);
