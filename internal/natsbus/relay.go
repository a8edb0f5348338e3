package natsbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// EventReader is what the relay needs of bluelamp.EventStore.
type EventReader interface {
	FindEvents(ctx context.Context, f bluelamp.EventFilter) ([]*bluelamp.Event, error)
	FindHeads(ctx context.Context) ([]bluelamp.Head, error)
}

// Publisher puts committed events on the bus; *Bus is one. Publish returns
// nil only once the bus holds every event given, in order.
type Publisher interface {
	Publish(ctx context.Context, events []*bluelamp.Event) error
}

var _ Publisher = (*Bus)(nil)

// Relay is the outbox: it publishes every force's committed events to the
// bus in sequence order and remembers how far it got. A commit wakes it
// through Notify, and a poll picks up commits made by other nodes. When
// publishing fails the position does not move and the relay retries with
// backoff, so an event committed while the bus is down is published when it
// returns. Positions are saved about once a second and on Close, so delivery
// is at least once: after a crash up to SaveInterval of events is published
// again, and consumers dedupe by (force, seq). Every node runs a relay over
// the shared database, but only the one holding the store's outbox lease
// publishes; the others stand by, and the first to find the lease free
// takes over from the saved positions.
type Relay struct {
	Events    EventReader          // the log it publishes
	Cursors   bluelamp.OutboxStore // where positions are saved
	Publisher Publisher            // the bus

	// Optional settings, set before Open.
	Logger       *slog.Logger
	PollInterval time.Duration // fallback poll for commits made by other nodes
	SaveInterval time.Duration // how often published positions are saved
	PageSize     int           // events read and published together
	MinBackoff   time.Duration // first pause after a failed pass; doubles up to MaxBackoff
	MaxBackoff   time.Duration
	DrainTimeout time.Duration // bound on Close's final publishing

	notify   chan struct{}
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	closeErr error // set by the run goroutine before it returns

	// mu guards the fields below. Only the run goroutine writes them.
	mu        sync.Mutex
	cursors   map[bluelamp.ForceID]int64 // last published seq per force
	heads     map[bluelamp.ForceID]int64 // head seq per force as of the latest pass
	dirty     bool                       // cursors moved since they were last saved
	published int64
	failures  int64
	lastErr   error
	leader    bool // holds the outbox lease as of the latest pass
}

// NewRelay returns a Relay over the store's events and outbox cursors that
// publishes to pub, with defaults set.
func NewRelay(events EventReader, cursors bluelamp.OutboxStore, pub Publisher) *Relay {
	return &Relay{
		Events:       events,
		Cursors:      cursors,
		Publisher:    pub,
		Logger:       slog.Default(),
		PollInterval: 200 * time.Millisecond,
		SaveInterval: time.Second,
		PageSize:     500,
		MinBackoff:   50 * time.Millisecond,
		MaxBackoff:   2 * time.Second,
		DrainTimeout: 10 * time.Second,
		notify:       make(chan struct{}, 1),
	}
}

// Notify wakes the relay to publish new commits. It never blocks, so the
// store may call it from its commit path (wire Store.OnCommit to it); calls
// before Open or after Close are harmless.
func (r *Relay) Notify() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Open loads the saved positions and starts publishing. It fails when the
// positions cannot be read (KindUnavailable when the database is down).
func (r *Relay) Open() error {
	cursors, err := r.Cursors.FindOutboxCursors(bluelamp.SystemContext(context.Background(), "", "outbox"))
	if err != nil {
		return fmt.Errorf("load outbox cursors: %w", err)
	}
	if cursors == nil {
		cursors = map[bluelamp.ForceID]int64{}
	}
	r.mu.Lock()
	r.cursors, r.heads = cursors, map[bluelamp.ForceID]int64{}
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Go(func() { r.closeErr = r.run(ctx) })
	return nil
}

// Close stops the relay after publishing everything committed before it was
// called (within DrainTimeout) and saving the positions. It returns why the
// drain or the save failed, if either did; what was not published then is
// published by the next Open. The store and the bus must still be open.
func (r *Relay) Close() error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	r.wg.Wait()
	return r.closeErr
}

// RelayStats is a snapshot of the relay's progress, for metrics.
type RelayStats struct {
	Published int64                      // events published since Open; a republished event counts again
	Failures  int64                      // passes that failed since Open
	Lag       map[bluelamp.ForceID]int64 // per force: head − last published seq, as of the latest pass
	LastError error                      // why the latest pass failed; nil once a pass succeeds
	Leader    bool                       // this node holds the outbox lease and publishes
}

// Stats returns a snapshot of the relay's progress. Safe for concurrent use.
func (r *Relay) Stats() RelayStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	lag := make(map[bluelamp.ForceID]int64, len(r.heads))
	for f, h := range r.heads {
		if r.leader { // a standby publishes nothing, so has no lag of its own
			lag[f] = max(0, h-r.cursors[f])
		}
	}
	return RelayStats{Published: r.published, Failures: r.failures, Lag: lag, LastError: r.lastErr, Leader: r.leader}
}

// run publishes until ctx ends, then drains.
func (r *Relay) run(ctx context.Context) error {
	poll := time.NewTicker(r.PollInterval)
	defer poll.Stop()
	lastSave := time.Now()
	var backoff time.Duration
	for {
		switch err := r.pass(ctx); {
		case ctx.Err() != nil:
			// Close interrupted the pass; the drain repeats it.
		case err != nil:
			backoff = min(max(2*backoff, r.MinBackoff), r.MaxBackoff)
		default:
			backoff = 0
		}
		if time.Since(lastSave) >= r.SaveInterval {
			lastSave = time.Now()
			if err := r.save(ctx); err != nil {
				r.Logger.Warn("outbox cursors not saved", "err", err)
			}
		}
		if backoff > 0 {
			timer := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				timer.Stop()
				return r.drain(ctx)
			case <-timer.C:
			}
			continue
		}
		select {
		case <-ctx.Done():
			return r.drain(ctx)
		case <-r.notify:
		case <-poll.C:
		}
	}
}

// drain publishes what is committed, retrying until DrainTimeout, then
// saves the positions.
func (r *Relay) drain(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	dctx, cancel := context.WithTimeout(ctx, r.DrainTimeout)
	defer cancel()
	backoff := r.MinBackoff
	var perr error
	for {
		if perr = r.pass(dctx); perr == nil {
			break
		}
		timer := time.NewTimer(backoff)
		select {
		case <-dctx.Done():
			timer.Stop()
		case <-timer.C:
			backoff = min(2*backoff, r.MaxBackoff)
			continue
		}
		break
	}
	if perr != nil {
		perr = fmt.Errorf("drain outbox: %w", perr)
	}
	// The save gets its own deadline: a drain that ran out of time must
	// still record what it did publish.
	sctx, scancel := context.WithTimeout(ctx, 5*time.Second)
	defer scancel()
	return errors.Join(perr, r.save(sctx))
}

// pass publishes every force's events between its position and its head,
// and records the outcome unless ctx ended. A force that fails does not hold
// the others back.
func (r *Relay) pass(ctx context.Context) error {
	err := r.publishAll(ctx)
	if ctx.Err() == nil {
		r.result(err)
	}
	return err
}

func (r *Relay) publishAll(ctx context.Context) error {
	if ok, err := r.lead(ctx); err != nil || !ok {
		return err
	}
	heads, err := r.Events.FindHeads(bluelamp.SystemContext(ctx, "", "outbox"))
	if err != nil {
		return fmt.Errorf("find heads: %w", err)
	}
	r.mu.Lock()
	for _, h := range heads {
		r.heads[h.ForceID] = h.Seq
	}
	r.mu.Unlock()
	var errs []error
	for _, h := range heads {
		if err := r.publishForce(ctx, h); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// lead reports whether this relay holds the outbox lease. On taking it
// over, it starts from the saved positions: the previous holder's, which
// are at most SaveInterval behind what it published.
func (r *Relay) lead(ctx context.Context) (bool, error) {
	dctx := bluelamp.SystemContext(ctx, "", "outbox")
	held, err := r.Cursors.HoldOutboxLease(dctx)
	if err != nil {
		return false, fmt.Errorf("hold outbox lease: %w", err)
	}
	r.mu.Lock()
	was := r.leader
	r.mu.Unlock()
	if held && !was {
		cursors, err := r.Cursors.FindOutboxCursors(dctx)
		if err != nil {
			return false, fmt.Errorf("load outbox cursors: %w", err)
		}
		r.mu.Lock()
		for f, c := range cursors {
			r.cursors[f] = max(r.cursors[f], c)
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.leader = held
	r.mu.Unlock()
	return held, nil
}

// publishForce publishes h's force's events after its position up to h, in pages.
func (r *Relay) publishForce(ctx context.Context, h bluelamp.Head) error {
	fctx := bluelamp.SystemContext(ctx, h.ForceID, "outbox")
	for {
		cur := r.cursors[h.ForceID] // only this goroutine writes cursors
		if cur >= h.Seq {
			return nil
		}
		page, err := r.Events.FindEvents(fctx, bluelamp.EventFilter{After: cur, Limit: r.PageSize})
		if err != nil {
			return fmt.Errorf("read events of %s after %d: %w", h.ForceID, cur, err)
		}
		if len(page) == 0 {
			return fmt.Errorf("read events of %s after %d: none up to head %d", h.ForceID, cur, h.Seq)
		}
		if err := r.Publisher.Publish(ctx, page); err != nil {
			return fmt.Errorf("publish events of %s after %d: %w", h.ForceID, cur, err)
		}
		r.mu.Lock()
		r.cursors[h.ForceID] = page[len(page)-1].Seq
		r.published += int64(len(page))
		r.dirty = true
		r.mu.Unlock()
	}
}

// result records the outcome of a pass and logs when the relay starts or
// stops failing, once each rather than on every retry.
func (r *Relay) result(err error) {
	r.mu.Lock()
	was := r.lastErr
	r.lastErr = err
	if err != nil {
		r.failures++
	}
	r.mu.Unlock()
	switch {
	case err != nil && was == nil:
		r.Logger.Warn("outbox relay failing; retrying", "err", err)
	case err == nil && was != nil:
		r.Logger.Info("outbox relay recovered")
	}
}

// save records the positions if they moved since the last save.
func (r *Relay) save(ctx context.Context) error {
	r.mu.Lock()
	if !r.dirty {
		r.mu.Unlock()
		return nil
	}
	cursors := maps.Clone(r.cursors)
	r.dirty = false
	r.mu.Unlock()
	if err := r.Cursors.SaveOutboxCursors(bluelamp.SystemContext(ctx, "", "outbox"), cursors); err != nil {
		r.mu.Lock()
		r.dirty = true
		r.mu.Unlock()
		return fmt.Errorf("save outbox cursors: %w", err)
	}
	return nil
}
