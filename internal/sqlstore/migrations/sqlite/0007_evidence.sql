-- Evidence: exhibits and their chain of custody; partner organisations,
-- safeguarding referrals and the durable outbox that delivers them.

-- An exhibit's file lives outside the database, content-addressed by its
-- SHA-256; the row holds what the file must hash to. The reference is the
-- producing officer's initials and their own running number ("JS/3").
CREATE TABLE exhibits (
    id             INTEGER PRIMARY KEY,
    force_id       TEXT NOT NULL REFERENCES forces (id),
    reference      TEXT NOT NULL,
    producer_id    BIGINT NOT NULL,
    producer_seq   INTEGER NOT NULL,
    produced_by    TEXT NOT NULL,
    producer_name  TEXT NOT NULL,
    origin         TEXT NOT NULL,
    description    TEXT NOT NULL,
    seized_at      BIGINT NOT NULL,
    seized_from    TEXT NOT NULL,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    incident_id    BIGINT NOT NULL,
    classification TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    content_type   TEXT NOT NULL,
    filename       TEXT NOT NULL,
    state          TEXT NOT NULL,
    custodian      TEXT NOT NULL,
    held_at        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (force_id, producer_id, producer_seq)
);
CREATE INDEX exhibits_incident ON exhibits (force_id, incident_id, id);
CREATE INDEX exhibits_producer ON exhibits (force_id, produced_by, id);

CREATE TABLE exhibit_custody (
    id         INTEGER PRIMARY KEY,
    force_id   TEXT NOT NULL,
    exhibit_id BIGINT NOT NULL REFERENCES exhibits (id),
    event_seq  BIGINT NOT NULL,
    action     TEXT NOT NULL,
    at         BIGINT NOT NULL,
    by_user    TEXT NOT NULL,
    by_collar  TEXT NOT NULL,
    location   TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    notes      TEXT NOT NULL
);
CREATE INDEX exhibit_custody_exhibit ON exhibit_custody (force_id, exhibit_id, id);

-- The webhook secret signs deliveries, so it is kept as given; it is never
-- returned by the API after the partner is created.
CREATE TABLE partners (
    id             INTEGER PRIMARY KEY,
    force_id       TEXT NOT NULL REFERENCES forces (id),
    name           TEXT NOT NULL,
    accepts        TEXT NOT NULL,
    email          TEXT NOT NULL,
    webhook_url    TEXT NOT NULL,
    webhook_secret TEXT NOT NULL,
    user_ids       TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (force_id, name)
);

CREATE TABLE referrals (
    id              INTEGER PRIMARY KEY,
    force_id        TEXT NOT NULL REFERENCES forces (id),
    reference       TEXT NOT NULL,
    type            TEXT NOT NULL,
    partner_id      BIGINT NOT NULL REFERENCES partners (id),
    incident_id     BIGINT NOT NULL,
    classification  TEXT NOT NULL,
    consent         TEXT NOT NULL,
    fields          TEXT NOT NULL,
    referred_by     TEXT NOT NULL,
    referrer_id     BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    acknowledgement TEXT,
    UNIQUE (force_id, reference)
);
CREATE INDEX referrals_incident ON referrals (force_id, incident_id, id);
CREATE INDEX referrals_referrer ON referrals (force_id, referrer_id, id);

-- The outbox: one row per referral and delivery method. next_at is when it
-- is next due (NULL once DELIVERED or FAILED); a deliverer claims a row by
-- moving next_at past its lease and setting claim, so a node that dies
-- mid-send leaves it due again when the lease runs out.
CREATE TABLE referral_deliveries (
    id           INTEGER PRIMARY KEY,
    force_id     TEXT NOT NULL,
    referral_id  BIGINT NOT NULL REFERENCES referrals (id),
    method       TEXT NOT NULL,
    target       TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL,
    next_at      BIGINT,
    claim        TEXT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (referral_id, method)
);
CREATE INDEX referral_deliveries_due ON referral_deliveries (next_at);

CREATE TABLE referral_attempts (
    id          INTEGER PRIMARY KEY,
    force_id    TEXT NOT NULL,
    delivery_id BIGINT NOT NULL REFERENCES referral_deliveries (id),
    n           INTEGER NOT NULL,
    at          BIGINT NOT NULL,
    ok          BOOLEAN NOT NULL,
    error       TEXT NOT NULL
);
CREATE INDEX referral_attempts_delivery ON referral_attempts (force_id, delivery_id, n);
