package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/bluelamp/bluelamp"
)

const assignmentCols = `a.id, a.incident_id, i.number, a.unit_id, u.call_sign, a.state, a.assigned_at, a.assigned_by,
	a.en_route_at, a.at_scene_at, a.ended_at, a.diverted_from`

// assignments returns the force's assignments matching cond, oldest first.
func (t *tx) assignments(cond string, args ...any) ([]*bluelamp.Assignment, error) {
	out, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Assignment, error) {
		var a bluelamp.Assignment
		var assigned int64
		var enRoute, atScene, ended sql.NullInt64
		if err := sc.Scan(&a.ID, &a.IncidentID, &a.Incident, &a.UnitID, &a.CallSign, &a.State, &assigned, &a.AssignedBy,
			&enRoute, &atScene, &ended, &a.DivertedFrom); err != nil {
			return nil, fmt.Errorf("scan assignment: %w", err)
		}
		a.AssignedAt, a.EnRouteAt, a.AtSceneAt, a.EndedAt = fromMicros(assigned), timePtr(enRoute), timePtr(atScene), timePtr(ended)
		return &a, nil
	}, "SELECT "+assignmentCols+` FROM assignments a JOIN incidents i ON i.id = a.incident_id JOIN units u ON u.id = a.unit_id
		WHERE a.force_id = ? AND `+cond+" ORDER BY a.id", append([]any{t.force()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("load assignments: %w", err)
	}
	if out == nil {
		out = []*bluelamp.Assignment{}
	}
	return out, nil
}

// openAssignment returns a unit's open assignment, or nil.
func (t *tx) openAssignment(unit bluelamp.UnitID) (*bluelamp.Assignment, error) {
	as, err := t.assignments("a.unit_id = ? AND a.state IN ('ASSIGNED', 'EN_ROUTE', 'AT_SCENE')", unit)
	if err != nil || len(as) == 0 {
		return nil, err
	}
	return as[len(as)-1], nil
}

// endAssignment ends an assignment in state (cleared, stood down, diverted).
func (t *tx) endAssignment(a *bluelamp.Assignment, state bluelamp.AssignmentState) error {
	if _, err := t.exec("UPDATE assignments SET state = ?, ended_at = ? WHERE force_id = ? AND id = ?", state, micros(t.now), t.force(), a.ID); err != nil {
		return fmt.Errorf("end assignment: %w", err)
	}
	a.State, a.EndedAt = state, &t.now
	return nil
}

// refreshResourcing recomputes an incident's resourcing from its
// assignments; it does not save.
func (t *tx) refreshResourcing(inc *bluelamp.Incident) error {
	as, err := t.assignments("a.incident_id = ?", inc.ID)
	if err != nil {
		return err
	}
	r := bluelamp.ResourcingAwaiting
	if len(as) > 0 {
		r = bluelamp.ResourcingCleared
	}
	rank := map[bluelamp.Resourcing]int{bluelamp.ResourcingCleared: 0, bluelamp.ResourcingAssigned: 1, bluelamp.ResourcingEnRoute: 2, bluelamp.ResourcingAtScene: 3}
	seenOpen := false
	for _, a := range as {
		var ar bluelamp.Resourcing
		switch a.State {
		case bluelamp.AssignmentAssigned:
			ar = bluelamp.ResourcingAssigned
		case bluelamp.AssignmentEnRoute:
			ar = bluelamp.ResourcingEnRoute
		case bluelamp.AssignmentAtScene:
			ar = bluelamp.ResourcingAtScene
		default:
			continue
		}
		if !seenOpen || rank[ar] > rank[r] {
			r, seenOpen = ar, true
		}
	}
	if !seenOpen && inc.FirstArrivedAt == nil && len(as) > 0 {
		// Units were sent and released before anyone arrived: it needs
		// resourcing again.
		r = bluelamp.ResourcingAwaiting
	}
	inc.Resourcing = r
	return nil
}

// releaseUnits ends every open assignment of inc in state and makes the
// units available, adding a log line for each; it returns the units.
func (t *tx) releaseUnits(inc *bluelamp.Incident, state bluelamp.AssignmentState, why string, lines *[]logLine) ([]*bluelamp.Unit, error) {
	as, err := t.assignments("a.incident_id = ? AND a.state IN ('ASSIGNED', 'EN_ROUTE', 'AT_SCENE')", inc.ID)
	if err != nil {
		return nil, err
	}
	fs, err := t.settings()
	if err != nil {
		return nil, err
	}
	units := []*bluelamp.Unit{}
	for _, a := range as {
		if err := t.endAssignment(a, state); err != nil {
			return nil, err
		}
		u, err := t.unit(a.UnitID)
		if err != nil {
			return nil, err
		}
		if u.IncidentID == inc.ID {
			if err := t.free(u, fs); err != nil {
				return nil, err
			}
		}
		units = append(units, u)
		*lines = append(*lines, logLine{inc.ID, bluelamp.LogStoodDown, fmt.Sprintf("%s stood down: %s", u.CallSign, why), 0})
	}
	return units, nil
}

// free makes a unit released from its job available again, unless it has
// pressed its emergency button: that state overrides everything until the
// unit itself sends another code.
func (t *tx) free(u *bluelamp.Unit, fs *bluelamp.ForceSettings) error {
	if u.State == bluelamp.StateEmergency {
		return nil
	}
	return t.setUnitState(u, bluelamp.StateAvailable, fs.CodeFor(bluelamp.StateAvailable), 0)
}

// unitUnavailable explains why a unit cannot be sent.
func unitUnavailable(u *bluelamp.Unit, why string) error {
	return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "unit_unavailable", Message: u.CallSign + " " + why,
		Fields: map[string]string{"unit_id": u.CallSign + " " + why}}
}

// AssignUnit sends a unit to an open incident.
func (s *Store) AssignUnit(ctx context.Context, incident bluelamp.IncidentID, unit bluelamp.UnitID, divert bool) (*bluelamp.Assignment, error) {
	var out *bluelamp.Assignment
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(incident)
		if err != nil {
			return err
		}
		u, err := t.unit(unit)
		if err != nil {
			return err
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		current, err := t.openAssignment(u.ID)
		if err != nil {
			return err
		}
		var from *bluelamp.Incident
		switch {
		case current != nil && current.IncidentID == incident:
			return unitUnavailable(u, "is already assigned to "+inc.Number)
		case u.State.Available():
		case u.State == bluelamp.StateOffDuty:
			return unitUnavailable(u, "is off duty")
		case !divert && current != nil:
			return unitUnavailable(u, fmt.Sprintf("was assigned to %s by %s at %s; it is %s", current.Incident, current.AssignedBy,
				current.AssignedAt.In(fs.Location()).Format("15:04:05"), strings.ToLower(u.State.Label())))
		case !divert:
			return unitUnavailable(u, "is not available: "+strings.ToLower(u.State.Label()))
		default:
			if from, err = t.divertible(inc, u, current); err != nil {
				return err
			}
		}
		lines := []logLine{}
		a := &bluelamp.Assignment{IncidentID: incident, Incident: inc.Number, UnitID: u.ID, CallSign: u.CallSign,
			State: bluelamp.AssignmentAssigned, AssignedAt: t.now, AssignedBy: t.actor.Name()}
		var diverted *bluelamp.Incident
		if from != nil {
			if err := t.endAssignment(current, bluelamp.AssignmentDiverted); err != nil {
				return err
			}
			a.DivertedFrom = from.Number
			if err := t.refreshResourcing(from); err != nil {
				return err
			}
			if err := t.saveIncident(from); err != nil {
				return err
			}
			if diverted, err = t.full(from); err != nil {
				return err
			}
			lines = append(lines, logLine{from.ID, bluelamp.LogStoodDown, fmt.Sprintf("%s diverted to %s (%s)", u.CallSign, inc.Number, inc.Grade), 0})
		}
		id, err := t.insertID(`INSERT INTO assignments (force_id, incident_id, unit_id, state, assigned_at, assigned_by, diverted_from)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.force(), incident, u.ID, a.State, micros(t.now), a.AssignedBy, a.DivertedFrom)
		if err != nil {
			return fmt.Errorf("insert assignment: %w", err)
		}
		a.ID = bluelamp.AssignmentID(id)
		if err := t.setUnitState(u, bluelamp.StateAssigned, fs.CodeFor(bluelamp.StateAssigned), incident); err != nil {
			return err
		}
		u.Incident = inc.Number
		if inc.FirstDispatchedAt == nil {
			inc.FirstDispatchedAt = &t.now
		}
		if err := t.refreshResourcing(inc); err != nil {
			return err
		}
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		text := u.CallSign + " assigned"
		if from != nil {
			text += ", diverted from " + from.Number
		}
		lines = append(lines, logLine{incident, bluelamp.LogAssigned, text, 0})
		out = a
		_, err = t.record(bluelamp.EventUnitAssigned, inc, lines, bluelamp.Change{Incident: full, Unit: u, Assignment: a, Diverted: diverted})
		return err
	})
	return result(out, err)
}

// divertible checks that a committed unit may be taken to inc: only for an
// IMMEDIATE incident, and only from a less urgent job or when the unit has
// said it is deployable. It returns the incident the unit leaves.
func (t *tx) divertible(inc *bluelamp.Incident, u *bluelamp.Unit, current *bluelamp.Assignment) (*bluelamp.Incident, error) {
	if inc.Grade != bluelamp.GradeImmediate {
		return nil, unitUnavailable(u, "can be diverted only to an IMMEDIATE incident")
	}
	if u.State == bluelamp.StateEmergency {
		return nil, unitUnavailable(u, "has pressed its emergency button")
	}
	if current == nil {
		if u.State == bluelamp.StateCommittedDeployable {
			return nil, nil
		}
		return nil, unitUnavailable(u, "is not deployable: "+strings.ToLower(u.State.Label()))
	}
	from, err := t.incident(current.IncidentID)
	if err != nil {
		return nil, err
	}
	if u.State != bluelamp.StateCommittedDeployable && from.Grade.Rank() <= inc.Grade.Rank() {
		return nil, unitUnavailable(u, "is committed to "+from.Number+", which is as urgent")
	}
	if u.State != bluelamp.StateCommittedDeployable && u.State != bluelamp.StateAssigned && u.State != bluelamp.StateEnRoute {
		return nil, unitUnavailable(u, "is not deployable: "+strings.ToLower(u.State.Label()))
	}
	return from, nil
}

// StandDownUnit releases a unit from an incident.
func (s *Store) StandDownUnit(ctx context.Context, incident bluelamp.IncidentID, unit bluelamp.UnitID, reason string) error {
	if bluelamp.ValidLogText(reason) != nil {
		return bluelamp.InvalidFields(map[string]string{"reason": "is required: why the unit is stood down"})
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		inc, err := t.incident(incident)
		if err != nil {
			return err
		}
		u, err := t.unit(unit)
		if err != nil {
			return err
		}
		current, err := t.openAssignment(u.ID)
		if err != nil {
			return err
		}
		if current == nil || current.IncidentID != incident {
			return unitUnavailable(u, "is not assigned to "+inc.Number)
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		if err := t.endAssignment(current, bluelamp.AssignmentStoodDown); err != nil {
			return err
		}
		if err := t.free(u, fs); err != nil {
			return err
		}
		if err := t.refreshResourcing(inc); err != nil {
			return err
		}
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		lines := []logLine{{incident, bluelamp.LogStoodDown, fmt.Sprintf("%s stood down: %s", u.CallSign, strings.TrimSpace(reason)), 0}}
		_, err = t.record(bluelamp.EventUnitStoodDown, inc, lines, bluelamp.Change{Incident: full, Unit: u, Assignment: current})
		return err
	})
}

// SetUnitStatus records a radio status code.
func (s *Store) SetUnitStatus(ctx context.Context, id bluelamp.UnitID, code string) (*bluelamp.Unit, error) {
	var out *bluelamp.Unit
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		var err error
		if t.taken, t.note, err = t.takenAt(ctx); err != nil {
			return err
		}
		u, err := t.unit(id)
		if err != nil {
			return err
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		sc, ok := fs.Status(code)
		if !ok {
			return bluelamp.InvalidFields(map[string]string{"code": "unknown status code " + quoteShortText(code) + " in this force's table"})
		}
		current, err := t.openAssignment(u.ID)
		if err != nil {
			return err
		}
		var inc *bluelamp.Incident
		if current != nil {
			if inc, err = t.incident(current.IncidentID); err != nil {
				return err
			}
		}
		lines := []logLine{}
		change := bluelamp.Change{Unit: u}
		if sc.State == "" {
			change.Message = sc.Label
			if inc != nil {
				lines = append(lines, logLine{inc.ID, bluelamp.LogStatus, fmt.Sprintf("%s: %s (%s)", u.CallSign, sc.Label, sc.Code), 0})
			}
			out = u
			// A message on a job writes to the job's log, so the event is the
			// job's, at its classification, as a change of state on it is.
			_, err = t.record(bluelamp.EventUnitStatusChanged, inc, lines, change)
			return err
		}
		if err := t.applyState(u, sc, current, inc, &lines); err != nil {
			return err
		}
		if inc != nil {
			if err := t.refreshResourcing(inc); err != nil {
				return err
			}
			if err := t.saveIncident(inc); err != nil {
				return err
			}
			if change.Incident, err = t.full(inc); err != nil {
				return err
			}
		}
		out = u
		_, err = t.record(bluelamp.EventUnitStatusChanged, change.Incident, lines, change)
		return err
	})
	return result(out, err)
}

// applyState moves a unit, and its open assignment, to sc's state.
func (t *tx) applyState(u *bluelamp.Unit, sc bluelamp.StatusCode, current *bluelamp.Assignment, inc *bluelamp.Incident, lines *[]logLine) error {
	job := bluelamp.IncidentID(0)
	if current != nil {
		job = current.IncidentID
	}
	line := func(text string) {
		if inc != nil {
			*lines = append(*lines, logLine{inc.ID, bluelamp.LogStatus, text, 0})
		}
	}
	switch sc.State {
	case bluelamp.StateAssigned:
		return bluelamp.InvalidFields(map[string]string{"code": "a unit is assigned by dispatching it to an incident, not by status"})
	case bluelamp.StateEnRoute, bluelamp.StateAtScene:
		if current == nil {
			return bluelamp.InvalidFields(map[string]string{"code": u.CallSign + " has no job to be " + strings.ToLower(sc.State.Label()) + " to"})
		}
		// A status queued on a phone with no signal counts from when it was
		// sent there (never before the unit was assigned): attendance is
		// measured to the officer's arrival, not to the signal's.
		at := t.when()
		if at.Before(current.AssignedAt) {
			at = current.AssignedAt
		}
		col, state := "en_route_at", bluelamp.AssignmentEnRoute
		if sc.State == bluelamp.StateAtScene {
			col, state = "at_scene_at", bluelamp.AssignmentAtScene
			if inc.FirstArrivedAt == nil || at.Before(*inc.FirstArrivedAt) {
				inc.FirstArrivedAt = &at
			}
		}
		if _, err := t.exec("UPDATE assignments SET state = ?, "+col+" = COALESCE("+col+", ?) WHERE force_id = ? AND id = ?",
			state, micros(at), t.force(), current.ID); err != nil {
			return fmt.Errorf("move assignment: %w", err)
		}
	case bluelamp.StateAvailable, bluelamp.StateAvailableStandby:
		if current != nil {
			if err := t.endAssignment(current, bluelamp.AssignmentCleared); err != nil {
				return err
			}
			job = 0
		}
	case bluelamp.StateOffDuty:
		if current != nil {
			return unitUnavailable(u, "is still assigned to "+current.Incident+"; stand it down first")
		}
	}
	prev := u.State
	if err := t.setUnitState(u, sc.State, sc.Code, job); err != nil {
		return err
	}
	switch {
	case sc.State == bluelamp.StateEmergency:
		line(fmt.Sprintf("EMERGENCY: %s pressed its emergency button (%s)", u.CallSign, sc.Code))
	case current != nil && job == 0:
		line(fmt.Sprintf("%s cleared: %s (%s)", u.CallSign, sc.Label, sc.Code))
	case prev != sc.State:
		line(fmt.Sprintf("%s: %s (%s)", u.CallSign, sc.Label, sc.Code))
	}
	return nil
}

// quoteShortText quotes user input for a message, cut short.
func quoteShortText(s string) string {
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return fmt.Sprintf("%q", s)
}
