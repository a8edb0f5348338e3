package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Officers' forms: stop and search, crime reports, the pocket notebook and
// use of force (issue 4).

// formForce is a force for the form tests: two officers with collar
// numbers, a supervisor with one, an open incident, and the world's
// ordinary user, who has no collar number.
type formForce struct {
	*cadForce
	pc, pc2, sup                    *bluelamp.User
	pcCtx, pc2Ctx, supCtx, noCollar context.Context
	inc                             *bluelamp.Incident
}

func (f *fixture) formForce(id bluelamp.ForceID) *formForce {
	f.t.Helper()
	a := &formForce{cadForce: f.cadForce(id)}
	officer := func(name, collar string, roles ...bluelamp.Role) *bluelamp.User {
		u := &bluelamp.User{Username: string(id) + "." + name, DisplayName: "PC " + strings.ToUpper(name), Email: name + "@" + string(id) + ".example",
			CollarNumber: collar, Roles: roles}
		ok(f.t, f.Store.CreateUser(f.system(id), u, "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$"+name))
		return u
	}
	a.pc = officer("pc", "4021", bluelamp.RoleResponseOfficer)
	a.pc2 = officer("pc2", "4022", bluelamp.RoleNeighbourhoodOfficer)
	a.sup = officer("sup", "S100", bluelamp.RoleSupervisor)
	a.pcCtx, a.pc2Ctx, a.supCtx, a.noCollar = f.as(a.pc), f.as(a.pc2), f.as(a.sup), f.as(a.user)
	a.inc = f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "fight in the street"))
	return a
}

// uuid4 returns the i'th of a run of version 4 UUIDs.
func uuid4(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, 0x5eed0000+i) }

// newStopSearch returns a valid person search made a few minutes ago.
func newStopSearch(i int) *bluelamp.StopSearch {
	at := start.Add(-10 * time.Minute)
	return &bluelamp.StopSearch{
		FormHeader: bluelamp.FormHeader{ClientID: uuid4(i), TakenAt: start.Add(-5 * time.Minute)},
		StopSearchDetails: bluelamp.StopSearchDetails{
			Type: bluelamp.SearchPerson, SearchedAt: at,
			SelfDefinedEthnicity: "W1", OfficerDefinedEthnicity: "IC1", Gender: "Male", AgeRange: "18-24",
			Legislation: "Misuse of Drugs Act 1971 (section 23)", ObjectOfSearch: "Controlled drugs",
			Grounds:       "Strong smell of cannabis from his jacket and he dropped a grinder when he saw us",
			Outcome:       bluelamp.OutcomeNoFurtherAction,
			Person:        bluelamp.SearchedPerson{Name: "Sam SMITH", DateOfBirth: "2004-05-06"},
			MadeAtTheTime: true,
		},
		Location: bluelamp.Location{Address: "Bargate, Southampton", Position: new(here)},
	}
}

func newCrimeReport() *bluelamp.CrimeReport {
	return &bluelamp.CrimeReport{
		FormHeader: bluelamp.FormHeader{TakenAt: start.Add(-time.Minute)},
		CrimeReportDetails: bluelamp.CrimeReportDetails{
			Offence: "ASSAULT_WITH_INJURY", Flags: []bluelamp.CrimeFlag{bluelamp.FlagAlcohol}, ReportedAt: start.Add(-time.Hour),
			Victim:   bluelamp.PersonDetails{Name: "Alex JONES", Phone: "07700 900123"},
			Suspects: []bluelamp.PersonDetails{{PersonRef: "person/7"}, {Description: "white male, 30s, red hoodie"}},
			Summary:  "Victim punched outside the Bargate pub; cut lip.",
		},
		Location: bluelamp.Location{Address: "Bargate, Southampton"},
	}
}

func newUseOfForce(incident bluelamp.IncidentID) *bluelamp.UseOfForce {
	return &bluelamp.UseOfForce{
		FormHeader: bluelamp.FormHeader{IncidentID: incident, TakenAt: start.Add(-time.Minute)},
		UseOfForceDetails: bluelamp.UseOfForceDetails{
			OccurredAt: start.Add(-time.Hour), LocationType: "STREET", BodyWornVideo: "RECORDING",
			Subject: bluelamp.UseOfForceSubject{AgeBand: "18_34", Gender: "MALE", Ethnicity: "IC1"},
			Tactics: []bluelamp.TacticUse{{Tactic: "TACTICAL_COMMUNICATIONS"}, {Tactic: "HANDCUFFING_NON_COMPLIANT", Effective: true}},
			Reasons: []string{"EFFECT_ARREST", "PROTECT_SELF"}, Outcomes: []string{"ARRESTED"},
			SubjectInjury: "NONE", OfficerInjury: "MINOR", OfficerAssaulted: true,
		},
		Location: bluelamp.Location{Address: "Bargate, Southampton"},
	}
}

// wantPayload fails t unless e is of typ about sub and carries want.
func wantPayload[T any](t testing.TB, e *bluelamp.Event, typ bluelamp.EventType, sub string, want *T) {
	t.Helper()
	if e.Type != typ || e.Subject != sub {
		t.Fatalf("event %s about %s, want %s about %s", e.Type, e.Subject, typ, sub)
	}
	var got T
	ok(t, json.Unmarshal(e.Payload, &got))
	if diff := cmp.Diff(want, &got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s payload (-recorded +carried):\n%s", typ, diff)
	}
}

func testForms(t *testing.T, open Opener) {
	t.Run("CreateStopSearch", func(t *testing.T) { testCreateStopSearch(t, open) })
	t.Run("StopSearchReceipt", func(t *testing.T) { testStopSearchReceipt(t, open) })
	t.Run("CrimeReport", func(t *testing.T) { testCrimeReport(t, open) })
	t.Run("Notebook", func(t *testing.T) { testNotebook(t, open) })
	t.Run("UseOfForce", func(t *testing.T) { testUseOfForce(t, open) })
	t.Run("FindForms", func(t *testing.T) { testFindForms(t, open) })
	t.Run("FormsNoActor", func(t *testing.T) { testFormsNoActor(t, open) })
}

func testCreateStopSearch(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ss := newStopSearch(1)
		ss.IncidentID = a.inc.ID
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		if ss.ID == 0 || ss.Kind != bluelamp.FormStopSearch || ss.ForceID != a.id || ss.OfficerID != a.pc.ID || ss.CollarNumber != "4021" ||
			ss.OfficerName != "PC PC" || !ss.RecordedAt.Equal(start) || ss.Incident != a.inc.Number || ss.Classification != bluelamp.ClassOfficial {
			t.Errorf("recorded = %+v", ss.FormRecord)
		}
		if want := bluelamp.StopSearchReference(uuid4(1)); ss.Reference != want || want == "" {
			t.Errorf("reference = %q, want %q", ss.Reference, want)
		}
		if want := ss.SearchedAt.AddDate(0, 3, 0); !ss.RequestUntil.Equal(want) {
			t.Errorf("request until %v, want 3 months on: %v", ss.RequestUntil, want)
		}
		sub := ref("stop_search", ss.ID)
		events := f.wantEvents(a.id, before, bluelamp.EventStopSearchRecorded)
		wantPayload(t, events[0], bluelamp.EventStopSearchRecorded, sub, ss)
		if !events[0].Type.Info().Personal {
			t.Error("stop_search.recorded is not Personal")
		}
		f.wantAudit(a.id, mark, a.pcCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{sub},
			j: &bluelamp.Justification{Reason: "STOP", Text: "stop and search recorded (PACE Code A)", IncidentRef: a.inc.Number}})

		mark = f.auditMark(a.id)
		got, err := f.Store.FindStopSearchByID(a.supCtx, ss.ID, consult)
		ok(t, err)
		if diff := cmp.Diff(ss, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindStopSearchByID (-recorded +found):\n%s", diff)
		}
		f.wantAudit(a.id, mark, a.supCtx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{sub}, j: &consult})
		f.wantVerified()
	})
	t.Run("OKVehicleNoSuspicion", func(t *testing.T) {
		// A s.60 search of an unattended vehicle: no person, an
		// authorisation instead of grounds, and the officer's name withheld
		// for their safety.
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(2)
		ss.Type, ss.InvolvedPerson, ss.VehicleRegistration = bluelamp.SearchVehicle, false, "ab12 cde"
		ss.SelfDefinedEthnicity, ss.OfficerDefinedEthnicity, ss.Gender, ss.AgeRange, ss.Person = "", "", "", "", bluelamp.SearchedPerson{}
		ss.Legislation, ss.Grounds, ss.ObjectOfSearch = "Criminal Justice and Public Order Act 1994 (section 60)", "", "Offensive weapons"
		ss.Authorisation = &bluelamp.Authorisation{AuthorisingOfficer: "Insp 3010 KHAN", Given: true}
		ss.Outcome, ss.OfficerNameWithheld = bluelamp.OutcomeArrest, bluelamp.WithheldRisk
		ss.OutcomeLinkedToObjectOfSearch = true
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		if ss.VehicleRegistration != "AB12CDE" || ss.OfficerName != "" {
			t.Errorf("registration %q, officer name %q", ss.VehicleRegistration, ss.OfficerName)
		}
		if want := ss.SearchedAt.AddDate(1, 0, 0); !ss.RequestUntil.Equal(want) {
			t.Errorf("request until %v, want 12 months on after an arrest: %v", ss.RequestUntil, want)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		bad := newStopSearch(3)
		bad.ClientID = "not-a-uuid"
		bad.SelfDefinedEthnicity, bad.OfficerDefinedEthnicity = "WHITE", "IC7"
		bad.Legislation, bad.Outcome = "Made Up Act 2030 (section 1)", "Told off"
		bad.MadeAtTheTime = false
		bad.TakenAt = start.Add(time.Hour)
		err := f.Store.CreateStopSearch(a.pcCtx, bad)
		wantFields(t, err, "client_id", "self_defined_ethnicity", "officer_defined_ethnicity", "legislation", "outcome",
			"not_made_at_the_time_reason", "taken_at")
		weak := newStopSearch(4)
		weak.Grounds = "drugs"
		weak.Type = bluelamp.SearchPersonAndVehicle
		err = f.Store.CreateStopSearch(a.pcCtx, weak)
		wantFields(t, err, "grounds", "vehicle_registration")
		nfa := newStopSearch(5)
		nfa.OutcomeLinkedToObjectOfSearch, nfa.SearchedAt = true, start.AddDate(0, -2, 0)
		nfa.Legislation, nfa.Authorisation = "Terrorism Act 2000 (section 47A)", &bluelamp.Authorisation{AuthorisingOfficer: "ACC 1"}
		err = f.Store.CreateStopSearch(a.pcCtx, nfa)
		wantFields(t, err, "outcome_linked_to_object_of_search", "searched_at", "authorisation.given")
		f.refused(err, bluelamp.KindInvalid, heads...)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrNoCollarNumber", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		heads := f.heads(a.id)
		for _, ctx := range []context.Context{a.noCollar, f.system(a.id)} {
			err := f.Store.CreateStopSearch(ctx, newStopSearch(6))
			f.refused(err, bluelamp.KindForbidden, heads...)
			wantCode(t, err, "no_collar_number")
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ok(t, f.Store.CreateStopSearch(a.pcCtx, newStopSearch(7)))
		heads := f.heads(a.id)
		err := f.Store.CreateStopSearch(a.pc2Ctx, newStopSearch(7))
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "client_id_used")
		// Another force may hold the same client id, but not the same
		// receipt reference: the public page finds receipts by it alone.
		b := f.formForce("bravo")
		err = f.Store.CreateStopSearch(b.pcCtx, newStopSearch(7))
		wantKind(t, err, bluelamp.KindConflict)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.formForce("alpha"), f.formForce("bravo")
		ss := newStopSearch(8)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		heads, markA, markB := f.heads(a.id, b.id), f.auditMark(a.id), f.auditMark(b.id)
		linked := newStopSearch(9)
		linked.IncidentID = a.inc.ID
		err := f.Store.CreateStopSearch(b.pcCtx, linked)
		f.refused(err, bluelamp.KindNotFound, heads...)
		wantErrFields(t, err, "incident_id")
		for _, ctx := range []context.Context{b.supCtx, f.system(b.id)} {
			got, err := f.Store.FindStopSearchByID(ctx, ss.ID, consult)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("got %v, %v; want KindNotFound", got, err)
			}
		}
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(10)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		mark := f.auditMark(a.id)
		_, err := f.Store.FindStopSearchByID(a.pcCtx, ss.ID, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Fatalf("got %v, want ErrJustificationRequired", err)
		}
		f.wantNoAudit(a.id, mark)
		// A form of another kind is not found by this kind's method.
		c := newCrimeReport()
		ok(t, f.Store.CreateCrimeReport(a.pcCtx, c))
		mark = f.auditMark(a.id)
		_, err = f.Store.FindStopSearchByID(a.pcCtx, c.ID, consult)
		wantKind(t, err, bluelamp.KindNotFound)
		f.wantNoAudit(a.id, mark)
	})
}

func testStopSearchReceipt(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(1)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		r, err := f.Store.FindStopSearchReceipt(f.deployment(), ss.Reference)
		ok(t, err)
		want := &bluelamp.StopSearchReceipt{Reference: ss.Reference, ForceID: a.id, ForceName: "Force alpha", SearchedAt: ss.SearchedAt,
			Place: "Bargate, Southampton", CollarNumber: "4021", OfficerName: "PC PC", Legislation: ss.Legislation, RequestUntil: ss.RequestUntil}
		if diff := cmp.Diff(want, r, cmpopts.IgnoreFields(bluelamp.StopSearchReceipt{}, "HowToObtain")); diff != "" {
			t.Errorf("receipt (-want +got):\n%s", diff)
		}
		b, _ := json.Marshal(r)
		for _, personal := range []string{"SMITH", "2004-05-06", "ethnicity", "gender", "age_range", "grounds", "cannabis"} {
			if strings.Contains(string(b), personal) {
				t.Errorf("the public receipt holds %q: %s", personal, b)
			}
		}
		if !strings.Contains(r.HowToObtain, ss.Reference) || !strings.Contains(r.HowToObtain, "4 June 2030") {
			t.Errorf("how to obtain = %q", r.HowToObtain)
		}

		before, mark := f.head(a.id), f.auditMark(a.id)
		req := &bluelamp.StopSearchRecordRequest{Name: "Sam Smith", Email: "sam@example.org"}
		ok(t, f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, req))
		if !req.RequestedAt.Equal(start) {
			t.Errorf("requested at %v", req.RequestedAt)
		}
		sub := ref("stop_search", ss.ID)
		events := f.wantEvents(a.id, before, bluelamp.EventStopSearchRequested)
		if events[0].Subject != sub || events[0].Actor != "public" || !strings.Contains(string(events[0].Payload), "sam@example.org") {
			t.Errorf("request event = %+v", events[0])
		}
		f.wantAudit(a.id, mark, bluelamp.SystemContext(t.Context(), a.id, "public"), auditWant{action: bluelamp.AuditCollection, subjects: []string{sub}})
		got, err := f.Store.FindStopSearchByID(a.supCtx, ss.ID, consult)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.StopSearchRecordRequest{req}, got.Requests); diff != "" {
			t.Errorf("requests (-made +found):\n%s", diff)
		}
	})
	t.Run("ErrRequestPeriodEnded", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(2)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		f.clock.set(ss.RequestUntil.Add(time.Second))
		heads := f.heads(a.id)
		err := f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, &bluelamp.StopSearchRecordRequest{PostalAddress: "1 High Street"})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "request_period_ended")
		// The receipt itself is still served.
		_, err = f.Store.FindStopSearchReceipt(f.deployment(), ss.Reference)
		ok(t, err)
	})
	t.Run("ErrRateLimited", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(3)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		for range bluelamp.MaxRecordRequests {
			ok(t, f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "a@example.org"}))
		}
		heads := f.heads(a.id)
		err := f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "a@example.org"})
		f.refused(err, bluelamp.KindRateLimited, heads...)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(4)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		err := f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, &bluelamp.StopSearchRecordRequest{Name: "Sam"})
		wantFields(t, err, "email")
		err = f.Store.RequestStopSearchRecord(f.deployment(), ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "not an address"})
		wantFields(t, err, "email")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		f.formForce("alpha")
		_, err := f.Store.FindStopSearchReceipt(f.deployment(), "SS-0000-0000-0000")
		wantKind(t, err, bluelamp.KindNotFound)
		err = f.Store.RequestStopSearchRecord(f.deployment(), "SS-0000-0000-0000", &bluelamp.StopSearchRecordRequest{Email: "a@example.org"})
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		// Only bluelamp's public service, the deployment-wide actor, reads
		// receipts across forces; a force's own actors use the form.
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(5)
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		for _, ctx := range []context.Context{a.supCtx, f.system(a.id)} {
			_, err := f.Store.FindStopSearchReceipt(ctx, ss.Reference)
			wantKind(t, err, bluelamp.KindForbidden)
			err = f.Store.RequestStopSearchRecord(ctx, ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "a@example.org"})
			wantKind(t, err, bluelamp.KindForbidden)
		}
	})
}

func testCrimeReport(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		c := newCrimeReport()
		ok(t, f.Store.CreateCrimeReport(a.pcCtx, c))
		if want := c.ReportedAt.Add(24 * time.Hour); !c.DecisionDue.Equal(want) || c.Decision != nil || c.Classification != bluelamp.ClassOfficial {
			t.Errorf("decision due %v (want %v), decision %v, class %s", c.DecisionDue, want, c.Decision, c.Classification)
		}
		sub := ref("crime_report", c.ID)
		events := f.wantEvents(a.id, before, bluelamp.EventCrimeReported)
		wantPayload(t, events[0], bluelamp.EventCrimeReported, sub, c)
		f.wantAudit(a.id, mark, a.pcCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{sub, "person/7"}, records: []string{sub},
			j: &bluelamp.Justification{Reason: "INVESTIGATION", Text: "crime report recorded"}})

		// The decision queue: the earliest due first, time running.
		f.clock.Advance(time.Minute)
		later := newCrimeReport()
		later.ReportedAt = start
		ok(t, f.Store.CreateCrimeReport(a.pc2Ctx, later))
		earlier := newCrimeReport()
		earlier.ReportedAt = start.Add(-20 * time.Hour)
		earlier.Flags = []bluelamp.CrimeFlag{bluelamp.FlagDomesticAbuse}
		ok(t, f.Store.CreateCrimeReport(a.pc2Ctx, earlier))
		if earlier.Classification != bluelamp.ClassOfficialSensitive {
			t.Errorf("a domestic abuse report is %s", earlier.Classification)
		}
		awaiting, err := f.Store.FindCrimeReportsAwaitingDecision(a.supCtx)
		ok(t, err)
		if got := formIDs(awaiting); !slices.Equal(got, []bluelamp.FormID{earlier.ID, c.ID, later.ID}) {
			t.Errorf("awaiting decision %v, want %v", got, []bluelamp.FormID{earlier.ID, c.ID, later.ID})
		}
		if d := awaiting[0].DecisionDue; d == nil || !d.Equal(earlier.DecisionDue) || awaiting[0].Decision != "" {
			t.Errorf("first awaiting = %+v", awaiting[0])
		}

		// Recorded within the 24 hours: numbered, not late.
		before, mark = f.head(a.id), f.auditMark(a.id)
		d := &bluelamp.CrimeDecision{Decision: bluelamp.DecisionRecorded, Offence: "ASSAULT_WITHOUT_INJURY"}
		ok(t, f.Store.DecideCrimeReport(a.supCtx, c.ID, d))
		if d.CrimeNumber != "CR/0000001/30" || d.Late || d.DecidedBy != a.sup.Username || !d.DecidedAt.Equal(f.clock.Now()) {
			t.Errorf("decision = %+v", d)
		}
		events = f.wantEvents(a.id, before, bluelamp.EventCrimeDecided)
		if events[0].Subject != sub || !strings.Contains(string(events[0].Payload), "CR/0000001/30") {
			t.Errorf("decided event = %s %s", events[0].Subject, events[0].Payload)
		}
		f.wantAudit(a.id, mark, a.supCtx, auditWant{action: bluelamp.AuditAlteration, subjects: []string{sub}})
		heads := f.heads(a.id)
		err = f.Store.DecideCrimeReport(a.supCtx, c.ID, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionNotCrime, Reason: "changed my mind"})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "already_decided")

		// Decided after the 24 hours: still recorded, flagged late.
		f.clock.Advance(25 * time.Hour)
		late := &bluelamp.CrimeDecision{Decision: bluelamp.DecisionTransferred, Reason: "happened in Dorset", TransferredTo: "dorset"}
		ok(t, f.Store.DecideCrimeReport(a.supCtx, later.ID, late))
		if !late.Late || late.CrimeNumber != "" {
			t.Errorf("late decision = %+v", late)
		}
		awaiting, err = f.Store.FindCrimeReportsAwaitingDecision(a.supCtx)
		ok(t, err)
		if got := formIDs(awaiting); !slices.Equal(got, []bluelamp.FormID{earlier.ID}) {
			t.Errorf("awaiting decision %v, want %v", got, []bluelamp.FormID{earlier.ID})
		}
		recorded := &bluelamp.CrimeDecision{Decision: bluelamp.DecisionRecorded, Offence: "CONTROLLING_BEHAVIOUR"}
		ok(t, f.Store.DecideCrimeReport(a.supCtx, earlier.ID, recorded))
		if recorded.CrimeNumber != "CR/0000002/30" || !recorded.Late {
			t.Errorf("second crime = %+v", recorded)
		}
		forms, _, err := f.Store.FindForms(a.supCtx, bluelamp.FormFilter{Kind: new(bluelamp.FormCrimeReport)})
		ok(t, err)
		for _, s := range forms {
			if s.ID == later.ID && (!s.DecisionLate || s.Decision != bluelamp.DecisionTransferred) ||
				s.ID == c.ID && (s.DecisionLate || s.Reference != "CR/0000001/30") {
				t.Errorf("summary = %+v", s)
			}
		}

		// Outcomes follow a RECORDED decision only.
		heads = f.heads(a.id)
		err = f.Store.RecordCrimeOutcome(a.supCtx, later.ID, &bluelamp.CrimeOutcome{Type: 20})
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "not_recorded")
		before = f.head(a.id)
		o := &bluelamp.CrimeOutcome{Type: 1, Note: "charged with ABH"}
		ok(t, f.Store.RecordCrimeOutcome(a.supCtx, c.ID, o))
		f.wantEvents(a.id, before, bluelamp.EventCrimeOutcomeRecorded)
		got, err := f.Store.FindCrimeReportByID(a.supCtx, c.ID, consult)
		ok(t, err)
		want := *c
		want.Decision, want.Outcome = d, o
		if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindCrimeReportByID (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		c := newCrimeReport()
		c.Offence, c.Flags, c.HateStrands = "SHOUTING", []bluelamp.CrimeFlag{bluelamp.FlagHate, bluelamp.FlagHate}, nil
		c.Victim, c.Suspects = bluelamp.PersonDetails{Email: "x"}, []bluelamp.PersonDetails{{}}
		c.Summary, c.ReportedAt = " ", time.Time{}
		err := f.Store.CreateCrimeReport(a.pcCtx, c)
		wantFields(t, err, "offence", "flags", "hate_strands", "victim.name", "victim.email", "suspects[0].name", "summary", "reported_at")
		f.refused(err, bluelamp.KindInvalid, heads...)
		f.wantNoAudit(a.id, mark)
		valid := newCrimeReport()
		ok(t, f.Store.CreateCrimeReport(a.pcCtx, valid))
		id := valid.ID
		heads, mark = f.heads(a.id), f.auditMark(a.id)
		err = f.Store.DecideCrimeReport(a.supCtx, id, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionNotCrime})
		wantFields(t, err, "reason")
		err = f.Store.DecideCrimeReport(a.supCtx, id, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionRecorded})
		wantFields(t, err, "offence")
		err = f.Store.DecideCrimeReport(a.supCtx, id, &bluelamp.CrimeDecision{Decision: "MAYBE"})
		wantFields(t, err, "decision")
		err = f.Store.RecordCrimeOutcome(a.supCtx, id, &bluelamp.CrimeOutcome{Type: 23})
		wantFields(t, err, "type")
		f.refused(err, bluelamp.KindInvalid, heads...)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.formForce("alpha"), f.formForce("bravo")
		c := newCrimeReport()
		ok(t, f.Store.CreateCrimeReport(a.pcCtx, c))
		heads, markA, markB := f.heads(a.id, b.id), f.auditMark(a.id), f.auditMark(b.id)
		err := f.Store.DecideCrimeReport(b.supCtx, c.ID, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionRecorded, Offence: "ASSAULT_WITH_INJURY"})
		f.refused(err, bluelamp.KindNotFound, heads...)
		err = f.Store.RecordCrimeOutcome(b.supCtx, c.ID, &bluelamp.CrimeOutcome{Type: 1})
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.FindCrimeReportByID(b.supCtx, c.ID, consult)
		wantKind(t, err, bluelamp.KindNotFound)
		awaiting, err := f.Store.FindCrimeReportsAwaitingDecision(b.supCtx)
		ok(t, err)
		if len(awaiting) != 0 {
			t.Errorf("%s sees %s's reports awaiting decision: %v", b.id, a.id, formIDs(awaiting))
		}
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
	})
}

func formIDs(forms []*bluelamp.FormSummary) []bluelamp.FormID {
	ids := make([]bluelamp.FormID, len(forms))
	for i, s := range forms {
		ids[i] = s.ID
	}
	return ids
}

// mustWrite adds a notebook entry with text as the officer in ctx.
func (f *fixture) mustWrite(ctx context.Context, text string, corrects int64) *bluelamp.NotebookEntry {
	f.t.Helper()
	e := &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: f.clock.Now()}, Text: text, Corrects: corrects}
	ok(f.t, f.Store.CreateNotebookEntry(ctx, e))
	return e
}

func entryNumbers(n *bluelamp.Notebook) []int64 {
	var out []int64
	for _, e := range n.Entries {
		out = append(out, e.Number)
	}
	return out
}

func testNotebook(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		e1 := f.mustWrite(a.pcCtx, "0900 on patrol Bargate", 0)
		if e1.Number != 1 || e1.CollarNumber != "4021" || len(e1.EventHash) == 0 {
			t.Errorf("first entry = %+v", e1)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventNotebookEntryAdded)
		if !slices.Equal(events[0].Hash, e1.EventHash) {
			t.Errorf("entry event hash %s, want %s", e1.EventHash, events[0].Hash)
		}
		f.wantAudit(a.id, mark, a.pcCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("notebook_entry", e1.ID)}})
		f.clock.Advance(time.Minute)
		f.mustWrite(a.pcCtx, "0901 stopped SMITH, Sam", 0)
		f.mustWrite(a.pc2Ctx, "another officer's first entry", 0)
		f.mustWrite(a.pcCtx, "0905 SMITH made off", 0)
		e4 := f.mustWrite(a.pcCtx, "Correction to entry 2: it was 0902, not 0901", 2)
		if e4.Number != 4 || e4.Corrects != 2 {
			t.Errorf("correction = number %d corrects %d", e4.Number, e4.Corrects)
		}

		mark = f.auditMark(a.id)
		n, err := f.Store.FindNotebook(a.pcCtx, bluelamp.NotebookFilter{}, nil)
		ok(t, err)
		if got := entryNumbers(n); !slices.Equal(got, []int64{4, 3, 2, 1}) || n.CollarNumber != "4021" || n.OfficerID != a.pc.ID {
			t.Fatalf("own notebook = %v of %s", got, n.CollarNumber)
		}
		if e := n.Entries[2]; e.Text != "0901 stopped SMITH, Sam" || !slices.Equal(e.CorrectedBy, []int64{4}) {
			t.Errorf("entry 2 = %q corrected by %v", e.Text, e.CorrectedBy)
		}
		if diff := cmp.Diff(e1, n.Entries[3], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("entry 1 (-written +read):\n%s", diff)
		}
		var subs []string
		for _, e := range n.Entries {
			subs = append(subs, ref("notebook_entry", e.ID))
		}
		f.wantAudit(a.id, mark, a.pcCtx, auditWant{action: bluelamp.AuditConsultation, subjects: subs, records: []string{ref("notebook", a.pc.ID)},
			j: &bluelamp.Justification{Reason: "OTHER", Text: "an officer reading their own pocket notebook"}})
		n, err = f.Store.FindNotebook(a.pcCtx, bluelamp.NotebookFilter{From: 2, To: 3}, nil)
		ok(t, err)
		if got := entryNumbers(n); !slices.Equal(got, []int64{3, 2}) {
			t.Errorf("entries 2 to 3 = %v", got)
		}
		n, err = f.Store.FindNotebook(a.pcCtx, bluelamp.NotebookFilter{Limit: 1}, nil)
		ok(t, err)
		if got := entryNumbers(n); !slices.Equal(got, []int64{4}) {
			t.Errorf("newest entry = %v", got)
		}

		// A supervisor reviews a range, reads and exports with a reason.
		before = f.head(a.id)
		r := &bluelamp.NotebookReview{CollarNumber: "4021", From: 1, To: 3, Comment: "entry 2 corrected promptly"}
		ok(t, f.Store.ReviewNotebook(a.supCtx, r))
		if r.ID == 0 || r.OfficerID != a.pc.ID || r.ReviewerCollar != "S100" || r.Reviewer != a.sup.Username || !r.ReviewedAt.Equal(f.clock.Now()) {
			t.Errorf("review = %+v", r)
		}
		f.wantEvents(a.id, before, bluelamp.EventNotebookReviewed)
		_, err = f.Store.FindNotebook(a.supCtx, bluelamp.NotebookFilter{Collar: new("4021")}, nil)
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Errorf("another officer's notebook without a reason: %v", err)
		}
		mark = f.auditMark(a.id)
		n, err = f.Store.FindNotebook(a.supCtx, bluelamp.NotebookFilter{Collar: new("4021")}, &consult)
		ok(t, err)
		if len(n.Entries) != 4 || len(n.Reviews) != 1 || n.Reviews[0].Comment != r.Comment {
			t.Errorf("notebook read by the supervisor: %v, reviews %+v", entryNumbers(n), n.Reviews)
		}
		f.wantAudit(a.id, mark, a.supCtx, auditWant{action: bluelamp.AuditConsultation, subjects: subs, records: []string{ref("notebook", a.pc.ID)}, j: &consult})

		before = f.head(a.id)
		disclosure := bluelamp.Justification{Reason: "DISCLOSURE", IncidentRef: "R v SMITH"}
		x, err := f.Store.ExportNotebook(a.supCtx, bluelamp.NotebookFilter{Collar: new("4021"), From: 2}, disclosure)
		ok(t, err)
		if got := entryNumbers(x); !slices.Equal(got, []int64{2, 3, 4}) || x.ExportedBy != a.sup.Username || x.ExportedAt == nil {
			t.Errorf("export = %v by %q", got, x.ExportedBy)
		}
		if !slices.Equal(x.Digest, x.ComputeDigest()) || len(x.Digest) != 32 {
			t.Errorf("export digest %s", x.Digest)
		}
		events = f.wantEvents(a.id, before, bluelamp.EventNotebookExported)
		var exported struct {
			From, To int64
			Digest   bluelamp.Hash
		}
		ok(t, json.Unmarshal(events[0].Payload, &exported))
		if exported.From != 2 || exported.To != 4 || !slices.Equal(exported.Digest, x.Digest) {
			t.Errorf("exported event = %s", events[0].Payload)
		}
		// The same range exported again has the same digest.
		y, err := f.Store.ExportNotebook(a.pcCtx, bluelamp.NotebookFilter{From: 2}, disclosure)
		ok(t, err)
		if !slices.Equal(x.Digest, y.Digest) {
			t.Errorf("digests differ: %s, %s", x.Digest, y.Digest)
		}
		f.wantVerified()
	})
	t.Run("OKConcurrentNumbers", func(t *testing.T) {
		// Entries sent at once, by one officer and by another, are each
		// numbered once, in a run with no gaps.
		f := setup(t, open)
		a := f.formForce("alpha")
		const n = 24
		errs := make(chan error, 2*n)
		var fns []func()
		for i := range n {
			for _, ctx := range []context.Context{a.pcCtx, a.pc2Ctx} {
				fns = append(fns, func() {
					errs <- f.Store.CreateNotebookEntry(ctx, &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: start}, Text: fmt.Sprint("entry ", i)})
				})
			}
		}
		together(fns...)
		close(errs)
		for err := range errs {
			ok(t, err)
		}
		for _, ctx := range []context.Context{a.pcCtx, a.pc2Ctx} {
			nb, err := f.Store.FindNotebook(ctx, bluelamp.NotebookFilter{}, nil)
			ok(t, err)
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(n - i)
			}
			if got := entryNumbers(nb); !slices.Equal(got, want) {
				t.Errorf("numbers %v, want %v", got, want)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		f.mustWrite(a.pc2Ctx, "pc2 one", 0)
		f.mustWrite(a.pc2Ctx, "pc2 two", 0)
		f.mustWrite(a.pcCtx, "pc one", 0)
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		err := f.Store.CreateNotebookEntry(a.pcCtx, &bluelamp.NotebookEntry{Text: "  "})
		wantFields(t, err, "text", "taken_at")
		// Entry 2 exists, but it is another officer's.
		err = f.Store.CreateNotebookEntry(a.pcCtx, &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: start}, Text: "fix", Corrects: 2})
		wantFields(t, err, "corrects")
		err = f.Store.ReviewNotebook(a.supCtx, &bluelamp.NotebookReview{CollarNumber: "4021", From: 1, To: 2})
		wantFields(t, err, "to")
		err = f.Store.ReviewNotebook(a.supCtx, &bluelamp.NotebookReview{CollarNumber: "4021", From: 0})
		wantFields(t, err, "from")
		f.refused(err, bluelamp.KindInvalid, heads...)
		err = f.Store.ReviewNotebook(a.supCtx, &bluelamp.NotebookReview{CollarNumber: "9999", From: 1})
		wantKind(t, err, bluelamp.KindNotFound)
		err = f.Store.ReviewNotebook(a.pcCtx, &bluelamp.NotebookReview{CollarNumber: "4021", From: 1})
		f.refused(err, bluelamp.KindForbidden, heads...)
		wantCode(t, err, "own_notebook")
		_, err = f.Store.ExportNotebook(a.pcCtx, bluelamp.NotebookFilter{}, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Errorf("export without a reason: %v", err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrNoCollarNumber", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		heads := f.heads(a.id)
		err := f.Store.CreateNotebookEntry(a.noCollar, &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: start}, Text: "x"})
		f.refused(err, bluelamp.KindForbidden, heads...)
		wantCode(t, err, "no_collar_number")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.formForce("alpha"), f.formForce("bravo")
		f.mustWrite(a.pcCtx, "alpha's note", 0)
		heads, markA := f.heads(a.id, b.id), f.auditMark(a.id)
		// Bravo has officers numbered 4021 too: a collar number names an
		// officer only within its force.
		_, err := f.Store.FindNotebook(b.supCtx, bluelamp.NotebookFilter{Collar: new("S100X")}, &consult)
		wantKind(t, err, bluelamp.KindNotFound)
		n, err := f.Store.FindNotebook(b.supCtx, bluelamp.NotebookFilter{Collar: new("4021")}, &consult)
		ok(t, err)
		if n.OfficerID != b.pc.ID || len(n.Entries) != 0 {
			t.Errorf("bravo's 4021 notebook = officer %d, %d entries", n.OfficerID, len(n.Entries))
		}
		err = f.Store.ReviewNotebook(b.supCtx, &bluelamp.NotebookReview{CollarNumber: "4021", From: 1})
		f.refused(err, bluelamp.KindInvalid, heads[0])
		f.wantNoAudit(a.id, markA)
	})
}

func testUseOfForce(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		u := newUseOfForce(a.inc.ID)
		ok(t, f.Store.CreateUseOfForce(a.pcCtx, u))
		sub := ref("use_of_force", u.ID)
		events := f.wantEvents(a.id, before, bluelamp.EventUseOfForceRecorded)
		wantPayload(t, events[0], bluelamp.EventUseOfForceRecorded, sub, u)
		f.wantAudit(a.id, mark, a.pcCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{sub}})
		// Each officer involved files their own.
		ok(t, f.Store.CreateUseOfForce(a.pc2Ctx, newUseOfForce(a.inc.ID)))
		got, err := f.Store.FindUseOfForceByID(a.supCtx, u.ID, consult)
		ok(t, err)
		if diff := cmp.Diff(u, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindUseOfForceByID (-recorded +found):\n%s", diff)
		}
		// Without an incident there is nothing to be one form per.
		ok(t, f.Store.CreateUseOfForce(a.pcCtx, newUseOfForce(0)))
		ok(t, f.Store.CreateUseOfForce(a.pcCtx, newUseOfForce(0)))
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		first := newUseOfForce(a.inc.ID)
		ok(t, f.Store.CreateUseOfForce(a.pcCtx, first))
		heads := f.heads(a.id)
		err := f.Store.CreateUseOfForce(a.pcCtx, newUseOfForce(a.inc.ID))
		f.refused(err, bluelamp.KindConflict, heads...)
		wantCode(t, err, "already_filed")
		wantMessage(t, err, fmt.Sprint(first.ID), a.inc.Number)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		heads, mark := f.heads(a.id), f.auditMark(a.id)
		u := newUseOfForce(a.inc.ID)
		u.Tactics, u.Reasons, u.LocationType = nil, nil, "MOON"
		u.Subject.Ethnicity, u.SubjectInjury = "IC8", "BAD"
		err := f.Store.CreateUseOfForce(a.pcCtx, u)
		wantFields(t, err, "tactics", "reasons", "location_type", "subject.ethnicity", "subject_injury")
		u = newUseOfForce(a.inc.ID)
		u.Tactics = []bluelamp.TacticUse{{Tactic: "CED_FIRED"}, {Tactic: "CED_FIRED"}, {Tactic: "OTHER"}, {Tactic: "LASSO"}}
		u.ImpactFactors = []string{"ALCOHOL", "ALCOHOL"}
		err = f.Store.CreateUseOfForce(a.pcCtx, u)
		wantFields(t, err, "tactics[1].tactic", "tactics[2].detail", "tactics[3].tactic", "impact_factors")
		f.refused(err, bluelamp.KindInvalid, heads...)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.formForce("alpha"), f.formForce("bravo")
		u := newUseOfForce(a.inc.ID)
		ok(t, f.Store.CreateUseOfForce(a.pcCtx, u))
		heads, markA := f.heads(a.id, b.id), f.auditMark(a.id)
		err := f.Store.CreateUseOfForce(b.pcCtx, newUseOfForce(a.inc.ID))
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.FindUseOfForceByID(b.supCtx, u.ID, consult)
		wantKind(t, err, bluelamp.KindNotFound)
		f.wantNoAudit(a.id, markA)
	})
}

func testFindForms(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.formForce("alpha")
		ss := newStopSearch(1)
		ss.IncidentID = a.inc.ID
		ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
		f.clock.Advance(time.Second)
		c := newCrimeReport()
		ok(t, f.Store.CreateCrimeReport(a.pc2Ctx, c))
		f.clock.Advance(time.Second)
		e := &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{IncidentID: a.inc.ID, TakenAt: start}, Text: "arrived at scene"}
		ok(t, f.Store.CreateNotebookEntry(a.pcCtx, e))
		u := newUseOfForce(a.inc.ID)
		ok(t, f.Store.CreateUseOfForce(a.pc2Ctx, u))
		before := f.head(a.id)

		all, total, err := f.Store.FindForms(a.supCtx, bluelamp.FormFilter{})
		ok(t, err)
		if got := formIDs(all); total != 4 || !slices.Equal(got, []bluelamp.FormID{u.ID, e.ID, c.ID, ss.ID}) {
			t.Errorf("all forms %v (total %d), want newest first", got, total)
		}
		s := all[3]
		if s.Kind != bluelamp.FormStopSearch || s.Reference != ss.Reference || s.ClientID != ss.ClientID || s.Incident != a.inc.Number ||
			s.CollarNumber != "4021" || !s.TakenAt.Equal(ss.TakenAt) || !strings.Contains(s.Label, "Misuse of Drugs Act 1971") {
			t.Errorf("stop-search summary = %+v", s)
		}
		b, _ := json.Marshal(all)
		for _, personal := range []string{"SMITH", "JONES", "07700", "ethnicity", "cannabis", "arrived at scene", "victim"} {
			if strings.Contains(string(b), personal) {
				t.Errorf("form summaries hold %q", personal)
			}
		}
		mine, total, err := f.Store.FindForms(a.pcCtx, bluelamp.FormFilter{OfficerID: &a.pc.ID})
		ok(t, err)
		if got := formIDs(mine); total != 2 || !slices.Equal(got, []bluelamp.FormID{e.ID, ss.ID}) {
			t.Errorf("my forms %v (total %d)", got, total)
		}
		linked, _, err := f.Store.FindForms(a.ctx, bluelamp.FormFilter{IncidentID: &a.inc.ID})
		ok(t, err)
		if got := formIDs(linked); !slices.Equal(got, []bluelamp.FormID{u.ID, e.ID, ss.ID}) {
			t.Errorf("incident forms %v", got)
		}
		page, total, err := f.Store.FindForms(a.ctx, bluelamp.FormFilter{Collar: new("4022"), Kind: new(bluelamp.FormCrimeReport), Limit: 1})
		ok(t, err)
		if got := formIDs(page); total != 1 || !slices.Equal(got, []bluelamp.FormID{c.ID}) {
			t.Errorf("4022's crime reports %v (total %d)", got, total)
		}
		page, total, err = f.Store.FindForms(a.ctx, bluelamp.FormFilter{Offset: 1, Limit: 2})
		ok(t, err)
		if got := formIDs(page); total != 4 || !slices.Equal(got, []bluelamp.FormID{e.ID, c.ID}) {
			t.Errorf("second page %v (total %d)", got, total)
		}
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.formForce("alpha"), f.formForce("bravo")
		ok(t, f.Store.CreateStopSearch(a.pcCtx, newStopSearch(1)))
		_, _, err := f.Store.FindForms(b.supCtx, bluelamp.FormFilter{IncidentID: &a.inc.ID})
		wantKind(t, err, bluelamp.KindNotFound)
		forms, total, err := f.Store.FindForms(b.supCtx, bluelamp.FormFilter{})
		ok(t, err)
		if total != 0 || len(forms) != 0 {
			t.Errorf("%s sees %d forms of %s", b.id, total, a.id)
		}
	})
}

func testFormsNoActor(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.formForce("alpha")
	ss := newStopSearch(1)
	ok(t, f.Store.CreateStopSearch(a.pcCtx, ss))
	ctx := t.Context()
	calls := map[string]func() error{
		"CreateStopSearch":   func() error { return f.Store.CreateStopSearch(ctx, newStopSearch(2)) },
		"FindStopSearchByID": func() error { _, err := f.Store.FindStopSearchByID(ctx, ss.ID, consult); return err },
		"FindStopSearchReceipt": func() error {
			_, err := f.Store.FindStopSearchReceipt(ctx, ss.Reference)
			return err
		},
		"RequestStopSearchRecord": func() error {
			return f.Store.RequestStopSearchRecord(ctx, ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "a@example.org"})
		},
		"CreateCrimeReport":   func() error { return f.Store.CreateCrimeReport(ctx, newCrimeReport()) },
		"FindCrimeReportByID": func() error { _, err := f.Store.FindCrimeReportByID(ctx, 1, consult); return err },
		"DecideCrimeReport": func() error {
			return f.Store.DecideCrimeReport(ctx, 1, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionNotCrime, Reason: "x"})
		},
		"RecordCrimeOutcome":               func() error { return f.Store.RecordCrimeOutcome(ctx, 1, &bluelamp.CrimeOutcome{Type: 1}) },
		"FindCrimeReportsAwaitingDecision": func() error { _, err := f.Store.FindCrimeReportsAwaitingDecision(ctx); return err },
		"CreateNotebookEntry": func() error {
			return f.Store.CreateNotebookEntry(ctx, &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: start}, Text: "x"})
		},
		"FindNotebook":   func() error { _, err := f.Store.FindNotebook(ctx, bluelamp.NotebookFilter{}, nil); return err },
		"ExportNotebook": func() error { _, err := f.Store.ExportNotebook(ctx, bluelamp.NotebookFilter{}, consult); return err },
		"ReviewNotebook": func() error {
			return f.Store.ReviewNotebook(ctx, &bluelamp.NotebookReview{CollarNumber: "4021", From: 1})
		},
		"CreateUseOfForce":   func() error { return f.Store.CreateUseOfForce(ctx, newUseOfForce(0)) },
		"FindUseOfForceByID": func() error { _, err := f.Store.FindUseOfForceByID(ctx, 1, consult); return err },
		"FindForms":          func() error { _, _, err := f.Store.FindForms(ctx, bluelamp.FormFilter{}); return err },
	}
	heads := f.heads(a.id)
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { wantNoActor(t, call()) })
	}
	f.wantNoEvents(a.id, heads[0])
}
