package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// auditEntry is what a store method says about its processing of personal
// data; the tx adds who, when and the chain.
type auditEntry struct {
	action      bluelamp.AuditAction
	what        string
	records     []string
	subjects    []string
	j           bluelamp.Justification
	recipient   string
	agreementID string
}

// audit appends an s.62 record to the actor's force's audit trail in this
// transaction, so the processing and its log commit or fail together.
func (t *tx) audit(a auditEntry) error {
	h, err := t.loadHead(t.force())
	if err != nil {
		return err
	}
	r := &bluelamp.AuditRecord{
		ForceID:       t.force(),
		Seq:           h.auditSeq + 1,
		Time:          t.now,
		Action:        a.action,
		ActorKind:     t.actor.Kind,
		ActorID:       t.actor.UserID,
		Actor:         t.actor.Name(),
		ActorRoles:    append([]bluelamp.Role{}, t.actor.Roles...),
		SessionID:     t.actor.SessionID,
		What:          a.what,
		Records:       nonNil(a.records),
		Subjects:      nonNil(a.subjects),
		Justification: a.j,
		Recipient:     a.recipient,
		AgreementID:   a.agreementID,
	}
	r.Seal(h.auditHash)
	records, _ := json.Marshal(r.Records)
	subjects, _ := json.Marshal(r.Subjects)
	if _, err := t.exec(`INSERT INTO audit_records (force_id, seq, at, action, actor_kind, actor_id, actor, actor_roles, session_id, what,
		records, subjects, reason, justification, incident_ref, recipient, agreement_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ForceID, r.Seq, micros(r.Time), r.Action, r.ActorKind, r.ActorID, r.Actor, roleList(r.ActorRoles), r.SessionID, r.What,
		string(records), string(subjects), r.Justification.Reason, r.Justification.Text, r.Justification.IncidentRef,
		r.Recipient, r.AgreementID, []byte(r.PrevHash), []byte(r.Hash)); err != nil {
		return fmt.Errorf("insert audit record: %w", err)
	}
	for _, sub := range uniq(r.Subjects) {
		if _, err := t.exec("INSERT INTO audit_subjects (force_id, subject, seq) VALUES (?, ?, ?)", r.ForceID, sub, r.Seq); err != nil {
			return fmt.Errorf("insert audit subject: %w", err)
		}
	}
	h.auditSeq, h.auditHash, h.dirty = r.Seq, r.Hash, true
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

const auditColumns = `a.force_id, a.seq, a.at, a.action, a.actor_kind, a.actor_id, a.actor, a.actor_roles, a.session_id, a.what,
	a.records, a.subjects, a.reason, a.justification, a.incident_ref, a.recipient, a.agreement_id, a.prev_hash, a.hash`

func scanAudit(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.AuditRecord, error) {
	var r bluelamp.AuditRecord
	var at int64
	var roles, records, subjects string
	var prev, hash []byte
	dest := []any{&r.ForceID, &r.Seq, &at, &r.Action, &r.ActorKind, &r.ActorID, &r.Actor, &roles, &r.SessionID, &r.What,
		&records, &subjects, &r.Justification.Reason, &r.Justification.Text, &r.Justification.IncidentRef,
		&r.Recipient, &r.AgreementID, &prev, &hash}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.Time, r.ActorRoles, r.PrevHash, r.Hash = fromMicros(at), parseRoles(roles), prev, hash
	if err := json.Unmarshal([]byte(records), &r.Records); err != nil {
		return nil, fmt.Errorf("decode audit records: %w", err)
	}
	if err := json.Unmarshal([]byte(subjects), &r.Subjects); err != nil {
		return nil, fmt.Errorf("decode audit subjects: %w", err)
	}
	return &r, nil
}

// Paging bounds for list methods.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

func pageLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}

// FindAuditRecords returns the caller's force's audit records, newest first,
// and the total before paging. Reading the audit trail is itself audited.
func (s *Store) FindAuditRecords(ctx context.Context, f bluelamp.AuditFilter, j bluelamp.Justification) ([]*bluelamp.AuditRecord, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	var records []*bluelamp.AuditRecord
	var total int
	err := s.write(ctx, func(t *tx) error {
		where, args := []string{"a.force_id = ?"}, []any{t.force()}
		from := "audit_records a"
		if f.Subject != nil {
			from = "audit_subjects s JOIN audit_records a ON a.force_id = s.force_id AND a.seq = s.seq"
			where, args = append(where, "s.force_id = ?", "s.subject = ?"), append(args, t.force(), *f.Subject)
		}
		if f.ActorID != nil {
			where, args = append(where, "a.actor_id = ?"), append(args, *f.ActorID)
		}
		if f.Action != nil {
			where, args = append(where, "a.action = ?"), append(args, *f.Action)
		}
		if f.From != nil {
			where, args = append(where, "a.at >= ?"), append(args, micros(*f.From))
		}
		if f.To != nil {
			where, args = append(where, "a.at < ?"), append(args, micros(*f.To))
		}
		q := "SELECT " + auditColumns + ", COUNT(*) OVER () FROM " + from + " WHERE " + joinAnd(where) +
			" ORDER BY a.seq DESC LIMIT ? OFFSET ?"
		rows, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.AuditRecord, error) {
			return scanAudit(sc, &total)
		}, q, append(args, pageLimit(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return fmt.Errorf("query audit records: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(rows), f.Offset, from, where, args); err != nil {
			return err
		}
		records = rows
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "audit.query", j: j, subjects: optional(f.Subject)})
	})
	return records, total, err
}

// totalPastEnd returns the total of a paged query. COUNT(*) OVER () comes
// with the rows, so a page past the end has none to carry it: count then.
func (t *tx) totalPastEnd(total, got, offset int, from string, where []string, args []any) (int, error) {
	if got > 0 || offset <= 0 {
		return total, nil
	}
	if err := t.queryRow("SELECT COUNT(*) FROM "+from+" WHERE "+joinAnd(where), args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return total, nil
}

func optional(s *string) []string {
	if s == nil {
		return nil
	}
	return []string{*s}
}

func joinAnd(where []string) string {
	var out strings.Builder
	out.WriteString(where[0])
	for _, w := range where[1:] {
		out.WriteString(" AND " + w)
	}
	return out.String()
}
