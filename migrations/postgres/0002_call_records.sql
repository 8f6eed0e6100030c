-- Call records: what Retell's webhooks say about each call, owned by the clinic the call was
-- attributed to. Times are Unix milliseconds, as Retell sends them.
CREATE TABLE call_records (
    call_id                    text PRIMARY KEY,
    org_id                     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    agent_id                   text,
    direction                  text,
    from_number                text,
    to_number                  text,
    call_status                text,
    start_ms                   bigint,
    end_ms                     bigint,
    duration_ms                bigint,
    disconnection_reason       text,
    transcript                 text,
    transcript_object          text,
    transcript_with_tool_calls text,
    transcript_items           integer NOT NULL DEFAULT -1,
    call_analysis              text,
    latency                    text,
    transfer                   text,
    events                     text NOT NULL DEFAULT '',
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL
);
CREATE INDEX call_records_org_start ON call_records (org_id, start_ms);

CREATE TABLE call_tool_calls (
    org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    call_id    text NOT NULL,
    at         timestamptz NOT NULL,
    name       text NOT NULL,
    arguments  text NOT NULL,
    result     text NOT NULL,
    successful boolean NOT NULL
);
CREATE INDEX call_tool_calls_org_call ON call_tool_calls (org_id, call_id, at);

-- Events no clinic could be found for: the server may add them, only the owner reads them.
CREATE TABLE unattributed_events (
    id          bigserial PRIMARY KEY,
    received_at timestamptz NOT NULL,
    event       text NOT NULL,
    call_id     text,
    agent_id    text,
    payload     text NOT NULL
);
ALTER TABLE unattributed_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY insert_only ON unattributed_events FOR INSERT WITH CHECK (true);

ALTER TABLE appointments ADD COLUMN call_id text;
CREATE INDEX appointments_org_call ON appointments (org_id, call_id);
ALTER TABLE org_settings ADD COLUMN transcript_retention_days integer
    CHECK (transcript_retention_days IS NULL OR transcript_retention_days BETWEEN 1 AND 3650);

ALTER TABLE call_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_records FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON call_records USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
ALTER TABLE call_tool_calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_tool_calls FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON call_tool_calls USING (org_id = ascendia_current_org())
    WITH CHECK (org_id = ascendia_current_org());
