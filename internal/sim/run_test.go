package sim_test

import (
	"log/slog"
	"os"
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
	t.Logf("%+v", r.Counts)
	for _, o := range r.Ops {
		t.Logf("%-16s n=%d err=%d p50=%s p99=%s max=%s", o.Op, o.Count, o.Errors, o.P50, o.P99, o.Max)
	}
	for _, e := range r.Errors {
		t.Logf("error %s %s ×%d: %s", e.Op, e.Kind, e.Count, e.Example)
	}
	for _, a := range r.Attendance {
		t.Logf("attendance %+v", a)
	}
}
