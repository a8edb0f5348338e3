package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

// BenchmarkPositionIngest measures issue 4's AVL ingestion goal (≥ 50,000
// positions/s on 2 cores, with geofence checks on): clients POST batches
// of fixes to /api/v1/positions over real HTTP on a node with the demo
// force, 5,000 units and 1,000 zones drawn across its area. Each fix is
// decoded, checked, judged against its unit's last fix and every fence
// near it, written as a breadcrumb with the unit's last fix in the
// batch's SQLite commit, moved into the dispatch index and the console
// feed — and answered only once durable. positions/s counts fixes
// accepted; batch-p50/p99-ms are per request.
//
//	go test -run '^$' -bench PositionIngest -benchtime 20x ./internal/app
//
// BLUELAMP_BENCH_BATCH (default 500) and BLUELAMP_BENCH_CLIENTS (default
// 4) change the batch size and how many clients send at once;
// BLUELAMP_BENCH_ENGINE=postgres runs it on PostgreSQL (BLUELAMP_TEST_POSTGRES).
func BenchmarkPositionIngest(b *testing.B) {
	batch, clients := envInt(b, "BLUELAMP_BENCH_BATCH", 500), envInt(b, "BLUELAMP_BENCH_CLIENTS", 4)
	const units, zones = 5000, 1000
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", b.TempDir(), true
	if os.Getenv("BLUELAMP_BENCH_ENGINE") == "postgres" {
		base := storetest.PostgresURL()
		if base == "" {
			b.Fatal(storetest.PostgresEnv + " is not set")
		}
		cfg.Database = storetest.PostgresDSN(b, base)
	}
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "bench")
	if err := m.Open(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	ctx := bluelamp.SystemContext(b.Context(), demo.ForceID, "bench")
	stations, err := m.Store.FindStations(ctx)
	if err != nil || len(stations) == 0 {
		b.Fatal(stations, err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	// Units and zones across the middle of Wessex.
	ids := make([]bluelamp.UnitID, units)
	lat0, lon0 := make([]float64, units), make([]float64, units)
	for k := range ids {
		u := &bluelamp.Unit{CallSign: "Z" + strconv.Itoa(k), Type: "response car", StationID: stations[0].ID, State: bluelamp.StateAvailable}
		if err := m.Store.CreateUnit(ctx, u); err != nil {
			b.Fatal(err)
		}
		ids[k], lat0[k], lon0[k] = u.ID, 50.75+r.Float64()*0.5, -2.6+r.Float64()*1.0
	}
	for k := range zones {
		x, y, s := -2.6+r.Float64(), 50.75+r.Float64()*0.5, 0.005+r.Float64()*0.03
		ring := [][2]float64{{x, y}, {x + s, y}, {x + s, y + s}, {x + s/2, y + 1.5*s}, {x, y + s}, {x, y}}
		if err := m.Store.CreateGeofence(ctx, &bluelamp.Geofence{Name: "zone " + strconv.Itoa(k), Boundary: ring}); err != nil {
			b.Fatal(err)
		}
	}
	settle(b, m)
	controller := benchSignIn(b, m.URL(), "demo.controller")
	controller.Transport = &http.Transport{MaxIdleConnsPerHost: clients}

	// Each request carries batch fixes of distinct units, each a few
	// metres on from its last; a unit's fixes are a microsecond apart per
	// round, all within the last minute.
	base := time.Now().Add(-time.Minute)
	var round atomic.Int64
	body := func() []byte {
		n := round.Add(1)
		at := base.Add(time.Duration(n) * time.Microsecond).UTC().Format(time.RFC3339Nano)
		var buf bytes.Buffer
		buf.WriteString(`{"positions":[`)
		for k := range batch {
			u := int(n*int64(batch)+int64(k)) % units
			step := float64(n) * 0.00001
			if k > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, `{"unit_id":%d,"lat":%.6f,"lon":%.6f,"accuracy":8,"speed":11.2,"heading":%d,"at":%q}`,
				ids[u], lat0[u]+step*math.Sin(float64(u)), lon0[u]+step*math.Cos(float64(u)), u%360, at)
		}
		buf.WriteString(`]}`)
		return buf.Bytes()
	}
	// Warm up: the tracker loads the force and its fences, and every unit
	// gets its first fix (entering the force area and its zones).
	for range units / batch {
		post(b, controller, m.URL(), body(), nil)
	}
	settle(b, m)

	var mu sync.Mutex
	var lat []time.Duration
	var accepted atomic.Int64
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for range clients {
			payload := body()
			wg.Go(func() {
				t := time.Now()
				n := post(b, controller, m.URL(), payload, nil)
				d := time.Since(t)
				accepted.Add(int64(n))
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(accepted.Load())/b.Elapsed().Seconds(), "positions/s")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "batch-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "batch-p99-ms")
}

// post sends a positions batch and returns how many fixes were accepted.
func post(b *testing.B, c *http.Client, base string, body []byte, _ any) int {
	res, err := c.Post(base+"/api/v1/positions", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return 0
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		b.Errorf("positions: %d %s", res.StatusCode, raw)
		return 0
	}
	var out struct {
		Accepted int `json:"accepted"`
		Rejected []struct{ Code string }
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Rejected) > 0 {
		b.Errorf("positions answer %s: %v", raw, err)
	}
	return out.Accepted
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive whole number", name, v)
	}
	return n
}

// settle waits until the outbox relay has published everything the setup
// wrote, so its work does not fall in the timed loop.
func settle(b *testing.B, m *Main) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		lagging := false
		for _, n := range m.Relay.Stats().Lag {
			lagging = lagging || n > 0
		}
		if !lagging {
			time.Sleep(500 * time.Millisecond) // the hub's fan-out of the last of it
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("the relay did not catch up with the setup in a minute")
}
