package live

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/natsbus"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

const (
	testForce  = bluelamp.ForceID("testshire")
	otherForce = bluelamp.ForceID("otherton")
	timeout    = 10 * time.Second
)

// stack is a node's store, bus, relay and hub, wired as app.Main wires them.
type stack struct {
	store *sqlstore.Store
	bus   *natsbus.Bus
	relay *natsbus.Relay
	hub   *Hub
}

// openStack opens a stack on the SQLite file at path (migrating it if it is
// new); configure, if set, adjusts the parts before they open. Cleanup closes it in
// reverse order, unless the test has called close first.
func openStack(t testing.TB, path string, configure func(*stack)) *stack {
	t.Helper()
	s := &stack{store: sqlstore.New(path), bus: natsbus.New("")}
	s.store.Migrate = sqlstore.MigrateIfEmpty
	s.relay = natsbus.NewRelay(s.store, s.store, s.bus)
	s.store.OnCommit = func([]*bluelamp.Event) { s.relay.Notify() }
	s.hub = NewHub(s.bus, s.store)
	if configure != nil {
		configure(s)
	}
	for _, open := range []func() error{s.store.Open, s.bus.Open, s.relay.Open, s.hub.Open} {
		if err := open(); err != nil {
			t.Fatalf("open: %v", err)
		}
	}
	t.Cleanup(s.close)
	return s
}

func (s *stack) close() {
	s.hub.Close()
	s.relay.Close()
	s.bus.Close()
	s.store.Close()
}

func mustCreateForce(t testing.TB, st *sqlstore.Store, id bluelamp.ForceID) {
	t.Helper()
	if err := st.CreateForce(bluelamp.SystemContext(context.Background(), "", "test"), &bluelamp.Force{ID: id, Name: "Force " + string(id)}); err != nil {
		t.Fatalf("create force %s: %v", id, err)
	}
}

// mustAppendNote commits one log note of class c to force.
func mustAppendNote(t testing.TB, st *sqlstore.Store, force bluelamp.ForceID, c bluelamp.Classification) *bluelamp.Event {
	t.Helper()
	e, err := st.AppendEvent(bluelamp.SystemContext(context.Background(), force, "test"), bluelamp.EventLogNote, "note/1", c, map[string]string{"text": "note"})
	if err != nil {
		t.Fatalf("append note: %v", err)
	}
	return e
}

func mustAppendNotes(t testing.TB, st *sqlstore.Store, force bluelamp.ForceID, n int) {
	t.Helper()
	for range n {
		mustAppendNote(t, st, force, bluelamp.ClassOfficial)
	}
}

func mustCreateStation(t testing.TB, st *sqlstore.Store, force bluelamp.ForceID, code string) {
	t.Helper()
	if err := st.CreateStation(bluelamp.SystemContext(context.Background(), force, "test"), &bluelamp.Station{Code: code, Name: "Station " + code}); err != nil {
		t.Fatalf("create station: %v", err)
	}
}

func systemActor(force bluelamp.ForceID) *bluelamp.Actor {
	return &bluelamp.Actor{Kind: bluelamp.ActorSystem, Username: "test", ForceID: force}
}

func userActor(force bluelamp.ForceID, roles ...bluelamp.Role) *bluelamp.Actor {
	return &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: 7, Username: "pc7", ForceID: force, Roles: roles}
}

// streaming is one Stream call run by a test.
type streaming struct {
	force  bluelamp.ForceID
	events chan *bluelamp.Event // what send was given
	done   chan error           // what Stream returned
	cancel context.CancelFunc
}

// startStream runs hub.Stream in a goroutine the test owns: Cleanup ends
// and waits for it.
func startStream(t *testing.T, h *Hub, actor *bluelamp.Actor, after int64) *streaming {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := &streaming{force: actor.ForceID, events: make(chan *bluelamp.Event, 4096), done: make(chan error, 1), cancel: cancel}
	go func() {
		s.done <- h.Stream(ctx, actor, after, func(e *bluelamp.Event) error {
			s.events <- e
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// receive returns the sequences of the next n events sent, failing the
// test after timeout or if one is not of force.
func (s *streaming) receive(t *testing.T, n int) []int64 {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var seqs []int64
	for len(seqs) < n {
		select {
		case e := <-s.events:
			if e.ForceID != s.force {
				t.Fatalf("sent %s/%d to a client of %s", e.ForceID, e.Seq, s.force)
			}
			seqs = append(seqs, e.Seq)
		case err := <-s.done:
			t.Fatalf("stream ended after %v: %v", seqs, err)
		case <-timer.C:
			t.Fatalf("received %v, want %d events", seqs, n)
		}
	}
	return seqs
}

// wait returns what Stream returned, failing the test after timeout.
func (s *streaming) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err // for Cleanup
		return err
	case <-time.After(timeout):
		t.Fatal("stream did not end")
		return nil
	}
}

func seqRange(from, to int64) []int64 {
	var s []int64
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func TestStream(t *testing.T) {
	t.Parallel()
	s := openStack(t, filepath.Join(t.TempDir(), "bluelamp.db"), nil)
	mustCreateForce(t, s.store, testForce)
	mustAppendNotes(t, s.store, testForce, 4)

	live := startStream(t, s.hub, systemActor(testForce), 0)
	if got, want := live.receive(t, 5), seqRange(1, 5); !slices.Equal(got, want) {
		t.Fatalf("catch-up sent %v, want %v", got, want)
	}
	mustAppendNotes(t, s.store, testForce, 10)
	if got, want := live.receive(t, 10), seqRange(6, 15); !slices.Equal(got, want) {
		t.Fatalf("live sent %v, want %v", got, want)
	}

	t.Run("ResumeAfter", func(t *testing.T) {
		resumed := startStream(t, s.hub, systemActor(testForce), 9)
		if got, want := resumed.receive(t, 6), seqRange(10, 15); !slices.Equal(got, want) {
			t.Fatalf("sent %v, want %v", got, want)
		}
		mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficial)
		if got, want := resumed.receive(t, 1), []int64{16}; !slices.Equal(got, want) {
			t.Fatalf("sent %v, want %v", got, want)
		}
	})

	t.Run("ErrAhead", func(t *testing.T) {
		err := s.hub.Stream(t.Context(), systemActor(testForce), 1000, func(*bluelamp.Event) error { return nil })
		if !errors.Is(err, ErrAhead) {
			t.Fatalf("got %v, want ErrAhead", err)
		}
	})

	t.Run("ErrNoActor", func(t *testing.T) {
		err := s.hub.Stream(t.Context(), nil, 0, func(*bluelamp.Event) error { return nil })
		if !errors.Is(err, bluelamp.ErrNoActor) {
			t.Fatalf("got %v, want ErrNoActor", err)
		}
	})

	t.Run("SendError", func(t *testing.T) {
		gone := errors.New("client went away")
		err := s.hub.Stream(t.Context(), systemActor(testForce), 0, func(*bluelamp.Event) error { return gone })
		if !errors.Is(err, gone) {
			t.Fatalf("got %v, want send's error", err)
		}
	})

	t.Run("ContextEnds", func(t *testing.T) {
		st := startStream(t, s.hub, systemActor(testForce), 16)
		st.cancel()
		if err := st.wait(t); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

// TestStreamAcrossRestart stops the whole node between a client's two
// connections: the second, given the last sequence the first received,
// gets exactly what it missed and then live events.
func TestStreamAcrossRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bluelamp.db")
	first := openStack(t, path, nil)
	mustCreateForce(t, first.store, testForce)
	mustAppendNotes(t, first.store, testForce, 4)
	st := startStream(t, first.hub, systemActor(testForce), 0)
	got := st.receive(t, 5)
	lastEventID := got[len(got)-1]
	st.cancel()
	st.wait(t)
	mustAppendNotes(t, first.store, testForce, 3) // missed by the client
	first.close()

	second := openStack(t, path, nil)
	mustAppendNotes(t, second.store, testForce, 2) // committed before it reconnects
	resumed := startStream(t, second.hub, systemActor(testForce), lastEventID)
	if got, want := resumed.receive(t, 5), seqRange(6, 10); !slices.Equal(got, want) {
		t.Fatalf("after restart sent %v, want %v", got, want)
	}
	mustAppendNotes(t, second.store, testForce, 2)
	if got, want := resumed.receive(t, 2), seqRange(11, 12); !slices.Equal(got, want) {
		t.Fatalf("live after restart sent %v, want %v", got, want)
	}
}

// TestHubRefillsGap publishes seq 1 and 3 straight onto the bus, with 2
// only in the store, and no relay: the hub delivers 1, 2, 3 in order.
func TestHubRefillsGap(t *testing.T) {
	t.Parallel()
	st := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	st.Migrate = sqlstore.MigrateIfEmpty
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := natsbus.New("")
	if err := bus.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	h := NewHub(bus, st)
	h.ResyncInterval = time.Hour // only the gap may trigger a refill
	if err := h.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	c, err := h.subscribe(testForce)
	if err != nil {
		t.Fatal(err)
	}

	mustCreateForce(t, st, testForce)
	mustAppendNotes(t, st, testForce, 2)
	events, err := st.FindEvents(bluelamp.SystemContext(t.Context(), testForce, "test"), bluelamp.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(t.Context(), []*bluelamp.Event{events[0], events[2], events[0], events[2]}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	for len(got) < 3 {
		select {
		case e := <-c.ch:
			got = append(got, e.Seq)
		case <-time.After(timeout):
			t.Fatalf("hub delivered %v, want [1 2 3]", got)
		}
	}
	if want := []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("hub delivered %v, want %v", got, want)
	}
	// The duplicates were published after 3, so once they are counted
	// nothing more can be delivered for them.
	if stats := h.Stats(); stats.Refilled != 1 || stats.Received < 2 {
		t.Fatalf("stats %+v, want 1 refilled", stats)
	}
	if err := bus.Publish(t.Context(), []*bluelamp.Event{mustAppendNote(t, st, testForce, bluelamp.ClassOfficial)}); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-c.ch:
		if e.Seq != 4 {
			t.Fatalf("after the duplicates hub delivered %d, want 4", e.Seq)
		}
	case <-time.After(timeout):
		t.Fatal("seq 4 not delivered")
	}
	if got, want := h.Stats().Duplicates, int64(2); got != want {
		t.Fatalf("duplicates %d, want %d", got, want)
	}
}

// refillFails is the real store, except that the hub's own refills fail:
// a failure SQLite cannot be made to produce for one reader only.
type refillFails struct{ *sqlstore.Store }

func (r refillFails) FindEvents(ctx context.Context, f bluelamp.EventFilter) ([]*bluelamp.Event, error) {
	if a := bluelamp.ActorFrom(ctx); a != nil && a.Username == "live" {
		return nil, &bluelamp.Error{Kind: bluelamp.KindUnavailable, Message: "injected"}
	}
	return r.Store.FindEvents(ctx, f)
}

// TestStreamFillsGapTheHubCouldNot shows a stream fills a gap from the
// store itself when the hub's refill failed.
func TestStreamFillsGapTheHubCouldNot(t *testing.T) {
	t.Parallel()
	st := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	st.Migrate = sqlstore.MigrateIfEmpty
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := natsbus.New("")
	if err := bus.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	mustCreateForce(t, st, testForce)
	h := NewHub(bus, refillFails{st})
	h.ResyncInterval = time.Hour
	if err := h.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	live := startStream(t, h, userActor(testForce, bluelamp.RoleController), 1)

	if err := bus.Publish(t.Context(), []*bluelamp.Event{mustAppendNote(t, st, testForce, bluelamp.ClassOfficial)}); err != nil {
		t.Fatal(err)
	}
	// Once 2 has arrived the stream has read its head: 3 and 4 can only
	// come live.
	if got, want := live.receive(t, 1), []int64{2}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	mustAppendNote(t, st, testForce, bluelamp.ClassOfficial)
	if err := bus.Publish(t.Context(), []*bluelamp.Event{mustAppendNote(t, st, testForce, bluelamp.ClassOfficial)}); err != nil {
		t.Fatal(err)
	}
	if got, want := live.receive(t, 2), []int64{3, 4}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := h.Stats().Refilled; got != 0 {
		t.Fatalf("hub refilled %d, want 0 (its refill fails)", got)
	}
}

// TestHubResyncWithoutBus shows clients stay live from the store when
// nothing comes over the bus: no relay publishes here.
func TestHubResyncWithoutBus(t *testing.T) {
	t.Parallel()
	st := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	st.Migrate = sqlstore.MigrateIfEmpty
	if err := st.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bus := natsbus.New("")
	if err := bus.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	mustCreateForce(t, st, testForce)
	h := NewHub(bus, st)
	h.ResyncInterval = 20 * time.Millisecond
	if err := h.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	c, err := h.subscribe(testForce)
	if err != nil {
		t.Fatal(err)
	}
	mustAppendNotes(t, st, testForce, 3)
	var got []int64
	for len(got) < 3 {
		select {
		case e := <-c.ch:
			got = append(got, e.Seq)
		case <-time.After(timeout):
			t.Fatalf("hub delivered %v, want [2 3 4]", got)
		}
	}
	if want := seqRange(2, 4); !slices.Equal(got, want) {
		t.Fatalf("hub delivered %v, want %v", got, want)
	}
	if got, want := h.Stats().Refilled, int64(3); got != want {
		t.Fatalf("refilled %d, want %d", got, want)
	}
}

func TestStreamSlowClient(t *testing.T) {
	t.Parallel()
	s := openStack(t, filepath.Join(t.TempDir(), "bluelamp.db"), func(s *stack) { s.hub.Buffer = 32 })
	mustCreateForce(t, s.store, testForce)

	// The slow client takes the first event and never returns from send
	// until the test is over.
	release := make(chan struct{})
	var releaseOnce sync.Once
	taken := make(chan struct{})
	slowDone := make(chan error, 1)
	go func() {
		slowDone <- s.hub.Stream(t.Context(), systemActor(testForce), 0, func(*bluelamp.Event) error {
			select {
			case taken <- struct{}{}:
			default:
			}
			<-release
			return nil
		})
	}()
	t.Cleanup(func() {
		releaseOnce.Do(func() { close(release) })
		<-slowDone
	})
	select {
	case <-taken:
	case <-time.After(timeout):
		t.Fatal("slow client got no event")
	}
	fast := startStream(t, s.hub, systemActor(testForce), 0)
	mustAppendNotes(t, s.store, testForce, 100)
	if got, want := fast.receive(t, 101), seqRange(1, 101); !slices.Equal(got, want) {
		t.Fatalf("fast client got %v, want %v", got, want)
	}
	// The fast client has seq 101, so the hub has handed out all 100 new
	// events: far more than the slow client's buffer of 32.
	if got, want := s.hub.Stats().CutOff, int64(1); got != want {
		t.Fatalf("cut off %d clients, want %d", got, want)
	}
	releaseOnce.Do(func() { close(release) })
	select {
	case err := <-slowDone:
		if !errors.Is(err, ErrSlowClient) {
			t.Fatalf("slow client ended with %v, want ErrSlowClient", err)
		}
		slowDone <- err
	case <-time.After(timeout):
		t.Fatal("slow client not ended")
	}
}

func TestStreamVisibility(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		actor *bluelamp.Actor
		want  []int64 // of 1..4 in catch-up, then 5..8 live
	}{
		{"ResponseOfficer", userActor(testForce, bluelamp.RoleResponseOfficer), []int64{1, 3, 6, 8}},
		{"Controller", userActor(testForce, bluelamp.RoleController), []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"Analyst", userActor(testForce, bluelamp.RoleAnalyst), []int64{1, 3, 6, 8}},
		{"ErrOtherForce", userActor(otherForce, bluelamp.RoleForceAdmin), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Each subtest has its own node: it adds 5..8 once its stream runs.
			s := openStack(t, filepath.Join(t.TempDir(), "bluelamp.db"), nil)
			mustCreateForce(t, s.store, testForce)                                 // 1 force.created: everyone
			mustCreateForce(t, s.store, otherForce)                                // otherton 1
			mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficial)          // 2 log.note: controllers and up
			mustCreateStation(t, s.store, testForce, "KX")                         // 3 station.created: everyone
			mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficialSensitive) // 4 log.note, sensitive
			mustAppendNote(t, s.store, otherForce, bluelamp.ClassOfficial)         // otherton 2

			st := startStream(t, s.hub, tc.actor, 0)
			mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficial)          // 5
			mustCreateStation(t, s.store, testForce, "AB")                         // 6
			mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficialSensitive) // 7
			mustCreateStation(t, s.store, testForce, "CD")                         // 8
			if tc.actor.ForceID == otherForce {
				// otherton's own log only; receive fails on any of testshire's.
				mustAppendNote(t, s.store, otherForce, bluelamp.ClassOfficial)
				if got, want := st.receive(t, 3), []int64{1, 2, 3}; !slices.Equal(got, want) {
					t.Fatalf("got %v, want %v", got, want)
				}
				return
			}
			if got := st.receive(t, len(tc.want)); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			mustCreateStation(t, s.store, testForce, "EF") // 9: the skipped 7 is not sent late
			if got, want := st.receive(t, 1), []int64{9}; !slices.Equal(got, want) {
				t.Fatalf("then got %v, want %v", got, want)
			}
		})
	}
}

// TestHubCloseEndsStreams checks Close ends every stream with ErrClosed.
func TestHubCloseEndsStreams(t *testing.T) {
	t.Parallel()
	s := openStack(t, filepath.Join(t.TempDir(), "bluelamp.db"), nil)
	mustCreateForce(t, s.store, testForce)
	st := startStream(t, s.hub, systemActor(testForce), 0)
	st.receive(t, 1)
	s.hub.Close()
	if err := st.wait(t); !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
	err := s.hub.Stream(t.Context(), systemActor(testForce), 0, func(*bluelamp.Event) error { return nil })
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("stream after close: got %v, want ErrClosed", err)
	}
}

// TestStreamBatchesCallsIdle checks that a buffering client is told to
// flush once it has been sent everything waiting, and only then.
func TestStreamBatchesCallsIdle(t *testing.T) {
	t.Parallel()
	s := openStack(t, filepath.Join(t.TempDir(), "bluelamp.db"), nil)
	mustCreateForce(t, s.store, testForce)
	mustAppendNotes(t, s.store, testForce, 4)
	calls := make(chan string, 64)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.hub.StreamBatches(ctx, systemActor(testForce), 0, func(e *bluelamp.Event) error {
			calls <- fmt.Sprint(e.Seq)
			return nil
		}, func() error {
			calls <- "idle"
			return nil
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	next := func() string {
		t.Helper()
		select {
		case c := <-calls:
			return c
		case <-time.After(timeout):
			t.Fatal("no call")
			return ""
		}
	}
	var got []string
	for len(got) == 0 || got[len(got)-1] != "idle" {
		got = append(got, next())
	}
	if want := []string{"1", "2", "3", "4", "5", "idle"}; !slices.Equal(got, want) {
		t.Fatalf("catch-up calls = %v, want %v", got, want)
	}
	mustAppendNote(t, s.store, testForce, bluelamp.ClassOfficial)
	if a, b := next(), next(); a != "6" || b != "idle" {
		t.Fatalf("live calls = %s, %s; want 6, idle", a, b)
	}
	select {
	case c := <-calls:
		t.Fatalf("an idle stream was called again: %s", c)
	case <-time.After(50 * time.Millisecond):
	}
}
