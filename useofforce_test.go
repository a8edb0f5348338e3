package bluelamp

import (
	"math/rand/v2"
	"slices"
	"testing"
	"testing/quick"
	"time"
)

func validUseOfForce() *UseOfForce {
	return &UseOfForce{
		FormHeader: FormHeader{IncidentID: 3, TakenAt: formNow},
		UseOfForceDetails: UseOfForceDetails{
			OccurredAt: formNow.Add(-time.Hour), LocationType: "DWELLING", BodyWornVideo: "WORN_NOT_RECORDING",
			Subject:       UseOfForceSubject{AgeBand: "35_49", Gender: "FEMALE", Ethnicity: "IC4", MentalHealthCondition: true},
			Tactics:       []TacticUse{{Tactic: "CED_DRAWN"}, {Tactic: "CED_RED_DOT", Effective: true}},
			ImpactFactors: []string{"MENTAL_HEALTH", "POSSESSION_OF_WEAPON"}, Reasons: []string{"PROTECT_PUBLIC"},
			Outcomes: []string{"DETAINED_MENTAL_HEALTH_ACT"}, SubjectInjury: "NONE", OfficerInjury: "NONE",
		},
		Location: Location{Address: "Flat 3, 8 Shirley Road"},
	}
}

func TestUseOfForceValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(u *UseOfForce)
		want   []string
	}{
		{"OK", func(*UseOfForce) {}, nil},
		{"OKOtherWithDetail", func(u *UseOfForce) { u.Tactics = []TacticUse{{Tactic: "OTHER", Detail: "held the door shut"}} }, nil},
		{"ErrEverythingMissing", func(u *UseOfForce) { *u = UseOfForce{} },
			[]string{"body_worn_video", "location.address", "location_type", "occurred_at", "officer_injury", "outcomes", "reasons",
				"subject.age_band", "subject.ethnicity", "subject.gender", "subject_injury", "tactics", "taken_at"}},
		{"ErrUnknownTactic", func(u *UseOfForce) { u.Tactics[1].Tactic = "TASER" }, []string{"tactics[1].tactic"}},
		{"ErrRepeatedTactic", func(u *UseOfForce) { u.Tactics[1].Tactic = "CED_DRAWN" }, []string{"tactics[1].tactic"}},
		{"ErrImprovisedNoDetail", func(u *UseOfForce) { u.Tactics = append(u.Tactics, TacticUse{Tactic: "IMPROVISED"}) }, []string{"tactics[2].detail"}},
		{"ErrUnknownReason", func(u *UseOfForce) { u.Reasons = []string{"BORED"} }, []string{"reasons"}},
		{"ErrRepeatedFactor", func(u *UseOfForce) { u.ImpactFactors = []string{"CROWD", "CROWD"} }, []string{"impact_factors"}},
		{"ErrUnknownInjury", func(u *UseOfForce) { u.SubjectInjury, u.OfficerInjury = "GRAZE", "" }, []string{"officer_injury", "subject_injury"}},
		{"ErrFutureOccurrence", func(u *UseOfForce) { u.OccurredAt = formNow.Add(time.Hour) }, []string{"occurred_at"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := validUseOfForce()
			tc.change(u)
			if got := faultsOf(u.Validate(formNow)); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

// TestUseOfForceValidateProperty checks that whatever random form Validate
// accepts has at least one tactic and one reason, and only known codes.
func TestUseOfForceValidateProperty(t *testing.T) {
	t.Parallel()
	codes := func(list []CodeInfo) []string {
		out := []string{"NOPE"}
		for _, c := range list {
			out = append(out, c.Code)
		}
		return out
	}
	tactics, reasons, factors := codes(Tactics), codes(UseOfForceReasons), codes(ImpactFactors)
	prop := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 11))
		u := validUseOfForce()
		u.Tactics, u.Reasons, u.ImpactFactors = nil, nil, nil
		for range r.IntN(4) {
			u.Tactics = append(u.Tactics, TacticUse{Tactic: tactics[r.IntN(len(tactics))], Detail: []string{"", "x"}[r.IntN(2)]})
		}
		for range r.IntN(3) {
			u.Reasons = append(u.Reasons, reasons[r.IntN(len(reasons))])
		}
		for range r.IntN(3) {
			u.ImpactFactors = append(u.ImpactFactors, factors[r.IntN(len(factors))])
		}
		if u.Validate(formNow) != nil {
			return true
		}
		if len(u.Tactics) == 0 || len(u.Reasons) == 0 {
			return false
		}
		for _, tu := range u.Tactics {
			if !knownCode(Tactics, tu.Tactic) || (tu.Tactic == "OTHER" || tu.Tactic == "IMPROVISED") && tu.Detail == "" {
				return false
			}
		}
		return !slices.Contains(u.Reasons, "NOPE") && !slices.Contains(u.ImpactFactors, "NOPE")
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 3000}); err != nil {
		t.Fatal(err)
	}
}
