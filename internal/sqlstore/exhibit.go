package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/bluelamp/bluelamp"
)

var _ bluelamp.ExhibitStore = (*Store)(nil)

const exhibitCols = `x.id, x.force_id, x.reference, x.origin, x.description, x.seized_at, x.seized_from, x.lat, x.lon, x.produced_by,
	x.producer_name, x.incident_id, COALESCE(i.number, ''), x.sha256, x.size, x.content_type, x.filename, x.state, x.custodian,
	x.held_at, x.created_at`

const exhibitFrom = ` FROM exhibits x LEFT JOIN incidents i ON i.id = x.incident_id AND i.force_id = x.force_id`

func scanExhibit(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.Exhibit, error) {
	var e bluelamp.Exhibit
	var seized, created int64
	var lat, lon sql.NullFloat64
	var sum string
	dest := []any{&e.ID, &e.ForceID, &e.Reference, &e.Origin, &e.Description, &seized, &e.SeizedFrom, &lat, &lon, &e.ProducedBy,
		&e.ProducerName, &e.IncidentID, &e.Incident, &sum, &e.Size, &e.ContentType, &e.Filename, &e.State, &e.Custodian,
		&e.HeldAt, &created}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	e.SeizedAt, e.CreatedAt = fromMicros(seized), fromMicros(created)
	if lat.Valid && lon.Valid {
		e.Position = &bluelamp.Position{Lat: lat.Float64, Lon: lon.Float64}
	}
	var err error
	if e.SHA256, err = hex.DecodeString(sum); err != nil {
		return nil, fmt.Errorf("decode exhibit hash: %w", err)
	}
	return &e, nil
}

// exhibitNotFound names the field so a form can point at it.
func exhibitNotFound() error {
	return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "exhibit not found", Fields: map[string]string{"id": "no such exhibit in this force"}}
}

// exhibit loads one exhibit of the force, without its chain.
func (t *tx) exhibit(id bluelamp.ExhibitID) (*bluelamp.Exhibit, error) {
	e, err := scanExhibit(t.queryRow("SELECT "+exhibitCols+exhibitFrom+" WHERE x.force_id = ? AND x.id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, exhibitNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load exhibit %d: %w", id, err)
	}
	return e, nil
}

func scanCustody(sc interface{ Scan(...any) error }) (*bluelamp.CustodyEntry, error) {
	var c bluelamp.CustodyEntry
	var at int64
	if err := sc.Scan(&c.ID, &c.ExhibitID, &c.Action, &at, &c.By, &c.ByCollar, &c.Location, &c.Recipient, &c.Notes); err != nil {
		return nil, fmt.Errorf("scan custody entry: %w", err)
	}
	c.At = fromMicros(at)
	return &c, nil
}

// custody loads an exhibit's chain of custody, oldest first.
func (t *tx) custody(id bluelamp.ExhibitID) ([]*bluelamp.CustodyEntry, error) {
	cs, err := queryAll(t, scanCustody, `SELECT id, exhibit_id, action, at, by_user, by_collar, location, recipient, notes
		FROM exhibit_custody WHERE force_id = ? AND exhibit_id = ? ORDER BY id`, t.force(), id)
	if err != nil {
		return nil, fmt.Errorf("load chain of custody: %w", err)
	}
	return cs, nil
}

// officer returns the signed-in officer acting: a user (or their token)
// with a collar number. Exhibits and referrals are made by officers.
func (t *tx) officer(what string) (*bluelamp.User, error) {
	if t.actor.Kind == bluelamp.ActorSystem || t.actor.UserID == 0 {
		return nil, bluelamp.Errorf(bluelamp.KindForbidden, "%s is made by a signed-in officer", what)
	}
	u, err := t.loadUser(t.actor.UserID)
	if err != nil {
		return nil, err
	}
	if u.CollarNumber == "" {
		return nil, &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "collar_number_required",
			Message: "only an officer with a collar number may make " + what + "; ask a force admin to add yours"}
	}
	return u, nil
}

// whenDone checks a time a device gave for something done in the field:
// the zero time or a time ahead of the server's (a fast phone clock) means
// now; one more than ExhibitBackdate ago is refused, naming field.
func (t *tx) whenDone(at time.Time, field string) (time.Time, error) {
	if at.IsZero() || at.After(t.now) {
		return t.now, nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	if t.now.Sub(at) > bluelamp.ExhibitBackdate {
		return at, bluelamp.InvalidFields(map[string]string{field: "must be within the last 72 hours"})
	}
	return at, nil
}

// CreateExhibit records an exhibit whose file is stored, with its first
// custody entry, produced by the signed-in officer.
func (s *Store) CreateExhibit(ctx context.Context, e *bluelamp.Exhibit) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if len(e.SHA256) != 32 || e.Size < 0 || e.ContentType == "" {
		return fmt.Errorf("create exhibit: the stored file's hash, size and type are required")
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		u, err := t.officer("an exhibit")
		if err != nil {
			return err
		}
		if e.SeizedAt, err = t.whenDone(e.SeizedAt, "seized_at"); err != nil {
			return err
		}
		class := bluelamp.ClassOfficial
		e.Incident = ""
		if e.IncidentID > 0 {
			inc, err := t.incident(e.IncidentID)
			if err != nil {
				return err
			}
			class, e.Incident = inc.Classification, inc.Number
		}
		var seq int
		if err := t.queryRow("SELECT COALESCE(MAX(producer_seq), 0) + 1 FROM exhibits WHERE force_id = ? AND producer_id = ?",
			t.force(), u.ID).Scan(&seq); err != nil {
			return fmt.Errorf("next exhibit number: %w", err)
		}
		e.ForceID, e.Reference, e.ProducedBy, e.ProducerName = t.force(), bluelamp.ExhibitReference(bluelamp.ExhibitInitials(u.DisplayName), seq), u.CollarNumber, u.DisplayName
		e.State, e.Custodian, e.HeldAt, e.CreatedAt = bluelamp.ExhibitHeld, u.CollarNumber+" "+u.DisplayName, e.SeizedFrom, t.now
		lat, lon := nullPos(e.Position)
		id, err := t.insertID(`INSERT INTO exhibits (force_id, reference, producer_id, producer_seq, produced_by, producer_name, origin, description,
			seized_at, seized_from, lat, lon, incident_id, classification, sha256, size, content_type, filename, state, custodian, held_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.force(), e.Reference, u.ID, seq, e.ProducedBy, e.ProducerName, e.Origin, e.Description,
			micros(e.SeizedAt), e.SeizedFrom, lat, lon, e.IncidentID, class, e.SHA256.String(), e.Size, e.ContentType, e.Filename,
			e.State, e.Custodian, e.HeldAt, micros(t.now))
		if err != nil {
			return fmt.Errorf("insert exhibit: %w", err)
		}
		e.ID = bluelamp.ExhibitID(id)
		first := &bluelamp.CustodyEntry{Action: bluelamp.CustodySeized, At: e.SeizedAt, Location: e.SeizedFrom}
		if e.Origin == bluelamp.ExhibitProduced {
			first.Action = bluelamp.CustodyProduced
		}
		if err := t.handle(e, first, class, u, bluelamp.EventExhibitProduced); err != nil {
			return err
		}
		e.Custody = []*bluelamp.CustodyEntry{first}
		ref := subject("exhibit", id)
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "exhibit.create", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "INVESTIGATION", Text: "exhibit " + e.Reference + " " + string(first.Action), IncidentRef: e.Incident}})
	})
}

// handle writes custody entry c of exhibit e (as it stands after it) and
// appends its event; c carries the sequence the event takes.
func (t *tx) handle(e *bluelamp.Exhibit, c *bluelamp.CustodyEntry, class bluelamp.Classification, by *bluelamp.User, typ bluelamp.EventType) error {
	h, err := t.loadHead(t.force())
	if err != nil {
		return err
	}
	c.ExhibitID, c.By = e.ID, t.actor.Name()
	if by != nil {
		c.ByCollar = by.CollarNumber
	}
	id, err := t.insertID(`INSERT INTO exhibit_custody (force_id, exhibit_id, event_seq, action, at, by_user, by_collar, location, recipient, notes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.force(), e.ID, h.eventSeq+1, c.Action, micros(c.At), c.By, c.ByCollar, c.Location, c.Recipient, c.Notes)
	if err != nil {
		return fmt.Errorf("insert custody entry: %w", err)
	}
	c.ID = id
	bare := *e
	bare.Custody = nil
	_, err = t.appendEvent(typ, subject("exhibit", e.ID), class, bluelamp.ExhibitChange{Exhibit: &bare, Custody: c})
	return err
}

// exhibitClass returns the classification an exhibit's events carry: its
// incident's, stored with it.
func (t *tx) exhibitClass(id bluelamp.ExhibitID) (bluelamp.Classification, error) {
	var class bluelamp.Classification
	if err := t.queryRow("SELECT classification FROM exhibits WHERE force_id = ? AND id = ?", t.force(), id).Scan(&class); err != nil {
		return "", fmt.Errorf("load exhibit classification: %w", err)
	}
	return class, nil
}

// RecordCustody records a handling of an exhibit.
func (s *Store) RecordCustody(ctx context.Context, id bluelamp.ExhibitID, c *bluelamp.CustodyEntry) (*bluelamp.Exhibit, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Exhibit
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		e, err := t.exhibit(id)
		if err != nil {
			return err
		}
		chain, err := t.custody(id)
		if err != nil {
			return err
		}
		entry := *c
		if entry.At, err = t.whenDone(c.At, "at"); err != nil {
			return err
		}
		if last := chain[len(chain)-1]; entry.At.Before(last.At) {
			return bluelamp.InvalidFields(map[string]string{"at": fmt.Sprintf("must not be before the exhibit's last handling (%s, %s)",
				last.Action, last.At.Format(time.RFC3339))})
		}
		if e.State, e.Custodian, e.HeldAt, err = entry.Apply(e.State, e.Custodian, e.HeldAt); err != nil {
			return err
		}
		var by *bluelamp.User
		if t.actor.UserID != 0 {
			if by, err = t.loadUser(t.actor.UserID); err != nil {
				return err
			}
		}
		if _, err := t.exec("UPDATE exhibits SET state = ?, custodian = ?, held_at = ? WHERE force_id = ? AND id = ?",
			e.State, e.Custodian, e.HeldAt, t.force(), id); err != nil {
			return fmt.Errorf("update exhibit: %w", err)
		}
		class, err := t.exhibitClass(id)
		if err != nil {
			return err
		}
		if err := t.handle(e, &entry, class, by, bluelamp.EventExhibitHandled); err != nil {
			return err
		}
		e.Custody = append(chain, &entry)
		out = e
		ref := subject("exhibit", id)
		if entry.Recipient == "" {
			return nil
		}
		// A recipient is a person or organisation named: collected.
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "exhibit.handle", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "INVESTIGATION", Text: "exhibit " + e.Reference + " " + string(entry.Action), IncidentRef: e.Incident}})
	})
	return result(out, err)
}

// FindExhibitByID returns an exhibit with its chain, audited.
func (s *Store) FindExhibitByID(ctx context.Context, id bluelamp.ExhibitID, j bluelamp.Justification) (*bluelamp.Exhibit, error) {
	return s.consultExhibit(ctx, id, j, "exhibit.find")
}

// ViewExhibitContent returns an exhibit whose file is to be shown, audited.
func (s *Store) ViewExhibitContent(ctx context.Context, id bluelamp.ExhibitID, j bluelamp.Justification) (*bluelamp.Exhibit, error) {
	return s.consultExhibit(ctx, id, j, "exhibit.view_content")
}

func (s *Store) consultExhibit(ctx context.Context, id bluelamp.ExhibitID, j bluelamp.Justification, what string) (*bluelamp.Exhibit, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Exhibit
	err := s.write(ctx, func(t *tx) error {
		e, err := t.exhibit(id)
		if err != nil {
			return err
		}
		if e.Custody, err = t.custody(id); err != nil {
			return err
		}
		out = e
		if j.IncidentRef == "" {
			j.IncidentRef = e.Incident
		}
		ref := subject("exhibit", id)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: what, records: []string{ref}, subjects: []string{ref}, j: j})
	})
	return result(out, err)
}

// FindExhibits returns exhibits, newest first, audited.
func (s *Store) FindExhibits(ctx context.Context, f bluelamp.ExhibitFilter, j bluelamp.Justification) ([]*bluelamp.Exhibit, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	var out []*bluelamp.Exhibit
	var total int
	err := s.write(ctx, func(t *tx) error {
		where, args := []string{"x.force_id = ?"}, []any{t.force()}
		if f.IncidentID != nil {
			where, args = append(where, "x.incident_id = ?"), append(args, *f.IncidentID)
		}
		if f.ProducedBy != nil {
			where, args = append(where, "x.produced_by = ?"), append(args, *f.ProducedBy)
		}
		rows, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Exhibit, error) {
			return scanExhibit(sc, &total)
		}, "SELECT "+exhibitCols+", COUNT(*) OVER ()"+exhibitFrom+" WHERE "+joinAnd(where)+" ORDER BY x.id DESC LIMIT ? OFFSET ?",
			append(args, pageLimit(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return fmt.Errorf("query exhibits: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(rows), f.Offset, "exhibits x", where, args); err != nil {
			return err
		}
		out = rows
		refs := make([]string, len(rows))
		for i, e := range rows {
			refs[i] = subject("exhibit", e.ID)
		}
		if out == nil {
			out = []*bluelamp.Exhibit{}
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "exhibit.list", records: refs, subjects: refs, j: j})
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// RecordExhibitIntegrityFailure logs that an exhibit's file no longer
// matches its hash.
func (s *Store) RecordExhibitIntegrityFailure(ctx context.Context, id bluelamp.ExhibitID, got bluelamp.Hash) error {
	return s.write(ctx, func(t *tx) error {
		e, err := t.exhibit(id)
		if err != nil {
			return err
		}
		if got == nil {
			got = bluelamp.Hash{}
		}
		_, err = t.appendEvent(bluelamp.EventExhibitIntegrityFailed, subject("exhibit", id), bluelamp.ClassOfficial,
			bluelamp.ExhibitIntegrityFailure{ExhibitID: id, Reference: e.Reference, Want: e.SHA256, Got: got})
		return err
	})
}
