package storetest

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// NotePayload is a log.note payload of about 200 bytes once encoded, the
// size benchmarks and FillEvents append.
var NotePayload = map[string]string{
	"text": "Caller reports a grey hatchback parked across the junction for over an hour; " +
		"engine running, no driver seen. Neighbour" + strings.Repeat(".", 60),
	"ref": "INC-2030-000001",
}

// FillWriters is how many goroutines FillEvents appends from: enough for
// the store's group commit to fill its batches.
const FillWriters = 256

// FillEvents appends n log.note events of NotePayload to force's log, which
// must exist, through s.AppendEvent from FillWriters goroutines at once, so a
// group-committing store takes well under a minute for a million on SQLite.
// It fails t on the first error.
func FillEvents(t testing.TB, s bluelamp.Store, force bluelamp.ForceID, n int) {
	t.Helper()
	ctx := bluelamp.SystemContext(t.Context(), force, "storetest:fill")
	var next atomic.Int64
	var failed atomic.Bool
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range min(FillWriters, n) {
		wg.Go(func() {
			for !failed.Load() && next.Add(1) <= int64(n) {
				if _, err := s.AppendEvent(ctx, bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial, NotePayload); err != nil {
					once.Do(func() { first = err })
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		t.Fatalf("fill %s with %d events: %v", force, n, first)
	}
}
