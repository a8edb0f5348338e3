package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// evidenceForce is a force ready for exhibits and referrals: the
// command-and-control world plus two officers with collar numbers.
type evidenceForce struct {
	*cadForce
	oak, day   *bluelamp.User // response officers Gabriel Oak (1041) and Fancy Day (5012)
	clerk      *bluelamp.User // a property store clerk without a collar number
	incident   *bluelamp.Incident
	oakCtx     context.Context
	dayCtx     context.Context
	clerkCtx   context.Context
	systemCtx  context.Context
	controlCtx context.Context
}

func (f *fixture) evidenceForce(id bluelamp.ForceID) *evidenceForce {
	f.t.Helper()
	ef := &evidenceForce{cadForce: f.cadForce(id)}
	ef.oak = f.mustCreateNamedOfficer(id, "oak", "Gabriel Oak", "1041", bluelamp.RoleResponseOfficer)
	ef.day = f.mustCreateNamedOfficer(id, "day", "Fancy Day", "5012", bluelamp.RoleNeighbourhoodOfficer)
	ef.clerk = f.mustCreateUser(id, "clerk", bluelamp.RoleSupervisor)
	ef.oakCtx, ef.dayCtx, ef.clerkCtx, ef.systemCtx, ef.controlCtx = f.as(ef.oak), f.as(ef.day), f.as(ef.clerk), f.system(id), ef.ctx
	inc := newIncident(bluelamp.GradePriority, "assault outside the Buck's Head")
	inc.Classification = bluelamp.ClassOfficialSensitive
	ef.incident = f.mustCreateIncident(ef.ctx, inc)
	return ef
}

// mustCreateNamedOfficer creates a user who is an officer: a display name
// and a collar number.
func (f *fixture) mustCreateNamedOfficer(force bluelamp.ForceID, name, display, collar string, roles ...bluelamp.Role) *bluelamp.User {
	f.t.Helper()
	u := &bluelamp.User{Username: string(force) + "." + name, DisplayName: display, CollarNumber: collar,
		Email: name + "@" + string(force) + ".example", Roles: roles}
	ok(f.t, f.Store.CreateUser(f.system(force), u, "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$"+name))
	return u
}

// newExhibit returns an unsaved exhibit as the API hands it to the store:
// its file already stored, so its hash, size and type known.
func newExhibit(content string, inc bluelamp.IncidentID) *bluelamp.Exhibit {
	sum := sha256.Sum256([]byte(content))
	return &bluelamp.Exhibit{Origin: bluelamp.ExhibitSeized, Description: "photo of the injury to the victim's left arm",
		SeizedFrom: "outside the Buck's Head, Weatherbury", Position: new(here), IncidentID: inc,
		SHA256: sum[:], Size: int64(len(content)), ContentType: "image/jpeg", Filename: "IMG_0042.jpg"}
}

// wantUnmoved fails the test if any force's log moved from heads.
func (f *fixture) wantUnmoved(heads ...bluelamp.Head) {
	f.t.Helper()
	for _, h := range heads {
		f.wantNoEvents(h.ForceID, h)
	}
}

func (f *fixture) mustCreateExhibit(ctx context.Context, e *bluelamp.Exhibit) *bluelamp.Exhibit {
	f.t.Helper()
	ok(f.t, f.Store.CreateExhibit(ctx, e))
	return e
}

func (f *fixture) findExhibit(ctx context.Context, id bluelamp.ExhibitID) *bluelamp.Exhibit {
	f.t.Helper()
	e, err := f.Store.FindExhibitByID(ctx, id, consult)
	ok(f.t, err)
	return e
}

// wantExhibitEvent fails the test unless event carries change c of e.
func wantExhibitEvent(t testing.TB, ev *bluelamp.Event, typ bluelamp.EventType, class bluelamp.Classification, e *bluelamp.Exhibit, c *bluelamp.CustodyEntry) {
	t.Helper()
	if ev.Type != typ || ev.Subject != ref("exhibit", e.ID) || ev.Classification != class {
		t.Fatalf("event %s on %s (%s), want %s on exhibit/%d (%s)", ev.Type, ev.Subject, ev.Classification, typ, e.ID, class)
	}
	var got bluelamp.ExhibitChange
	ok(t, json.Unmarshal(ev.Payload, &got))
	bare := *e
	bare.Custody = nil
	if diff := cmp.Diff(bluelamp.ExhibitChange{Exhibit: &bare, Custody: c}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("%s payload (-want +got):\n%s", typ, diff)
	}
}

func testCreateExhibit(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("jpeg one", a.incident.ID))
		if e.ID == 0 || e.Reference != "GO/1" || e.ProducedBy != "1041" || e.ProducerName != "Gabriel Oak" || e.ForceID != a.id ||
			e.Incident != a.incident.Number || !e.SeizedAt.Equal(start) || !e.CreatedAt.Equal(start) ||
			e.State != bluelamp.ExhibitHeld || e.Custodian != "1041 Gabriel Oak" || e.HeldAt != e.SeizedFrom {
			t.Fatalf("created exhibit = %+v", e)
		}
		want := &bluelamp.CustodyEntry{ID: e.Custody[0].ID, ExhibitID: e.ID, Action: bluelamp.CustodySeized, At: start,
			By: a.oak.Username, ByCollar: "1041", Location: e.SeizedFrom}
		if diff := cmp.Diff([]*bluelamp.CustodyEntry{want}, e.Custody); diff != "" {
			t.Fatalf("first custody entry (-want +got):\n%s", diff)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventExhibitProduced)
		wantExhibitEvent(t, events[0], bluelamp.EventExhibitProduced, bluelamp.ClassOfficialSensitive, e, want)
		f.wantAudit(a.id, mark, a.oakCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("exhibit", e.ID)},
			j: &bluelamp.Justification{Reason: "INVESTIGATION", Text: "exhibit GO/1 SEIZED", IncidentRef: a.incident.Number}})
		if diff := cmp.Diff(e, f.findExhibit(a.oakCtx, e.ID)); diff != "" {
			t.Errorf("FindExhibitByID (-created +found):\n%s", diff)
		}
		f.wantVerified()
	})
	t.Run("OKReferencesRunPerOfficer", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		b := f.evidenceForce("bravo")
		var refs []string
		for _, ctx := range []context.Context{a.oakCtx, a.oakCtx, a.dayCtx, a.oakCtx, b.oakCtx} {
			e := newExhibit("x", 0)
			e.Origin = bluelamp.ExhibitProduced
			refs = append(refs, f.mustCreateExhibit(ctx, e).Reference)
		}
		if diff := cmp.Diff([]string{"GO/1", "GO/2", "FD/1", "GO/3", "GO/1"}, refs); diff != "" {
			t.Errorf("references (-want +got):\n%s", diff)
		}
	})
	t.Run("OKConcurrentReferencesUnique", func(t *testing.T) {
		// The officer's running number is taken under the force's head: a
		// burst from one officer (a phone replaying its queue) gets each
		// number once.
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		const n = 12
		var wg sync.WaitGroup
		errs := make([]error, n)
		refs := make([]string, n)
		for i := range n {
			wg.Go(func() {
				e := newExhibit(fmt.Sprint(i), 0)
				errs[i] = f.Store.CreateExhibit(a.oakCtx, e)
				refs[i] = e.Reference
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range n {
			ok(t, errs[i])
			if seen[refs[i]] {
				t.Fatalf("reference %s given twice: %v", refs[i], refs)
			}
			seen[refs[i]] = true
		}
		for i := 1; i <= n; i++ {
			if !seen[fmt.Sprintf("GO/%d", i)] {
				t.Fatalf("GO/%d not given: %v", i, refs)
			}
		}
	})
	t.Run("OKProducedWithoutIncidentBackdated", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := newExhibit("cctv", 0)
		e.Origin, e.Position, e.SeizedAt = bluelamp.ExhibitProduced, nil, start.Add(-71*time.Hour)
		f.mustCreateExhibit(a.dayCtx, e)
		if e.Incident != "" || !e.SeizedAt.Equal(start.Add(-71*time.Hour)) || e.Custody[0].Action != bluelamp.CustodyProduced {
			t.Errorf("exhibit = %+v, first entry %+v", e, e.Custody[0])
		}
		ahead := newExhibit("fast clock", 0)
		ahead.SeizedAt = start.Add(time.Hour)
		if f.mustCreateExhibit(a.dayCtx, ahead); !ahead.SeizedAt.Equal(start) {
			t.Errorf("a seizure time ahead of the server's became %v, want now", ahead.SeizedAt)
		}
		events := f.eventsAfter(a.id, 0)
		if last := events[len(events)-1]; last.Classification != bluelamp.ClassOfficial {
			t.Errorf("an exhibit with no incident is %s", last.Classification)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		heads := f.heads(a.id)
		for _, tc := range []struct {
			name   string
			change func(e *bluelamp.Exhibit)
			fields []string
		}{
			{"Empty", func(e *bluelamp.Exhibit) { e.Origin, e.Description, e.SeizedFrom = "", " ", "" }, []string{"origin", "description", "seized_from"}},
			{"ControlCharacters", func(e *bluelamp.Exhibit) { e.Description = "a\x00b" }, []string{"description"}},
			{"TooLong", func(e *bluelamp.Exhibit) { e.SeizedFrom = string(make([]byte, 501)) }, []string{"seized_from"}},
			{"BadPosition", func(e *bluelamp.Exhibit) { e.Position = &bluelamp.Position{Lat: 91} }, []string{"position"}},
			{"TooOld", func(e *bluelamp.Exhibit) { e.SeizedAt = start.Add(-73 * time.Hour) }, []string{"seized_at"}},
			{"NegativeIncident", func(e *bluelamp.Exhibit) { e.IncidentID = -1 }, []string{"incident_id"}},
		} {
			e := newExhibit("x", 0)
			tc.change(e)
			err := f.Store.CreateExhibit(a.oakCtx, e)
			wantFields(t, err, tc.fields...)
		}
		f.wantUnmoved(heads...)
	})
	t.Run("ErrNotAnOfficer", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		heads := f.heads(a.id)
		err := f.Store.CreateExhibit(a.clerkCtx, newExhibit("x", 0))
		f.refused(err, bluelamp.KindForbidden, heads...)
		wantCode(t, err, "collar_number_required")
		f.refused(f.Store.CreateExhibit(a.systemCtx, newExhibit("x", 0)), bluelamp.KindForbidden, heads...)
		wantNoActor(t, f.Store.CreateExhibit(t.Context(), newExhibit("x", 0)))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		b := f.evidenceForce("bravo")
		heads := f.heads(a.id, b.id)
		err := f.Store.CreateExhibit(a.oakCtx, newExhibit("x", b.incident.ID))
		f.refused(err, bluelamp.KindNotFound, heads...)
		e := f.mustCreateExhibit(b.oakCtx, newExhibit("x", b.incident.ID))
		heads = f.heads(a.id, b.id)
		_, err = f.Store.FindExhibitByID(a.oakCtx, e.ID, consult)
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.ViewExhibitContent(a.oakCtx, e.ID, consult)
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.RecordCustody(a.oakCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "locker 3"})
		f.refused(err, bluelamp.KindNotFound, heads...)
		f.refused(f.Store.RecordExhibitIntegrityFailure(a.oakCtx, e.ID, nil), bluelamp.KindNotFound, heads...)
		list, total, err := f.Store.FindExhibits(a.oakCtx, bluelamp.ExhibitFilter{}, consult)
		ok(t, err)
		if len(list) != 0 || total != 0 {
			t.Errorf("alpha lists %d of bravo's exhibits (total %d)", len(list), total)
		}
	})
}

func testFindExhibits(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		var made []*bluelamp.Exhibit
		for i, ctx := range []context.Context{a.oakCtx, a.dayCtx, a.oakCtx} {
			inc := a.incident.ID
			if i == 1 {
				inc = 0
			}
			made = append(made, f.mustCreateExhibit(ctx, newExhibit(fmt.Sprint(i), inc)))
			f.clock.Advance(time.Minute)
		}
		mark := f.auditMark(a.id)
		got, total, err := f.Store.FindExhibits(a.controlCtx, bluelamp.ExhibitFilter{IncidentID: &a.incident.ID}, consult)
		ok(t, err)
		if total != 2 || len(got) != 2 || got[0].ID != made[2].ID || got[1].ID != made[0].ID || got[0].Custody != nil {
			t.Fatalf("exhibits of the incident = %d of %d: %+v", len(got), total, got)
		}
		f.wantAudit(a.id, mark, a.controlCtx, auditWant{action: bluelamp.AuditConsultation,
			subjects: []string{ref("exhibit", made[2].ID), ref("exhibit", made[0].ID)}, j: &consult})
		got, total, err = f.Store.FindExhibits(a.controlCtx, bluelamp.ExhibitFilter{ProducedBy: new("5012")}, consult)
		ok(t, err)
		if total != 1 || got[0].Reference != "FD/1" {
			t.Fatalf("Fancy Day's exhibits = %d: %+v", total, got)
		}
		got, total, err = f.Store.FindExhibits(a.controlCtx, bluelamp.ExhibitFilter{Limit: 1, Offset: 1}, consult)
		ok(t, err)
		if total != 3 || len(got) != 1 || got[0].ID != made[1].ID {
			t.Fatalf("page 2 of 1 = %d of %d", len(got), total)
		}
		got, total, err = f.Store.FindExhibits(a.controlCtx, bluelamp.ExhibitFilter{Offset: 10}, consult)
		ok(t, err)
		if total != 3 || len(got) != 0 {
			t.Fatalf("past the end = %d of %d", len(got), total)
		}
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", 0))
		mark := f.auditMark(a.id)
		_, _, err := f.Store.FindExhibits(a.oakCtx, bluelamp.ExhibitFilter{}, bluelamp.Justification{})
		wantKind(t, err, bluelamp.KindInvalid)
		_, err = f.Store.FindExhibitByID(a.oakCtx, e.ID, bluelamp.Justification{})
		wantKind(t, err, bluelamp.KindInvalid)
		_, err = f.Store.ViewExhibitContent(a.oakCtx, e.ID, bluelamp.Justification{Reason: "NOPE"})
		wantFields(t, err, "reason")
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ViewContentAudited", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", a.incident.ID))
		mark := f.auditMark(a.id)
		got, err := f.Store.ViewExhibitContent(a.controlCtx, e.ID, bluelamp.Justification{Reason: "INVESTIGATION"})
		ok(t, err)
		if string(got.SHA256) != string(e.SHA256) {
			t.Fatalf("viewed exhibit hash %s, want %s", got.SHA256, e.SHA256)
		}
		r := f.wantAudit(a.id, mark, a.controlCtx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{ref("exhibit", e.ID)},
			j: &bluelamp.Justification{Reason: "INVESTIGATION", IncidentRef: a.incident.Number}})
		if r.What != "exhibit.view_content" {
			t.Errorf("audit what = %q", r.What)
		}
	})
}

func testRecordCustody(t *testing.T, open Opener) {
	t.Run("OKChain", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", a.incident.ID))
		steps := []struct {
			ctx       context.Context
			c         bluelamp.CustodyEntry
			state     bluelamp.ExhibitState
			custodian string
			place     string
			audited   bool
		}{
			{a.clerkCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived, Location: "Casterbridge property store"}, bluelamp.ExhibitInStore, "property store", "Casterbridge property store", false},
			{a.clerkCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "shelf B4"}, bluelamp.ExhibitInStore, "property store", "shelf B4", false},
			{a.oakCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyHandedOver, Recipient: "Wessex Forensics Ltd", Notes: "for enhancement"}, bluelamp.ExhibitHandedOver, "Wessex Forensics Ltd", "shelf B4", true},
			{a.oakCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyExamined, Notes: "enhanced by J. Bloggs"}, bluelamp.ExhibitHandedOver, "Wessex Forensics Ltd", "shelf B4", false},
			{a.clerkCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived, Location: "Casterbridge property store"}, bluelamp.ExhibitInStore, "property store", "Casterbridge property store", false},
			{a.oakCtx, bluelamp.CustodyEntry{Action: bluelamp.CustodyReturned, Recipient: "the owner, Bathsheba Everdene", Location: "front counter"}, bluelamp.ExhibitReturned, "the owner, Bathsheba Everdene", "front counter", true},
		}
		chain := e.Custody
		for _, st := range steps {
			f.clock.Advance(time.Hour)
			before, mark := f.head(a.id), f.auditMark(a.id)
			c := st.c
			got, err := f.Store.RecordCustody(st.ctx, e.ID, &c)
			ok(t, err)
			if got.State != st.state || got.Custodian != st.custodian || got.HeldAt != st.place {
				t.Fatalf("after %s: %s held by %q at %q, want %s by %q at %q", c.Action, got.State, got.Custodian, got.HeldAt, st.state, st.custodian, st.place)
			}
			last := got.Custody[len(got.Custody)-1]
			actor := bluelamp.ActorFrom(st.ctx)
			want := &bluelamp.CustodyEntry{ID: last.ID, ExhibitID: e.ID, Action: c.Action, At: f.clock.Now(), By: actor.Name(),
				ByCollar: map[string]string{a.oak.Username: "1041"}[actor.Username], Location: c.Location, Recipient: c.Recipient, Notes: c.Notes}
			if diff := cmp.Diff(want, last); diff != "" {
				t.Fatalf("entry for %s (-want +got):\n%s", c.Action, diff)
			}
			chain = append(chain, want)
			if diff := cmp.Diff(chain, got.Custody); diff != "" {
				t.Fatalf("chain after %s (-want +got):\n%s", c.Action, diff)
			}
			events := f.wantEvents(a.id, before, bluelamp.EventExhibitHandled)
			wantExhibitEvent(t, events[0], bluelamp.EventExhibitHandled, bluelamp.ClassOfficialSensitive, got, want)
			if st.audited {
				f.wantAudit(a.id, mark, st.ctx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("exhibit", e.ID)}})
			} else {
				f.wantNoAudit(a.id, mark)
			}
		}
		found := f.findExhibit(a.oakCtx, e.ID)
		if diff := cmp.Diff(chain, found.Custody); diff != "" {
			t.Fatalf("FindExhibitByID chain (-want +got):\n%s", diff)
		}
		heads := f.heads(a.id)
		_, err := f.Store.RecordCustody(a.oakCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "x"})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "custody_ended")
		f.wantVerified()
	})
	t.Run("OKBackdatedInOrder", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := newExhibit("x", 0)
		e.SeizedAt = start.Add(-10 * time.Hour)
		f.mustCreateExhibit(a.oakCtx, e)
		got, err := f.Store.RecordCustody(a.oakCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived, Location: "store", At: start.Add(-9 * time.Hour)})
		ok(t, err)
		if at := got.Custody[1].At; !at.Equal(start.Add(-9 * time.Hour)) {
			t.Errorf("backdated handling at %v", at)
		}
		heads := f.heads(a.id)
		_, err = f.Store.RecordCustody(a.oakCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "shelf", At: start.Add(-9*time.Hour - time.Second)})
		f.refused(err, bluelamp.KindInvalid, heads...)
		wantFields(t, err, "at")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", 0))
		heads := f.heads(a.id)
		for _, tc := range []struct {
			c      bluelamp.CustodyEntry
			fields []string
		}{
			{bluelamp.CustodyEntry{Action: "LOST"}, []string{"action"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodySeized, Location: "x"}, []string{"action"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived}, []string{"location"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "a\x01"}, []string{"location"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyHandedOver}, []string{"recipient"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyReturned, Recipient: " "}, []string{"recipient"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "x", Recipient: "y"}, []string{"recipient"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyExamined}, []string{"notes"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyDestroyed}, []string{"notes"}},
			{bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "x", At: start.Add(-73 * time.Hour)}, []string{"at"}},
		} {
			c := tc.c
			_, err := f.Store.RecordCustody(a.oakCtx, e.ID, &c)
			wantFields(t, err, tc.fields...)
		}
		_, err := f.Store.RecordCustody(a.oakCtx, e.ID+100, &bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "x"})
		wantKind(t, err, bluelamp.KindNotFound)
		f.wantUnmoved(heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", 0))
		_, err := f.Store.RecordCustody(a.clerkCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived, Location: "store"})
		ok(t, err)
		heads := f.heads(a.id)
		_, err = f.Store.RecordCustody(a.clerkCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyReceived, Location: "store"})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "already_in_store")
		_, err = f.Store.RecordCustody(a.clerkCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyDestroyed, Notes: "court order 12/30, incinerated"})
		ok(t, err)
		heads = f.heads(a.id)
		_, err = f.Store.RecordCustody(a.clerkCtx, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyExamined, Notes: "too late"})
		f.refused(err, bluelamp.KindConflict, heads...)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", 0))
		_, err := f.Store.RecordCustody(t.Context(), e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyMoved, Location: "x"})
		wantNoActor(t, err)
		_, err = f.Store.FindExhibitByID(t.Context(), e.ID, consult)
		wantNoActor(t, err)
		_, _, err = f.Store.FindExhibits(f.deployment(), bluelamp.ExhibitFilter{}, consult)
		wantKind(t, err, bluelamp.KindForbidden)
	})
}

func testRecordExhibitIntegrityFailure(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.evidenceForce("alpha")
	e := f.mustCreateExhibit(a.oakCtx, newExhibit("x", a.incident.ID))
	before := f.head(a.id)
	bad := sha256.Sum256([]byte("tampered"))
	ok(t, f.Store.RecordExhibitIntegrityFailure(a.controlCtx, e.ID, bad[:]))
	ok(t, f.Store.RecordExhibitIntegrityFailure(a.controlCtx, e.ID, nil))
	events := f.wantEvents(a.id, before, bluelamp.EventExhibitIntegrityFailed, bluelamp.EventExhibitIntegrityFailed)
	var got bluelamp.ExhibitIntegrityFailure
	ok(t, json.Unmarshal(events[0].Payload, &got))
	if diff := cmp.Diff(bluelamp.ExhibitIntegrityFailure{ExhibitID: e.ID, Reference: "GO/1", Want: e.SHA256, Got: bad[:]}, got); diff != "" {
		t.Errorf("payload (-want +got):\n%s", diff)
	}
	if events[0].Type.Info().Personal || events[0].Subject != ref("exhibit", e.ID) {
		t.Errorf("integrity event %+v", events[0])
	}
	ok(t, json.Unmarshal(events[1].Payload, &got))
	if len(got.Got) != 0 {
		t.Errorf("a missing file's hash = %s", got.Got)
	}
}
