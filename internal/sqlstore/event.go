package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// MaxPayload bounds an event's encoded payload.
const MaxPayload = 256 << 10

// appendEvent appends an event to the actor's force log in this transaction.
func (t *tx) appendEvent(typ bluelamp.EventType, subject string, class bluelamp.Classification, payload any) (*bluelamp.Event, error) {
	e, err := t.nextEvent(typ, subject, class, payload)
	if err != nil {
		return nil, err
	}
	return e, t.insertEvents([]*bluelamp.Event{e})
}

// nextEvent seals the next event of the actor's force log and moves the
// head past it; the caller inserts it (insertEvents) before the
// transaction commits, or fails the transaction.
func (t *tx) nextEvent(typ bluelamp.EventType, subject string, class bluelamp.Classification, payload any) (*bluelamp.Event, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	if len(b) > MaxPayload {
		return nil, &bluelamp.Error{Kind: bluelamp.KindTooLarge, Message: fmt.Sprintf("the event payload is over %d bytes", MaxPayload)}
	}
	h, err := t.loadHead(t.force())
	if err != nil {
		return nil, err
	}
	e := &bluelamp.Event{
		ForceID:        t.force(),
		Seq:            h.eventSeq + 1,
		ID:             bluelamp.NewEventID(t.now),
		Time:           t.now,
		ActorKind:      t.actor.Kind,
		ActorID:        t.actor.UserID,
		Actor:          t.actor.Name(),
		Type:           typ,
		Subject:        subject,
		Classification: class,
		Payload:        b,
	}
	e.Seal(h.eventHash)
	h.eventSeq, h.eventHash, h.dirty = e.Seq, e.Hash, true
	t.events = append(t.events, e)
	return e, nil
}

// eventsPerInsert is how many events one INSERT writes: 13 parameters
// each, well inside both engines' limits, and few round trips for an
// import's thousands.
const eventsPerInsert = 200

// insertEvents writes events made by nextEvent, in few statements.
func (t *tx) insertEvents(events []*bluelamp.Event) error {
	for len(events) > 0 {
		n := min(len(events), eventsPerInsert)
		q := `INSERT INTO events (force_id, seq, id, at, actor_kind, actor_id, actor, type, subject, classification, payload, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)` + strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", n-1)
		args := make([]any, 0, 13*n)
		for _, e := range events[:n] {
			args = append(args, e.ForceID, e.Seq, e.ID, micros(e.Time), e.ActorKind, e.ActorID, e.Actor, e.Type, e.Subject, e.Classification,
				string(e.Payload), []byte(e.PrevHash), []byte(e.Hash))
		}
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		events = events[n:]
	}
	return nil
}

// AppendEvent appends a log-only event (a type registered as Direct).
func (s *Store) AppendEvent(ctx context.Context, typ bluelamp.EventType, subject string, class bluelamp.Classification, payload any) (*bluelamp.Event, error) {
	if !typ.Info().Direct {
		return nil, bluelamp.Errorf(bluelamp.KindInvalid, "events of type %s are appended only with the change they record", typ)
	}
	if !class.Valid() {
		return nil, bluelamp.InvalidFields(map[string]string{"classification": "must be OFFICIAL or OFFICIAL-SENSITIVE"})
	}
	if len(subject) > 200 {
		return nil, bluelamp.InvalidFields(map[string]string{"subject": "must be at most 200 characters"})
	}
	var e *bluelamp.Event
	err := s.write(ctx, func(t *tx) (err error) {
		e, err = t.appendEvent(typ, subject, class, payload)
		return err
	})
	return e, err
}

const eventColumns = "force_id, seq, id, at, actor_kind, actor_id, actor, type, subject, classification, payload, prev_hash, hash"

func scanEvent(sc interface{ Scan(...any) error }) (*bluelamp.Event, error) {
	var e bluelamp.Event
	var at int64
	var payload string
	var prev, hash []byte
	if err := sc.Scan(&e.ForceID, &e.Seq, &e.ID, &at, &e.ActorKind, &e.ActorID, &e.Actor, &e.Type, &e.Subject,
		&e.Classification, &payload, &prev, &hash); err != nil {
		return nil, err
	}
	e.Time, e.Payload, e.PrevHash, e.Hash = fromMicros(at), json.RawMessage(payload), prev, hash
	return &e, nil
}

// DefaultEventLimit and MaxEventLimit bound a page of events.
const (
	DefaultEventLimit = 500
	MaxEventLimit     = 5000
)

// FindEvents returns the caller's force's events after f.After, in order.
// A person gets Personal payloads only with a justification, and that read
// is audited in the same transaction; bluelamp's own actors get them whole.
func (s *Store) FindEvents(ctx context.Context, f bluelamp.EventFilter) ([]*bluelamp.Event, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultEventLimit
	}
	limit = min(limit, MaxEventLimit)
	query := func(t *tx) ([]*bluelamp.Event, error) {
		events, err := queryAll(t, scanEvent, "SELECT "+eventColumns+" FROM events WHERE force_id = ? AND seq > ? ORDER BY seq LIMIT ?", t.force(), f.After, limit)
		if err != nil {
			return nil, fmt.Errorf("query events: %w", err)
		}
		return events, nil
	}
	var events []*bluelamp.Event
	if f.Justification == nil {
		err := s.read(ctx, func(t *tx) (err error) {
			events, err = query(t)
			return err
		})
		if a := bluelamp.ActorFrom(ctx); err == nil && a.Kind != bluelamp.ActorSystem {
			for i, e := range events {
				events[i] = e.Redacted()
			}
		}
		return events, err
	}
	if err := f.Justification.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(t *tx) (err error) {
		if events, err = query(t); err != nil {
			return err
		}
		var records, subjects []string
		for _, e := range events {
			if e.Type.Info().Personal {
				records, subjects = append(records, subject("event", e.Seq)), append(subjects, e.Subject)
			}
		}
		if len(records) == 0 {
			return nil
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "log.read", records: records, subjects: uniq(subjects), j: *f.Justification})
	})
	return events, err
}

// FindHead returns the caller's force's log head.
func (s *Store) FindHead(ctx context.Context) (bluelamp.Head, error) {
	var h bluelamp.Head
	err := s.read(ctx, func(t *tx) error {
		h.ForceID = t.force()
		var hash []byte
		if err := t.queryRow("SELECT event_seq, event_hash FROM force_heads WHERE force_id = ?", t.force()).Scan(&h.Seq, &hash); err != nil {
			return fmt.Errorf("load head: %w", err)
		}
		h.Hash = hash
		return nil
	})
	return h, err
}

// FindHeads returns every force's log head to a deployment-wide system actor.
func (s *Store) FindHeads(ctx context.Context) ([]bluelamp.Head, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, err
	}
	var heads []bluelamp.Head
	err = s.readAs(ctx, a, func(t *tx) error {
		rows, err := t.query("SELECT force_id, event_seq, event_hash FROM force_heads ORDER BY force_id")
		if err != nil {
			return fmt.Errorf("query heads: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h bluelamp.Head
			var hash []byte
			if err := rows.Scan(&h.ForceID, &h.Seq, &hash); err != nil {
				return fmt.Errorf("scan head: %w", err)
			}
			h.Hash = hash
			heads = append(heads, h)
		}
		return rows.Err()
	})
	return heads, err
}

// deploymentActor returns the actor in ctx if it is the deployment-wide
// system actor, the only one allowed to act across forces.
func deploymentActor(ctx context.Context) (*bluelamp.Actor, error) {
	a := bluelamp.ActorFrom(ctx)
	if a == nil {
		return nil, bluelamp.ErrNoActor
	}
	if a.Kind != bluelamp.ActorSystem || a.ForceID != "" {
		return nil, bluelamp.Errorf(bluelamp.KindForbidden, "only bluelamp itself may act across forces")
	}
	return a, nil
}

// subject formats a record reference such as "user/12".
func subject(kind string, id any) string { return fmt.Sprintf("%s/%v", kind, id) }

// roleList encodes roles as stored: space-separated.
func roleList(roles []bluelamp.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " ")
}

func parseRoles(s string) []bluelamp.Role {
	roles := []bluelamp.Role{}
	for f := range strings.FieldsSeq(s) {
		roles = append(roles, bluelamp.Role(f))
	}
	return roles
}
