package bluelamp_test

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// wantInvalid fails t unless err is KindInvalid naming exactly fields.
func wantInvalid(t *testing.T, err error, fields ...string) {
	t.Helper()
	e, ok := errors.AsType[*bluelamp.Error](err)
	if len(fields) == 0 {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	if !ok || e.Kind != bluelamp.KindInvalid {
		t.Fatalf("got %v, want KindInvalid naming %v", err, fields)
	}
	got := slices.Sorted(maps.Keys(e.Fields))
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("error names %v, want %v", e.Fields, want)
	}
}

func TestDefaultForceSettings(t *testing.T) {
	s := bluelamp.DefaultForceSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("the defaults do not validate: %v", err)
	}
	for _, g := range bluelamp.Grades {
		if gs := s.Grade(g); gs.Grade != g || gs.Label == "" || gs.Code == "" {
			t.Errorf("default grade %s = %+v", g, gs)
		}
	}
	if gs := s.Grade(bluelamp.GradeImmediate); gs.UrbanTarget.Std() != 15*time.Minute || gs.RuralTarget.Std() != 20*time.Minute {
		t.Errorf("default IMMEDIATE targets %v urban, %v rural; want the White Paper's 15 and 20 minutes", gs.UrbanTarget.Std(), gs.RuralTarget.Std())
	}
	for _, st := range bluelamp.UnitStates {
		code := s.CodeFor(st)
		if sc, ok := s.Status(code); !ok || sc.State != st {
			t.Errorf("state %s has code %q, which maps to %+v", st, code, sc)
		}
	}
	for _, code := range []string{"12", "13", "14", "15", "16"} {
		if sc, ok := s.Status(code); !ok || sc.State != "" {
			t.Errorf("code %s = %+v, want a message", code, sc)
		}
	}
	if sc, ok := s.Status("0"); !ok || sc.State != bluelamp.StateEmergency {
		t.Errorf("code 0 = %+v, want EMERGENCY", sc)
	}
	if s.Location().String() != "Europe/London" {
		t.Errorf("default zone %s", s.Location())
	}
	if !s.HasSkill("AFO") || s.HasSkill("JEDI") {
		t.Error("default skill list is wrong")
	}
	// Each call returns its own copy.
	s.Grades[0].Label = "changed"
	if bluelamp.DefaultForceSettings().Grades[0].Label == "changed" {
		t.Error("DefaultForceSettings shares its slices between calls")
	}
}

func TestForceSettingsValidate(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(s *bluelamp.ForceSettings)
		fields []string
	}{
		{"defaults", func(*bluelamp.ForceSettings) {}, nil},
		{"unknown zone", func(s *bluelamp.ForceSettings) { s.TimeZone = "Mars/Olympus" }, []string{"time_zone"}},
		{"no zone", func(s *bluelamp.ForceSettings) { s.TimeZone = "" }, []string{"time_zone"}},
		{"the server's zone", func(s *bluelamp.ForceSettings) { s.TimeZone = "Local" }, []string{"time_zone"}},
		{"missing grade", func(s *bluelamp.ForceSettings) { s.Grades = s.Grades[:4] }, []string{"grades"}},
		{"repeated grade", func(s *bluelamp.ForceSettings) { s.Grades = append(s.Grades, s.Grades[0]) }, []string{"grades"}},
		{"unknown grade", func(s *bluelamp.ForceSettings) {
			s.Grades = append(s.Grades, bluelamp.GradeSetting{Grade: "URGENT", Code: "U", Label: "Urgent"})
		}, []string{"grades"}},
		{"grade without a label", func(s *bluelamp.ForceSettings) { s.Grades[1].Label = "" }, []string{"grades"}},
		{"grade code too long", func(s *bluelamp.ForceSettings) { s.Grades[1].Code = "PRIORITY2" }, []string{"grades"}},
		{"negative target", func(s *bluelamp.ForceSettings) { s.Grades[0].WarnBefore = bluelamp.Duration(-time.Minute) }, []string{"grades"}},
		{"status code without a code", func(s *bluelamp.ForceSettings) { s.StatusCodes[3].Code = "" }, []string{"status_codes"}},
		{"repeated status code", func(s *bluelamp.ForceSettings) {
			s.StatusCodes = append(s.StatusCodes, bluelamp.StatusCode{Code: "2", Label: "Again", State: bluelamp.StateAvailable})
		}, []string{"status_codes"}},
		{"unknown state", func(s *bluelamp.ForceSettings) {
			s.StatusCodes = append(s.StatusCodes, bluelamp.StatusCode{Code: "99", Label: "Napping", State: "NAPPING"})
		}, []string{"status_codes"}},
		{"a state with no code", func(s *bluelamp.ForceSettings) {
			s.StatusCodes = slices.DeleteFunc(s.StatusCodes, func(c bluelamp.StatusCode) bool { return c.State == bluelamp.StateAssigned })
		}, []string{"status_codes"}},
		{"a message with no label", func(s *bluelamp.ForceSettings) { s.StatusCodes[len(s.StatusCodes)-2].Label = "" }, []string{"status_codes"}},
		{"lower-case skill", func(s *bluelamp.ForceSettings) {
			s.Skills = append(s.Skills, bluelamp.SkillInfo{Code: "taser2", Label: "x"})
		}, []string{"skills"}},
		{"skill without a label", func(s *bluelamp.ForceSettings) { s.Skills[0].Label = "" }, []string{"skills"}},
		{"repeated skill", func(s *bluelamp.ForceSettings) { s.Skills = append(s.Skills, s.Skills[0]) }, []string{"skills"}},
		{"open boundary", func(s *bluelamp.ForceSettings) { s.Area.Boundary = [][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 1}} }, []string{"area.boundary"}},
		{"boundary of three points", func(s *bluelamp.ForceSettings) { s.Area.Boundary = [][2]float64{{0, 0}, {1, 0}, {0, 0}} }, []string{"area.boundary"}},
		{"closed boundary", func(s *bluelamp.ForceSettings) { s.Area.Boundary = [][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 0}} }, nil},
		{"boundary off the globe", func(s *bluelamp.ForceSettings) { s.Area.Boundary = [][2]float64{{0, 0}, {1, 0}, {1, 91}, {0, 0}} }, []string{"area.boundary"}},
		{"towns", func(s *bluelamp.ForceSettings) {
			s.Area.Urban = []bluelamp.UrbanArea{{Name: "Reading", Centre: bluelamp.Position{Lat: 51.45, Lon: -0.97}, RadiusM: 5000}}
		}, nil},
		{"town with no radius", func(s *bluelamp.ForceSettings) {
			s.Area.Urban = []bluelamp.UrbanArea{{Name: "Reading", Centre: bluelamp.Position{Lat: 51.45, Lon: -0.97}}}
		}, []string{"area.urban"}},
		{"town with no name", func(s *bluelamp.ForceSettings) {
			s.Area.Urban = []bluelamp.UrbanArea{{Centre: bluelamp.Position{Lat: 51.45, Lon: -0.97}, RadiusM: 5000}}
		}, []string{"area.urban"}},
		{"town off the globe", func(s *bluelamp.ForceSettings) {
			s.Area.Urban = []bluelamp.UrbanArea{{Name: "Atlantis", Centre: bluelamp.Position{Lat: 95}, RadiusM: 5000}}
		}, []string{"area.urban"}},
		{"type speed of nothing", func(s *bluelamp.ForceSettings) { s.TypeSpeedKPH = map[string]float64{"foot patrol": 0} }, []string{"type_speed_kph"}},
		{"no repeat window", func(s *bluelamp.ForceSettings) { s.RepeatWindow = 0 }, []string{"windows"}},
		{"negative duplicate radius", func(s *bluelamp.ForceSettings) { s.DuplicateRadiusM = -1 }, []string{"windows"}},
		{"road factor under 1", func(s *bluelamp.ForceSettings) { s.RoadFactor = 0.9 }, []string{"road_factor"}},
		{"road factor over 5", func(s *bluelamp.ForceSettings) { s.RoadFactor = 5.1 }, []string{"road_factor"}},
		{"no speed", func(s *bluelamp.ForceSettings) { s.SpeedKPH = 0 }, []string{"road_factor"}},
		{"everything at once", func(s *bluelamp.ForceSettings) {
			s.TimeZone, s.Grades, s.Skills, s.RepeatWindow, s.SpeedKPH = "Nowhere", nil, []bluelamp.SkillInfo{{}}, -1, 1000
			s.StatusCodes, s.Area.Boundary = nil, [][2]float64{{0, 0}}
		}, []string{"time_zone", "grades", "status_codes", "skills", "area.boundary", "windows", "road_factor"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := bluelamp.DefaultForceSettings()
			c.change(s)
			wantInvalid(t, s.Validate(), c.fields...)
		})
	}
}

func TestForceSettingsLookups(t *testing.T) {
	s := bluelamp.DefaultForceSettings()
	if g := s.Grade("URGENT"); g.Code != "URGENT" || g.Label != "URGENT" || g.UrbanTarget != 0 {
		t.Errorf("an unset grade = %+v, want its name and no targets", g)
	}
	if _, ok := s.Status("99"); ok {
		t.Error("an unknown code is found")
	}
	if got := s.CodeFor("NAPPING"); got != "NAPPING" {
		t.Errorf("the code for an unmapped state is %q", got)
	}
	s.TimeZone = "Mars/Olympus"
	if s.Location() != time.UTC {
		t.Errorf("an unloadable zone gives %s, want UTC", s.Location())
	}
}

func TestIncidentNumber(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		serial    int
		day       time.Time
		incident  string
		reference string
	}{
		{1, time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC), "1/27NOV26", "C-27NOV26-0001"},
		{2, time.Date(2026, time.November, 27, 23, 59, 59, 0, time.UTC), "2/27NOV26", "C-27NOV26-0002"},
		{1234, time.Date(2030, time.January, 5, 0, 0, 0, 0, time.UTC), "1234/05JAN30", "C-05JAN30-1234"},
		{12345, time.Date(2009, time.December, 31, 12, 0, 0, 0, time.UTC), "12345/31DEC09", "C-31DEC09-12345"},
		{42, time.Date(2000, time.February, 29, 12, 0, 0, 0, time.UTC), "42/29FEB00", "C-29FEB00-0042"},
		// The stamp is of the day in the zone the time carries: 23:30 UTC
		// on 27 June is 00:30 BST on the 28th.
		{7, time.Date(2026, time.June, 27, 23, 30, 0, 0, time.UTC).In(london), "7/28JUN26", "C-28JUN26-0007"},
	} {
		if got := bluelamp.IncidentNumber(c.serial, c.day); got != c.incident {
			t.Errorf("IncidentNumber(%d, %v) = %q, want %q", c.serial, c.day, got, c.incident)
		}
		if got := bluelamp.ContactReference(c.serial, c.day); got != c.reference {
			t.Errorf("ContactReference(%d, %v) = %q, want %q", c.serial, c.day, got, c.reference)
		}
	}
}
