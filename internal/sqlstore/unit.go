package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bluelamp/bluelamp"
)

const unitCols = `u.id, u.force_id, u.call_sign, u.type, u.station_id, u.crew, u.skills, u.state, u.status_code, u.status_at,
	u.incident_id, COALESCE(i.number, ''), u.lat, u.lon, u.position_at, u.device_id, p.lat, p.lon, p.at`

// unitFrom joins each unit's newest AVL fix: its last known position is
// the newer of that and the one set on the unit itself.
const unitFrom = ` FROM units u LEFT JOIN incidents i ON i.id = u.incident_id AND i.force_id = u.force_id
	LEFT JOIN unit_positions p ON p.force_id = u.force_id AND p.unit_id = u.id`

func scanUnit(sc interface{ Scan(...any) error }) (*bluelamp.Unit, error) {
	var u bluelamp.Unit
	var crew, skills string
	var statusAt int64
	var lat, lon, fixLat, fixLon sql.NullFloat64
	var posAt, fixAt sql.NullInt64
	if err := sc.Scan(&u.ID, &u.ForceID, &u.CallSign, &u.Type, &u.StationID, &crew, &skills, &u.State, &u.StatusCode, &statusAt,
		&u.IncidentID, &u.Incident, &lat, &lon, &posAt, &u.DeviceID, &fixLat, &fixLon, &fixAt); err != nil {
		return nil, fmt.Errorf("scan unit: %w", err)
	}
	var err error
	if u.Crew, err = fromJSON[[]string](crew, "crew"); err != nil {
		return nil, err
	}
	if u.Skills, err = fromJSON[[]bluelamp.UnitSkill](skills, "skills"); err != nil {
		return nil, err
	}
	u.StatusAt = fromMicros(statusAt)
	if fixAt.Valid && (!posAt.Valid || fixAt.Int64 > posAt.Int64) {
		lat, lon, posAt = fixLat, fixLon, fixAt
	}
	if lat.Valid && lon.Valid {
		u.Position = &bluelamp.Position{Lat: lat.Float64, Lon: lon.Float64}
		u.PositionAt = timePtr(posAt)
	}
	return &u, nil
}

// checkSkills returns KindInvalid unless every skill is in the force's list.
func (t *tx) checkSkills(skills []bluelamp.UnitSkill) error {
	fs, err := t.settings()
	if err != nil {
		return err
	}
	for _, k := range skills {
		if !fs.HasSkill(k.Skill) {
			return bluelamp.InvalidFields(map[string]string{"skills": "skill " + string(k.Skill) + " is not in the force's skill list"})
		}
	}
	return nil
}

// CreateUnit adds a unit to the caller's force.
func (s *Store) CreateUnit(ctx context.Context, u *bluelamp.Unit) error {
	if err := prepareUnit(u); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		// The head before the unit row, as every other unit change takes
		// them, so two nodes never wait on each other in a circle.
		if err := t.lock(); err != nil {
			return err
		}
		if err := t.checkStation(u.StationID); err != nil {
			return err
		}
		if err := t.checkSkills(u.Skills); err != nil {
			return err
		}
		return t.insertUnit(u)
	})
}

// prepareUnit gives a new unit its defaults and checks it on its own.
func prepareUnit(u *bluelamp.Unit) error {
	if u.State == "" {
		u.State = bluelamp.StateOffDuty
	}
	if u.Crew == nil {
		u.Crew = []string{}
	}
	if u.Skills == nil {
		u.Skills = []bluelamp.UnitSkill{}
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if u.State.Committed() {
		return bluelamp.InvalidFields(map[string]string{"state": "a new unit cannot start committed to an incident"})
	}
	return nil
}

// insertUnit adds u, checked against the force, and records its
// unit.created event. The caller holds the force's head.
func (t *tx) insertUnit(u *bluelamp.Unit) error {
	events, err := t.insertUnits([]*bluelamp.Unit{u})
	if err != nil {
		return err
	}
	return t.insertEvents(events)
}

// unitsPerInsert is how many units one INSERT writes: 13 parameters each.
const unitsPerInsert = 100

// insertUnits adds units, checked against the force and with distinct
// call signs, in few statements, and seals their unit.created events in
// order, which the caller inserts. The caller holds the force's head.
func (t *tx) insertUnits(units []*bluelamp.Unit) ([]*bluelamp.Event, error) {
	fs, err := t.settings()
	if err != nil {
		return nil, err
	}
	for rest := units; len(rest) > 0; rest = rest[min(len(rest), unitsPerInsert):] {
		if err := t.insertUnitRows(rest[:min(len(rest), unitsPerInsert)], fs); err != nil {
			return nil, err
		}
	}
	events := make([]*bluelamp.Event, len(units))
	for i, u := range units {
		if events[i], err = t.nextEvent(bluelamp.EventUnitCreated, subject("unit", u.ID), bluelamp.ClassOfficial, u); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// insertUnitRows writes units in one statement and gives each its id. The
// rows come back in no promised order, so each id is matched to its unit
// by call sign, which is unique in the force.
func (t *tx) insertUnitRows(units []*bluelamp.Unit, fs *bluelamp.ForceSettings) error {
	q := `INSERT INTO units (force_id, call_sign, type, station_id, crew, skills, state, status_code, status_at, incident_id, lat, lon, position_at, device_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)` + strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)", len(units)-1) +
		" RETURNING id, call_sign"
	args := make([]any, 0, 13*len(units))
	byCallSign := make(map[string]*bluelamp.Unit, len(units))
	for _, u := range units {
		// ID too: a write's fn may run twice, and each run gives new ids.
		u.ID, u.StatusCode, u.StatusAt, u.IncidentID = 0, fs.CodeFor(u.State), t.now, 0
		var lat, lon sql.NullFloat64
		if u.Position != nil {
			lat, lon = sql.NullFloat64{Float64: u.Position.Lat, Valid: true}, sql.NullFloat64{Float64: u.Position.Lon, Valid: true}
			u.PositionAt = &t.now
		}
		args = append(args, t.force(), u.CallSign, u.Type, u.StationID, jsonText(u.Crew), jsonText(u.Skills), u.State, u.StatusCode, micros(t.now),
			lat, lon, nullMicros(u.PositionAt), u.DeviceID)
		byCallSign[u.CallSign] = u
	}
	type row struct {
		id       bluelamp.UnitID
		callSign string
	}
	rows, err := queryAll(t, func(sc interface{ Scan(...any) error }) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.callSign)
		return r, err
	}, q, args...)
	if err != nil {
		return t.s.d.translate(err, "unit "+units[0].CallSign)
	}
	for _, r := range rows {
		if u := byCallSign[r.callSign]; u != nil {
			u.ID, u.ForceID = r.id, t.force()
		}
	}
	for _, u := range units {
		if u.ID == 0 {
			return fmt.Errorf("insert units: no id came back for %s", u.CallSign)
		}
	}
	return nil
}

// FindUnits returns the caller's force's units by call sign.
func (s *Store) FindUnits(ctx context.Context) ([]*bluelamp.Unit, error) {
	var out []*bluelamp.Unit
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = queryAll(t, scanUnit, "SELECT "+unitCols+unitFrom+" WHERE u.force_id = ? ORDER BY u.call_sign", t.force())
		return err
	})
	return result(out, err)
}

// FindUnitByID returns one of the caller's force's units.
func (s *Store) FindUnitByID(ctx context.Context, id bluelamp.UnitID) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = t.unit(id)
		return err
	})
	return result(out, err)
}

func (t *tx) unit(id bluelamp.UnitID) (*bluelamp.Unit, error) {
	u, err := scanUnit(t.queryRow("SELECT "+unitCols+unitFrom+" WHERE u.force_id = ? AND u.id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "unit not found", Fields: map[string]string{"unit_id": "no such unit in this force"}}
	}
	return u, err
}

// UpdateUnit changes a unit's call sign, crew and skills.
func (s *Store) UpdateUnit(ctx context.Context, id bluelamp.UnitID, upd bluelamp.UnitUpdate) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		u, err := t.unit(id)
		if err != nil {
			return err
		}
		if err := t.updateUnit(u, upd); err != nil {
			return err
		}
		out = u
		_, err = t.appendEvent(bluelamp.EventUnitUpdated, subject("unit", id), bluelamp.ClassOfficial, bluelamp.Change{Unit: u})
		return err
	})
	return result(out, err)
}

// updateUnit applies upd to u and saves it.
func (t *tx) updateUnit(u *bluelamp.Unit, upd bluelamp.UnitUpdate) error {
	if upd.CallSign != nil {
		u.CallSign = *upd.CallSign
	}
	if upd.Crew != nil {
		u.Crew = slices.Clone(*upd.Crew)
	}
	if upd.Skills != nil {
		u.Skills = slices.Clone(*upd.Skills)
	}
	if upd.DeviceID != nil {
		u.DeviceID = *upd.DeviceID
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := t.checkSkills(u.Skills); err != nil {
		return err
	}
	if _, err := t.exec("UPDATE units SET call_sign = ?, crew = ?, skills = ?, device_id = ? WHERE force_id = ? AND id = ?",
		u.CallSign, jsonText(u.Crew), jsonText(u.Skills), u.DeviceID, t.force(), u.ID); err != nil {
		return t.s.d.translate(err, "unit "+u.CallSign)
	}
	return nil
}

// SetUnitPosition records a unit's last known position.
func (s *Store) SetUnitPosition(ctx context.Context, id bluelamp.UnitID, p bluelamp.Position) (*bluelamp.Unit, error) {
	if !p.Valid() {
		return nil, bluelamp.InvalidFields(map[string]string{"position": "latitude must be within ±90 and longitude within ±180"})
	}
	var out *bluelamp.Unit
	err := s.write(ctx, func(t *tx) error {
		// The head before the unit row: an assignment on another node holds
		// the head and then updates the unit.
		if err := t.lock(); err != nil {
			return err
		}
		u, err := t.unit(id)
		if err != nil {
			return err
		}
		if _, err := t.exec("UPDATE units SET lat = ?, lon = ?, position_at = ? WHERE force_id = ? AND id = ?",
			p.Lat, p.Lon, micros(t.now), t.force(), id); err != nil {
			return fmt.Errorf("move unit: %w", err)
		}
		u.Position, u.PositionAt = &p, &t.now
		out = u
		_, err = t.appendEvent(bluelamp.EventUnitMoved, subject("unit", id), bluelamp.ClassOfficial, bluelamp.Change{Unit: u})
		return err
	})
	return result(out, err)
}

// setUnitState writes a unit's state, code and job.
func (t *tx) setUnitState(u *bluelamp.Unit, state bluelamp.UnitState, code string, incident bluelamp.IncidentID) error {
	if _, err := t.exec("UPDATE units SET state = ?, status_code = ?, status_at = ?, incident_id = ? WHERE force_id = ? AND id = ?",
		state, code, micros(t.now), incident, t.force(), u.ID); err != nil {
		return fmt.Errorf("set unit %s state: %w", u.CallSign, err)
	}
	u.State, u.StatusCode, u.StatusAt, u.IncidentID = state, code, t.now, incident
	if incident == 0 {
		u.Incident = ""
	}
	return nil
}
