package avl

import (
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// world is a force on a real SQLite store with a square force area around
// (50.5, -1.5), a zone inside it and two units.
type world struct {
	t      *testing.T
	store  *sqlstore.Store
	now    time.Time
	a1, a2 *bluelamp.Unit
	zone   *bluelamp.Geofence
}

var t0 = time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)

func square(x, y, s float64) [][2]float64 {
	return [][2]float64{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}
}

func openStore(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s := sqlstore.New(path)
	s.Migrate = sqlstore.MigrateIfEmpty
	s.Now = func() time.Time { return t0 }
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newWorld(t *testing.T) (*world, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "avl.db")
	s := openStore(t, path)
	w := &world{t: t, store: s, now: t0}
	must(t, s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: "alpha", Name: "Alpha"}))
	ctx := bluelamp.SystemContext(t.Context(), "alpha", "test")
	fs := bluelamp.DefaultForceSettings()
	fs.Area.Boundary = square(-2, 50, 1)
	must(t, s.SaveForceSettings(ctx, fs))
	st := &bluelamp.Station{Code: "HQ", Name: "HQ", Lat: 50.5, Lon: -1.5}
	must(t, s.CreateStation(ctx, st))
	w.a1 = &bluelamp.Unit{CallSign: "A1", Type: "response car", StationID: st.ID, State: bluelamp.StateAvailable}
	w.a2 = &bluelamp.Unit{CallSign: "A2", Type: "response car", StationID: st.ID, State: bluelamp.StateAvailable}
	must(t, s.CreateUnit(ctx, w.a1))
	must(t, s.CreateUnit(ctx, w.a2))
	w.zone = &bluelamp.Geofence{Name: "Town centre", Boundary: square(-1.5, 50.5, 0.01)}
	must(t, s.CreateGeofence(ctx, w.zone))
	return w, path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (w *world) tracker(s *sqlstore.Store) (*Tracker, *recorder) {
	tr := NewTracker(s)
	tr.Now = func() time.Time { return w.now }
	rec := &recorder{}
	tr.Mover = rec
	tr.Feed = NewFeed(time.Second)
	return tr, rec
}

// recorder is a Mover that keeps what it was given.
type recorder struct {
	mu    sync.Mutex
	moves []bluelamp.PositionReport
}

func (r *recorder) Move(_ bluelamp.ForceID, rs []bluelamp.PositionReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.moves = append(r.moves, rs...)
}

func fix(u *bluelamp.Unit, lat, lon float64, at time.Time) bluelamp.PositionReport {
	return bluelamp.PositionReport{UnitID: u.ID, Lat: lat, Lon: lon, Accuracy: 8, At: at, Source: "app"}
}

func (w *world) ctxOf() *bluelamp.Actor {
	return &bluelamp.Actor{Kind: bluelamp.ActorSystem, Username: "tracker-test", ForceID: "alpha"}
}

func (w *world) ingest(tr *Tracker, rs ...bluelamp.PositionReport) *Result {
	w.t.Helper()
	res, err := tr.Ingest(bluelamp.NewContext(w.t.Context(), w.ctxOf()), rs)
	must(w.t, err)
	return res
}

// crossings returns the crossing events in the force's log.
func (w *world) crossings() []bluelamp.GeofenceCrossing {
	w.t.Helper()
	evs, err := w.store.FindEvents(bluelamp.SystemContext(w.t.Context(), "alpha", "test"), bluelamp.EventFilter{})
	must(w.t, err)
	var out []bluelamp.GeofenceCrossing
	for _, e := range evs {
		if e.Type == bluelamp.EventGeofenceEntered || e.Type == bluelamp.EventGeofenceLeft {
			var c bluelamp.GeofenceCrossing
			must(w.t, json.Unmarshal(e.Payload, &c))
			if c.Entered != (e.Type == bluelamp.EventGeofenceEntered) {
				w.t.Errorf("event %s carries entered=%v", e.Type, c.Entered)
			}
			out = append(out, c)
		}
	}
	return out
}

func (w *world) track(u *bluelamp.Unit) []bluelamp.PositionReport {
	w.t.Helper()
	tr, err := w.store.FindTrack(bluelamp.SystemContext(w.t.Context(), "alpha", "test"), u.ID, t0.Add(-time.Hour), t0.Add(time.Hour), 1000,
		bluelamp.Justification{Reason: "AUDIT", Text: "test"})
	must(w.t, err)
	return tr
}

func TestTrackerCrossingsAndBreadcrumbs(t *testing.T) {
	w, _ := newWorld(t)
	tr, rec := w.tracker(w.store)
	// A1 drives from outside the force into the area and through the zone.
	res := w.ingest(tr,
		fix(w.a1, 50.505, -1.495, t0.Add(-20*time.Second)), // in the zone (sent out of order)
		fix(w.a1, 51.2, -1.5, t0.Add(-40*time.Second)),     // outside the force
		fix(w.a1, 50.6, -1.5, t0.Add(-30*time.Second)),     // in the force area
		fix(w.a1, 50.6, -1.5, t0.Add(-10*time.Second)),     // out of the zone again
	)
	if res.Accepted != 4 || res.Duplicates != 0 || len(res.Rejected) != 0 {
		t.Fatalf("result %+v", res)
	}
	got := w.crossings()
	want := []struct {
		id      bluelamp.GeofenceID
		entered bool
	}{{0, true}, {w.zone.ID, true}, {w.zone.ID, false}}
	if len(got) != len(want) {
		t.Fatalf("crossings %+v", got)
	}
	for k, c := range got {
		if c.GeofenceID != want[k].id || c.Entered != want[k].entered || c.CallSign != "A1" {
			t.Errorf("crossing %d = %+v, want %+v", k, c, want[k])
		}
	}
	if got[1].Geofence != "Town centre" || got[1].Kind != bluelamp.GeofenceZone || got[0].Kind != bluelamp.GeofenceForceArea {
		t.Errorf("crossings do not name their fences: %+v", got)
	}
	if n := len(w.track(w.a1)); n != 4 {
		t.Errorf("track holds %d fixes, want 4", n)
	}
	if len(rec.moves) != 4 {
		t.Errorf("dispatch was given %d fixes", len(rec.moves))
	}
	// The unit's last known position is its newest fix.
	u, err := w.store.FindUnitByID(bluelamp.SystemContext(t.Context(), "alpha", "test"), w.a1.ID)
	must(t, err)
	if u.Position == nil || u.Position.Lat != 50.6 || !u.PositionAt.Equal(t0.Add(-10*time.Second)) {
		t.Errorf("unit's last known position %v at %v", u.Position, u.PositionAt)
	}
}

func TestTrackerReplayAndBadReports(t *testing.T) {
	w, path := newWorld(t)
	tr, _ := w.tracker(w.store)
	batch := []bluelamp.PositionReport{fix(w.a1, 50.6, -1.5, t0.Add(-30*time.Second)), fix(w.a1, 50.61, -1.5, t0.Add(-20*time.Second))}
	w.ingest(tr, batch...)
	// The same batch again (a lost answer) is all duplicates; an older fix
	// never sent is out of order.
	res := w.ingest(tr, append(batch, fix(w.a1, 50.62, -1.5, t0.Add(-25*time.Second)))...)
	if res.Accepted != 0 || res.Duplicates != 2 || len(res.Rejected) != 1 || res.Rejected[0].Code != "out_of_order" || res.Rejected[0].Index != 2 {
		t.Errorf("replay: %+v", res)
	}
	nan, fast, north := 0.0, 500.0, 400.0
	nan = nan / nan
	bad := []bluelamp.PositionReport{
		{UnitID: w.a1.ID, Lat: 95, Lon: 0, At: t0},
		{UnitID: w.a1.ID, Lat: 0, Lon: 0, At: t0},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5, Accuracy: -1, At: t0},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5, Speed: &fast, At: t0},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5, Heading: &north, At: t0},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5, At: t0.Add(time.Hour)},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5, At: t0.Add(-30 * 24 * time.Hour)},
		{UnitID: w.a1.ID, Lat: 50.6, Lon: -1.5},
		{UnitID: 999999, Lat: 50.6, Lon: -1.5, At: t0},
		{UnitID: w.a1.ID, Lat: nan, Lon: -1.5, At: t0},
		fix(w.a2, 50.7, -1.4, t0), // the one good report is kept
	}
	res = w.ingest(tr, bad...)
	codes := []string{}
	for _, p := range res.Rejected {
		codes = append(codes, p.Code)
	}
	want := []string{"impossible_position", "no_fix", "impossible_accuracy", "impossible_speed", "impossible_heading", "future", "too_old",
		"time_required", "unknown_unit", "impossible_position"}
	if res.Accepted != 1 || len(codes) != len(want) {
		t.Fatalf("bad reports: %+v", res)
	}
	for k := range want {
		if codes[k] != want[k] || res.Rejected[k].Index != k || res.Rejected[k].Message == "" {
			t.Errorf("report %d: %+v, want code %s", k, res.Rejected[k], want[k])
		}
	}
	if n := len(w.track(w.a1)); n != 2 {
		t.Errorf("A1's track holds %d fixes after replays, want 2", n)
	}

	// A new tracker over the store (a restart) picks up where it was: no
	// crossing is recorded again, and the replay is still a duplicate.
	before := len(w.crossings())
	w.store.Close()
	w.store = openStore(t, path)
	tr2, _ := w.tracker(w.store)
	res = w.ingest(tr2, batch[1], fix(w.a1, 50.63, -1.5, t0.Add(-5*time.Second)))
	if res.Accepted != 1 || res.Duplicates != 1 {
		t.Errorf("after restart: %+v", res)
	}
	if after := len(w.crossings()); after != before {
		t.Errorf("restart recorded %d crossings again", after-before)
	}
}

func TestTrackerFollowsZoneChanges(t *testing.T) {
	w, _ := newWorld(t)
	tr, _ := w.tracker(w.store)
	w.ingest(tr, fix(w.a1, 50.6, -1.6, t0.Add(-30*time.Second)))
	zone := &bluelamp.Geofence{Name: "Stadium", Boundary: square(-1.62, 50.58, 0.04)}
	must(t, w.store.CreateGeofence(bluelamp.SystemContext(t.Context(), "alpha", "test"), zone))
	tr.Changed("alpha")
	// Drawn around the unit: no crossing for being there already.
	w.ingest(tr, fix(w.a1, 50.601, -1.6, t0.Add(-20*time.Second)))
	w.ingest(tr, fix(w.a1, 50.7, -1.6, t0.Add(-10*time.Second)))
	got := w.crossings()
	if last := got[len(got)-1]; last.GeofenceID != zone.ID || last.Entered {
		t.Errorf("leaving the new zone: %+v", got)
	}
}
