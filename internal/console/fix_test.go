package console

import (
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// TestFixState: a unit on duty is stale without a fix newer than the
// force's setting, and says what is known; a unit off duty is not
// followed. positions.js state says the same in the browser.
func TestFixState(t *testing.T) {
	now := time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *time.Time { return new(now.Add(-ago)) }
	here := &bluelamp.Position{Lat: 50.7, Lon: -2.4}
	for _, tc := range []struct {
		name  string
		unit  bluelamp.Unit
		stale bool
		text  string
	}{
		{"Live", bluelamp.Unit{State: bluelamp.StateAvailable, Position: here, PositionAt: at(119 * time.Second)}, false, ""},
		{"StaleAtTheSetting", bluelamp.Unit{State: bluelamp.StateAvailable, Position: here, PositionAt: at(2 * time.Minute)}, true, "last fix 2 min ago"},
		{"StaleSeconds", bluelamp.Unit{State: bluelamp.StateEnRoute, Position: here, PositionAt: at(150 * time.Second)}, true, "last fix 2 min ago"},
		{"StaleHours", bluelamp.Unit{State: bluelamp.StateAtScene, Position: here, PositionAt: at(2*time.Hour + 5*time.Minute)}, true, "last fix 2 h 5 min ago"},
		{"StaleDays", bluelamp.Unit{State: bluelamp.StateEmergency, Position: here, PositionAt: at(72 * time.Hour)}, true, "last fix 3 days ago"},
		{"NoPosition", bluelamp.Unit{State: bluelamp.StateAvailable}, true, "no position"},
		{"PositionWithoutTime", bluelamp.Unit{State: bluelamp.StateAvailable, Position: here}, true, "no position"},
		{"OffDuty", bluelamp.Unit{State: bluelamp.StateOffDuty, Position: here, PositionAt: at(72 * time.Hour)}, false, ""},
		{"ClockAhead", bluelamp.Unit{State: bluelamp.StateAvailable, Position: here, PositionAt: at(-time.Minute)}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stale, text := fixState(&tc.unit, 2*time.Minute, now)
			if stale != tc.stale || text != tc.text {
				t.Errorf("fixState = %v, %q; want %v, %q", stale, text, tc.stale, tc.text)
			}
		})
	}
	if got, want := fmtAge(40*time.Second), "40 s ago"; got != want {
		t.Errorf("fmtAge(40s) = %q, want %q", got, want)
	}
	if got, want := fmtAge(-time.Second), "0 s ago"; got != want {
		t.Errorf("fmtAge(-1s) = %q, want %q", got, want)
	}
}
