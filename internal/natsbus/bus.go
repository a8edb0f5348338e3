// Package natsbus is the bluelamp bus on NATS, embedded in the process or
// external, and the outbox relay that publishes committed events to it
// (DESIGN §5). The store is the source of truth: the bus carries copies of
// committed events, at least once, and consumers dedupe by (force, seq).
package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// SubjectPrefix is the start of every event subject: a force's events are
// published on SubjectPrefix + force, e.g. "bluelamp.events.metropolitan".
const SubjectPrefix = "bluelamp.events."

// Subject returns the subject force's events are published on.
func Subject(force bluelamp.ForceID) string { return SubjectPrefix + string(force) }

// Bus publishes committed events to NATS and delivers them to subscribers.
// With an empty URL it runs an in-process nats-server that opens no TCP port
// (so it never clashes with a NATS already on the machine); otherwise it
// connects to the NATS at URL and reconnects forever when it goes away.
type Bus struct {
	URL string // nats://host:port[,nats://...]; empty for the embedded server

	// Optional settings, set before Open.
	Name          string        // client name the NATS server shows
	Logger        *slog.Logger  // connection changes and asynchronous errors
	FlushTimeout  time.Duration // bound on the PING/PONG round trip that confirms a publish
	ReconnectWait time.Duration // pause between reconnect attempts to an external server
	DrainTimeout  time.Duration // bound on Close's drain of the connection

	srv    *server.Server // the embedded server; nil for an external one
	nc     *nats.Conn
	closed chan struct{} // closed when the connection has closed for good
}

// New returns a Bus for url (empty for the embedded server) with defaults set.
func New(url string) *Bus {
	return &Bus{
		URL:           url,
		Name:          "bluelamp",
		Logger:        slog.Default(),
		FlushTimeout:  5 * time.Second,
		ReconnectWait: time.Second,
		DrainTimeout:  5 * time.Second,
	}
}

// Open starts the embedded server, if any, and connects. With an external
// URL, Open succeeds even when the server cannot be reached yet: the bus
// keeps trying, Connected reports false meanwhile and Publish fails with
// KindUnavailable. Open fails with KindInvalid for a malformed URL and
// KindUnavailable when the embedded server does not start.
func (b *Bus) Open() error {
	b.closed = make(chan struct{})
	var closeOnce sync.Once
	opts := []nats.Option{
		nats.Name(b.Name),
		// A publish while disconnected fails rather than being buffered in
		// memory, so the relay keeps the event in the outbox and retries.
		nats.ReconnectBufSize(-1),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(b.ReconnectWait),
		nats.RetryOnFailedConnect(true),
		nats.DrainTimeout(b.DrainTimeout),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.Logger.Warn("bus disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.Logger.Info("bus reconnected", "url", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			b.Logger.Warn("bus error", "subject", subject, "err", err)
		}),
		nats.ClosedHandler(func(*nats.Conn) { closeOnce.Do(func() { close(b.closed) }) }),
	}
	url := b.URL
	if url == "" {
		srv, err := server.NewServer(&server.Options{
			ServerName: b.Name,
			DontListen: true,
			NoLog:      true,
			NoSigs:     true,
		})
		if err != nil {
			return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Message: "the embedded bus did not start", Err: err}
		}
		srv.Start()
		if !srv.ReadyForConnections(10 * time.Second) {
			srv.Shutdown()
			return bluelamp.Errorf(bluelamp.KindUnavailable, "the embedded bus did not start")
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if b.srv != nil {
			b.srv.Shutdown()
			b.srv.WaitForShutdown()
		}
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Message: "the bus URL is not valid", Err: err}
	}
	b.nc = nc
	if !nc.IsConnected() {
		b.Logger.Warn("bus not reachable yet; retrying", "url", redact(url))
	}
	return nil
}

// Close drains the connection (subscribers receive what the server already
// sent them), waits for it to close within DrainTimeout, then shuts the
// embedded server down. It is safe to call on a Bus that did not open.
func (b *Bus) Close() error {
	if b.nc == nil {
		return nil
	}
	var err error
	if derr := b.nc.Drain(); derr != nil && !errors.Is(derr, nats.ErrConnectionClosed) && !errors.Is(derr, nats.ErrConnectionReconnecting) {
		err = fmt.Errorf("drain bus connection: %w", derr)
	}
	timer := time.NewTimer(b.DrainTimeout + time.Second)
	defer timer.Stop()
	select {
	case <-b.closed:
	case <-timer.C:
		b.nc.Close()
	}
	if b.srv != nil {
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
	}
	return err
}

// Connected reports whether the bus is connected to its server now. The
// embedded bus is connected from Open to Close.
func (b *Bus) Connected() bool { return b.nc != nil && b.nc.IsConnected() }

// Publish publishes each event as JSON on its force's subject, in order, then
// waits for the server to answer a PING so that success means the server has
// every one of them. It fails with KindUnavailable when the bus is
// disconnected (nothing is buffered for later), the round trip takes longer
// than FlushTimeout, or ctx ends first; some events may then have reached the
// server, so a retry can publish them twice. KindInvalid if an event has no
// valid force. Safe for concurrent use.
func (b *Bus) Publish(ctx context.Context, events []*bluelamp.Event) error {
	if b.nc == nil {
		return bluelamp.Errorf(bluelamp.KindUnavailable, "the bus is not open")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, e := range events {
		if !e.ForceID.Valid() {
			return bluelamp.Errorf(bluelamp.KindInvalid, "event %d has no valid force", e.Seq)
		}
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event %s/%d: %w", e.ForceID, e.Seq, err)
		}
		if err := b.nc.Publish(Subject(e.ForceID), data); err != nil {
			return unavailable(fmt.Errorf("publish event %s/%d: %w", e.ForceID, e.Seq, err))
		}
	}
	fctx, cancel := context.WithTimeout(ctx, b.FlushTimeout)
	defer cancel()
	if err := b.nc.FlushWithContext(fctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return unavailable(fmt.Errorf("flush bus: %w", err))
	}
	return nil
}

// Subscribe calls fn with every event published on the bus, of every force,
// from one goroutine at a time in the order the server delivered them. The
// bus is at-least-once and lossy under overload (a subscriber that falls far
// behind loses messages), so fn must dedupe by (force, seq) and refill gaps
// from the store. fn must not call stop. After stop returns, fn is not
// called again and is not running. Messages that are not events are logged
// and skipped.
func (b *Bus) Subscribe(fn func(*bluelamp.Event)) (stop func(), err error) {
	if b.nc == nil {
		return nil, bluelamp.Errorf(bluelamp.KindUnavailable, "the bus is not open")
	}
	// mu makes stop wait for a call of fn in progress; stopped is guarded by mu.
	var mu sync.Mutex
	stopped := false
	sub, err := b.nc.Subscribe(SubjectPrefix+"*", func(m *nats.Msg) {
		var e bluelamp.Event
		if err := json.Unmarshal(m.Data, &e); err != nil {
			b.Logger.Warn("bus message is not an event", "subject", m.Subject, "err", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			fn(&e)
		}
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("subscribe to events: %w", err))
	}
	return func() {
		_ = sub.Unsubscribe() // fails only when the connection is already closed
		mu.Lock()
		stopped = true
		mu.Unlock()
	}, nil
}

func unavailable(err error) error {
	return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Message: "the bus is unavailable", Err: err}
}

// redact hides any credentials in a NATS URL list before it is logged.
func redact(url string) string {
	if url == "" {
		return "embedded"
	}
	if strings.Contains(url, "@") {
		return "(url with credentials)"
	}
	return url
}
