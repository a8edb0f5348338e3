package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// mustCreateForce creates force as the deployment actor.
func (f *fixture) mustCreateForce(id bluelamp.ForceID) {
	f.t.Helper()
	ok(f.t, f.Store.CreateForce(f.deployment(), &bluelamp.Force{ID: id, Name: "Force " + string(id)}))
}

// mustCreateUser creates a user in force; usernames are prefixed with the
// force so they stay unique across the deployment.
func (f *fixture) mustCreateUser(force bluelamp.ForceID, name string, roles ...bluelamp.Role) *bluelamp.User {
	f.t.Helper()
	u := &bluelamp.User{Username: string(force) + "." + name, DisplayName: "User " + name,
		Email: name + "@" + string(force) + ".example", Roles: roles}
	ok(f.t, f.Store.CreateUser(f.system(force), u, "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$"+name))
	return u
}

func (f *fixture) mustCreateStation(ctx context.Context, code string) *bluelamp.Station {
	f.t.Helper()
	s := &bluelamp.Station{Code: code, Name: "Station " + code, Lat: 51.5, Lon: -0.12}
	ok(f.t, f.Store.CreateStation(ctx, s))
	return s
}

func (f *fixture) mustCreateUnit(ctx context.Context, station bluelamp.StationID, callSign string) *bluelamp.Unit {
	f.t.Helper()
	u := &bluelamp.Unit{CallSign: callSign, Type: "response car", StationID: station}
	ok(f.t, f.Store.CreateUnit(ctx, u))
	return u
}

func (f *fixture) mustCreateOfficer(ctx context.Context, station bluelamp.StationID, collar string) *bluelamp.Officer {
	f.t.Helper()
	o := &bluelamp.Officer{CollarNumber: collar, Name: "Officer " + collar, Rank: "PC", StationID: station}
	ok(f.t, f.Store.CreateOfficer(ctx, o))
	return o
}

// secret returns the SHA-256 a store keeps of a secret named s.
func secret(s string) []byte {
	h := sha256.Sum256([]byte("secret:" + s))
	return h[:]
}

// newToken returns an unsaved token for u, as the auth layer would make it.
func newToken(u *bluelamp.User, id string) *bluelamp.Token {
	return &bluelamp.Token{ID: bluelamp.TokenID(id), UserID: u.ID, Name: "integration " + id, SecretHash: secret(id)}
}

func (f *fixture) mustCreateToken(ctx context.Context, u *bluelamp.User, id string) *bluelamp.Token {
	f.t.Helper()
	tk := newToken(u, id)
	ok(f.t, f.Store.CreateToken(ctx, tk))
	return tk
}

// newSession returns an unsaved session for u lasting eight hours.
func (f *fixture) newSession(u *bluelamp.User, id string) *bluelamp.Session {
	return &bluelamp.Session{ID: id, UserID: u.ID, ForceID: u.ForceID, SecretHash: secret(id), Method: "password",
		ExpiresAt: f.clock.Now().Add(8 * time.Hour)}
}

func (f *fixture) mustCreateSession(u *bluelamp.User, id string) *bluelamp.Session {
	f.t.Helper()
	s := f.newSession(u, id)
	ok(f.t, f.Store.CreateSession(f.deployment(), s))
	return s
}

// world is a force holding one of every kind of record.
type world struct {
	id      bluelamp.ForceID
	admin   *bluelamp.User // a force admin: the acting user in most tests
	user    *bluelamp.User // an ordinary user, the target of most changes
	station *bluelamp.Station
	unit    *bluelamp.Unit
	officer *bluelamp.Officer
	token   *bluelamp.Token
	session *bluelamp.Session // the ordinary user's
}

// populate creates force id and one of every record in it.
func (f *fixture) populate(id bluelamp.ForceID) *world {
	f.t.Helper()
	f.mustCreateForce(id)
	w := &world{id: id}
	w.admin = f.mustCreateUser(id, "admin", bluelamp.RoleForceAdmin, bluelamp.RoleAuditor)
	w.user = f.mustCreateUser(id, "user", bluelamp.RoleResponseOfficer)
	sys := f.system(id)
	w.station = f.mustCreateStation(sys, "HQ")
	w.unit = f.mustCreateUnit(sys, w.station.ID, "A1")
	w.officer = f.mustCreateOfficer(sys, w.station.ID, "1234")
	w.token = f.mustCreateToken(sys, w.user, string(id)+"-token")
	w.session = f.mustCreateSession(w.user, string(id)+"-session")
	return w
}

// actor is a named context, for tests that try every kind of actor.
type actor struct {
	name string
	ctx  context.Context
}

// actorsOf returns a user and a system actor of w's force.
func (f *fixture) actorsOf(w *world) []actor {
	return []actor{{"user " + w.admin.Username, f.as(w.admin)}, {"system of " + string(w.id), f.system(w.id)}}
}

// head returns force's log head.
func (f *fixture) head(force bluelamp.ForceID) bluelamp.Head {
	f.t.Helper()
	h, err := f.Store.FindHead(f.system(force))
	ok(f.t, err)
	return h
}

// eventsAfter returns force's events after seq.
func (f *fixture) eventsAfter(force bluelamp.ForceID, seq int64) []*bluelamp.Event {
	f.t.Helper()
	var all []*bluelamp.Event
	for {
		events, err := f.Store.FindEvents(f.system(force), bluelamp.EventFilter{After: seq, Limit: 1000})
		ok(f.t, err)
		if len(events) == 0 {
			return all
		}
		all = append(all, events...)
		seq = events[len(events)-1].Seq
	}
}

// wantEvents fails the test unless force's log, since head was taken, holds
// exactly events of types, with contiguous seqs chained to head, and the
// force's head now names the last of them. It returns them.
func (f *fixture) wantEvents(force bluelamp.ForceID, since bluelamp.Head, types ...bluelamp.EventType) []*bluelamp.Event {
	f.t.Helper()
	events := f.eventsAfter(force, since.Seq)
	var got []bluelamp.EventType
	for _, e := range events {
		got = append(got, e.Type)
	}
	if diff := cmp.Diff(types, got, cmpopts.EquateEmpty()); diff != "" {
		f.t.Fatalf("%s events after seq %d (-want +got):\n%s", force, since.Seq, diff)
	}
	prev := since.Hash
	for i, e := range events {
		if want := since.Seq + int64(i) + 1; e.Seq != want {
			f.t.Fatalf("%s event %d has seq %d, want %d", force, i, e.Seq, want)
		}
		if e.ForceID != force {
			f.t.Fatalf("event %d of %s belongs to %s", e.Seq, force, e.ForceID)
		}
		if !slices.Equal(e.PrevHash, prev) {
			f.t.Fatalf("%s event %d has prev hash %s, want %s", force, e.Seq, e.PrevHash, prev)
		}
		if want := bluelamp.ChainHash(prev, e.Canonical()); !slices.Equal(e.Hash, want) {
			f.t.Fatalf("%s event %d has hash %s, want %s", force, e.Seq, e.Hash, want)
		}
		prev = e.Hash
	}
	h := f.head(force)
	if want := since.Seq + int64(len(events)); h.Seq != want || !slices.Equal(h.Hash, prev) {
		f.t.Fatalf("%s head is %d %s, want %d %s", force, h.Seq, h.Hash, want, prev)
	}
	return events
}

// wantNoEvents fails the test if force's log grew since head.
func (f *fixture) wantNoEvents(force bluelamp.ForceID, since bluelamp.Head) {
	f.t.Helper()
	f.wantEvents(force, since)
}

// auditMark returns the seq of the last audit record of force, after the
// consultation this lookup itself records.
func (f *fixture) auditMark(force bluelamp.ForceID) int64 {
	f.t.Helper()
	_, total, err := f.Store.FindAuditRecords(f.system(force), bluelamp.AuditFilter{Limit: 1}, auditing)
	ok(f.t, err)
	return int64(total) + 1
}

// auditAfter returns force's audit records after mark, oldest first, not
// counting the consultation this lookup itself records.
func (f *fixture) auditAfter(force bluelamp.ForceID, mark int64) []*bluelamp.AuditRecord {
	f.t.Helper()
	records, _, err := f.Store.FindAuditRecords(f.system(force), bluelamp.AuditFilter{Limit: 1000}, auditing)
	ok(f.t, err)
	var out []*bluelamp.AuditRecord
	for _, r := range records {
		if r.ForceID != force {
			f.t.Fatalf("audit record %d of %s belongs to %s", r.Seq, force, r.ForceID)
		}
		if r.Seq > mark {
			out = append(out, r)
		}
	}
	slices.Reverse(out)
	return out
}

// auditWant is what one audit record should say.
type auditWant struct {
	action   bluelamp.AuditAction
	subjects []string
	records  []string                // nil means the same as subjects
	j        *bluelamp.Justification // nil means any justification with a reason
}

// wantAudit fails the test unless force's audit trail holds, after mark,
// exactly one record, made now by the actor in ctx, saying w.
func (f *fixture) wantAudit(force bluelamp.ForceID, mark int64, ctx context.Context, w auditWant) *bluelamp.AuditRecord {
	f.t.Helper()
	got := f.auditAfter(force, mark)
	if len(got) != 1 {
		f.t.Fatalf("%s has %d audit records after %d, want 1: %s", force, len(got), mark, describeAudit(got))
	}
	a := bluelamp.ActorFrom(ctx)
	if w.records == nil {
		w.records = w.subjects
	}
	want := &bluelamp.AuditRecord{ForceID: force, Seq: mark + 1, Time: f.clock.Now(), Action: w.action, ActorKind: a.Kind,
		ActorID: a.UserID, Actor: a.Name(), ActorRoles: a.Roles, SessionID: a.SessionID,
		Records: w.records, Subjects: w.subjects}
	ignore := []string{"What", "PrevHash", "Hash"}
	if w.j != nil {
		want.Justification = *w.j
	} else {
		ignore = append(ignore, "Justification")
		if got[0].Justification.Reason == "" {
			f.t.Errorf("audit record %d has no reason", got[0].Seq)
		}
	}
	opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(bluelamp.AuditRecord{}, ignore...)}
	if diff := cmp.Diff(want, got[0], opts); diff != "" {
		f.t.Fatalf("audit record (-want +got):\n%s", diff)
	}
	return got[0]
}

// wantNoAudit fails the test if force's audit trail grew after mark.
func (f *fixture) wantNoAudit(force bluelamp.ForceID, mark int64) {
	f.t.Helper()
	if got := f.auditAfter(force, mark); len(got) != 0 {
		f.t.Fatalf("%s has %d audit records after %d, want none: %s", force, len(got), mark, describeAudit(got))
	}
}

func describeAudit(records []*bluelamp.AuditRecord) string {
	var s strings.Builder
	for _, r := range records {
		s.WriteString(fmt.Sprintf("\n\t%d %s %s by %s on %v", r.Seq, r.Action, r.What, r.Actor, r.Subjects))
	}
	return s.String()
}

// ref formats a record reference as events and audit records name it.
func ref(kind string, id any) string { return fmt.Sprintf("%s/%v", kind, id) }

// wantVerified fails the test unless every chain the deployment holds verifies.
func (f *fixture) wantVerified() []bluelamp.ChainReport {
	f.t.Helper()
	reports, err := f.Store.VerifyChains(f.deployment())
	ok(f.t, err)
	for _, r := range reports {
		if !r.OK() {
			f.t.Fatalf("%s %s chain: %+v", r.ForceID, r.Chain, *r.Problem)
		}
	}
	return reports
}
