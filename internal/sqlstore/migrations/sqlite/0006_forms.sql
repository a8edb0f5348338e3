-- Officers' forms (issue 4): stop and search (PACE Code A), crime reports
-- (NCRS), pocket notebook entries and use of force. A form is recorded
-- once and never changed; what follows it (a recording decision, an
-- outcome, a notebook review, a request for a stop-search record) is its
-- own row beside it and its own event.

-- Every form: who filed it, when, for which incident (0 for none), the
-- event that recorded it, a label that names no one, and the form as
-- stored (the event's payload).
CREATE TABLE forms (
    id             INTEGER PRIMARY KEY,
    force_id       TEXT NOT NULL REFERENCES forces (id),
    kind           TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    officer_id     BIGINT NOT NULL REFERENCES users (id),
    collar_number  TEXT NOT NULL,
    incident_id    BIGINT NOT NULL,
    taken_at       BIGINT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    event_seq      BIGINT NOT NULL,
    classification TEXT NOT NULL,
    reference      TEXT NOT NULL,
    label          TEXT NOT NULL,
    body           TEXT NOT NULL
);
-- A device's id for a form is unique in the force.
CREATE UNIQUE INDEX forms_client ON forms (force_id, client_id) WHERE client_id <> '';
-- One use-of-force form per officer per incident.
CREATE UNIQUE INDEX forms_use_of_force ON forms (force_id, incident_id, officer_id) WHERE kind = 'USE_OF_FORCE' AND incident_id <> 0;
CREATE INDEX forms_officer ON forms (force_id, officer_id, id);
CREATE INDEX forms_incident ON forms (force_id, incident_id, id);

-- The public receipt is found by its reference alone, so references are
-- unique across the deployment.
CREATE TABLE stop_searches (
    form_id       BIGINT PRIMARY KEY REFERENCES forms (id),
    force_id      TEXT NOT NULL,
    reference     TEXT NOT NULL UNIQUE,
    searched_at   BIGINT NOT NULL,
    request_until BIGINT NOT NULL,
    receipt       TEXT NOT NULL
);

-- Requests by the person searched for the full record (PACE Code A 4.10A).
CREATE TABLE stop_search_requests (
    id             INTEGER PRIMARY KEY,
    force_id       TEXT NOT NULL,
    form_id        BIGINT NOT NULL REFERENCES forms (id),
    requested_at   BIGINT NOT NULL,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    postal_address TEXT NOT NULL
);
CREATE INDEX stop_search_requests_form ON stop_search_requests (force_id, form_id);

-- The NCRS recording decision is due 24 hours after the report; decision
-- is '' until it is made.
CREATE TABLE crime_reports (
    form_id       BIGINT PRIMARY KEY REFERENCES forms (id),
    force_id      TEXT NOT NULL,
    reported_at   BIGINT NOT NULL,
    decision_due  BIGINT NOT NULL,
    decision      TEXT NOT NULL,
    decided_at    BIGINT,
    decision_body TEXT,
    crime_number  TEXT NOT NULL,
    outcome       TEXT
);
CREATE INDEX crime_reports_due ON crime_reports (force_id, decision, decision_due);
CREATE UNIQUE INDEX crime_reports_number ON crime_reports (force_id, crime_number) WHERE crime_number <> '';

-- Serial numbers per force, kind and period (crime numbers by year); the
-- row is the lock that keeps them unique across nodes.
CREATE TABLE form_serials (
    force_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    period   TEXT NOT NULL,
    last     BIGINT NOT NULL,
    PRIMARY KEY (force_id, kind, period)
);

-- Each officer's notebook is numbered 1, 2, 3… with no gaps.
CREATE TABLE notebook_entries (
    form_id    BIGINT PRIMARY KEY REFERENCES forms (id),
    force_id   TEXT NOT NULL,
    officer_id BIGINT NOT NULL,
    number     BIGINT NOT NULL,
    corrects   BIGINT NOT NULL,
    UNIQUE (force_id, officer_id, number)
);
CREATE INDEX notebook_entries_corrects ON notebook_entries (force_id, officer_id, corrects);

CREATE TABLE notebook_reviews (
    id              INTEGER PRIMARY KEY,
    force_id        TEXT NOT NULL REFERENCES forces (id),
    officer_id      BIGINT NOT NULL,
    from_number     BIGINT NOT NULL,
    to_number       BIGINT NOT NULL,
    reviewer_id     BIGINT NOT NULL,
    reviewer        TEXT NOT NULL,
    reviewer_collar TEXT NOT NULL,
    reviewed_at     BIGINT NOT NULL,
    comment         TEXT NOT NULL
);
CREATE INDEX notebook_reviews_officer ON notebook_reviews (force_id, officer_id, to_number);
