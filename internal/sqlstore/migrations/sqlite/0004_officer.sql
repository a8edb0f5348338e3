-- The connected officer: actions replayed from devices apply at most once,
-- and officers book on to units for their shift.

-- One row per action a device took (its Idempotency-Key), claimed in the
-- same transaction as the action's first write.
CREATE TABLE client_ops (
    force_id     TEXT NOT NULL REFERENCES forces (id),
    user_id      BIGINT NOT NULL,
    op_key       TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    applied_at   BIGINT NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    answer       BLOB,
    PRIMARY KEY (force_id, user_id, op_key)
);
CREATE INDEX client_ops_applied ON client_ops (applied_at);

-- The unit each officer (user) is booked on to for their shift: at most one.
CREATE TABLE unit_bookings (
    force_id  TEXT NOT NULL REFERENCES forces (id),
    user_id   BIGINT NOT NULL,
    unit_id   BIGINT NOT NULL REFERENCES units (id),
    booked_at BIGINT NOT NULL,
    PRIMARY KEY (force_id, user_id)
);
CREATE INDEX unit_bookings_unit ON unit_bookings (force_id, unit_id);
