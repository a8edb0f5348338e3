package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

// closing is an ordinary closing result.
var closing = &bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultAdviceGiven}

func testAddLogEntry(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		// The incident has all its parts, so the snapshot must carry them.
		inc := newIncident(bluelamp.GradePriority, "noise")
		inc.THRIVE = newTHRIVE(bluelamp.GradePriority)
		f.mustOpen(a.ctx, newContact("101"), inc)
		f.mustAssign(a.ctx, inc.ID, f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2").ID)
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		e, err := f.Store.AddLogEntry(a.ctx, inc.ID, "  caller rang back  ", 0)
		ok(t, err)
		want := &bluelamp.LogEntry{ID: e.ID, IncidentID: inc.ID, EventSeq: before.Seq + 1, Time: start.Add(time.Minute),
			Actor: a.controller.Username, Kind: bluelamp.LogNote, Text: "caller rang back"}
		if diff := cmp.Diff(want, e); diff != "" {
			t.Errorf("entry (-want +got):\n%s", diff)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentLogged, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogNote, "caller rang back"}},
			check:   func(c bluelamp.Change) { f.wantSnapshot(a.ctx, c.Incident) }})
		// A correction is a new entry; the corrected one stands.
		f.clock.Advance(time.Minute)
		before = f.head(a.id)
		corr, err := f.Store.AddLogEntry(a.ctx, inc.ID, "caller rang back at 09:31", e.ID)
		ok(t, err)
		if corr.Kind != bluelamp.LogCorrection || corr.Corrects != e.ID || corr.ID == e.ID {
			t.Errorf("correction = %+v", corr)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentLogged, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogCorrection, "caller rang back at 09:31"}}})
		l := f.incidentLog(a.ctx, inc.ID)
		if len(l) != 5 || l[0].Kind != bluelamp.LogOpened {
			t.Fatalf("log = %s", describeEntries(l))
		}
		if diff := cmp.Diff([]*bluelamp.LogEntry{e, corr}, l[3:]); diff != "" {
			t.Errorf("log after a correction (-want +got):\n%s", diff)
		}
		// A closed incident's log still takes notes.
		_, err = f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		_, err = f.Store.AddLogEntry(a.ctx, inc.ID, "victim called to say thank you", 0)
		ok(t, err)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "noise"))
		other := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "other"))
		theirs, err := f.Store.AddLogEntry(a.ctx, other.ID, "a note on the other incident", 0)
		ok(t, err)
		heads := f.heads(a.id)
		for _, c := range []struct {
			text     string
			corrects int64
			field    string
		}{
			{"   ", 0, "text"},
			{strings.Repeat("x", bluelamp.MaxLogText+1), 0, "text"},
			{"correcting another incident's line", theirs.ID, "corrects"},
			{"correcting nothing", theirs.ID + 1000, "corrects"},
			{"correcting nothing", -1, "corrects"},
		} {
			_, err := f.Store.AddLogEntry(a.ctx, inc.ID, c.text, c.corrects)
			wantFields(t, err, c.field)
		}
		f.refused(bluelamp.InvalidFields(nil), bluelamp.KindInvalid, heads...)
		if l := f.incidentLog(a.ctx, inc.ID); len(l) != 1 {
			t.Errorf("refused entries were written: %s", describeEntries(l))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		heads := f.heads(a.id)
		_, err := f.Store.AddLogEntry(a.ctx, 9999, "note", 0)
		f.refused(err, bluelamp.KindNotFound, heads...)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "alpha's"))
		mine := f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradePriority, "bravo's"))
		l := f.incidentLog(a.ctx, inc.ID)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.AddLogEntry(ac.ctx, inc.ID, "intrusion", 0)
			f.refused(err, bluelamp.KindNotFound, heads...)
			_, err = f.Store.AddLogEntry(ac.ctx, mine.ID, "correcting alpha's line", l[0].ID)
			wantFields(t, err, "corrects")
			f.refused(err, bluelamp.KindInvalid, heads...)
		}
		if diff := cmp.Diff(l, f.incidentLog(a.ctx, inc.ID)); diff != "" {
			t.Errorf("%s's log changed (-before +after):\n%s", a.id, diff)
		}
	})
}

func testFindIncidentLog(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradeStandard, "theft")
		f.mustOpen(a.ctx, newContact("101"), inc)
		f.clock.Advance(time.Minute)
		_, err := f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradePriority, "suspect seen nearby")
		ok(t, err)
		_, err = f.Store.AddLogEntry(a.ctx, inc.ID, "note", 0)
		ok(t, err)
		l, err := f.Store.FindIncidentLog(f.as(a.user), inc.ID)
		ok(t, err)
		var kinds []bluelamp.LogEntryKind
		for i, e := range l {
			kinds = append(kinds, e.Kind)
			if i > 0 && (e.ID <= l[i-1].ID || e.EventSeq <= l[i-1].EventSeq || e.Time.Before(l[i-1].Time)) {
				t.Errorf("log out of order at %d: %s", i, describeEntries(l))
			}
		}
		want := []bluelamp.LogEntryKind{bluelamp.LogOpened, bluelamp.LogContact, bluelamp.LogGraded, bluelamp.LogNote}
		if diff := cmp.Diff(want, kinds); diff != "" {
			t.Errorf("log kinds (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.FindIncidentLog(a.ctx, 9999)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "alpha's"))
		for _, ac := range f.actorsOf(b.world) {
			l, err := f.Store.FindIncidentLog(ac.ctx, inc.ID)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || l != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, l, err)
			}
		}
	})
}

func testGradeIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "argument"))
		f.clock.Advance(5 * time.Minute)
		before := f.head(a.id)
		got, err := f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradeImmediate, " caller now says he has a knife ")
		ok(t, err)
		upgraded := start.Add(5 * time.Minute)
		if got.Grade != bluelamp.GradeImmediate || !got.GradedAt.Equal(upgraded) ||
			got.OriginalGrade != bluelamp.GradePriority || !got.OriginalGradedAt.Equal(start) {
			t.Errorf("after upgrade: grade %s at %v, original %s at %v", got.Grade, got.GradedAt, got.OriginalGrade, got.OriginalGradedAt)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentGraded, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogGraded, "Upgraded from Priority (G2) to Immediate (G1): caller now says he has a knife"}},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				if diff := cmp.Diff(got, c.Incident, snapshotOpts); diff != "" {
					t.Errorf("returned and carried differ (-returned +carried):\n%s", diff)
				}
			}})
		f.clock.Advance(5 * time.Minute)
		before = f.head(a.id)
		got, err = f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradeStandard, "the knife was a phone")
		ok(t, err)
		if got.Grade != bluelamp.GradeStandard || !got.GradedAt.Equal(start.Add(10*time.Minute)) ||
			got.OriginalGrade != bluelamp.GradePriority || !got.OriginalGradedAt.Equal(start) {
			t.Errorf("after downgrade: grade %s at %v, original %s at %v", got.Grade, got.GradedAt, got.OriginalGrade, got.OriginalGradedAt)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentGraded, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogGraded, "Downgraded from Immediate (G1) to Standard (G3): the knife was a phone"}}})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "argument"))
		heads := f.heads(a.id)
		_, err := f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradeImmediate, "  ")
		wantFields(t, err, "reason")
		_, err = f.Store.GradeIncident(a.ctx, inc.ID, "URGENT", "")
		wantFields(t, err, "grade", "reason")
		_, err = f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradePriority, "no change")
		wantFields(t, err, "grade")
		f.refused(err, bluelamp.KindInvalid, heads...)
		if got := f.incident(a.ctx, inc.ID); got.Grade != bluelamp.GradePriority || !got.GradedAt.Equal(start) {
			t.Errorf("refused re-grades changed the grade to %s at %v", got.Grade, got.GradedAt)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "argument"))
		_, err := f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		heads := f.heads(a.id)
		_, err = f.Store.GradeIncident(a.ctx, inc.ID, bluelamp.GradeImmediate, "too late")
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.GradeIncident(a.ctx, 9999, bluelamp.GradeImmediate, "why")
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "alpha's"))
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.GradeIncident(ac.ctx, inc.ID, bluelamp.GradeImmediate, "intrusion")
			f.refused(err, bluelamp.KindNotFound, heads...)
			if got != nil {
				t.Errorf("%s: got %+v", ac.name, got)
			}
		}
		if got := f.incident(a.ctx, inc.ID); got.Grade != bluelamp.GradePriority {
			t.Errorf("%s's incident re-graded to %s", a.id, got.Grade)
		}
	})
}

func testAssessIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradePriority, "welfare")
		inc.THRIVE = newTHRIVE(bluelamp.GradePriority)
		f.mustCreateIncident(a.ctx, inc)
		for v := 2; v <= 3; v++ {
			f.clock.Advance(time.Minute)
			before := f.head(a.id)
			th := newTHRIVE(bluelamp.GradeImmediate, "CHILD")
			got, err := f.Store.AssessIncident(a.ctx, inc.ID, th)
			ok(t, err)
			if th.Version != v || !th.AssessedAt.Equal(f.clock.Now()) || th.AssessedBy != a.controller.Username {
				t.Errorf("assessment %d = version %d at %v by %q", v, th.Version, th.AssessedAt, th.AssessedBy)
			}
			if got.Grade != bluelamp.GradePriority || got.THRIVE == nil || got.THRIVE.Version != v {
				t.Errorf("after assessment %d: grade %s, THRIVE %+v", v, got.Grade, got.THRIVE)
			}
			f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentAssessed, subject: incidentSubject(inc.ID),
				entries: []entryWant{{inc.ID, bluelamp.LogAssessed, "risk HIGH, harm HIGH; supports IMMEDIATE. offender may still be on the premises"}},
				check: func(c bluelamp.Change) {
					f.wantSnapshot(a.ctx, c.Incident)
					if diff := cmp.Diff(th, c.THRIVE); diff != "" {
						t.Errorf("THRIVE carried (-assessed +carried):\n%s", diff)
					}
				}})
		}
		all, err := f.Store.FindAssessments(f.as(a.user), inc.ID)
		ok(t, err)
		var versions []int
		for _, th := range all {
			versions = append(versions, th.Version)
		}
		if diff := cmp.Diff([]int{1, 2, 3}, versions); diff != "" {
			t.Errorf("FindAssessments versions (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(inc.THRIVE, all[0]); diff != "" {
			t.Errorf("version 1 changed (-opened +found):\n%s", diff)
		}
	})
	t.Run("OKFirst", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "unassessed"))
		_, err := f.Store.AssessIncident(a.ctx, inc.ID, newTHRIVE(bluelamp.GradePriority))
		ok(t, err)
		all, err := f.Store.FindAssessments(a.ctx, inc.ID)
		ok(t, err)
		if len(all) != 1 || all[0].Version != 1 {
			t.Errorf("first assessment after opening: %+v", all)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "welfare"))
		heads := f.heads(a.id)
		th := newTHRIVE(bluelamp.GradePriority, "UNLUCKY")
		th.Threat.Description, th.Rationale, th.Risk.Rating = "", "", "EXTREME"
		_, err := f.Store.AssessIncident(a.ctx, inc.ID, th)
		wantFields(t, err, "threat.description", "rationale", "risk.rating", "vulnerability.factors")
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "welfare"))
		_, err := f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		heads := f.heads(a.id)
		_, err = f.Store.AssessIncident(a.ctx, inc.ID, newTHRIVE(bluelamp.GradePriority))
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := newIncident(bluelamp.GradePriority, "alpha's")
		inc.THRIVE = newTHRIVE(bluelamp.GradePriority)
		f.mustCreateIncident(a.ctx, inc)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.AssessIncident(ac.ctx, inc.ID, newTHRIVE(bluelamp.GradeImmediate))
			f.refused(err, bluelamp.KindNotFound, heads...)
			all, err := f.Store.FindAssessments(ac.ctx, inc.ID)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || all != nil {
				t.Errorf("%s: FindAssessments = %v, %v; want KindNotFound", ac.name, all, err)
			}
		}
		all, err := f.Store.FindAssessments(a.ctx, inc.ID)
		ok(t, err)
		if len(all) != 1 {
			t.Errorf("%s's incident has %d assessments", a.id, len(all))
		}
	})
}

func testCloseIncident(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "burglary"))
		u1 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		u2 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B3")
		f.mustAssign(a.ctx, inc.ID, u1.ID)
		f.mustAssign(a.ctx, inc.ID, u2.ID)
		f.clock.Advance(5 * time.Minute)
		f.mustStatus(a.ctx, u1.ID, "6")
		f.clock.Advance(30 * time.Minute)
		before := f.head(a.id)
		c := &bluelamp.Closing{Category: "CRIME_BURGLARY", Qualifiers: []bluelamp.Qualifier{"REPEAT_VICTIM"}, Result: bluelamp.ResultCrimeRecorded,
			CrimeReference: "CR/1234/30", Note: "suspect arrested"}
		got, err := f.Store.CloseIncident(a.ctx, inc.ID, c)
		ok(t, err)
		closedAt := start.Add(35 * time.Minute)
		if got.Status != bluelamp.IncidentClosed || got.ClosedAt == nil || !got.ClosedAt.Equal(closedAt) || got.ClosedBy != a.controller.Username ||
			got.Resourcing != bluelamp.ResourcingCleared {
			t.Errorf("closed incident = %+v", got)
		}
		if diff := cmp.Diff(c, got.Closing); diff != "" {
			t.Errorf("closing (-given +stored):\n%s", diff)
		}
		for _, as := range got.Assignments {
			if as.State != bluelamp.AssignmentStoodDown || as.EndedAt == nil || !as.EndedAt.Equal(closedAt) {
				t.Errorf("assignment of %s after closing: %s ended %v", as.CallSign, as.State, as.EndedAt)
			}
		}
		for _, u := range []*bluelamp.Unit{u1, u2} {
			if got := f.unit(a.ctx, u.ID); got.State != bluelamp.StateAvailable || got.StatusCode != "2" || got.IncidentID != 0 || got.Incident != "" {
				t.Errorf("unit %s after closing: %s (%s) on %d", got.CallSign, got.State, got.StatusCode, got.IncidentID)
			}
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentClosed, subject: incidentSubject(inc.ID),
			entries: []entryWant{
				{inc.ID, bluelamp.LogStoodDown, "B2 stood down: incident closed"},
				{inc.ID, bluelamp.LogStoodDown, "B3 stood down: incident closed"},
				{inc.ID, bluelamp.LogClosed, "Closed: Burglary, result Crime recorded, crime reference CR/1234/30. suspect arrested"},
			},
			check: func(ch bluelamp.Change) {
				f.wantSnapshot(a.ctx, ch.Incident)
				if len(ch.Units) != 2 {
					t.Fatalf("incident.closed releases %d units, want 2", len(ch.Units))
				}
				for _, u := range ch.Units {
					f.wantUnitSnapshot(a.ctx, u)
				}
			}})
		open := bluelamp.IncidentOpen
		if _, total, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{Status: &open}); err != nil || total != 0 {
			t.Errorf("%d open incidents after closing (%v)", total, err)
		}
	})
	t.Run("OKDuplicate", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		first := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		dup := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight again"))
		before := f.head(a.id)
		got, err := f.Store.CloseIncident(a.ctx, dup.ID, &bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: first.Number})
		ok(t, err)
		if got.Resourcing != bluelamp.ResourcingAwaiting || got.Closing.DuplicateOf != first.Number {
			t.Errorf("closed duplicate = %+v", got)
		}
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentClosed, subject: incidentSubject(dup.ID),
			entries: []entryWant{{dup.ID, bluelamp.LogClosed, "Closed: Duplicate, result Duplicate of " + first.Number}}})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeImmediate, "bravo's"))
		f.mustCreateIncident(b.ctx, newIncident(bluelamp.GradeImmediate, "bravo's second"))
		heads := f.heads(a.id, b.id)
		for _, c := range []struct {
			closing *bluelamp.Closing
			fields  []string
		}{
			{&bluelamp.Closing{Category: "UFO", Result: "ABDUCTED", Qualifiers: []bluelamp.Qualifier{"SPOOKY"}}, []string{"category", "result", "qualifiers"}},
			{&bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultCrimeRecorded}, []string{"crime_reference"}},
			{&bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultCrimeRecorded, CrimeReference: "   "}, []string{"crime_reference"}},
			{&bluelamp.Closing{Category: "CIVIL_DISPUTE", Result: bluelamp.ResultReferredToPartner}, []string{"partner"}},
			{&bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate}, []string{"duplicate_of"}},
			{&bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: inc.Number}, []string{"duplicate_of"}},
			{&bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: "99/04MAR30"}, []string{"duplicate_of"}},
			// bravo has a 2/04MAR30; alpha does not.
			{&bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: "2/04MAR30"}, []string{"duplicate_of"}},
			{&bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultAdviceGiven, Note: strings.Repeat("n", 4001)}, []string{"note"}},
		} {
			_, err := f.Store.CloseIncident(a.ctx, inc.ID, c.closing)
			wantFields(t, err, c.fields...)
		}
		f.refused(bluelamp.InvalidFields(nil), bluelamp.KindInvalid, heads...)
		if got := f.incident(a.ctx, inc.ID); got.Status != bluelamp.IncidentOpen || got.Closing != nil {
			t.Errorf("refused closings closed the incident: %+v", got)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		first, err := f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		f.clock.Advance(time.Minute)
		heads := f.heads(a.id)
		_, err = f.Store.CloseIncident(a.ctx, inc.ID, &bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultNoTrace})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
		wantMessage(t, err, inc.Number, a.controller.Username)
		if diff := cmp.Diff(first, f.incident(a.ctx, inc.ID), snapshotOpts); diff != "" {
			t.Errorf("closing twice changed the incident (-first +now):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.CloseIncident(a.ctx, 9999, closing)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		u := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		f.mustAssign(a.ctx, inc.ID, u.ID)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			_, err := f.Store.CloseIncident(ac.ctx, inc.ID, closing)
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		if got := f.incident(a.ctx, inc.ID); got.Status != bluelamp.IncidentOpen || got.Assignments[0].State != bluelamp.AssignmentAssigned {
			t.Errorf("%s's incident changed: %+v", a.id, got)
		}
		if got := f.unit(a.ctx, u.ID); got.State != bluelamp.StateAssigned {
			t.Errorf("%s's unit released: %s", a.id, got.State)
		}
	})
}

// urbanHere saves settings making here urban (15-minute IMMEDIATE target)
// and returns them.
func (f *fixture) urbanHere(a *cadForce) *bluelamp.ForceSettings {
	f.t.Helper()
	s := bluelamp.DefaultForceSettings()
	s.Area.Urban = []bluelamp.UrbanArea{{Name: "City", Centre: here, RadiusM: 3000}}
	ok(f.t, f.Store.SaveForceSettings(a.ctx, s))
	return s
}

func testRecordBreach(t *testing.T, open Opener) {
	// breach records basis on id and fails unless it reports want.
	breach := func(f *fixture, a *cadForce, id bluelamp.IncidentID, basis bluelamp.ClockBasis, want bool) {
		f.t.Helper()
		got, err := f.Store.RecordBreach(a.ctx, id, basis)
		ok(f.t, err)
		if got != want {
			f.t.Fatalf("RecordBreach %s at %v = %v, want %v", basis, f.clock.Now().Sub(start), got, want)
		}
	}
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		f.urbanHere(a)
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "assault in progress"))
		if inc.Location.Rural {
			t.Fatal("an incident in the urban area is rural")
		}
		before := f.head(a.id)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, false)
		f.clock.Advance(15*time.Minute - time.Microsecond)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, false)
		breach(f, a, inc.ID, bluelamp.ClockFromDispatch, false) // no dispatch target by default
		f.wantNoEvents(a.id, before)
		f.clock.Advance(2 * time.Microsecond)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, true)
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentBreached, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogBreach,
				"Attendance target breached: Immediate (G1) target of 15m from call received passed at 09:45:00 with no unit at scene"}},
			check: func(c bluelamp.Change) {
				f.wantSnapshot(a.ctx, c.Incident)
				if diff := cmp.Diff([]bluelamp.ClockBasis{bluelamp.ClockFromCall}, c.Incident.Breaches); diff != "" {
					t.Errorf("breaches (-want +got):\n%s", diff)
				}
			}})
		// Once is enough, however many ask.
		before = f.head(a.id)
		f.clock.Advance(time.Hour)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, false)
		f.wantNoEvents(a.id, before)
		// A closed incident breaches nothing more.
		_, err := f.Store.CloseIncident(a.ctx, inc.ID, closing)
		ok(t, err)
		before = f.head(a.id)
		breach(f, a, inc.ID, bluelamp.ClockFromDispatch, false)
		f.wantNoEvents(a.id, before)
	})
	t.Run("OKRural", func(t *testing.T) {
		// No urban areas by default: everywhere is rural, 20 minutes.
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "assault"))
		f.clock.Advance(15*time.Minute + time.Second)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, false)
		f.clock.Advance(5 * time.Minute)
		before := f.head(a.id)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, true)
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentBreached, subject: incidentSubject(inc.ID),
			entries: []entryWant{{inc.ID, bluelamp.LogBreach, "Immediate (G1) target of 20m from call received passed at 09:50:00"}}})
	})
	t.Run("OKFromCallReceived", func(t *testing.T) {
		// The call clock runs from when the call came in, not from when the
		// handler finished opening the incident.
		f := setup(t, open)
		a := f.cadForce("alpha")
		f.urbanHere(a)
		c := newContact("07700 900123")
		c.ReceivedAt = start.Add(-10 * time.Minute)
		inc := newIncident(bluelamp.GradeImmediate, "assault")
		f.mustOpen(a.ctx, c, inc)
		f.clock.Advance(5*time.Minute + time.Second)
		breach(f, a, inc.ID, bluelamp.ClockFromCall, true)
	})
	t.Run("OKRegraded", func(t *testing.T) {
		// An upgrade restarts the call clock at the new grade; a downgrade
		// keeps measuring from the call.
		f := setup(t, open)
		a := f.cadForce("alpha")
		f.urbanHere(a)
		up := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradePriority, "argument"))
		down := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight"))
		f.clock.Advance(10 * time.Minute)
		_, err := f.Store.GradeIncident(a.ctx, down.ID, bluelamp.GradePriority, "only words now")
		ok(t, err)
		f.clock.Advance(40 * time.Minute)
		_, err = f.Store.GradeIncident(a.ctx, up.ID, bluelamp.GradeImmediate, "weapon seen")
		ok(t, err)
		f.clock.Advance(14 * time.Minute) // 64 minutes from the call, 14 from the upgrade
		breach(f, a, up.ID, bluelamp.ClockFromCall, false)
		breach(f, a, down.ID, bluelamp.ClockFromCall, true) // priority: an hour from the call
		f.clock.Advance(2 * time.Minute)
		breach(f, a, up.ID, bluelamp.ClockFromCall, true)
	})
	t.Run("OKDispatchAndArrival", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		s := f.urbanHere(a)
		s.Grades[0].DispatchTarget = bluelamp.Duration(10 * time.Minute)
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		late := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "late"))
		met := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "met"))
		u1 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B2")
		u2 := f.mustCreateAvailableUnit(a.ctx, a.station.ID, "B3")
		f.clock.Advance(2 * time.Minute)
		breach(f, a, late.ID, bluelamp.ClockFromDispatch, false) // no unit sent yet: the clock has not started
		f.mustAssign(a.ctx, late.ID, u1.ID)
		f.mustAssign(a.ctx, met.ID, u2.ID)
		f.clock.Advance(8 * time.Minute)
		f.mustStatus(a.ctx, u2.ID, "6")
		f.clock.Advance(2*time.Minute + time.Second)
		before := f.head(a.id)
		breach(f, a, late.ID, bluelamp.ClockFromDispatch, true)
		breach(f, a, met.ID, bluelamp.ClockFromDispatch, false)
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventIncidentBreached, subject: incidentSubject(late.ID),
			entries: []entryWant{{late.ID, bluelamp.LogBreach, "target of 10m from dispatch passed at 09:42:00"}}})
		f.clock.Advance(10 * time.Minute)
		breach(f, a, met.ID, bluelamp.ClockFromCall, false) // arrived within 15 minutes of the call
		breach(f, a, late.ID, bluelamp.ClockFromCall, true)
		got := f.incident(a.ctx, late.ID)
		if diff := cmp.Diff([]bluelamp.ClockBasis{bluelamp.ClockFromDispatch, bluelamp.ClockFromCall}, got.Breaches); diff != "" {
			t.Errorf("breaches (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "x"))
		_, err := f.Store.RecordBreach(a.ctx, inc.ID, "LUNCH")
		wantFields(t, err, "basis")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		_, err := f.Store.RecordBreach(a.ctx, 9999, bluelamp.ClockFromCall)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "alpha's"))
		f.clock.Advance(time.Hour)
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.RecordBreach(ac.ctx, inc.ID, bluelamp.ClockFromCall)
			f.refused(err, bluelamp.KindNotFound, heads...)
			if got {
				t.Errorf("%s: reported a breach recorded", ac.name)
			}
		}
		if got := f.incident(a.ctx, inc.ID); len(got.Breaches) != 0 {
			t.Errorf("%s's incident has breaches %v", a.id, got.Breaches)
		}
	})
}
