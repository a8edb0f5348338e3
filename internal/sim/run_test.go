package sim_test

import (
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/app"
	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/bluelamp/bluelamp/internal/sim"
)

// startDemo runs a demo server in the test, on a real SQLite file.
func startDemo(t *testing.T) *app.Main {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", t.TempDir(), true
	m := app.NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestDriveDemoForce drives the existing demo force, signed in as its
// admin: no operator token, nothing created but tokens.
func TestDriveDemoForce(t *testing.T) {
	m := startDemo(t)
	cfg, err := sim.ProfileConfig("demo", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target = m.URL()
	cfg.Admin = sim.Credentials{Username: "demo.admin", Password: demo.Password}
	cfg.Duration, cfg.Acceleration, cfg.Rate = 20*time.Second, 30, 4
	s, err := sim.New(cfg, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, r)
	if c := r.Counts; c.Calls == 0 || c.Assignments == 0 || c.Arrivals == 0 || c.PositionFixes == 0 || c.EventsReceived == 0 {
		t.Errorf("the demo force did not come alive: %+v", c)
	}
	if r.Forces != 1 || r.Units != 21 {
		t.Errorf("drove %d forces and %d units, want the demo's 1 and 21", r.Forces, r.Units)
	}
}

// TestProvisionedRun creates synthetic forces over the API with the
// operator token, runs them for a simulated hour, and checks the report:
// no errors, every section filled and the counts consistent.
func TestProvisionedRun(t *testing.T) {
	token := "test-operator-token-0123456789abcdef"
	acfg := app.DefaultConfig()
	acfg.Addr, acfg.DataDir, acfg.OperatorToken = "127.0.0.1:0", t.TempDir(), token
	m := app.NewMain(acfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	cfg, err := sim.ProfileConfig("national", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target, cfg.OperatorToken = m.URL(), token
	cfg.Forces, cfg.Units, cfg.OnDutyShare = 3, 240, 0.6
	// About 100 calls in the 50 simulated minutes.
	cfg.DailyContacts, cfg.Acceleration, cfg.Duration, cfg.MajorEvery = 2000, 120, 25*time.Second, 30*time.Minute
	s, err := sim.New(cfg, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, r)
	c := r.Counts
	t.Logf("%+v", c)
	if c.Calls < 20 || c.Assignments == 0 || c.Arrivals == 0 || c.IncidentsClosed == 0 || c.DuplicatesLinked == 0 || c.MajorIncidents == 0 {
		t.Errorf("the run did too little to test: %+v", c)
	}
	if c.PositionsTaken != c.PositionFixes {
		t.Errorf("%d fixes sent, %d taken", c.PositionFixes, c.PositionsTaken)
	}
	for _, op := range []string{sim.OpCreateContact, sim.OpDuplicateCheck, sim.OpRecommend, sim.OpDispatch, sim.OpStatusChange,
		sim.OpPositionBatch, sim.OpClose, sim.OpDeclareMajor, sim.OpEventDelivery} {
		if o := r.Op(op); o == nil || o.Count == 0 {
			t.Errorf("no %s measured", op)
		}
	}
	if len(r.Attendance) == 0 || len(r.Server) == 0 || len(r.Self) == 0 || len(r.Windows) == 0 || r.Engine != "sqlite" {
		t.Errorf("a section is empty: attendance %d, server %d, self %d, windows %d, engine %q",
			len(r.Attendance), len(r.Server), len(r.Self), len(r.Windows), r.Engine)
	}
	dir := t.TempDir()
	md, err := r.WriteReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"latency.svg", "load.svg", "resources.svg", "create contact", "event delivery", "IMMEDIATE"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// testLog sends the simulator's progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// checkClean fails t for every error the run met and every count that
// does not add up.
func checkClean(t *testing.T, r *sim.Results) {
	t.Helper()
	for _, e := range r.Errors {
		t.Errorf("error: %s %s ×%d: %s", e.Op, e.Kind, e.Count, e.Example)
	}
	if broken := r.Consistent(); len(broken) > 0 {
		t.Errorf("counts do not add up: %v", broken)
	}
}
