package live

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// BenchmarkFanOut measures how long one committed event takes to reach the
// last of 1,000 connected clients (Stream callers) through the whole path:
// store commit → OnCommit → relay → embedded NATS → hub → Stream → send.
// p50-ms and p99-ms run from the moment the store made the event durable
// (OnCommit) to the last client's send; e2e-p99-ms runs from the start of
// the AppendEvent call, so it includes the commit's fsync.
func BenchmarkFanOut(b *testing.B) {
	const clients = 1000
	var committedAt atomic.Int64 // unix nanoseconds of the latest OnCommit
	s := openStack(b, filepath.Join(b.TempDir(), "bluelamp.db"), func(s *stack) {
		onCommit := s.store.OnCommit
		s.store.OnCommit = func(events []*bluelamp.Event) {
			committedAt.Store(time.Now().UnixNano())
			onCommit(events)
		}
	})
	mustCreateForce(b, s.store, testForce)

	var received, target atomic.Int64
	last := make(chan time.Time, 1)
	ctx, cancel := context.WithCancel(b.Context())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	actor := userActor(testForce, bluelamp.RoleController)
	target.Store(clients)
	for range clients {
		wg.Go(func() {
			_ = s.hub.Stream(ctx, actor, 1, func(*bluelamp.Event) error {
				if received.Add(1) == target.Load() {
					last <- time.Now()
				}
				return nil
			})
		})
	}
	// Warm up: every client has received one event, so all are live.
	mustAppendNote(b, s.store, testForce, bluelamp.ClassOfficial)
	<-last

	var lat, e2e []time.Duration
	for b.Loop() {
		target.Add(clients)
		start := time.Now()
		mustAppendNote(b, s.store, testForce, bluelamp.ClassOfficial)
		select {
		case t := <-last:
			lat = append(lat, t.Sub(time.Unix(0, committedAt.Load())))
			e2e = append(e2e, t.Sub(start))
		case <-time.After(timeout):
			b.Fatalf("only %d of %d deliveries", received.Load(), target.Load())
		}
	}
	if n := s.hub.Stats().CutOff; n != 0 {
		b.Fatalf("%d clients cut off", n)
	}
	b.ReportMetric(percentile(lat, 50), "p50-ms")
	b.ReportMetric(percentile(lat, 99), "p99-ms")
	b.ReportMetric(percentile(e2e, 99), "e2e-p99-ms")
}

// percentile returns the p-th percentile of d in milliseconds (nearest rank).
func percentile(d []time.Duration, p int) float64 {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	i := (len(d)*p+99)/100 - 1
	return float64(d[max(i, 0)]) / float64(time.Millisecond)
}
