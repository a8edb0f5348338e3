package sqlstore

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

// holdWriter makes s's writer run a write that waits for release, and
// returns once the writer is inside it: writes queued after that go into
// the writer's next batch.
func holdWriter(t *testing.T, s *Store, force bluelamp.ForceID) (release func()) {
	t.Helper()
	inside, wait := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(bluelamp.SystemContext(context.Background(), force, "test"), func(*tx) error {
			close(inside)
			<-wait
			return nil
		})
	}()
	select {
	case <-inside:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer did not start the holding write")
	}
	return func() {
		close(wait)
		if err := <-done; err != nil {
			t.Errorf("holding write: %v", err)
		}
	}
}

// waitQueued waits until n writes are queued for s's writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.writes) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(s.writes), n)
		}
		runtime.Gosched()
	}
}

// TestWriterBatch queues appends and failing writes behind a held writer, so
// they all commit in one batch, and checks that the failures roll back alone.
func TestWriterBatch(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var batches [][]*bluelamp.Event // guarded by mu
			s := newTestStore(t, e.dsn(t), func(s *Store) {
				s.OpTimeout = 30 * time.Second // the held write must outlast the queueing
				s.OnCommit = func(events []*bluelamp.Event) {
					mu.Lock()
					defer mu.Unlock()
					batches = append(batches, events)
				}
			})
			ctx := bluelamp.SystemContext(t.Context(), "", "test")
			if err := s.CreateForce(ctx, &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
				t.Fatal(err)
			}
			fctx := bluelamp.SystemContext(t.Context(), "alpha", "test")

			release := holdWriter(t, s, "alpha")
			// The writer calls OnCommit after answering, so only now is it
			// done with the writes above.
			mu.Lock()
			batches = nil
			mu.Unlock()
			const appends, users = 40, 10
			errs := make(chan error, appends)
			userErrs := make(chan error, users)
			var wg sync.WaitGroup
			for i := range appends + users {
				wg.Go(func() {
					if i < appends {
						_, err := s.AppendEvent(fctx, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]int{"i": i})
						errs <- err
						return
					}
					userErrs <- s.CreateUser(fctx, &bluelamp.User{Username: "dup", DisplayName: "Dup"}, "")
				})
			}
			waitQueued(t, s, appends+users)
			release()
			wg.Wait()
			close(errs)
			close(userErrs)

			for err := range errs {
				if err != nil {
					t.Errorf("append: %v", err)
				}
			}
			var created int
			for err := range userErrs {
				if err == nil {
					created++
				} else if bluelamp.KindOf(err) != bluelamp.KindConflict {
					t.Errorf("duplicate CreateUser: got %v, want KindConflict", err)
				}
			}
			if created != 1 {
				t.Errorf("%d duplicate users created, want 1", created)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(batches) != 1 || len(batches[0]) != appends+1 {
				var sizes []int
				for _, b := range batches {
					sizes = append(sizes, len(b))
				}
				t.Fatalf("committed batches of %v events, want one of %d", sizes, appends+1)
			}
			var seqs []int64
			for _, ev := range batches[0] {
				seqs = append(seqs, ev.Seq)
			}
			if !slices.IsSorted(seqs) || seqs[0] != 2 || seqs[len(seqs)-1] != appends+2 {
				t.Errorf("batch seqs = %v, want 2..%d in order", seqs, appends+2)
			}
			reports, err := s.VerifyChains(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range reports {
				if !r.OK() {
					t.Errorf("%s %s: %+v", r.ForceID, r.Chain, *r.Problem)
				}
			}
		})
	}
}

// TestWriterBatchLateFailure queues appends behind a held writer together
// with writes that fail after appending their event, because their audit
// record's seq is taken, and checks that the failed writes give their seqs
// back to the rest of the batch.
func TestWriterBatchLateFailure(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var batches [][]*bluelamp.Event // guarded by mu
			s := newTestStore(t, e.dsn(t), func(s *Store) {
				s.OpTimeout = 30 * time.Second
				s.OnCommit = func(events []*bluelamp.Event) {
					mu.Lock()
					defer mu.Unlock()
					batches = append(batches, events)
				}
			})
			ctx := bluelamp.SystemContext(t.Context(), "", "test")
			if err := s.CreateForce(ctx, &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
				t.Fatal(err)
			}
			fctx := bluelamp.SystemContext(t.Context(), "alpha", "test")
			st := &bluelamp.Station{Code: "HQ", Name: "HQ"}
			if err := s.CreateStation(fctx, st); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(t.Context(), s.d.rebind(`INSERT INTO audit_records (force_id, seq, at, action, actor_kind, actor_id, actor,
				actor_roles, session_id, what, records, subjects, reason, justification, incident_ref, recipient, agreement_id, prev_hash, hash)
				VALUES ('alpha', 1, 0, 'collection', 'system', 0, 'test', '', '', 'blocker', '[]', '[]', '', '', '', '', '', NULL, ?)`), []byte{0}); err != nil {
				t.Fatal(err)
			}

			release := holdWriter(t, s, "alpha")
			mu.Lock()
			batches = nil
			mu.Unlock()
			const appends = 20
			errs := make([]error, 2*appends)
			var wg sync.WaitGroup
			for i := range 2 * appends {
				wg.Go(func() {
					if i%2 == 0 {
						_, errs[i] = s.AppendEvent(fctx, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]int{"i": i})
						return
					}
					errs[i] = s.CreateOfficer(fctx, &bluelamp.Officer{CollarNumber: "C" + strconv.Itoa(i), Name: "Late", Rank: "PC", StationID: st.ID})
				})
			}
			waitQueued(t, s, 2*appends)
			release()
			wg.Wait()
			for i, err := range errs {
				if i%2 == 0 && err != nil {
					t.Errorf("append: %v", err)
				}
				if i%2 == 1 && err == nil {
					t.Error("CreateOfficer succeeded though its audit record could not be written")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(batches) != 1 || len(batches[0]) != appends {
				t.Fatalf("committed %d batches, want one of %d events", len(batches), appends)
			}
			for i, ev := range batches[0] {
				if want := int64(i + 3); ev.Seq != want || ev.Type != bluelamp.EventLogNote {
					t.Errorf("event %d of the batch is %s at %d, want log.note at %d", i, ev.Type, ev.Seq, want)
				}
			}
			reports, err := s.VerifyChains(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if r := reports[0]; r.Chain != bluelamp.ChainEvents || !r.OK() || r.Count != appends+2 {
				t.Errorf("events chain report = %+v", r)
			}
		})
	}
}

func TestWriteAfterClose(t *testing.T) {
	t.Parallel()
	s := newTestStore(t, sqliteDSN(t), nil)
	ctx := bluelamp.SystemContext(t.Context(), "", "test")
	if err := s.CreateForce(ctx, &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.AppendEvent(bluelamp.SystemContext(t.Context(), "alpha", "test"), bluelamp.EventLogNote, "", bluelamp.ClassOfficial, nil)
	if bluelamp.KindOf(err) != bluelamp.KindUnavailable {
		t.Fatalf("got %v, want KindUnavailable", err)
	}
}

// TestOutboxLeaseOneHolder opens two stores on one PostgreSQL schema, as two
// nodes would: only one holds the outbox lease, and when it closes the other
// takes it.
func TestOutboxLeaseOneHolder(t *testing.T) {
	base := storetest.PostgresURL()
	if base == "" {
		t.Skip(storetest.PostgresEnv + " is not set")
	}
	dsn := storetest.PostgresDSN(t, base)
	a := newTestStore(t, dsn, nil)
	b := New(dsn)
	if err := b.Open(); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := bluelamp.SystemContext(t.Context(), "", "test")
	held := func(s *Store) bool {
		t.Helper()
		ok, err := s.HoldOutboxLease(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !held(a) || held(b) || !held(a) {
		t.Fatal("want a to hold the lease and b to stand by")
	}
	// Another schema is another deployment, with its own lease.
	other := newTestStore(t, storetest.PostgresDSN(t, base), nil)
	if !held(other) {
		t.Fatal("a store in another schema shares the lease")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !held(b) {
		t.Fatal("b did not take the lease when a closed")
	}
}
