package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testAssignUnit(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "burglary"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.clock.Advance(2 * time.Minute)
		before := f.head(a.id)
		asg, err := f.Store.AssignUnit(a.ctx, inc.ID, u.ID, false)
		ok(t, err)
		now := start.Add(2 * time.Minute)
		want := &bluelamp.Assignment{ID: asg.ID, IncidentID: inc.ID, Incident: inc.Number, UnitID: u.ID, CallSign: "B2",
			State: bluelamp.AssignmentAssigned, AssignedAt: now, AssignedBy: a.controller.Username}
		if diff := cmp.Diff(want, asg); diff != "" {
			t.Errorf("assignment (-want +got):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitAssigned, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogAssigned, "B2 assigned"}},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				f.wantUnitSnapshot(a.ctx, c.Unit)
				if diff := cmp.Diff(asg, c.Assignment); diff != "" {
					t.Errorf("assignment carried (-returned +carried):\n%s", diff)
				}
				if c.Diverted != nil {
					t.Errorf("an ordinary assignment carries a diversion from %s", c.Diverted.Number)
				}
			}})
		got := f.incident(a.ctx, inc.ID)
		if got.Resourcing != bluelamp.ResourcingAssigned || got.FirstDispatchedAt == nil || !got.FirstDispatchedAt.Equal(now) {
			t.Errorf("incident after assignment: %s, first dispatched %v", got.Resourcing, got.FirstDispatchedAt)
		}
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAssigned || gu.StatusCode != "A" || gu.IncidentID != inc.ID || gu.Incident != inc.Number {
			t.Errorf("unit after assignment: %s (%s) on %d %q", gu.State, gu.StatusCode, gu.IncidentID, gu.Incident)
		}
		// A second unit does not move the first dispatch time.
		f.clock.Advance(time.Minute)
		standby := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B3")
		f.mustStatus(a.ctx, standby.ID, "3")
		f.mustAssign(a.ctx, inc.ID, standby.ID)
		if got := f.incident(a.ctx, inc.ID); !got.FirstDispatchedAt.Equal(now) || len(got.Assignments) != 2 {
			t.Errorf("after a second unit: first dispatched %v, %d assignments", got.FirstDispatchedAt, len(got.Assignments))
		}
	})
	t.Run("OKDivert", func(t *testing.T) {
		// A unit on a less urgent job may be taken to an IMMEDIATE one: its
		// old assignment ends DIVERTED and both logs say so.
		f := setup(t, open)
		a := f.cadForce("alpha")
		from := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "shoplifter detained"))
		to := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "stabbing"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		old := f.mustAssign(a.ctx, from.ID, u.ID)
		f.mustStatus(a.ctx, u.ID, "5")
		heads := f.heads(a.id)
		_, err := f.Store.AssignUnit(a.ctx, to.ID, u.ID, false)
		f.refused(err, bluelamp.KindConflict, heads...)
		wantMessage(t, err, from.Number)
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		asg, err := f.Store.AssignUnit(a.ctx, to.ID, u.ID, true)
		ok(t, err)
		if asg.DivertedFrom != from.Number || asg.IncidentID != to.ID || asg.State != bluelamp.AssignmentAssigned {
			t.Errorf("diverted assignment = %+v", asg)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitAssigned, subject: incidentSubject(to.ID),
			entries: []entryWant{
				{from.ID, bluelamp.LogStoodDown, "B2 diverted to " + to.Number + " (IMMEDIATE)"},
				{to.ID, bluelamp.LogAssigned, "B2 assigned, diverted from " + from.Number},
			},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				f.wantSnapshot(a.ctx, c.Diverted)
				f.wantUnitSnapshot(a.ctx, c.Unit)
			}})
		left := f.incident(a.ctx, from.ID)
		if left.Resourcing != bluelamp.ResourcingAwaiting || len(left.Assignments) != 1 || left.Assignments[0].ID != old.ID ||
			left.Assignments[0].State != bluelamp.AssignmentDiverted || left.Assignments[0].EndedAt == nil {
			t.Errorf("the incident left behind: %s, assignments %+v", left.Resourcing, left.Assignments)
		}
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAssigned || gu.IncidentID != to.ID {
			t.Errorf("diverted unit: %s on %d", gu.State, gu.IncidentID)
		}
	})
	t.Run("OKDivertDeployable", func(t *testing.T) {
		// A unit that has said it is committed but deployable may be taken
		// from a job as urgent, even at scene.
		f := setup(t, open)
		a := f.cadForce("alpha")
		from := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "first"))
		to := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "second"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, from.ID, u.ID)
		f.mustStatus(a.ctx, u.ID, "6")
		heads := f.heads(a.id)
		_, err := f.Store.AssignUnit(a.ctx, to.ID, u.ID, true)
		f.refused(err, bluelamp.KindConflict, heads...)
		f.mustStatus(a.ctx, u.ID, "7")
		asg, err := f.Store.AssignUnit(a.ctx, to.ID, u.ID, true)
		ok(t, err)
		if asg.DivertedFrom != from.Number {
			t.Errorf("diverted from %q", asg.DivertedFrom)
		}
		// Arrived before it left, so the first incident is cleared, not awaiting.
		if got := f.incident(a.ctx, from.ID); got.Resourcing != bluelamp.ResourcingCleared {
			t.Errorf("the incident left behind is %s", got.Resourcing)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		imm := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "stabbing"))
		pri := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "threats"))
		std := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "theft"))
		closed := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "over"))
		_, err := f.Store.CloseIncident(a.ctx, closed.ID, closing)
		ok(t, err)
		offDuty := a.unit // populate's unit starts off duty
		busy := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, std.ID, busy.ID)
		onImm := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B3")
		f.mustAssign(a.ctx, imm.ID, onImm.ID)
		atScene := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B4")
		f.mustAssign(a.ctx, std.ID, atScene.ID)
		f.mustStatus(a.ctx, atScene.ID, "6")
		lunch := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B5")
		f.mustStatus(a.ctx, lunch.ID, "4")
		help := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B6")
		f.mustStatus(a.ctx, help.ID, "0")
		free := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B7")
		imm2 := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "second emergency"))
		heads := f.heads(a.id)
		for _, c := range []struct {
			name     string
			incident bluelamp.IncidentID
			unit     bluelamp.UnitID
			divert   bool
			code     string
			mentions []string
		}{
			{"off duty", imm.ID, offDuty.ID, false, "unit_unavailable", []string{"off duty"}},
			{"off duty, diverting", imm.ID, offDuty.ID, true, "unit_unavailable", []string{"off duty"}},
			{"assigned elsewhere", pri.ID, busy.ID, false, "unit_unavailable", []string{std.Number, a.controller.Username}},
			{"already on this job", std.ID, busy.ID, false, "unit_unavailable", []string{"already assigned to " + std.Number}},
			{"diverting to a job that is not IMMEDIATE", pri.ID, busy.ID, true, "unit_unavailable", []string{"only to an IMMEDIATE"}},
			{"diverting to its own job", imm.ID, onImm.ID, true, "unit_unavailable", []string{"already assigned to " + imm.Number}},
			{"diverting from an IMMEDIATE job", imm2.ID, onImm.ID, true, "unit_unavailable", []string{imm.Number, "as urgent"}},
			{"diverting a unit at scene", imm.ID, atScene.ID, true, "unit_unavailable", []string{"not deployable"}},
			{"on refreshments", imm.ID, lunch.ID, false, "unit_unavailable", []string{"not available"}},
			{"on refreshments, diverting", imm.ID, lunch.ID, true, "unit_unavailable", []string{"not deployable"}},
			{"in an emergency", imm.ID, help.ID, true, "unit_unavailable", []string{"emergency"}},
			{"to a closed incident", closed.ID, free.ID, false, "incident_closed", []string{closed.Number}},
		} {
			_, err := f.Store.AssignUnit(a.ctx, c.incident, c.unit, c.divert)
			if bluelamp.KindOf(err) != bluelamp.KindConflict {
				t.Errorf("%s: got %v, want KindConflict", c.name, err)
				continue
			}
			wantCode(t, err, c.code)
			wantMessage(t, err, c.mentions...)
			if c.code == "unit_unavailable" {
				wantErrFields(t, err, "unit_id")
			}
			f.refused(err, bluelamp.KindConflict, heads...)
		}
		if gu := f.unit(a.ctx, free.ID); gu.State != bluelamp.StateAvailable {
			t.Errorf("a refused unit is %s", gu.State)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "x"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		heads := f.heads(a.id)
		_, err := f.Store.AssignUnit(a.ctx, 9999, u.ID, false)
		f.refused(err, bluelamp.KindNotFound, heads...)
		wantErrFields(t, err, "incident_id")
		_, err = f.Store.AssignUnit(a.ctx, inc.ID, 9999, false)
		f.refused(err, bluelamp.KindNotFound, heads...)
		wantErrFields(t, err, "unit_id")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		incA := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		unitA := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		incB := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeImmediate, "bravo's"))
		unitB := f.mustCreateAvailableUnit(b.ctx, b.station.ID, "B2")
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			for _, pair := range []struct {
				inc  bluelamp.IncidentID
				unit bluelamp.UnitID
			}{{incA.ID, unitA.ID}, {incB.ID, unitA.ID}, {incA.ID, unitB.ID}} {
				for _, divert := range []bool{false, true} {
					_, err := f.Store.AssignUnit(ac.ctx, pair.inc, pair.unit, divert)
					f.refused(err, bluelamp.KindNotFound, heads...)
				}
			}
		}
		if gu := f.unit(a.ctx, unitA.ID); gu.State != bluelamp.StateAvailable {
			t.Errorf("%s's unit is %s", a.id, gu.State)
		}
	})
	t.Run("OKRace", func(t *testing.T) { testAssignRace(t, open, false) })
	t.Run("OKRaceTwoNodes", func(t *testing.T) { testAssignRace(t, open, true) })
}

// testAssignRace has eight controllers assign the same available unit to
// eight incidents at the same moment, round after round: exactly one wins
// each round, and every other is told where the unit went. With nodes set
// the controllers are split between two stores on one database.
func testAssignRace(t *testing.T, open Opener, nodes bool) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	stores := []bluelamp.Store{f.Store}
	if nodes {
		if f.Node == nil {
			t.Skip("the engine cannot be shared between stores")
		}
		stores = append(stores, f.Node(t))
	}
	const controllers, rounds = 8, 6
	ctxs := make([]context.Context, controllers)
	for i := range ctxs {
		ctxs[i] = f.as(f.mustCreateUser(a.id, fmt.Sprintf("controller%d", i), bluelamp.RoleController))
	}
	for round := range rounds {
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, fmt.Sprintf("R%d", round))
		incs := make([]*bluelamp.Incident, controllers)
		for i := range incs {
			incs[i] = f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, fmt.Sprintf("round %d job %d", round, i)))
		}
		before := f.head(a.id)
		asgs := make([]*bluelamp.Assignment, controllers)
		errs := make([]error, controllers)
		fns := make([]func(), controllers)
		for i := range fns {
			s := stores[i%len(stores)]
			fns[i] = func() { asgs[i], errs[i] = s.AssignUnit(ctxs[i], incs[i].ID, u.ID, false) }
		}
		together(fns...)
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: controllers %d and %d both assigned %s", round, winner, i, u.CallSign)
			case err == nil:
				winner = i
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody assigned the unit: %v", round, errs)
		}
		won := incs[winner]
		for i, err := range errs {
			if i == winner {
				continue
			}
			if bluelamp.KindOf(err) != bluelamp.KindConflict || asgs[i] != nil {
				t.Fatalf("round %d: controller %d got %v, want KindConflict", round, i, err)
			}
			wantCode(t, err, "unit_unavailable")
			if msg := bluelamp.MessageOf(err); !strings.Contains(msg, won.Number) || !strings.Contains(msg, u.CallSign) {
				t.Errorf("round %d: loser %d told %q; want it to name %s and %s", round, i, msg, u.CallSign, won.Number)
			}
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitAssigned, subject: incidentSubject(won.ID),
			entries: []entryWant{{won.ID, bluelamp.LogAssigned, u.CallSign + " assigned"}}})
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAssigned || gu.IncidentID != won.ID {
			t.Errorf("round %d: unit is %s on %d, want assigned to %d", round, gu.State, gu.IncidentID, won.ID)
		}
		for i, inc := range incs {
			got := f.incident(a.ctx, inc.ID)
			if want := map[bool]int{true: 1, false: 0}[i == winner]; len(got.Assignments) != want {
				t.Errorf("round %d: incident %d has %d assignments, want %d", round, i, len(got.Assignments), want)
			}
		}
	}
	f.wantVerified()
}

func testStandDownUnit(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alarm"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		asg := f.mustAssign(a.ctx, inc.ID, u.ID)
		f.mustStatus(a.ctx, u.ID, "5")
		f.clock.Advance(3 * time.Minute)
		before := f.head(a.id)
		ok(t, f.Store.StandDownUnit(a.ctx, inc.ID, u.ID, "  false alarm confirmed by keyholder "))
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStoodDown, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogStoodDown, "B2 stood down: false alarm confirmed by keyholder"}},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				f.wantUnitSnapshot(a.ctx, c.Unit)
				if c.Assignment == nil || c.Assignment.ID != asg.ID || c.Assignment.State != bluelamp.AssignmentStoodDown {
					t.Errorf("assignment carried = %+v", c.Assignment)
				}
			}})
		got := f.incident(a.ctx, inc.ID)
		if got.Resourcing != bluelamp.ResourcingAwaiting || got.Assignments[0].State != bluelamp.AssignmentStoodDown ||
			!got.Assignments[0].EndedAt.Equal(start.Add(3*time.Minute)) {
			t.Errorf("incident after stand-down: %s, %+v", got.Resourcing, got.Assignments[0])
		}
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAvailable || gu.IncidentID != 0 {
			t.Errorf("unit after stand-down: %s on %d", gu.State, gu.IncidentID)
		}
		// Free again: it can go to another job.
		other := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "next job"))
		f.mustAssign(a.ctx, other.ID, u.ID)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alarm"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, inc.ID, u.ID)
		heads := f.heads(a.id)
		err := f.Store.StandDownUnit(a.ctx, inc.ID, u.ID, " ")
		wantFields(t, err, "reason")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alarm"))
		other := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "other"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, other.ID, u.ID)
		heads := f.heads(a.id)
		err := f.Store.StandDownUnit(a.ctx, inc.ID, u.ID, "not needed")
		f.refused(err, bluelamp.KindConflict, heads...)
		wantMessage(t, err, "not assigned to "+inc.Number)
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAssigned || gu.IncidentID != other.ID {
			t.Errorf("unit after a refused stand-down: %s on %d", gu.State, gu.IncidentID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alarm"))
		wantKind(t, f.Store.StandDownUnit(a.ctx, 9999, a.unit.ID, "why"), bluelamp.KindNotFound)
		wantKind(t, f.Store.StandDownUnit(a.ctx, inc.ID, 9999, "why"), bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, inc.ID, u.ID)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			f.refused(f.Store.StandDownUnit(ac.ctx, inc.ID, u.ID, "intrusion"), bluelamp.KindNotFound, heads...)
		}
		if gu := f.unit(a.ctx, u.ID); gu.State != bluelamp.StateAssigned {
			t.Errorf("%s's unit is %s", a.id, gu.State)
		}
	})
}
