package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// CreateUnits adds units to the caller's force in one transaction: all of
// them or none.
func (s *Store) CreateUnits(ctx context.Context, units []*bluelamp.Unit) error {
	if _, err := bluelamp.ForceActor(ctx); err != nil {
		return err
	}
	switch n := len(units); {
	case n == 0:
		return bluelamp.InvalidFields(map[string]string{"units": "the import holds no units"})
	case n > bluelamp.MaxUnitImport:
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "too_many_rows",
			Message: fmt.Sprintf("the import holds %d units; at most %d may be created at once: split it", n, bluelamp.MaxUnitImport)}
	}
	bad := checkUnitImport(units)
	run := func(t *tx) error {
		// The head before the unit rows, as CreateUnit takes them.
		if err := t.lock(); err != nil {
			return err
		}
		found := bad.clone() // a write's fn may run twice
		if err := t.checkUnitsAgainstForce(units, found); err != nil {
			return err
		}
		if err := found.err(); err != nil {
			return err
		}
		events, err := t.insertUnits(units)
		if err != nil {
			return err
		}
		return t.insertEvents(events)
	}
	if len(bad) > 0 {
		// Refused already: read the force only to report every bad row.
		return s.read(ctx, func(t *tx) error {
			found := bad.clone()
			if err := t.checkUnitsAgainstForce(units, found); err != nil {
				return err
			}
			return found.err()
		})
	}
	return s.write(ctx, run)
}

// unitRows are the bad units of an import, by index.
type unitRows map[int]*bluelamp.UnitRowError

// add records what is wrong with field of the i-th unit, unless something
// is already said about that field.
func (r unitRows) add(i int, u *bluelamp.Unit, field, msg string) {
	row := r[i]
	if row == nil {
		row = &bluelamp.UnitRowError{Row: i + 1, Errors: map[string]string{}}
		if u != nil {
			row.CallSign = u.CallSign
		}
		r[i] = row
	}
	if _, said := row.Errors[field]; !said {
		row.Errors[field] = msg
	}
}

// addErr records a validation error's fields against the i-th unit.
func (r unitRows) addErr(i int, u *bluelamp.Unit, err error) {
	fields := map[string]string{"unit": bluelamp.MessageOf(err)}
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && len(e.Fields) > 0 {
		fields = e.Fields
	}
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		r.add(i, u, f, fields[f])
	}
}

func (r unitRows) clone() unitRows {
	c := make(unitRows, len(r))
	for i, row := range r {
		cp := *row
		cp.Errors = maps.Clone(row.Errors)
		c[i] = &cp
	}
	return c
}

// err returns a *UnitImportError naming the bad rows in order, or nil.
func (r unitRows) err() error {
	if len(r) == 0 {
		return nil
	}
	e := &bluelamp.UnitImportError{}
	for _, i := range slices.Sorted(maps.Keys(r)) {
		e.Rows = append(e.Rows, *r[i])
	}
	return e
}

// checkUnitImport checks every unit on its own, giving each its defaults,
// and against the others of the import: a call sign or tracker names one
// unit of a force.
func checkUnitImport(units []*bluelamp.Unit) unitRows {
	bad := unitRows{}
	callSigns, devices := map[string]int{}, map[string]int{}
	for i, u := range units {
		if u == nil {
			bad.add(i, nil, "unit", "is required: each entry must be a unit")
			continue
		}
		if err := prepareUnit(u); err != nil {
			bad.addErr(i, u, err)
		}
		if first, dup := callSigns[u.CallSign]; dup {
			bad.add(i, u, "call_sign", fmt.Sprintf("is also the call sign of row %d", first+1))
		} else {
			callSigns[u.CallSign] = i
		}
		if first, dup := devices[u.DeviceID]; dup && u.DeviceID != "" {
			bad.add(i, u, "device_id", fmt.Sprintf("is also the tracker of row %d", first+1))
		} else {
			devices[u.DeviceID] = i
		}
	}
	return bad
}

// checkUnitsAgainstForce records in bad every unit whose station is not
// the force's, whose skill is not in its list, or whose call sign or
// tracker another of its units has. It reads the force once, not once a
// unit: an import may hold thousands.
func (t *tx) checkUnitsAgainstForce(units []*bluelamp.Unit, bad unitRows) error {
	ids, err := queryAll(t, func(sc interface{ Scan(...any) error }) (bluelamp.StationID, error) {
		var id bluelamp.StationID
		err := sc.Scan(&id)
		return id, err
	}, "SELECT id FROM stations WHERE force_id = ?", t.force())
	if err != nil {
		return fmt.Errorf("query stations: %w", err)
	}
	stations := map[bluelamp.StationID]bool{}
	for _, id := range ids {
		stations[id] = true
	}
	type taken struct{ callSign, device string }
	held, err := queryAll(t, func(sc interface{ Scan(...any) error }) (taken, error) {
		var k taken
		err := sc.Scan(&k.callSign, &k.device)
		return k, err
	}, "SELECT call_sign, device_id FROM units WHERE force_id = ?", t.force())
	if err != nil {
		return fmt.Errorf("query units: %w", err)
	}
	callSigns, devices := map[string]bool{}, map[string]bool{}
	for _, k := range held {
		callSigns[k.callSign], devices[k.device] = true, k.device != ""
	}
	fs, err := t.settings()
	if err != nil {
		return err
	}
	for i, u := range units {
		if u == nil {
			continue
		}
		if u.StationID > 0 && !stations[u.StationID] {
			bad.add(i, u, "station_id", "no such station in this force")
		}
		for _, k := range u.Skills {
			if !fs.HasSkill(k.Skill) {
				bad.add(i, u, "skills", "skill "+string(k.Skill)+" is not in the force's skill list")
			}
		}
		if callSigns[u.CallSign] {
			bad.add(i, u, "call_sign", "is already the call sign of a unit of this force")
		}
		if devices[u.DeviceID] {
			bad.add(i, u, "device_id", "is already the tracker of a unit of this force")
		}
	}
	return nil
}
