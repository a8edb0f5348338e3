package storetest

import (
	"fmt"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// testCADNodes runs every kind of command-and-control write at once on two
// stores sharing one database, as two nodes would. Each write locks rows
// (the force's log head, its daily serials, a unit); taken in different
// orders on two nodes they deadlock, and the database aborts one of them.
// Every write must succeed, and the log must stay one chain.
func testCADNodes(t *testing.T, open Opener) {
	t.Run("OKMixedWrites", func(t *testing.T) {
		f := setup(t, open)
		if f.Node == nil {
			t.Skip("the engine cannot be shared between stores")
		}
		a := f.cadForce("alpha")
		nodes := []bluelamp.Store{f.Store, f.Node(t)}
		const rounds, each = 5, 4
		for round := range rounds {
			var units []*bluelamp.Unit
			var incs []*bluelamp.Incident
			for i := range each {
				units = append(units, f.mustCreateAvailableUnit(a.ctx, a.station.ID, fmt.Sprintf("N%d%d", round, i)))
				incs = append(incs, f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "job")))
			}
			var fns []func()
			errs := make(chan error, 16*each)
			for i := range each {
				for n, s := range nodes {
					other := nodes[1-n]
					fns = append(fns,
						func() { errs <- s.CreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "new")) },
						func() {
							errs <- other.CreateContact(a.ctx, newContact("101"), newIncident(bluelamp.GradePriority, "reported"))
						},
						func() {
							_, err := s.SetUnitPosition(a.ctx, units[i].ID, *north(here, float64(10*i+n)))
							errs <- err
						},
						func() {
							errs <- s.CreateUnit(a.ctx, &bluelamp.Unit{CallSign: fmt.Sprintf("M%d-%d-%d", round, i, n), Type: "car", StationID: a.station.ID})
						},
						func() {
							_, err := other.UpdateUnit(a.ctx, units[i].ID, bluelamp.UnitUpdate{Crew: &[]string{fmt.Sprintf("C%d", n)}})
							errs <- err
						},
					)
				}
				fns = append(fns, func() {
					_, err := nodes[i%2].AssignUnit(a.ctx, incs[i].ID, units[i].ID, false)
					errs <- err
				}, func() {
					_, err := nodes[(i+1)%2].AddLogEntry(a.ctx, incs[i].ID, "note", 0)
					errs <- err
				})
			}
			together(fns...)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
		f.wantVerified()
	})
}

// testCrossForceNodes writes to two forces at once from two stores sharing
// one database, each node taking the forces in the opposite order. A
// batch that locked the forces' log heads in arrival order would deadlock
// the two nodes, and the database would abort one: every write must
// succeed.
func testCrossForceNodes(t *testing.T, open Opener) {
	t.Run("OKCrossForce", func(t *testing.T) {
		f := setup(t, open)
		if f.Node == nil {
			t.Skip("the engine cannot be shared between stores")
		}
		forces := []*cadForce{f.cadForce("alpha"), f.cadForce("bravo")}
		nodes := []bluelamp.Store{f.Store, f.Node(t)}
		for round := range 10 {
			errs := make(chan error, 64)
			var fns []func()
			for n, s := range nodes {
				for k := range 16 {
					force := forces[(k+n)%2]
					fns = append(fns, func() {
						_, err := s.AppendEvent(force.ctx, bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial, map[string]int{"round": round})
						errs <- err
					})
				}
			}
			together(fns...)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
		}
		f.wantVerified()
	})
}

// testCADNoActor checks that every command-and-control method refuses a
// context with no actor, on one store: none of them reaches the database.
func testCADNoActor(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "x"))
	u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
	before := f.head(a.id)
	ctx := t.Context()
	discard := func(_ any, err error) error { return err }
	for _, c := range []struct {
		method string
		call   func() error
	}{
		{"FindForceSettings", func() error { return discard(f.Store.FindForceSettings(ctx)) }},
		{"SaveForceSettings", func() error { return f.Store.SaveForceSettings(ctx, bluelamp.DefaultForceSettings()) }},
		{"CreateContact", func() error {
			return f.Store.CreateContact(ctx, newContact("101"), newIncident(bluelamp.GradeStandard, "x"))
		}},
		{"FindContacts", func() error { return discard(f.Store.FindContacts(ctx, inc.ID, consult)) }},
		{"CreateIncident", func() error { return f.Store.CreateIncident(ctx, newIncident(bluelamp.GradeStandard, "x")) }},
		{"FindIncidentByID", func() error { return discard(f.Store.FindIncidentByID(ctx, inc.ID)) }},
		{"FindIncidentByNumber", func() error { return discard(f.Store.FindIncidentByNumber(ctx, inc.Number)) }},
		{"FindIncidents", func() error { _, _, err := f.Store.FindIncidents(ctx, bluelamp.IncidentFilter{}); return err }},
		{"FindIncidentLog", func() error { return discard(f.Store.FindIncidentLog(ctx, inc.ID)) }},
		{"FindAssessments", func() error { return discard(f.Store.FindAssessments(ctx, inc.ID)) }},
		{"FindDuplicates", func() error { return discard(f.Store.FindDuplicates(ctx, inc)) }},
		{"AddLogEntry", func() error { return discard(f.Store.AddLogEntry(ctx, inc.ID, "note", 0)) }},
		{"GradeIncident", func() error { return discard(f.Store.GradeIncident(ctx, inc.ID, bluelamp.GradePriority, "why")) }},
		{"AssessIncident", func() error { return discard(f.Store.AssessIncident(ctx, inc.ID, newTHRIVE(bluelamp.GradeImmediate))) }},
		{"CloseIncident", func() error { return discard(f.Store.CloseIncident(ctx, inc.ID, closing)) }},
		{"RecordBreach", func() error { return discard(f.Store.RecordBreach(ctx, inc.ID, bluelamp.ClockFromCall)) }},
		{"DeclareMajorIncident", func() error { return discard(f.Store.DeclareMajorIncident(ctx, inc.ID, newMajor())) }},
		{"ReportMETHANE", func() error { return f.Store.ReportMETHANE(ctx, inc.ID, newMETHANE(1)) }},
		{"LinkIncident", func() error { return discard(f.Store.LinkIncident(ctx, inc.ID, inc.ID+1)) }},
		{"FindMajorIncident", func() error { return discard(f.Store.FindMajorIncident(ctx, inc.ID)) }},
		{"CreateUnit", func() error {
			return f.Store.CreateUnit(ctx, &bluelamp.Unit{CallSign: "X1", Type: "car", StationID: a.station.ID})
		}},
		{"FindUnitByID", func() error { return discard(f.Store.FindUnitByID(ctx, u.ID)) }},
		{"UpdateUnit", func() error { return discard(f.Store.UpdateUnit(ctx, u.ID, bluelamp.UnitUpdate{CallSign: new("X2")})) }},
		{"SetUnitStatus", func() error { return discard(f.Store.SetUnitStatus(ctx, u.ID, "4")) }},
		{"SetUnitPosition", func() error { return discard(f.Store.SetUnitPosition(ctx, u.ID, here)) }},
		{"AssignUnit", func() error { return discard(f.Store.AssignUnit(ctx, inc.ID, u.ID, false)) }},
		{"StandDownUnit", func() error { return f.Store.StandDownUnit(ctx, inc.ID, u.ID, "why") }},
	} {
		t.Run(c.method, func(t *testing.T) { wantNoActor(t, c.call()) })
	}
	f.wantNoEvents(a.id, before)
}
