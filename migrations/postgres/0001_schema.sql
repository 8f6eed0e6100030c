-- Ascendia on PostgreSQL. Run by the owning role; the server connects as another role that
-- does not own these tables, is not a superuser and cannot bypass row level security.
--
-- Every table holding a clinic's data has ENABLE and FORCE ROW LEVEL SECURITY and one
-- policy: rows of the clinic named by the transaction-local setting app.current_org. With
-- no clinic set, nothing is visible or writable. The cross-clinic lookups routing needs
-- (slug, API key, call id to clinic) go through org_routes, which holds keys and clinic ids
-- and nothing else.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE FUNCTION ascendia_current_org() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.current_org', true), '')::uuid $$;

CREATE TABLE organizations (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    slug         text NOT NULL UNIQUE,
    time_zone    text NOT NULL,
    greeting     text,
    instructions text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE org_routes (
    kind   text NOT NULL CHECK (kind IN ('slug', 'api_key', 'call', 'agent')),
    key    text NOT NULL,
    org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (kind, key)
);
CREATE INDEX org_routes_org ON org_routes (org_id);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
INSERT INTO meta (key, value) VALUES ('registry_generation', '1');

CREATE TABLE calls (
    call_id            text PRIMARY KEY,
    org_id             uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    agent_id           text,
    call_type          text,
    direction          text,
    from_number        text,
    to_number          text,
    first_connected_at timestamptz NOT NULL,
    last_connected_at  timestamptz NOT NULL,
    connections        integer NOT NULL DEFAULT 1
);
CREATE INDEX calls_org_connected ON calls (org_id, first_connected_at);

CREATE TABLE org_settings (
    org_id              uuid PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    address             text,
    phone               text,
    transfer_number     text,
    cancellation_policy text,
    lead_minutes        integer NOT NULL DEFAULT 120 CHECK (lead_minutes BETWEEN 0 AND 20160),
    horizon_days        integer NOT NULL DEFAULT 90 CHECK (horizon_days BETWEEN 1 AND 730),
    slot_step_minutes   integer NOT NULL DEFAULT 15 CHECK (slot_step_minutes BETWEEN 5 AND 240),
    -- Which agent answers, and LLM overrides; the key itself stays in the environment.
    agent               text CHECK (agent IN ('builtin', 'llm')),
    llm_base_url        text,
    llm_model           text,
    llm_api_key_env     text,
    -- The clinic's own wording: a JSON object of phrase name to text.
    phrases             text,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE office_hours (
    org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    weekday      integer NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute integer NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   integer NOT NULL CHECK (end_minute BETWEEN 1 AND 1439),
    CHECK (start_minute < end_minute)
);
CREATE INDEX office_hours_org ON office_hours (org_id);

CREATE TABLE providers (
    id     uuid PRIMARY KEY,
    org_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name   text NOT NULL,
    kind   text NOT NULL CHECK (kind IN ('dentist', 'hygienist')),
    active boolean NOT NULL DEFAULT true,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE operatories (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name       text NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    is_hygiene boolean NOT NULL DEFAULT false,
    sort_order integer NOT NULL DEFAULT 0,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE provider_schedules (
    org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    provider_id  uuid NOT NULL,
    weekday      integer NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute integer NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   integer NOT NULL CHECK (end_minute BETWEEN 1 AND 1439),
    operatory_id uuid,
    CHECK (start_minute < end_minute),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id)
);
CREATE INDEX provider_schedules_org ON provider_schedules (org_id);

CREATE TABLE schedule_exceptions (
    org_id       uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date         date NOT NULL,
    provider_id  uuid,
    kind         text NOT NULL CHECK (kind IN ('closed', 'extra_hours', 'blockout')),
    start_minute integer CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   integer CHECK (end_minute BETWEEN 1 AND 1439),
    operatory_id uuid,
    note         text,
    CHECK ((start_minute IS NULL) = (end_minute IS NULL)),
    CHECK (start_minute IS NULL OR start_minute < end_minute),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id)
);
CREATE INDEX schedule_exceptions_org_date ON schedule_exceptions (org_id, date);

CREATE TABLE appointment_types (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name             text NOT NULL,
    duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 540),
    provider_kind    text CHECK (provider_kind IN ('dentist', 'hygienist')),
    pattern          text,
    active           boolean NOT NULL DEFAULT true,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE patients (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    first_name text NOT NULL,
    last_name  text NOT NULL,
    birth_date date NOT NULL,
    phone      text,
    email      text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (org_id, id)
);
CREATE INDEX patients_org_phone ON patients (org_id, phone);
CREATE INDEX patients_org_name ON patients (org_id, lower(last_name), birth_date);

-- No two held appointments overlap for one provider, chair or patient: the database itself
-- refuses, whichever server instance writes.
CREATE TABLE appointments (
    id                  uuid PRIMARY KEY,
    org_id              uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    patient_id          uuid NOT NULL,
    provider_id         uuid NOT NULL,
    operatory_id        uuid NOT NULL,
    appointment_type_id uuid NOT NULL,
    start_at            timestamptz NOT NULL,
    end_at              timestamptz NOT NULL,
    status              text NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed', 'no_show')),
    note                text,
    source              text NOT NULL,
    idempotency_key     text,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CHECK (start_at < end_at),
    UNIQUE (org_id, id),
    UNIQUE (org_id, idempotency_key),
    FOREIGN KEY (org_id, patient_id) REFERENCES patients (org_id, id),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id),
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id),
    FOREIGN KEY (org_id, appointment_type_id) REFERENCES appointment_types (org_id, id),
    EXCLUDE USING gist (org_id WITH =, provider_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status IN ('scheduled', 'completed')),
    EXCLUDE USING gist (org_id WITH =, operatory_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status IN ('scheduled', 'completed')),
    EXCLUDE USING gist (org_id WITH =, patient_id WITH =, tstzrange(start_at, end_at) WITH &&)
        WHERE (status IN ('scheduled', 'completed'))
);
CREATE INDEX appointments_org_start ON appointments (org_id, start_at);
CREATE INDEX appointments_org_patient ON appointments (org_id, patient_id, start_at);

CREATE TABLE api_keys (
    id         uuid PRIMARY KEY,
    org_id     uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key_hash   text NOT NULL UNIQUE,
    prefix     text NOT NULL,
    label      text,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['calls', 'org_settings', 'office_hours', 'providers', 'operatories',
        'provider_schedules', 'schedule_exceptions', 'appointment_types', 'patients',
        'appointments', 'api_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY org_isolation ON %I USING (org_id = ascendia_current_org())
                        WITH CHECK (org_id = ascendia_current_org())', t);
    END LOOP;
END
$$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
CREATE POLICY org_isolation ON organizations USING (id = ascendia_current_org())
    WITH CHECK (id = ascendia_current_org());
