package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
)

var _ bluelamp.ReferralStore = (*Store)(nil)

// CreatePartner adds a partner organisation to the caller's force. A
// partner with a webhook and no secret is given a random one.
func (s *Store) CreatePartner(ctx context.Context, p *bluelamp.Partner) error {
	if p.WebhookURL != "" && p.Secret == "" {
		p.Secret = randomHex(32)
	}
	if p.UserIDs == nil {
		p.UserIDs = []bluelamp.UserID{}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		for _, id := range p.UserIDs {
			u, err := t.loadUser(id)
			if bluelamp.KindOf(err) == bluelamp.KindNotFound {
				return bluelamp.InvalidFields(map[string]string{"user_ids": fmt.Sprintf("user %d is not in this force", id)})
			}
			if err != nil {
				return err
			}
			if !slices.Contains(u.Roles, bluelamp.RolePartnerAgency) {
				return bluelamp.InvalidFields(map[string]string{"user_ids": fmt.Sprintf("user %s does not hold the partner_agency role", u.Username)})
			}
		}
		p.ForceID, p.CreatedAt = t.force(), t.now
		id, err := t.insertID(`INSERT INTO partners (force_id, name, accepts, email, webhook_url, webhook_secret, user_ids, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.force(), p.Name, jsonText(p.Accepts), p.Email, p.WebhookURL, p.Secret, jsonText(p.UserIDs), micros(t.now))
		if err != nil {
			return s.d.translate(err, "partner "+p.Name)
		}
		p.ID = bluelamp.PartnerID(id)
		// The secret is not in the payload: Partner never encodes it.
		_, err = t.appendEvent(bluelamp.EventPartnerCreated, subject("partner", id), bluelamp.ClassOfficial, p)
		return err
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

const partnerCols = "id, force_id, name, accepts, email, webhook_url, webhook_secret, user_ids, created_at"

func scanPartner(sc interface{ Scan(...any) error }) (*bluelamp.Partner, error) {
	var p bluelamp.Partner
	var accepts, users string
	var created int64
	if err := sc.Scan(&p.ID, &p.ForceID, &p.Name, &accepts, &p.Email, &p.WebhookURL, &p.Secret, &users, &created); err != nil {
		return nil, err
	}
	p.CreatedAt = fromMicros(created)
	var err error
	if p.Accepts, err = fromJSON[[]bluelamp.ReferralType](accepts, "partner's referral types"); err != nil {
		return nil, err
	}
	if p.UserIDs, err = fromJSON[[]bluelamp.UserID](users, "partner's users"); err != nil {
		return nil, err
	}
	return &p, nil
}

// partner loads one partner of the force; KindInvalid naming partner_id
// if there is none, since it is what the officer chose.
func (t *tx) partner(id bluelamp.PartnerID) (*bluelamp.Partner, error) {
	p, err := scanPartner(t.queryRow("SELECT "+partnerCols+" FROM partners WHERE force_id = ? AND id = ?", t.force(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bluelamp.InvalidFields(map[string]string{"partner_id": fmt.Sprintf("partner %d is not one of this force's partners", id)})
	}
	if err != nil {
		return nil, fmt.Errorf("load partner %d: %w", id, err)
	}
	return p, nil
}

// FindPartners returns the caller's force's partners by name.
func (s *Store) FindPartners(ctx context.Context) ([]*bluelamp.Partner, error) {
	var out []*bluelamp.Partner
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = queryAll(t, scanPartner, "SELECT "+partnerCols+" FROM partners WHERE force_id = ? ORDER BY name", t.force())
		return err
	})
	for _, p := range out {
		p.Secret = ""
	}
	if out == nil && err == nil {
		out = []*bluelamp.Partner{}
	}
	return result(out, err)
}

// CreateReferral records a referral and queues its deliveries.
func (s *Store) CreateReferral(ctx context.Context, r *bluelamp.Referral) error {
	return s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		if err := r.Validate(t.now); err != nil {
			return err
		}
		u, err := t.officer("a referral")
		if err != nil {
			return err
		}
		p, err := t.partner(r.PartnerID)
		if err != nil {
			return err
		}
		if !p.AcceptsType(r.Type) {
			accepts := make([]string, len(p.Accepts))
			for i, a := range p.Accepts {
				accepts[i] = string(a)
			}
			return bluelamp.InvalidFields(map[string]string{"partner_id": fmt.Sprintf("%s does not accept %s referrals; it accepts %s",
				p.Name, r.Type, strings.Join(accepts, ", "))})
		}
		r.Incident = ""
		if r.IncidentID > 0 {
			inc, err := t.incident(r.IncidentID)
			if err != nil {
				return err
			}
			r.Incident = inc.Number
		}
		fs, err := t.settings()
		if err != nil {
			return err
		}
		serial, day, err := t.nextSerial("referral", fs.Location())
		if err != nil {
			return err
		}
		r.ForceID, r.Reference, r.Partner, r.ReferredBy, r.ReferrerID, r.CreatedAt = t.force(), bluelamp.ReferralReference(serial, day), p.Name, u.CollarNumber, u.ID, t.now
		r.Acknowledgement = nil
		id, err := t.insertID(`INSERT INTO referrals (force_id, reference, type, partner_id, incident_id, classification, consent, fields,
			referred_by, referrer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.force(), r.Reference, r.Type, r.PartnerID, r.IncidentID, bluelamp.ClassOfficialSensitive, jsonText(r.Consent), jsonText(r.Fields),
			r.ReferredBy, r.ReferrerID, micros(t.now))
		if err != nil {
			return fmt.Errorf("insert referral: %w", err)
		}
		r.ID = bluelamp.ReferralID(id)
		r.Deliveries = nil
		for _, d := range []struct {
			m      bluelamp.DeliveryMethod
			target string
		}{{bluelamp.DeliverByEmail, p.Email}, {bluelamp.DeliverByWebhook, p.WebhookURL}} {
			if d.target == "" {
				continue
			}
			did, err := t.insertID(`INSERT INTO referral_deliveries (force_id, referral_id, method, target, status, attempts, next_at, claim)
				VALUES (?, ?, ?, ?, ?, 0, ?, '')`, t.force(), id, d.m, d.target, bluelamp.DeliveryPending, micros(t.now))
			if err != nil {
				return fmt.Errorf("queue referral delivery: %w", err)
			}
			r.Deliveries = append(r.Deliveries, &bluelamp.Delivery{ID: bluelamp.DeliveryID(did), Method: d.m, Target: d.target,
				Status: bluelamp.DeliveryPending, Attempts: []*bluelamp.DeliveryAttempt{}, NextAttemptAt: new(t.now)})
		}
		r.Status = bluelamp.SummaryStatus(r.Deliveries)
		ref := subject("referral", id)
		if _, err := t.appendEvent(bluelamp.EventReferralCreated, ref, bluelamp.ClassOfficialSensitive, r); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "referral.create", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "SAFEGUARDING", Text: "safeguarding referral " + r.Reference + " to " + p.Name, IncidentRef: r.Incident}})
	})
}

const referralCols = `r.id, r.force_id, r.reference, r.type, r.partner_id, p.name, r.incident_id, COALESCE(i.number, ''), r.consent, r.fields,
	r.referred_by, r.referrer_id, r.created_at, r.acknowledgement`

const referralFrom = ` FROM referrals r JOIN partners p ON p.id = r.partner_id AND p.force_id = r.force_id
	LEFT JOIN incidents i ON i.id = r.incident_id AND i.force_id = r.force_id`

func scanReferral(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.Referral, error) {
	var r bluelamp.Referral
	var consent, fields string
	var ack sql.NullString
	var created int64
	dest := []any{&r.ID, &r.ForceID, &r.Reference, &r.Type, &r.PartnerID, &r.Partner, &r.IncidentID, &r.Incident, &consent, &fields,
		&r.ReferredBy, &r.ReferrerID, &created, &ack}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMicros(created)
	var err error
	if r.Consent, err = fromJSON[bluelamp.Consent](consent, "referral consent"); err != nil {
		return nil, err
	}
	if r.Fields, err = fromJSON[map[string]string](fields, "referral fields"); err != nil {
		return nil, err
	}
	if ack.Valid {
		if r.Acknowledgement, err = fromJSON[*bluelamp.ReferralAck](ack.String, "referral acknowledgement"); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// referralIn loads one referral of force with its deliveries, and their
// attempts when attempts is set. The force is explicit: the deliverer's
// claim acts for the whole deployment.
func (t *tx) referralIn(force bluelamp.ForceID, id bluelamp.ReferralID, attempts bool) (*bluelamp.Referral, error) {
	r, err := scanReferral(t.queryRow("SELECT "+referralCols+referralFrom+" WHERE r.force_id = ? AND r.id = ?", force, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "referral not found", Fields: map[string]string{"id": "no such referral in this force"}}
	}
	if err != nil {
		return nil, fmt.Errorf("load referral %d: %w", id, err)
	}
	return r, t.deliveries(r, attempts)
}

// deliveries fills r's deliveries, with their attempts when attempts is set.
func (t *tx) deliveries(r *bluelamp.Referral, attempts bool) error {
	ds, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Delivery, error) {
		var d bluelamp.Delivery
		var next, delivered sql.NullInt64
		if err := sc.Scan(&d.ID, &d.Method, &d.Target, &d.Status, &next, &delivered); err != nil {
			return nil, fmt.Errorf("scan delivery: %w", err)
		}
		d.NextAttemptAt, d.DeliveredAt, d.Attempts = timePtr(next), timePtr(delivered), []*bluelamp.DeliveryAttempt{}
		return &d, nil
	}, "SELECT id, method, target, status, next_at, delivered_at FROM referral_deliveries WHERE force_id = ? AND referral_id = ? ORDER BY id",
		r.ForceID, r.ID)
	if err != nil {
		return fmt.Errorf("load deliveries: %w", err)
	}
	for _, d := range ds {
		if d.Status == bluelamp.DeliveryDelivered || d.Status == bluelamp.DeliveryFailed {
			d.NextAttemptAt = nil
		}
		if !attempts {
			continue
		}
		d.Attempts, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.DeliveryAttempt, error) {
			var a bluelamp.DeliveryAttempt
			var at int64
			if err := sc.Scan(&a.N, &at, &a.OK, &a.Error); err != nil {
				return nil, fmt.Errorf("scan delivery attempt: %w", err)
			}
			a.At = fromMicros(at)
			return &a, nil
		}, "SELECT n, at, ok, error FROM referral_attempts WHERE force_id = ? AND delivery_id = ? ORDER BY n", r.ForceID, d.ID)
		if err != nil {
			return fmt.Errorf("load delivery attempts: %w", err)
		}
		if d.Attempts == nil {
			d.Attempts = []*bluelamp.DeliveryAttempt{}
		}
	}
	if ds == nil {
		ds = []*bluelamp.Delivery{}
	}
	r.Deliveries, r.Status = ds, bluelamp.SummaryStatus(ds)
	return nil
}

// FindReferralByID returns a referral with every delivery attempt, audited.
func (s *Store) FindReferralByID(ctx context.Context, id bluelamp.ReferralID, j bluelamp.Justification) (*bluelamp.Referral, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Referral
	err := s.write(ctx, func(t *tx) error {
		r, err := t.referralIn(t.force(), id, true)
		if err != nil {
			return err
		}
		out = r
		if j.IncidentRef == "" {
			j.IncidentRef = r.Incident
		}
		ref := subject("referral", id)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "referral.find", records: []string{ref}, subjects: []string{ref}, j: j})
	})
	return result(out, err)
}

// FindReferrals returns referrals, newest first, audited.
func (s *Store) FindReferrals(ctx context.Context, f bluelamp.ReferralFilter, j bluelamp.Justification) ([]*bluelamp.Referral, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	var out []*bluelamp.Referral
	var total int
	err := s.write(ctx, func(t *tx) error {
		where, args := []string{"r.force_id = ?"}, []any{t.force()}
		if f.IncidentID != nil {
			where, args = append(where, "r.incident_id = ?"), append(args, *f.IncidentID)
		}
		if f.ReferrerID != nil {
			where, args = append(where, "r.referrer_id = ?"), append(args, *f.ReferrerID)
		}
		rows, err := queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Referral, error) {
			return scanReferral(sc, &total)
		}, "SELECT "+referralCols+", COUNT(*) OVER ()"+referralFrom+" WHERE "+joinAnd(where)+" ORDER BY r.id DESC LIMIT ? OFFSET ?",
			append(args, pageLimit(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return fmt.Errorf("query referrals: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(rows), f.Offset, "referrals r", where, args); err != nil {
			return err
		}
		refs := make([]string, len(rows))
		for i, r := range rows {
			if err := t.deliveries(r, false); err != nil {
				return err
			}
			refs[i] = subject("referral", r.ID)
		}
		out = rows
		if out == nil {
			out = []*bluelamp.Referral{}
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "referral.list", records: refs, subjects: refs, j: j})
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// AcknowledgeReferral records a partner user's acknowledgement.
func (s *Store) AcknowledgeReferral(ctx context.Context, id bluelamp.ReferralID, ack *bluelamp.ReferralAck) (*bluelamp.Referral, error) {
	if err := ack.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.Referral
	err := s.write(ctx, func(t *tx) error {
		if err := t.lock(); err != nil {
			return err
		}
		r, err := t.referralIn(t.force(), id, false)
		if err != nil {
			return err
		}
		var users string
		if err := t.queryRow("SELECT user_ids FROM partners WHERE force_id = ? AND id = ?", t.force(), r.PartnerID).Scan(&users); err != nil {
			return fmt.Errorf("load partner: %w", err)
		}
		ids, err := fromJSON[[]bluelamp.UserID](users, "partner's users")
		if err != nil {
			return err
		}
		if t.actor.UserID == 0 || !slices.Contains(ids, t.actor.UserID) {
			// Another partner's referral is not found, as another force's is.
			return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "referral not found", Fields: map[string]string{"id": "no such referral for your organisation"}}
		}
		a := *ack
		a.At, a.By, a.Via = t.now, t.actor.Name(), "api"
		if err := t.acknowledge(r, &a); err != nil {
			return err
		}
		out = r
		ref := subject("referral", id)
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "referral.acknowledge", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "SAFEGUARDING", Text: "partner acknowledged referral " + r.Reference, IncidentRef: r.Incident}})
	})
	return result(out, err)
}

// acknowledge stores a's acknowledgement of r and appends its event.
func (t *tx) acknowledge(r *bluelamp.Referral, a *bluelamp.ReferralAck) error {
	if _, err := t.exec("UPDATE referrals SET acknowledgement = ? WHERE force_id = ? AND id = ?", jsonText(a), t.force(), r.ID); err != nil {
		return fmt.Errorf("acknowledge referral: %w", err)
	}
	r.Acknowledgement = a
	_, err := t.appendEvent(bluelamp.EventReferralAcknowledged, subject("referral", r.ID), bluelamp.ClassOfficialSensitive,
		referralAcked{ReferralID: r.ID, Reference: r.Reference, Acknowledgement: a})
	return err
}

// referralAcked is the payload of referral.acknowledged.
type referralAcked struct {
	ReferralID      bluelamp.ReferralID   `json:"referral_id"`
	Reference       string                `json:"reference"`
	Acknowledgement *bluelamp.ReferralAck `json:"acknowledgement"`
}

// deliveryAttempted is the payload of referral.delivery_attempted: how one
// attempt went, never what it sent.
type deliveryAttempted struct {
	ReferralID    bluelamp.ReferralID     `json:"referral_id"`
	Reference     string                  `json:"reference"`
	DeliveryID    bluelamp.DeliveryID     `json:"delivery_id"`
	Method        bluelamp.DeliveryMethod `json:"method"`
	Attempt       int                     `json:"attempt"`
	OK            bool                    `json:"ok"`
	Error         string                  `json:"error,omitempty"`
	Status        bluelamp.DeliveryStatus `json:"status"`
	NextAttemptAt *time.Time              `json:"next_attempt_at,omitempty"`
}

// ClaimDeliveries claims due deliveries across every force.
func (s *Store) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*bluelamp.DeliveryJob, error) {
	if _, err := deploymentActor(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || lease <= 0 {
		return nil, fmt.Errorf("claim deliveries: limit and lease must be positive")
	}
	var jobs []*bluelamp.DeliveryJob
	err := s.writeAs(ctx, func(t *tx) error {
		jobs = nil
		type due struct {
			id    bluelamp.DeliveryID
			force bluelamp.ForceID
		}
		ds, err := queryAll(t, func(sc interface{ Scan(...any) error }) (due, error) {
			var d due
			return d, sc.Scan(&d.id, &d.force)
		}, "SELECT id, force_id FROM referral_deliveries WHERE next_at <= ? ORDER BY next_at, id LIMIT ?", micros(t.now), limit)
		if err != nil {
			return fmt.Errorf("find due deliveries: %w", err)
		}
		until := micros(t.now.Add(lease))
		for _, d := range ds {
			claim := randomHex(12)
			// Another node may have claimed it since the select: the
			// condition is checked again under the row's lock.
			res, err := t.exec("UPDATE referral_deliveries SET next_at = ?, claim = ? WHERE id = ? AND next_at <= ?", until, claim, d.id, micros(t.now))
			if err != nil {
				return fmt.Errorf("claim delivery %d: %w", d.id, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				continue
			}
			job := &bluelamp.DeliveryJob{ID: d.id, ForceID: d.force, Claim: claim}
			var rid bluelamp.ReferralID
			if err := t.queryRow(`SELECT d.method, d.target, d.attempts, d.referral_id, p.webhook_secret FROM referral_deliveries d
				JOIN referrals r ON r.id = d.referral_id AND r.force_id = d.force_id
				JOIN partners p ON p.id = r.partner_id AND p.force_id = r.force_id
				WHERE d.force_id = ? AND d.id = ?`, d.force, d.id).Scan(&job.Method, &job.Target, &job.Attempts, &rid, &job.Secret); err != nil {
				return fmt.Errorf("load delivery %d: %w", d.id, err)
			}
			if job.Referral, err = t.referralIn(d.force, rid, false); err != nil {
				return err
			}
			jobs = append(jobs, job)
		}
		return nil
	})
	return result(jobs, err)
}

// maxDeliveryError bounds the error text kept for an attempt.
const maxDeliveryError = 300

// RecordDelivery records the outcome of a claimed delivery's attempt.
func (s *Store) RecordDelivery(ctx context.Context, job *bluelamp.DeliveryJob, o bluelamp.DeliveryOutcome) error {
	if o.Ack != nil {
		if err := o.Ack.Validate(); err != nil {
			return err
		}
	}
	return s.write(ctx, func(t *tx) error {
		if t.force() != job.ForceID {
			return bluelamp.Errorf(bluelamp.KindNotFound, "delivery not found")
		}
		if err := t.lock(); err != nil {
			return err
		}
		var attempts int
		var claim string
		var rid bluelamp.ReferralID
		err := t.queryRow("SELECT attempts, claim, referral_id FROM referral_deliveries WHERE force_id = ? AND id = ?", t.force(), job.ID).
			Scan(&attempts, &claim, &rid)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "delivery not found")
		}
		if err != nil {
			return fmt.Errorf("load delivery %d: %w", job.ID, err)
		}
		if claim == "" || claim != job.Claim {
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "claim_lost", Message: "the delivery's claim ran out and it was claimed again"}
		}
		r, err := t.referralIn(t.force(), rid, false)
		if err != nil {
			return err
		}
		n, msg := attempts+1, deliveryError(o.Error)
		if _, err := t.exec("INSERT INTO referral_attempts (force_id, delivery_id, n, at, ok, error) VALUES (?, ?, ?, ?, ?, ?)",
			t.force(), job.ID, n, micros(t.now), o.OK, msg); err != nil {
			return fmt.Errorf("record delivery attempt: %w", err)
		}
		status, next, delivered := bluelamp.DeliveryFailed, (*time.Time)(nil), (*time.Time)(nil)
		switch {
		case o.OK:
			status, delivered = bluelamp.DeliveryDelivered, &t.now
		case o.Retry != nil:
			status, next = bluelamp.DeliveryRetrying, new(o.Retry.UTC().Truncate(time.Microsecond))
		}
		if _, err := t.exec("UPDATE referral_deliveries SET status = ?, attempts = ?, next_at = ?, claim = '', delivered_at = ? WHERE force_id = ? AND id = ?",
			status, n, nullMicros(next), nullMicros(delivered), t.force(), job.ID); err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		ref := subject("referral", rid)
		if _, err := t.appendEvent(bluelamp.EventReferralDeliveryAttempted, ref, bluelamp.ClassOfficialSensitive, deliveryAttempted{
			ReferralID: rid, Reference: r.Reference, DeliveryID: job.ID, Method: job.Method, Attempt: n, OK: o.OK, Error: msg,
			Status: status, NextAttemptAt: next}); err != nil {
			return err
		}
		if !o.OK {
			return nil
		}
		// DPA 2018 s.62(4): a disclosure log names who received the data.
		if err := t.audit(auditEntry{action: bluelamp.AuditDisclosure, what: "referral.deliver", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "SAFEGUARDING", Text: fmt.Sprintf("safeguarding referral %s by %s delivered by %s to %s", r.Reference,
				r.ReferredBy, strings.ToLower(string(job.Method)), job.Target), IncidentRef: r.Incident},
			recipient: fmt.Sprintf("partner/%d %s", r.PartnerID, r.Partner)}); err != nil {
			return err
		}
		if o.Ack == nil {
			return nil
		}
		a := *o.Ack
		a.At, a.By, a.Via = t.now, r.Partner, "webhook"
		return t.acknowledge(r, &a)
	})
}

// deliveryError cuts an attempt's error to one line of safe text.
func deliveryError(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > maxDeliveryError {
		s = s[:maxDeliveryError]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
