-- Clinics. Everything else in the database belongs to exactly one of them.
CREATE TABLE organizations (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    time_zone    TEXT NOT NULL,
    greeting     TEXT,
    instructions TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Server-wide settings kept with the data: the default org and the registry generation,
-- bumped by every change to organizations so running servers reload within seconds.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('registry_generation', '1');

-- One row per Retell call, owned by the org whose URL served it. A call id never moves
-- between orgs: the upsert only updates a row of the same org.
CREATE TABLE calls (
    call_id            TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    agent_id           TEXT,
    call_type          TEXT,
    direction          TEXT,
    from_number        TEXT,
    to_number          TEXT,
    first_connected_at TEXT NOT NULL,
    last_connected_at  TEXT NOT NULL,
    connections        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX calls_org_connected ON calls (org_id, first_connected_at);
