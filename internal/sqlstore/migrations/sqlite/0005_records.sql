-- Record checks: person, vehicle and location records with their warning
-- markers (a JSON list on each record), and the keys their searches use:
-- every name a person is known by, each registration mark, each postcode,
-- and the words of each location's address.

CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    force_id      TEXT NOT NULL REFERENCES forces (id),
    reference     TEXT NOT NULL,
    surname       TEXT NOT NULL,
    forenames     TEXT NOT NULL,
    surname_key   TEXT NOT NULL,
    forename_key  TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,
    sex           TEXT NOT NULL,
    aliases       TEXT NOT NULL,
    addresses     TEXT NOT NULL,
    description   TEXT NOT NULL,
    vulnerable    BOOLEAN NOT NULL,
    vulnerability TEXT NOT NULL,
    interpreter   BOOLEAN NOT NULL,
    language      TEXT NOT NULL,
    markers       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX persons_reference ON persons (force_id, reference) WHERE reference <> '';

-- Every name of every person, keyed as bluelamp.NameKey makes them, for
-- surname and forename-prefix searches.
CREATE TABLE person_names (
    force_id     TEXT NOT NULL,
    surname_key  TEXT NOT NULL,
    forename_key TEXT NOT NULL,
    person_id    BIGINT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (force_id, surname_key, forename_key, person_id)
);
CREATE INDEX person_names_person ON person_names (force_id, person_id);

CREATE TABLE vehicles (
    id         INTEGER PRIMARY KEY,
    force_id   TEXT NOT NULL REFERENCES forces (id),
    reference  TEXT NOT NULL,
    vrm        TEXT NOT NULL,
    make       TEXT NOT NULL,
    model      TEXT NOT NULL,
    colour     TEXT NOT NULL,
    keeper_id  BIGINT REFERENCES persons (id),
    markers    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (force_id, vrm)
);
CREATE UNIQUE INDEX vehicles_reference ON vehicles (force_id, reference) WHERE reference <> '';
CREATE INDEX vehicles_keeper ON vehicles (force_id, keeper_id);

CREATE TABLE locations (
    id          INTEGER PRIMARY KEY,
    force_id    TEXT NOT NULL REFERENCES forces (id),
    reference   TEXT NOT NULL,
    address     TEXT NOT NULL,
    postcode    TEXT NOT NULL,
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION,
    description TEXT NOT NULL,
    markers     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX locations_reference ON locations (force_id, reference) WHERE reference <> '';
CREATE INDEX locations_postcode ON locations (force_id, postcode);
CREATE INDEX locations_position ON locations (force_id, lat);

-- The words of each location's address, for address searches by word prefix.
CREATE TABLE location_words (
    force_id    TEXT NOT NULL,
    word        TEXT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES locations (id),
    PRIMARY KEY (force_id, word, location_id)
);
CREATE INDEX location_words_location ON location_words (force_id, location_id);
