package avl

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// PruneStore is what the pruner needs.
type PruneStore interface {
	FindForces(ctx context.Context) ([]*bluelamp.Force, error)
	PrunePositions(ctx context.Context) (int, error)
}

// Pruner deletes position history past each force's retention, on a
// ticker. Nodes sharing a database may all run one: a delete done twice
// deletes nothing the second time.
type Pruner struct {
	Store    PruneStore
	Interval time.Duration
	Logger   *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewPruner returns a pruner running hourly.
func NewPruner(s PruneStore) *Pruner {
	return &Pruner{Store: s, Interval: time.Hour, Logger: slog.Default()}
}

// Open starts pruning, first at once.
func (p *Pruner) Open() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.wg.Go(func() {
		tick := time.NewTicker(p.Interval)
		defer tick.Stop()
		for {
			p.PruneAll(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
}

// Close stops pruning and waits for a pass under way.
func (p *Pruner) Close() error {
	if p.cancel != nil {
		p.cancel()
		p.wg.Wait()
	}
	return nil
}

// PruneAll prunes every force once.
func (p *Pruner) PruneAll(ctx context.Context) {
	forces, err := p.Store.FindForces(bluelamp.SystemContext(ctx, "", "avl-prune"))
	if err != nil {
		p.Logger.Warn("avl: list forces to prune", "error", err)
		return
	}
	for _, f := range forces {
		n, err := p.Store.PrunePositions(bluelamp.SystemContext(ctx, f.ID, "avl-prune"))
		switch {
		case err != nil && ctx.Err() == nil:
			p.Logger.Warn("avl: prune position history", "force", f.ID, "error", err)
		case n > 0:
			p.Logger.Info("avl: pruned position history", "force", f.ID, "deleted", n)
		}
	}
}
