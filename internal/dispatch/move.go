package dispatch

import (
	"strconv"

	"github.com/bluelamp/bluelamp"
)

// Move is one position report: a unit's new position, nothing else. It is
// the automatic vehicle location (AVL) hot path: trackers and phones report
// every few seconds, so a force of 150,000 units sends tens of thousands a
// second.
type Move struct {
	ID       int64
	Lat, Lon float64 // WGS84 degrees
}

// Moves applies position reports in order, taking the index's lock once
// for the batch. It checks every report first: a position that is not
// finite WGS84 degrees fails the whole batch with a KindInvalid error
// naming the first bad report ("moves.3.lat"), and nothing is applied.
// Reports for units the index does not hold are skipped and counted in
// unknown (a tracker may report before its unit is booked on). A report
// for a unit stored with NoPosition gives it this position.
func (x *Index) Moves(ms []Move) (unknown int, err error) {
	for k, m := range ms {
		switch {
		case !validLat(m.Lat):
			return 0, bluelamp.InvalidFields(map[string]string{"moves." + strconv.Itoa(k) + ".lat": "must be between -90 and 90"})
		case !validLon(m.Lon):
			return 0, bluelamp.InvalidFields(map[string]string{"moves." + strconv.Itoa(k) + ".lon": "must be between -180 and 180"})
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, m := range ms {
		r := x.units[m.ID]
		if r == nil {
			unknown++
			continue
		}
		x.move(r, m.Lat, m.Lon)
	}
	return unknown, nil
}

// move sets r's position. When every leaf holding r still covers the new
// cell (the usual report, a few metres on), only its members' copies
// change; otherwise r leaves its partitions and is placed again. x.mu must
// be held for writing.
func (x *Index) move(r *rec, lat, lon float64) {
	i, j := cellOf(lat, lon)
	if r.placed && r.covered(i, j) {
		r.i, r.j = i, j
		if r.lat != lat || r.lon != lon {
			r.lat, r.lon = lat, lon
			r.refresh()
		}
		return
	}
	x.unplace(r)
	r.lat, r.lon, r.i, r.j, r.placed = lat, lon, i, j, true
	x.place(r)
}
