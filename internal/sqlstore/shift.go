package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// collar returns the signed-in officer's collar number.
func (t *tx) collar() (string, error) {
	var c string
	err := t.queryRow("SELECT collar_number FROM users WHERE force_id = ? AND id = ?", t.force(), t.actor.UserID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c == "") {
		return "", bluelamp.InvalidFields(map[string]string{"collar_number": "your account has no collar number, so you cannot book on to a unit; ask a force admin to add it"})
	}
	return c, err
}

// booking returns the id of the unit the officer is booked on to, or 0.
func (t *tx) booking() (bluelamp.UnitID, error) {
	var id bluelamp.UnitID
	err := t.queryRow("SELECT unit_id FROM unit_bookings WHERE force_id = ? AND user_id = ?", t.force(), t.actor.UserID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// BookOn books the signed-in officer on to a unit.
func (s *Store) BookOn(ctx context.Context, id bluelamp.UnitID, upd bluelamp.UnitUpdate) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		collar, err := t.collar()
		if err != nil {
			return err
		}
		if prev, err := t.booking(); err != nil {
			return fmt.Errorf("load booking: %w", err)
		} else if prev != 0 && prev != id {
			if _, err := t.bookOff(prev, collar); err != nil {
				return err
			}
		}
		u, err := t.unit(id)
		if err != nil {
			return err
		}
		crew := slices.Clone(u.Crew)
		if upd.Crew != nil {
			crew = slices.Clone(*upd.Crew)
		}
		if !slices.Contains(crew, collar) {
			crew = append(crew, collar)
		}
		upd.Crew = &crew
		if err := t.updateUnit(u, upd); err != nil {
			return err
		}
		if u.State == bluelamp.StateOffDuty {
			fs, err := t.settings()
			if err != nil {
				return err
			}
			if err := t.setUnitState(u, bluelamp.StateAvailable, fs.CodeFor(bluelamp.StateAvailable), 0); err != nil {
				return err
			}
		}
		if _, err := t.exec(`INSERT INTO unit_bookings (force_id, user_id, unit_id, booked_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (force_id, user_id) DO UPDATE SET unit_id = excluded.unit_id, booked_at = excluded.booked_at`,
			t.force(), t.actor.UserID, id, micros(t.now)); err != nil {
			return fmt.Errorf("book on: %w", err)
		}
		out = u
		_, err = t.appendEvent(bluelamp.EventUnitBookedOn, subject("unit", id), bluelamp.ClassOfficial, bluelamp.Change{Unit: u, Officer: collar})
		return err
	})
	return result(out, err)
}

// BookOff takes the signed-in officer off their unit.
func (s *Store) BookOff(ctx context.Context) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		collar, err := t.collar()
		if err != nil {
			return err
		}
		id, err := t.booking()
		if err != nil {
			return fmt.Errorf("load booking: %w", err)
		}
		if id == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "you are not booked on to a unit")
		}
		out, err = t.bookOff(id, collar)
		return err
	})
	return result(out, err)
}

// bookOff removes the officer from unit id's crew and ends their booking;
// the last one off takes the unit off duty.
func (t *tx) bookOff(id bluelamp.UnitID, collar string) (*bluelamp.Unit, error) {
	u, err := t.unit(id)
	if err != nil {
		return nil, err
	}
	crew := slices.DeleteFunc(slices.Clone(u.Crew), func(c string) bool { return c == collar })
	if len(crew) == 0 && u.State != bluelamp.StateOffDuty {
		if u.IncidentID != 0 {
			return nil, unitUnavailable(u, "is still assigned to "+u.Incident+"; it must be stood down or cleared before its last officer books off")
		}
		fs, err := t.settings()
		if err != nil {
			return nil, err
		}
		if err := t.setUnitState(u, bluelamp.StateOffDuty, fs.CodeFor(bluelamp.StateOffDuty), 0); err != nil {
			return nil, err
		}
	}
	if err := t.updateUnit(u, bluelamp.UnitUpdate{Crew: &crew}); err != nil {
		return nil, err
	}
	if _, err := t.exec("DELETE FROM unit_bookings WHERE force_id = ? AND user_id = ?", t.force(), t.actor.UserID); err != nil {
		return nil, fmt.Errorf("book off: %w", err)
	}
	_, err = t.appendEvent(bluelamp.EventUnitBookedOff, subject("unit", id), bluelamp.ClassOfficial, bluelamp.Change{Unit: u, Officer: collar})
	return u, err
}

// FindBooking returns the unit the signed-in officer is booked on to.
func (s *Store) FindBooking(ctx context.Context) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.read(ctx, func(t *tx) error {
		id, err := t.booking()
		if err != nil {
			return fmt.Errorf("load booking: %w", err)
		}
		if id == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "you are not booked on to a unit")
		}
		out, err = t.unit(id)
		return err
	})
	return result(out, err)
}
