package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testCreateUnitSkills(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		expires := start.Add(90 * 24 * time.Hour)
		u := &bluelamp.Unit{CallSign: "ARV1", Type: "armed response vehicle", StationID: a.station.ID, Crew: []string{"1234", "AB12"},
			Skills:   []bluelamp.UnitSkill{{Skill: "ARVO", Expires: &expires}, {Skill: "TASER"}},
			State:    bluelamp.StateAvailable,
			Position: north(here, 200)}
		ok(t, f.Store.CreateUnit(a.ctx, u))
		if u.StatusCode != "2" || !u.StatusAt.Equal(start) || u.PositionAt == nil || !u.PositionAt.Equal(start) || u.IncidentID != 0 {
			t.Errorf("created unit = %+v", u)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitCreated, subject: ref("unit", u.ID), raw: func(e *bluelamp.Event) {
			var got bluelamp.Unit
			ok(t, json.Unmarshal(e.Payload, &got))
			if diff := cmp.Diff(u, &got, snapshotOpts); diff != "" {
				t.Errorf("unit.created payload (-created +carried):\n%s", diff)
			}
		}})
		if diff := cmp.Diff(u, f.unit(f.as(a.user), u.ID), snapshotOpts); diff != "" {
			t.Errorf("FindUnitByID (-created +found):\n%s", diff)
		}
		// A unit with no state starts off duty.
		off := f.mustCreateUnit(a.ctx, a.station.ID, "B9")
		if off.State != bluelamp.StateOffDuty || off.StatusCode != "11" {
			t.Errorf("a new unit is %s (%s)", off.State, off.StatusCode)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		s := bluelamp.DefaultForceSettings()
		s.Skills = []bluelamp.SkillInfo{{Code: "AFO", Label: "Authorised firearms officer"}}
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		heads := f.heads(a.id)
		unit := func(mod func(u *bluelamp.Unit)) *bluelamp.Unit {
			u := &bluelamp.Unit{CallSign: "X1", Type: "car", StationID: a.station.ID}
			mod(u)
			return u
		}
		for _, c := range []struct {
			name  string
			unit  *bluelamp.Unit
			field string
		}{
			{"skill not in the force's list", unit(func(u *bluelamp.Unit) { u.Skills = []bluelamp.UnitSkill{{Skill: "AFO"}, {Skill: "TASER"}} }), "skills"},
			{"malformed skill", unit(func(u *bluelamp.Unit) { u.Skills = []bluelamp.UnitSkill{{Skill: "afo"}} }), "skills"},
			{"repeated skill", unit(func(u *bluelamp.Unit) { u.Skills = []bluelamp.UnitSkill{{Skill: "AFO"}, {Skill: "AFO"}} }), "skills"},
			{"committed", unit(func(u *bluelamp.Unit) { u.State = bluelamp.StateEnRoute }), "state"},
			{"unknown state", unit(func(u *bluelamp.Unit) { u.State = "NAPPING" }), "state"},
			{"bad crew", unit(func(u *bluelamp.Unit) { u.Crew = []string{"pc 1"} }), "crew"},
			{"bad position", unit(func(u *bluelamp.Unit) { u.Position = &bluelamp.Position{Lat: 91} }), "position"},
		} {
			err := f.Store.CreateUnit(a.ctx, c.unit)
			if e := fieldsOf(err); bluelamp.KindOf(err) != bluelamp.KindInvalid || len(e) != 1 || e[c.field] == "" {
				t.Errorf("%s: got %v, want KindInvalid naming %s", c.name, err, c.field)
			}
		}
		f.refused(bluelamp.InvalidFields(nil), bluelamp.KindInvalid, heads...)
	})
}

func testFindUnitByID(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2", "TASER")
		if diff := cmp.Diff(u, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
			t.Errorf("FindUnitByID (-created +found):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.FindUnitByID(a.ctx, 9999)
		wantKind(t, err, bluelamp.KindNotFound)
		wantErrFields(t, err, "unit_id")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.FindUnitByID(ac.ctx, a.unit.ID)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, got, err)
			}
		}
	})
}

func testUpdateUnit(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2", "TASER")
		before := f.head(a.id)
		got, err := f.Store.UpdateUnit(a.ctx, u.ID, bluelamp.UnitUpdate{CallSign: new("KX21")})
		ok(t, err)
		want := *u
		want.CallSign = "KX21"
		if diff := cmp.Diff(&want, got, snapshotOpts); diff != "" {
			t.Errorf("after a new call sign (-want +got):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitUpdated, subject: ref("unit", u.ID),
			check: func(c bluelamp.Change) { f.wantUnitSnapshot(a.ctx, c.Unit) }})
		got, err = f.Store.UpdateUnit(a.ctx, u.ID, bluelamp.UnitUpdate{Crew: &[]string{"9", "10"}, Skills: &[]bluelamp.UnitSkill{{Skill: "DOG_GENERAL"}}})
		ok(t, err)
		want.Crew, want.Skills = []string{"9", "10"}, []bluelamp.UnitSkill{{Skill: "DOG_GENERAL"}}
		if diff := cmp.Diff(&want, got, snapshotOpts); diff != "" {
			t.Errorf("after a new crew and skills (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(&want, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
			t.Errorf("FindUnitByID (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2", "TASER")
		heads := f.heads(a.id)
		for _, c := range []struct {
			upd   bluelamp.UnitUpdate
			field string
		}{
			{bluelamp.UnitUpdate{CallSign: new("")}, "call_sign"},
			{bluelamp.UnitUpdate{Crew: &[]string{"ok1", "OK1"}}, "crew"},
			{bluelamp.UnitUpdate{Skills: &[]bluelamp.UnitSkill{{Skill: "JEDI"}}}, "skills"},
		} {
			_, err := f.Store.UpdateUnit(a.ctx, u.ID, c.upd)
			wantFields(t, err, c.field)
		}
		f.refused(bluelamp.InvalidFields(nil), bluelamp.KindInvalid, heads...)
		if diff := cmp.Diff(u, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
			t.Errorf("refused updates changed the unit (-created +now):\n%s", diff)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		heads := f.heads(a.id)
		_, err := f.Store.UpdateUnit(a.ctx, u.ID, bluelamp.UnitUpdate{CallSign: new(a.unit.CallSign)})
		f.refused(err, bluelamp.KindConflict, heads...)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.UpdateUnit(a.ctx, 9999, bluelamp.UnitUpdate{CallSign: new("X")})
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.UpdateUnit(ac.ctx, a.unit.ID, bluelamp.UnitUpdate{CallSign: new("HIJACK")})
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		if got := f.unit(a.ctx, a.unit.ID); got.CallSign != a.unit.CallSign {
			t.Errorf("%s's unit renamed %q", a.id, got.CallSign)
		}
	})
}

func testSetUnitStatus(t *testing.T, open Opener) {
	t.Run("OKNoJob", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		got := f.mustStatus(a.ctx, u.ID, "4")
		if got.State != bluelamp.StateRefreshment || got.StatusCode != "4" || !got.StatusAt.Equal(start.Add(time.Minute)) {
			t.Errorf("after code 4: %s (%s) at %v", got.State, got.StatusCode, got.StatusAt)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStatusChanged, subject: ref("unit", u.ID), check: func(c bluelamp.Change) {
			f.wantUnitSnapshot(a.ctx, c.Unit)
			if c.Incident != nil || c.Message != "" {
				t.Errorf("a change of state with no job carries incident %v, message %q", c.Incident, c.Message)
			}
		}})
		// The force's own codes map to canonical states.
		s := bluelamp.DefaultForceSettings()
		s.StatusCodes = append(s.StatusCodes, bluelamp.StatusCode{Code: "R", Label: "Resumed patrol", State: bluelamp.StateAvailable})
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		if got := f.mustStatus(a.ctx, u.ID, "R"); got.State != bluelamp.StateAvailable || got.StatusCode != "R" {
			t.Errorf("after the force's code R: %s (%s)", got.State, got.StatusCode)
		}
		// EMERGENCY with no job is still an emergency.
		if got := f.mustStatus(a.ctx, u.ID, "0"); got.State != bluelamp.StateEmergency {
			t.Errorf("after code 0: %s", got.State)
		}
	})
	t.Run("OKMessage", func(t *testing.T) {
		// Codes 12 to 16 are messages: logged on the unit's job, changing nothing.
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		got := f.mustStatus(a.ctx, u.ID, "13")
		if diff := cmp.Diff(u, got, snapshotOpts); diff != "" {
			t.Errorf("a message changed the unit (-before +after):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStatusChanged, subject: ref("unit", u.ID), check: func(c bluelamp.Change) {
			if c.Message != "Call back" || c.Unit == nil || c.Unit.ID != u.ID {
				t.Errorf("message event carries %+v", c)
			}
		}})
		inc := newIncident(bluelamp.GradePriority, "domestic")
		inc.Classification = bluelamp.ClassOfficialSensitive
		f.mustCreateIncident(a.ctx, inc)
		f.mustAssign(a.ctx, inc.ID, u.ID)
		assigned := f.unit(a.ctx, u.ID)
		incBefore := f.incident(a.ctx, inc.ID)
		f.clock.Advance(time.Minute)
		before = f.head(a.id)
		got = f.mustStatus(a.ctx, u.ID, "12")
		if diff := cmp.Diff(assigned, got, snapshotOpts); diff != "" {
			t.Errorf("a message changed the assigned unit (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(incBefore, f.incident(a.ctx, inc.ID), snapshotOpts); diff != "" {
			t.Errorf("a message changed the incident (-before +after):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStatusChanged, subject: incidentSubject(inc.ID), class: bluelamp.ClassOfficialSensitive,
			entries: []entryWant{{inc.ID, bluelamp.LogStatus, "B2: Confidential – request private contact (12)"}},
			check: func(c bluelamp.Change) {
				if c.Message != "Confidential – request private contact" {
					t.Errorf("message = %q", c.Message)
				}
			}})
	})
	t.Run("OKJourney", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "burglary"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		asg := f.mustAssign(a.ctx, inc.ID, u.ID)
		step := func(code string, d time.Duration, state bluelamp.UnitState, asgState bluelamp.AssignmentState, res bluelamp.Resourcing, line string) *bluelamp.Incident {
			t.Helper()
			f.clock.Advance(d)
			before := f.head(a.id)
			got := f.mustStatus(a.ctx, u.ID, code)
			if got.State != state || got.StatusCode != code {
				t.Errorf("after code %s the unit is %s (%s)", code, got.State, got.StatusCode)
			}
			var carried *bluelamp.Incident
			f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStatusChanged, subject: incidentSubject(inc.ID),
				entries: []entryWant{{inc.ID, bluelamp.LogStatus, line}},
				check: func(c bluelamp.Change) {
					f.wantSnapshot(a.ctx, c.Incident)
					f.wantUnitSnapshot(a.ctx, c.Unit)
					carried = c.Incident
				}})
			if carried.Resourcing != res || len(carried.Assignments) != 1 || carried.Assignments[0].State != asgState {
				t.Errorf("after code %s the incident is %s with assignments %+v", code, carried.Resourcing, carried.Assignments)
			}
			return carried
		}
		got := step("5", time.Minute, bluelamp.StateEnRoute, bluelamp.AssignmentEnRoute, bluelamp.ResourcingEnRoute, "B2: En route to incident (5)")
		if at := got.Assignments[0].EnRouteAt; at == nil || !at.Equal(start.Add(time.Minute)) {
			t.Errorf("en route at %v", at)
		}
		got = step("6", 4*time.Minute, bluelamp.StateAtScene, bluelamp.AssignmentAtScene, bluelamp.ResourcingAtScene, "B2: At scene (6)")
		arrived := start.Add(5 * time.Minute)
		if at := got.Assignments[0].AtSceneAt; at == nil || !at.Equal(arrived) || got.FirstArrivedAt == nil || !got.FirstArrivedAt.Equal(arrived) {
			t.Errorf("at scene at %v, first arrival %v; want %v", at, got.FirstArrivedAt, arrived)
		}
		got = step("2", 20*time.Minute, bluelamp.StateAvailable, bluelamp.AssignmentCleared, bluelamp.ResourcingCleared, "B2 cleared: Available – on patrol (2)")
		if a := got.Assignments[0]; a.ID != asg.ID || a.EndedAt == nil || !a.EndedAt.Equal(start.Add(25*time.Minute)) {
			t.Errorf("cleared assignment = %+v", a)
		}
		if u := f.unit(a.ctx, u.ID); u.IncidentID != 0 || u.Incident != "" {
			t.Errorf("a cleared unit is still on %d %q", u.IncidentID, u.Incident)
		}
	})
	t.Run("OKEmergency", func(t *testing.T) {
		// EMERGENCY overrides the state but the unit keeps its job.
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, inc.ID, u.ID)
		f.mustStatus(a.ctx, u.ID, "6")
		before := f.head(a.id)
		got := f.mustStatus(a.ctx, u.ID, "0")
		if got.State != bluelamp.StateEmergency || got.IncidentID != inc.ID || got.Incident != inc.Number {
			t.Errorf("after code 0: %s on %d %q", got.State, got.IncidentID, got.Incident)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitStatusChanged, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogStatus, "EMERGENCY: B2 pressed its emergency button (0)"}}})
		if as := f.incident(a.ctx, inc.ID).Assignments; len(as) != 1 || as[0].State != bluelamp.AssignmentAtScene {
			t.Errorf("assignment after an emergency: %+v", as)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		heads := f.heads(a.id)
		for _, code := range []string{"99", "", "5", "6", "A"} {
			_, err := f.Store.SetUnitStatus(a.ctx, u.ID, code)
			wantFields(t, err, "code")
		}
		f.refused(bluelamp.InvalidFields(nil), bluelamp.KindInvalid, heads...)
		if diff := cmp.Diff(u, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
			t.Errorf("refused codes changed the unit (-before +after):\n%s", diff)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		// Off duty is refused while the unit has a job.
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, inc.ID, u.ID)
		assigned, incBefore := f.unit(a.ctx, u.ID), f.incident(a.ctx, inc.ID)
		heads := f.heads(a.id)
		_, err := f.Store.SetUnitStatus(a.ctx, u.ID, "11")
		f.refused(err, bluelamp.KindConflict, heads...)
		wantErrFields(t, err, "unit_id")
		wantMessage(t, err, inc.Number)
		if diff := cmp.Diff(assigned, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
			t.Errorf("the unit changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(incBefore, f.incident(a.ctx, inc.ID), snapshotOpts); diff != "" {
			t.Errorf("the incident changed (-before +after):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.SetUnitStatus(a.ctx, 9999, "2")
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			for _, code := range []string{"2", "13"} {
				_, err := f.Store.SetUnitStatus(ac.ctx, a.unit.ID, code)
				f.refused(err, bluelamp.KindNotFound, heads...)
			}
		}
		if got := f.unit(a.ctx, a.unit.ID); got.State != bluelamp.StateOffDuty {
			t.Errorf("%s's unit is %s", a.id, got.State)
		}
	})
}

func testSetUnitPosition(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		p := *north(here, 300)
		got, err := f.Store.SetUnitPosition(a.ctx, u.ID, p)
		ok(t, err)
		if got.Position == nil || *got.Position != p || got.PositionAt == nil || !got.PositionAt.Equal(start.Add(time.Minute)) {
			t.Errorf("moved unit at %v since %v", got.Position, got.PositionAt)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventUnitMoved, subject: ref("unit", u.ID),
			check: func(c bluelamp.Change) { f.wantUnitSnapshot(a.ctx, c.Unit) }})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		heads := f.heads(a.id)
		_, err := f.Store.SetUnitPosition(a.ctx, a.unit.ID, bluelamp.Position{Lat: 91, Lon: 0})
		wantFields(t, err, "position")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.SetUnitPosition(a.ctx, 9999, here)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.SetUnitPosition(ac.ctx, a.unit.ID, here)
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		if got := f.unit(a.ctx, a.unit.ID); got.Position != nil {
			t.Errorf("%s's unit moved to %v", a.id, got.Position)
		}
	})
}
