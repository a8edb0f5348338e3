package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

var _ bluelamp.FormStore = (*Store)(nil)

// Officers' forms (issue 4). Every form is a row of forms (who, when, which
// incident, the event that recorded it, a label naming no one, and the form
// as stored) with its kind's own table beside it where it needs one.

// formSubjects names each kind's records in events and audit records.
var formSubjects = map[bluelamp.FormKind]string{
	bluelamp.FormStopSearch:    "stop_search",
	bluelamp.FormCrimeReport:   "crime_report",
	bluelamp.FormNotebookEntry: "notebook_entry",
	bluelamp.FormUseOfForce:    "use_of_force",
}

func formSubject(kind bluelamp.FormKind, id bluelamp.FormID) string {
	return subject(formSubjects[kind], id)
}

// errNotOfficer refuses a form from an actor who is not a signed-in user.
var errNotOfficer = &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "no_collar_number",
	Message: "officer forms are filed by a signed-in officer with a collar number"}

// filer returns the signed-in user filing a form, who must have a collar
// number.
func (t *tx) filer() (*bluelamp.User, error) {
	if t.actor.UserID == 0 {
		return nil, errNotOfficer
	}
	u, err := t.loadUser(t.actor.UserID)
	if err != nil {
		return nil, err
	}
	if u.CollarNumber == "" {
		return nil, bluelamp.ErrNoCollarNumber
	}
	return u, nil
}

func maxClass(a, b bluelamp.Classification) bluelamp.Classification {
	if a == bluelamp.ClassOfficialSensitive || b == bluelamp.ClassOfficialSensitive {
		return bluelamp.ClassOfficialSensitive
	}
	return bluelamp.ClassOfficial
}

// newForm takes the force's log head, checks a new form's client id and
// incident, fills in rec from the filing officer and inserts the form's
// row; formRecorded completes it. The form is at least as classified as
// its incident.
func (t *tx) newForm(kind bluelamp.FormKind, rec *bluelamp.FormRecord, h *bluelamp.FormHeader, class bluelamp.Classification) (*bluelamp.User, error) {
	if err := t.lock(); err != nil {
		return nil, err
	}
	u, err := t.filer()
	if err != nil {
		return nil, err
	}
	if h.ClientID != "" {
		var id bluelamp.FormID
		var other bluelamp.FormKind
		err := t.queryRow("SELECT id, kind FROM forms WHERE force_id = ? AND client_id = ?", t.force(), h.ClientID).Scan(&id, &other)
		switch {
		case err == nil:
			return nil, &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "client_id_used",
				Message: fmt.Sprintf("a form with client_id %s is already recorded (%s %d); a new form needs a new client_id", h.ClientID, other, id),
				Fields:  map[string]string{"client_id": "is already used"}}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("check client id: %w", err)
		}
	}
	*rec = bluelamp.FormRecord{ForceID: t.force(), Kind: kind, OfficerID: u.ID, CollarNumber: u.CollarNumber, RecordedAt: t.now, Classification: class}
	if h.IncidentID != 0 {
		inc, err := t.incident(h.IncidentID)
		if err != nil {
			return nil, err
		}
		rec.Incident, rec.Classification = inc.Number, maxClass(class, inc.Classification)
	}
	h.TakenAt = h.TakenAt.UTC().Truncate(time.Microsecond)
	id, err := t.insertID(`INSERT INTO forms (force_id, kind, client_id, officer_id, collar_number, incident_id, taken_at, recorded_at,
		event_seq, classification, reference, label, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, '', '', '')`,
		t.force(), kind, h.ClientID, u.ID, u.CollarNumber, h.IncidentID, micros(h.TakenAt), micros(t.now), rec.Classification)
	if err != nil {
		return nil, fmt.Errorf("insert form: %w", err)
	}
	rec.ID = bluelamp.FormID(id)
	return u, nil
}

// formRecorded appends the event recording a form (its payload the whole
// form, as the forms row keeps it), and audits the collection (DPA 2018
// s.62) with the Person records the form links as further subjects.
func (t *tx) formRecorded(rec *bluelamp.FormRecord, typ bluelamp.EventType, reference, label string, form any,
	j bluelamp.Justification, persons []string) (*bluelamp.Event, error) {
	sub := formSubject(rec.Kind, rec.ID)
	e, err := t.appendEvent(typ, sub, rec.Classification, form)
	if err != nil {
		return nil, err
	}
	if _, err := t.exec("UPDATE forms SET event_seq = ?, reference = ?, label = ?, body = ? WHERE force_id = ? AND id = ?",
		e.Seq, reference, label, string(e.Payload), t.force(), rec.ID); err != nil {
		return nil, fmt.Errorf("complete form: %w", err)
	}
	if j.IncidentRef == "" {
		j.IncidentRef = rec.Incident
	}
	return e, t.audit(auditEntry{action: bluelamp.AuditCollection, what: string(typ), records: []string{sub},
		subjects: uniq(append([]string{sub}, persons...)), j: j})
}

// formNotFound names the path's id.
func formNotFound(kind bluelamp.FormKind) error {
	return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: strings.ReplaceAll(formSubjects[kind], "_", " ") + " not found",
		Fields: map[string]string{"id": "no such form in this force"}}
}

// loadForm decodes form id of kind, as stored, into v.
func (t *tx) loadForm(id bluelamp.FormID, kind bluelamp.FormKind, v any) error {
	var body string
	err := t.queryRow("SELECT body FROM forms WHERE force_id = ? AND id = ? AND kind = ?", t.force(), id, kind).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return formNotFound(kind)
	}
	if err != nil {
		return fmt.Errorf("load form %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		return fmt.Errorf("decode form %d: %w", id, err)
	}
	return nil
}

// consulted audits a read of one form as a consultation, naming its
// incident when the justification names none.
func (t *tx) consulted(rec *bluelamp.FormRecord, j bluelamp.Justification, persons []string) error {
	sub := formSubject(rec.Kind, rec.ID)
	if j.IncidentRef == "" {
		j.IncidentRef = rec.Incident
	}
	return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: formSubjects[rec.Kind] + ".find", records: []string{sub},
		subjects: uniq(append([]string{sub}, persons...)), j: j})
}

// Paging of form lists.
const (
	DefaultFormLimit = 50
	MaxFormLimit     = 500
)

const summaryCols = `f.id, f.force_id, f.kind, f.officer_id, f.collar_number, f.recorded_at, f.classification, COALESCE(i.number, ''),
	f.client_id, f.incident_id, f.taken_at, f.reference, f.label, c.decision_due, COALESCE(c.decision, ''), c.decided_at`

const summaryFrom = ` FROM forms f LEFT JOIN incidents i ON i.force_id = f.force_id AND i.id = f.incident_id
	LEFT JOIN crime_reports c ON c.form_id = f.id`

func scanSummary(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.FormSummary, error) {
	var s bluelamp.FormSummary
	var recorded, taken int64
	var due, decided sql.NullInt64
	if err := sc.Scan(append([]any{&s.ID, &s.ForceID, &s.Kind, &s.OfficerID, &s.CollarNumber, &recorded, &s.Classification, &s.Incident,
		&s.ClientID, &s.IncidentID, &taken, &s.Reference, &s.Label, &due, &s.Decision, &decided}, extra...)...); err != nil {
		return nil, fmt.Errorf("scan form: %w", err)
	}
	s.RecordedAt, s.TakenAt, s.DecisionDue = fromMicros(recorded), fromMicros(taken), timePtr(due)
	s.DecisionLate = decided.Valid && due.Valid && decided.Int64 > due.Int64
	return &s, nil
}

// FindForms returns summaries of the caller's force's forms, newest first.
func (s *Store) FindForms(ctx context.Context, f bluelamp.FormFilter) ([]*bluelamp.FormSummary, int, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultFormLimit
	}
	limit = min(limit, MaxFormLimit)
	var out []*bluelamp.FormSummary
	total := 0
	err := s.read(ctx, func(t *tx) error {
		where, args := []string{"f.force_id = ?"}, []any{t.force()}
		if f.Kind != nil {
			where, args = append(where, "f.kind = ?"), append(args, *f.Kind)
		}
		if f.OfficerID != nil {
			where, args = append(where, "f.officer_id = ?"), append(args, *f.OfficerID)
		}
		if f.Collar != nil {
			where, args = append(where, "f.collar_number = ?"), append(args, *f.Collar)
		}
		if f.IncidentID != nil {
			if _, err := t.incident(*f.IncidentID); err != nil {
				return err
			}
			where, args = append(where, "f.incident_id = ?"), append(args, *f.IncidentID)
		}
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.FormSummary, error) {
			return scanSummary(sc, &total)
		}, "SELECT "+summaryCols+", COUNT(*) OVER()"+summaryFrom+" WHERE "+strings.Join(where, " AND ")+" ORDER BY f.id DESC LIMIT ? OFFSET ?",
			append(args, limit, f.Offset)...)
		return err
	})
	if out == nil {
		out = []*bluelamp.FormSummary{}
	}
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CreateStopSearch records a PACE Code A search and its receipt.
func (s *Store) CreateStopSearch(ctx context.Context, ss *bluelamp.StopSearch) error {
	if err := ss.Validate(s.Now().UTC()); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		u, err := t.newForm(bluelamp.FormStopSearch, &ss.FormRecord, &ss.FormHeader, bluelamp.ClassOfficial)
		if err != nil {
			return err
		}
		ss.Reference = bluelamp.StopSearchReference(ss.ClientID)
		ss.SearchedAt = ss.SearchedAt.UTC().Truncate(time.Microsecond)
		ss.RequestUntil, ss.Requests, ss.OfficerName = ss.RequestPeriodEnd(), nil, ""
		if ss.OfficerNameWithheld == "" {
			ss.OfficerName = u.DisplayName
		}
		var force bluelamp.Force
		if err := t.queryRow("SELECT id, name FROM forces WHERE id = ?", t.force()).Scan(&force.ID, &force.Name); err != nil {
			return fmt.Errorf("load force: %w", err)
		}
		if _, err := t.exec("INSERT INTO stop_searches (form_id, force_id, reference, searched_at, request_until, receipt) VALUES (?, ?, ?, ?, ?, ?)",
			ss.ID, t.force(), ss.Reference, micros(ss.SearchedAt), micros(ss.RequestUntil), jsonText(ss.Receipt(&force))); err != nil {
			// Sixty random bits: two devices' ids sharing them is all but
			// impossible, and a device that reuses an id is told to stop.
			return t.s.d.translate(err, "a stop-search with reference "+ss.Reference)
		}
		_, err = t.formRecorded(&ss.FormRecord, bluelamp.EventStopSearchRecorded, ss.Reference, ss.Label(), ss,
			bluelamp.Justification{Reason: "STOP", Text: "stop and search recorded (PACE Code A)"}, nil)
		return err
	})
}

// FindStopSearchByID returns a stop-search with the requests for it,
// audited as a consultation.
func (s *Store) FindStopSearchByID(ctx context.Context, id bluelamp.FormID, j bluelamp.Justification) (*bluelamp.StopSearch, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.StopSearch
	err := s.write(ctx, func(t *tx) error {
		var ss bluelamp.StopSearch
		if err := t.loadForm(id, bluelamp.FormStopSearch, &ss); err != nil {
			return err
		}
		reqs, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.StopSearchRecordRequest, error) {
			var r bluelamp.StopSearchRecordRequest
			var at int64
			err := sc.Scan(&at, &r.Name, &r.Email, &r.PostalAddress)
			r.RequestedAt = fromMicros(at)
			return &r, err
		}, "SELECT requested_at, name, email, postal_address FROM stop_search_requests WHERE force_id = ? AND form_id = ? ORDER BY id", t.force(), id)
		if err != nil {
			return fmt.Errorf("load record requests: %w", err)
		}
		ss.Requests, out = reqs, &ss
		return t.consulted(&ss.FormRecord, j, nil)
	})
	return result(out, err)
}

// FindStopSearchReceipt returns the receipt for reference to the
// deployment-wide actor: the public page finds it by reference alone.
func (s *Store) FindStopSearchReceipt(ctx context.Context, reference string) (*bluelamp.StopSearchReceipt, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, err
	}
	var out *bluelamp.StopSearchReceipt
	err = s.readAs(ctx, a, func(t *tx) error {
		var text string
		err := t.queryRow("SELECT receipt FROM stop_searches WHERE reference = ?", reference).Scan(&text)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "no stop and search has reference %s", reference)
		}
		if err != nil {
			return fmt.Errorf("load receipt: %w", err)
		}
		out, err = fromJSON[*bluelamp.StopSearchReceipt](text, "receipt")
		return err
	})
	return result(out, err)
}

// RequestStopSearchRecord records a request for the full record of the
// search with reference, in the search's force, acting as bluelamp's
// public service there.
func (s *Store) RequestStopSearchRecord(ctx context.Context, reference string, r *bluelamp.StopSearchRecordRequest) error {
	a, err := deploymentActor(ctx)
	if err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	var force bluelamp.ForceID
	var id bluelamp.FormID
	err = s.readAs(ctx, a, func(t *tx) error {
		err := t.queryRow("SELECT force_id, form_id FROM stop_searches WHERE reference = ?", reference).Scan(&force, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "no stop and search has reference %s", reference)
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.write(bluelamp.SystemContext(ctx, force, "public"), func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		var until int64
		var n int
		if err := t.queryRow(`SELECT s.request_until, (SELECT COUNT(*) FROM stop_search_requests r WHERE r.force_id = s.force_id AND r.form_id = s.form_id)
			FROM stop_searches s WHERE s.force_id = ? AND s.form_id = ?`, t.force(), id).Scan(&until, &n); err != nil {
			return fmt.Errorf("load stop-search %d: %w", id, err)
		}
		if t.now.After(fromMicros(until)) {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "request_period_ended",
				Message: fmt.Sprintf("the record of search %s could be requested until %s; ask the force directly", reference, fromMicros(until).Format("2 January 2006"))}
		}
		if n >= bluelamp.MaxRecordRequests {
			return &bluelamp.Error{Kind: bluelamp.KindRateLimited, Code: "too_many_requests",
				Message: fmt.Sprintf("the record of search %s has already been requested %d times; the force will answer those", reference, n)}
		}
		r.RequestedAt = t.now
		if _, err := t.exec("INSERT INTO stop_search_requests (force_id, form_id, requested_at, name, email, postal_address) VALUES (?, ?, ?, ?, ?, ?)",
			t.force(), id, micros(t.now), r.Name, r.Email, r.PostalAddress); err != nil {
			return fmt.Errorf("insert record request: %w", err)
		}
		sub := formSubject(bluelamp.FormStopSearch, id)
		if _, err := t.appendEvent(bluelamp.EventStopSearchRequested, sub, bluelamp.ClassOfficial,
			map[string]any{"form_id": id, "reference": reference, "request": r}); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: string(bluelamp.EventStopSearchRequested), records: []string{sub}, subjects: []string{sub},
			j: bluelamp.Justification{Reason: "STOP", Text: "the person searched asked for the record (PACE Code A 4.10A)"}})
	})
}
