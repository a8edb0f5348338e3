// Package dispatch is the in-memory dispatch index: for an incident it
// recommends units, available units with the required skills ranked by
// estimated time of arrival, and for an IMMEDIATE incident also units that are
// committed but deployable, shown as a diversion from their current job.
//
// The index holds one spatial partition per availability class and skill
// (plus one per class for queries that need no skill), so a query walks only
// units that can pass its filter. Each partition is a bucket quadtree over
// latitude and longitude, from the whole globe down to cells of 1/2¹⁶ of it
// on each axis (about 300 m by 380 m in the UK), searched best-first: cells
// are visited in order of their least possible distance from the incident,
// and the search stops once the Estimator's MinETA for the next cell exceeds
// the slowest of the units kept. A flat grid searched ring by ring would
// walk thousands of empty cells for an incident in the hills or at sea; the
// tree skips an empty or sparse region in a step or two, anywhere on the
// globe, poles and the antimeridian included.
//
// The caller maps its own types onto Unit and Query; the index knows nothing
// of forces, status codes or grades.
package dispatch

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Availability is what a unit's status means for dispatch. The caller maps
// each canonical status (DOMAIN 3.2) onto one; the index stores only the
// class. The zero value is Unavailable, so a unit nobody classified is never
// recommended.
type Availability uint8

const (
	// Unavailable units are never recommended: EMERGENCY, REFRESHMENT,
	// AT_SCENE, UNAVAILABLE, PRISONER, AT_COURT, OFF_DUTY, and ON_DUTY unless
	// the force treats it as available.
	Unavailable Availability = iota
	// Available units are recommended for any incident: AVAILABLE and
	// AVAILABLE_STANDBY.
	Available
	// Divertible units are recommended for IMMEDIATE incidents only, as a
	// diversion from their current job: COMMITTED_DEPLOYABLE, or ASSIGNED or
	// EN_ROUTE to an incident graded below IMMEDIATE.
	Divertible
)

// Valid reports whether a is one of the defined classes.
func (a Availability) Valid() bool { return a <= Divertible }

// String returns the class's name in lower case, for logs.
func (a Availability) String() string {
	switch a {
	case Unavailable:
		return "unavailable"
	case Available:
		return "available"
	case Divertible:
		return "divertible"
	}
	return "invalid"
}

// Skill is an accreditation a unit's crew holds. It counts at dispatch only
// until it expires (DOMAIN 3.4).
type Skill struct {
	Code    string    // e.g. "ARVO", "TASER"
	Expires time.Time // zero: never; a skill whose Expires is before the query's Now does not count
}

// Unit is what the index knows of a unit.
type Unit struct {
	ID              int64
	Lat, Lon        float64 // WGS84 degrees; ignored when NoPosition is set
	NoPosition      bool    // position unknown: the unit is stored but never recommended
	Availability    Availability
	Skills          []Skill
	Type            string // passed to the Estimator, e.g. "ARV", "foot patrol"
	CurrentIncident int64  // the job a Divertible unit would be diverted from
}

// Query asks for units for one incident.
type Query struct {
	Lat, Lon  float64   // the incident, WGS84 degrees
	Skills    []string  // skill codes a unit must all hold, unexpired at Now
	Immediate bool      // include Divertible units, as diversions
	Limit     int       // at most this many; 0 or less means DefaultLimit
	Now       time.Time // when skills are checked; zero means time.Now()
	Exclude   []int64   // units never to recommend, e.g. those already assigned
}

// DefaultLimit is the number of units recommended when a Query sets no Limit.
const DefaultLimit = 5

// Recommendation is one recommended unit.
type Recommendation struct {
	UnitID          int64
	Distance        float64       // metres, straight line (Distance)
	ETA             time.Duration // from the Estimator
	Diversion       bool          // the unit is Divertible: taking it diverts it from CurrentIncident
	CurrentIncident int64         // set only when Diversion is
}

// Index recommends units for incidents. It is safe for concurrent use: many
// Recommend calls run at once, and Upsert and Remove briefly exclude them.
// Create one with NewIndex.
type Index struct {
	est   Estimator
	bound BoundedEstimator // est, when it bounds its ETAs; nil otherwise

	// mu guards the fields below, and every rec and node they reach.
	mu     sync.RWMutex
	units  map[int64]*rec
	skills map[string]int32  // skill code → its number; codes are never forgotten
	types  map[string]string // each unit type once, shared by every rec and member; never forgotten either
	// trees holds the partitions: trees[class-Available][0] has every
	// placed unit of the class, trees[class-Available][k+1] those with skill
	// number k. A nil tree is empty. Unavailable units are in none.
	trees [2][]*node
}

// NewIndex returns an empty index that ranks units with est, or with a zero
// StraightLine when est is nil. It copies a StraightLine's settings, so a
// later change to its map has no effect; any other est must not change while
// the index uses it.
func NewIndex(est Estimator) *Index {
	switch s := est.(type) {
	case nil:
		est = StraightLine{}.compile()
	case StraightLine:
		est = s.compile()
	case *StraightLine:
		if s == nil {
			s = &StraightLine{}
		}
		est = s.compile()
	}
	x := &Index{est: est, units: map[int64]*rec{}, skills: map[string]int32{}, types: map[string]string{}}
	x.bound, _ = est.(BoundedEstimator)
	return x
}

// rec is the index's copy of a unit. Its pointer is stable for as long as the
// unit is in the index, and the partitions' leaves point at it.
type rec struct {
	id       int64
	lat, lon float64
	placed   bool   // has a position
	i, j     uint32 // its cell at the deepest level, when placed
	class    Availability
	typ      string
	incident int64
	skills   []skillExp // by skill number, one each
	// at holds, while the unit is in the partitions, where its member is
	// in each: [0] in the any-skill partition, [k+1] in the partition of
	// skills[k]. Empty otherwise. Keeping the member's index, and the
	// leaf's level, lets a report a few metres on update the members
	// without searching leaves for them.
	at []place
}

// place is where a unit's member sits in one partition.
type place struct {
	leaf  *node
	k     int32 // its index in leaf.ms
	level uint8 // leaf.level, kept here so covered reads no node
}

// skillExp is a skill by number with its expiry in Unix nanoseconds
// (math.MaxInt64 for never). Times outside the years 1678–2262, which
// UnixNano cannot represent, are clamped to that range.
type skillExp struct {
	skill int32
	exp   int64
}

func (r *rec) inTrees() bool { return r.placed && r.class != Unavailable }

// Upsert adds u to the index or replaces the unit with its ID. It returns a
// KindInvalid *bluelamp.Error, and changes nothing, when u's availability is
// not a defined class, a skill code is empty, or (unless NoPosition is set)
// its position is not finite WGS84 degrees. A unit whose position is unknown
// is stored with NoPosition: it is counted by Len but never recommended.
func (x *Index) Upsert(u Unit) error {
	if err := check(u); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	var buf [8]skillExp
	skills := x.normalize(buf[:0], u.Skills)
	var i, j uint32
	if !u.NoPosition {
		i, j = cellOf(u.Lat, u.Lon)
	}
	typ, ok := x.types[u.Type]
	if !ok {
		typ = u.Type
		x.types[typ] = typ
	}
	r := x.units[u.ID]
	switch {
	case r == nil:
		r = &rec{id: u.ID}
		x.units[u.ID] = r
	case slices.Equal(r.skills, skills) && r.class == u.Availability && r.placed != u.NoPosition && r.covered(i, j):
		// Same partitions, and each leaf holding the unit covers its new
		// cell: the common position report changes only its members' copies.
		r.i, r.j = i, j
		r.incident = u.CurrentIncident
		if r.lat != u.Lat || r.lon != u.Lon || r.typ != typ {
			r.lat, r.lon, r.typ = u.Lat, u.Lon, typ
			r.refresh()
		}
		return nil
	default:
		x.unplace(r)
	}
	*r = rec{
		id: u.ID, lat: u.Lat, lon: u.Lon, placed: !u.NoPosition, i: i, j: j,
		class: u.Availability, typ: typ, incident: u.CurrentIncident,
		skills: append(r.skills[:0], skills...), at: r.at,
	}
	x.place(r)
	return nil
}

// check validates u without allocating unless it is invalid.
func check(u Unit) error {
	var fields map[string]string
	bad := func(field, msg string) {
		if fields == nil {
			fields = map[string]string{}
		}
		fields[field] = msg
	}
	if !u.Availability.Valid() {
		bad("availability", "is not a defined class")
	}
	if !u.NoPosition && !validLat(u.Lat) {
		bad("lat", "must be between -90 and 90")
	}
	if !u.NoPosition && !validLon(u.Lon) {
		bad("lon", "must be between -180 and 180")
	}
	for _, s := range u.Skills {
		if s.Code == "" {
			bad("skills", "codes must not be empty")
		}
	}
	if fields != nil {
		return bluelamp.InvalidFields(fields)
	}
	return nil
}

// validLat and validLon are false for NaN as well as out of range.
func validLat(v float64) bool { return v >= -90 && v <= 90 }
func validLon(v float64) bool { return v >= -180 && v <= 180 }

// normalize appends skills to dst as skillExps sorted by number, one per
// code with the latest expiry. It numbers new codes, so x.mu must be held
// for writing.
func (x *Index) normalize(dst []skillExp, skills []Skill) []skillExp {
	for _, s := range skills {
		k, ok := x.skills[s.Code]
		if !ok {
			k = int32(len(x.skills))
			x.skills[s.Code] = k
		}
		dst = append(dst, skillExp{skill: k, exp: expiry(s.Expires)})
	}
	slices.SortFunc(dst, func(a, b skillExp) int {
		return cmp.Or(cmp.Compare(a.skill, b.skill), -cmp.Compare(a.exp, b.exp))
	})
	return slices.CompactFunc(dst, func(a, b skillExp) bool { return a.skill == b.skill })
}

func expiry(t time.Time) int64 {
	if t.IsZero() {
		return math.MaxInt64
	}
	return unixNano(t)
}

var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Remove removes the unit with id, if the index holds it.
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if r := x.units[id]; r != nil {
		x.unplace(r)
		delete(x.units, id)
	}
}

// Len returns the number of units in the index, whatever their availability
// and whether or not their position is known.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.units)
}

// place adds r to the partitions its class, skills and cell call for.
func (x *Index) place(r *rec) {
	if !r.inTrees() {
		return
	}
	c := r.class - Available
	n := 1
	if len(r.skills) > 0 {
		n = int(r.skills[len(r.skills)-1].skill) + 2 // skills are sorted
	}
	if n > len(x.trees[c]) {
		x.trees[c] = append(x.trees[c], make([]*node, n-len(x.trees[c]))...)
	}
	r.at = slices.Grow(r.at[:0], 1+len(r.skills))[:1+len(r.skills)]
	insert(&x.trees[c][0], 0, 0, r.member(math.MaxInt64))
	for _, s := range r.skills {
		part := int(s.skill) + 1
		insert(&x.trees[c][part], 0, part, r.member(s.exp))
	}
}

func (r *rec) member(exp int64) member {
	m := member{id: r.id, lat: r.lat, lon: r.lon, exp: exp, typ: r.typ, soonest: math.MaxInt64, r: r}
	for _, s := range r.skills {
		if s.skill < 64 {
			m.skills |= 1 << s.skill
		}
		m.soonest = min(m.soonest, s.exp)
	}
	return m
}

// slot returns where r.at keeps r's leaf in partition part (0 for any
// skill, k+1 for skill number k).
func (r *rec) slot(part int) int {
	if part == 0 {
		return 0
	}
	return 1 + slices.IndexFunc(r.skills, func(s skillExp) bool { return int(s.skill)+1 == part })
}

// covered reports whether cell (i, j) lies in every leaf holding r.
func (r *rec) covered(i, j uint32) bool {
	for _, p := range r.at {
		shift := depth - int(p.level)
		if i>>shift != r.i>>shift || j>>shift != r.j>>shift {
			return false
		}
	}
	return true
}

// refresh copies r's position and type to its members.
func (r *rec) refresh() {
	for _, p := range r.at {
		m := &p.leaf.ms[p.k]
		m.lat, m.lon, m.typ = r.lat, r.lon, r.typ
	}
}

// unplace removes r from every partition place put it in.
func (x *Index) unplace(r *rec) {
	if !r.inTrees() {
		return
	}
	c := r.class - Available
	remove(&x.trees[c][0], 0, r)
	for _, s := range r.skills {
		part := int(s.skill) + 1
		remove(&x.trees[c][part], part, r)
	}
	clear(r.at)
	r.at = r.at[:0]
}

// Recommend returns at most q.Limit units for an incident at q's position,
// fastest first by ETA and then by unit ID, so equal queries over equal
// units give equal answers. A unit qualifies when it is Available (or
// Divertible, for an Immediate query), its position is known, it holds every
// skill in q.Skills unexpired at q.Now, and it is not in q.Exclude. Recommend
// returns nil when no unit qualifies, and for a position that is not finite
// WGS84 degrees.
func (x *Index) Recommend(q Query) []Recommendation {
	if !validLat(q.Lat) || !validLon(q.Lon) {
		return nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := searches.Get().(*search)
	defer s.release()
	s.start(q, limit, unixNano(now), x.est, x.bound)

	x.mu.RLock()
	defer x.mu.RUnlock()
	classes := x.trees[:1]
	if q.Immediate {
		classes = x.trees[:]
	}
	// Search the partition of the rarest required skill, and check the rest
	// unit by unit.
	part, fewest := 0, math.MaxInt
	for _, code := range q.Skills {
		k, ok := x.skills[code]
		if !ok {
			return nil
		}
		n := 0
		for _, trees := range classes {
			if int(k)+1 < len(trees) {
				n += trees[k+1].count()
			}
		}
		if n == 0 {
			return nil
		}
		if n < fewest {
			part, fewest = int(k)+1, n
		}
		s.required = append(s.required, k)
	}
	if part > 0 {
		s.required = slices.DeleteFunc(s.required, func(k int32) bool { return int(k)+1 == part })
	}
	for _, k := range s.required {
		if k < 64 {
			s.mask |= 1 << k
		} else {
			s.spill = true
		}
	}
	for c, trees := range classes {
		if part < len(trees) && trees[part] != nil {
			s.roots = append(s.roots, cell{nd: trees[part], div: Available+Availability(c) == Divertible})
		}
	}
	if x.bound != nil {
		s.bestFirst()
	} else {
		s.all()
	}
	return s.results()
}
