package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

const incidentCols = `id, force_id, number, global_id, received_at, opened_at, opened_by, channel, category, qualifiers, classification,
	summary, address, lat, lon, grid_ref, cross_border, rural, grade, graded_at, original_grade, original_graded_at, required_skills,
	status, resourcing, first_dispatched_at, first_arrived_at, breaches, major, major_link_id, closed_at, closed_by, closing`

func scanIncident(sc interface{ Scan(...any) error }) (*bluelamp.Incident, error) {
	var inc bluelamp.Incident
	var received, opened, graded, origGraded int64
	var quals, skills, breaches string
	var lat, lon sql.NullFloat64
	var firstDispatched, firstArrived, closedAt sql.NullInt64
	var major, closing sql.NullString
	if err := sc.Scan(&inc.ID, &inc.ForceID, &inc.Number, &inc.GlobalID, &received, &opened, &inc.OpenedBy, &inc.Channel, &inc.Category,
		&quals, &inc.Classification, &inc.Summary, &inc.Location.Address, &lat, &lon, &inc.Location.GridRef, &inc.Location.CrossBorder,
		&inc.Location.Rural, &inc.Grade, &graded, &inc.OriginalGrade, &origGraded, &skills, &inc.Status, &inc.Resourcing,
		&firstDispatched, &firstArrived, &breaches, &major, &inc.MajorLinkID, &closedAt, &inc.ClosedBy, &closing); err != nil {
		return nil, fmt.Errorf("scan incident: %w", err)
	}
	inc.ReceivedAt, inc.OpenedAt, inc.GradedAt, inc.OriginalGradedAt = fromMicros(received), fromMicros(opened), fromMicros(graded), fromMicros(origGraded)
	inc.FirstDispatchedAt, inc.FirstArrivedAt, inc.ClosedAt = timePtr(firstDispatched), timePtr(firstArrived), timePtr(closedAt)
	if lat.Valid && lon.Valid {
		inc.Location.Position = &bluelamp.Position{Lat: lat.Float64, Lon: lon.Float64}
	}
	var err error
	if inc.Qualifiers, err = fromJSON[[]bluelamp.Qualifier](quals, "qualifiers"); err != nil {
		return nil, err
	}
	if inc.RequiredSkills, err = fromJSON[[]bluelamp.Skill](skills, "required skills"); err != nil {
		return nil, err
	}
	if inc.Breaches, err = fromJSON[[]bluelamp.ClockBasis](breaches, "breaches"); err != nil {
		return nil, err
	}
	if major.Valid {
		if inc.Major, err = fromJSON[*bluelamp.MajorIncident](major.String, "major incident"); err != nil {
			return nil, err
		}
	}
	if closing.Valid {
		if inc.Closing, err = fromJSON[*bluelamp.Closing](closing.String, "closing"); err != nil {
			return nil, err
		}
	}
	return &inc, nil
}

func nullPos(p *bluelamp.Position) (sql.NullFloat64, sql.NullFloat64) {
	if p == nil {
		return sql.NullFloat64{}, sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: p.Lat, Valid: true}, sql.NullFloat64{Float64: p.Lon, Valid: true}
}

// incidentNotFound names the field so a form can point at it.
func incidentNotFound(field string) error {
	return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "incident not found", Fields: map[string]string{field: "no such incident in this force"}}
}

// incident loads one incident of the force, bare (no THRIVE, assignments
// or contacts).
func (t *tx) incident(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
	inc, err := scanIncident(t.queryRow("SELECT "+incidentCols+" FROM incidents WHERE force_id = ? AND id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, incidentNotFound("incident_id")
	}
	return inc, err
}

// openIncident loads an incident that must still be open.
func (t *tx) openIncident(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
	inc, err := t.incident(id)
	if err != nil {
		return nil, err
	}
	if inc.Status != bluelamp.IncidentOpen {
		return nil, &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "incident_closed",
			Message: fmt.Sprintf("incident %s was closed at %s by %s", inc.Number, inc.ClosedAt.Format("15:04 02 Jan"), inc.ClosedBy)}
	}
	return inc, nil
}

// lockedOpen takes the force's log head (see lock) and loads an incident
// that must still be open.
func (t *tx) lockedOpen(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	return t.openIncident(id)
}

// full adds an incident's latest THRIVE, assignments and contact references.
func (t *tx) full(inc *bluelamp.Incident) (*bluelamp.Incident, error) {
	var text string
	err := t.queryRow(`SELECT assessment FROM incident_assessments WHERE force_id = ? AND incident_id = ? ORDER BY version DESC LIMIT 1`,
		t.force(), inc.ID).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("load THRIVE: %w", err)
	default:
		if inc.THRIVE, err = fromJSON[*bluelamp.THRIVE](text, "THRIVE"); err != nil {
			return nil, err
		}
	}
	if inc.Assignments, err = t.assignments("a.incident_id = ?", inc.ID); err != nil {
		return nil, err
	}
	inc.Contacts, err = queryAll(t, func(sc interface{ Scan(...any) error }) (string, error) {
		var ref string
		return ref, sc.Scan(&ref)
	}, "SELECT reference FROM contacts WHERE force_id = ? AND incident_id = ? ORDER BY id", t.force(), inc.ID)
	if err != nil {
		return nil, fmt.Errorf("load contact references: %w", err)
	}
	return inc, nil
}

// insertIncident numbers and saves a new incident, its first THRIVE and
// its opening log line, and appends incident.opened.
func (t *tx) insertIncident(inc *bluelamp.Incident, fs *bluelamp.ForceSettings) error {
	serial, day, err := t.nextSerial("incident", fs.Location())
	if err != nil {
		return err
	}
	inc.ForceID, inc.Number, inc.GlobalID = t.force(), bluelamp.IncidentNumber(serial, day), bluelamp.NewEventID(t.now)
	inc.OpenedAt, inc.OpenedBy = t.now, t.actor.Name()
	if inc.ReceivedAt.IsZero() || inc.ReceivedAt.After(t.now) {
		inc.ReceivedAt = t.now
	}
	inc.ReceivedAt = inc.ReceivedAt.UTC().Truncate(time.Microsecond)
	inc.GradedAt, inc.OriginalGrade, inc.OriginalGradedAt = t.now, inc.Grade, t.now
	inc.Status, inc.Resourcing = bluelamp.IncidentOpen, bluelamp.ResourcingAwaiting
	inc.Breaches, inc.FirstDispatchedAt, inc.FirstArrivedAt, inc.ClosedAt, inc.Closing, inc.Major = []bluelamp.ClockBasis{}, nil, nil, nil, nil, nil
	if inc.Qualifiers == nil {
		inc.Qualifiers = []bluelamp.Qualifier{}
	}
	if inc.RequiredSkills == nil {
		inc.RequiredSkills = []bluelamp.Skill{}
	}
	if p := inc.Location.Position; p != nil {
		inc.Location.Rural = !fs.Area.IsUrban(*p)
	}
	lat, lon := nullPos(inc.Location.Position)
	thriveVersion := 0
	if inc.THRIVE != nil {
		thriveVersion = 1
	}
	id, err := t.insertID(`INSERT INTO incidents (force_id, number, global_id, received_at, opened_at, opened_by, channel, category, qualifiers,
		classification, summary, address, lat, lon, grid_ref, cross_border, rural, grade, graded_at, original_grade, original_graded_at,
		required_skills, status, resourcing, first_dispatched_at, first_arrived_at, breaches, major, major_link_id, closed_at, closed_by,
		closing, thrive_version, vulnerable, grade_rank)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, '[]', NULL, 0, NULL, '', NULL, ?, ?, ?)`,
		t.force(), inc.Number, inc.GlobalID, micros(inc.ReceivedAt), micros(t.now), inc.OpenedBy, inc.Channel, inc.Category,
		jsonText(inc.Qualifiers), inc.Classification, inc.Summary, inc.Location.Address, lat, lon, inc.Location.GridRef,
		inc.Location.CrossBorder, inc.Location.Rural, inc.Grade, micros(t.now), inc.Grade, micros(t.now), jsonText(inc.RequiredSkills),
		inc.Status, inc.Resourcing, thriveVersion, inc.THRIVE.Vulnerable(), inc.Grade.Rank())
	if err != nil {
		return fmt.Errorf("insert incident: %w", err)
	}
	inc.ID = bluelamp.IncidentID(id)
	if inc.THRIVE != nil {
		inc.THRIVE.Version, inc.THRIVE.AssessedAt, inc.THRIVE.AssessedBy = 1, t.now, t.actor.Name()
		if _, err := t.exec("INSERT INTO incident_assessments (force_id, incident_id, version, assessment) VALUES (?, ?, 1, ?)",
			t.force(), id, jsonText(inc.THRIVE)); err != nil {
			return fmt.Errorf("insert THRIVE: %w", err)
		}
	}
	g := fs.Grade(inc.Grade)
	text := fmt.Sprintf("Opened %s: %s, graded %s (%s). %s", inc.Number, categoryLabel(inc.Category), g.Label, g.Code, inc.Summary)
	_, err = t.record(bluelamp.EventIncidentOpened, inc, []logLine{{inc.ID, bluelamp.LogOpened, text, 0}}, bluelamp.Change{Incident: inc, THRIVE: inc.THRIVE})
	return err
}

func categoryLabel(c bluelamp.Category) string {
	if ci, ok := c.Info(); ok {
		return ci.Label
	}
	return string(c)
}

// logLine is an incident-log line a change writes.
type logLine struct {
	incident bluelamp.IncidentID
	kind     bluelamp.LogEntryKind
	text     string
	corrects int64
}

// record appends one event with the incident-log lines it makes, and
// returns the lines as written. The lines are written first, carrying the
// sequence the event will take (the head is this transaction's), so the
// payload holds them with their ids.
func (t *tx) record(typ bluelamp.EventType, inc *bluelamp.Incident, lines []logLine, payload bluelamp.Change) ([]*bluelamp.LogEntry, error) {
	h, err := t.loadHead(t.force())
	if err != nil {
		return nil, err
	}
	seq := h.eventSeq + 1
	for _, l := range lines {
		l.text += t.note
		id, err := t.insertID("INSERT INTO incident_log (force_id, incident_id, event_seq, at, actor, kind, text, corrects) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			t.force(), l.incident, seq, micros(t.now), t.actor.Name(), l.kind, l.text, l.corrects)
		if err != nil {
			return nil, fmt.Errorf("insert log entry: %w", err)
		}
		payload.Entries = append(payload.Entries, &bluelamp.LogEntry{ID: id, IncidentID: l.incident, EventSeq: seq, Time: t.now,
			Actor: t.actor.Name(), Kind: l.kind, Text: l.text, Corrects: l.corrects})
	}
	class, subj := bluelamp.ClassOfficial, ""
	switch {
	case inc != nil:
		class, subj = inc.Classification, subject("incident", inc.ID)
	case payload.Unit != nil:
		subj = subject("unit", payload.Unit.ID)
	}
	e, err := t.appendEvent(typ, subj, class, payload)
	if err != nil {
		return nil, err
	}
	if e.Seq != seq {
		return nil, fmt.Errorf("log entries written for event %d but it took %d", seq, e.Seq)
	}
	return payload.Entries, nil
}

// CreateIncident opens an incident with no contact.
func (s *Store) CreateIncident(ctx context.Context, inc *bluelamp.Incident) error {
	return s.write(ctx, func(t *tx) error {
		// The head first, then the daily serial, as CreateContact takes
		// them: two nodes taking them in opposite orders deadlock.
		if err := t.lock(); err != nil {
			return err
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		if err := validateNew(inc, fs); err != nil {
			return err
		}
		return t.insertIncident(inc, fs)
	})
}

// validateNew checks an incident to be opened, with its THRIVE and its
// required skills against the force's list, so every fault is reported at
// once and under the incident's own field names.
func validateNew(inc *bluelamp.Incident, fs *bluelamp.ForceSettings) error {
	err := inc.Validate(&fs.Area)
	fields := map[string]string{}
	if e, ok := errors.AsType[*bluelamp.Error](err); ok {
		fields = e.Fields
	} else if err != nil {
		return err
	}
	if _, bad := fields["required_skills"]; !bad {
		for _, k := range inc.RequiredSkills {
			if !fs.HasSkill(k) {
				fields["required_skills"] = "skill " + string(k) + " is not in the force's skill list"
			}
		}
	}
	if inc.THRIVE != nil {
		if terr := inc.THRIVE.Validate(); terr != nil {
			if e, ok := errors.AsType[*bluelamp.Error](terr); ok {
				for k, v := range e.Fields {
					fields["thrive."+k] = v
				}
			}
		}
		if inc.THRIVE.Grade.Valid() && inc.THRIVE.Grade != inc.Grade {
			fields["thrive.grade"] = "must match the incident's grade"
		}
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	return nil
}

// FindIncidentByID returns one incident in full.
func (s *Store) FindIncidentByID(ctx context.Context, id bluelamp.IncidentID) (*bluelamp.Incident, error) {
	var out *bluelamp.Incident
	err := s.read(ctx, func(t *tx) error {
		inc, err := t.incident(id)
		if err != nil {
			return err
		}
		out, err = t.full(inc)
		return err
	})
	return result(out, err)
}

// FindIncidentByNumber returns one incident in full by its number.
func (s *Store) FindIncidentByNumber(ctx context.Context, number string) (*bluelamp.Incident, error) {
	var out *bluelamp.Incident
	err := s.read(ctx, func(t *tx) error {
		inc, err := scanIncident(t.queryRow("SELECT "+incidentCols+" FROM incidents WHERE force_id = ? AND number = ?", t.force(), number))
		if errors.Is(err, sql.ErrNoRows) {
			return incidentNotFound("number")
		}
		if err != nil {
			return err
		}
		out, err = t.full(inc)
		return err
	})
	return result(out, err)
}

// queueOrder sorts the queue most urgent first, then oldest first; the
// incidents_queue_order index holds open incidents in this order.
const queueOrder = `grade_rank, received_at, id`

// FindIncidents returns incidents in queue order with their open
// assignments, and the total before paging.
func (s *Store) FindIncidents(ctx context.Context, f bluelamp.IncidentFilter) ([]*bluelamp.Incident, int, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 10000 || f.Offset < 0 {
		return nil, 0, bluelamp.InvalidFields(map[string]string{"limit": "must be at most 10000, with a non-negative offset"})
	}
	if f.Status != nil && *f.Status != bluelamp.IncidentOpen && *f.Status != bluelamp.IncidentClosed {
		return nil, 0, bluelamp.InvalidFields(map[string]string{"status": "must be OPEN or CLOSED"})
	}
	if f.Grade != nil && !f.Grade.Valid() {
		return nil, 0, bluelamp.InvalidFields(map[string]string{"grade": "unknown grade"})
	}
	var out []*bluelamp.Incident
	total := 0
	err := s.read(ctx, func(t *tx) error {
		where, args := []string{"force_id = ?"}, []any{t.force()}
		if f.Status != nil {
			where, args = append(where, "status = ?"), append(args, *f.Status)
		}
		if f.Grade != nil {
			where, args = append(where, "grade = ?"), append(args, *f.Grade)
		}
		if f.MajorID != nil {
			where, args = append(where, "major_link_id = ?"), append(args, *f.MajorID)
		}
		if f.Since != nil {
			where, args = append(where, "received_at >= ?"), append(args, micros(*f.Since))
		}
		// The total is its own COUNT(*): COUNT(*) OVER () would make
		// SQLite copy every matching row before the first is returned,
		// which at 5,000 open incidents was most of the queue page's time.
		cond := strings.Join(where, " AND ")
		if err := t.queryRow("SELECT COUNT(*) FROM incidents WHERE "+cond, args...).Scan(&total); err != nil {
			return fmt.Errorf("count incidents: %w", err)
		}
		var err error
		out, err = queryAll(t, scanIncident, "SELECT "+incidentCols+" FROM incidents WHERE "+cond+" ORDER BY "+queueOrder+" LIMIT ? OFFSET ?",
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		return t.attachAssignments(out)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// attachAssignments adds open assignments to listed incidents in one query.
func (t *tx) attachAssignments(incs []*bluelamp.Incident) error {
	if len(incs) == 0 {
		return nil
	}
	byID := make(map[bluelamp.IncidentID]*bluelamp.Incident, len(incs))
	for _, inc := range incs {
		byID[inc.ID] = inc
	}
	as, err := t.assignments("a.state IN ('ASSIGNED', 'EN_ROUTE', 'AT_SCENE')")
	if err != nil {
		return err
	}
	for _, a := range as {
		if inc, ok := byID[a.IncidentID]; ok {
			inc.Assignments = append(inc.Assignments, a)
		}
	}
	return nil
}

// FindIncidentLog returns an incident's log, oldest first.
func (s *Store) FindIncidentLog(ctx context.Context, id bluelamp.IncidentID) ([]*bluelamp.LogEntry, error) {
	var out []*bluelamp.LogEntry
	err := s.read(ctx, func(t *tx) error {
		if _, err := t.incident(id); err != nil {
			return err
		}
		var err error
		out, err = queryAll(t, scanLogEntry,
			"SELECT id, incident_id, event_seq, at, actor, kind, text, corrects FROM incident_log WHERE force_id = ? AND incident_id = ? ORDER BY id",
			t.force(), id)
		return err
	})
	return result(out, err)
}

func scanLogEntry(sc interface{ Scan(...any) error }) (*bluelamp.LogEntry, error) {
	var e bluelamp.LogEntry
	var at int64
	if err := sc.Scan(&e.ID, &e.IncidentID, &e.EventSeq, &at, &e.Actor, &e.Kind, &e.Text, &e.Corrects); err != nil {
		return nil, fmt.Errorf("scan log entry: %w", err)
	}
	e.Time = fromMicros(at)
	return &e, nil
}

// FindAssessments returns every THRIVE version of an incident.
func (s *Store) FindAssessments(ctx context.Context, id bluelamp.IncidentID) ([]*bluelamp.THRIVE, error) {
	var out []*bluelamp.THRIVE
	err := s.read(ctx, func(t *tx) error {
		if _, err := t.incident(id); err != nil {
			return err
		}
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.THRIVE, error) {
			var text string
			if err := sc.Scan(&text); err != nil {
				return nil, err
			}
			return fromJSON[*bluelamp.THRIVE](text, "THRIVE")
		}, "SELECT assessment FROM incident_assessments WHERE force_id = ? AND incident_id = ? ORDER BY version", t.force(), id)
		return err
	})
	return result(out, err)
}

// FindDuplicates suggests incidents that may be the same as inc.
func (s *Store) FindDuplicates(ctx context.Context, inc *bluelamp.Incident) ([]*bluelamp.DuplicateCandidate, error) {
	if inc.Location.Position == nil || !inc.Location.Position.Valid() {
		return []*bluelamp.DuplicateCandidate{}, nil
	}
	var out []*bluelamp.DuplicateCandidate
	err := s.read(ctx, func(t *tx) error {
		fs, err := t.settings()
		if err != nil {
			return err
		}
		out, err = t.duplicates(inc, fs)
		return err
	})
	return result(out, err)
}

func (t *tx) duplicates(inc *bluelamp.Incident, fs *bluelamp.ForceSettings) ([]*bluelamp.DuplicateCandidate, error) {
	out := []*bluelamp.DuplicateCandidate{}
	p := inc.Location.Position
	if p == nil {
		return out, nil
	}
	at := inc.ReceivedAt
	if at.IsZero() {
		at = t.now
	}
	window, radius := time.Duration(fs.DuplicateWindow), fs.DuplicateRadiusM
	dLat, dLon := around(*p, radius)
	cands, err := queryAll(t, scanIncident, "SELECT "+incidentCols+` FROM incidents WHERE force_id = ? AND received_at >= ? AND received_at <= ?
		AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND id <> ?`,
		t.force(), micros(at.Add(-window)), micros(at.Add(window)), p.Lat-dLat, p.Lat+dLat, p.Lon-dLon, p.Lon+dLon, inc.ID)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	for _, c := range cands {
		if !c.Category.Related(inc.Category) || c.Location.Position == nil {
			continue
		}
		d := p.Distance(*c.Location.Position)
		if d > radius {
			continue
		}
		age := at.Sub(c.ReceivedAt).Abs()
		same := c.Category == inc.Category
		out = append(out, &bluelamp.DuplicateCandidate{Incident: c, Distance: math.Round(d), Age: bluelamp.Duration(age),
			SameCategory: same, Score: bluelamp.DuplicateScore(d, radius, age, window, same)})
	}
	slices.SortFunc(out, func(a, b *bluelamp.DuplicateCandidate) int {
		if c := cmpFloat(a.Score, b.Score); c != 0 {
			return c
		}
		return int(a.Incident.ID - b.Incident.ID)
	})
	if len(out) > 10 {
		out = out[:10]
	}
	return out, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// around returns the half-height and half-width in degrees of a box that
// holds every point within r metres of p, for a BETWEEN prefilter before
// exact distances are taken.
func around(p bluelamp.Position, r float64) (dLat, dLon float64) {
	const metresPerDegree = 111_000
	return r / metresPerDegree, r / (metresPerDegree * math.Max(0.01, math.Cos(p.Lat*math.Pi/180)))
}
