package sqlstore

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// BenchmarkQueuePositions measures the store's share of AVL ingestion:
// durable batches of 500 breadcrumbs (with each unit's newest fix moved on)
// from 1 and 4 writers at once, as the tracker queues them.
//
//	go test -run '^$' -bench QueuePositions -benchtime 200x ./internal/sqlstore
func BenchmarkQueuePositions(b *testing.B) {
	for _, e := range engines() {
		for _, writers := range []int{1, 4} {
			b.Run(fmt.Sprintf("%s/writers=%d", e.name, writers), func(b *testing.B) {
				s := newTestStore(b, e.dsn(b), nil)
				if err := s.CreateForce(bluelamp.SystemContext(b.Context(), "", "bench"), &bluelamp.Force{ID: "bench", Name: "Bench"}); err != nil {
					b.Fatal(err)
				}
				ctx := bluelamp.SystemContext(b.Context(), "bench", "bench")
				const batch, units = 500, 5000
				base := time.Now().Add(-time.Hour)
				var round atomic.Int64
				var wg sync.WaitGroup
				b.ResetTimer()
				for w := range writers {
					wg.Go(func() {
						for {
							n := round.Add(1)
							if n > int64(b.N) {
								return
							}
							rs := make([]bluelamp.PositionReport, batch)
							for k := range rs {
								u := (int(n)*batch + k) % units
								rs[k] = bluelamp.PositionReport{UnitID: bluelamp.UnitID(u + 1), Lat: 51 + float64(k)*1e-5, Lon: -1, Accuracy: 8,
									At: base.Add(time.Duration(n)*time.Millisecond + time.Duration(w)), Source: "app"}
							}
							wait, err := s.QueuePositions(ctx, &bluelamp.PositionBatch{Reports: rs})
							if err == nil {
								err = wait()
							}
							if err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "fixes/s")
			})
		}
	}
}
