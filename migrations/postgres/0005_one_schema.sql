-- One schema for both databases: every whole number is a bigint, as SQLite's INTEGER is, so
-- one row type reads both.
ALTER TABLE calls ALTER COLUMN connections TYPE bigint;
ALTER TABLE org_settings
    ALTER COLUMN lead_minutes TYPE bigint,
    ALTER COLUMN horizon_days TYPE bigint,
    ALTER COLUMN slot_step_minutes TYPE bigint,
    ALTER COLUMN transcript_retention_days TYPE bigint;
ALTER TABLE office_hours
    ALTER COLUMN weekday TYPE bigint,
    ALTER COLUMN start_minute TYPE bigint,
    ALTER COLUMN end_minute TYPE bigint;
ALTER TABLE operatories ALTER COLUMN sort_order TYPE bigint;
ALTER TABLE provider_schedules
    ALTER COLUMN weekday TYPE bigint,
    ALTER COLUMN start_minute TYPE bigint,
    ALTER COLUMN end_minute TYPE bigint;
ALTER TABLE schedule_exceptions
    ALTER COLUMN start_minute TYPE bigint,
    ALTER COLUMN end_minute TYPE bigint;
ALTER TABLE appointment_types ALTER COLUMN duration_minutes TYPE bigint;
ALTER TABLE call_records ALTER COLUMN transcript_items TYPE bigint;

-- Every call record routes its call id to its clinic, kept by the database itself: the
-- record's write is the only write a webhook event makes.
CREATE FUNCTION ascendia_route_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO org_routes (kind, key, org_id) VALUES ('call', NEW.call_id, NEW.org_id)
        ON CONFLICT (kind, key) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER call_records_route AFTER INSERT ON call_records
    FOR EACH ROW EXECUTE FUNCTION ascendia_route_call();
