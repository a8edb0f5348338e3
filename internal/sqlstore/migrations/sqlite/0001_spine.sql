-- The spine: forces, their hash-chained event logs and s.62 audit trails,
-- stations, units, officers, users, sessions and API tokens.
-- Times are BIGINT microseconds since the Unix epoch (UTC) in both engines, so
-- what is hashed is exactly what is stored.

CREATE TABLE forces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The head of each force's two chains: appends lock this row, so a force's
-- sequence numbers commit in order on every node.
CREATE TABLE force_heads (
    force_id   TEXT PRIMARY KEY REFERENCES forces (id),
    event_seq  BIGINT NOT NULL,
    event_hash BLOB,
    audit_seq  BIGINT NOT NULL,
    audit_hash BLOB
);

CREATE TABLE events (
    force_id       TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    id             TEXT NOT NULL,
    at             BIGINT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    type           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    classification TEXT NOT NULL,
    payload        TEXT NOT NULL,
    prev_hash      BLOB,
    hash           BLOB NOT NULL,
    PRIMARY KEY (force_id, seq)
) WITHOUT ROWID;

CREATE TABLE audit_records (
    force_id      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    action        TEXT NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_id      BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    actor_roles   TEXT NOT NULL,
    session_id    TEXT NOT NULL,
    what          TEXT NOT NULL,
    records       TEXT NOT NULL,
    subjects      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    justification TEXT NOT NULL,
    incident_ref  TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    agreement_id  TEXT NOT NULL,
    prev_hash     BLOB,
    hash          BLOB NOT NULL,
    PRIMARY KEY (force_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_records_actor ON audit_records (force_id, actor_id, seq);
CREATE INDEX audit_records_at ON audit_records (force_id, at);

-- One row per data subject of an audit record, for "who looked at this person".
CREATE TABLE audit_subjects (
    force_id TEXT NOT NULL,
    subject  TEXT NOT NULL,
    seq      BIGINT NOT NULL,
    PRIMARY KEY (force_id, subject, seq)
) WITHOUT ROWID;

CREATE TABLE stations (
    id       INTEGER PRIMARY KEY,
    force_id TEXT NOT NULL REFERENCES forces (id),
    code     TEXT NOT NULL,
    name     TEXT NOT NULL,
    lat      DOUBLE PRECISION NOT NULL,
    lon      DOUBLE PRECISION NOT NULL,
    UNIQUE (force_id, code)
);

CREATE TABLE units (
    id         INTEGER PRIMARY KEY,
    force_id   TEXT NOT NULL REFERENCES forces (id),
    call_sign  TEXT NOT NULL,
    type       TEXT NOT NULL,
    station_id BIGINT NOT NULL REFERENCES stations (id),
    UNIQUE (force_id, call_sign)
);

CREATE TABLE officers (
    id            INTEGER PRIMARY KEY,
    force_id      TEXT NOT NULL REFERENCES forces (id),
    collar_number TEXT NOT NULL,
    name          TEXT NOT NULL,
    rank          TEXT NOT NULL,
    station_id    BIGINT NOT NULL REFERENCES stations (id),
    UNIQUE (force_id, collar_number)
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    force_id        TEXT NOT NULL REFERENCES forces (id),
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    email           TEXT UNIQUE,
    collar_number   TEXT NOT NULL,
    roles           TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL,
    failed_sign_ins INTEGER NOT NULL,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX users_force ON users (force_id, username);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    force_id    TEXT NOT NULL REFERENCES forces (id),
    method      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
    id          TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    force_id    TEXT NOT NULL REFERENCES forces (id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX tokens_force ON tokens (force_id);

-- How far the outbox relay has published each force's log to the bus.
CREATE TABLE outbox_cursors (
    force_id      TEXT PRIMARY KEY,
    published_seq BIGINT NOT NULL
);
