package avl

import (
	"math"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// binDeg is the size, in degrees, of the bins that index fences by their
// bounding boxes: about 2 km, so a point meets only the fences near it.
const binDeg = 0.02

// fenceSet is a force's fences, indexed by bounding box.
type fenceSet struct {
	fences []*fence
	bins   map[uint64][]int32 // bin → fences whose box meets it
}

func binOf(x, y float64) (int32, int32) {
	return int32(math.Floor(x / binDeg)), int32(math.Floor(y / binDeg))
}

func binKey(bx, by int32) uint64 { return uint64(uint32(bx))<<32 | uint64(uint32(by)) }

// newFenceSet compiles gs; a fence with too few corners is left out.
func newFenceSet(gs []*bluelamp.Geofence) *fenceSet {
	fs := &fenceSet{bins: map[uint64][]int32{}}
	for _, g := range gs {
		if len(g.Boundary) < 4 {
			continue
		}
		f := compile(g)
		k := int32(len(fs.fences))
		fs.fences = append(fs.fences, f)
		x0, y0 := binOf(f.minX, f.minY)
		x1, y1 := binOf(f.maxX, f.maxY)
		for bx := x0; bx <= x1; bx++ {
			for by := y0; by <= y1; by++ {
				fs.bins[binKey(bx, by)] = append(fs.bins[binKey(bx, by)], k)
			}
		}
	}
	return fs
}

// inside appends to dst the ids of the fences holding (lat, lon), sorted.
func (fs *fenceSet) inside(dst []bluelamp.GeofenceID, lat, lon float64) []bluelamp.GeofenceID {
	for _, k := range fs.bins[binKey(binOf(lon, lat))] {
		if f := fs.fences[k]; f.contains(lon, lat) {
			dst = append(dst, f.g.ID)
		}
	}
	slices.Sort(dst)
	return dst
}

// byID returns the fence with id, or nil.
func (fs *fenceSet) byID(id bluelamp.GeofenceID) *bluelamp.Geofence {
	for _, f := range fs.fences {
		if f.g.ID == id {
			return f.g
		}
	}
	return nil
}
