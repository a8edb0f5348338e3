package dispatch

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"
)

// depth is the deepest level of a partition's tree. A cell at level L spans
// 180/2^L degrees of latitude by 360/2^L of longitude; at depth it is about
// 300 m by 380 m in the UK.
const depth = 16

const side = 1 << depth // cells on each axis at depth

// bucket is how many units a leaf holds before it splits (unless it is at
// depth already); a subtree that falls to half that becomes one leaf again.
const bucket = 32

// node is a cell of a partition: the root is the globe, and an inner node's
// four kids split it in half on both axes. An empty kid is nil, and a leaf
// holds up to bucket units wherever they are in its cell, so the tree is
// deep only where units are dense and a search skips an empty or sparse
// region in a step or two.
type node struct {
	n     int32 // units at or below this node
	leaf  bool  // the node holds units, not kids
	level uint8
	kids  [4]*node // an inner node's, by quadrant (latitude bit << 1 | longitude bit)
	ms    []member // a leaf's units, in no order
}

// member is a unit in a partition's leaf. It copies what a search needs to
// filter and rank the unit, so that a search reads its leaves in order and
// not unit records scattered across the heap: at 150,000 units a cache miss
// for each unit looked at was a large share of a query's time.
type member struct {
	id       int64
	lat, lon float64
	exp      int64  // expiry of the partition's skill; math.MaxInt64 in an any-skill partition
	typ      string // interned: one copy per type, so the Estimator hashes bytes in cache
	skills   uint64 // bit k set for each skill number k < 64 the unit holds, expired or not
	soonest  int64  // the earliest expiry of any of its skills
	r        *rec
}

func (nd *node) count() int {
	if nd == nil {
		return 0
	}
	return int(nd.n)
}

// cellOf returns the cell at depth holding a valid position.
func cellOf(lat, lon float64) (i, j uint32) {
	return cellIndex((lat + 90) / 180), cellIndex((lon + 180) / 360)
}

// cellIndex maps f in [0, 1] to a row or column at depth; 1 (the north
// pole, or longitude 180) joins the last one.
func cellIndex(f float64) uint32 {
	return uint32(min(int(f*side), side-1))
}

// quadrant returns which kid of a node at level holds r's cell.
func quadrant(r *rec, level int) int {
	shift := depth - 1 - level
	return int(r.i>>shift&1)<<1 | int(r.j>>shift&1)
}

// insert adds m to the subtree at *p, a node at level of partition part,
// and notes its place in m.r.at.
func insert(p **node, level, part int, m member) {
	for {
		if *p == nil {
			*p = &node{leaf: true, level: uint8(level)}
		}
		nd := *p
		nd.n++
		if nd.leaf {
			nd.ms = append(nd.ms, m)
			m.r.at[m.r.slot(part)] = place{nd, int32(len(nd.ms) - 1), nd.level}
			if len(nd.ms) > bucket && level < depth {
				ms := nd.ms
				nd.ms, nd.leaf = nil, false
				for _, m := range ms {
					insert(&nd.kids[quadrant(m.r, level)], level+1, part, m)
				}
			}
			return
		}
		p = &nd.kids[quadrant(m.r, level)]
		level++
	}
}

// remove takes r out of the tree at *root, of partition part, pruning a
// subtree it leaves empty and collapsing one it leaves small into a leaf.
func remove(root **node, part int, r *rec) {
	var path [depth + 1]**node
	p, level := root, 0
	for {
		if *p == nil {
			panic("dispatch: unit missing from its partition")
		}
		path[level] = p
		if (*p).leaf {
			break
		}
		p = &(*p).kids[quadrant(r, level)]
		level++
	}
	leaf := *p
	at := r.at[r.slot(part)]
	k := int(at.k)
	if at.leaf != leaf || k >= len(leaf.ms) || leaf.ms[k].r != r {
		panic("dispatch: unit missing from its leaf")
	}
	last := len(leaf.ms) - 1
	leaf.ms[k], leaf.ms[last] = leaf.ms[last], member{}
	leaf.ms = leaf.ms[:last]
	if k < last {
		moved := leaf.ms[k].r
		moved.at[moved.slot(part)].k = int32(k)
	}
	for _, p := range path[:level+1] {
		nd := *p
		nd.n--
		switch {
		case nd.n == 0:
			*p = nil
			return
		case !nd.leaf && nd.n <= bucket/2:
			nd.ms, nd.kids, nd.leaf = gather(make([]member, 0, bucket), nd), [4]*node{}, true
			for k, m := range nd.ms {
				m.r.at[m.r.slot(part)] = place{nd, int32(k), nd.level}
			}
			return
		}
	}
}

// gather appends every member under nd to ms.
func gather(ms []member, nd *node) []member {
	if nd.leaf {
		return append(ms, nd.ms...)
	}
	for _, kid := range nd.kids {
		if kid != nil {
			ms = gather(ms, kid)
		}
	}
	return ms
}

// search is one Recommend call's working state, pooled so that a query
// allocates only its result.
type search struct {
	lat, lon float64 // the incident
	cosLat   float64
	limit    int
	now      int64 // Unix nanoseconds
	est      Estimator
	bound    BoundedEstimator // est, when it bounds its ETAs
	required []int32          // skills to check unit by unit (not the partition's own)
	mask     uint64           // the required skills numbered below 64
	spill    bool             // a required skill is numbered 64 or more
	exclude  []int64          // q.Exclude, or a sorted copy when it is long
	sorted   bool
	roots    []cell
	heap     []cell // min-heap by d
	top      []cand // the best so far: a heap, slowest (by eta, then id) first
}

// cell is a node waiting in the best-first search.
type cell struct {
	d     float64 // no unit in the cell is nearer than this, in metres
	nd    *node
	i, j  uint32 // the cell's row and column at its level
	level uint8
	div   bool // in a Divertible partition
}

// cand is a unit kept by a search: its member stays put while the search
// holds the read lock.
type cand struct {
	eta time.Duration
	m   *member
	div bool
}

var searches = sync.Pool{New: func() any { return new(search) }}

func (s *search) start(q Query, limit int, now int64, est Estimator, bound BoundedEstimator) {
	s.lat, s.lon, s.cosLat = q.Lat, q.Lon, math.Cos(q.Lat*radians)
	s.limit, s.now, s.est, s.bound = limit, now, est, bound
	s.mask, s.spill = 0, false
	s.exclude, s.sorted = q.Exclude, false
	if len(q.Exclude) > 16 {
		s.exclude = append(make([]int64, 0, len(q.Exclude)), q.Exclude...)
		slices.Sort(s.exclude)
		s.sorted = true
	}
}

// release returns s to the pool holding no pointers into the index or the
// caller's query.
func (s *search) release() {
	clear(s.roots)
	clear(s.heap[:cap(s.heap)])
	clear(s.top)
	s.required, s.roots, s.heap, s.top = s.required[:0], s.roots[:0], s.heap[:0], s.top[:0]
	s.exclude, s.est, s.bound = nil, nil, nil
	searches.Put(s)
}

// bestFirst visits cells nearest first and stops when the nearest cell left
// cannot hold a unit faster than the slowest kept: MinETA bounds every unit
// at or beyond the cell's distance, and every cell still waiting is at least
// as far.
func (s *search) bestFirst() {
	for _, root := range s.roots {
		s.push(root)
	}
	for len(s.heap) > 0 {
		c := s.pop()
		if len(s.top) == s.limit && s.bound.MinETA(c.d) > s.top[0].eta {
			return
		}
		if c.nd.leaf {
			s.leaf(c.nd, c.div)
			continue
		}
		for q, kid := range &c.nd.kids {
			if kid == nil {
				continue
			}
			i, j := c.i<<1|uint32(q>>1), c.j<<1|uint32(q&1)
			s.push(cell{d: s.distanceTo(int(c.level)+1, i, j), nd: kid, level: c.level + 1, i: i, j: j, div: c.div})
		}
	}
}

// all evaluates every unit in the searched partitions: the only correct
// search when the Estimator gives no lower bound.
func (s *search) all() {
	for _, root := range s.roots {
		s.walk(root.nd, root.div)
	}
}

func (s *search) walk(nd *node, div bool) {
	if nd.leaf {
		s.leaf(nd, div)
		return
	}
	for _, kid := range &nd.kids {
		if kid != nil {
			s.walk(kid, div)
		}
	}
}

// distanceTo returns a lower bound on the great-circle distance from the
// incident to any point of cell (i, j) at level. Latitude alone bounds it
// by the arc along the meridian; longitude alone by the arc to the nearer
// edge meridian, asin(cos φ · sin Δλ), which grows with Δλ up to 90° and is
// at least cos φ · (Δλ − Δλ³/6) (as asin x ≥ x and sin x ≥ x − x³/6), a
// bound that needs no trigonometry for each of the many cells a search
// visits.
func (s *search) distanceTo(level int, i, j uint32) float64 {
	h := 180 / float64(uint32(1)<<level)
	lat0, lon0 := -90+float64(i)*h, -180+float64(j)*2*h
	lat1, lon1 := lat0+h, lon0+2*h
	var dLat float64
	switch {
	case s.lat < lat0:
		dLat = lat0 - s.lat
	case s.lat > lat1:
		dLat = s.lat - lat1
	}
	var dLon float64
	if s.lon < lon0 || s.lon > lon1 {
		east, west := lon0-s.lon, s.lon-lon1
		if east < 0 {
			east += 360
		}
		if west < 0 {
			west += 360
		}
		dLon = min(east, west)
	}
	return s.atLeast(dLat, dLon)
}

// atLeast returns a lower bound on the distance from the incident to any
// point dLat degrees of latitude or dLon degrees of longitude (0 to 180)
// away from it, by the bounds distanceTo describes.
func (s *search) atLeast(dLat, dLon float64) float64 {
	d := dLat * radians * earthRadius
	if dLon > 0 {
		x := min(dLon, 90) * radians
		d = max(d, earthRadius*s.cosLat*(x-x*x*x/6))
	}
	// A metre of slack absorbs rounding in Distance (worst near antipodes)
	// and in placing a unit on a cell edge.
	return d - 1 - d*1e-9
}

// leaf considers a leaf's units. Once the search has its limit, a unit
// whose MinETA by latitude and longitude difference alone cannot beat the
// slowest kept is dropped before the Estimator's ETA, the costly part.
func (s *search) leaf(nd *node, div bool) {
	for k := range nd.ms {
		m := &nd.ms[k]
		if m.exp < s.now {
			continue
		}
		if s.bound != nil && len(s.top) == s.limit {
			dLon := math.Abs(m.lon - s.lon)
			if dLon > 180 {
				dLon = 360 - dLon
			}
			if s.bound.MinETA(s.atLeast(math.Abs(m.lat-s.lat), dLon)) > s.top[0].eta {
				continue
			}
		}
		if len(s.required) > 0 {
			// Only a unit holding every skill, with one of its skills
			// expired, needs its record read to see which.
			if m.skills&s.mask != s.mask || (s.spill || m.soonest < s.now) && !s.holdsRequired(m.r) {
				continue
			}
		}
		if s.excluded(m.id) {
			continue
		}
		s.offer(cand{eta: s.est.ETA(m.lat, m.lon, s.lat, s.lon, m.typ), m: m, div: div})
	}
}

func (s *search) holdsRequired(r *rec) bool {
	for _, k := range s.required {
		i := slices.IndexFunc(r.skills, func(se skillExp) bool { return se.skill == k })
		if i < 0 || r.skills[i].exp < s.now {
			return false
		}
	}
	return true
}

func (s *search) excluded(id int64) bool {
	if s.sorted {
		_, found := slices.BinarySearch(s.exclude, id)
		return found
	}
	return slices.Contains(s.exclude, id)
}

func compareCand(a, b cand) int {
	return cmp.Or(cmp.Compare(a.eta, b.eta), cmp.Compare(a.m.id, b.m.id))
}

// worse orders s.top as a heap with the slowest kept unit first.
func worse(a, b cand) bool { return compareCand(a, b) > 0 }

// offer keeps the unit if it is among the limit best so far.
func (s *search) offer(c cand) {
	if len(s.top) < s.limit {
		s.top = append(s.top, c)
		up(s.top, worse)
		return
	}
	if compareCand(c, s.top[0]) < 0 {
		s.top[0] = c
		down(s.top, worse)
	}
}

func (s *search) results() []Recommendation {
	if len(s.top) == 0 {
		return nil
	}
	slices.SortFunc(s.top, compareCand)
	out := make([]Recommendation, len(s.top))
	for k, c := range s.top {
		m := c.m
		out[k] = Recommendation{UnitID: m.id, Distance: Distance(m.lat, m.lon, s.lat, s.lon), ETA: c.eta}
		if c.div {
			out[k].Diversion, out[k].CurrentIncident = true, m.r.incident
		}
	}
	return out
}

// push and pop keep s.heap a min-heap by d. They are written out, not
// calls of up and down, because they are most of a search's steps.
func (s *search) push(c cell) {
	s.heap = append(s.heap, c)
	h := s.heap
	for k := len(h) - 1; k > 0; {
		parent := (k - 1) / 2
		if h[parent].d <= h[k].d {
			break
		}
		h[parent], h[k] = h[k], h[parent]
		k = parent
	}
}

func (s *search) pop() cell {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0], h[last] = h[last], cell{}
	h = h[:last]
	for k := 0; ; {
		least := k
		if l := 2*k + 1; l < len(h) && h[l].d < h[least].d {
			least = l
		}
		if r := 2*k + 2; r < len(h) && h[r].d < h[least].d {
			least = r
		}
		if least == k {
			break
		}
		h[k], h[least] = h[least], h[k]
		k = least
	}
	s.heap = h
	return top
}

// up restores heap order, first before the rest, after an append to h.
func up[T any](h []T, first func(a, b T) bool) {
	for k := len(h) - 1; k > 0; {
		parent := (k - 1) / 2
		if !first(h[k], h[parent]) {
			return
		}
		h[parent], h[k] = h[k], h[parent]
		k = parent
	}
}

// down restores heap order after h[0] changed.
func down[T any](h []T, first func(a, b T) bool) {
	for k := 0; ; {
		best := k
		if l := 2*k + 1; l < len(h) && first(h[l], h[best]) {
			best = l
		}
		if r := 2*k + 2; r < len(h) && first(h[r], h[best]) {
			best = r
		}
		if best == k {
			return
		}
		h[k], h[best] = h[best], h[k]
		k = best
	}
}
