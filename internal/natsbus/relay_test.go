package natsbus_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/natsbus"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/nats-io/nats-server/v2/server"
)

const (
	testForce = bluelamp.ForceID("testshire")
	timeout   = 10 * time.Second
)

// newStore opens a migrated SQLite store in a temp dir with testForce
// created (its seq 1). onCommit, if set, is wired before Open.
func newStore(t *testing.T, onCommit func()) *sqlstore.Store {
	t.Helper()
	st := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	st.Migrate = sqlstore.MigrateIfEmpty
	if onCommit != nil {
		st.OnCommit = func([]*bluelamp.Event) { onCommit() }
	}
	if err := st.Open(); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: testForce, Name: "Testshire Constabulary"}); err != nil {
		t.Fatalf("create force: %v", err)
	}
	return st
}

// mustAppendNotes commits n log notes to testForce, one transaction each.
func mustAppendNotes(t *testing.T, st *sqlstore.Store, n int) {
	t.Helper()
	ctx := bluelamp.SystemContext(t.Context(), testForce, "test")
	for i := range n {
		if _, err := st.AppendEvent(ctx, bluelamp.EventLogNote, fmt.Sprintf("note/%d", i), bluelamp.ClassOfficial, map[string]int{"n": i}); err != nil {
			t.Fatalf("append note: %v", err)
		}
	}
}

func openBus(t *testing.T, url string) *natsbus.Bus {
	t.Helper()
	b := natsbus.New(url)
	b.ReconnectWait = 20 * time.Millisecond
	if err := b.Open(); err != nil {
		t.Fatalf("open bus: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// openRelay opens r with short waits. Tests close it themselves to check
// what Close does; Cleanup closes it otherwise.
func openRelay(t *testing.T, r *natsbus.Relay, st *sqlstore.Store) *natsbus.Relay {
	t.Helper()
	r.Events, r.Cursors = st, st
	r.MinBackoff, r.MaxBackoff = 10*time.Millisecond, 50*time.Millisecond
	if err := r.Open(); err != nil {
		t.Fatalf("open relay: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// collector subscribes to b and hands each event received to a channel.
func collect(t *testing.T, b *natsbus.Bus) <-chan *bluelamp.Event {
	t.Helper()
	ch := make(chan *bluelamp.Event, 1000)
	stop, err := b.Subscribe(func(e *bluelamp.Event) { ch <- e })
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(stop)
	return ch
}

// receiveSeqs waits for events until every seq in 1..upTo has arrived at
// least once, and returns how many times each arrived.
func receiveSeqs(t *testing.T, ch <-chan *bluelamp.Event, upTo int64, counts map[int64]int) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		missing := int64(0)
		for s := int64(1); s <= upTo; s++ {
			if counts[s] == 0 {
				missing = s
				break
			}
		}
		if missing == 0 {
			return
		}
		select {
		case e := <-ch:
			if e.ForceID != testForce {
				t.Fatalf("event of force %q, want %q", e.ForceID, testForce)
			}
			counts[e.Seq]++
		case <-timer.C:
			t.Fatalf("seq %d not received within %v", missing, timeout)
		}
	}
}

func TestBus(t *testing.T) {
	t.Parallel()
	st := newStore(t, nil)
	b := openBus(t, "")
	if !b.Connected() {
		t.Fatal("embedded bus not connected after Open")
	}
	ch := collect(t, b)
	ctx := bluelamp.SystemContext(t.Context(), testForce, "test")
	if _, err := st.AppendEvent(ctx, bluelamp.EventLogNote, "note/1", bluelamp.ClassOfficialSensitive, map[string]string{"text": "<b>Tom & Jerry</b> \u2028 ünïcode"}); err != nil {
		t.Fatal(err)
	}
	events, err := st.FindEvents(ctx, bluelamp.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(t.Context(), events); err != nil {
		t.Fatalf("publish: %v", err)
	}
	for _, want := range events {
		select {
		case got := <-ch:
			if got.Seq != want.Seq || got.ID != want.ID || got.Type != want.Type || !got.Time.Equal(want.Time) ||
				string(got.Payload) != string(want.Payload) || got.Hash.String() != want.Hash.String() {
				t.Fatalf("received %+v, want %+v", got, want)
			}
			// Consumers may verify what the bus brings against the chain.
			if h := bluelamp.ChainHash(got.PrevHash, got.Canonical()); h.String() != got.Hash.String() {
				t.Fatalf("event %d's hash does not verify after the bus round trip", got.Seq)
			}
		case <-time.After(timeout):
			t.Fatalf("event %d not received", want.Seq)
		}
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		err := b.Publish(t.Context(), []*bluelamp.Event{{Seq: 1}})
		if got, want := bluelamp.KindOf(err), bluelamp.KindInvalid; got != want {
			t.Fatalf("publish without force: kind %q, want %q (%v)", got, want, err)
		}
	})
}

// TestBusExternalUnreachable opens a bus on a port where no server listens:
// Open succeeds and keeps trying, and Publish fails rather than buffering.
func TestBusExternalUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	b := openBus(t, fmt.Sprintf("nats://127.0.0.1:%d", port))
	if b.Connected() {
		t.Fatal("bus reports connected with no server")
	}
	err = b.Publish(t.Context(), []*bluelamp.Event{{ForceID: testForce, Seq: 1}})
	if got, want := bluelamp.KindOf(err), bluelamp.KindUnavailable; got != want {
		t.Fatalf("publish with no server: kind %q, want %q (%v)", got, want, err)
	}

	t.Run("ErrInvalidURL", func(t *testing.T) {
		err := natsbus.New("nats://127.0.0.1:notaport").Open()
		if got, want := bluelamp.KindOf(err), bluelamp.KindInvalid; got != want {
			t.Fatalf("open: kind %q, want %q (%v)", got, want, err)
		}
	})
}

func TestRelay(t *testing.T) {
	t.Parallel()
	b := openBus(t, "")
	ch := collect(t, b)
	relay := natsbus.NewRelay(nil, nil, b)
	st := newStore(t, relay.Notify)
	openRelay(t, relay, st)

	mustAppendNotes(t, st, 20)
	counts := map[int64]int{}
	receiveSeqs(t, ch, 21, counts)
	for s, n := range counts {
		if n != 1 {
			t.Errorf("seq %d received %d times, want 1", s, n)
		}
	}
	if err := relay.Close(); err != nil {
		t.Fatalf("close relay: %v", err)
	}
	stats := relay.Stats()
	if got, want := stats.Published, int64(21); got != want {
		t.Errorf("published %d, want %d", got, want)
	}
	if got := stats.Lag[testForce]; got != 0 {
		t.Errorf("lag %d, want 0", got)
	}
	if stats.LastError != nil {
		t.Errorf("last error %v, want nil", stats.LastError)
	}
	cursors, err := st.FindOutboxCursors(bluelamp.SystemContext(t.Context(), "", "test"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cursors[testForce], int64(21); got != want {
		t.Fatalf("saved cursor %d, want %d", got, want)
	}

	t.Run("ResumesFromSavedCursor", func(t *testing.T) {
		mustAppendNotes(t, st, 2)
		again := openRelay(t, natsbus.NewRelay(nil, nil, b), st)
		receiveSeqs(t, ch, 23, counts)
		if err := again.Close(); err != nil {
			t.Fatalf("close relay: %v", err)
		}
		if got, want := again.Stats().Published, int64(2); got != want {
			t.Fatalf("second relay published %d, want %d (only what the first had not)", got, want)
		}
	})
}

// TestRelayCloseDrains commits with no Notify and no poll due, so only
// Close's drain can publish.
func TestRelayCloseDrains(t *testing.T) {
	t.Parallel()
	st := newStore(t, nil)
	b := openBus(t, "")
	ch := collect(t, b)
	relay := natsbus.NewRelay(nil, nil, b)
	relay.PollInterval = time.Hour
	openRelay(t, relay, st)
	counts := map[int64]int{}
	receiveSeqs(t, ch, 1, counts) // the first pass has run

	mustAppendNotes(t, st, 5)
	if err := relay.Close(); err != nil {
		t.Fatalf("close relay: %v", err)
	}
	receiveSeqs(t, ch, 6, counts)
	cursors, err := st.FindOutboxCursors(bluelamp.SystemContext(t.Context(), "", "test"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cursors[testForce], int64(6); got != want {
		t.Fatalf("saved cursor %d, want %d", got, want)
	}
}

// failSignal passes publishes to the real bus and signals each failure.
type failSignal struct {
	natsbus.Publisher
	failed chan error
}

func (p *failSignal) Publish(ctx context.Context, events []*bluelamp.Event) error {
	err := p.Publisher.Publish(ctx, events)
	if err != nil {
		select {
		case p.failed <- err:
		default:
		}
	}
	return err
}

func startServer(t *testing.T, port int) *server.Server {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("new nats-server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(timeout) {
		t.Fatal("nats-server not ready")
	}
	t.Cleanup(func() {
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return srv
}

// TestRelayExternalServerRestart stops an external nats-server, commits
// while it is down, starts it again on the same port and checks that every
// event reaches a subscriber once the bus is back.
func TestRelayExternalServerRestart(t *testing.T) {
	t.Parallel()
	srv := startServer(t, -1)
	port := srv.Addr().(*net.TCPAddr).Port
	b := openBus(t, fmt.Sprintf("nats://127.0.0.1:%d", port))
	if !b.Connected() {
		t.Fatal("bus not connected to the external server")
	}
	// The subscriber shares the relay's connection, which re-subscribes
	// before it publishes again; core NATS keeps nothing for a subscriber
	// that is not connected.
	ch := collect(t, b)
	pub := &failSignal{Publisher: b, failed: make(chan error, 1)}
	relay := natsbus.NewRelay(nil, nil, pub)
	st := newStore(t, relay.Notify)
	openRelay(t, relay, st)

	mustAppendNotes(t, st, 3)
	counts := map[int64]int{}
	receiveSeqs(t, ch, 4, counts)

	srv.Shutdown()
	srv.WaitForShutdown()
	mustAppendNotes(t, st, 3)
	select {
	case err := <-pub.failed:
		if got, want := bluelamp.KindOf(err), bluelamp.KindUnavailable; got != want {
			t.Fatalf("publish while down: kind %q, want %q (%v)", got, want, err)
		}
	case <-time.After(timeout):
		t.Fatal("relay did not try to publish while the server was down")
	}
	if b.Connected() {
		t.Fatal("bus reports connected while the server is down")
	}
	if got := relay.Stats().Lag[testForce]; got <= 0 {
		t.Fatalf("lag while down %d, want > 0", got)
	}

	startServer(t, port)
	receiveSeqs(t, ch, 7, counts)
	if err := relay.Close(); err != nil {
		t.Fatalf("close relay: %v", err)
	}
	if !b.Connected() {
		t.Fatal("bus not connected after the server returned")
	}
	for s := int64(1); s <= 7; s++ {
		if counts[s] == 0 {
			t.Errorf("seq %d never received", s)
		}
	}
	dups := 0
	for _, n := range counts {
		dups += n - 1
	}
	t.Logf("7 events received once each after dedup by seq; %d raw duplicates", dups)
	if st := relay.Stats(); st.LastError != nil || st.Failures == 0 {
		t.Fatalf("stats after recovery: last error %v, failures %d; want nil and > 0", st.LastError, st.Failures)
	}
}
