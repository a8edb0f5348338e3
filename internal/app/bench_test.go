package app

import (
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/bluelamp/bluelamp/internal/storetest"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// startupEvents is how many events the start-up benchmark's log holds.
func startupEvents(b *testing.B) int {
	if v := os.Getenv("BLUELAMP_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

// BenchmarkStartup measures `serve` start-up, from Open to a 200 from
// /readyz, on a database holding a million events (goal: ≤ 3 s).
func BenchmarkStartup(b *testing.B) {
	n := startupEvents(b)
	b.Run("sqlite", func(b *testing.B) {
		cfg := DefaultConfig()
		cfg.DataDir = b.TempDir()
		benchStartup(b, cfg, cfg.DatabaseDSN(), n)
	})
	if dsn := storetest.PostgresURL(); dsn != "" {
		b.Run("postgres", func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Database = storetest.PostgresDSN(b, dsn)
			benchStartup(b, cfg, cfg.Database, n)
		})
	}
}

func benchStartup(b *testing.B, cfg Config, dsn string, n int) {
	fillStart := time.Now()
	s := sqlstore.New(dsn)
	s.Migrate = sqlstore.MigrateIfEmpty
	if err := s.Open(); err != nil {
		b.Fatal(err)
	}
	ctx := bluelamp.SystemContext(b.Context(), "", "bench")
	if err := s.CreateForce(ctx, &bluelamp.Force{ID: "bench", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	storetest.FillEvents(b, s, "bench", n-1)
	// Steady state: everything committed has been published.
	if err := s.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{"bench": int64(n)}); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d events in %s", n, time.Since(fillStart).Round(time.Millisecond))

	cfg.Addr = "127.0.0.1:0"
	for b.Loop() {
		m := NewMain(cfg, slog.New(slog.DiscardHandler), "bench")
		if err := m.Open(b.Context()); err != nil {
			b.Fatal(err)
		}
		res, err := http.Get(m.URL() + "/readyz")
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("readyz: %v %v", res, err)
		}
		res.Body.Close()
		b.StopTimer()
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/start")
}
