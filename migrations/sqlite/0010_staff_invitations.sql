-- Invitations to a clinic's team, made by its owners in the console. Only the SHA-256 of the
-- one-time token is kept (the link is shown once). Looked up by that hash before any clinic
-- is chosen, as sessions and memberships are. Instants are Unix seconds.
CREATE TABLE staff_invitations (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email       TEXT NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    role        TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    invited_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    revoked_at  INTEGER
);
CREATE INDEX staff_invitations_org ON staff_invitations (org_id, created_at);
