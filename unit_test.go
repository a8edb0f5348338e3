package bluelamp_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

func TestUnitValidate(t *testing.T) {
	valid := func() *bluelamp.Unit {
		return &bluelamp.Unit{CallSign: "KX21", Type: "response car", StationID: 1, Crew: []string{"1234", "AB12"},
			Skills: []bluelamp.UnitSkill{{Skill: "TASER"}}}
	}
	for _, c := range []struct {
		name   string
		change func(*bluelamp.Unit)
		fields []string
	}{
		{"valid", func(*bluelamp.Unit) {}, nil},
		{"no call sign", func(u *bluelamp.Unit) { u.CallSign = "" }, []string{"call_sign"}},
		{"call sign too long", func(u *bluelamp.Unit) { u.CallSign = strings.Repeat("K", 17) }, []string{"call_sign"}},
		{"no type", func(u *bluelamp.Unit) { u.Type = "" }, []string{"type"}},
		{"no station", func(u *bluelamp.Unit) { u.StationID = 0 }, []string{"station_id"}},
		{"lower-case collar", func(u *bluelamp.Unit) { u.Crew = []string{"ab12"} }, []string{"crew"}},
		{"repeated collar", func(u *bluelamp.Unit) { u.Crew = []string{"1", "1"} }, []string{"crew"}},
		{"crew too big", func(u *bluelamp.Unit) {
			u.Crew = nil
			for i := range 31 {
				u.Crew = append(u.Crew, fmt.Sprintf("C%d", i))
			}
		}, []string{"crew"}},
		{"repeated skill", func(u *bluelamp.Unit) { u.Skills = append(u.Skills, bluelamp.UnitSkill{Skill: "TASER"}) }, []string{"skills"}},
		{"malformed skill", func(u *bluelamp.Unit) { u.Skills = []bluelamp.UnitSkill{{Skill: "taser"}} }, []string{"skills"}},
		{"unknown state", func(u *bluelamp.Unit) { u.State = "NAPPING" }, []string{"state"}},
		{"impossible position", func(u *bluelamp.Unit) { u.Position = &bluelamp.Position{Lat: 0, Lon: 181} }, []string{"position"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := valid()
			c.change(u)
			wantInvalid(t, u.Validate(), c.fields...)
		})
	}
}

func TestUnitHasSkills(t *testing.T) {
	now := time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)
	lapsed, current := now.Add(-time.Hour), now.Add(time.Hour)
	u := &bluelamp.Unit{Skills: []bluelamp.UnitSkill{{Skill: "TASER"}, {Skill: "AFO", Expires: &current}, {Skill: "DOG_GENERAL", Expires: &lapsed}}}
	for _, c := range []struct {
		need []bluelamp.Skill
		want bool
	}{
		{nil, true},
		{[]bluelamp.Skill{"TASER"}, true},
		{[]bluelamp.Skill{"TASER", "AFO"}, true},
		{[]bluelamp.Skill{"DOG_GENERAL"}, false}, // lapsed
		{[]bluelamp.Skill{"TASER", "SFO"}, false},
	} {
		if got := u.HasSkills(c.need, now); got != c.want {
			t.Errorf("HasSkills(%v) = %v, want %v", c.need, got, c.want)
		}
	}
	if u.HasSkills([]bluelamp.Skill{"AFO"}, current) {
		t.Error("a skill is held at the moment it expires")
	}
}

func TestUnitStates(t *testing.T) {
	for _, s := range bluelamp.UnitStates {
		if !s.Valid() || s.Label() == "" || s.Label() == string(s) && s != bluelamp.StateEmergency {
			t.Errorf("state %s: valid %v, label %q", s, s.Valid(), s.Label())
		}
		available := s == bluelamp.StateAvailable || s == bluelamp.StateAvailableStandby
		if s.Available() != available {
			t.Errorf("%s.Available() = %v", s, s.Available())
		}
		committed := s == bluelamp.StateAssigned || s == bluelamp.StateEnRoute || s == bluelamp.StateAtScene || s == bluelamp.StateCommittedDeployable
		if s.Committed() != committed {
			t.Errorf("%s.Committed() = %v", s, s.Committed())
		}
	}
	if bluelamp.UnitState("NAPPING").Valid() {
		t.Error("an unknown state is valid")
	}
	for _, c := range []struct {
		s    bluelamp.AssignmentState
		open bool
	}{
		{bluelamp.AssignmentAssigned, true}, {bluelamp.AssignmentEnRoute, true}, {bluelamp.AssignmentAtScene, true},
		{bluelamp.AssignmentCleared, false}, {bluelamp.AssignmentStoodDown, false}, {bluelamp.AssignmentDiverted, false},
	} {
		if c.s.Open() != c.open {
			t.Errorf("%s.Open() = %v", c.s, c.s.Open())
		}
	}
}
