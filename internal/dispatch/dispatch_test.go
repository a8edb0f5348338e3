package dispatch

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	gocmp "github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)

// speeds is the StraightLine the tests rank with: types at different speeds,
// so the nearest unit is often not the first to arrive.
var speeds = StraightLine{TypeSpeedKPH: map[string]float64{"foot patrol": 5, "cycle": 15, "ARV": 70, "broken": -1}}

// reference is Recommend's contract as a plain scan over every unit.
func reference(units []Unit, est Estimator, q Query) []Recommendation {
	if !(q.Lat >= -90 && q.Lat <= 90 && q.Lon >= -180 && q.Lon <= 180) {
		return nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	var out []Recommendation
	for k := range units {
		u := &units[k]
		switch {
		case u.NoPosition,
			u.Availability != Available && (!q.Immediate || u.Availability != Divertible),
			slices.Contains(q.Exclude, u.ID),
			slices.ContainsFunc(q.Skills, func(code string) bool { return !holds(u, code, q.Now) }):
			continue
		}
		r := Recommendation{UnitID: u.ID, ETA: est.ETA(u.Lat, u.Lon, q.Lat, q.Lon, u.Type)}
		if u.Availability == Divertible {
			r.Diversion, r.CurrentIncident = true, u.CurrentIncident
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Recommendation) int {
		return cmp.Or(cmp.Compare(a.ETA, b.ETA), cmp.Compare(a.UnitID, b.UnitID))
	})
	out = out[:min(len(out), limit)]
	for k := range out {
		i := slices.IndexFunc(units, func(u Unit) bool { return u.ID == out[k].UnitID })
		out[k].Distance = Distance(units[i].Lat, units[i].Lon, q.Lat, q.Lon)
	}
	return out
}

func holds(u *Unit, code string, at time.Time) bool {
	return slices.ContainsFunc(u.Skills, func(s Skill) bool {
		return s.Code == code && (s.Expires.IsZero() || !s.Expires.Before(at))
	})
}

// world is a random place to put units and incidents.
type world struct {
	name string
	pos  func(r *rand.Rand) (lat, lon float64)
}

var worlds = []world{
	{"UK towns", func(r *rand.Rand) (float64, float64) {
		// Rounded to about 10 m, so units share positions and ETAs tie.
		town := ukTowns[r.IntN(8)]
		return round(town.lat+r.NormFloat64()*0.05, 1e-4), round(town.lon+r.NormFloat64()*0.08, 1e-4)
	}},
	{"globe", func(r *rand.Rand) (float64, float64) {
		// Poles, the antimeridian and cell edges, exactly, now and then.
		edges := []float64{-90, 90, 0, -180, 180, 45, -45}
		lat, lon := math.Asin(2*r.Float64()-1)/radians, r.Float64()*360-180
		if r.IntN(10) == 0 {
			lat = max(-90, min(90, edges[r.IntN(len(edges))]))
		}
		if r.IntN(10) == 0 {
			lon = max(-180, min(180, edges[r.IntN(len(edges))]))
		}
		return lat, lon
	}},
	{"one street", func(r *rand.Rand) (float64, float64) {
		// Twenty positions for five thousand units: ties everywhere.
		return 51.5 + float64(r.IntN(5))*0.001, -0.1 + float64(r.IntN(4))*0.001
	}},
}

func round(v, step float64) float64 { return math.Round(v/step) * step }

var skillCodes = []string{"ARVO", "TASER", "DOG", "ADV", "PSU1", "MEDIC"}

func randomUnit(r *rand.Rand, w world, id int64) Unit {
	u := Unit{
		ID:              id,
		Availability:    Availability(r.IntN(3)),
		Type:            []string{"response car", "foot patrol", "cycle", "ARV", "", "broken"}[r.IntN(6)],
		CurrentIncident: r.Int64N(1000) + 1,
	}
	u.Lat, u.Lon = w.pos(r)
	if r.IntN(30) == 0 {
		u.NoPosition, u.Lat, u.Lon = true, math.NaN(), 0
	}
	for _, code := range skillCodes {
		if r.IntN(4) != 0 {
			continue
		}
		s := Skill{Code: code}
		switch r.IntN(6) {
		case 0:
			s.Expires = now.Add(-time.Duration(r.IntN(1000)+1) * time.Hour)
		case 1:
			s.Expires = now.Add(time.Duration(r.IntN(1000)+1) * time.Hour)
		case 2:
			s.Expires = now // expires at the query time: still counts
		case 3:
			s.Expires = now.Add(-time.Nanosecond)
		}
		u.Skills = append(u.Skills, s)
		if r.IntN(10) == 0 {
			u.Skills = append(u.Skills, Skill{Code: code, Expires: now.Add(time.Duration(r.IntN(3)-1) * time.Hour)})
		}
	}
	return u
}

func randomQuery(r *rand.Rand, w world, ids int64) Query {
	q := Query{Immediate: r.IntN(2) == 0, Limit: r.IntN(25), Now: now}
	if r.IntN(50) == 0 {
		q.Limit = 10_000 // every qualifying unit, in order
	}
	q.Lat, q.Lon = w.pos(r)
	for range r.IntN(4) {
		q.Skills = append(q.Skills, skillCodes[r.IntN(len(skillCodes))])
	}
	if r.IntN(50) == 0 {
		q.Skills = append(q.Skills, "NOBODY")
	}
	n := r.IntN(6)
	if r.IntN(10) == 0 {
		n = 40 // a long list is searched differently
	}
	for range n {
		q.Exclude = append(q.Exclude, r.Int64N(ids))
	}
	return q
}

func mustUpsert(t testing.TB, x *Index, units map[int64]Unit, u Unit) {
	t.Helper()
	if err := x.Upsert(u); err != nil {
		t.Fatalf("Upsert(%+v): %v", u, err)
	}
	if units != nil {
		units[u.ID] = u
	}
}

// checkAgainstReference runs queries through the index and the reference.
func checkAgainstReference(t *testing.T, x *Index, units map[int64]Unit, est Estimator, queries func() Query) {
	t.Helper()
	all := slices.Collect(maps.Values(units))
	for range 300 {
		q := queries()
		if diff := gocmp.Diff(reference(all, est, q), x.Recommend(q)); diff != "" {
			t.Fatalf("Recommend(%+v) (-reference +index):\n%s", q, diff)
		}
	}
}

// bumpy is a routing engine in miniature whose ETAs do not grow with
// distance: units west of longitude -1.5 face a river with one bridge, and
// beyond 300 km the further a unit is, the sooner it arrives. It has no
// MinETA, so the index must look at every candidate.
type bumpy struct{}

func (bumpy) ETA(fromLat, fromLon, toLat, toLon float64, unitType string) time.Duration {
	d := Distance(fromLat, fromLon, toLat, toLon)
	if d > 300_000 {
		d = 600_000 - d/100
	}
	eta := time.Duration(d / 13 * float64(time.Second))
	if (fromLon < -1.5) != (toLon < -1.5) {
		eta += 20 * time.Minute
	}
	return eta
}

// penalised adds a crewing delay by type: still bounded below by its
// StraightLine's MinETA, so the index prunes with it.
type penalised struct{ StraightLine }

func (p penalised) ETA(fromLat, fromLon, toLat, toLon float64, unitType string) time.Duration {
	eta := p.StraightLine.ETA(fromLat, fromLon, toLat, toLon, unitType)
	if unitType == "ARV" {
		eta += 3 * time.Minute
	}
	return eta
}

func TestRecommendMatchesReference(t *testing.T) {
	t.Parallel()
	estimators := []struct {
		name string
		est  Estimator
	}{
		{"straight line", speeds},
		{"penalised", penalised{speeds}},
		{"not monotone", bumpy{}},
	}
	for wi, w := range worlds {
		for ei, e := range estimators {
			t.Run(w.name+"/"+e.name, func(t *testing.T) {
				t.Parallel()
				r := rand.New(rand.NewPCG(uint64(wi), uint64(ei)))
				est := e.est
				x, units := NewIndex(est), map[int64]Unit{}
				const n = 5000
				for id := range int64(n) {
					mustUpsert(t, x, units, randomUnit(r, w, id))
				}
				checkInvariants(t, x)
				queries := func() Query { return randomQuery(r, w, n) }
				checkAgainstReference(t, x, units, est, queries)

				// Units change status, move, gain and lose skills, leave
				// and return: the partitions must follow.
				for range 5000 {
					id := r.Int64N(n)
					u, ok := units[id]
					switch {
					case !ok:
						mustUpsert(t, x, units, randomUnit(r, w, id))
					case r.IntN(10) == 0:
						x.Remove(id)
						delete(units, id)
					case r.IntN(2) == 0:
						u.Lat = max(-90, min(90, u.Lat+r.NormFloat64()*0.003))
						u.Lon = max(-180, min(180, u.Lon+r.NormFloat64()*0.005))
						mustUpsert(t, x, units, u)
					default:
						v := randomUnit(r, w, id)
						switch r.IntN(3) {
						case 0:
							u.Availability = v.Availability
						case 1:
							u.Skills = v.Skills
						default:
							u = v
						}
						mustUpsert(t, x, units, u)
					}
				}
				checkInvariants(t, x)
				if got, want := x.Len(), len(units); got != want {
					t.Fatalf("Len() = %d, want %d", got, want)
				}
				checkAgainstReference(t, x, units, est, queries)
			})
		}
	}
}

// TestRecommendManySkills checks queries for skills numbered past 64, which
// a member's skill mask cannot hold, against the reference.
func TestRecommendManySkills(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	code := func(k int) string { return fmt.Sprintf("S%02d", k) }
	x, units := NewIndex(speeds), map[int64]Unit{}
	const n = 3000
	for id := range int64(n) {
		u := randomUnit(r, worlds[0], id)
		u.Skills = nil
		for range r.IntN(30) {
			s := Skill{Code: code(r.IntN(80))}
			if r.IntN(3) == 0 {
				s.Expires = now.Add(time.Duration(r.IntN(41)-20) * time.Hour)
			}
			u.Skills = append(u.Skills, s)
		}
		mustUpsert(t, x, units, u)
	}
	checkInvariants(t, x)
	checkAgainstReference(t, x, units, speeds, func() Query {
		q := randomQuery(r, worlds[0], n)
		q.Skills = nil
		for range 1 + r.IntN(3) {
			q.Skills = append(q.Skills, code(r.IntN(80)))
		}
		return q
	})
}

// checkInvariants checks every partition against the units the index holds:
// each placed unit of a class sits in the class's any-skill partition and in
// one partition per skill, in a leaf covering its cell, with that skill's
// expiry; the counts add up; leaves split and inner nodes collapse when they
// should.
func checkInvariants(t *testing.T, x *Index) {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	type slot struct {
		class Availability
		part  int
		r     *rec
	}
	want := map[slot]int64{}
	for _, r := range x.units {
		if !r.inTrees() {
			if len(r.at) > 0 {
				t.Errorf("unit %d is in no partition but keeps places", r.id)
			}
			continue
		}
		if len(r.at) != 1+len(r.skills) {
			t.Errorf("unit %d keeps %d places, want %d", r.id, len(r.at), 1+len(r.skills))
		}
		want[slot{r.class, 0, r}] = math.MaxInt64
		for _, s := range r.skills {
			want[slot{r.class, int(s.skill) + 1, r}] = s.exp
		}
	}
	got := map[slot]int64{}
	for c, trees := range x.trees {
		for part, root := range trees {
			var walk func(nd *node, level int, i, j uint32) int
			walk = func(nd *node, level int, i, j uint32) int {
				n := 0
				if nd.leaf {
					if len(nd.ms) > bucket && level < depth {
						t.Errorf("leaf at level %d holds %d units, more than a bucket", level, len(nd.ms))
					}
					for k := range nd.ms {
						m := &nd.ms[k]
						if shift := depth - level; m.r.i>>shift != i || m.r.j>>shift != j {
							t.Errorf("unit %d in cell (%d, %d) at level %d, not its cell (%d, %d)", m.r.id, i, j, level, m.r.i, m.r.j)
						}
						if want := m.r.member(m.exp); *m != want {
							t.Errorf("member of unit %d is stale: %+v", m.r.id, m)
						}
						if at := m.r.at[m.r.slot(part)]; at.leaf != nd || at.k != int32(k) || at.level != nd.level {
							t.Errorf("unit %d does not know its place in partition %d: %+v, want leaf %p index %d", m.r.id, part, at, nd, k)
						}
						got[slot{Availability(c) + Available, part, m.r}] = m.exp
					}
					n = len(nd.ms)
				} else {
					if len(nd.ms) > 0 {
						t.Errorf("units in an inner node at level %d", level)
					}
					for q, kid := range nd.kids {
						if kid != nil {
							n += walk(kid, level+1, i<<1|uint32(q>>1), j<<1|uint32(q&1))
						}
					}
					if n <= bucket/2 {
						t.Errorf("inner node at level %d holds %d units, few enough to be a leaf", level, n)
					}
				}
				if int(nd.level) != level {
					t.Errorf("node at level %d says %d", level, nd.level)
				}
				if n == 0 || n != int(nd.n) {
					t.Errorf("node at level %d counts %d, holds %d", level, nd.n, n)
				}
				return n
			}
			if root != nil {
				walk(root, 0, 0, 0)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("partitions hold %d memberships, want %d", len(got), len(want))
	}
	for k, exp := range want {
		if g, ok := got[k]; !ok || g != exp {
			t.Errorf("unit %d in class %v partition %d: got expiry %d (present %v), want %d", k.r.id, k.class, k.part, g, ok, exp)
		}
	}
}

// london is the incident in the table tests; the units are north of it.
const londonLat, londonLon = 51.5074, -0.1278

func north(metres float64) float64 { return londonLat + metres/(earthRadius*radians) }

func ids(recs []Recommendation) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.UnitID)
	}
	return out
}

func TestRecommend(t *testing.T) {
	t.Parallel()
	unit := func(id int64, metres float64, a Availability, skills ...Skill) Unit {
		return Unit{ID: id, Lat: north(metres), Lon: londonLon, Availability: a, Skills: skills, Type: "response car", CurrentIncident: 100 + id}
	}
	taser := Skill{Code: "TASER"}
	arvo := Skill{Code: "ARVO"}
	tests := []struct {
		name  string
		units []Unit
		query Query
		want  []int64
	}{
		{"NearestFirst", []Unit{unit(1, 3000, Available), unit(2, 1000, Available), unit(3, 2000, Available)},
			Query{}, []int64{2, 3, 1}},
		{"TiesByID", []Unit{unit(3, 1000, Available), unit(1, 1000, Available), unit(2, 1000, Available)},
			Query{}, []int64{1, 2, 3}},
		{"Limit", []Unit{unit(1, 1000, Available), unit(2, 2000, Available), unit(3, 3000, Available)},
			Query{Limit: 2}, []int64{1, 2}},
		{"DefaultLimitFive", []Unit{unit(1, 1, Available), unit(2, 2, Available), unit(3, 3, Available), unit(4, 4, Available), unit(5, 5, Available), unit(6, 6, Available)},
			Query{}, []int64{1, 2, 3, 4, 5}},
		{"UnavailableNever", []Unit{unit(1, 1000, Unavailable), unit(2, 2000, Available)},
			Query{Immediate: true}, []int64{2}},
		{"DivertibleOnlyWhenImmediate", []Unit{unit(1, 1000, Divertible), unit(2, 2000, Available)},
			Query{}, []int64{2}},
		{"ImmediateRanksDivertibleWithAvailable", []Unit{unit(1, 1000, Divertible), unit(2, 2000, Available), unit(3, 500, Unavailable)},
			Query{Immediate: true}, []int64{1, 2}},
		{"AllSkillsRequired", []Unit{unit(1, 1000, Available, taser), unit(2, 2000, Available, taser, arvo), unit(3, 500, Available, arvo)},
			Query{Skills: []string{"TASER", "ARVO"}}, []int64{2}},
		{"UnknownSkillNobody", []Unit{unit(1, 1000, Available, taser)},
			Query{Skills: []string{"CBRN"}}, nil},
		{"Exclude", []Unit{unit(1, 1000, Available), unit(2, 2000, Available), unit(3, 3000, Available)},
			Query{Exclude: []int64{1, 3}}, []int64{2}},
		{"NoPositionNever", []Unit{{ID: 1, NoPosition: true, Availability: Available}, unit(2, 2000, Available)},
			Query{}, []int64{2}},
		{"NobodyNil", nil, Query{}, nil},
		{"FasterTypeFirst", []Unit{
			{ID: 1, Lat: north(500), Lon: londonLon, Availability: Available, Type: "foot patrol"},
			{ID: 2, Lat: north(3000), Lon: londonLon, Availability: Available, Type: "ARV"},
		}, Query{}, []int64{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := NewIndex(speeds)
			for _, u := range tt.units {
				mustUpsert(t, x, nil, u)
			}
			q := tt.query
			q.Lat, q.Lon, q.Now = londonLat, londonLon, now
			if diff := gocmp.Diff(tt.want, ids(x.Recommend(q))); diff != "" {
				t.Fatalf("Recommend (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecommendDiversion(t *testing.T) {
	t.Parallel()
	x := NewIndex(nil)
	mustUpsert(t, x, nil, Unit{ID: 7, Lat: north(1000), Lon: londonLon, Availability: Divertible, CurrentIncident: 42})
	mustUpsert(t, x, nil, Unit{ID: 8, Lat: north(2000), Lon: londonLon, Availability: Available, CurrentIncident: 43})
	got := x.Recommend(Query{Lat: londonLat, Lon: londonLon, Immediate: true, Now: now})
	eta := func(m float64) time.Duration { return StraightLine{}.MinETA(m) }
	want := []Recommendation{
		{UnitID: 7, Distance: 1000, ETA: eta(1000), Diversion: true, CurrentIncident: 42},
		{UnitID: 8, Distance: 2000, ETA: eta(2000)}, // an available unit's job is not shown
	}
	approx := gocmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-6 })
	near := gocmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() < time.Microsecond })
	if diff := gocmp.Diff(want, got, approx, near); diff != "" {
		t.Fatalf("Recommend (-want +got):\n%s", diff)
	}
}

func TestRecommendSkillExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		skills []Skill
		want   bool
	}{
		{"NeverExpires", []Skill{{Code: "ARVO"}}, true},
		{"ExpiresLater", []Skill{{Code: "ARVO", Expires: now.Add(time.Hour)}}, true},
		{"ExpiresAtQueryTime", []Skill{{Code: "ARVO", Expires: now}}, true},
		{"ExpiredJustBefore", []Skill{{Code: "ARVO", Expires: now.Add(-time.Nanosecond)}}, false},
		{"ExpiredLastYear", []Skill{{Code: "ARVO", Expires: now.AddDate(-1, 0, 0)}}, false},
		{"RenewedAfterLapse", []Skill{{Code: "ARVO", Expires: now.AddDate(-1, 0, 0)}, {Code: "ARVO", Expires: now.AddDate(1, 0, 0)}}, true},
		{"OtherSkillExpired", []Skill{{Code: "ARVO"}, {Code: "TASER", Expires: now.Add(-time.Hour)}}, false},
		{"FarFuture", []Skill{{Code: "ARVO", Expires: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}}, true},
		{"LongAgo", []Skill{{Code: "ARVO", Expires: time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := NewIndex(nil)
			mustUpsert(t, x, nil, Unit{ID: 1, Lat: north(100), Lon: londonLon, Availability: Available, Skills: tt.skills})
			q := Query{Lat: londonLat, Lon: londonLon, Now: now, Skills: []string{"ARVO"}}
			if tt.name == "OtherSkillExpired" {
				q.Skills = append(q.Skills, "TASER")
			}
			if got := len(x.Recommend(q)) == 1; got != tt.want {
				t.Fatalf("recommended = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUpsertMovesUnit(t *testing.T) {
	t.Parallel()
	base := Unit{ID: 1, Lat: north(1000), Lon: londonLon, Availability: Available, Skills: []Skill{{Code: "TASER"}}}
	other := Unit{ID: 2, Lat: north(2000), Lon: londonLon, Availability: Available, Skills: []Skill{{Code: "TASER"}, {Code: "ARVO"}}}
	tests := []struct {
		name   string
		change func(u *Unit)
		query  Query
		want   []int64
	}{
		{"StatusToUnavailable", func(u *Unit) { u.Availability = Unavailable }, Query{Immediate: true}, []int64{2}},
		{"StatusToDivertible", func(u *Unit) { u.Availability = Divertible }, Query{}, []int64{2}},
		{"StatusToDivertibleImmediate", func(u *Unit) { u.Availability = Divertible }, Query{Immediate: true}, []int64{1, 2}},
		{"MovesAway", func(u *Unit) { u.Lat = north(50_000) }, Query{}, []int64{2, 1}},
		{"MovesWithinCell", func(u *Unit) { u.Lat = north(2100) }, Query{}, []int64{2, 1}},
		{"MovesAcrossWorld", func(u *Unit) { u.Lat, u.Lon = -33.9, 151.2 }, Query{}, []int64{2, 1}},
		{"PositionLost", func(u *Unit) { u.NoPosition = true }, Query{}, []int64{2}},
		{"GainsSkill", func(u *Unit) { u.Skills = append(u.Skills, Skill{Code: "ARVO"}) }, Query{Skills: []string{"ARVO"}}, []int64{1, 2}},
		{"LosesSkill", func(u *Unit) { u.Skills = nil }, Query{Skills: []string{"TASER"}}, []int64{2}},
		{"SkillLapses", func(u *Unit) { u.Skills[0].Expires = now.Add(-time.Hour) }, Query{Skills: []string{"TASER"}}, []int64{2}},
		{"TypeSlows", func(u *Unit) { u.Type = "foot patrol" }, Query{}, []int64{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := NewIndex(speeds)
			u := base
			u.Skills = slices.Clone(base.Skills)
			mustUpsert(t, x, nil, u)
			mustUpsert(t, x, nil, other)
			tt.change(&u)
			mustUpsert(t, x, nil, u)
			checkInvariants(t, x)
			q := tt.query
			q.Lat, q.Lon, q.Now = londonLat, londonLon, now
			if diff := gocmp.Diff(tt.want, ids(x.Recommend(q))); diff != "" {
				t.Fatalf("Recommend (-want +got):\n%s", diff)
			}
			if got, want := x.Len(), 2; got != want {
				t.Fatalf("Len() = %d, want %d", got, want)
			}
		})
	}
}

func TestRemove(t *testing.T) {
	t.Parallel()
	x := NewIndex(nil)
	for id := range int64(3) {
		mustUpsert(t, x, nil, Unit{ID: id, Lat: north(float64(id) * 1000), Lon: londonLon, Availability: Available, Skills: []Skill{{Code: "DOG"}}})
	}
	x.Remove(1)
	x.Remove(1)
	x.Remove(99)
	checkInvariants(t, x)
	if got, want := x.Len(), 2; got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	q := Query{Lat: londonLat, Lon: londonLon, Now: now, Skills: []string{"DOG"}}
	if diff := gocmp.Diff([]int64{0, 2}, ids(x.Recommend(q))); diff != "" {
		t.Fatalf("Recommend (-want +got):\n%s", diff)
	}
	x.Remove(0)
	x.Remove(2)
	checkInvariants(t, x)
	if got := x.Recommend(q); got != nil {
		t.Fatalf("Recommend on an empty index = %v, want nil", got)
	}
}

func TestUpsertRejectsBadUnit(t *testing.T) {
	t.Parallel()
	good := Unit{ID: 1, Lat: north(1000), Lon: londonLon, Availability: Available}
	tests := []struct {
		name  string
		unit  Unit
		field string
	}{
		{"ErrLatNaN", Unit{ID: 1, Lat: math.NaN(), Lon: 0, Availability: Available}, "lat"},
		{"ErrLonNaN", Unit{ID: 1, Lat: 51, Lon: math.NaN(), Availability: Available}, "lon"},
		{"ErrLatInf", Unit{ID: 1, Lat: math.Inf(1), Lon: 0, Availability: Available}, "lat"},
		{"ErrLonInf", Unit{ID: 1, Lat: 51, Lon: math.Inf(-1), Availability: Available}, "lon"},
		{"ErrLatRange", Unit{ID: 1, Lat: 90.0001, Lon: 0, Availability: Available}, "lat"},
		{"ErrLonRange", Unit{ID: 1, Lat: 51, Lon: -180.0001, Availability: Available}, "lon"},
		{"ErrAvailability", Unit{ID: 1, Lat: 51, Lon: 0, Availability: 3}, "availability"},
		{"ErrEmptySkill", Unit{ID: 1, Lat: 51, Lon: 0, Availability: Available, Skills: []Skill{{Code: ""}}}, "skills"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := NewIndex(nil)
			mustUpsert(t, x, nil, good)
			err := x.Upsert(tt.unit)
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok || e.Kind != bluelamp.KindInvalid || e.Fields[tt.field] == "" {
				t.Fatalf("Upsert(%+v) = %v, want KindInvalid naming %q", tt.unit, err, tt.field)
			}
			// The unit as it was is still recommended.
			got := x.Recommend(Query{Lat: londonLat, Lon: londonLon, Now: now})
			if diff := gocmp.Diff([]int64{1}, ids(got)); diff != "" {
				t.Fatalf("Recommend after a rejected Upsert (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpsertNoPosition(t *testing.T) {
	t.Parallel()
	x := NewIndex(nil)
	mustUpsert(t, x, nil, Unit{ID: 1, Lat: math.NaN(), Lon: math.Inf(1), NoPosition: true, Availability: Available})
	if got, want := x.Len(), 1; got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	if got := x.Recommend(Query{Lat: 0, Lon: 0, Now: now}); got != nil {
		t.Fatalf("Recommend = %v, want nil: a unit with no position is never recommended", got)
	}
	mustUpsert(t, x, nil, Unit{ID: 1, Lat: 0.001, Lon: 0, Availability: Available})
	if got, want := ids(x.Recommend(Query{Lat: 0, Lon: 0, Now: now})), []int64{1}; !slices.Equal(got, want) {
		t.Fatalf("Recommend once located = %v, want %v", got, want)
	}
	checkInvariants(t, x)
}

func TestRecommendBadQuery(t *testing.T) {
	t.Parallel()
	x := NewIndex(nil)
	mustUpsert(t, x, nil, Unit{ID: 1, Lat: 51, Lon: 0, Availability: Available})
	for _, q := range []Query{
		{Lat: math.NaN(), Lon: 0},
		{Lat: 51, Lon: math.NaN()},
		{Lat: math.Inf(1), Lon: 0},
		{Lat: 51, Lon: 181},
		{Lat: -91, Lon: 0},
	} {
		if got := x.Recommend(q); got != nil {
			t.Errorf("Recommend(%+v) = %v, want nil", q, got)
		}
	}
}

// TestRecommendAcrossEdges checks the search wraps the antimeridian and
// reaches over a pole, where the grid's cells meet but their numbers do not.
func TestRecommendAcrossEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lat, lon float64 // the incident
		units    []Unit
		want     []int64
	}{
		{"Antimeridian", -17, 179.99, []Unit{
			{ID: 1, Lat: -17, Lon: -179.99, Availability: Available},
			{ID: 2, Lat: -17, Lon: 179.5, Availability: Available},
		}, []int64{1, 2}},
		{"NorthPole", 89.99, 0, []Unit{
			{ID: 1, Lat: 89.99, Lon: 180, Availability: Available},
			{ID: 2, Lat: 89.5, Lon: 0, Availability: Available},
		}, []int64{1, 2}},
		{"SouthPoleExactly", -90, 0, []Unit{
			{ID: 1, Lat: -90, Lon: 123, Availability: Available},
			{ID: 2, Lat: -89.9, Lon: -60, Availability: Available},
		}, []int64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			x := NewIndex(nil)
			for _, u := range tt.units {
				mustUpsert(t, x, nil, u)
			}
			got := x.Recommend(Query{Lat: tt.lat, Lon: tt.lon, Now: now})
			if diff := gocmp.Diff(tt.want, ids(got)); diff != "" {
				t.Fatalf("Recommend (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStraightLine(t *testing.T) {
	t.Parallel()
	const degree = earthRadius * radians // metres in one degree of latitude
	seconds := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	tests := []struct {
		name string
		est  StraightLine
		typ  string
		want time.Duration
	}{
		{"Defaults", StraightLine{}, "response car", seconds(degree * 1.4 / (48 / 3.6))},
		{"TypeSpeed", StraightLine{TypeSpeedKPH: map[string]float64{"foot patrol": 5}}, "foot patrol", seconds(degree * 1.4 / (5 / 3.6))},
		{"OtherTypeDefaultSpeed", StraightLine{TypeSpeedKPH: map[string]float64{"foot patrol": 5}}, "ARV", seconds(degree * 1.4 / (48 / 3.6))},
		{"BadTypeSpeedIgnored", StraightLine{SpeedKPH: 30, TypeSpeedKPH: map[string]float64{"ARV": math.NaN()}}, "ARV", seconds(degree * 1.4 / (30 / 3.6))},
		{"RoadFactor", StraightLine{RoadFactor: 1, SpeedKPH: 36}, "", seconds(degree / 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.est.ETA(51, -1, 52, -1, tt.typ)
			if (got - tt.want).Abs() > time.Microsecond {
				t.Fatalf("ETA = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestStraightLineMinETA checks MinETA bounds ETA exactly, not to within
// rounding: the index's pruning depends on it.
func TestStraightLineMinETA(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		lat1, lon1 := worlds[1].pos(r)
		lat2, lon2 := worlds[1].pos(r)
		typ := []string{"foot patrol", "cycle", "ARV", "", "broken"}[r.IntN(5)]
		d := Distance(lat1, lon1, lat2, lon2)
		if lo, eta := speeds.MinETA(d), speeds.ETA(lat1, lon1, lat2, lon2, typ); lo > eta {
			t.Fatalf("MinETA(%v) = %v > ETA %v for %q", d, lo, eta, typ)
		}
	}
	if got, want := speeds.MinETA(1000), time.Duration(1000*1.4/(70/3.6)*float64(time.Second)); got != want {
		t.Fatalf("MinETA(1000) = %v, want %v at the fastest type's speed", got, want)
	}
	if got := (StraightLine{SpeedKPH: 1e-300}).MinETA(1e7); got != math.MaxInt64 {
		t.Fatalf("MinETA at a crawl = %v, want the longest Duration", got)
	}
}

// TestStraightLineCompiled checks the index's compiled StraightLine gives
// the same ETAs, to the nanosecond, as the StraightLine it was made from.
func TestStraightLineCompiled(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, est := range []StraightLine{{}, speeds, {RoadFactor: 1.3, SpeedKPH: 40, TypeSpeedKPH: map[string]float64{"ARV": 80, "cycle": math.Inf(1)}}} {
		c := est.compile()
		for range 10_000 {
			lat1, lon1 := worlds[1].pos(r)
			lat2, lon2 := worlds[0].pos(r)
			typ := []string{"foot patrol", "cycle", "ARV", "", "broken"}[r.IntN(5)]
			if got, want := c.ETA(lat1, lon1, lat2, lon2, typ), est.ETA(lat1, lon1, lat2, lon2, typ); got != want {
				t.Fatalf("%+v: compiled ETA = %v, want %v", est, got, want)
			}
			d := r.Float64() * 1e6
			if got, want := c.MinETA(d), est.MinETA(d); got != want {
				t.Fatalf("%+v: compiled MinETA(%v) = %v, want %v", est, d, got, want)
			}
		}
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want                   float64
	}{
		{"Same", 51.5, -0.1, 51.5, -0.1, 0},
		{"DegreeOfLatitude", 51, -1, 52, -1, earthRadius * radians},
		{"QuarterEquator", 0, 0, 0, 90, earthRadius * math.Pi / 2},
		{"Antipodes", 10, 20, -10, -160, earthRadius * math.Pi},
		{"AcrossAntimeridian", 0, 179.5, 0, -179.5, earthRadius * radians},
		// London to Edinburgh, as Python computes it with the atan2 form of the haversine formula.
		{"LondonEdinburgh", 51.5074, -0.1278, 55.9533, -3.1883, 533_652.937},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Distance(tt.lat1, tt.lon1, tt.lat2, tt.lon2)
			if math.Abs(got-tt.want) > 0.01+tt.want*2e-4 {
				t.Fatalf("Distance = %.3f m, want %.3f", got, tt.want)
			}
		})
	}
}

// TestConcurrent runs writers and readers at once under -race, then checks
// the index ends exactly where the writers left it.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	const writers, readers, perWriter = 4, 4, 500
	x := NewIndex(speeds)
	finals := make([]map[int64]Unit, writers)
	var wg sync.WaitGroup
	for w := range writers {
		finals[w] = map[int64]Unit{}
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range 4000 {
				id := int64(w*perWriter + r.IntN(perWriter)) // each writer owns its IDs
				if r.IntN(8) == 0 {
					x.Remove(id)
					delete(finals[w], id)
					continue
				}
				u := randomUnit(r, worlds[0], id)
				if err := x.Upsert(u); err != nil {
					t.Errorf("Upsert: %v", err)
					return
				}
				finals[w][id] = u
			}
		})
	}
	for k := range readers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(k), 8))
			for range 2000 {
				q := randomQuery(r, worlds[0], writers*perWriter)
				got := x.Recommend(q)
				limit := cmp.Or(q.Limit, DefaultLimit)
				if len(got) > limit || !slices.IsSortedFunc(got, func(a, b Recommendation) int {
					return cmp.Or(cmp.Compare(a.ETA, b.ETA), cmp.Compare(a.UnitID, b.UnitID))
				}) {
					t.Errorf("Recommend(%+v) = %v: too many or out of order", q, got)
					return
				}
				_ = x.Len()
			}
		})
	}
	wg.Wait()
	checkInvariants(t, x)
	units := map[int64]Unit{}
	for _, f := range finals {
		maps.Copy(units, f)
	}
	r := rand.New(rand.NewPCG(9, 9))
	checkAgainstReference(t, x, units, speeds, func() Query { return randomQuery(r, worlds[0], writers*perWriter) })
}

func TestAvailabilityString(t *testing.T) {
	t.Parallel()
	var got []string
	for a := range Availability(4) {
		got = append(got, fmt.Sprintf("%v %v", a, a.Valid()))
	}
	want := []string{"unavailable true", "available true", "divertible true", "invalid false"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
