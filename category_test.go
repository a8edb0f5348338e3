package bluelamp_test

import (
	"testing"

	"github.com/bluelamp/bluelamp"
)

func TestCategoryRelated(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b bluelamp.Category
		want bool
	}{
		{"same category", "CRIME_BURGLARY", "CRIME_BURGLARY", true},
		{"same group", "CRIME_BURGLARY", "CRIME_THEFT", true},
		{"ASB impact types are one group", "ASB_PERSONAL", "ASB_ENVIRONMENTAL", true},
		{"transport", "RTC_INJURY", "HIGHWAY_DISRUPTION", true},
		{"crime and ASB", "CRIME_CRIMINAL_DAMAGE", "ASB_ENVIRONMENTAL", false},
		{"transport and welfare", "RTC_INJURY", "CONCERN_FOR_SAFETY", false},
		{"unknown and itself", "UFO", "UFO", false},
		{"unknown and known", "UFO", "CRIME_THEFT", false},
	} {
		if got := c.a.Related(c.b); got != c.want {
			t.Errorf("%s: %s.Related(%s) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
		if got := c.b.Related(c.a); got != c.want {
			t.Errorf("%s: Related is not symmetric", c.name)
		}
	}
}

func TestCategoryLists(t *testing.T) {
	groups := map[bluelamp.CategoryGroup]bool{bluelamp.GroupCrime: true, bluelamp.GroupASB: true, bluelamp.GroupTransport: true,
		bluelamp.GroupSafety: true, bluelamp.GroupAdmin: true}
	seen := map[bluelamp.Category]bool{}
	for _, ci := range bluelamp.Categories {
		if seen[ci.Code] || !groups[ci.Group] || ci.Label == "" || !ci.Code.Valid() {
			t.Errorf("category %+v is repeated, unlabelled or in an unknown group", ci)
		}
		seen[ci.Code] = true
		if info, ok := ci.Code.Info(); !ok || info != ci {
			t.Errorf("Info(%s) = %+v, %v", ci.Code, info, ok)
		}
	}
	for _, code := range []bluelamp.Category{"ASB_PERSONAL", "ASB_NUISANCE", "ASB_ENVIRONMENTAL"} {
		if info, _ := code.Info(); info.Group != bluelamp.GroupASB {
			t.Errorf("%s is not ASB", code)
		}
	}
	if _, ok := bluelamp.Category("UFO").Info(); ok {
		t.Error("an unknown category has info")
	}
	for _, q := range bluelamp.Qualifiers {
		if !q.Code.Valid() || q.Label == "" {
			t.Errorf("qualifier %+v", q)
		}
	}
	if bluelamp.Qualifier("SPOOKY").Valid() {
		t.Error("an unknown qualifier is valid")
	}
	for _, r := range bluelamp.Results {
		if !r.Code.Valid() || r.Label == "" {
			t.Errorf("result %+v", r)
		}
	}
	if bluelamp.Result("ABDUCTED").Valid() {
		t.Error("an unknown result is valid")
	}
}
