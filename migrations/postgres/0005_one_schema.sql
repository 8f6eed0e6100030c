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
