-- Messages the receptionist took for the front desk: who called, a number to call back, why.
-- Clinic data like every other: row level security on app.current_org; the runtime role's
-- grants come from `db migrate`, as for every table.
CREATE TABLE caller_messages (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id     text,
    caller_name text NOT NULL CHECK (char_length(caller_name) BETWEEN 1 AND 120),
    callback    text,
    reason      text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    language    text,
    urgent      boolean NOT NULL DEFAULT false,
    status      text NOT NULL CHECK (status IN ('new', 'handled')),
    created_at  timestamptz NOT NULL,
    handled_at  timestamptz,
    CHECK ((status = 'handled') = (handled_at IS NOT NULL)),
    UNIQUE (org_id, id)
);
CREATE INDEX caller_messages_org_created ON caller_messages (org_id, created_at);
CREATE INDEX caller_messages_org_call ON caller_messages (org_id, call_id);

ALTER TABLE caller_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE caller_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON caller_messages USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
