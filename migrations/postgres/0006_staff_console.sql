-- The web console's staff: accounts (operators see every clinic), memberships with a role per
-- clinic, server-side sessions (only a token's hash is kept), failed sign-ins for throttling,
-- and what staff did, per clinic. Accounts, memberships and sessions are looked up before a
-- clinic is chosen, as org_routes is; staff_actions is clinic data under row level security.
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL UNIQUE CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    password_hash text NOT NULL,
    operator      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);

CREATE TABLE memberships (
    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX memberships_org ON memberships (org_id);

CREATE TABLE staff_sessions (
    token_hash   text PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE sign_in_failures (
    scope text NOT NULL CHECK (scope IN ('account', 'address')),
    key   text NOT NULL,
    at    timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (scope, key, at);

CREATE TABLE staff_actions (
    id      uuid PRIMARY KEY,
    org_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id uuid REFERENCES users(id) ON DELETE SET NULL,
    email   text NOT NULL,
    at      timestamptz NOT NULL,
    action  text NOT NULL,
    detail  text NOT NULL DEFAULT ''
);
CREATE INDEX staff_actions_org_at ON staff_actions (org_id, at);
ALTER TABLE staff_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON staff_actions USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
