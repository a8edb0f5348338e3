package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

// newMajor returns an unsaved major incident declaration.
func newMajor() *bluelamp.MajorIncident {
	return &bluelamp.MajorIncident{Name: "Operation Egdon", Reason: "multiple casualties at the station"}
}

// newMETHANE returns a complete M/ETHANE report.
func newMETHANE(casualties int) *bluelamp.METHANE {
	return &bluelamp.METHANE{MajorIncident: true, ExactLocation: "Platform 4", TypeOfIncident: "explosion", Hazards: "structural collapse",
		Access: "from Station Road", Casualties: bluelamp.Casualties{Number: casualties, Description: "walking wounded"},
		EmergencyServices: "fire and ambulance present; HART required"}
}

func (f *fixture) mustDeclare(ctx context.Context, id bluelamp.IncidentID) *bluelamp.Incident {
	f.t.Helper()
	inc, err := f.Store.DeclareMajorIncident(ctx, id, newMajor())
	ok(f.t, err)
	return inc
}

func testDeclareMajorIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		m := &bluelamp.MajorIncident{Name: "  Operation Egdon ", Reason: "multiple casualties"}
		got, err := f.Store.DeclareMajorIncident(a.ctx, inc.ID, m)
		ok(t, err)
		want := &bluelamp.MajorIncident{Name: "Operation Egdon", Reason: "multiple casualties", DeclaredAt: start.Add(time.Minute), DeclaredBy: a.controller.Username}
		if diff := cmp.Diff(want, got.Major); diff != "" {
			t.Errorf("declaration (-want +got):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentMajor, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogMajor, "MAJOR INCIDENT DECLARED: Operation Egdon. multiple casualties"}},
			check:   func(c bluelamp.Change) { f.wantSnapshot(a.ctx, c.Incident) }})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		heads := f.heads(a.id)
		_, err := f.Store.DeclareMajorIncident(a.ctx, inc.ID, &bluelamp.MajorIncident{Name: " ", Reason: ""})
		wantFields(t, err, "name", "reason")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		major := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		linked := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "casualty"))
		closed := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "over"))
		f.mustDeclare(a.ctx, major.ID)
		_, err := f.Store.LinkIncident(a.ctx, linked.ID, major.ID)
		ok(t, err)
		_, err = f.Store.CloseIncident(a.ctx, closed.ID, closing)
		ok(t, err)
		heads := f.heads(a.id)
		_, err = f.Store.DeclareMajorIncident(a.ctx, major.ID, &bluelamp.MajorIncident{Name: "Again", Reason: "twice"})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "already_major")
		wantMessage(t, err, "Operation Egdon")
		_, err = f.Store.DeclareMajorIncident(a.ctx, linked.ID, newMajor())
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "linked_to_major")
		_, err = f.Store.DeclareMajorIncident(a.ctx, closed.ID, newMajor())
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
		if got := f.incident(a.ctx, major.ID); got.Major.Name != "Operation Egdon" {
			t.Errorf("declaring twice renamed it %q", got.Major.Name)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.DeclareMajorIncident(ac.ctx, inc.ID, newMajor())
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		if got := f.incident(a.ctx, inc.ID); got.Major != nil {
			t.Errorf("%s's incident declared major by %s", a.id, b.id)
		}
	})
}

func testReportMETHANE(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradeImmediate, "explosion")
		inc.THRIVE = newTHRIVE(bluelamp.GradeImmediate)
		f.mustOpen(a.ctx, newContact("999"), inc)
		f.mustDeclare(a.ctx, inc.ID)
		f.mustAssign(a.ctx, inc.ID, f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2").ID)
		for v := 1; v <= 3; v++ {
			f.clock.Advance(time.Minute)
			before := f.head(a.id)
			m := newMETHANE(v * 10)
			ok(t, f.Store.ReportMETHANE(a.ctx, inc.ID, m))
			if m.Version != v || !m.ReportedAt.Equal(f.clock.Now()) || m.ReportedBy != a.controller.Username {
				t.Errorf("report %d = version %d at %v by %q", v, m.Version, m.ReportedAt, m.ReportedBy)
			}
			f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentMETHANE, subject: incidentSubject(inc.ID),
				entries: []entryWant{{inc.ID, bluelamp.LogMETHANE, fmt.Sprintf("METHANE v%d — E: Platform 4; T: explosion", v)}},
				check: func(c bluelamp.Change) {
					f.wantSnapshot(a.ctx, c.Incident)
					if diff := cmp.Diff(m, c.METHANE); diff != "" {
						t.Errorf("report carried (-reported +carried):\n%s", diff)
					}
				}})
		}
		view, err := f.Store.FindMajorIncident(a.ctx, inc.ID)
		ok(t, err)
		if len(view.METHANE) != 3 || view.METHANE[0].Version != 1 || view.METHANE[2].Casualties.Number != 30 {
			t.Errorf("reports in the view: %+v", view.METHANE)
		}
	})
	t.Run("OKETHANE", func(t *testing.T) {
		// Before anyone declares, the first report from the scene is an
		// ETHANE.
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "collision"))
		before := f.head(a.id)
		m := newMETHANE(2)
		m.MajorIncident = false
		ok(t, f.Store.ReportMETHANE(a.ctx, inc.ID, m))
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentMETHANE, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogMETHANE, "ETHANE v1 — E: Platform 4"}}})
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		_, err := f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		heads := f.heads(a.id)
		err = f.Store.ReportMETHANE(a.ctx, inc.ID, newMETHANE(1))
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		heads := f.heads(a.id)
		err := f.Store.ReportMETHANE(a.ctx, inc.ID, &bluelamp.METHANE{Casualties: bluelamp.Casualties{Number: -1}})
		wantFields(t, err, "exact_location", "type_of_incident", "hazards", "access", "emergency_services", "casualties.number")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		wantKind(t, f.Store.ReportMETHANE(a.ctx, 9999, newMETHANE(1)), bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		f.mustDeclare(a.ctx, inc.ID)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			f.refused(f.Store.ReportMETHANE(ac.ctx, inc.ID, newMETHANE(1)), bluelamp.KindNotFound, heads...)
		}
		view, err := f.Store.FindMajorIncident(a.ctx, inc.ID)
		ok(t, err)
		if len(view.METHANE) != 0 {
			t.Errorf("%s's major incident has %d reports", a.id, len(view.METHANE))
		}
	})
}

func testLinkIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		major := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		inc := newIncident(bluelamp.GradePriority, "casualty at the hospital")
		inc.Classification = bluelamp.ClassOfficialSensitive
		f.mustCreateIncident(a.ctx, inc)
		f.mustDeclare(a.ctx, major.ID)
		before := f.head(a.id)
		got, err := f.Store.LinkIncident(a.ctx, inc.ID, major.ID)
		ok(t, err)
		if got.MajorLinkID != major.ID {
			t.Errorf("linked to %d, want %d", got.MajorLinkID, major.ID)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentLinked, subject: incidentSubject(inc.ID), class: bluelamp.ClassOfficialSensitive,
			entries: []entryWant{
				{inc.ID, bluelamp.LogLinked, "Linked to major incident " + major.Number + " (Operation Egdon)"},
				{major.ID, bluelamp.LogLinked, "Incident " + inc.Number + " linked: casualty at the hospital"},
			},
			check: func(c bluelamp.Change) { f.wantSnapshot(a.ctx, c.Incident) }})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		m1 := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		m2 := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "flood"))
		f.mustDeclare(a.ctx, m1.ID)
		f.mustDeclare(a.ctx, m2.ID)
		heads := f.heads(a.id)
		_, err := f.Store.LinkIncident(a.ctx, m1.ID, m1.ID)
		wantFields(t, err, "major_id")
		_, err = f.Store.LinkIncident(a.ctx, m2.ID, m1.ID)
		wantFields(t, err, "major_id")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		major := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		other := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "flood"))
		plain := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "not major"))
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "casualty"))
		f.mustDeclare(a.ctx, major.ID)
		f.mustDeclare(a.ctx, other.ID)
		_, err := f.Store.LinkIncident(a.ctx, inc.ID, major.ID)
		ok(t, err)
		heads := f.heads(a.id)
		_, err = f.Store.LinkIncident(a.ctx, inc.ID, other.ID)
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "linked_to_major")
		_, err = f.Store.LinkIncident(a.ctx, inc.ID, major.ID)
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "already_linked")
		_, err = f.Store.LinkIncident(a.ctx, inc.ID, plain.ID)
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "not_major")
		wantErrFields(t, err, "major_id")
		if got := f.incident(a.ctx, inc.ID); got.MajorLinkID != major.ID {
			t.Errorf("refused links moved the incident to %d", got.MajorLinkID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		major := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "casualty"))
		f.mustDeclare(a.ctx, major.ID)
		_, err := f.Store.LinkIncident(a.ctx, 9999, major.ID)
		wantKind(t, err, bluelamp.KindNotFound)
		_, err = f.Store.LinkIncident(a.ctx, inc.ID, 9999)
		wantKind(t, err, bluelamp.KindNotFound)
		wantErrFields(t, err, "major_id")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		majorA := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's major"))
		incA := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "alpha's"))
		f.mustDeclare(a.ctx, majorA.ID)
		majorB := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeImmediate, "bravo's major"))
		incB := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradePriority, "bravo's"))
		f.mustDeclare(b.ctx, majorB.ID)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			for _, pair := range [][2]bluelamp.IncidentID{{incA.ID, majorA.ID}, {incA.ID, majorB.ID}, {incB.ID, majorA.ID}} {
				_, err := f.Store.LinkIncident(ac.ctx, pair[0], pair[1])
				f.refused(err, bluelamp.KindNotFound, heads...)
			}
		}
		if got := f.incident(a.ctx, incA.ID); got.MajorLinkID != 0 {
			t.Errorf("%s's incident linked to %d", a.id, got.MajorLinkID)
		}
	})
}

func testFindMajorIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		major := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "explosion"))
		f.clock.Advance(time.Minute)
		l1 := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "casualty"))
		f.clock.Advance(time.Minute)
		l2 := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "road closed"))
		other := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "unrelated"))
		f.mustDeclare(a.ctx, major.ID)
		for _, id := range []bluelamp.IncidentID{l1.ID, l2.ID} {
			_, err := f.Store.LinkIncident(a.ctx, id, major.ID)
			ok(t, err)
		}
		u1 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B1")
		u2 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		u3 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B3")
		u4 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B4")
		a1 := f.mustAssign(a.ctx, major.ID, u1.ID)
		a2 := f.mustAssign(a.ctx, l1.ID, u2.ID)
		f.mustAssign(a.ctx, l2.ID, u3.ID)
		f.mustAssign(a.ctx, other.ID, u4.ID)
		ok(t, f.Store.StandDownUnit(a.ctx, l2.ID, u3.ID, "not needed"))
		ok(t, f.Store.ReportMETHANE(a.ctx, major.ID, newMETHANE(4)))
		view, err := f.Store.FindMajorIncident(f.as(a.user), major.ID)
		ok(t, err)
		f.wantSnapshot(a.ctx, view.Incident)
		var linked []bluelamp.IncidentID
		for _, inc := range view.Linked {
			linked = append(linked, inc.ID)
		}
		// Queue order: the IMMEDIATE one first.
		if diff := cmp.Diff([]bluelamp.IncidentID{l2.ID, l1.ID}, linked); diff != "" {
			t.Errorf("linked incidents (-want +got):\n%s", diff)
		}
		var units []bluelamp.AssignmentID
		for _, as := range view.Units {
			units = append(units, as.ID)
		}
		if diff := cmp.Diff([]bluelamp.AssignmentID{a1.ID, a2.ID}, units); diff != "" {
			t.Errorf("committed units (-want +got):\n%s", diff)
		}
		if len(view.METHANE) != 1 || view.METHANE[0].Casualties.Number != 4 {
			t.Errorf("reports = %+v", view.METHANE)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "not major"))
		_, err := f.Store.FindMajorIncident(a.ctx, inc.ID)
		wantKind(t, err, bluelamp.KindConflict)
		wantCode(t, err, "not_major")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.FindMajorIncident(a.ctx, 9999)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		f.mustDeclare(a.ctx, inc.ID)
		for _, ac := range f.actorsOf(b.world) {
			view, err := f.Store.FindMajorIncident(ac.ctx, inc.ID)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || view != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, view, err)
			}
		}
	})
}
