package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testFindForceSettings(t *testing.T, open Opener) {
	t.Run("OKDefault", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		got, err := f.Store.FindForceSettings(a.ctx)
		ok(t, err)
		if diff := cmp.Diff(bluelamp.DefaultForceSettings(), got); diff != "" {
			t.Errorf("settings of a force that never saved any (-default +got):\n%s", diff)
		}
		ok(t, got.Validate())
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		s := bluelamp.DefaultForceSettings()
		s.TimeZone = "Europe/Dublin"
		ok(t, f.Store.SaveForceSettings(b.ctx, s))
		for _, ac := range f.actorsOf(a.world) {
			got, err := f.Store.FindForceSettings(ac.ctx)
			ok(t, err)
			if got.TimeZone != "Europe/London" {
				t.Errorf("%s reads %s's settings", ac.name, b.id)
			}
		}
	})
}

func testSaveForceSettings(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		s := bluelamp.DefaultForceSettings()
		s.Grades[0].Label, s.Grades[0].Code = "Emergency", "I"
		s.RepeatWindow = bluelamp.Duration(7 * 24 * time.Hour)
		s.Area.Urban = []bluelamp.UrbanArea{{Name: "City", Centre: here, RadiusM: 3000}}
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventSettingsChanged, subject: ref("force", a.id), check: func(c bluelamp.Change) {
			if diff := cmp.Diff(s, c.Settings); diff != "" {
				t.Errorf("settings in the event (-saved +carried):\n%s", diff)
			}
		}})
		got, err := f.Store.FindForceSettings(f.as(a.user))
		ok(t, err)
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("FindForceSettings (-saved +got):\n%s", diff)
		}
		// Saving again replaces them.
		s2 := bluelamp.DefaultForceSettings()
		ok(t, f.Store.SaveForceSettings(a.ctx, s2))
		got, err = f.Store.FindForceSettings(a.ctx)
		ok(t, err)
		if diff := cmp.Diff(s2, got); diff != "" {
			t.Errorf("FindForceSettings after a second save (-saved +got):\n%s", diff)
		}
	})
	t.Run("OKSettingsApply", func(t *testing.T) {
		// A saved grade label and time zone are what new incidents use.
		f := setup(t, open)
		a := f.cadForce("alpha")
		s := bluelamp.DefaultForceSettings()
		s.Grades[0].Label, s.Grades[0].Code = "Emergency", "I"
		s.TimeZone = "Asia/Tokyo" // 09:30 UTC on 4 March is 18:30 there
		ok(t, f.Store.SaveForceSettings(a.ctx, s))
		f.clock.set(time.Date(2030, time.March, 4, 15, 30, 0, 0, time.UTC)) // 00:30 on 5 March in Tokyo
		inc := f.mustCreateIncident(a.ctx, newIncident(bluelamp.GradeImmediate, "break-in"))
		if inc.Number != "1/05MAR30" {
			t.Errorf("number in Tokyo time = %q, want 1/05MAR30", inc.Number)
		}
		l := f.incidentLog(a.ctx, inc.ID)
		if len(l) != 1 || l[0].Kind != bluelamp.LogOpened || !strings.Contains(l[0].Text, "graded Emergency (I)") {
			t.Errorf("opening log = %s", describeEntries(l))
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		s := bluelamp.DefaultForceSettings()
		s.TimeZone = "Mars/Olympus"
		s.Grades = s.Grades[1:]
		s.StatusCodes = append(s.StatusCodes, bluelamp.StatusCode{Code: "99", Label: "Beamed up", State: "TELEPORTED"})
		s.Skills = append(s.Skills, bluelamp.SkillInfo{Code: "lower", Label: "Lower case"})
		s.Area.Boundary = [][2]float64{{0, 0}, {1, 0}, {1, 1}}
		s.RepeatWindow = 0
		s.RoadFactor = 0.5
		err := f.Store.SaveForceSettings(a.ctx, s)
		wantFields(t, err, "time_zone", "grades", "status_codes", "skills", "area.boundary", "windows", "road_factor")
		f.wantNoEvents(a.id, before)
		got, err := f.Store.FindForceSettings(a.ctx)
		ok(t, err)
		if diff := cmp.Diff(bluelamp.DefaultForceSettings(), got); diff != "" {
			t.Errorf("settings after a refused save (-default +got):\n%s", diff)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// Settings are always the caller's force's: an actor of bravo
		// saving changes only bravo.
		f := setup(t, open)
		a, b := f.cadForce("alpha"), f.cadForce("bravo")
		beforeA := f.head(a.id)
		s := bluelamp.DefaultForceSettings()
		s.SpeedKPH = 30
		ok(t, f.Store.SaveForceSettings(b.ctx, s))
		f.wantNoEvents(a.id, beforeA)
		got, err := f.Store.FindForceSettings(a.ctx)
		ok(t, err)
		if got.SpeedKPH != bluelamp.DefaultForceSettings().SpeedKPH {
			t.Errorf("%s's settings changed by %s: speed %v", a.id, b.id, got.SpeedKPH)
		}
	})
}
