package avl

import (
	"context"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// feedBinDeg is the size, in degrees, of the bins a frame is cut into
// (about 11 km): a console is sent only the bins its map shows.
const feedBinDeg = 0.1

// Feed gives consoles a thinned live picture of units' positions: at most
// one fix per unit per Interval, only for the area a console shows. Each
// tick encodes the fixes that changed once, cut into bins, and every
// console writes the bins it shows: hundreds of consoles cost a write each,
// not an encoding each (issue 4: never every raw position to every console).
type Feed struct {
	Interval time.Duration

	mu     sync.Mutex
	forces map[bluelamp.ForceID]*feedForce
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// feedForce is one force's feed.
type feedForce struct {
	mu     sync.Mutex
	latest map[bluelamp.UnitID]bluelamp.PositionReport
	dirty  map[bluelamp.UnitID]struct{}
	frame  *Frame
	next   chan struct{} // closed when frame is replaced
}

// Frame is one tick's changed fixes, encoded once, by bin.
type Frame struct {
	Seq  int64
	bins map[[2]int32]*bin
}

// bin is a frame's fixes in one bin: their JSON objects, comma-separated,
// and where each lies, for a box that takes only part of the bin.
type bin struct {
	json  []byte
	fixes []binFix
}

type binFix struct {
	lat, lon   float64
	start, end int // its object in json
}

// NewFeed returns a feed ticking every interval.
func NewFeed(interval time.Duration) *Feed {
	return &Feed{Interval: interval, forces: map[bluelamp.ForceID]*feedForce{}}
}

func (f *Feed) force(id bluelamp.ForceID) *feedForce {
	f.mu.Lock()
	defer f.mu.Unlock()
	ff := f.forces[id]
	if ff == nil {
		ff = &feedForce{latest: map[bluelamp.UnitID]bluelamp.PositionReport{}, dirty: map[bluelamp.UnitID]struct{}{},
			frame: &Frame{}, next: make(chan struct{})}
		f.forces[id] = ff
	}
	return ff
}

// Update records accepted fixes (in time order per unit).
func (f *Feed) Update(force bluelamp.ForceID, reports []bluelamp.PositionReport) {
	ff := f.force(force)
	ff.mu.Lock()
	defer ff.mu.Unlock()
	for _, r := range reports {
		if old, ok := ff.latest[r.UnitID]; ok && !r.At.After(old.At) {
			continue
		}
		ff.latest[r.UnitID] = r
		ff.dirty[r.UnitID] = struct{}{}
	}
}

// Start ticks in the background until Stop.
func (f *Feed) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	f.wg.Go(func() { f.Run(ctx) })
}

// Stop stops the ticks started by Start.
func (f *Feed) Stop() {
	if f.cancel != nil {
		f.cancel()
		f.wg.Wait()
	}
}

// Run ticks until ctx ends.
func (f *Feed) Run(ctx context.Context) {
	tick := time.NewTicker(f.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			f.Tick()
		}
	}
}

// Tick publishes each force's changes since the last tick as a new frame.
func (f *Feed) Tick() {
	f.mu.Lock()
	forces := make([]*feedForce, 0, len(f.forces))
	for _, ff := range f.forces {
		forces = append(forces, ff)
	}
	f.mu.Unlock()
	for _, ff := range forces {
		ff.tick()
	}
}

func (ff *feedForce) tick() {
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if len(ff.dirty) == 0 {
		return
	}
	fr := &Frame{Seq: ff.frame.Seq + 1, bins: map[[2]int32]*bin{}}
	for id := range ff.dirty {
		r := ff.latest[id]
		key := feedBin(r.Lat, r.Lon)
		bn := fr.bins[key]
		if bn == nil {
			bn = &bin{}
			fr.bins[key] = bn
		}
		if len(bn.json) > 0 {
			bn.json = append(bn.json, ',')
		}
		start := len(bn.json)
		bn.json = appendFix(bn.json, &r)
		bn.fixes = append(bn.fixes, binFix{r.Lat, r.Lon, start, len(bn.json)})
	}
	clear(ff.dirty)
	ff.frame = fr
	close(ff.next)
	ff.next = make(chan struct{})
}

func feedBin(lat, lon float64) [2]int32 {
	return [2]int32{int32(math.Floor(lon / feedBinDeg)), int32(math.Floor(lat / feedBinDeg))}
}

// appendFix appends r as a JSON object.
func appendFix(b []byte, r *bluelamp.PositionReport) []byte {
	b = append(b, `{"unit_id":`...)
	b = strconv.AppendInt(b, int64(r.UnitID), 10)
	b = append(b, `,"lat":`...)
	b = strconv.AppendFloat(b, r.Lat, 'f', -1, 64)
	b = append(b, `,"lon":`...)
	b = strconv.AppendFloat(b, r.Lon, 'f', -1, 64)
	if r.Accuracy > 0 {
		b = append(b, `,"accuracy":`...)
		b = strconv.AppendFloat(b, r.Accuracy, 'f', -1, 64)
	}
	if r.Speed != nil {
		b = append(b, `,"speed":`...)
		b = strconv.AppendFloat(b, *r.Speed, 'f', -1, 64)
	}
	if r.Heading != nil {
		b = append(b, `,"heading":`...)
		b = strconv.AppendFloat(b, *r.Heading, 'f', -1, 64)
	}
	b = append(b, `,"at":"`...)
	b = r.At.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// Box is the area a console shows, in degrees.
type Box struct{ MinLat, MinLon, MaxLat, MaxLon float64 }

// World is every position.
var World = Box{-90, -180, 90, 180}

func (x Box) has(lat, lon float64) bool {
	return lat >= x.MinLat && lat <= x.MaxLat && lon >= x.MinLon && lon <= x.MaxLon
}

// Subscribe sends a force's fixes within box to send: first every unit's
// latest, then each tick's changes, as JSON arrays of fixes. A console
// that falls a tick or more behind is sent its box's latest fixes afresh,
// so it never misses a unit's last move. It returns when ctx ends or send
// fails.
func (f *Feed) Subscribe(ctx context.Context, force bluelamp.ForceID, box Box, send func(json []byte) error) error {
	ff := f.force(force)
	ff.mu.Lock()
	seq, next := ff.frame.Seq, ff.next
	snap := ff.snapshot(box)
	ff.mu.Unlock()
	if err := send(snap); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-next:
		}
		ff.mu.Lock()
		fr := ff.frame
		next = ff.next
		var out []byte
		if fr.Seq == seq+1 {
			out = fr.select_(box)
		} else {
			out = ff.snapshot(box)
		}
		seq = fr.Seq
		ff.mu.Unlock()
		if len(out) > 2 {
			if err := send(out); err != nil {
				return err
			}
		}
	}
}

// snapshot encodes the latest fix of every unit in box. The caller holds ff.mu.
func (ff *feedForce) snapshot(box Box) []byte {
	b := []byte{'['}
	for _, r := range ff.latest {
		if !box.has(r.Lat, r.Lon) {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendFix(b, &r)
	}
	return append(b, ']')
}

// select_ joins the frame's bins that meet box; of a bin on the box's
// edge, only the fixes inside it.
func (fr *Frame) select_(box Box) []byte {
	lo, hi := feedBin(box.MinLat, box.MinLon), feedBin(box.MaxLat, box.MaxLon)
	b := []byte{'['}
	add := func(obj []byte) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, obj...)
	}
	for key, bn := range fr.bins {
		if key[0] < lo[0] || key[0] > hi[0] || key[1] < lo[1] || key[1] > hi[1] {
			continue
		}
		if key[0] > lo[0] && key[0] < hi[0] && key[1] > lo[1] && key[1] < hi[1] {
			add(bn.json)
			continue
		}
		for _, fx := range bn.fixes {
			if box.has(fx.lat, fx.lon) {
				add(bn.json[fx.start:fx.end])
			}
		}
	}
	return append(b, ']')
}
