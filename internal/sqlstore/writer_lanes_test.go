package sqlstore

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// TestInteractiveBeforeBulk: while a bulk write (position reports) holds
// the writer, more bulk writes and then one interactive write queue up.
// The interactive write commits next, alone, before the waiting bulk
// writes, which keep their order; no bulk commit exceeds maxBulkWeight.
func TestInteractiveBeforeBulk(t *testing.T) {
	s := newTestStore(t, filepath.Join(t.TempDir(), "bluelamp.db"), nil)
	ctx := bluelamp.SystemContext(t.Context(), "", "test")

	var (
		mu      sync.Mutex
		order   []string
		batches = map[string]*tx{} // the batch each write ran in, by its tx's statements map
	)
	ran := func(name string) func(*tx) error {
		return func(t *tx) error {
			mu.Lock()
			order = append(order, name)
			batches[name] = t
			mu.Unlock()
			return nil
		}
	}
	release := make(chan struct{})
	holding := make(chan struct{})
	first, err := s.queueBulk(ctx, 10, func(t *tx) error {
		close(holding)
		<-release
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-holding
	var waits []func() error
	for _, name := range []string{"bulk1", "bulk2", "bulk3"} {
		w, err := s.queueBulk(ctx, 3000, ran(name))
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	w, err := s.queue(ctx, ran("contact"))
	if err != nil {
		t.Fatal(err)
	}
	waits = append(waits, w)
	time.Sleep(20 * time.Millisecond) // all four are queued behind the held commit
	close(release)
	if err := first(); err != nil {
		t.Fatal(err)
	}
	for _, w := range waits {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{"contact", "bulk1", "bulk2", "bulk3"}; !slices.Equal(order, want) {
		t.Fatalf("committed in order %v, want %v", order, want)
	}
	// 3,000 rows each: no two bulk writes share a commit (the cap is 4,000).
	same := func(a, b string) bool { return batches[a].q == batches[b].q }
	if same("bulk1", "bulk2") || same("bulk2", "bulk3") || same("contact", "bulk1") {
		t.Fatalf("writes that should commit apart shared a transaction: bulk1/bulk2 %v, bulk2/bulk3 %v, contact/bulk1 %v", same("bulk1", "bulk2"), same("bulk2", "bulk3"), same("contact", "bulk1"))
	}
}
