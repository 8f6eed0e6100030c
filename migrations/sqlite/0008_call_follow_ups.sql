-- Calls the front desk has followed up (a transfer asked for, slots looked up and nothing
-- booked): marked done from the web console's inbox, one mark per call. done_at is Unix
-- seconds.
CREATE TABLE call_follow_ups (
    org_id  TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id TEXT NOT NULL,
    done_at INTEGER NOT NULL,
    user_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (org_id, call_id)
);
