package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// mustCreateOfficerUser creates a response officer with a collar number.
func (f *fixture) mustCreateOfficerUser(force bluelamp.ForceID, name, collar string) (*bluelamp.User, context.Context) {
	f.t.Helper()
	u := &bluelamp.User{Username: string(force) + "." + name, DisplayName: "PC " + name, CollarNumber: collar,
		Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	ok(f.t, f.Store.CreateUser(f.system(force), u, ""))
	return u, f.as(u)
}

func testBookOn(t *testing.T, open Opener) {
	t.Run("OffDutyUnitBecomesAvailableWithTheOfficerInItsCrew", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, pc := f.mustCreateOfficerUser(a.id, "smith", "4021")
		before := f.head(a.id)
		call, crew := "A21", []string{"3310"}
		u, err := f.Store.BookOn(pc, a.unit.ID, bluelamp.UnitUpdate{CallSign: &call, Crew: &crew})
		ok(t, err)
		if u.State != bluelamp.StateAvailable || u.CallSign != "A21" || !slices.Equal(u.Crew, []string{"3310", "4021"}) {
			t.Errorf("booked on: state %s, call sign %s, crew %v", u.State, u.CallSign, u.Crew)
		}
		changes := f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitBookedOn, subject: ref("unit", u.ID)})
		if changes[0].Officer != "4021" || changes[0].Unit == nil || changes[0].Unit.State != bluelamp.StateAvailable {
			t.Errorf("unit.booked_on carries %+v", changes[0])
		}
		got, err := f.Store.FindBooking(pc)
		ok(t, err)
		if got.ID != a.unit.ID {
			t.Errorf("FindBooking = unit %d, want %d", got.ID, a.unit.ID)
		}
	})
	t.Run("MovingUnitsLeavesTheFirst", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, pc := f.mustCreateOfficerUser(a.id, "smith", "4021")
		second := f.mustCreateUnit(a.ctx, a.station.ID, "B2")
		_, err := f.Store.BookOn(pc, a.unit.ID, bluelamp.UnitUpdate{})
		ok(t, err)
		_, err = f.Store.BookOn(pc, second.ID, bluelamp.UnitUpdate{})
		ok(t, err)
		first := f.unit(a.ctx, a.unit.ID)
		if first.State != bluelamp.StateOffDuty || len(first.Crew) != 0 {
			t.Errorf("the first unit after its only officer moved: %s, crew %v", first.State, first.Crew)
		}
		got, err := f.Store.FindBooking(pc)
		ok(t, err)
		if got.ID != second.ID {
			t.Errorf("booked on to unit %d, want %d", got.ID, second.ID)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		bravoUnit := f.cadForce("bravo").unit
		_, pc := f.mustCreateOfficerUser(a.id, "smith", "4021")
		before := f.heads(a.id, "bravo")
		// No collar number: a crew names its officers by collar.
		_, err := f.Store.BookOn(f.as(a.user), a.unit.ID, bluelamp.UnitUpdate{})
		wantErrFields(t, err, "collar_number")
		// Another force's unit is not found.
		_, err = f.Store.BookOn(pc, bravoUnit.ID, bluelamp.UnitUpdate{})
		wantKind(t, err, bluelamp.KindNotFound)
		bad := []bluelamp.UnitSkill{{Skill: "NO_SUCH_SKILL"}}
		_, err = f.Store.BookOn(pc, a.unit.ID, bluelamp.UnitUpdate{Skills: &bad})
		wantKind(t, err, bluelamp.KindInvalid)
		f.wantNoEventsSince(before...)
		_, err = f.Store.FindBooking(pc)
		wantKind(t, err, bluelamp.KindNotFound)
	})
}

func testBookOff(t *testing.T, open Opener) {
	t.Run("LastOfficerOffTakesTheUnitOffDuty", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, pc1 := f.mustCreateOfficerUser(a.id, "smith", "4021")
		_, pc2 := f.mustCreateOfficerUser(a.id, "jones", "4022")
		_, err := f.Store.BookOn(pc1, a.unit.ID, bluelamp.UnitUpdate{})
		ok(t, err)
		_, err = f.Store.BookOn(pc2, a.unit.ID, bluelamp.UnitUpdate{})
		ok(t, err)
		u, err := f.Store.BookOff(pc1)
		ok(t, err)
		if u.State != bluelamp.StateAvailable || !slices.Equal(u.Crew, []string{"4022"}) {
			t.Errorf("after one of two booked off: %s, crew %v", u.State, u.Crew)
		}
		before := f.head(a.id)
		u, err = f.Store.BookOff(pc2)
		ok(t, err)
		if u.State != bluelamp.StateOffDuty || len(u.Crew) != 0 {
			t.Errorf("after the last booked off: %s, crew %v", u.State, u.Crew)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitBookedOff, subject: ref("unit", u.ID)})
		_, err = f.Store.BookOff(pc2)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("NotWhileTheUnitHasAJob", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, pc := f.mustCreateOfficerUser(a.id, "smith", "4021")
		_, err := f.Store.BookOn(pc, a.unit.ID, bluelamp.UnitUpdate{})
		ok(t, err)
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		f.mustAssign(a.ctx, inc.ID, a.unit.ID)
		before := f.heads(a.id)
		_, err = f.Store.BookOff(pc)
		wantKind(t, err, bluelamp.KindConflict)
		wantMessage(t, err, inc.Number)
		f.wantNoEventsSince(before...)
	})
}

// testClientOps checks that an action sent again with its key applies once.
func testClientOps(t *testing.T, open Opener) {
	hash := func(s string) func() []byte { return func() []byte { return []byte(s) } }
	t.Run("ReplayAppliesOnceAndGivesTheFirstAnswer", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		op := &bluelamp.ClientOp{Key: "0192f3a4-0001", RequestHash: hash("note 1")}
		ctx := bluelamp.WithClientOp(a.ctx, op)
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "noise"))
		_, err := f.Store.AddLogEntry(ctx, inc.ID, "officer on foot nearby", 0)
		ok(t, err)
		if !op.Claimed() {
			t.Fatal("the op is not marked claimed after its write")
		}
		ok(t, f.Store.SaveClientOpAnswer(ctx, op.Key, 201, []byte(`{"id":1}`)))
		before := f.head(a.id)
		// The device did not hear the answer and sends it again.
		again := bluelamp.WithClientOp(a.ctx, &bluelamp.ClientOp{Key: op.Key, RequestHash: hash("note 1")})
		_, err = f.Store.AddLogEntry(again, inc.ID, "officer on foot nearby", 0)
		var rp *bluelamp.Replayed
		if !errors.As(err, &rp) {
			t.Fatalf("replay: err = %v, want *Replayed", err)
		}
		if rp.Status != 201 || string(rp.Body) != `{"id":1}` || !rp.AppliedAt.Equal(start) {
			t.Errorf("replay = %+v", rp)
		}
		f.wantNoEventsSince(before)
		if n := len(f.incidentLog(a.ctx, inc.ID)); n != 2 { // opened + one note
			t.Errorf("log has %d entries, want 2", n)
		}
		// The same key for something else is a client bug, not a replay.
		other := bluelamp.WithClientOp(a.ctx, &bluelamp.ClientOp{Key: op.Key, RequestHash: hash("note 2")})
		_, err = f.Store.AddLogEntry(other, inc.ID, "a different note", 0)
		wantCode(t, err, "idempotency_key_reused")
		// Keys are per user: another user's identical key is their own action.
		_, pc := f.mustCreateOfficerUser(a.id, "smith", "4021")
		mine := bluelamp.WithClientOp(pc, &bluelamp.ClientOp{Key: op.Key, RequestHash: hash("note 1")})
		_, err = f.Store.AddLogEntry(mine, inc.ID, "officer on foot nearby", 0)
		ok(t, err)
	})
	t.Run("ConcurrentCopiesApplyOnce", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "noise"))
		var mu sync.Mutex
		applied, replayed := 0, 0
		var fns []func()
		for range 8 {
			fns = append(fns, func() {
				ctx := bluelamp.WithClientOp(a.ctx, &bluelamp.ClientOp{Key: "same-key-123", RequestHash: hash("x")})
				_, err := f.Store.AddLogEntry(ctx, inc.ID, "sent eight times", 0)
				mu.Lock()
				defer mu.Unlock()
				var rp *bluelamp.Replayed
				switch {
				case err == nil:
					applied++
				case errors.As(err, &rp):
					replayed++
				default:
					t.Errorf("copy: %v", err)
				}
			})
		}
		together(fns...)
		if applied != 1 || replayed != 7 {
			t.Errorf("applied %d, replayed %d; want 1 and 7", applied, replayed)
		}
		if n := len(f.incidentLog(a.ctx, inc.ID)); n != 2 {
			t.Errorf("log has %d entries, want 2", n)
		}
	})
	t.Run("AFailedWriteDoesNotClaim", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		op := &bluelamp.ClientOp{Key: "fails-first", RequestHash: hash("x")}
		_, err := f.Store.AddLogEntry(bluelamp.WithClientOp(a.ctx, op), 999999, "no such incident", 0)
		wantKind(t, err, bluelamp.KindNotFound)
		if op.Claimed() {
			t.Error("a failed write marked its op claimed")
		}
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "noise"))
		// Sent again once the problem is gone, it applies.
		_, err = f.Store.AddLogEntry(bluelamp.WithClientOp(a.ctx, &bluelamp.ClientOp{Key: "fails-first", RequestHash: hash("x")}), inc.ID, "now it works", 0)
		ok(t, err)
	})
}

// wantNoEventsSince checks that nothing was appended after each head.
func (f *fixture) wantNoEventsSince(heads ...bluelamp.Head) {
	f.t.Helper()
	for _, h := range heads {
		f.wantNoEvents(h.ForceID, h)
	}
}

// testDeviceTime checks statuses and notes queued on a phone with no signal:
// arrival is timed from the phone, never before the assignment, and the
// log shows both times.
func testDeviceTime(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	unit := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "A9")
	inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
	f.clock.set(start.Add(10 * time.Minute))
	f.mustAssign(a.ctx, inc.ID, unit.ID) // assigned at start+10m
	f.clock.set(start.Add(30 * time.Minute))
	// En route before the assignment (a phone's clock or a queue's
	// order): counted from the assignment.
	_, err := f.Store.SetUnitStatus(bluelamp.WithTakenAt(a.ctx, start.Add(5*time.Minute)), unit.ID, "5")
	ok(t, err)
	// At scene 12 minutes in, sent 18 minutes later when the signal came back.
	_, err = f.Store.SetUnitStatus(bluelamp.WithTakenAt(a.ctx, start.Add(12*time.Minute)), unit.ID, "6")
	ok(t, err)
	got := f.incident(a.ctx, inc.ID)
	if got.FirstArrivedAt == nil || !got.FirstArrivedAt.Equal(start.Add(12*time.Minute)) {
		t.Errorf("first arrival %v, want the device's time", got.FirstArrivedAt)
	}
	as := got.Assignments[len(got.Assignments)-1]
	if !as.EnRouteAt.Equal(start.Add(10*time.Minute)) || !as.AtSceneAt.Equal(start.Add(12*time.Minute)) {
		t.Errorf("assignment en route %v, at scene %v", as.EnRouteAt, as.AtSceneAt)
	}
	_, err = f.Store.AddLogEntry(bluelamp.WithTakenAt(a.ctx, start.Add(13*time.Minute)), inc.ID, "one detained", 0)
	ok(t, err)
	log := f.incidentLog(a.ctx, inc.ID)
	last := log[len(log)-1]
	if !strings.Contains(last.Text, "written on the device at 09:43:00") || !last.Time.Equal(start.Add(30*time.Minute)) {
		t.Errorf("note %q at %v", last.Text, last.Time)
	}
	before := f.heads(a.id)
	_, err = f.Store.SetUnitStatus(bluelamp.WithTakenAt(a.ctx, start.Add(time.Hour)), unit.ID, "2")
	wantErrFields(t, err, "taken_at")
	_, err = f.Store.AddLogEntry(bluelamp.WithTakenAt(a.ctx, start.Add(-25*time.Hour)), inc.ID, "too old", 0)
	wantErrFields(t, err, "taken_at")
	f.wantNoEventsSince(before...)
}
