package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testCreateIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		inc := newIncident(bluelamp.GradeImmediate, "  armed man in the street  ")
		inc.Channel = bluelamp.ChannelOfficer
		inc.Classification = bluelamp.ClassOfficialSensitive
		inc.Qualifiers = []bluelamp.Qualifier{"FIREARMS", "NIGHT_TIME_ECONOMY"}
		inc.RequiredSkills = []bluelamp.Skill{"ARVO"}
		inc.THRIVE = newTHRIVE(bluelamp.GradeImmediate)
		inc.ReceivedAt = start.Add(-3 * time.Minute)
		f.mustCreateIncident(a.ctx, inc)
		if inc.Number != "1/04MAR30" || inc.Summary != "armed man in the street" || !inc.ReceivedAt.Equal(start.Add(-3*time.Minute)) ||
			!inc.OpenedAt.Equal(start) || !inc.GradedAt.Equal(start) || !inc.Location.Rural {
			t.Errorf("created incident = %+v", inc)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentOpened, subject: incidentSubject(inc.ID), class: bluelamp.ClassOfficialSensitive,
			entries: []entryWant{{inc.ID, bluelamp.LogOpened, "Opened 1/04MAR30: Burglary, graded Immediate (G1). armed man in the street"}},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				if c.THRIVE == nil || c.THRIVE.Version != 1 {
					t.Errorf("incident.opened carries THRIVE %+v", c.THRIVE)
				}
			}})
		got := f.incident(a.ctx, inc.ID)
		if diff := cmp.Diff(inc, got, snapshotOpts); diff != "" {
			t.Errorf("FindIncidentByID (-created +found):\n%s", diff)
		}
		// A future call time is taken as now.
		later := newIncident(bluelamp.GradeStandard, "from the future")
		later.ReceivedAt = start.Add(time.Hour)
		f.mustCreateIncident(a.ctx, later)
		if !later.ReceivedAt.Equal(start) || later.Number != "2/04MAR30" {
			t.Errorf("second incident received %v numbered %s", later.ReceivedAt, later.Number)
		}
	})
	t.Run("OKNumbers", func(t *testing.T) {
		// Incident numbers and contact references are daily serials of the
		// force's local day (Europe/London), so they reset at local
		// midnight: 23:00 UTC in summer, 00:00 UTC in winter.
		f := setup(t, open)
		at := func(s string) time.Time {
			tm, err := time.Parse(time.RFC3339Nano, s)
			ok(t, err)
			return tm
		}
		f.clock.set(at("2026-11-27T23:58:00Z"))
		a := f.cadForce("alpha")
		steps := []struct {
			now     string
			contact string // "" creates an incident with no contact
			number  string
		}{
			{"2026-11-27T23:58:00Z", "", "1/27NOV26"},
			{"2026-11-27T23:59:00Z", "C-27NOV26-0001", "2/27NOV26"},
			{"2026-11-27T23:59:59.999999Z", "C-27NOV26-0002", "3/27NOV26"},
			{"2026-11-28T00:00:00Z", "C-28NOV26-0001", "1/28NOV26"},
			{"2026-11-28T00:00:01Z", "", "2/28NOV26"},
			{"2027-03-28T00:30:00Z", "", "1/28MAR27"},               // 00:30 GMT
			{"2027-03-28T01:30:00Z", "C-28MAR27-0001", "2/28MAR27"}, // 02:30 BST, the same day
			{"2027-06-30T22:59:59Z", "C-30JUN27-0001", "1/30JUN27"}, // 23:59:59 BST
			{"2027-06-30T23:00:00Z", "C-01JUL27-0001", "1/01JUL27"}, // midnight BST, still 30 June in UTC
			{"2027-06-30T23:30:00Z", "", "2/01JUL27"},
			{"2027-10-30T23:30:00Z", "", "1/31OCT27"},               // 00:30 BST
			{"2027-10-31T01:30:00Z", "C-31OCT27-0001", "2/31OCT27"}, // 01:30 GMT, the same day
			{"2027-10-31T23:59:59Z", "", "3/31OCT27"},
			{"2027-11-01T00:00:00Z", "", "1/01NOV27"},
		}
		for _, s := range steps {
			f.clock.set(at(s.now))
			inc := newIncident(bluelamp.GradeStandard, "numbered")
			if s.contact == "" {
				f.mustCreateIncident(a.ctx, inc)
			} else {
				c := f.mustOpen(a.ctx, newContact("101"), inc)
				if c.Reference != s.contact {
					t.Errorf("at %s the contact reference is %q, want %q", s.now, c.Reference, s.contact)
				}
			}
			if inc.Number != s.number {
				t.Errorf("at %s the incident number is %q, want %q", s.now, inc.Number, s.number)
			}
		}
		// Another force keeps its own serials.
		f.mustCreateForce("bravo")
		inc := f.mustCreateIncident(f.system("bravo"), newIncident(bluelamp.GradeStandard, "bravo's first"))
		if inc.Number != "1/01NOV27" {
			t.Errorf("bravo's first incident is %q", inc.Number)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		s := bluelamp.DefaultForceSettings()
		// A square around here, about 2 km across.
		s.Area.Boundary = [][2]float64{{here.Lon - 0.015, here.Lat - 0.01}, {here.Lon + 0.015, here.Lat - 0.01},
			{here.Lon + 0.015, here.Lat + 0.01}, {here.Lon - 0.015, here.Lat + 0.01}, {here.Lon - 0.015, here.Lat - 0.01}}
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		before := f.head(a.id)
		err := f.Store.CreateIncident(a.ctx, &bluelamp.Incident{Classification: "SECRET", Qualifiers: []bluelamp.Qualifier{"ALCOHOL", "ALCOHOL"}})
		wantFields(t, err, "category", "qualifiers", "classification", "grade", "summary", "channel", "location.address")
		mismatch := newIncident(bluelamp.GradePriority, "x")
		mismatch.THRIVE = newTHRIVE(bluelamp.GradeImmediate)
		mismatch.THRIVE.Rationale = "   "
		wantFields(t, f.Store.CreateIncident(a.ctx, mismatch), "thrive.grade", "thrive.rationale")
		skilled := newIncident(bluelamp.GradeImmediate, "x")
		skilled.RequiredSkills = []bluelamp.Skill{"AFO", "JEDI"}
		wantFields(t, f.Store.CreateIncident(a.ctx, skilled), "required_skills")
		outside := newIncident(bluelamp.GradeImmediate, "over the border")
		outside.Location.Position = north(here, 5000)
		wantFields(t, f.Store.CreateIncident(a.ctx, outside), "location.position")
		f.wantNoEvents(a.id, before)
		outside.Location.CrossBorder = true
		f.mustCreateIncident(a.ctx, outside)
		if outside.Number != "1/04MAR30" {
			t.Errorf("first accepted incident is %s: refusals consumed serials", outside.Number)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// An incident claiming another force is opened in the caller's.
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		before := f.head(a.id)
		for _, ac := range f.actorsOf(b.world) {
			inc := newIncident(bluelamp.GradeStandard, "intruder")
			inc.ForceID = a.id
			ok(t, f.Store.CreateIncident(ac.ctx, inc))
			if inc.ForceID != b.id {
				t.Errorf("%s: incident opened in %s", ac.name, inc.ForceID)
			}
		}
		f.wantNoEvents(a.id, before)
		if _, total, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{}); err != nil || total != 0 {
			t.Errorf("%s has %d incidents (%v)", a.id, total, err)
		}
	})
}

func testFindIncidentByID(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradeImmediate, "robbery")
		inc.THRIVE = newTHRIVE(bluelamp.GradeImmediate)
		c := f.mustOpen(a.ctx, newContact("101"), inc)
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		asg := f.mustAssign(a.ctx, inc.ID, u.ID)
		got := f.incident(f.as(a.user), inc.ID)
		if got.THRIVE == nil || got.THRIVE.Version != 1 {
			t.Errorf("THRIVE = %+v", got.THRIVE)
		}
		if diff := cmp.Diff([]string{c.Reference}, got.Contacts); diff != "" {
			t.Errorf("contacts (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]*bluelamp.Assignment{asg}, got.Assignments); diff != "" {
			t.Errorf("assignments (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.FindIncidentByID(a.ctx, 9999)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "alpha's"))
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.FindIncidentByID(ac.ctx, inc.ID)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, got, err)
			}
		}
	})
}

func testFindIncidentByNumber(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "first"))
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "second"))
		got, err := f.Store.FindIncidentByNumber(a.ctx, "2/04MAR30")
		ok(t, err)
		if diff := cmp.Diff(inc, got, snapshotOpts); diff != "" {
			t.Errorf("FindIncidentByNumber (-created +found):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.FindIncidentByNumber(a.ctx, "1/04MAR30")
		wantKind(t, err, bluelamp.KindNotFound)
		wantErrFields(t, err, "number")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// Numbers are per force: bravo's 1/04MAR30 is its own.
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "alpha's first"))
		f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeStandard, "alpha's second"))
		mine := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeStandard, "bravo's first"))
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.FindIncidentByNumber(ac.ctx, "2/04MAR30")
			wantKind(t, err, bluelamp.KindNotFound)
			got, err := f.Store.FindIncidentByNumber(ac.ctx, "1/04MAR30")
			ok(t, err)
			if got.ID != mine.ID || got.ForceID != b.id {
				t.Errorf("%s: 1/04MAR30 is %s's incident %d", ac.name, got.ForceID, got.ID)
			}
		}
	})
}

func testFindIncidents(t *testing.T, open Opener) {
	// queue opens, a minute apart, a STANDARD, an IMMEDIATE, a PRIORITY,
	// an IMMEDIATE and a SCHEDULED incident, and returns them.
	queue := func(f *fixture, a *cadForce) []*bluelamp.Incident {
		var out []*bluelamp.Incident
		for _, g := range []bluelamp.Grade{bluelamp.GradeStandard, bluelamp.GradeImmediate, bluelamp.GradePriority,
			bluelamp.GradeImmediate, bluelamp.GradeScheduled} {
			out = append(out, f.mustCreateIncident(a.ctx, newIncident(g, "graded "+string(g))))
			f.clock.Advance(time.Minute)
		}
		return out
	}
	numbers := func(incs []*bluelamp.Incident) []string {
		out := []string{}
		for _, inc := range incs {
			out = append(out, inc.Number)
		}
		return out
	}
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		q := queue(f, a)
		// Queue order: grade, then oldest first.
		want := []*bluelamp.Incident{q[1], q[3], q[2], q[0], q[4]}
		got, total, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{})
		ok(t, err)
		if diff := cmp.Diff(numbers(want), numbers(got)); diff != "" || total != 5 {
			t.Errorf("queue of %d (-want +got):\n%s", total, diff)
		}
		if diff := cmp.Diff(want, got, snapshotOpts); diff != "" {
			t.Errorf("queue (-created +found):\n%s", diff)
		}
		// Paging counts everything before the page.
		got, total, err = f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{Limit: 2, Offset: 1})
		ok(t, err)
		if diff := cmp.Diff(numbers(want[1:3]), numbers(got)); diff != "" || total != 5 {
			t.Errorf("page 2 of 2 with total %d (-want +got):\n%s", total, diff)
		}
		got, total, err = f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{Limit: 2, Offset: 10})
		ok(t, err)
		if len(got) != 0 || total != 5 {
			t.Errorf("a page past the end = %v, total %d; want none of 5", numbers(got), total)
		}
	})
	t.Run("OKFilters", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		q := queue(f, a)
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		asg := f.mustAssign(a.ctx, q[3].ID, u.ID)
		_, err := f.Store.CloseIncident(a.ctx, q[1].ID, &bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultNoTrace})
		ok(t, err)
		_, err = f.Store.DeclareMajorIncident(a.ctx, q[2].ID, &bluelamp.MajorIncident{Name: "Operation Test", Reason: "many casualties"})
		ok(t, err)
		_, err = f.Store.LinkIncident(a.ctx, q[0].ID, q[2].ID)
		ok(t, err)
		for _, c := range []struct {
			name   string
			filter bluelamp.IncidentFilter
			want   []*bluelamp.Incident
		}{
			{"open", bluelamp.IncidentFilter{Status: new(bluelamp.IncidentOpen)}, []*bluelamp.Incident{q[3], q[2], q[0], q[4]}},
			{"closed", bluelamp.IncidentFilter{Status: new(bluelamp.IncidentClosed)}, []*bluelamp.Incident{q[1]}},
			{"immediate", bluelamp.IncidentFilter{Grade: new(bluelamp.GradeImmediate)}, []*bluelamp.Incident{q[1], q[3]}},
			{"open immediate", bluelamp.IncidentFilter{Status: new(bluelamp.IncidentOpen), Grade: new(bluelamp.GradeImmediate)}, []*bluelamp.Incident{q[3]}},
			{"linked to the major incident", bluelamp.IncidentFilter{MajorID: new(q[2].ID)}, []*bluelamp.Incident{q[0]}},
			{"since the third", bluelamp.IncidentFilter{Since: new(q[2].ReceivedAt)}, []*bluelamp.Incident{q[3], q[2], q[4]}},
			{"since later", bluelamp.IncidentFilter{Since: new(start.Add(time.Hour))}, nil},
		} {
			got, total, err := f.Store.FindIncidents(a.ctx, c.filter)
			ok(t, err)
			if diff := cmp.Diff(numbers(c.want), numbers(got)); diff != "" || total != len(c.want) {
				t.Errorf("%s: %d found (-want +got):\n%s", c.name, total, diff)
			}
		}
		got, _, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{Grade: new(bluelamp.GradeImmediate), Status: new(bluelamp.IncidentOpen)})
		ok(t, err)
		if len(got) != 1 || len(got[0].Assignments) != 1 || got[0].Assignments[0].ID != asg.ID {
			t.Errorf("a listed incident's assignments: %+v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		for _, c := range []struct {
			filter bluelamp.IncidentFilter
			field  string
		}{
			{bluelamp.IncidentFilter{Limit: 10001}, "limit"},
			{bluelamp.IncidentFilter{Offset: -1}, "limit"},
			{bluelamp.IncidentFilter{Status: new(bluelamp.IncidentStatus("PENDING"))}, "status"},
			{bluelamp.IncidentFilter{Grade: new(bluelamp.Grade("URGENT"))}, "grade"},
		} {
			_, _, err := f.Store.FindIncidents(a.ctx, c.filter)
			wantFields(t, err, c.field)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		queue(f, a)
		mine := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeStandard, "bravo's"))
		for _, ac := range f.actorsOf(b.world) {
			got, total, err := f.Store.FindIncidents(ac.ctx, bluelamp.IncidentFilter{})
			ok(t, err)
			if len(got) != 1 || total != 1 || got[0].ID != mine.ID {
				t.Errorf("%s: FindIncidents = %v (total %d), want only its own", ac.name, numbers(got), total)
			}
		}
	})
}

func testFindDuplicates(t *testing.T, open Opener) {
	// place opens an incident of cat, m metres north of here, age ago.
	place := func(f *fixture, a *cadForce, cat bluelamp.Category, m float64, age time.Duration) *bluelamp.Incident {
		f.t.Helper()
		inc := newIncident(bluelamp.GradePriority, "candidate "+string(cat))
		inc.Category, inc.Location.Position, inc.ReceivedAt = cat, north(here, m), f.clock.Now().Add(-age)
		return f.mustCreateIncident(a.ctx, inc)
	}
	t.Run("OK", func(t *testing.T) {
		// Defaults: 500 m and two hours either side.
		f := setup(t, open)
		a := f.cadForce("alpha")
		f.clock.Advance(3 * time.Hour)
		same := place(f, a, "CRIME_BURGLARY", 100, 10*time.Minute)
		related := place(f, a, "CRIME_THEFT", 50, 5*time.Minute)
		closer := place(f, a, "CRIME_BURGLARY", 20, time.Minute)
		closed := place(f, a, "CRIME_BURGLARY", 400, 90*time.Minute)
		_, err := f.Store.CloseIncident(a.ctx, closed.ID, &bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultNoTrace})
		ok(t, err)
		place(f, a, "RTC_INJURY", 10, time.Minute)         // unrelated category
		place(f, a, "CRIME_BURGLARY", 700, time.Minute)    // too far
		place(f, a, "CRIME_BURGLARY", 10, 150*time.Minute) // too old
		noPlace := newIncident(bluelamp.GradePriority, "no position")
		noPlace.Location.Position = nil
		f.mustCreateIncident(a.ctx, noPlace)
		before := f.head(a.id)
		probe := newIncident(bluelamp.GradePriority, "new report")
		got, err := f.Store.FindDuplicates(f.as(a.user), probe)
		ok(t, err)
		wantIDs := []bluelamp.IncidentID{closer.ID, same.ID, related.ID, closed.ID}
		var gotIDs []bluelamp.IncidentID
		for _, d := range got {
			gotIDs = append(gotIDs, d.Incident.ID)
		}
		if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
			t.Fatalf("duplicates, most likely first (-want +got):\n%s", diff)
		}
		c := got[1]
		if c.Distance != 100 || c.Age != bluelamp.Duration(10*time.Minute) || !c.SameCategory ||
			math.Abs(c.Score-bluelamp.DuplicateScore(100, 500, 10*time.Minute, 2*time.Hour, true)) > 1e-6 {
			t.Errorf("candidate %s = distance %v, age %v, same %v, score %v", c.Incident.Number, c.Distance, c.Age.Std(), c.SameCategory, c.Score)
		}
		if got[2].SameCategory {
			t.Error("a related category is marked the same")
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].Score > got[i].Score {
				t.Errorf("candidates out of order: %v before %v", got[i-1].Score, got[i].Score)
			}
		}
		f.wantNoEvents(a.id, before)
		// A saved incident is not its own duplicate.
		got, err = f.Store.FindDuplicates(a.ctx, same)
		ok(t, err)
		for _, d := range got {
			if d.Incident.ID == same.ID {
				t.Error("an incident is suggested as its own duplicate")
			}
		}
		// With no position there is nothing to compare.
		got, err = f.Store.FindDuplicates(a.ctx, noPlace)
		ok(t, err)
		if len(got) != 0 {
			t.Errorf("an incident with no position has %d duplicates", len(got))
		}
	})
	t.Run("OKSettings", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		s := bluelamp.DefaultForceSettings()
		s.DuplicateRadiusM, s.DuplicateWindow = 1000, bluelamp.Duration(10*time.Minute)
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		f.clock.Advance(time.Hour)
		far := place(f, a, "CRIME_BURGLARY", 700, time.Minute)
		place(f, a, "CRIME_BURGLARY", 10, 20*time.Minute)
		got, err := f.Store.FindDuplicates(a.ctx, newIncident(bluelamp.GradePriority, "new"))
		ok(t, err)
		if len(got) != 1 || got[0].Incident.ID != far.ID {
			t.Errorf("duplicates with a 1 km, 10 minute setting: %d", len(got))
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		place(f, a, "CRIME_BURGLARY", 10, time.Minute)
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.FindDuplicates(ac.ctx, newIncident(bluelamp.GradePriority, "bravo's report"))
			ok(t, err)
			if len(got) != 0 {
				t.Errorf("%s: another force's incident suggested as a duplicate", ac.name)
			}
		}
	})
}
