-- One schema for both databases: the cross-clinic lookups move into org_routes, as on
-- PostgreSQL, and the name index becomes the same expression index. Existing rows are
-- carried over: every clinic's slug, every live API key, every call id and agent id.
CREATE TABLE org_routes (
    kind   TEXT NOT NULL CHECK (kind IN ('slug', 'api_key', 'call', 'agent')),
    key    TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, key)
);
CREATE INDEX org_routes_org ON org_routes (org_id);

INSERT INTO org_routes (kind, key, org_id) SELECT 'slug', slug, id FROM organizations;
INSERT INTO org_routes (kind, key, org_id)
    SELECT 'api_key', key_hash, org_id FROM api_keys WHERE revoked_at IS NULL;
INSERT OR IGNORE INTO org_routes (kind, key, org_id) SELECT 'call', call_id, org_id FROM calls;
INSERT OR IGNORE INTO org_routes (kind, key, org_id)
    SELECT 'call', call_id, org_id FROM call_records;
INSERT INTO org_routes (kind, key, org_id) SELECT 'agent', agent_id, org_id FROM org_agents;
DROP TABLE org_agents;

DROP INDEX patients_org_name;
CREATE INDEX patients_org_name ON patients (org_id, lower(last_name), birth_date);

-- Every call record routes its call id to its clinic, kept by the database itself: the
-- record's write is the only write a webhook event makes.
CREATE TRIGGER call_records_route AFTER INSERT ON call_records
BEGIN
    INSERT OR IGNORE INTO org_routes (kind, key, org_id) VALUES ('call', NEW.call_id, NEW.org_id);
END;
