// Package avl is automatic vehicle location: it takes units' position
// reports in batches, checks them, keeps each unit's latest fix in memory,
// detects geofence crossings, hands the batch to the store and the fixes to
// dispatch, and feeds consoles a thinned live picture.
package avl

import (
	"math"

	"github.com/bluelamp/bluelamp"
)

// gridSide is the number of rows and columns a fence's bounding box is cut
// into. Most points fall in a cell wholly inside or outside the ring and
// are answered without looking at an edge; the rest test only the edges
// crossing their row.
const gridSide = 64

// cellState says how a grid cell lies against a fence's ring.
type cellState uint8

const (
	outside cellState = iota
	inside
	boundary // an edge passes near: test the point
)

// edge is a ring segment from (x1, y1) to (x2, y2), x longitude, y latitude.
type edge struct{ x1, y1, x2, y2 float64 }

// fence is a geofence compiled for fast point tests.
type fence struct {
	g                      *bluelamp.Geofence
	minX, minY, maxX, maxY float64
	dx, dy                 float64     // cell size
	cells                  []cellState // gridSide × gridSide, row-major by y
	rows                   [][]edge    // the edges whose y range meets each row
}

// compile builds a fence from g's ring (closed, at least three corners).
func compile(g *bluelamp.Geofence) *fence {
	ring := g.Boundary
	f := &fence{g: g, minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for _, c := range ring {
		f.minX, f.maxX = min(f.minX, c[0]), max(f.maxX, c[0])
		f.minY, f.maxY = min(f.minY, c[1]), max(f.maxY, c[1])
	}
	f.dx = max((f.maxX-f.minX)/gridSide, 1e-12)
	f.dy = max((f.maxY-f.minY)/gridSide, 1e-12)
	f.rows = make([][]edge, gridSide)
	f.cells = make([]cellState, gridSide*gridSide)
	for k := 0; k+1 < len(ring); k++ {
		e := edge{ring[k][0], ring[k][1], ring[k+1][0], ring[k+1][1]}
		if e.y1 == e.y2 && e.x1 == e.x2 {
			continue
		}
		r0, r1 := f.row(min(e.y1, e.y2)), f.row(max(e.y1, e.y2))
		c0, c1 := f.col(min(e.x1, e.x2)), f.col(max(e.x1, e.x2))
		for r := r0; r <= r1; r++ {
			f.rows[r] = append(f.rows[r], e)
			// The edge's bounding box marks the cells it may cross: a
			// superset, so a cell not marked has no edge in it.
			for c := c0; c <= c1; c++ {
				f.cells[r*gridSide+c] = boundary
			}
		}
	}
	for r := range gridSide {
		for c := range gridSide {
			if f.cells[r*gridSide+c] == boundary {
				continue
			}
			// No edge in the cell: all of it lies as its centre does.
			x, y := f.minX+(float64(c)+0.5)*f.dx, f.minY+(float64(r)+0.5)*f.dy
			if f.cross(r, x, y) {
				f.cells[r*gridSide+c] = inside
			}
		}
	}
	return f
}

func (f *fence) row(y float64) int { return min(max(int((y-f.minY)/f.dy), 0), gridSide-1) }
func (f *fence) col(x float64) int { return min(max(int((x-f.minX)/f.dx), 0), gridSide-1) }

// contains reports whether (x, y) is inside the ring (ray casting; a point
// exactly on an edge may go either way).
func (f *fence) contains(x, y float64) bool {
	if x < f.minX || x > f.maxX || y < f.minY || y > f.maxY {
		return false
	}
	r := f.row(y)
	switch f.cells[r*gridSide+f.col(x)] {
	case inside:
		return true
	case outside:
		return false
	}
	return f.cross(r, x, y)
}

// cross casts a ray east from (x, y), which lies in row r, and reports
// whether it crosses the ring an odd number of times. Every edge spanning
// y meets row r, so the row's edges are enough.
func (f *fence) cross(r int, x, y float64) bool {
	in := false
	for _, e := range f.rows[r] {
		if (e.y1 > y) != (e.y2 > y) && x < (e.x2-e.x1)*(y-e.y1)/(e.y2-e.y1)+e.x1 {
			in = !in
		}
	}
	return in
}
