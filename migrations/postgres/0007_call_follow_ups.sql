-- Calls the front desk has followed up (a transfer asked for, slots looked up and nothing
-- booked): marked done from the web console's inbox, one mark per call. Clinic data under row
-- level security, like staff_actions.
CREATE TABLE call_follow_ups (
    org_id  uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id text NOT NULL,
    done_at timestamptz NOT NULL,
    user_id uuid REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (org_id, call_id)
);
ALTER TABLE call_follow_ups ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_follow_ups FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON call_follow_ups USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
