package avl

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Store is what the tracker reads and writes.
type Store interface {
	bluelamp.PositionStore
	FindUnits(ctx context.Context) ([]*bluelamp.Unit, error)
	FindForceSettings(ctx context.Context) (*bluelamp.ForceSettings, error)
}

// Mover takes accepted fixes into the dispatch index (dispatch.Service).
type Mover interface {
	Move(force bluelamp.ForceID, reports []bluelamp.PositionReport)
}

// Result is what became of a batch: how many fixes were new, how many
// were already held (a replay), and why the rest were refused.
type Result struct {
	Accepted   int                        `json:"accepted"`
	Duplicates int                        `json:"duplicates"`
	Rejected   []bluelamp.PositionProblem `json:"rejected"`
}

// Tracker takes position reports. It keeps each unit's newest fix and the
// geofences it is inside, per force, in memory; it checks every report
// against them, detects crossings, and queues each batch with the store in
// the order it took them, so a force's breadcrumbs and crossing events are
// written in the order the fixes were judged. State is rebuilt from the
// store on first use and after a failed write; a unit's stored newest fix
// and the crossings already recorded agree, because both are written in
// one transaction.
type Tracker struct {
	Store Store
	Mover Mover // optional
	Feed  *Feed // optional
	// Share, when set, is given each batch of accepted fixes once durable,
	// to pass to the other nodes (whose Observe takes them).
	Share  func(force bluelamp.ForceID, reports []bluelamp.PositionReport)
	Now    func() time.Time
	Logger *slog.Logger

	mu     sync.Mutex
	forces map[bluelamp.ForceID]*forceState
}

// forceState is one force's live picture.
type forceState struct {
	mu         sync.Mutex
	loaded     bool
	stale      bool // units, fences or settings changed: reload them, keeping fixes
	units      map[bluelamp.UnitID]*unitState
	devices    map[string]bluelamp.UnitID // trackers' device ids
	fences     *fenceSet
	staleAfter time.Duration
}

// unitState is one unit's newest fix and the fences it is inside.
type unitState struct {
	callSign string
	known    bool  // has a fix
	at       int64 // the fix's time, Unix microseconds
	lat, lon float64
	inside   []bluelamp.GeofenceID
}

// NewTracker returns a tracker over s.
func NewTracker(s Store) *Tracker {
	return &Tracker{Store: s, Now: time.Now, Logger: slog.Default(), forces: map[bluelamp.ForceID]*forceState{}}
}

func (t *Tracker) force(id bluelamp.ForceID) *forceState {
	t.mu.Lock()
	defer t.mu.Unlock()
	fs := t.forces[id]
	if fs == nil {
		fs = &forceState{}
		t.forces[id] = fs
	}
	return fs
}

// Changed tells the tracker that a force's units, geofences or settings
// changed: it reloads them before its next batch. Wire it to the events
// that say so (see Apply).
func (t *Tracker) Changed(force bluelamp.ForceID) {
	fs := t.force(force)
	fs.mu.Lock()
	fs.stale = true
	fs.mu.Unlock()
}

// Apply is told of every committed event and marks a force for reload when
// one changes what the tracker judges by.
func (t *Tracker) Apply(e *bluelamp.Event) {
	switch e.Type {
	case bluelamp.EventUnitCreated, bluelamp.EventUnitUpdated, bluelamp.EventUnitBookedOn, bluelamp.EventUnitBookedOff,
		bluelamp.EventGeofenceCreated, bluelamp.EventGeofenceArchived, bluelamp.EventSettingsChanged:
		t.Changed(e.ForceID)
	}
}

// load reads a force's units, fixes, fences and settings. With keep, fixes
// held in memory that are newer than the store's stay (a reload after a
// change of units or fences). The caller holds fs.mu.
func (t *Tracker) load(ctx context.Context, fs *forceState, keep bool) error {
	a, err := bluelamp.ForceActor(ctx)
	if err != nil {
		return err
	}
	sys := bluelamp.SystemContext(ctx, a.ForceID, "avl")
	units, err := t.Store.FindUnits(sys)
	if err != nil {
		return err
	}
	settings, err := t.Store.FindForceSettings(sys)
	if err != nil {
		return err
	}
	zones, err := t.Store.FindGeofences(sys)
	if err != nil {
		return err
	}
	gs := zones
	if len(settings.Area.Boundary) >= 4 {
		area := &bluelamp.Geofence{ID: 0, Kind: bluelamp.GeofenceForceArea, Name: "force area", Boundary: settings.Area.Boundary}
		gs = append([]*bluelamp.Geofence{area}, zones...)
	}
	fences := newFenceSet(gs)
	next := make(map[bluelamp.UnitID]*unitState, len(units))
	devices := map[string]bluelamp.UnitID{}
	for _, u := range units {
		if u.DeviceID != "" {
			devices[u.DeviceID] = u.ID
		}
		us := &unitState{callSign: u.CallSign}
		if old := fs.units[u.ID]; keep && old != nil && old.known {
			us.known, us.at, us.lat, us.lon = true, old.at, old.lat, old.lon
		} else if u.Position != nil && u.PositionAt != nil {
			us.known, us.at, us.lat, us.lon = true, u.PositionAt.UnixMicro(), u.Position.Lat, u.Position.Lon
		}
		if us.known {
			// Silently: crossings up to the stored fix are in the log.
			us.inside = fences.inside(nil, us.lat, us.lon)
		}
		next[u.ID] = us
	}
	fs.units, fs.devices, fs.fences, fs.staleAfter = next, devices, fences, settings.StaleAfter()
	fs.loaded, fs.stale = true, false
	return nil
}

// UnitForDevice returns the unit of the actor's force whose tracker has
// the device id.
func (t *Tracker) UnitForDevice(ctx context.Context, device string) (bluelamp.UnitID, bool, error) {
	a, err := bluelamp.ForceActor(ctx)
	if err != nil {
		return 0, false, err
	}
	fs := t.force(a.ForceID)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if !fs.loaded || fs.stale {
		if err := t.load(ctx, fs, fs.loaded); err != nil {
			return 0, false, err
		}
	}
	id, ok := fs.devices[device]
	return id, ok, nil
}

// judged is a batch as the tracker judged it under the force's lock.
type judged struct {
	batch    bluelamp.PositionBatch
	olderIdx []int // for each of batch.Older, its index in the request
	result   Result
}

// Ingest takes a batch of reports from the actor in ctx. Each report is
// accepted, counted as a duplicate (held already), or refused with a
// reason; a report refused does not stop the rest. It returns when the
// accepted fixes are durable; an error means nothing of the batch is.
func (t *Tracker) Ingest(ctx context.Context, reports []bluelamp.PositionReport) (*Result, error) {
	a, err := bluelamp.ForceActor(ctx)
	if err != nil {
		return nil, err
	}
	fs := t.force(a.ForceID)
	now := t.Now()
	j := &judged{result: Result{Rejected: []bluelamp.PositionProblem{}}}
	// Judge in time order, whatever order the device sent them in.
	order := make([]int, 0, len(reports))
	for k := range reports {
		if p := reports[k].Check(now); p != nil {
			p.Index = k
			j.result.Rejected = append(j.result.Rejected, *p)
			continue
		}
		order = append(order, k)
	}
	slices.SortStableFunc(order, func(x, y int) int { return reports[x].At.Compare(reports[y].At) })

	fs.mu.Lock()
	if !fs.loaded || fs.stale {
		if err := t.load(ctx, fs, fs.loaded); err != nil {
			fs.mu.Unlock()
			return nil, err
		}
	}
	for _, k := range order {
		t.judge(fs, j, k, &reports[k])
	}
	var wait func() error
	if len(j.batch.Reports) > 0 || len(j.batch.Older) > 0 {
		wait, err = t.Store.QueuePositions(ctx, &j.batch)
		if err != nil {
			fs.loaded = false // memory ran ahead of the store: reload
		}
	}
	fs.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if wait != nil {
		if err := wait(); err != nil {
			fs.mu.Lock()
			fs.loaded = false
			fs.mu.Unlock()
			return nil, err
		}
	}
	for i, held := range j.batch.Held {
		if held {
			j.result.Duplicates++
			continue
		}
		k := j.olderIdx[i]
		j.result.Rejected = append(j.result.Rejected, bluelamp.PositionProblem{Index: k, Code: "out_of_order",
			Message: "older than the unit's last fix; send a unit's fixes in time order"})
	}
	slices.SortFunc(j.result.Rejected, func(x, y bluelamp.PositionProblem) int { return cmp.Compare(x.Index, y.Index) })
	j.result.Accepted = len(j.batch.Reports)
	if len(j.batch.Reports) > 0 {
		if t.Mover != nil {
			t.Mover.Move(a.ForceID, j.batch.Reports)
		}
		if t.Feed != nil {
			t.Feed.Update(a.ForceID, j.batch.Reports)
		}
		if t.Share != nil {
			t.Share(a.ForceID, j.batch.Reports)
		}
	}
	return &j.result, nil
}

// Observe takes fixes another node accepted and wrote: they move this
// node's picture of the units (and the fences they are in, silently: the
// other node recorded the crossings) and reach its dispatch index and
// consoles. A fix no newer than the one held is ignored.
func (t *Tracker) Observe(force bluelamp.ForceID, reports []bluelamp.PositionReport) {
	fs := t.force(force)
	fs.mu.Lock()
	if fs.loaded {
		for k := range reports {
			r := &reports[k]
			us := fs.units[r.UnitID]
			if us == nil || (us.known && r.At.UnixMicro() <= us.at) {
				continue
			}
			us.known, us.at, us.lat, us.lon = true, r.At.UnixMicro(), r.Lat, r.Lon
			us.inside = fs.fences.inside(us.inside[:0], r.Lat, r.Lon)
		}
	}
	fs.mu.Unlock()
	if t.Mover != nil {
		t.Mover.Move(force, reports)
	}
	if t.Feed != nil {
		t.Feed.Update(force, reports)
	}
}

// judge decides one report (index k of the request). The caller holds fs.mu.
func (t *Tracker) judge(fs *forceState, j *judged, k int, r *bluelamp.PositionReport) {
	us := fs.units[r.UnitID]
	if us == nil {
		j.result.Rejected = append(j.result.Rejected, bluelamp.PositionProblem{Index: k, Code: "unknown_unit",
			Message: "no unit with this id in your force"})
		return
	}
	at := r.At.UnixMicro()
	switch {
	case us.known && at == us.at:
		j.result.Duplicates++ // the same fix again
		return
	case us.known && at < us.at:
		j.batch.Older = append(j.batch.Older, *r)
		j.olderIdx = append(j.olderIdx, k)
		return
	}
	inside := fs.fences.inside(make([]bluelamp.GeofenceID, 0, len(us.inside)+1), r.Lat, r.Lon)
	if !slices.Equal(inside, us.inside) {
		for _, id := range us.inside {
			if !slices.Contains(inside, id) {
				j.batch.Crossings = append(j.batch.Crossings, crossing(fs, us, r, id, false))
			}
		}
		for _, id := range inside {
			if !slices.Contains(us.inside, id) {
				j.batch.Crossings = append(j.batch.Crossings, crossing(fs, us, r, id, true))
			}
		}
	}
	us.known, us.at, us.lat, us.lon, us.inside = true, at, r.Lat, r.Lon, inside
	j.batch.Reports = append(j.batch.Reports, *r)
}

func crossing(fs *forceState, us *unitState, r *bluelamp.PositionReport, id bluelamp.GeofenceID, entered bool) bluelamp.GeofenceCrossing {
	c := bluelamp.GeofenceCrossing{UnitID: r.UnitID, CallSign: us.callSign, GeofenceID: id, Entered: entered, At: r.At, Position: r.Position()}
	if g := fs.fences.byID(id); g != nil {
		c.Kind, c.Geofence = g.Kind, g.Name
	}
	return c
}
