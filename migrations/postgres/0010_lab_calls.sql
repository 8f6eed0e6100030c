-- Calls started from the web console's test lab. A call is a test only because a signed-in
-- member of the clinic registered its id here before it connected: Retell's WebSocket and
-- webhooks cannot mark (or unmark) a call as one. Clinic data under row level security; the
-- runtime role's grants come from `db migrate`, as for every table.
CREATE TABLE lab_calls (
    call_id    text PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    started_by uuid REFERENCES users(id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX lab_calls_org_created ON lab_calls (org_id, created_at);
ALTER TABLE lab_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE lab_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON lab_calls USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
