package bluelamp_test

import (
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
)

func validTHRIVE() *bluelamp.THRIVE {
	return &bluelamp.THRIVE{
		Threat:        bluelamp.Threat{Parties: []string{"caller", "child at address"}, Description: "ex-partner at the door"},
		Harm:          bluelamp.Harm{Types: []string{"PHYSICAL", "PSYCHOLOGICAL"}, Severity: bluelamp.LevelHigh},
		Risk:          bluelamp.Risk{Likelihood: bluelamp.LevelHigh, Rating: bluelamp.LevelHigh, InterimRisk: "lock the door"},
		Investigation: bluelamp.Investigation{SceneAdviceGiven: true, SceneAdvice: "do not touch the door handle"},
		Vulnerability: bluelamp.Vulnerability{Parties: []string{"child"}, Factors: []string{"CHILD", "DOMESTIC_ABUSE"}, SafeguardingNeeded: true},
		Engagement:    bluelamp.Engagement{CallerNeeds: "reassurance", ReferralOffered: true},
		Grade:         bluelamp.GradeImmediate,
		Rationale:     "threat of violence, child present",
	}
}

func TestTHRIVEValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*bluelamp.THRIVE)
		fields []string
	}{
		{"complete", func(*bluelamp.THRIVE) {}, nil},
		{"minimal", func(th *bluelamp.THRIVE) {
			*th = bluelamp.THRIVE{Threat: bluelamp.Threat{Description: "noise"}, Harm: bluelamp.Harm{Severity: bluelamp.LevelLow},
				Risk: bluelamp.Risk{Likelihood: bluelamp.LevelLow, Rating: bluelamp.LevelLow}, Grade: bluelamp.GradeScheduled, Rationale: "nuisance only"}
		}, nil},
		{"no threat", func(th *bluelamp.THRIVE) { th.Threat.Description = "" }, []string{"threat.description"}},
		{"blank rationale", func(th *bluelamp.THRIVE) { th.Rationale = " \t " }, []string{"rationale"}},
		{"threat too long", func(th *bluelamp.THRIVE) { th.Threat.Description = strings.Repeat("t", 2001) }, []string{"threat.description"}},
		{"repeated party", func(th *bluelamp.THRIVE) { th.Threat.Parties = []string{"caller", "caller"} }, []string{"threat.parties"}},
		{"empty party", func(th *bluelamp.THRIVE) { th.Vulnerability.Parties = []string{""} }, []string{"vulnerability.parties"}},
		{"too many parties", func(th *bluelamp.THRIVE) {
			th.Threat.Parties = nil
			for i := range 21 {
				th.Threat.Parties = append(th.Threat.Parties, strings.Repeat("p", i+1))
			}
		}, []string{"threat.parties"}},
		{"unknown harm", func(th *bluelamp.THRIVE) { th.Harm.Types = []string{"EMOTIONAL"} }, []string{"harm.types"}},
		{"no severity", func(th *bluelamp.THRIVE) { th.Harm.Severity = "" }, []string{"harm.severity"}},
		{"bad levels", func(th *bluelamp.THRIVE) { th.Risk.Likelihood, th.Risk.Rating = "VERY", "low" }, []string{"risk.likelihood", "risk.rating"}},
		{"scene advice given but not written", func(th *bluelamp.THRIVE) { th.Investigation.SceneAdvice = "" }, []string{"investigation.scene_advice"}},
		{"unknown factor", func(th *bluelamp.THRIVE) { th.Vulnerability.Factors = []string{"UNLUCKY"} }, []string{"vulnerability.factors"}},
		{"no grade", func(th *bluelamp.THRIVE) { th.Grade = "" }, []string{"grade"}},
		{"update preference too long", func(th *bluelamp.THRIVE) { th.Engagement.UpdatePreference = strings.Repeat("u", 201) }, []string{"engagement.update_preference"}},
		{"not text", func(th *bluelamp.THRIVE) { th.Prevention = "\xff" }, []string{"prevention"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			th := validTHRIVE()
			c.change(th)
			wantInvalid(t, th.Validate(), c.fields...)
		})
	}
}

func TestTHRIVEVulnerable(t *testing.T) {
	var none *bluelamp.THRIVE
	if none.Vulnerable() {
		t.Error("no assessment is vulnerable")
	}
	th := validTHRIVE()
	if !th.Vulnerable() {
		t.Error("an assessment with factors is not vulnerable")
	}
	th.Vulnerability.Factors = nil
	if !th.Vulnerable() {
		t.Error("an assessment needing safeguarding is not vulnerable")
	}
	th.Vulnerability.SafeguardingNeeded = false
	if th.Vulnerable() {
		t.Error("an assessment with no factors and no safeguarding is vulnerable")
	}
}
