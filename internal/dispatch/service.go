package dispatch

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Store is what the Service reads at start and when it reloads a force.
type Store interface {
	FindForces(ctx context.Context) ([]*bluelamp.Force, error)
	FindForceSettings(ctx context.Context) (*bluelamp.ForceSettings, error)
	FindHead(ctx context.Context) (bluelamp.Head, error)
	FindUnits(ctx context.Context) ([]*bluelamp.Unit, error)
	FindIncidents(ctx context.Context, f bluelamp.IncidentFilter) ([]*bluelamp.Incident, int, error)
}

// Service keeps an Index per force in step with the log and recommends
// units for incidents (DESIGN §7: the dispatch index lives in memory, is
// rebuilt from the store at start and follows committed events). Events
// reach it through Apply, from the live hub and from this node's own
// commits, so they may come twice or out of order between the two feeds:
// each unit and incident keeps the sequence of the event it was last set
// from, and older news is ignored. A periodic reload heals anything a lost
// event could have left wrong, and the store re-checks every assignment
// anyway.
type Service struct {
	Store  Store
	Now    func() time.Time
	Logger *slog.Logger
	// ReloadInterval is how often every force is rebuilt from the store.
	ReloadInterval time.Duration

	// mu guards forces.
	mu     sync.RWMutex
	forces map[bluelamp.ForceID]*force

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// force is one force's index and what classifying its units needs.
type force struct {
	// mu guards the fields below; idx has its own lock.
	mu       sync.Mutex
	idx      *Index
	settings *bluelamp.ForceSettings
	units    map[bluelamp.UnitID]*bluelamp.Unit
	grades   map[bluelamp.IncidentID]bluelamp.Grade // open incidents' grades
	floor    int64                                  // the log's head when loaded: older events are already in
	unitSeq  map[bluelamp.UnitID]int64              // the event each unit was last set from
	incSeq   map[bluelamp.IncidentID]int64          // the event each grade was last set from
	setSeq   int64                                  // the event the settings were last set from
}

// fresh reports whether an event at seq about a record last set at *last
// is news, and records it.
func fresh(seq int64, last *int64, floor int64) bool {
	if seq <= floor || seq <= *last {
		return false
	}
	*last = seq
	return true
}

// NewService returns a Service over s with defaults set.
func NewService(s Store) *Service {
	return &Service{Store: s, Now: time.Now, Logger: slog.Default(), ReloadInterval: time.Minute, forces: map[bluelamp.ForceID]*force{}}
}

// Open loads every force and starts the periodic reload.
func (s *Service) Open(ctx context.Context) error {
	if err := s.reloadAll(ctx); err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Go(func() {
		tick := time.NewTicker(s.ReloadInterval)
		defer tick.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-tick.C:
				if err := s.reloadAll(rctx); err != nil && rctx.Err() == nil {
					s.Logger.Warn("dispatch index reload", "err", err)
				}
			}
		}
	})
	return nil
}

// Close stops the reload.
func (s *Service) Close() error {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
	return nil
}

func (s *Service) reloadAll(ctx context.Context) error {
	forces, err := s.Store.FindForces(bluelamp.SystemContext(ctx, "", "dispatch"))
	if err != nil {
		return fmt.Errorf("list forces: %w", err)
	}
	for _, f := range forces {
		if err := s.reload(ctx, f.ID); err != nil {
			return fmt.Errorf("load force %s: %w", f.ID, err)
		}
	}
	return nil
}

// reload rebuilds one force's index from the store.
func (s *Service) reload(ctx context.Context, id bluelamp.ForceID) error {
	fctx := bluelamp.SystemContext(ctx, id, "dispatch")
	head, err := s.Store.FindHead(fctx)
	if err != nil {
		return err
	}
	fs, err := s.Store.FindForceSettings(fctx)
	if err != nil {
		return err
	}
	units, err := s.Store.FindUnits(fctx)
	if err != nil {
		return err
	}
	f := &force{settings: fs, units: map[bluelamp.UnitID]*bluelamp.Unit{}, grades: map[bluelamp.IncidentID]bluelamp.Grade{},
		floor: head.Seq, unitSeq: map[bluelamp.UnitID]int64{}, incSeq: map[bluelamp.IncidentID]int64{}}
	open := bluelamp.IncidentOpen
	for offset := 0; ; {
		incs, total, err := s.Store.FindIncidents(fctx, bluelamp.IncidentFilter{Status: &open, Limit: 10000, Offset: offset})
		if err != nil {
			return err
		}
		for _, inc := range incs {
			f.grades[inc.ID] = inc.Grade
		}
		offset += len(incs)
		if len(incs) == 0 || offset >= total {
			break
		}
	}
	f.idx = NewIndex(estimator(fs))
	for _, u := range units {
		f.put(u)
	}
	s.mu.Lock()
	s.forces[id] = f
	s.mu.Unlock()
	return nil
}

func estimator(fs *bluelamp.ForceSettings) Estimator {
	return StraightLine{RoadFactor: fs.RoadFactor, SpeedKPH: fs.SpeedKPH, TypeSpeedKPH: fs.TypeSpeedKPH}
}

// put records u and places it in the index. The caller holds f.mu.
func (f *force) put(u *bluelamp.Unit) {
	f.units[u.ID] = u
	du := Unit{ID: int64(u.ID), NoPosition: u.Position == nil, Availability: f.classify(u), Type: u.Type, CurrentIncident: int64(u.IncidentID)}
	if u.Position != nil {
		du.Lat, du.Lon = u.Position.Lat, u.Position.Lon
	}
	for _, k := range u.Skills {
		sk := Skill{Code: string(k.Skill)}
		if k.Expires != nil {
			sk.Expires = *k.Expires
		}
		du.Skills = append(du.Skills, sk)
	}
	if err := f.idx.Upsert(du); err != nil {
		// A position the store accepted is always valid; keep the unit
		// out of the index rather than recommend it from nowhere.
		du.NoPosition = true
		_ = f.idx.Upsert(du)
	}
}

// classify maps a unit's canonical state onto dispatch availability
// (DOMAIN 3.2): a unit committed to a less urgent job than IMMEDIATE, or
// one that says it is deployable, may be diverted to an IMMEDIATE one.
func (f *force) classify(u *bluelamp.Unit) Availability {
	switch {
	case u.State.Available():
		return Available
	case u.State == bluelamp.StateCommittedDeployable:
		return Divertible
	case u.State == bluelamp.StateAssigned || u.State == bluelamp.StateEnRoute:
		if g, ok := f.grades[u.IncidentID]; ok && g != bluelamp.GradeImmediate {
			return Divertible
		}
	}
	return Unavailable
}

// Apply brings the index up to date with one committed event. It is given
// each event once, in order per force (live.Hub.OnEvent).
func (s *Service) Apply(e *bluelamp.Event) {
	s.mu.RLock()
	f := s.forces[e.ForceID]
	s.mu.RUnlock()
	if f == nil {
		return // a force created since the last load: loaded on first use
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Type == bluelamp.EventUnitCreated {
		var u bluelamp.Unit
		if json.Unmarshal(e.Payload, &u) == nil {
			f.putAt(&u, e.Seq)
		}
		return
	}
	var c bluelamp.Change
	if json.Unmarshal(e.Payload, &c) != nil {
		return
	}
	if c.Settings != nil && fresh(e.Seq, &f.setSeq, f.floor) {
		// The estimator follows the settings: rebuild from what is held.
		f.settings, f.idx = c.Settings, NewIndex(estimator(c.Settings))
		for _, u := range f.units {
			f.put(u)
		}
	}
	for _, inc := range []*bluelamp.Incident{c.Incident, c.Diverted} {
		if inc == nil {
			continue
		}
		last := f.incSeq[inc.ID]
		if !fresh(e.Seq, &last, f.floor) {
			continue
		}
		f.incSeq[inc.ID] = last
		before, had := f.grades[inc.ID]
		if inc.Status == bluelamp.IncidentOpen {
			f.grades[inc.ID] = inc.Grade
		} else {
			delete(f.grades, inc.ID)
		}
		if had && before != inc.Grade {
			// A re-grade changes whether its units may be diverted.
			for _, u := range f.units {
				if u.IncidentID == inc.ID {
					f.put(u)
				}
			}
		}
	}
	if c.Unit != nil {
		f.putAt(c.Unit, e.Seq)
	}
	for _, u := range c.Units {
		f.putAt(u, e.Seq)
	}
}

// putAt puts u if the event at seq is news about it. The caller holds f.mu.
// Its position is news only if newer than the one held: position reports
// reach the index directly (Move), ahead of the events that carry units.
func (f *force) putAt(u *bluelamp.Unit, seq int64) {
	last := f.unitSeq[u.ID]
	if fresh(seq, &last, f.floor) {
		f.unitSeq[u.ID] = last
		if old := f.units[u.ID]; old != nil && old.PositionAt != nil && (u.PositionAt == nil || old.PositionAt.After(*u.PositionAt)) {
			cp := *u
			cp.Position, cp.PositionAt = old.Position, old.PositionAt
			u = &cp
		}
		f.put(u)
	}
}

// Move applies position reports of a force's units, the AVL hot path: a
// report no newer than the unit's position is ignored. A force not loaded
// yet is skipped; its load will read the stored fixes.
func (s *Service) Move(force bluelamp.ForceID, reports []bluelamp.PositionReport) {
	s.mu.RLock()
	f := s.forces[force]
	s.mu.RUnlock()
	if f == nil {
		return
	}
	moves := make([]Move, 0, len(reports))
	f.mu.Lock()
	for k := range reports {
		r := &reports[k]
		u := f.units[r.UnitID]
		if u == nil || (u.PositionAt != nil && !r.At.After(*u.PositionAt)) {
			continue
		}
		// Units are shared with readers only as copies made under f.mu.
		p, at := r.Position(), r.At
		u.Position, u.PositionAt = &p, &at
		moves = append(moves, Move{ID: int64(r.UnitID), Lat: r.Lat, Lon: r.Lon})
	}
	idx := f.idx
	f.mu.Unlock()
	if _, err := idx.Moves(moves); err != nil {
		s.Logger.Warn("dispatch: position reports refused", "force", force, "error", err)
	}
}

// Recommend returns units for inc, nearest by estimated time of arrival:
// available units with every required skill and, for an IMMEDIATE
// incident, divertible ones marked as diversions. Units already assigned to
// inc are left out. An incident with no position gets none.
func (s *Service) Recommend(ctx context.Context, inc *bluelamp.Incident, limit int) ([]*bluelamp.Recommendation, error) {
	a, err := bluelamp.ForceActor(ctx)
	if err != nil {
		return nil, err
	}
	if inc.ForceID != a.ForceID {
		return nil, bluelamp.Errorf(bluelamp.KindNotFound, "incident not found")
	}
	out := []*bluelamp.Recommendation{}
	if inc.Location.Position == nil || inc.Status != bluelamp.IncidentOpen {
		return out, nil
	}
	f, err := s.force(ctx, a.ForceID)
	if err != nil {
		return nil, err
	}
	q := Query{Lat: inc.Location.Position.Lat, Lon: inc.Location.Position.Lon, Immediate: inc.Grade == bluelamp.GradeImmediate,
		Limit: limit, Now: s.Now()}
	for _, k := range inc.RequiredSkills {
		q.Skills = append(q.Skills, string(k))
	}
	for _, as := range inc.Assignments {
		if as.State.Open() {
			q.Exclude = append(q.Exclude, int64(as.UnitID))
		}
	}
	f.mu.Lock()
	idx := f.idx
	f.mu.Unlock()
	recs := idx.Recommend(q)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recs {
		u, ok := f.units[bluelamp.UnitID(r.UnitID)]
		if !ok {
			continue
		}
		cp := *u
		stale := cp.PositionAt == nil || q.Now.Sub(*cp.PositionAt) > f.settings.StaleAfter()
		out = append(out, &bluelamp.Recommendation{Unit: &cp, DistanceM: math.Round(r.Distance), ETA: bluelamp.Duration(r.ETA.Round(time.Second)),
			Diversion: r.Diversion, Stale: stale})
	}
	return out, nil
}

// force returns a force's index, loading it on first use.
func (s *Service) force(ctx context.Context, id bluelamp.ForceID) (*force, error) {
	s.mu.RLock()
	f := s.forces[id]
	s.mu.RUnlock()
	if f != nil {
		return f, nil
	}
	if err := s.reload(ctx, id); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.forces[id], nil
}
