package eido

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

var wessex = Agency{ForceID: "wessex", Name: "Wessex Police", Domain: "wessex.police.uk"}

// at returns a fixed time minutes after 10:00 UTC on 27 November 2026.
func at(minutes float64) time.Time {
	return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).Add(time.Duration(minutes * float64(time.Minute)))
}

// closedIncident is an incident with every field EIDO can carry: opened
// from a 999 call, graded, re-graded, resourced, declared a major
// incident and closed with a crime recorded.
func closedIncident() (*bluelamp.Incident, []*bluelamp.LogEntry) {
	inc := &bluelamp.Incident{
		ID: 42, ForceID: "wessex", Number: "1234/27NOV26", GlobalID: "01962b8e-6a40-7c3e-9d1a-4b5c6d7e8f90",
		ReceivedAt: at(0), OpenedAt: at(1.5), OpenedBy: "ch.jones", Channel: bluelamp.ChannelEmergency,
		Category: "CRIME_BURGLARY", Qualifiers: []bluelamp.Qualifier{"FIREARMS", "REPEAT_VICTIM"},
		Classification: bluelamp.ClassOfficialSensitive,
		Summary:        "Burglary in progress, two males seen entering rear of house, one may have a shotgun",
		Location: bluelamp.Location{
			Address:  "14 Abbey Road, Romsey SO51 8EL & \"the annex\" <rear>",
			Position: &bluelamp.Position{Lat: 50.98934, Lon: -1.49971},
			GridRef:  "SU 35280 21180", CrossBorder: false, Rural: true,
		},
		Grade: bluelamp.GradeImmediate, GradedAt: at(4), OriginalGrade: bluelamp.GradePriority, OriginalGradedAt: at(1.5),
		RequiredSkills: []bluelamp.Skill{"ARVO"},
		Status:         bluelamp.IncidentClosed, Resourcing: bluelamp.ResourcingCleared,
		FirstDispatchedAt: new(at(5)), FirstArrivedAt: new(at(13)),
		Breaches: []bluelamp.ClockBasis{},
		Major:    &bluelamp.MajorIncident{Name: "Operation Egdon", DeclaredAt: at(20), DeclaredBy: "insp.khan", Reason: "Firearms discharged;\ncordon and evacuation needed"},
		ClosedAt: new(at(180)), ClosedBy: "sgt.patel",
		Closing: &bluelamp.Closing{Category: "CRIME_BURGLARY", Qualifiers: []bluelamp.Qualifier{"FIREARMS"}, Result: bluelamp.ResultCrimeRecorded,
			CrimeReference: "44/123456/26", Note: "Two arrested at scene; shotgun recovered."},
		Assignments: []*bluelamp.Assignment{
			{ID: 7, IncidentID: 42, Incident: "1234/27NOV26", UnitID: 3, CallSign: "RY21", State: bluelamp.AssignmentStoodDown,
				AssignedAt: at(5), AssignedBy: "disp.o'neill", EnRouteAt: new(at(6)), EndedAt: new(at(8))},
			{ID: 8, IncidentID: 42, Incident: "1234/27NOV26", UnitID: 5, CallSign: "ARV 61", State: bluelamp.AssignmentCleared,
				AssignedAt: at(7), AssignedBy: "disp.o'neill", EnRouteAt: new(at(7.5)), AtSceneAt: new(at(13)), EndedAt: new(at(150))},
			{ID: 9, IncidentID: 42, Incident: "1234/27NOV26", UnitID: 3, CallSign: "RY21", State: bluelamp.AssignmentCleared,
				AssignedAt: at(30), AssignedBy: "disp.o'neill", EnRouteAt: new(at(31)), AtSceneAt: new(at(40)), EndedAt: new(at(170))},
		},
		Contacts: []string{"C-27NOV26-0042"},
	}
	log := []*bluelamp.LogEntry{
		{ID: 901, IncidentID: 42, Time: at(1.5), Actor: "ch.jones", Kind: bluelamp.LogOpened, Text: "Opened 1234/27NOV26: Burglary, graded Priority (G2). " + inc.Summary},
		{ID: 902, IncidentID: 42, Time: at(4), Actor: "ch.jones", Kind: bluelamp.LogGraded, Text: "Re-graded Immediate (G1): caller now says one has a shotgun"},
		{ID: 903, IncidentID: 42, Time: at(5), Actor: "disp.o'neill", Kind: bluelamp.LogAssigned, Text: "RY21 assigned"},
		{ID: 904, IncidentID: 42, Time: at(13), Actor: "ARV 61", Kind: bluelamp.LogStatus, Text: "ARV 61: At scene (6)"},
		{ID: 905, IncidentID: 42, Time: at(20), Actor: "insp.khan", Kind: bluelamp.LogMajor, Text: "Declared major incident Operation Egdon"},
		{ID: 906, IncidentID: 42, Time: at(25), Actor: "insp.khan", Kind: bluelamp.LogNote, Text: "Cordon at <Abbey Road> & Station Road.\nRVP: Romsey station car park."},
		{ID: 907, IncidentID: 42, Time: at(180), Actor: "sgt.patel", Kind: bluelamp.LogClosed, Text: "Closed: crime recorded 44/123456/26"},
	}
	return inc, log
}

// openIncident is a minimal incident as opened online with no contact or
// units: address only, nothing optional.
func openIncident() (*bluelamp.Incident, []*bluelamp.LogEntry) {
	inc := &bluelamp.Incident{
		ID: 43, ForceID: "wessex", Number: "1235/27NOV26", GlobalID: "01962b8e-7b51-7d4f-8e2b-5c6d7e8f9a01",
		ReceivedAt: at(60), OpenedAt: at(62), OpenedBy: "ch.smith", Channel: bluelamp.ChannelOnline,
		Category: "LOST_FOUND_PROPERTY", Qualifiers: []bluelamp.Qualifier{}, Classification: bluelamp.ClassOfficial,
		Summary: "Wallet found on bench", Location: bluelamp.Location{Address: "The Quay, Poole"},
		Grade: bluelamp.GradeResolvedWithoutDeployment, GradedAt: at(62), OriginalGrade: bluelamp.GradeResolvedWithoutDeployment, OriginalGradedAt: at(62),
		RequiredSkills: []bluelamp.Skill{}, Status: bluelamp.IncidentOpen, Resourcing: bluelamp.ResourcingAwaiting, Breaches: []bluelamp.ClockBasis{},
	}
	return inc, nil
}

func TestExportGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func() (*bluelamp.Incident, []*bluelamp.LogEntry)
	}{
		{"closed", closedIncident},
		{"open", openIncident},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inc, log := tc.make()
			got, err := Export(inc, log, nil, wessex)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "export-"+tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Export differs from %s; run go test -update and review the diff:\n%s", golden, got)
			}
		})
	}
}

// TestExportSchema checks Export's output against the schema through the
// same public validator an importer uses.
func TestExportSchema(t *testing.T) {
	t.Parallel()
	inc, log := closedIncident()
	b, err := Export(inc, log, bluelamp.DefaultForceSettings(), wessex)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(b); err != nil {
		t.Fatalf("Validate(Export) = %v %v", err, fieldsOf(err))
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got, want := doc["$id"], "urn:emergency:uid:incidentid:01962b8e6a407c3e9d1a4b5c6d7e8f90:wessex.police.uk"; got != want {
		t.Errorf("$id = %v, want %v", got, want)
	}
	for _, leak := range []string{"THRIVE", "C-27NOV26-0042"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("export contains %q", leak)
		}
	}
}

func TestExportErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*bluelamp.Incident, *Agency)
	}{
		{"ErrUnsaved", func(inc *bluelamp.Incident, _ *Agency) { inc.GlobalID = "" }},
		{"ErrNoDomain", func(_ *bluelamp.Incident, a *Agency) { a.Domain = "" }},
		{"ErrBadDomain", func(_ *bluelamp.Incident, a *Agency) { a.Domain = "wessex police" }},
		{"ErrUnknownCategory", func(inc *bluelamp.Incident, _ *Agency) { inc.Category = "NOPE" }},
		{"ErrUnknownGrade", func(inc *bluelamp.Incident, _ *Agency) { inc.Grade = "G9" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inc, log := openIncident()
			a := wessex
			tc.change(inc, &a)
			if _, err := Export(inc, log, nil, a); bluelamp.KindOf(err) != bluelamp.KindInternal {
				t.Fatalf("Export = %v, want an internal error", err)
			}
		})
	}
	if _, err := Export(nil, nil, nil, wessex); err == nil {
		t.Fatal("Export(nil) succeeded")
	}
}

// TestExportIdentifiersUnique checks every data component has its own $id
// (NENA-STA-021.1b 2.1), however actors are named.
func TestExportIdentifiersUnique(t *testing.T) {
	t.Parallel()
	inc, log := closedIncident()
	for i, actor := range []string{"unit3", "a b", "a-b", "", "a.b@c", "wessex.police.uk"} {
		log = append(log, &bluelamp.LogEntry{ID: int64(1000 + i), Time: at(181), Actor: actor, Kind: bluelamp.LogNote, Text: "note"})
	}
	b, err := Export(inc, log, nil, wessex)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["$id"].(string); ok {
				if seen[id] {
					t.Errorf("$id %q used twice", id)
				}
				seen[id] = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if len(seen) < 25 {
		t.Errorf("found %d identifiers, want every component's", len(seen))
	}
}
