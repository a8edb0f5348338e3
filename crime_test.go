package bluelamp

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

func validCrimeReport() *CrimeReport {
	return &CrimeReport{
		FormHeader: FormHeader{TakenAt: formNow},
		CrimeReportDetails: CrimeReportDetails{
			Offence: "BURGLARY_RESIDENTIAL", Flags: []CrimeFlag{}, ReportedAt: formNow.Add(-time.Hour),
			Victim:   PersonDetails{Name: "Alex JONES", Email: "alex@example.org"},
			Suspects: []PersonDetails{},
			Summary:  "Rear door forced overnight; laptop and bike taken.",
		},
		Location: Location{Address: "12 Portswood Road"},
	}
}

func TestCrimeReportValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(c *CrimeReport)
		want   []string
	}{
		{"OK", func(*CrimeReport) {}, nil},
		{"OKHateCrime", func(c *CrimeReport) {
			c.Offence, c.Flags, c.HateStrands = "AGGRAVATED_PUBLIC_ORDER", []CrimeFlag{FlagHate, FlagAlcohol}, []string{"RACE", "RELIGION"}
		}, nil},
		{"OKOrganisationVictim", func(c *CrimeReport) {
			c.Offence, c.Victim = "SHOPLIFTING", PersonDetails{Organisation: "Corner Shop Ltd"}
		}, nil},
		{"OKLinkedPeople", func(c *CrimeReport) {
			c.Victim = PersonDetails{PersonRef: "person/12"}
			c.Suspects = []PersonDetails{{PersonRef: "person/13"}, {Description: "tall, dark coat"}}
		}, nil},
		{"ErrEverythingMissing", func(c *CrimeReport) { *c = CrimeReport{} },
			[]string{"location.address", "offence", "reported_at", "summary", "taken_at", "victim.name"}},
		{"ErrUnknownOffence", func(c *CrimeReport) { c.Offence = "8N" }, []string{"offence"}},
		{"ErrUnknownFlag", func(c *CrimeReport) { c.Flags = []CrimeFlag{"SPOOKY"} }, []string{"flags"}},
		{"ErrRepeatedFlag", func(c *CrimeReport) { c.Flags = []CrimeFlag{FlagKnife, FlagKnife} }, []string{"flags"}},
		{"ErrHateWithoutStrand", func(c *CrimeReport) { c.Flags = []CrimeFlag{FlagHate} }, []string{"hate_strands"}},
		{"ErrStrandWithoutHate", func(c *CrimeReport) { c.HateStrands = []string{"RACE"} }, []string{"hate_strands"}},
		{"ErrUnknownStrand", func(c *CrimeReport) { c.Flags, c.HateStrands = []CrimeFlag{FlagHate}, []string{"FOOTBALL"} }, []string{"hate_strands"}},
		{"ErrFutureReport", func(c *CrimeReport) { c.ReportedAt = formNow.Add(time.Hour) }, []string{"reported_at"}},
		{"ErrCommittedBackwards", func(c *CrimeReport) {
			c.CommittedFrom, c.CommittedTo = new(formNow.Add(-time.Hour)), new(formNow.Add(-2*time.Hour))
		}, []string{"committed_to"}},
		{"ErrBadPersonRef", func(c *CrimeReport) { c.Victim = PersonDetails{PersonRef: "user/1"} }, []string{"victim.person_ref"}},
		{"ErrSuspectUnidentified", func(c *CrimeReport) { c.Suspects = []PersonDetails{{}, {Phone: "call me"}} },
			[]string{"suspects[0].name", "suspects[1].name", "suspects[1].phone"}},
		{"ErrTooManySuspects", func(c *CrimeReport) { c.Suspects = make([]PersonDetails, 51) }, []string{"suspects"}},
		{"ErrLongSummary", func(c *CrimeReport) { c.Summary = strings.Repeat("x", MaxAccount+1) }, []string{"summary"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validCrimeReport()
			tc.change(c)
			if got := faultsOf(c.Validate(formNow)); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCrimeReportValidateProperty checks on random flag and strand sets
// that an accepted report has known, unrepeated flags and strands exactly
// when it is a hate crime.
func TestCrimeReportValidateProperty(t *testing.T) {
	t.Parallel()
	flags := append(slices.Clone(CrimeFlags), "SPOOKY")
	strands := append(slices.Clone(HateStrands), "FOOTBALL")
	prop := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, 7))
		c := validCrimeReport()
		for range r.IntN(4) {
			c.Flags = append(c.Flags, flags[r.IntN(len(flags))])
		}
		for range r.IntN(3) {
			c.HateStrands = append(c.HateStrands, strands[r.IntN(len(strands))])
		}
		if c.Validate(formNow) != nil {
			return true
		}
		hate := slices.Contains(c.Flags, FlagHate)
		for i, f := range c.Flags {
			if !slices.Contains(CrimeFlags, f) || slices.Contains(c.Flags[:i], f) {
				return false
			}
		}
		for i, s := range c.HateStrands {
			if !slices.Contains(HateStrands, s) || slices.Contains(c.HateStrands[:i], s) {
				return false
			}
		}
		return hate == (len(c.HateStrands) > 0)
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 3000}); err != nil {
		t.Fatal(err)
	}
}

func TestCrimeReportSensitive(t *testing.T) {
	t.Parallel()
	c := validCrimeReport()
	if c.Sensitive() {
		t.Error("a burglary is OFFICIAL-SENSITIVE")
	}
	c.Flags = []CrimeFlag{FlagDomesticAbuse}
	if !c.Sensitive() {
		t.Error("a domestic abuse report is not OFFICIAL-SENSITIVE")
	}
	c.Flags, c.Offence = nil, "RAPE_16_PLUS"
	if !c.Sensitive() {
		t.Error("a rape report is not OFFICIAL-SENSITIVE")
	}
	if strings.Contains(c.Label(), "JONES") || c.Label() != "Crime report: Rape of a person aged 16 or over" {
		t.Errorf("label %q", c.Label())
	}
	c.Victim = PersonDetails{PersonRef: "person/2"}
	c.Suspects = []PersonDetails{{PersonRef: "person/3"}, {Name: "X"}}
	if got := c.PersonRefs(); !slices.Equal(got, []string{"person/2", "person/3"}) {
		t.Errorf("person refs %v", got)
	}
}

func TestOffencesWellFormed(t *testing.T) {
	t.Parallel()
	groups := map[OffenceGroup]bool{}
	categories := []string{"violent-crime", "robbery", "burglary", "vehicle-crime", "theft-from-the-person", "bicycle-theft", "shoplifting",
		"other-theft", "criminal-damage-arson", "drugs", "possession-of-weapons", "public-order", "other-crime"}
	for i, o := range Offences {
		if slices.ContainsFunc(Offences[:i], func(p OffenceInfo) bool { return p.Code == o.Code }) {
			t.Errorf("offence %s listed twice", o.Code)
		}
		if !slices.Contains(categories, o.PoliceUK) {
			t.Errorf("offence %s is published under unknown category %q", o.Code, o.PoliceUK)
		}
		groups[o.Group] = true
	}
	if len(groups) != 10 {
		t.Errorf("%d offence groups, want the 10 Home Office groups", len(groups))
	}
}

func TestCrimeDecisionValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    CrimeDecision
		want []string
	}{
		{"OKRecorded", CrimeDecision{Decision: DecisionRecorded, Offence: "ASSAULT_WITH_INJURY"}, nil},
		{"OKNotCrime", CrimeDecision{Decision: DecisionNotCrime, Reason: "CCTV shows the bike was lent"}, nil},
		{"OKTransferred", CrimeDecision{Decision: DecisionTransferred, Reason: "happened in Dorset", TransferredTo: "dorset"}, nil},
		{"ErrNoDecision", CrimeDecision{}, []string{"decision"}},
		{"ErrRecordedNoOffence", CrimeDecision{Decision: DecisionRecorded}, []string{"offence"}},
		{"ErrNotCrimeNoReason", CrimeDecision{Decision: DecisionNotCrime, Offence: "FRAUD"}, []string{"offence", "reason"}},
		{"ErrTransferredNowhere", CrimeDecision{Decision: DecisionTransferred, Reason: "not ours"}, []string{"transferred_to"}},
		{"ErrTransferredRecorded", CrimeDecision{Decision: DecisionRecorded, Offence: "FRAUD", TransferredTo: "dorset"}, []string{"transferred_to"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultsOf(tc.d.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCrimeOutcomeAndNumber(t *testing.T) {
	t.Parallel()
	if len(OutcomeTypes) != 23 {
		t.Fatalf("%d outcome types, want 1 to 22", len(OutcomeTypes)-1)
	}
	for _, typ := range []int{0, -1, 23} {
		o := CrimeOutcome{Type: typ}
		if got := faultsOf(o.Validate()); !slices.Equal(got, []string{"type"}) {
			t.Errorf("outcome type %d: faults %v", typ, got)
		}
	}
	for _, typ := range []int{1, 22} {
		o := CrimeOutcome{Type: typ}
		if err := o.Validate(); err != nil {
			t.Errorf("outcome type %d: %v", typ, err)
		}
	}
	if got := CrimeNumber(123, 2026); got != "CR/0000123/26" {
		t.Errorf("CrimeNumber = %q", got)
	}
	if got := CrimeNumber(12345678, 2100); got != "CR/12345678/00" {
		t.Errorf("CrimeNumber = %q", got)
	}
}
