// Package live fans committed events out to connected clients (DESIGN §6):
// consoles and phones get each event of their force within milliseconds, and
// a client that reconnects with the last sequence it saw gets exactly what it
// missed. The bus is lossy and at least once; the hub dedupes by (force, seq)
// and refills gaps from the store, which is the record.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Bus is what the hub needs of the bus; *natsbus.Bus is one. fn is called
// from one goroutine at a time; after stop returns it is not called again.
type Bus interface {
	Subscribe(fn func(*bluelamp.Event)) (stop func(), err error)
}

// EventReader is what the hub needs of bluelamp.EventStore.
type EventReader interface {
	FindEvents(ctx context.Context, f bluelamp.EventFilter) ([]*bluelamp.Event, error)
	FindHead(ctx context.Context) (bluelamp.Head, error)
	FindHeads(ctx context.Context) ([]bluelamp.Head, error)
}

// Errors Stream returns that callers branch on.
var (
	// ErrSlowClient means the client fell more than Buffer events behind and
	// was cut off; it should reconnect with the last sequence it received.
	ErrSlowClient = &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "slow_client", Message: "the live stream fell too far behind; reconnect to resume"}
	// ErrClosed means the hub is closed or shutting down.
	ErrClosed = &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "shutting_down", Message: "bluelamp is shutting down; try again shortly"}
	// ErrAhead means the client asked to resume after a sequence its force's
	// log has not reached; it should reload rather than resume.
	ErrAhead = &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "last_event_id_ahead", Message: "the last event id is past the end of the log; reload to continue"}
)

// Hub receives committed events from the bus and fans each out to the
// clients streaming its force. It keeps the last sequence it delivered per
// force: it ignores duplicates, refills a gap from the store before
// delivering what follows it, and every ResyncInterval delivers from the
// store anything committed an interval ago that the bus has not brought, so
// clients stay live while the bus is down. A client whose buffer is full is
// cut off rather than allowed to hold up the others.
type Hub struct {
	Bus    Bus
	Events EventReader

	// Optional settings, set before Open.
	Logger         *slog.Logger
	Buffer         int           // events a client may fall behind before it is cut off
	PageSize       int           // events read from the store at a time
	ResyncInterval time.Duration // how often the hub compares its position with the store's heads
	// OnEvent, when set, is given every event the hub delivers, in order
	// per force and once each, before clients get it: in-memory indexes
	// (dispatch) keep up with the log through it. It must not block.
	OnEvent func(*bluelamp.Event)

	ctx    context.Context // cancelled by Close; bounds the hub's store reads
	cancel context.CancelFunc
	stop   func() // ends the bus subscription
	wg     sync.WaitGroup

	// ingestMu serialises ingestion (bus deliveries and resyncs); it guards
	// last and seen.
	ingestMu sync.Mutex
	last     map[bluelamp.ForceID]int64 // last sequence delivered per force
	seen     map[bluelamp.ForceID]int64 // heads as of the previous resync

	// mu guards clients and closed.
	mu      sync.Mutex
	clients map[bluelamp.ForceID]map[*client]struct{}
	closed  bool

	received, duplicates, refilled, cutOff atomic.Int64
}

// client is one Stream's subscription.
type client struct {
	ch     chan *bluelamp.Event
	reason error // why ch was closed; written under Hub.mu before the close
}

// NewHub returns a Hub fed by bus that reads gaps from events, with defaults set.
func NewHub(bus Bus, events EventReader) *Hub {
	return &Hub{
		Bus:            bus,
		Events:         events,
		Logger:         slog.Default(),
		Buffer:         1024,
		PageSize:       500,
		ResyncInterval: time.Second,
	}
}

// Open reads every force's head, as the point from which the hub delivers,
// subscribes to the bus and starts the resync. It fails when the store or
// the bus is unavailable.
func (h *Hub) Open() error {
	ctx, cancel := context.WithCancel(context.Background())
	heads, err := h.Events.FindHeads(bluelamp.SystemContext(ctx, "", "live"))
	if err != nil {
		cancel()
		return fmt.Errorf("find heads: %w", err)
	}
	h.last, h.seen = map[bluelamp.ForceID]int64{}, map[bluelamp.ForceID]int64{}
	for _, hd := range heads {
		h.last[hd.ForceID], h.seen[hd.ForceID] = hd.Seq, hd.Seq
	}
	h.mu.Lock()
	h.clients = map[bluelamp.ForceID]map[*client]struct{}{}
	h.mu.Unlock()
	h.ctx, h.cancel = ctx, cancel
	if h.stop, err = h.Bus.Subscribe(h.receive); err != nil {
		cancel()
		return fmt.Errorf("subscribe to the bus: %w", err)
	}
	h.wg.Go(func() { h.resyncLoop(ctx) })
	return nil
}

// Close unsubscribes from the bus, stops the resync and ends every Stream
// with ErrClosed.
func (h *Hub) Close() error {
	if h.cancel == nil {
		return nil
	}
	h.cancel()
	h.stop()
	h.wg.Wait()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, cs := range h.clients {
		for c := range cs {
			c.reason = ErrClosed
			close(c.ch)
		}
	}
	clear(h.clients)
	return nil
}

// HubStats is a snapshot of the hub's counters, for metrics.
type HubStats struct {
	Clients    int   // Streams connected now
	Received   int64 // events received from the bus
	Duplicates int64 // of those, already delivered and ignored
	Refilled   int64 // events delivered from the store to fill gaps
	CutOff     int64 // clients cut off for falling behind
}

// Stats returns a snapshot of the hub's counters. Safe for concurrent use.
func (h *Hub) Stats() HubStats {
	h.mu.Lock()
	n := 0
	for _, cs := range h.clients {
		n += len(cs)
	}
	h.mu.Unlock()
	return HubStats{
		Clients:    n,
		Received:   h.received.Load(),
		Duplicates: h.duplicates.Load(),
		Refilled:   h.refilled.Load(),
		CutOff:     h.cutOff.Load(),
	}
}

// receive ingests one event from the bus.
func (h *Hub) receive(e *bluelamp.Event) {
	h.received.Add(1)
	h.ingestMu.Lock()
	defer h.ingestMu.Unlock()
	last := h.last[e.ForceID]
	if e.Seq <= last {
		h.duplicates.Add(1)
		return
	}
	if e.Seq > last+1 {
		h.refill(e.ForceID, e.Seq-1)
	}
	// A refill that failed leaves a gap; each Stream fills it from the store.
	h.fanOut(e)
	h.last[e.ForceID] = e.Seq
}

// refill delivers force's events from the store after the last delivered up
// to and including to. The caller holds ingestMu.
func (h *Hub) refill(force bluelamp.ForceID, to int64) {
	ctx := bluelamp.SystemContext(h.ctx, force, "live")
	for h.last[force] < to {
		after := h.last[force]
		page, err := h.Events.FindEvents(ctx, bluelamp.EventFilter{After: after, Limit: int(min(int64(h.PageSize), to-after))})
		if err != nil {
			if h.ctx.Err() == nil {
				h.Logger.Warn("live gap not refilled", "force", force, "after", after, "to", to, "err", err)
			}
			return
		}
		if len(page) == 0 {
			return
		}
		for _, e := range page {
			if e.Seq > to {
				return
			}
			h.fanOut(e)
			h.last[force] = e.Seq
			h.refilled.Add(1)
		}
	}
}

// fanOut hands e to every client of its force without waiting: a client
// whose buffer is full is cut off.
func (h *Hub) fanOut(e *bluelamp.Event) {
	if h.OnEvent != nil {
		h.OnEvent(e)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	cs := h.clients[e.ForceID]
	for c := range cs {
		select {
		case c.ch <- e:
		default:
			c.reason = ErrSlowClient
			close(c.ch)
			delete(cs, c)
			h.cutOff.Add(1)
		}
	}
}

func (h *Hub) resyncLoop(ctx context.Context) {
	t := time.NewTicker(h.ResyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.resync(ctx)
		}
	}
}

// resync delivers from the store what was committed by the previous resync
// and has still not come over the bus: lost in a slow-consumer drop, sent
// while this node was disconnected, or not sent because the bus is down.
// Waiting one interval leaves the relay time to publish a fresh commit.
func (h *Hub) resync(ctx context.Context) {
	heads, err := h.Events.FindHeads(bluelamp.SystemContext(ctx, "", "live"))
	if err != nil {
		if ctx.Err() == nil {
			h.Logger.Warn("live resync failed", "err", err)
		}
		return
	}
	h.ingestMu.Lock()
	defer h.ingestMu.Unlock()
	for _, hd := range heads {
		if prev := h.seen[hd.ForceID]; prev > h.last[hd.ForceID] {
			h.refill(hd.ForceID, prev)
		}
		h.seen[hd.ForceID] = hd.Seq
	}
}

// subscribe registers a client of force.
func (h *Hub) subscribe(force bluelamp.ForceID) (*client, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.clients == nil {
		return nil, ErrClosed
	}
	c := &client{ch: make(chan *bluelamp.Event, h.Buffer)}
	cs := h.clients[force]
	if cs == nil {
		cs = map[*client]struct{}{}
		h.clients[force] = cs
	}
	cs[c] = struct{}{}
	return c, nil
}

// unsubscribe removes a client that is still registered.
func (h *Hub) unsubscribe(force bluelamp.ForceID, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if cs := h.clients[force]; cs != nil {
		delete(cs, c)
		if len(cs) == 0 {
			delete(h.clients, force)
		}
	}
}
