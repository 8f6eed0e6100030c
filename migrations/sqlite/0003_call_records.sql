-- Call records: what Retell's webhooks say about each call, owned by the clinic the call was
-- attributed to. Times are Unix milliseconds, as Retell sends them.
CREATE TABLE call_records (
    call_id                    TEXT PRIMARY KEY,
    org_id                     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    agent_id                   TEXT,
    direction                  TEXT,
    from_number                TEXT,
    to_number                  TEXT,
    call_status                TEXT,
    start_ms                   INTEGER,
    end_ms                     INTEGER,
    duration_ms                INTEGER,
    disconnection_reason       TEXT,
    transcript                 TEXT,
    transcript_object          TEXT,
    transcript_with_tool_calls TEXT,
    -- How many transcript items the stored transcript has: a shorter one never replaces it.
    transcript_items           INTEGER NOT NULL DEFAULT -1,
    call_analysis              TEXT,
    latency                    TEXT,
    transfer                   TEXT,
    events                     TEXT NOT NULL DEFAULT '',
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL
);
CREATE INDEX call_records_org_start ON call_records (org_id, start_ms);

-- Tool calls our agents made during a call, with their results.
CREATE TABLE call_tool_calls (
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id    TEXT NOT NULL,
    at         TEXT NOT NULL,
    name       TEXT NOT NULL,
    arguments  TEXT NOT NULL,
    result     TEXT NOT NULL,
    successful INTEGER NOT NULL
);
CREATE INDEX call_tool_calls_org_call ON call_tool_calls (org_id, call_id, at);

-- Retell agent id to clinic, for webhooks of calls this server did not see.
CREATE TABLE org_agents (
    agent_id TEXT PRIMARY KEY,
    org_id   TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE
);

-- Events no clinic could be found for: kept for the operator, never filed under a clinic.
CREATE TABLE unattributed_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    event       TEXT NOT NULL,
    call_id     TEXT,
    agent_id    TEXT,
    payload     TEXT NOT NULL
);

ALTER TABLE appointments ADD COLUMN call_id TEXT;
CREATE INDEX appointments_org_call ON appointments (org_id, call_id);
ALTER TABLE org_settings ADD COLUMN transcript_retention_days INTEGER
    CHECK (transcript_retention_days IS NULL OR transcript_retention_days BETWEEN 1 AND 3650);
