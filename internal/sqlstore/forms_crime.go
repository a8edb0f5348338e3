package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bluelamp/bluelamp"
)

// CreateCrimeReport records a crime report; its recording decision is due
// 24 hours after the report reached the police (NCRS).
func (s *Store) CreateCrimeReport(ctx context.Context, c *bluelamp.CrimeReport) error {
	if err := c.Validate(s.Now().UTC()); err != nil {
		return err
	}
	class := bluelamp.ClassOfficial
	if c.Sensitive() {
		class = bluelamp.ClassOfficialSensitive
	}
	return s.write(ctx, func(t *tx) error {
		if _, err := t.newForm(bluelamp.FormCrimeReport, &c.FormRecord, &c.FormHeader, class); err != nil {
			return err
		}
		c.ReportedAt = c.ReportedAt.UTC().Truncate(time.Microsecond)
		c.DecisionDue, c.Decision, c.Outcome = c.ReportedAt.Add(bluelamp.NCRSDecisionWindow), nil, nil
		if _, err := t.exec(`INSERT INTO crime_reports (form_id, force_id, reported_at, decision_due, decision, crime_number)
			VALUES (?, ?, ?, ?, '', '')`, c.ID, t.force(), micros(c.ReportedAt), micros(c.DecisionDue)); err != nil {
			return fmt.Errorf("insert crime report: %w", err)
		}
		_, err := t.formRecorded(&c.FormRecord, bluelamp.EventCrimeReported, "", c.Label(), c,
			bluelamp.Justification{Reason: "INVESTIGATION", Text: "crime report recorded"}, c.PersonRefs())
		return err
	})
}

// crimeState is a crime report's decision and outcome as crime_reports
// keeps them.
type crimeState struct {
	rec      bluelamp.FormRecord
	due      time.Time
	decision *bluelamp.CrimeDecision
	outcome  *bluelamp.CrimeOutcome
}

// crime loads a crime report's decision state.
func (t *tx) crime(id bluelamp.FormID) (*crimeState, error) {
	var st crimeState
	var due int64
	var decision, outcome sql.NullString
	err := t.queryRow(`SELECT f.id, f.kind, f.classification, COALESCE(i.number, ''), c.decision_due, c.decision_body, c.outcome
		FROM crime_reports c JOIN forms f ON f.id = c.form_id LEFT JOIN incidents i ON i.force_id = f.force_id AND i.id = f.incident_id
		WHERE c.force_id = ? AND c.form_id = ?`, t.force(), id).
		Scan(&st.rec.ID, &st.rec.Kind, &st.rec.Classification, &st.rec.Incident, &due, &decision, &outcome)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, formNotFound(bluelamp.FormCrimeReport)
	}
	if err != nil {
		return nil, fmt.Errorf("load crime report %d: %w", id, err)
	}
	st.due = fromMicros(due)
	if decision.Valid {
		if st.decision, err = fromJSON[*bluelamp.CrimeDecision](decision.String, "crime decision"); err != nil {
			return nil, err
		}
	}
	if outcome.Valid {
		if st.outcome, err = fromJSON[*bluelamp.CrimeOutcome](outcome.String, "crime outcome"); err != nil {
			return nil, err
		}
	}
	return &st, nil
}

// FindCrimeReportByID returns a crime report with its decision and
// outcome, audited as a consultation.
func (s *Store) FindCrimeReportByID(ctx context.Context, id bluelamp.FormID, j bluelamp.Justification) (*bluelamp.CrimeReport, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.CrimeReport
	err := s.write(ctx, func(t *tx) error {
		var c bluelamp.CrimeReport
		if err := t.loadForm(id, bluelamp.FormCrimeReport, &c); err != nil {
			return err
		}
		st, err := t.crime(id)
		if err != nil {
			return err
		}
		c.DecisionDue, c.Decision, c.Outcome, out = st.due, st.decision, st.outcome, &c
		return t.consulted(&c.FormRecord, j, c.PersonRefs())
	})
	return result(out, err)
}

// nextFormSerial returns the force's next serial of kind in period.
func (t *tx) nextFormSerial(kind, period string) (int, error) {
	var n int
	err := t.queryRow(`INSERT INTO form_serials (force_id, kind, period, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (force_id, kind, period) DO UPDATE SET last = form_serials.last + 1 RETURNING last`,
		t.force(), kind, period).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next %s serial: %w", kind, err)
	}
	return n, nil
}

// DecideCrimeReport records the crime-recording decision once.
func (s *Store) DecideCrimeReport(ctx context.Context, id bluelamp.FormID, d *bluelamp.CrimeDecision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		st, err := t.crime(id)
		if err != nil {
			return err
		}
		if p := st.decision; p != nil {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "already_decided",
				Message: fmt.Sprintf("the recording decision (%s) was made by %s at %s; a changed decision needs the force's crime registrar",
					p.Decision, p.DecidedBy, p.DecidedAt.Format("15:04 02 Jan 2006"))}
		}
		d.DecidedAt, d.DecidedBy, d.Late, d.CrimeNumber = t.now, t.actor.Name(), t.now.After(st.due), ""
		if d.Decision == bluelamp.DecisionRecorded {
			fs, err := t.settings()
			if err != nil {
				return err
			}
			year := t.now.In(fs.Location()).Year()
			n, err := t.nextFormSerial("crime", strconv.Itoa(year))
			if err != nil {
				return err
			}
			d.CrimeNumber = bluelamp.CrimeNumber(n, year)
		}
		if _, err := t.exec("UPDATE crime_reports SET decision = ?, decided_at = ?, decision_body = ?, crime_number = ? WHERE force_id = ? AND form_id = ?",
			d.Decision, micros(t.now), jsonText(d), d.CrimeNumber, t.force(), id); err != nil {
			return fmt.Errorf("record crime decision: %w", err)
		}
		if _, err := t.exec("UPDATE forms SET reference = ? WHERE force_id = ? AND id = ?", d.CrimeNumber, t.force(), id); err != nil {
			return fmt.Errorf("record crime number: %w", err)
		}
		sub := formSubject(bluelamp.FormCrimeReport, id)
		if _, err := t.appendEvent(bluelamp.EventCrimeDecided, sub, st.rec.Classification, map[string]any{"form_id": id, "decision": d}); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: string(bluelamp.EventCrimeDecided), records: []string{sub}, subjects: []string{sub},
			j: bluelamp.Justification{Reason: "INVESTIGATION", Text: "crime-recording decision (NCRS)", IncidentRef: st.rec.Incident}})
	})
}

// RecordCrimeOutcome records an outcome of a recorded crime; a later one
// supersedes it, and each stays in the log.
func (s *Store) RecordCrimeOutcome(ctx context.Context, id bluelamp.FormID, o *bluelamp.CrimeOutcome) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		st, err := t.crime(id)
		if err != nil {
			return err
		}
		if st.decision == nil || st.decision.Decision != bluelamp.DecisionRecorded {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "not_recorded",
				Message: "an outcome is recorded only for a report recorded as a crime; make the recording decision first"}
		}
		o.RecordedAt, o.RecordedBy = t.now, t.actor.Name()
		if _, err := t.exec("UPDATE crime_reports SET outcome = ? WHERE force_id = ? AND form_id = ?", jsonText(o), t.force(), id); err != nil {
			return fmt.Errorf("record crime outcome: %w", err)
		}
		sub := formSubject(bluelamp.FormCrimeReport, id)
		if _, err := t.appendEvent(bluelamp.EventCrimeOutcomeRecorded, sub, st.rec.Classification,
			map[string]any{"form_id": id, "crime_number": st.decision.CrimeNumber, "outcome": o}); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: string(bluelamp.EventCrimeOutcomeRecorded), records: []string{sub}, subjects: []string{sub},
			j: bluelamp.Justification{Reason: "INVESTIGATION", Text: "crime outcome recorded", IncidentRef: st.rec.Incident}})
	})
}

// MaxAwaitingDecision bounds the list of reports awaiting a decision.
const MaxAwaitingDecision = 1000

// FindCrimeReportsAwaitingDecision returns the force's undecided crime
// reports, the earliest due first.
func (s *Store) FindCrimeReportsAwaitingDecision(ctx context.Context) ([]*bluelamp.FormSummary, error) {
	var out []*bluelamp.FormSummary
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.FormSummary, error) { return scanSummary(sc) },
			"SELECT "+summaryCols+summaryFrom+" WHERE c.force_id = ? AND c.decision = '' ORDER BY c.decision_due, f.id LIMIT ?",
			t.force(), MaxAwaitingDecision)
		return err
	})
	if out == nil {
		out = []*bluelamp.FormSummary{}
	}
	return result(out, err)
}
