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

// saveIncident writes an incident's changeable columns.
func (t *tx) saveIncident(inc *bluelamp.Incident) error {
	var major, closing sql.NullString
	if inc.Major != nil {
		major = sql.NullString{String: jsonText(inc.Major), Valid: true}
	}
	if inc.Closing != nil {
		closing = sql.NullString{String: jsonText(inc.Closing), Valid: true}
	}
	_, err := t.exec(`UPDATE incidents SET grade = ?, grade_rank = ?, graded_at = ?, status = ?, resourcing = ?, first_dispatched_at = ?,
		first_arrived_at = ?, breaches = ?, major = ?, major_link_id = ?, closed_at = ?, closed_by = ?, closing = ?
		WHERE force_id = ? AND id = ?`,
		inc.Grade, inc.Grade.Rank(), micros(inc.GradedAt), inc.Status, inc.Resourcing, nullMicros(inc.FirstDispatchedAt), nullMicros(inc.FirstArrivedAt),
		jsonText(inc.Breaches), major, inc.MajorLinkID, nullMicros(inc.ClosedAt), inc.ClosedBy, closing, t.force(), inc.ID)
	if err != nil {
		return fmt.Errorf("save incident %s: %w", inc.Number, err)
	}
	return nil
}

// AddLogEntry appends a note or a correction to an incident's log.
func (s *Store) AddLogEntry(ctx context.Context, id bluelamp.IncidentID, text string, corrects int64) (*bluelamp.LogEntry, error) {
	if err := bluelamp.ValidLogText(text); err != nil {
		return nil, err
	}
	var out *bluelamp.LogEntry
	err := s.write(ctx, func(t *tx) error {
		var err error
		if _, t.note, err = t.takenAt(ctx); err != nil {
			return err
		}
		if t.note != "" {
			t.note = strings.Replace(t.note, "on the device at", "written on the device at", 1)
		}
		inc, err := t.incident(id)
		if err != nil {
			return err
		}
		kind := bluelamp.LogNote
		if corrects != 0 {
			var n int
			if err := t.queryRow("SELECT COUNT(*) FROM incident_log WHERE force_id = ? AND incident_id = ? AND id = ?", t.force(), id, corrects).Scan(&n); err != nil {
				return fmt.Errorf("check corrected entry: %w", err)
			}
			if n == 0 {
				return bluelamp.InvalidFields(map[string]string{"corrects": "no such entry in this incident's log"})
			}
			kind = bluelamp.LogCorrection
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		entries, err := t.record(bluelamp.EventIncidentLogged, inc, []logLine{{id, kind, strings.TrimSpace(text), corrects}}, bluelamp.Change{Incident: full})
		if err != nil {
			return err
		}
		out = entries[0]
		return nil
	})
	return result(out, err)
}

// GradeIncident re-grades an open incident.
func (s *Store) GradeIncident(ctx context.Context, id bluelamp.IncidentID, g bluelamp.Grade, reason string) (*bluelamp.Incident, error) {
	fields := map[string]string{}
	if !g.Valid() {
		fields["grade"] = "must be one of IMMEDIATE, PRIORITY, STANDARD, SCHEDULED, RESOLVED_WITHOUT_DEPLOYMENT"
	}
	if err := bluelamp.ValidLogText(reason); err != nil {
		fields["reason"] = "is required: say why the grade changes (at most 4000 bytes)"
	}
	if len(fields) > 0 {
		return nil, bluelamp.InvalidFields(fields)
	}
	var out *bluelamp.Incident
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(id)
		if err != nil {
			return err
		}
		if inc.Grade == g {
			return bluelamp.InvalidFields(map[string]string{"grade": "the incident is already graded " + string(g)})
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		from, to := fs.Grade(inc.Grade), fs.Grade(g)
		verb := "Downgraded"
		if g.Rank() < inc.Grade.Rank() {
			verb = "Upgraded"
		}
		inc.Grade, inc.GradedAt = g, t.now
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		if out, err = t.full(inc); err != nil {
			return err
		}
		text := fmt.Sprintf("%s from %s (%s) to %s (%s): %s", verb, from.Label, from.Code, to.Label, to.Code, strings.TrimSpace(reason))
		_, err = t.record(bluelamp.EventIncidentGraded, inc, []logLine{{id, bluelamp.LogGraded, text, 0}}, bluelamp.Change{Incident: out})
		return err
	})
	return result(out, err)
}

// AssessIncident adds a THRIVE version.
func (s *Store) AssessIncident(ctx context.Context, id bluelamp.IncidentID, th *bluelamp.THRIVE) (*bluelamp.Incident, error) {
	if err := th.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Incident
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(id)
		if err != nil {
			return err
		}
		var version int
		if err := t.queryRow("SELECT thrive_version FROM incidents WHERE force_id = ? AND id = ?", t.force(), id).Scan(&version); err != nil {
			return fmt.Errorf("load THRIVE version: %w", err)
		}
		th.Version, th.AssessedAt, th.AssessedBy = version+1, t.now, t.actor.Name()
		if _, err := t.exec("INSERT INTO incident_assessments (force_id, incident_id, version, assessment) VALUES (?, ?, ?, ?)",
			t.force(), id, th.Version, jsonText(th)); err != nil {
			return fmt.Errorf("insert THRIVE: %w", err)
		}
		if _, err := t.exec("UPDATE incidents SET thrive_version = ?, vulnerable = ? WHERE force_id = ? AND id = ?",
			th.Version, th.Vulnerable(), t.force(), id); err != nil {
			return fmt.Errorf("update THRIVE version: %w", err)
		}
		if out, err = t.full(inc); err != nil {
			return err
		}
		text := fmt.Sprintf("THRIVE v%d: risk %s, harm %s; supports %s. %s", th.Version, th.Risk.Rating, th.Harm.Severity, th.Grade, th.Rationale)
		_, err = t.record(bluelamp.EventIncidentAssessed, inc, []logLine{{id, bluelamp.LogAssessed, text, 0}}, bluelamp.Change{Incident: out, THRIVE: th})
		return err
	})
	return result(out, err)
}

// CloseIncident closes an open incident and stands down its units.
func (s *Store) CloseIncident(ctx context.Context, id bluelamp.IncidentID, c *bluelamp.Closing) (*bluelamp.Incident, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Qualifiers == nil {
		c.Qualifiers = []bluelamp.Qualifier{}
	}
	var out *bluelamp.Incident
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(id)
		if err != nil {
			return err
		}
		if c.Result == bluelamp.ResultDuplicate {
			dup, err := scanIncident(t.queryRow("SELECT "+incidentCols+" FROM incidents WHERE force_id = ? AND number = ?", t.force(), strings.TrimSpace(c.DuplicateOf)))
			if errors.Is(err, sql.ErrNoRows) || (err == nil && dup.ID == id) {
				return bluelamp.InvalidFields(map[string]string{"duplicate_of": "must be the number of another incident of this force"})
			}
			if err != nil {
				return err
			}
		}
		lines := []logLine{}
		released, err := t.releaseUnits(inc, bluelamp.AssignmentStoodDown, "incident closed", &lines)
		if err != nil {
			return err
		}
		inc.Status, inc.ClosedAt, inc.ClosedBy, inc.Closing = bluelamp.IncidentClosed, &t.now, t.actor.Name(), c
		if inc.Resourcing != bluelamp.ResourcingAwaiting {
			inc.Resourcing = bluelamp.ResourcingCleared
		}
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		if out, err = t.full(inc); err != nil {
			return err
		}
		text := fmt.Sprintf("Closed: %s, result %s", categoryLabel(c.Category), resultLabel(c.Result))
		switch {
		case c.CrimeReference != "":
			text += ", crime reference " + c.CrimeReference
		case c.Partner != "":
			text += ", to " + c.Partner
		case c.DuplicateOf != "":
			text += " of " + c.DuplicateOf
		}
		if c.Note != "" {
			text += ". " + c.Note
		}
		lines = append(lines, logLine{id, bluelamp.LogClosed, text, 0})
		_, err = t.record(bluelamp.EventIncidentClosed, inc, lines, bluelamp.Change{Incident: out, Units: released})
		return err
	})
	return result(out, err)
}

func resultLabel(r bluelamp.Result) string {
	if i := slices.IndexFunc(bluelamp.Results, func(ri bluelamp.ResultInfo) bool { return ri.Code == r }); i >= 0 {
		return bluelamp.Results[i].Label
	}
	return string(r)
}

// RecordBreach records an attendance target breach once.
func (s *Store) RecordBreach(ctx context.Context, id bluelamp.IncidentID, basis bluelamp.ClockBasis) (bool, error) {
	if basis != bluelamp.ClockFromCall && basis != bluelamp.ClockFromDispatch {
		return false, bluelamp.InvalidFields(map[string]string{"basis": "must be CALL or DISPATCH"})
	}
	recorded := false
	err := s.write(ctx, func(t *tx) error {
		recorded = false
		if err := t.lock(); err != nil {
			return err
		}
		inc, err := t.incident(id)
		if err != nil {
			return err
		}
		if inc.Status != bluelamp.IncidentOpen || slices.Contains(inc.Breaches, basis) {
			return nil
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		g := fs.Grade(inc.Grade)
		var clock *bluelamp.Clock
		for _, c := range bluelamp.AttendanceClocks(inc, g, t.now) {
			if c.Basis == basis {
				clock = &c
			}
		}
		if clock == nil || clock.State != bluelamp.ClockBreached {
			return nil
		}
		inc.Breaches = append(inc.Breaches, basis)
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		from := "call received"
		if basis == bluelamp.ClockFromDispatch {
			from = "dispatch"
		}
		text := fmt.Sprintf("Attendance target breached: %s (%s) target of %s from %s passed at %s with no unit at scene",
			g.Label, g.Code, durationText(clock.Target), from, clock.Due.In(fs.Location()).Format("15:04:05"))
		_, err = t.record(bluelamp.EventIncidentBreached, inc, []logLine{{id, bluelamp.LogBreach, text, 0}}, bluelamp.Change{Incident: full})
		recorded = err == nil
		return err
	})
	return recorded && err == nil, err
}

// durationText writes a target as a person would: "20m", "1h", "1h30m".
// Trimming "0s" and then "0m" blindly would turn "20m0s" into "2".
func durationText(d bluelamp.Duration) string {
	s := d.Std().String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// DeclareMajorIncident declares an open incident a major incident.
func (s *Store) DeclareMajorIncident(ctx context.Context, id bluelamp.IncidentID, m *bluelamp.MajorIncident) (*bluelamp.Incident, error) {
	m.Name, m.Reason = strings.TrimSpace(m.Name), strings.TrimSpace(m.Reason)
	fields := map[string]string{}
	if m.Name == "" || len(m.Name) > 100 {
		fields["name"] = "is required (at most 100 bytes), e.g. Operation Egdon"
	}
	if bluelamp.ValidLogText(m.Reason) != nil {
		fields["reason"] = "is required: why this is a major incident"
	}
	if len(fields) > 0 {
		return nil, bluelamp.InvalidFields(fields)
	}
	var out *bluelamp.Incident
	err := s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(id)
		if err != nil {
			return err
		}
		if inc.Major != nil {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "already_major", Message: fmt.Sprintf("%s was declared a major incident (%s) by %s", inc.Number, inc.Major.Name, inc.Major.DeclaredBy)}
		}
		if inc.MajorLinkID != 0 {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "linked_to_major", Message: "this incident is linked to a major incident; declare on that one"}
		}
		m.DeclaredAt, m.DeclaredBy = t.now, t.actor.Name()
		inc.Major = m
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		if out, err = t.full(inc); err != nil {
			return err
		}
		text := fmt.Sprintf("MAJOR INCIDENT DECLARED: %s. %s", m.Name, m.Reason)
		_, err = t.record(bluelamp.EventIncidentMajor, inc, []logLine{{id, bluelamp.LogMajor, text, 0}}, bluelamp.Change{Incident: out})
		return err
	})
	return result(out, err)
}

// majorIncident loads a declared major incident.
func (t *tx) majorIncident(id bluelamp.IncidentID, field string) (*bluelamp.Incident, error) {
	inc, err := t.incident(id)
	if err != nil {
		if bluelamp.KindOf(err) == bluelamp.KindNotFound {
			return nil, incidentNotFound(field)
		}
		return nil, err
	}
	if inc.Major == nil {
		return nil, &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "not_major", Message: inc.Number + " is not a declared major incident",
			Fields: map[string]string{field: "is not a declared major incident"}}
	}
	return inc, nil
}

// ReportMETHANE adds an M/ETHANE report to a major incident.
func (s *Store) ReportMETHANE(ctx context.Context, id bluelamp.IncidentID, m *bluelamp.METHANE) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		inc, err := t.lockedOpen(id)
		if err != nil {
			return err
		}
		var n int
		if err := t.queryRow("SELECT COUNT(*) FROM incident_methane WHERE force_id = ? AND incident_id = ?", t.force(), id).Scan(&n); err != nil {
			return fmt.Errorf("count M/ETHANE: %w", err)
		}
		m.Version, m.ReportedAt, m.ReportedBy = n+1, t.now, t.actor.Name()
		if _, err := t.exec("INSERT INTO incident_methane (force_id, incident_id, version, report) VALUES (?, ?, ?, ?)",
			t.force(), id, m.Version, jsonText(m)); err != nil {
			return fmt.Errorf("insert M/ETHANE: %w", err)
		}
		label := "ETHANE"
		if m.MajorIncident {
			label = "METHANE"
		}
		text := fmt.Sprintf("%s v%d — E: %s; T: %s; H: %s; A: %s; N: %d %s; E: %s", label, m.Version, m.ExactLocation, m.TypeOfIncident,
			m.Hazards, m.Access, m.Casualties.Number, m.Casualties.Description, m.EmergencyServices)
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		_, err = t.record(bluelamp.EventIncidentMETHANE, inc, []logLine{{id, bluelamp.LogMETHANE, text, 0}}, bluelamp.Change{Incident: full, METHANE: m})
		return err
	})
}

// LinkIncident links an incident to a declared major incident.
func (s *Store) LinkIncident(ctx context.Context, id, major bluelamp.IncidentID) (*bluelamp.Incident, error) {
	if id == major {
		return nil, bluelamp.InvalidFields(map[string]string{"major_id": "an incident cannot be linked to itself"})
	}
	var out *bluelamp.Incident
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		inc, err := t.incident(id)
		if err != nil {
			return err
		}
		m, err := t.majorIncident(major, "major_id")
		if err != nil {
			return err
		}
		if inc.Major != nil {
			return bluelamp.InvalidFields(map[string]string{"major_id": inc.Number + " is itself a major incident"})
		}
		if inc.MajorLinkID == major {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "already_linked", Message: inc.Number + " is already linked to " + m.Number}
		}
		if inc.MajorLinkID != 0 {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "linked_to_major", Message: inc.Number + " is already linked to another major incident",
				Fields: map[string]string{"major_id": "the incident is linked to another major incident"}}
		}
		inc.MajorLinkID = major
		if err := t.saveIncident(inc); err != nil {
			return err
		}
		if out, err = t.full(inc); err != nil {
			return err
		}
		lines := []logLine{
			{id, bluelamp.LogLinked, fmt.Sprintf("Linked to major incident %s (%s)", m.Number, m.Major.Name), 0},
			{major, bluelamp.LogLinked, fmt.Sprintf("Incident %s linked: %s", inc.Number, inc.Summary), 0},
		}
		_, err = t.record(bluelamp.EventIncidentLinked, inc, lines, bluelamp.Change{Incident: out})
		return err
	})
	return result(out, err)
}

// FindMajorIncident returns a major incident with everything under it.
func (s *Store) FindMajorIncident(ctx context.Context, id bluelamp.IncidentID) (*bluelamp.MajorIncidentView, error) {
	var out *bluelamp.MajorIncidentView
	err := s.read(ctx, func(t *tx) error {
		inc, err := t.majorIncident(id, "incident_id")
		if err != nil {
			return err
		}
		v := &bluelamp.MajorIncidentView{}
		if v.Incident, err = t.full(inc); err != nil {
			return err
		}
		if v.Linked, err = queryAll(t, scanIncident, "SELECT "+incidentCols+" FROM incidents WHERE force_id = ? AND major_link_id = ? ORDER BY "+queueOrder, t.force(), id); err != nil {
			return fmt.Errorf("load linked incidents: %w", err)
		}
		if err := t.attachAssignments(v.Linked); err != nil {
			return err
		}
		v.Units = []*bluelamp.Assignment{}
		for _, i := range append([]*bluelamp.Incident{v.Incident}, v.Linked...) {
			for _, a := range i.Assignments {
				if a.State.Open() {
					v.Units = append(v.Units, a)
				}
			}
		}
		v.METHANE, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.METHANE, error) {
			var text string
			if err := sc.Scan(&text); err != nil {
				return nil, err
			}
			return fromJSON[*bluelamp.METHANE](text, "M/ETHANE")
		}, "SELECT report FROM incident_methane WHERE force_id = ? AND incident_id = ? ORDER BY version", t.force(), id)
		if v.Linked == nil {
			v.Linked = []*bluelamp.Incident{}
		}
		if v.METHANE == nil {
			v.METHANE = []*bluelamp.METHANE{}
		}
		out = v
		return err
	})
	return result(out, err)
}
