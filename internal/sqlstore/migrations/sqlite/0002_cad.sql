-- Command and control: force settings, contacts, incidents with their logs,
-- THRIVE and M/ETHANE versions, unit status and assignments.

CREATE TABLE force_settings (
    force_id   TEXT PRIMARY KEY REFERENCES forces (id),
    settings   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Daily serials for incident numbers and contact references, per force and
-- local day: the row is the lock that keeps numbers unique across nodes.
CREATE TABLE daily_serials (
    force_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    day      TEXT NOT NULL,
    last     BIGINT NOT NULL,
    PRIMARY KEY (force_id, kind, day)
);

CREATE TABLE incidents (
    id                  INTEGER PRIMARY KEY,
    force_id            TEXT NOT NULL REFERENCES forces (id),
    number              TEXT NOT NULL,
    global_id           TEXT NOT NULL UNIQUE,
    received_at         BIGINT NOT NULL,
    opened_at           BIGINT NOT NULL,
    opened_by           TEXT NOT NULL,
    channel             TEXT NOT NULL,
    category            TEXT NOT NULL,
    qualifiers          TEXT NOT NULL,
    classification      TEXT NOT NULL,
    summary             TEXT NOT NULL,
    address             TEXT NOT NULL,
    lat                 DOUBLE PRECISION,
    lon                 DOUBLE PRECISION,
    grid_ref            TEXT NOT NULL,
    cross_border        BOOLEAN NOT NULL,
    rural               BOOLEAN NOT NULL,
    grade               TEXT NOT NULL,
    graded_at           BIGINT NOT NULL,
    original_grade      TEXT NOT NULL,
    original_graded_at  BIGINT NOT NULL,
    required_skills     TEXT NOT NULL,
    status              TEXT NOT NULL,
    resourcing          TEXT NOT NULL,
    first_dispatched_at BIGINT,
    first_arrived_at    BIGINT,
    breaches            TEXT NOT NULL,
    major               TEXT,
    major_link_id       BIGINT NOT NULL,
    closed_at           BIGINT,
    closed_by           TEXT NOT NULL,
    closing             TEXT,
    thrive_version      INTEGER NOT NULL,
    vulnerable          BOOLEAN NOT NULL,
    UNIQUE (force_id, number)
);
CREATE INDEX incidents_queue ON incidents (force_id, status, received_at);
CREATE INDEX incidents_received ON incidents (force_id, received_at);
CREATE INDEX incidents_major ON incidents (force_id, major_link_id);

CREATE TABLE incident_log (
    id          INTEGER PRIMARY KEY,
    force_id    TEXT NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    event_seq   BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    corrects    BIGINT NOT NULL
);
CREATE INDEX incident_log_incident ON incident_log (force_id, incident_id, id);

CREATE TABLE incident_assessments (
    force_id    TEXT NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    version     INTEGER NOT NULL,
    assessment  TEXT NOT NULL,
    PRIMARY KEY (force_id, incident_id, version)
);

CREATE TABLE incident_methane (
    force_id    TEXT NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    version     INTEGER NOT NULL,
    report      TEXT NOT NULL,
    PRIMARY KEY (force_id, incident_id, version)
);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    force_id      TEXT NOT NULL REFERENCES forces (id),
    reference     TEXT NOT NULL,
    channel       TEXT NOT NULL,
    received_at   BIGINT NOT NULL,
    caller_name   TEXT NOT NULL,
    caller_number TEXT NOT NULL,
    number_key    TEXT NOT NULL,
    callback      BOOLEAN NOT NULL,
    anonymous     BOOLEAN NOT NULL,
    address       TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    grid_ref      TEXT NOT NULL,
    cross_border  BOOLEAN NOT NULL,
    rural         BOOLEAN NOT NULL,
    account       TEXT NOT NULL,
    incident_id   BIGINT NOT NULL REFERENCES incidents (id),
    handled_by    TEXT NOT NULL,
    checks        TEXT NOT NULL,
    UNIQUE (force_id, reference)
);
CREATE INDEX contacts_number ON contacts (force_id, number_key, received_at);
CREATE INDEX contacts_address ON contacts (force_id, address_key, received_at);
CREATE INDEX contacts_received ON contacts (force_id, received_at);
CREATE INDEX contacts_incident ON contacts (force_id, incident_id);

ALTER TABLE units ADD COLUMN crew TEXT NOT NULL DEFAULT '[]';
ALTER TABLE units ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
ALTER TABLE units ADD COLUMN state TEXT NOT NULL DEFAULT 'OFF_DUTY';
ALTER TABLE units ADD COLUMN status_code TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN status_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN incident_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE units ADD COLUMN lon DOUBLE PRECISION;
ALTER TABLE units ADD COLUMN position_at BIGINT;

CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    force_id      TEXT NOT NULL,
    incident_id   BIGINT NOT NULL REFERENCES incidents (id),
    unit_id       BIGINT NOT NULL REFERENCES units (id),
    state         TEXT NOT NULL,
    assigned_at   BIGINT NOT NULL,
    assigned_by   TEXT NOT NULL,
    en_route_at   BIGINT,
    at_scene_at   BIGINT,
    ended_at      BIGINT,
    diverted_from TEXT NOT NULL
);
CREATE INDEX assignments_incident ON assignments (force_id, incident_id);
CREATE INDEX assignments_unit ON assignments (force_id, unit_id, state);
