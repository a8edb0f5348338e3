package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

const day = 24 * time.Hour

// mustReport records a contact from number at loc that opens a new
// incident of category cat, its location taken from the contact.
func (f *fixture) mustReport(ctx context.Context, number string, loc bluelamp.Location, cat bluelamp.Category, thrive *bluelamp.THRIVE) (*bluelamp.Contact, *bluelamp.Incident) {
	f.t.Helper()
	c := newContact(number)
	c.Location = loc
	inc := &bluelamp.Incident{Category: cat, Grade: bluelamp.GradePriority, Summary: "reported " + string(cat), THRIVE: thrive}
	if thrive != nil {
		inc.Grade = thrive.Grade
	}
	f.mustOpen(ctx, c, inc)
	return c, inc
}

// away returns a location with its own address i kilometres north of
// here, far from every other test place.
func away(i int) bluelamp.Location {
	return bluelamp.Location{Address: fmt.Sprintf("%d Distant Road", i), Position: north(here, float64(i)*1000)}
}

func testCreateContact(t *testing.T, open Opener) {
	t.Run("OKOpensIncident", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		c := newContact("07700 900123")
		inc := newIncident(bluelamp.GradeImmediate, "burglary in progress")
		inc.Location = bluelamp.Location{} // taken from the contact
		inc.THRIVE = newTHRIVE(bluelamp.GradeImmediate)
		f.mustOpen(a.ctx, c, inc)
		if inc.ID == 0 || inc.Number != "1/04MAR30" || inc.GlobalID == "" || !uuidV7.MatchString(inc.GlobalID) {
			t.Errorf("opened incident id %d, number %q, global id %q", inc.ID, inc.Number, inc.GlobalID)
		}
		if c.ID == 0 || c.Reference != "C-04MAR30-0001" || c.IncidentID != inc.ID || c.Incident != inc.Number ||
			c.HandledBy != a.controller.Username || c.ForceID != a.id || !c.ReceivedAt.Equal(start) {
			t.Errorf("recorded contact = %+v", c)
		}
		if inc.Channel != c.Channel || !inc.ReceivedAt.Equal(c.ReceivedAt) || inc.Location.Address != c.Location.Address ||
			inc.OriginalGrade != bluelamp.GradeImmediate || !inc.OriginalGradedAt.Equal(start) || inc.Status != bluelamp.IncidentOpen ||
			inc.Resourcing != bluelamp.ResourcingAwaiting || inc.OpenedBy != a.controller.Username || inc.Classification != bluelamp.ClassOfficial {
			t.Errorf("opened incident = %+v", inc)
		}
		if th := inc.THRIVE; th.Version != 1 || th.AssessedBy != a.controller.Username || !th.AssessedAt.Equal(start) {
			t.Errorf("THRIVE = version %d by %q at %v, want version 1 by the handler now", th.Version, th.AssessedBy, th.AssessedAt)
		}
		if diff := cmp.Diff(bluelamp.ContactChecks{}, c.Checks, snapshotOpts); diff != "" {
			t.Errorf("checks of a first contact (-want +got):\n%s", diff)
		}
		f.wantCAD(a.id, before,
			eventWant{typ: bluelamp.EventIncidentOpened, subject: incidentSubject(inc.ID),
				entries: []entryWant{{inc.ID, bluelamp.LogOpened, "Opened 1/04MAR30: Burglary, graded Immediate (G1). burglary in progress"}},
				check: func(ch bluelamp.Change) {
					if ch.Incident == nil || ch.Incident.Number != inc.Number || ch.THRIVE == nil || ch.THRIVE.Version != 1 {
						t.Errorf("incident.opened carries %+v", ch)
					}
				}},
			eventWant{typ: bluelamp.EventContactCreated, subject: ref("contact", c.ID), raw: func(e *bluelamp.Event) {
				var got bluelamp.Contact
				ok(t, json.Unmarshal(e.Payload, &got))
				if diff := cmp.Diff(c, &got, snapshotOpts); diff != "" {
					t.Errorf("contact.created payload (-recorded +carried):\n%s", diff)
				}
			}},
			eventWant{typ: bluelamp.EventIncidentLogged, subject: incidentSubject(inc.ID),
				entries: []entryWant{{inc.ID, bluelamp.LogContact, "Contact C-04MAR30-0001: 999 call"}},
				check: func(ch bluelamp.Change) {
					f.wantSnapshot(a.ctx, ch.Incident)
					if diff := cmp.Diff([]string{c.Reference}, ch.Incident.Contacts); diff != "" {
						t.Errorf("contacts of the incident (-want +got):\n%s", diff)
					}
				}},
		)
		f.wantAudit(a.id, mark, a.ctx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("contact", c.ID)},
			j: &bluelamp.Justification{Reason: "INCIDENT", Text: "contact recorded", IncidentRef: inc.Number}})
		got := f.incident(a.ctx, inc.ID)
		if got.THRIVE == nil || got.THRIVE.Version != 1 || len(got.Contacts) != 1 {
			t.Errorf("FindIncidentByID = THRIVE %+v, contacts %v", got.THRIVE, got.Contacts)
		}
		contacts, err := f.Store.FindContacts(a.ctx, inc.ID, consult)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Contact{c}, contacts, snapshotOpts); diff != "" {
			t.Errorf("FindContacts (-recorded +found):\n%s", diff)
		}
		f.wantVerified()
	})
	t.Run("OKLinksIncident", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradePriority, "domestic")
		inc.Classification = bluelamp.ClassOfficialSensitive
		c1 := f.mustOpen(a.ctx, newContact("07700 900123"), inc)
		f.clock.Advance(5 * time.Minute)
		before := f.head(a.id)
		c2 := newContact("01632 960001")
		c2.Location = away(3)
		c2.Caller = bluelamp.Caller{Anonymous: true}
		f.mustLink(a.ctx, c2, inc.ID)
		if c2.Reference != "C-04MAR30-0002" || c2.IncidentID != inc.ID || c2.Incident != inc.Number {
			t.Errorf("linked contact = %+v", c2)
		}
		sensitive := bluelamp.ClassOfficialSensitive
		f.wantCAD(a.id, before,
			eventWant{typ: bluelamp.EventContactCreated, subject: ref("contact", c2.ID), class: sensitive, raw: func(*bluelamp.Event) {}},
			eventWant{typ: bluelamp.EventIncidentLogged, subject: incidentSubject(inc.ID), class: sensitive,
				entries: []entryWant{{inc.ID, bluelamp.LogContact, "Contact C-04MAR30-0002: 999 call; caller anonymous"}},
				check:   func(ch bluelamp.Change) { f.wantSnapshot(a.ctx, ch.Incident) }},
		)
		got := f.incident(a.ctx, inc.ID)
		if diff := cmp.Diff([]string{c1.Reference, c2.Reference}, got.Contacts); diff != "" {
			t.Errorf("contacts of the incident (-want +got):\n%s", diff)
		}
		if _, total, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{}); err != nil || total != 1 {
			t.Errorf("FindIncidents total = %d, %v; linking opened another incident", total, err)
		}
	})
	t.Run("OKRepeatCaller", func(t *testing.T) {
		// The same number typed three ways is one caller; the check looks
		// back over the force's repeat window (28 days by default).
		f := setup(t, open)
		a := f.cadForce("alpha")
		cat := bluelamp.Category("CONCERN_FOR_SAFETY")
		c1, _ := f.mustReport(a.ctx, "07700 900123", away(1), cat, nil)
		f.clock.Advance(27 * day)
		c2, inc2 := f.mustReport(a.ctx, "+447700900123", away(2), cat, nil)
		if diff := cmp.Diff([]string{c1.Reference}, c2.Checks.RepeatCaller); diff != "" {
			t.Errorf("repeat callers 27 days on (-want +got):\n%s", diff)
		}
		if len(c2.Checks.RepeatLocation) != 0 || c2.Checks.Vulnerable || c2.Checks.ASBCaseReview {
			t.Errorf("checks = %+v, want only a repeat caller", c2.Checks)
		}
		l := f.incidentLog(a.ctx, inc2.ID)
		if last := l[len(l)-1]; last.Kind != bluelamp.LogContact || !strings.Contains(last.Text, "REPEAT CALLER: 1 earlier contact(s) in 28 days") {
			t.Errorf("contact line = %q", last.Text)
		}
		f.clock.Advance(2 * day) // c1 is now 29 days old
		c3, _ := f.mustReport(a.ctx, "0044 (0)7700-900123", away(3), cat, nil)
		if diff := cmp.Diff([]string{c2.Reference}, c3.Checks.RepeatCaller); diff != "" {
			t.Errorf("repeat callers with the first outside the window (-want +got):\n%s", diff)
		}
		c4, _ := f.mustReport(a.ctx, "07700 900124", away(4), cat, nil)
		if len(c4.Checks.RepeatCaller) != 0 {
			t.Errorf("another number is a repeat caller: %v", c4.Checks.RepeatCaller)
		}
		f.clock.Advance(29 * day)
		c5, _ := f.mustReport(a.ctx, "+44 7700 900123", away(5), cat, nil)
		if len(c5.Checks.RepeatCaller) != 0 {
			t.Errorf("repeat callers after the window = %v, want none", c5.Checks.RepeatCaller)
		}
		anon := newContact("")
		anon.Location = away(6)
		f.mustOpen(a.ctx, anon, &bluelamp.Incident{Category: cat, Grade: bluelamp.GradeStandard, Summary: "no number"})
		if len(anon.Checks.RepeatCaller) != 0 {
			t.Errorf("a contact with no number repeats %v", anon.Checks.RepeatCaller)
		}
	})
	t.Run("OKRepeatLocation", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		cat := bluelamp.Category("SUSPICIOUS_CIRCUMSTANCES")
		c1, _ := f.mustReport(a.ctx, "01632 960001", bluelamp.Location{Address: "12, High St.", Position: new(here)}, cat, nil)
		f.clock.Advance(day)
		c2, _ := f.mustReport(a.ctx, "01632 960002", bluelamp.Location{Address: "12 high st"}, cat, nil)
		if diff := cmp.Diff([]string{c1.Reference}, c2.Checks.RepeatLocation); diff != "" {
			t.Errorf("same address differently punctuated (-want +got):\n%s", diff)
		}
		c3, _ := f.mustReport(a.ctx, "01632 960003", bluelamp.Location{Address: "Flat 2, Riverside", Position: north(here, 30)}, cat, nil)
		if diff := cmp.Diff([]string{c1.Reference}, c3.Checks.RepeatLocation); diff != "" {
			t.Errorf("30 m away (-want +got):\n%s", diff)
		}
		c4, _ := f.mustReport(a.ctx, "01632 960004", bluelamp.Location{Address: "The Old Mill", Position: north(here, 120)}, cat, nil)
		if len(c4.Checks.RepeatLocation) != 0 {
			t.Errorf("120 m away (90 m from the nearest) repeats %v", c4.Checks.RepeatLocation)
		}
		if len(c2.Checks.RepeatCaller)+len(c3.Checks.RepeatCaller)+len(c4.Checks.RepeatCaller) != 0 {
			t.Error("different numbers were taken for a repeat caller")
		}
		f.clock.Advance(30 * day)
		c5, _ := f.mustReport(a.ctx, "01632 960005", bluelamp.Location{Address: "12 High St", Position: new(here)}, cat, nil)
		if len(c5.Checks.RepeatLocation) != 0 {
			t.Errorf("after the window repeats %v", c5.Checks.RepeatLocation)
		}
		// Matching by both address and position lists the earlier contact once.
		c6, inc6 := f.mustReport(a.ctx, "01632 960006", bluelamp.Location{Address: "12 HIGH ST", Position: north(here, 5)}, cat, nil)
		if diff := cmp.Diff([]string{c5.Reference}, c6.Checks.RepeatLocation); diff != "" {
			t.Errorf("matched by address and position (-want +got):\n%s", diff)
		}
		l := f.incidentLog(a.ctx, inc6.ID)
		if last := l[len(l)-1]; !strings.Contains(last.Text, "REPEAT LOCATION: 1 earlier contact(s) in 28 days") {
			t.Errorf("contact line = %q", last.Text)
		}
	})
	t.Run("OKVulnerability", func(t *testing.T) {
		// An earlier contact from the same number or place whose incident's
		// latest THRIVE found vulnerability flags the new one.
		f := setup(t, open)
		a := f.cadForce("alpha")
		cat := bluelamp.Category("CONCERN_FOR_SAFETY")
		c1, inc1 := f.mustReport(a.ctx, "07700 900001", away(1), cat, newTHRIVE(bluelamp.GradePriority, "MENTAL_HEALTH"))
		if c1.Checks.Vulnerable {
			t.Error("a first contact is flagged vulnerable")
		}
		f.clock.Advance(time.Hour)
		c2, inc2 := f.mustReport(a.ctx, "07700 900001", away(2), cat, nil)
		if !c2.Checks.Vulnerable {
			t.Error("the same caller is not flagged vulnerable")
		}
		l := f.incidentLog(a.ctx, inc2.ID)
		if last := l[len(l)-1]; !strings.Contains(last.Text, "VULNERABILITY flagged on an earlier contact") {
			t.Errorf("contact line = %q", last.Text)
		}
		c3, _ := f.mustReport(a.ctx, "07700 900003", away(1), cat, nil)
		if !c3.Checks.Vulnerable {
			t.Error("another caller at the same place is not flagged vulnerable")
		}
		c4, inc4 := f.mustReport(a.ctx, "07700 900004", away(4), cat, newTHRIVE(bluelamp.GradePriority))
		if c4.Checks.Vulnerable {
			t.Error("a caller with no vulnerable history is flagged")
		}
		// A re-THRIVE that finds vulnerability counts from then on; one
		// that no longer does clears it.
		_, err := f.Store.AssessIncident(a.ctx, inc4.ID, newTHRIVE(bluelamp.GradePriority, "OLDER_PERSON"))
		ok(t, err)
		_, err = f.Store.AssessIncident(a.ctx, inc1.ID, newTHRIVE(bluelamp.GradePriority))
		ok(t, err)
		c5, _ := f.mustReport(a.ctx, "07700 900004", away(5), cat, nil)
		if !c5.Checks.Vulnerable {
			t.Error("a caller whose incident was re-assessed as vulnerable is not flagged")
		}
		c6, _ := f.mustReport(a.ctx, "07700 900001", away(6), cat, nil)
		if c6.Checks.Vulnerable {
			t.Error("a caller whose incident's latest THRIVE found no vulnerability is still flagged")
		}
	})
	t.Run("OKASBCaseReview", func(t *testing.T) {
		// ASB, Crime and Policing Act 2014 s.104: three ASB reports in six
		// months reach the case review threshold.
		f := setup(t, open)
		a := f.cadForce("alpha")
		asb, burglary := bluelamp.Category("ASB_NUISANCE"), bluelamp.Category("CRIME_BURGLARY")
		report := func(number string, i int, cat bluelamp.Category) *bluelamp.Contact {
			t.Helper()
			c, _ := f.mustReport(a.ctx, number, away(i), cat, nil)
			return c
		}
		if c := report("07700 900001", 1, asb); c.Checks.ASBCaseReview {
			t.Error("first ASB report reaches the threshold")
		}
		f.clock.Advance(40 * day)
		if c := report("07700 900001", 2, asb); c.Checks.ASBCaseReview {
			t.Error("second ASB report reaches the threshold")
		}
		f.clock.Advance(40 * day)
		c := report("07700 900001", 3, asb)
		if !c.Checks.ASBCaseReview {
			t.Error("third ASB report in six months does not reach the threshold")
		}
		l := f.incidentLog(a.ctx, c.IncidentID)
		if last := l[len(l)-1]; !strings.Contains(last.Text, "ASB CASE REVIEW threshold reached") {
			t.Errorf("contact line = %q", last.Text)
		}
		// Only ASB reports count, and only when this one is ASB too.
		report("07700 900002", 10, asb)
		report("07700 900002", 11, burglary)
		if c := report("07700 900002", 12, burglary); c.Checks.ASBCaseReview {
			t.Error("a burglary report reaches the ASB threshold")
		}
		if c := report("07700 900002", 13, asb); c.Checks.ASBCaseReview {
			t.Error("two ASB reports among burglaries reach the threshold")
		}
		if c := report("07700 900002", 14, asb); !c.Checks.ASBCaseReview {
			t.Error("third ASB report among burglaries does not reach the threshold")
		}
		// Reports more than six months old drop out.
		report("07700 900003", 20, asb)
		f.clock.Advance(100 * day)
		report("07700 900003", 21, asb)
		f.clock.Advance(90 * day)
		if c := report("07700 900003", 22, asb); c.Checks.ASBCaseReview {
			t.Error("a report 190 days old still counts towards the threshold")
		}
		f.clock.Advance(day)
		if c := report("07700 900003", 23, asb); !c.Checks.ASBCaseReview {
			t.Error("three ASB reports in the last six months do not reach the threshold")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		bad := &bluelamp.Contact{Channel: "PIGEON", Caller: bluelamp.Caller{Number: "call me"}}
		th := newTHRIVE(bluelamp.GradeImmediate)
		th.Harm.Severity = "DIRE"
		err := f.Store.CreateContact(a.ctx, bad, &bluelamp.Incident{Category: "UFO", Grade: bluelamp.GradeImmediate, Summary: "lights", THRIVE: th})
		wantFields(t, err, "channel", "caller.number", "account", "location.address", "incident.category", "incident.thrive.harm.severity")
		err = f.Store.CreateContact(a.ctx, newContact("999"), nil)
		wantFields(t, err, "incident_id")
		old := newContact("101")
		old.ReceivedAt = start.Add(-25 * time.Hour)
		err = f.Store.CreateContact(a.ctx, old, newIncident(bluelamp.GradeStandard, "late report"))
		wantFields(t, err, "received_at")
		skilled := newIncident(bluelamp.GradeImmediate, "armed")
		skilled.RequiredSkills = []bluelamp.Skill{"JEDI"}
		err = f.Store.CreateContact(a.ctx, newContact("101"), skilled)
		wantFields(t, err, "incident.required_skills")
		f.refused(err, bluelamp.KindInvalid, heads...)
		f.wantNoAudit(a.id, mark)
		if _, total, err := f.Store.FindIncidents(a.ctx, bluelamp.IncidentFilter{}); err != nil || total != 0 {
			t.Errorf("refused contacts left %d incidents (%v)", total, err)
		}
		// Refusals consume no serials.
		c := f.mustOpen(a.ctx, newContact("101"), newIncident(bluelamp.GradeStandard, "ok"))
		if c.Reference != "C-04MAR30-0001" || c.Incident != "1/04MAR30" {
			t.Errorf("first accepted contact is %s on %s", c.Reference, c.Incident)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradeStandard, "shed broken into")
		f.mustOpen(a.ctx, newContact("101"), inc)
		_, err := f.Store.CloseIncident(a.ctx, inc.ID, &bluelamp.Closing{Category: "CRIME_BURGLARY", Result: bluelamp.ResultAdviceGiven})
		ok(t, err)
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		c := newContact("07700 900123")
		c.IncidentID = inc.ID
		err = f.Store.CreateContact(a.ctx, c, nil)
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "incident_closed")
		wantMessage(t, err, inc.Number)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		heads := f.heads(a.id)
		c := newContact("101")
		c.IncidentID = 9999
		err := f.Store.CreateContact(a.ctx, c, nil)
		f.refused(err, bluelamp.KindNotFound, heads...)
		wantErrFields(t, err, "incident_id")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := newIncident(bluelamp.GradeStandard, "alpha's incident")
		f.mustOpen(a.ctx, newContact("101"), inc)
		heads, markA, markB := f.heads(a.id, b.id), f.auditMark(a.id), f.auditMark(b.id)
		for _, ac := range f.actorsOf(b.world) {
			c := newContact("101")
			c.IncidentID = inc.ID
			err := f.Store.CreateContact(ac.ctx, c, nil)
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
		if got := f.incident(a.ctx, inc.ID); len(got.Contacts) != 1 {
			t.Errorf("%s's incident has contacts %v", a.id, got.Contacts)
		}
	})
}

func testFindContacts(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradePriority, "fight")
		c1 := f.mustOpen(a.ctx, newContact("07700 900123"), inc)
		f.clock.Advance(time.Minute)
		c2 := f.mustLink(a.ctx, newContact("07700 900999"), inc.ID)
		f.mustOpen(a.ctx, newContact("07700 900555"), newIncident(bluelamp.GradeStandard, "another"))
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.user)
		got, err := f.Store.FindContacts(ctx, inc.ID, consult)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Contact{c1, c2}, got, snapshotOpts); diff != "" {
			t.Errorf("FindContacts (-recorded +found):\n%s", diff)
		}
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation,
			subjects: []string{ref("contact", c1.ID), ref("contact", c2.ID)}, records: []string{incidentSubject(inc.ID)}, j: &consult})
		f.wantNoEvents(a.id, before)
		// A justification that names no incident is given this one's number.
		mark = f.auditMark(a.id)
		_, err = f.Store.FindContacts(ctx, inc.ID, bluelamp.Justification{Reason: "INCIDENT"})
		ok(t, err)
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation,
			subjects: []string{ref("contact", c1.ID), ref("contact", c2.ID)}, records: []string{incidentSubject(inc.ID)},
			j: &bluelamp.Justification{Reason: "INCIDENT", IncidentRef: inc.Number}})
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		inc := newIncident(bluelamp.GradePriority, "fight")
		f.mustOpen(a.ctx, newContact("101"), inc)
		mark := f.auditMark(a.id)
		got, err := f.Store.FindContacts(a.ctx, inc.ID, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) || got != nil {
			t.Fatalf("got %v, %v; want ErrJustificationRequired", got, err)
		}
		_, err = f.Store.FindContacts(a.ctx, inc.ID, bluelamp.Justification{Reason: "NOSY"})
		wantFields(t, err, "reason")
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		mark := f.auditMark(a.id)
		_, err := f.Store.FindContacts(a.ctx, 9999, consult)
		wantKind(t, err, bluelamp.KindNotFound)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		inc := newIncident(bluelamp.GradePriority, "fight")
		f.mustOpen(a.ctx, newContact("101"), inc)
		markA, markB := f.auditMark(a.id), f.auditMark(b.id)
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.FindContacts(ac.ctx, inc.ID, consult)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, got, err)
			}
		}
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
	})
}

// wantErrFields fails t unless err names exactly fields, whatever its kind.
func wantErrFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	e, isErr := errors.AsType[*bluelamp.Error](err)
	if !isErr || len(e.Fields) != len(fields) {
		t.Fatalf("error %v names fields %v, want %v", err, fieldsOf(err), fields)
	}
	for _, k := range fields {
		if _, named := e.Fields[k]; !named {
			t.Fatalf("error %v names fields %v, want %v", err, e.Fields, fields)
		}
	}
}

func fieldsOf(err error) map[string]string {
	if e, isErr := errors.AsType[*bluelamp.Error](err); isErr {
		return e.Fields
	}
	return nil
}
