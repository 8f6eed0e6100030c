-- The web console's staff: accounts (operators see every clinic), memberships with a role per
-- clinic, server-side sessions (only a token's hash is kept), failed sign-ins for throttling,
-- and what staff did, per clinic. Instants are Unix seconds.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash TEXT NOT NULL,
    operator      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE memberships (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

CREATE TABLE staff_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key   TEXT NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (scope, key, at);

CREATE TABLE staff_actions (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    email   TEXT NOT NULL,
    at      INTEGER NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX staff_actions_org_at ON staff_actions (org_id, at);
