package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// CreateNotebookEntry adds the next numbered entry to the signed-in
// officer's notebook.
func (s *Store) CreateNotebookEntry(ctx context.Context, e *bluelamp.NotebookEntry) error {
	if err := e.Validate(s.Now().UTC()); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		// The number is taken under the force's log head, which every write
		// of the force holds until it commits (a row lock on PostgreSQL, the
		// one writer on SQLite): two entries arriving at once on any nodes
		// get consecutive numbers, and the unique index is the backstop.
		if err := t.lock(); err != nil {
			return err
		}
		u, err := t.filer()
		if err != nil {
			return err
		}
		var last int64
		if err := t.queryRow("SELECT COALESCE(MAX(number), 0) FROM notebook_entries WHERE force_id = ? AND officer_id = ?", t.force(), u.ID).
			Scan(&last); err != nil {
			return fmt.Errorf("number notebook entry: %w", err)
		}
		if e.Corrects > last {
			return bluelamp.InvalidFields(map[string]string{"corrects": fmt.Sprintf("your notebook has no entry %d: its last is %d", e.Corrects, last)})
		}
		if _, err := t.newForm(bluelamp.FormNotebookEntry, &e.FormRecord, &e.FormHeader, bluelamp.ClassOfficial); err != nil {
			return err
		}
		e.Number, e.CorrectedBy, e.EventHash = last+1, nil, nil
		if _, err := t.exec("INSERT INTO notebook_entries (form_id, force_id, officer_id, number, corrects) VALUES (?, ?, ?, ?, ?)",
			e.ID, t.force(), u.ID, e.Number, e.Corrects); err != nil {
			return t.s.d.translate(err, fmt.Sprintf("notebook entry %d", e.Number))
		}
		ev, err := t.formRecorded(&e.FormRecord, bluelamp.EventNotebookEntryAdded, fmt.Sprintf("PNB %d", e.Number), e.Label(), e,
			bluelamp.Justification{Reason: "INVESTIGATION", Text: "pocket notebook entry recorded"}, nil)
		if err != nil {
			return err
		}
		e.EventHash = ev.Hash
		return nil
	})
}

// notebookOwner returns the officer whose notebook f names: the caller's
// own, or the user of the force holding a collar number.
func (t *tx) notebookOwner(f bluelamp.NotebookFilter) (*bluelamp.User, error) {
	if f.Collar == nil {
		if t.actor.UserID == 0 {
			return nil, errNotOfficer
		}
		return t.loadUser(t.actor.UserID)
	}
	ids, err := queryAll(t, func(sc interface{ Scan(...any) error }) (bluelamp.UserID, error) {
		var id bluelamp.UserID
		return id, sc.Scan(&id)
	}, "SELECT id FROM users WHERE force_id = ? AND collar_number = ? ORDER BY id LIMIT 2", t.force(), *f.Collar)
	switch {
	case err != nil:
		return nil, fmt.Errorf("find officer by collar number: %w", err)
	case len(ids) == 0:
		return nil, &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "no officer of this force has collar number " + *f.Collar,
			Fields: map[string]string{"collar_number": "no such officer in this force"}}
	case len(ids) > 1:
		return nil, &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "collar_number_shared",
			Message: "more than one user of this force has collar number " + *f.Collar + "; ask your force admin to correct the accounts"}
	}
	return t.loadUser(ids[0])
}

// Bounds on notebook reads.
const (
	DefaultNotebookLimit = 100
	MaxNotebookLimit     = 1000
	MaxNotebookExport    = 5000
)

// loadNotebook reads owner's entries in f's range, newest first, at most
// limit of them, with the entries correcting each and the reviews covering
// any of them.
func (t *tx) loadNotebook(owner *bluelamp.User, f bluelamp.NotebookFilter, limit int) (*bluelamp.Notebook, error) {
	n := &bluelamp.Notebook{ForceID: t.force(), OfficerID: owner.ID, CollarNumber: owner.CollarNumber, OfficerName: owner.DisplayName,
		Entries: []*bluelamp.NotebookEntry{}, Reviews: []*bluelamp.NotebookReview{}}
	to := f.To
	if to <= 0 {
		to = 1 << 62
	}
	type row struct {
		body     string
		number   int64
		corrects int64
		hash     []byte
	}
	rows, err := queryAll(t, func(sc interface{ Scan(...any) error }) (row, error) {
		var r row
		return r, sc.Scan(&r.body, &r.number, &r.corrects, &r.hash)
	}, `SELECT f.body, n.number, n.corrects, e.hash FROM notebook_entries n JOIN forms f ON f.id = n.form_id
		LEFT JOIN events e ON e.force_id = f.force_id AND e.seq = f.event_seq
		WHERE n.force_id = ? AND n.officer_id = ? AND n.number BETWEEN ? AND ? ORDER BY n.number DESC LIMIT ?`,
		t.force(), owner.ID, f.From, to, limit)
	if err != nil {
		return nil, fmt.Errorf("load notebook: %w", err)
	}
	if len(rows) == 0 {
		return n, nil
	}
	byNumber := map[int64]*bluelamp.NotebookEntry{}
	for _, r := range rows {
		e, err := fromJSON[*bluelamp.NotebookEntry](r.body, "notebook entry")
		if err != nil {
			return nil, err
		}
		e.Number, e.Corrects, e.EventHash = r.number, r.corrects, r.hash
		n.Entries = append(n.Entries, e)
		byNumber[e.Number] = e
	}
	lo, hi := rows[len(rows)-1].number, rows[0].number
	type correction struct{ corrects, number int64 }
	cs, err := queryAll(t, func(sc interface{ Scan(...any) error }) (correction, error) {
		var c correction
		return c, sc.Scan(&c.corrects, &c.number)
	}, "SELECT corrects, number FROM notebook_entries WHERE force_id = ? AND officer_id = ? AND corrects BETWEEN ? AND ? ORDER BY number",
		t.force(), owner.ID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("load corrections: %w", err)
	}
	for _, c := range cs {
		if e := byNumber[c.corrects]; e != nil {
			e.CorrectedBy = append(e.CorrectedBy, c.number)
		}
	}
	n.Reviews, err = queryAll(t, scanReview, `SELECT id, force_id, officer_id, from_number, to_number, reviewer_id, reviewer, reviewer_collar,
		reviewed_at, comment FROM notebook_reviews WHERE force_id = ? AND officer_id = ? AND to_number >= ? AND from_number <= ? ORDER BY id`,
		t.force(), owner.ID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("load reviews: %w", err)
	}
	for _, r := range n.Reviews {
		r.CollarNumber = owner.CollarNumber
	}
	if n.Reviews == nil {
		n.Reviews = []*bluelamp.NotebookReview{}
	}
	return n, nil
}

func scanReview(sc interface{ Scan(...any) error }) (*bluelamp.NotebookReview, error) {
	var r bluelamp.NotebookReview
	var at int64
	if err := sc.Scan(&r.ID, &r.ForceID, &r.OfficerID, &r.From, &r.To, &r.ReviewerID, &r.Reviewer, &r.ReviewerCollar, &at, &r.Comment); err != nil {
		return nil, fmt.Errorf("scan review: %w", err)
	}
	r.ReviewedAt = fromMicros(at)
	return &r, nil
}

// ownNotebook is the justification recorded when an officer reads their
// own notebook, which they need not give: it is still a consultation of the
// people their notes are about.
var ownNotebook = bluelamp.Justification{Reason: "OTHER", Text: "an officer reading their own pocket notebook"}

// notebookSubjects are the entries of n as audit subjects.
func notebookSubjects(n *bluelamp.Notebook) []string {
	subs := make([]string, len(n.Entries))
	for i, e := range n.Entries {
		subs[i] = formSubject(bluelamp.FormNotebookEntry, e.ID)
	}
	return subs
}

// FindNotebook returns a run of an officer's notebook, newest first,
// audited as a consultation.
func (s *Store) FindNotebook(ctx context.Context, f bluelamp.NotebookFilter, j *bluelamp.Justification) (*bluelamp.Notebook, error) {
	switch {
	case j != nil:
		if err := j.Validate(); err != nil {
			return nil, err
		}
	case f.Collar != nil:
		return nil, bluelamp.ErrJustificationRequired
	default:
		j = &ownNotebook
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultNotebookLimit
	}
	limit = min(limit, MaxNotebookLimit)
	var out *bluelamp.Notebook
	err := s.write(ctx, func(t *tx) error {
		owner, err := t.notebookOwner(f)
		if err != nil {
			return err
		}
		if out, err = t.loadNotebook(owner, f, limit); err != nil {
			return err
		}
		subs := notebookSubjects(out)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "notebook.find", records: []string{subject("notebook", owner.ID)},
			subjects: subs, j: *j})
	})
	return result(out, err)
}

// ExportNotebook returns a range of a notebook, oldest first, with its
// digest, records the export in the log and audits it as a consultation.
func (s *Store) ExportNotebook(ctx context.Context, f bluelamp.NotebookFilter, j bluelamp.Justification) (*bluelamp.Notebook, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Notebook
	err := s.write(ctx, func(t *tx) error {
		owner, err := t.notebookOwner(f)
		if err != nil {
			return err
		}
		n, err := t.loadNotebook(owner, f, MaxNotebookExport+1)
		if err != nil {
			return err
		}
		if len(n.Entries) > MaxNotebookExport {
			return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "export_too_large",
				Message: fmt.Sprintf("an export holds at most %d entries; give a narrower from and to", MaxNotebookExport)}
		}
		slices.SortFunc(n.Entries, func(a, b *bluelamp.NotebookEntry) int { return cmp.Compare(a.Number, b.Number) })
		n.Digest, n.ExportedAt, n.ExportedBy = n.ComputeDigest(), &t.now, t.actor.Name()
		from, to := f.From, f.To
		if len(n.Entries) > 0 {
			from, to = n.Entries[0].Number, n.Entries[len(n.Entries)-1].Number
		}
		ref := subject("notebook", owner.ID)
		if _, err := t.appendEvent(bluelamp.EventNotebookExported, ref, bluelamp.ClassOfficial, map[string]any{
			"officer_id": owner.ID, "collar_number": owner.CollarNumber, "from": from, "to": to, "entries": len(n.Entries), "digest": n.Digest,
		}); err != nil {
			return err
		}
		out = n
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "notebook.export", records: []string{ref}, subjects: notebookSubjects(n), j: j})
	})
	return result(out, err)
}

// ReviewNotebook records a supervisor's review of a range of an officer's
// entries.
func (s *Store) ReviewNotebook(ctx context.Context, r *bluelamp.NotebookReview) error {
	if err := r.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		owner, err := t.notebookOwner(bluelamp.NotebookFilter{Collar: &r.CollarNumber})
		if err != nil {
			return err
		}
		if owner.ID == t.actor.UserID {
			return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "own_notebook", Message: "a supervisor reviews other officers' notebooks, not their own"}
		}
		var last int64
		if err := t.queryRow("SELECT COALESCE(MAX(number), 0) FROM notebook_entries WHERE force_id = ? AND officer_id = ?", t.force(), owner.ID).
			Scan(&last); err != nil {
			return fmt.Errorf("load notebook: %w", err)
		}
		if r.To > last {
			return bluelamp.InvalidFields(map[string]string{"to": fmt.Sprintf("the notebook of %s has entries 1 to %d", owner.CollarNumber, last)})
		}
		reviewerCollar := ""
		if t.actor.UserID != 0 {
			err := t.queryRow("SELECT collar_number FROM users WHERE force_id = ? AND id = ?", t.force(), t.actor.UserID).Scan(&reviewerCollar)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("load reviewer: %w", err)
			}
		}
		r.ForceID, r.OfficerID, r.ReviewerID, r.Reviewer, r.ReviewerCollar, r.ReviewedAt = t.force(), owner.ID, t.actor.UserID, t.actor.Name(), reviewerCollar, t.now
		id, err := t.insertID(`INSERT INTO notebook_reviews (force_id, officer_id, from_number, to_number, reviewer_id, reviewer, reviewer_collar, reviewed_at, comment)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.force(), owner.ID, r.From, r.To, r.ReviewerID, r.Reviewer, reviewerCollar, micros(t.now), r.Comment)
		if err != nil {
			return fmt.Errorf("insert review: %w", err)
		}
		r.ID = id
		_, err = t.appendEvent(bluelamp.EventNotebookReviewed, subject("notebook", owner.ID), bluelamp.ClassOfficial, r)
		return err
	})
}
