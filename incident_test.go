package bluelamp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

func TestIncidentValidate(t *testing.T) {
	valid := func() *bluelamp.Incident {
		return &bluelamp.Incident{Channel: bluelamp.ChannelEmergency, Category: "CRIME_ROBBERY", Qualifiers: []bluelamp.Qualifier{"WEAPONS"},
			Grade: bluelamp.GradeImmediate, Summary: "street robbery", RequiredSkills: []bluelamp.Skill{"TASER"},
			Location: bluelamp.Location{Address: "Market Square"}}
	}
	for _, c := range []struct {
		name   string
		change func(*bluelamp.Incident)
		fields []string
	}{
		{"valid", func(*bluelamp.Incident) {}, nil},
		{"unknown category", func(i *bluelamp.Incident) { i.Category = "UFO" }, []string{"category"}},
		{"unknown qualifier", func(i *bluelamp.Incident) { i.Qualifiers = []bluelamp.Qualifier{"SPOOKY"} }, []string{"qualifiers"}},
		{"repeated qualifier", func(i *bluelamp.Incident) { i.Qualifiers = []bluelamp.Qualifier{"HATE", "HATE"} }, []string{"qualifiers"}},
		{"SECRET is refused", func(i *bluelamp.Incident) { i.Classification = "SECRET" }, []string{"classification"}},
		{"unknown grade", func(i *bluelamp.Incident) { i.Grade = "URGENT" }, []string{"grade"}},
		{"blank summary", func(i *bluelamp.Incident) { i.Summary = "   " }, []string{"summary"}},
		{"summary too long", func(i *bluelamp.Incident) { i.Summary = strings.Repeat("s", bluelamp.MaxSummary+1) }, []string{"summary"}},
		{"unknown channel", func(i *bluelamp.Incident) { i.Channel = "PIGEON" }, []string{"channel"}},
		{"malformed skill", func(i *bluelamp.Incident) { i.RequiredSkills = []bluelamp.Skill{"taser"} }, []string{"required_skills"}},
		{"repeated skill", func(i *bluelamp.Incident) { i.RequiredSkills = []bluelamp.Skill{"AFO", "AFO"} }, []string{"required_skills"}},
		{"no location", func(i *bluelamp.Incident) { i.Location = bluelamp.Location{} }, []string{"location.address"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			inc := valid()
			c.change(inc)
			wantInvalid(t, inc.Validate(nil), c.fields...)
		})
	}
	inc := valid()
	inc.Summary = "  robbery  "
	if err := inc.Validate(nil); err != nil || inc.Classification != bluelamp.ClassOfficial || inc.Summary != "robbery" {
		t.Errorf("Validate left classification %q and summary %q (%v); want OFFICIAL and trimmed", inc.Classification, inc.Summary, err)
	}
}

func TestClosingValidate(t *testing.T) {
	for _, c := range []struct {
		name    string
		closing bluelamp.Closing
		fields  []string
	}{
		{"advice", bluelamp.Closing{Category: "CIVIL_DISPUTE", Result: bluelamp.ResultAdviceGiven}, nil},
		{"crime with its reference", bluelamp.Closing{Category: "CRIME_THEFT", Result: bluelamp.ResultCrimeRecorded, CrimeReference: "CR/1/30"}, nil},
		{"crime without a reference", bluelamp.Closing{Category: "CRIME_THEFT", Result: bluelamp.ResultCrimeRecorded, CrimeReference: " "}, []string{"crime_reference"}},
		{"referral without the partner", bluelamp.Closing{Category: "CONCERN_FOR_SAFETY", Result: bluelamp.ResultReferredToPartner}, []string{"partner"}},
		{"transfer without the partner", bluelamp.Closing{Category: "CONCERN_FOR_SAFETY", Result: bluelamp.ResultTransferred}, []string{"partner"}},
		{"transfer", bluelamp.Closing{Category: "CONCERN_FOR_SAFETY", Result: bluelamp.ResultTransferred, Partner: "British Transport Police"}, nil},
		{"duplicate without its original", bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate}, []string{"duplicate_of"}},
		{"duplicate", bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: "12/04MAR30"}, nil},
		{"reference too long", bluelamp.Closing{Category: "CRIME_THEFT", Result: bluelamp.ResultCrimeRecorded, CrimeReference: strings.Repeat("r", 101)}, []string{"crime_reference"}},
		{"note too long", bluelamp.Closing{Category: "CRIME_THEFT", Result: bluelamp.ResultNoTrace, Note: strings.Repeat("n", 4001)}, []string{"note"}},
		{"unknown codes", bluelamp.Closing{Category: "UFO", Result: "ABDUCTED", Qualifiers: []bluelamp.Qualifier{"SPOOKY"}}, []string{"category", "result", "qualifiers"}},
	} {
		t.Run(c.name, func(t *testing.T) { wantInvalid(t, c.closing.Validate(), c.fields...) })
	}
}

func TestMETHANEValidate(t *testing.T) {
	valid := func() *bluelamp.METHANE {
		return &bluelamp.METHANE{MajorIncident: true, ExactLocation: "Platform 4", TypeOfIncident: "explosion", Hazards: "unknown",
			Access: "Station Road", Casualties: bluelamp.Casualties{Number: 12, Description: "4 P1"}, EmergencyServices: "fire, ambulance"}
	}
	for _, c := range []struct {
		name   string
		change func(*bluelamp.METHANE)
		fields []string
	}{
		{"complete", func(*bluelamp.METHANE) {}, nil},
		{"no casualties is a number", func(m *bluelamp.METHANE) { m.Casualties = bluelamp.Casualties{} }, nil},
		{"blank hazards", func(m *bluelamp.METHANE) { m.Hazards = " " }, []string{"hazards"}},
		{"negative casualties", func(m *bluelamp.METHANE) { m.Casualties.Number = -1 }, []string{"casualties.number"}},
		{"everything missing", func(m *bluelamp.METHANE) { *m = bluelamp.METHANE{} },
			[]string{"exact_location", "type_of_incident", "hazards", "access", "emergency_services"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := valid()
			c.change(m)
			wantInvalid(t, m.Validate(), c.fields...)
		})
	}
}

func TestDuplicateScore(t *testing.T) {
	const radius, window = 500.0, 2 * time.Hour
	near := bluelamp.DuplicateScore(50, radius, 5*time.Minute, window, false)
	far := bluelamp.DuplicateScore(400, radius, 5*time.Minute, window, false)
	old := bluelamp.DuplicateScore(50, radius, 100*time.Minute, window, false)
	same := bluelamp.DuplicateScore(400, radius, 5*time.Minute, window, true)
	if !(near < far && near < old) {
		t.Errorf("nearer and newer should rank first: near %v, far %v, old %v", near, far, old)
	}
	if same >= far || same != far-0.5 {
		t.Errorf("the same category should rank a half ahead: %v vs %v", same, far)
	}
	if got := bluelamp.DuplicateScore(250, radius, time.Hour, window, false); got != 1 {
		t.Errorf("half the radius and half the window scores %v, want 1", got)
	}
}

func TestValidLogText(t *testing.T) {
	for _, c := range []struct {
		text string
		ok   bool
	}{
		{"caller rang back", true},
		{strings.Repeat("x", bluelamp.MaxLogText), true},
		{"  ", false},
		{"", false},
		{strings.Repeat("x", bluelamp.MaxLogText+1), false},
		{"\xff", false},
	} {
		err := bluelamp.ValidLogText(c.text)
		if c.ok {
			wantInvalid(t, err)
		} else {
			wantInvalid(t, err, "text")
		}
	}
}
