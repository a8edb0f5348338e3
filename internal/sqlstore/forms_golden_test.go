package sqlstore

import (
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// goldenForms runs every form method once, with each filter, for
// TestGoldenSQL.
func goldenForms(t *testing.T, s *Store) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	dep := bluelamp.SystemContext(t.Context(), "", "golden")
	fc := bluelamp.SystemContext(t.Context(), "golden", "golden")
	j := bluelamp.Justification{Reason: "AUDIT", Text: "golden"}
	as := func(u *bluelamp.User) *bluelamp.Actor {
		return &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: u.Username, ForceID: "golden", Roles: u.Roles}
	}
	pc := &bluelamp.User{Username: "golden.pc", DisplayName: "PC Gold", Email: "pc@golden.example", CollarNumber: "G1", Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	sup := &bluelamp.User{Username: "golden.sup", DisplayName: "Sgt Gold", Email: "sup@golden.example", CollarNumber: "G2", Roles: []bluelamp.Role{bluelamp.RoleSupervisor}}
	must(s.CreateUser(fc, pc, "hash"))
	must(s.CreateUser(fc, sup, "hash"))
	pcCtx, supCtx := bluelamp.NewContext(t.Context(), as(pc)), bluelamp.NewContext(t.Context(), as(sup))
	inc := &bluelamp.Incident{Channel: bluelamp.ChannelOfficer, Category: "CRIME_VIOLENCE", Grade: bluelamp.GradeImmediate, Summary: "forms",
		Location: bluelamp.Location{Address: "Golden Square"}}
	must(s.CreateIncident(fc, inc))
	now := time.Now()
	at := bluelamp.Location{Address: "Golden Square"}

	ss := &bluelamp.StopSearch{FormHeader: bluelamp.FormHeader{ClientID: "0b7c2f4e-1a6d-4c2b-9f1e-5d3a8c7b6e21", IncidentID: inc.ID, TakenAt: now},
		StopSearchDetails: bluelamp.StopSearchDetails{Type: bluelamp.SearchPerson, SearchedAt: now.Add(-time.Minute), SelfDefinedEthnicity: "NS",
			OfficerDefinedEthnicity: "IC9", Gender: "Other", AgeRange: "over 34", Legislation: "Police and Criminal Evidence Act 1984 (section 1)",
			ObjectOfSearch: "Stolen goods", Grounds: "matched the description given by the victim", Outcome: bluelamp.OutcomeNoFurtherAction, MadeAtTheTime: true},
		Location: at}
	must(s.CreateStopSearch(pcCtx, ss))
	_, err := s.FindStopSearchByID(supCtx, ss.ID, j)
	must(err)
	_, err = s.FindStopSearchReceipt(dep, ss.Reference)
	must(err)
	must(s.RequestStopSearchRecord(dep, ss.Reference, &bluelamp.StopSearchRecordRequest{Email: "a@example.org"}))

	c := &bluelamp.CrimeReport{FormHeader: bluelamp.FormHeader{TakenAt: now}, CrimeReportDetails: bluelamp.CrimeReportDetails{
		Offence: "ASSAULT_WITH_INJURY", Flags: []bluelamp.CrimeFlag{}, ReportedAt: now, Victim: bluelamp.PersonDetails{PersonRef: "person/1"},
		Suspects: []bluelamp.PersonDetails{}, Summary: "s"}, Location: at}
	must(s.CreateCrimeReport(pcCtx, c))
	_, err = s.FindCrimeReportsAwaitingDecision(supCtx)
	must(err)
	must(s.DecideCrimeReport(supCtx, c.ID, &bluelamp.CrimeDecision{Decision: bluelamp.DecisionRecorded, Offence: "ASSAULT_WITH_INJURY"}))
	must(s.RecordCrimeOutcome(supCtx, c.ID, &bluelamp.CrimeOutcome{Type: 1}))
	_, err = s.FindCrimeReportByID(supCtx, c.ID, j)
	must(err)

	e := &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: now, IncidentID: inc.ID}, Text: "one"}
	must(s.CreateNotebookEntry(pcCtx, e))
	must(s.CreateNotebookEntry(pcCtx, &bluelamp.NotebookEntry{FormHeader: bluelamp.FormHeader{TakenAt: now}, Text: "fix", Corrects: e.Number}))
	_, err = s.FindNotebook(pcCtx, bluelamp.NotebookFilter{}, nil)
	must(err)
	_, err = s.FindNotebook(supCtx, bluelamp.NotebookFilter{Collar: new("G1"), From: 1, To: 2, Limit: 5}, &j)
	must(err)
	must(s.ReviewNotebook(supCtx, &bluelamp.NotebookReview{CollarNumber: "G1", From: 1, To: 2, Comment: "ok"}))
	_, err = s.ExportNotebook(supCtx, bluelamp.NotebookFilter{Collar: new("G1")}, j)
	must(err)

	u := &bluelamp.UseOfForce{FormHeader: bluelamp.FormHeader{IncidentID: inc.ID, TakenAt: now}, UseOfForceDetails: bluelamp.UseOfForceDetails{
		OccurredAt: now, LocationType: "STREET", BodyWornVideo: "RECORDING", Subject: bluelamp.UseOfForceSubject{AgeBand: "UNKNOWN", Gender: "UNKNOWN", Ethnicity: "IC9"},
		Tactics: []bluelamp.TacticUse{{Tactic: "TACTICAL_COMMUNICATIONS", Effective: true}}, ImpactFactors: []string{}, Reasons: []string{"PROTECT_SELF"},
		Outcomes: []string{"OTHER"}, SubjectInjury: "NONE", OfficerInjury: "NONE"}, Location: at}
	must(s.CreateUseOfForce(pcCtx, u))
	_, err = s.FindUseOfForceByID(supCtx, u.ID, j)
	must(err)

	_, _, err = s.FindForms(pcCtx, bluelamp.FormFilter{OfficerID: &pc.ID})
	must(err)
	_, _, err = s.FindForms(supCtx, bluelamp.FormFilter{Kind: new(bluelamp.FormStopSearch), Collar: new("G1"), IncidentID: &inc.ID, Offset: 1, Limit: 5})
	must(err)
}
