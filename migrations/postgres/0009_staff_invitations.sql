-- Invitations to a clinic's team, made by its owners in the console. Only the SHA-256 of the
-- one-time token is kept (the link is shown once). Accepting looks an invitation up by that
-- hash before any clinic is chosen, so, like memberships and sessions, the table is not under
-- row level security; every statement on it names its clinic.
CREATE TABLE staff_invitations (
    id          uuid PRIMARY KEY,
    token_hash  text NOT NULL UNIQUE,
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    role        text NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    invited_by  uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES users(id) ON DELETE SET NULL,
    revoked_at  timestamptz
);
CREATE INDEX staff_invitations_org ON staff_invitations (org_id, created_at);
