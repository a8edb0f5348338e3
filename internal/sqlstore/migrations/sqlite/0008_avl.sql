-- Automatic vehicle location: trackers named on units, position history
-- (breadcrumbs) and geofences.

ALTER TABLE units ADD COLUMN device_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX units_device ON units (force_id, device_id) WHERE device_id <> '';

-- One row per fix, kept for the force's retention. Not events: a force
-- sends hundreds a second. Keyed by unit and time, so a replayed report is
-- held once and a unit's track reads in order.
CREATE TABLE positions (
    force_id    TEXT NOT NULL,
    unit_id     BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    accuracy    DOUBLE PRECISION NOT NULL,
    speed       DOUBLE PRECISION,
    heading     DOUBLE PRECISION,
    source      TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (force_id, unit_id, at)
) WITHOUT ROWID;

CREATE TABLE geofences (
    id          INTEGER PRIMARY KEY,
    force_id    TEXT NOT NULL REFERENCES forces (id),
    name        TEXT NOT NULL,
    boundary    TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    archived_at BIGINT
);
CREATE INDEX geofences_force ON geofences (force_id, archived_at);

-- Each unit's newest fix, upserted with every batch in one statement: a
-- unit's last known position is the newer of this and units.lat/lon (set
-- by hand or at creation).
CREATE TABLE unit_positions (
    force_id TEXT NOT NULL,
    unit_id  BIGINT NOT NULL,
    at       BIGINT NOT NULL,
    lat      DOUBLE PRECISION NOT NULL,
    lon      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (force_id, unit_id)
);
