// Package attendance watches attendance clocks: when an open incident's
// target passes with no unit at scene, it records the breach in the
// incident's log, so the breach is part of the record and every console
// hears of it at once (issue 3, DOMAIN 2.4).
package attendance

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Store is what the watcher needs.
type Store interface {
	FindForces(ctx context.Context) ([]*bluelamp.Force, error)
	FindForceSettings(ctx context.Context) (*bluelamp.ForceSettings, error)
	FindIncidents(ctx context.Context, f bluelamp.IncidentFilter) ([]*bluelamp.Incident, int, error)
	RecordBreach(ctx context.Context, id bluelamp.IncidentID, basis bluelamp.ClockBasis) (bool, error)
}

// Watcher checks every force's open incidents on a ticker. Several nodes
// may each run one: RecordBreach records a breach once however many ask.
type Watcher struct {
	Store    Store
	Now      func() time.Time
	Interval time.Duration // default 5s
	Logger   *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewWatcher returns a watcher over s with defaults set.
func NewWatcher(s Store) *Watcher {
	return &Watcher{Store: s, Now: time.Now, Interval: 5 * time.Second, Logger: slog.Default()}
}

// Open starts watching.
func (w *Watcher) Open() error {
	if w.Store == nil || w.Now == nil || w.Interval <= 0 || w.Logger == nil {
		return fmt.Errorf("attendance watcher: store, clock, interval and logger are required")
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Go(func() { w.run(ctx) })
	return nil
}

// Close stops watching and waits for a check in progress.
func (w *Watcher) Close() error {
	if w.cancel != nil {
		w.cancel()
		w.wg.Wait()
	}
	return nil
}

func (w *Watcher) run(ctx context.Context) {
	tick := time.NewTicker(w.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if n, err := w.Check(ctx); err != nil && ctx.Err() == nil {
				w.Logger.Warn("attendance check", "err", err)
			} else if n > 0 {
				w.Logger.Info("attendance breaches recorded", "count", n)
			}
		}
	}
}

// Check records every breach due now across all forces and returns how
// many it recorded. It carries on past one force's failure and returns the
// first error.
func (w *Watcher) Check(ctx context.Context) (int, error) {
	forces, err := w.Store.FindForces(bluelamp.SystemContext(ctx, "", "attendance"))
	if err != nil {
		return 0, fmt.Errorf("list forces: %w", err)
	}
	total := 0
	var first error
	for _, f := range forces {
		n, err := w.checkForce(bluelamp.SystemContext(ctx, f.ID, "attendance"))
		total += n
		if err != nil && first == nil {
			first = fmt.Errorf("force %s: %w", f.ID, err)
		}
	}
	return total, first
}

// pageSize bounds one read of open incidents.
const pageSize = 5000

func (w *Watcher) checkForce(ctx context.Context) (int, error) {
	fs, err := w.Store.FindForceSettings(ctx)
	if err != nil {
		return 0, err
	}
	open := bluelamp.IncidentOpen
	n := 0
	for offset := 0; ; offset += pageSize {
		incs, total, err := w.Store.FindIncidents(ctx, bluelamp.IncidentFilter{Status: &open, Limit: pageSize, Offset: offset})
		if err != nil {
			return n, err
		}
		now := w.Now()
		for _, inc := range incs {
			for _, c := range bluelamp.AttendanceClocks(inc, fs.Grade(inc.Grade), now) {
				if c.State != bluelamp.ClockBreached || slices.Contains(inc.Breaches, c.Basis) {
					continue
				}
				ok, err := w.Store.RecordBreach(ctx, inc.ID, c.Basis)
				if err != nil {
					return n, fmt.Errorf("record breach of %s: %w", inc.Number, err)
				}
				if ok {
					n++
				}
			}
		}
		if offset+len(incs) >= total || len(incs) == 0 {
			return n, nil
		}
	}
}
