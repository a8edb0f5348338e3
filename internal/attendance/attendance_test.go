package attendance_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/attendance"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// clock is a settable clock shared by the store and the watcher.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newTestStore opens a real SQLite store on a settable clock with one
// force, and returns the clock, the store and a context acting in the force.
func newTestStore(t *testing.T) (*clock, *sqlstore.Store, context.Context) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	s := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	s.Now, s.Migrate = clk.now, sqlstore.MigrateIfEmpty
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: "wessex", Name: "Wessex"}); err != nil {
		t.Fatal(err)
	}
	return clk, s, bluelamp.SystemContext(t.Context(), "wessex", "test")
}

func TestCheckRecordsEachBreachOnce(t *testing.T) {
	clk, s, fctx := newTestStore(t)
	ctx := t.Context()
	open := func(g bluelamp.Grade) *bluelamp.Incident {
		t.Helper()
		inc := &bluelamp.Incident{Category: "CONCERN_FOR_SAFETY", Grade: g, Summary: "test", Channel: bluelamp.ChannelEmergency,
			Location: bluelamp.Location{Position: &bluelamp.Position{Lat: 50.7, Lon: -2.4}}}
		if err := s.CreateIncident(fctx, inc); err != nil {
			t.Fatal(err)
		}
		return inc
	}
	immediate, priority := open(bluelamp.GradeImmediate), open(bluelamp.GradePriority)
	w := attendance.NewWatcher(s)
	w.Now = clk.now

	// Default targets: IMMEDIATE 20 min rural (no urban areas set), PRIORITY 1 h.
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{
		{19 * time.Minute, 0},
		{2 * time.Minute, 1},  // IMMEDIATE breached
		{time.Minute, 0},      // not again
		{45 * time.Minute, 1}, // PRIORITY breached
	} {
		clk.add(step.advance)
		n, err := w.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != step.want {
			t.Fatalf("after %v: recorded %d breaches, want %d", clk.now().Sub(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)), n, step.want)
		}
	}
	for _, inc := range []*bluelamp.Incident{immediate, priority} {
		got, err := s.FindIncidentByID(fctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Breaches) != 1 || got.Breaches[0] != bluelamp.ClockFromCall {
			t.Errorf("%s breaches = %v, want [CALL]", got.Number, got.Breaches)
		}
		log, err := s.FindIncidentLog(fctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if last := log[len(log)-1]; last.Kind != bluelamp.LogBreach || last.Actor != "attendance" {
			t.Errorf("%s last log entry = %+v, want a BREACH by attendance", got.Number, last)
		}
	}
}

func TestCheckIgnoresArrivedAndClosed(t *testing.T) {
	clk, s, fctx := newTestStore(t)
	ctx := t.Context()
	st := &bluelamp.Station{Code: "CB", Name: "Casterbridge", Lat: 50.7, Lon: -2.4}
	if err := s.CreateStation(fctx, st); err != nil {
		t.Fatal(err)
	}
	u := &bluelamp.Unit{CallSign: "CB11", Type: "response car", StationID: st.ID, State: bluelamp.StateAvailable}
	if err := s.CreateUnit(fctx, u); err != nil {
		t.Fatal(err)
	}
	arrived := &bluelamp.Incident{Category: "CONCERN_FOR_SAFETY", Grade: bluelamp.GradeImmediate, Summary: "arrived", Channel: bluelamp.ChannelEmergency,
		Location: bluelamp.Location{Address: "1 High Street"}}
	closed := &bluelamp.Incident{Category: "CONCERN_FOR_SAFETY", Grade: bluelamp.GradeImmediate, Summary: "closed", Channel: bluelamp.ChannelEmergency,
		Location: bluelamp.Location{Address: "2 High Street"}}
	for _, inc := range []*bluelamp.Incident{arrived, closed} {
		if err := s.CreateIncident(fctx, inc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AssignUnit(fctx, arrived.ID, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUnitStatus(fctx, u.ID, "6"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseIncident(fctx, closed.ID, &bluelamp.Closing{Category: "CONCERN_FOR_SAFETY", Result: bluelamp.ResultNoTrace}); err != nil {
		t.Fatal(err)
	}
	clk.add(time.Hour)
	w := attendance.NewWatcher(s)
	w.Now = clk.now
	if n, err := w.Check(ctx); err != nil || n != 0 {
		t.Fatalf("Check = %d, %v; want no breaches", n, err)
	}
}
