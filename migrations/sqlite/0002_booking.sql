-- The booking engine's data. Every table carries org_id, and every reference to another
-- org-owned row is a composite (org_id, id) foreign key, so a row can never point into
-- another clinic even if a query were wrong.

CREATE TABLE org_settings (
    org_id              TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    address             TEXT,
    phone               TEXT,
    transfer_number     TEXT,
    cancellation_policy TEXT,
    lead_minutes        INTEGER NOT NULL DEFAULT 120 CHECK (lead_minutes BETWEEN 0 AND 20160),
    horizon_days        INTEGER NOT NULL DEFAULT 90 CHECK (horizon_days BETWEEN 1 AND 730),
    slot_step_minutes   INTEGER NOT NULL DEFAULT 15 CHECK (slot_step_minutes BETWEEN 5 AND 240),
    -- Which agent answers, and LLM overrides; the key itself stays in the environment.
    agent               TEXT CHECK (agent IN ('builtin', 'llm')),
    llm_base_url        TEXT,
    llm_model           TEXT,
    llm_api_key_env     TEXT,
    -- The clinic's own wording: a JSON object of phrase name to text.
    phrases             TEXT,
    updated_at          TEXT NOT NULL
);

-- Weekday: 0 = Monday. Times of day in minutes after local midnight.
CREATE TABLE office_hours (
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1439),
    CHECK (start_minute < end_minute)
);
CREATE INDEX office_hours_org ON office_hours (org_id);

CREATE TABLE providers (
    id     TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL CHECK (kind IN ('dentist', 'hygienist')),
    active INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE operatories (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    is_hygiene INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE provider_schedules (
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    provider_id  TEXT NOT NULL,
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1439),
    operatory_id TEXT,
    CHECK (start_minute < end_minute),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id)
);
CREATE INDEX provider_schedules_org ON provider_schedules (org_id);

CREATE TABLE schedule_exceptions (
    org_id       TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    date         TEXT NOT NULL,
    provider_id  TEXT,
    kind         TEXT NOT NULL CHECK (kind IN ('closed', 'extra_hours', 'blockout')),
    start_minute INTEGER CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   INTEGER CHECK (end_minute BETWEEN 1 AND 1439),
    operatory_id TEXT,
    note         TEXT,
    CHECK ((start_minute IS NULL) = (end_minute IS NULL)),
    CHECK (start_minute IS NULL OR start_minute < end_minute),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id)
);
CREATE INDEX schedule_exceptions_org_date ON schedule_exceptions (org_id, date);

CREATE TABLE appointment_types (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 540),
    provider_kind    TEXT CHECK (provider_kind IN ('dentist', 'hygienist')),
    pattern          TEXT,
    active           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (org_id, id),
    UNIQUE (org_id, name)
);

CREATE TABLE patients (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    first_name TEXT NOT NULL,
    last_name  TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone      TEXT,
    email      TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, id)
);
CREATE INDEX patients_org_phone ON patients (org_id, phone);
CREATE INDEX patients_org_name ON patients (org_id, last_name COLLATE NOCASE, birth_date);

-- Start and end are UTC instants in Unix seconds: range queries compare integers.
CREATE TABLE appointments (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    patient_id          TEXT NOT NULL,
    provider_id         TEXT NOT NULL,
    operatory_id        TEXT NOT NULL,
    appointment_type_id TEXT NOT NULL,
    start_at            INTEGER NOT NULL,
    end_at              INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'completed', 'no_show')),
    note                TEXT,
    source              TEXT NOT NULL,
    idempotency_key     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CHECK (start_at < end_at),
    UNIQUE (org_id, id),
    UNIQUE (org_id, idempotency_key),
    FOREIGN KEY (org_id, patient_id) REFERENCES patients (org_id, id),
    FOREIGN KEY (org_id, provider_id) REFERENCES providers (org_id, id),
    FOREIGN KEY (org_id, operatory_id) REFERENCES operatories (org_id, id),
    FOREIGN KEY (org_id, appointment_type_id) REFERENCES appointment_types (org_id, id)
);
-- Covers the availability query: the busy times of a date range come from the index alone.
CREATE INDEX appointments_org_busy
    ON appointments (org_id, start_at, end_at, status, provider_id, operatory_id, patient_id);
CREATE INDEX appointments_org_patient ON appointments (org_id, patient_id, start_at);

-- Booking API keys: only a SHA-256 of the key is kept. Looking a key up by its hash is the
-- one cross-clinic read the API needs, and it yields only the org id.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    key_hash   TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    label      TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_keys_org ON api_keys (org_id);
