package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

// BenchmarkAppend measures durable appends: each AppendEvent of a ~200-byte
// log.note returns only once its batch is committed (on SQLite with
// synchronous=FULL, as the store sets it), from 1 and from 16 concurrent
// writers. It reports events/s and the p50 and p99 latency of one append.
func BenchmarkAppend(b *testing.B) {
	if n, _ := json.Marshal(storetest.NotePayload); len(n) < 180 || len(n) > 220 {
		b.Fatalf("the note payload is %d bytes, want about 200", len(n))
	}
	for _, e := range engines() {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", e.name, writers), func(b *testing.B) {
				benchmarkAppend(b, newTestStore(b, e.dsn(b), nil), writers)
			})
		}
	}
}

func benchmarkAppend(b *testing.B, s *Store, writers int) {
	if s.Engine() == "sqlite" {
		// The figures mean "durable" only if every commit is synced.
		var level int
		if err := s.DB().QueryRowContext(b.Context(), "PRAGMA synchronous").Scan(&level); err != nil || level != 2 {
			b.Fatalf("PRAGMA synchronous = %d, %v; want 2 (FULL)", level, err)
		}
	}
	if err := s.CreateForce(bluelamp.SystemContext(b.Context(), "", "bench"), &bluelamp.Force{ID: "bench", Name: "Bench"}); err != nil {
		b.Fatal(err)
	}
	ctx := bluelamp.SystemContext(b.Context(), "bench", "bench")
	latencies := make([][]time.Duration, writers)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	began := time.Now()
	for w := range writers {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if _, err := s.AppendEvent(ctx, bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial, storetest.NotePayload); err != nil {
					b.Error(err)
					return
				}
				latencies[w] = append(latencies[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	all := slices.Concat(latencies...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	ms := func(q float64) float64 { return float64(all[int(q*float64(len(all)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "events/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
}

// BenchmarkFillEvents measures storetest.FillEvents, which start-up
// benchmarks use to build a large log; run it with -benchtime=1000000x to
// time a million events.
func BenchmarkFillEvents(b *testing.B) {
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := newTestStore(b, e.dsn(b), nil)
			if err := s.CreateForce(bluelamp.SystemContext(b.Context(), "", "bench"), &bluelamp.Force{ID: "bench", Name: "Bench"}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			began := time.Now()
			storetest.FillEvents(b, s, "bench", b.N)
			b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "events/s")
		})
	}
}

// BenchmarkCreateUnits measures an import of the most units one
// CreateUnits takes, committed durably in one writer transaction, which
// must stay well inside the store's OpTimeout (past it the write fails).
// It reports milliseconds per import.
func BenchmarkCreateUnits(b *testing.B) {
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := newTestStore(b, e.dsn(b), nil)
			if err := s.CreateForce(bluelamp.SystemContext(b.Context(), "", "bench"), &bluelamp.Force{ID: "bench", Name: "Bench"}); err != nil {
				b.Fatal(err)
			}
			ctx := bluelamp.SystemContext(b.Context(), "bench", "bench")
			st := &bluelamp.Station{Code: "HQ", Name: "Headquarters", Lat: 51.5, Lon: -0.12}
			if err := s.CreateStation(ctx, st); err != nil {
				b.Fatal(err)
			}
			var took time.Duration
			for n := 0; b.Loop(); n++ {
				units := make([]*bluelamp.Unit, bluelamp.MaxUnitImport)
				for i := range units {
					units[i] = &bluelamp.Unit{CallSign: fmt.Sprintf("B%d-%d", n, i), Type: "response car", StationID: st.ID,
						Crew: []string{"PC1", "PC2"}, Skills: []bluelamp.UnitSkill{{Skill: "TASER"}}, DeviceID: fmt.Sprintf("dev-%d-%d", n, i)}
				}
				began := time.Now()
				if err := s.CreateUnits(ctx, units); err != nil {
					b.Fatal(err)
				}
				took += time.Since(began)
			}
			b.ReportMetric(float64(took.Milliseconds())/float64(b.N), "ms/import")
			b.ReportMetric(0, "ns/op")
		})
	}
}
