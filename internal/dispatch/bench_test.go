package dispatch

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// ukTowns are forty town centres across Great Britain; benchmark units and
// incidents cluster round them.
var ukTowns = []struct {
	name     string
	lat, lon float64
}{
	{"London", 51.507, -0.128}, {"Birmingham", 52.486, -1.890}, {"Manchester", 53.480, -2.242},
	{"Leeds", 53.800, -1.549}, {"Glasgow", 55.864, -4.252}, {"Liverpool", 53.408, -2.992},
	{"Edinburgh", 55.953, -3.189}, {"Bristol", 51.454, -2.588}, {"Sheffield", 53.381, -1.470},
	{"Cardiff", 51.482, -3.179}, {"Newcastle", 54.978, -1.618}, {"Nottingham", 52.954, -1.158},
	{"Leicester", 52.637, -1.140}, {"Southampton", 50.910, -1.404}, {"Portsmouth", 50.820, -1.088},
	{"Plymouth", 50.376, -4.143}, {"Brighton", 50.823, -0.137}, {"Norwich", 52.630, 1.297},
	{"Hull", 53.745, -0.336}, {"Aberdeen", 57.150, -2.094}, {"Dundee", 56.462, -2.971},
	{"Inverness", 57.478, -4.225}, {"Swansea", 51.621, -3.944}, {"Exeter", 50.718, -3.534},
	{"Oxford", 51.752, -1.258}, {"Cambridge", 52.205, 0.122}, {"Ipswich", 52.057, 1.148},
	{"Coventry", 52.407, -1.512}, {"Stoke-on-Trent", 53.003, -2.180}, {"Derby", 52.921, -1.476},
	{"York", 53.960, -1.082}, {"Middlesbrough", 54.575, -1.235}, {"Carlisle", 54.893, -2.936},
	{"Preston", 53.763, -2.703}, {"Lincoln", 53.235, -0.538}, {"Peterborough", 52.573, -0.241},
	{"Reading", 51.454, -0.978}, {"Canterbury", 51.280, 1.079}, {"Bournemouth", 50.720, -1.880},
	{"Shrewsbury", 52.708, -2.754},
}

// benchSpeeds ranks benchmark units: foot and cycle patrols are slow, armed
// and roads units fast, so the nearest unit is often not the first to arrive.
var benchSpeeds = StraightLine{TypeSpeedKPH: map[string]float64{
	"foot patrol": 5, "cycle": 15, "ARV": 64, "roads policing": 64,
}}

// nearTown returns a position round a random town: most within a few
// kilometres of its centre (sigma 4.5 km), rural ones further out (sigma
// 35 km), all inside the GB bounding box.
func nearTown(r *rand.Rand, rural float64) (lat, lon float64) {
	t := ukTowns[r.IntN(len(ukTowns))]
	sigma := 0.04
	if r.Float64() < rural {
		sigma = 0.3
	}
	lat = t.lat + r.NormFloat64()*sigma
	lon = t.lon + r.NormFloat64()*sigma/math.Cos(t.lat*radians)
	return max(49.9, min(58.7, lat)), max(-6.4, min(1.8, lon))
}

// benchForce returns n units spread like a national force: clustered round
// towns, half available and a tenth divertible, 5 % armed (ARVO), 20 % TASER
// trained, and about 8 % of accreditations lapsed.
func benchForce(n int) []Unit {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	skills := []struct {
		code  string
		share float64
	}{{"ARVO", 0.05}, {"TASER", 0.20}, {"DOG", 0.02}, {"ADV_DRIVER", 0.15}, {"PSU1", 0.10}, {"FIRST_AID", 0.70}}
	units := make([]Unit, n)
	for k := range units {
		u := Unit{ID: int64(k + 1), Type: "response car"}
		u.Lat, u.Lon = nearTown(r, 0.15)
		switch p := r.Float64(); {
		case p < 0.5:
			u.Availability = Available
		case p < 0.6:
			u.Availability = Divertible
			u.CurrentIncident = r.Int64N(1e6) + 1
		}
		switch p := r.Float64(); {
		case p < 0.20:
			u.Type = "foot patrol"
		case p < 0.25:
			u.Type = "cycle"
		case p < 0.35:
			u.Type = "roads policing"
		}
		for _, s := range skills {
			if r.Float64() >= s.share {
				continue
			}
			sk := Skill{Code: s.code}
			switch p := r.Float64(); {
			case p < 0.08:
				sk.Expires = now.Add(-time.Duration(r.IntN(365*24)+1) * time.Hour)
			case p < 0.7:
				sk.Expires = now.Add(time.Duration(r.IntN(3*365*24)+1) * time.Hour)
			}
			u.Skills = append(u.Skills, sk)
			if s.code == "ARVO" {
				u.Type = "ARV"
			}
		}
		units[k] = u
	}
	return units
}

// benchIncidents returns n incident positions: like the units, mostly in
// towns, a tenth in the country or just off the coast.
func benchIncidents(n int) [][2]float64 {
	r := rand.New(rand.NewPCG(uint64(n), 2))
	out := make([][2]float64, n)
	for k := range out {
		out[k][0], out[k][1] = nearTown(r, 0.10)
	}
	return out
}

// scan is the baseline a query is measured against: the same answer found
// by walking every unit and filtering, as a spatial index with no notion of
// availability or skill does.
func scan(units []Unit, est Estimator, q Query) []Recommendation {
	limit := cmp.Or(max(q.Limit, 0), DefaultLimit)
	top := make([]Recommendation, 0, limit+1)
	for k := range units {
		u := &units[k]
		if u.NoPosition || u.Availability != Available && (!q.Immediate || u.Availability != Divertible) {
			continue
		}
		if slices.ContainsFunc(q.Skills, func(code string) bool { return !holds(u, code, q.Now) }) ||
			slices.Contains(q.Exclude, u.ID) {
			continue
		}
		c := Recommendation{UnitID: u.ID, ETA: est.ETA(u.Lat, u.Lon, q.Lat, q.Lon, u.Type)}
		if len(top) == limit && (c.ETA > top[limit-1].ETA || c.ETA == top[limit-1].ETA && c.UnitID > top[limit-1].UnitID) {
			continue
		}
		k, _ := slices.BinarySearchFunc(top, c, func(a, b Recommendation) int {
			return cmp.Or(cmp.Compare(a.ETA, b.ETA), cmp.Compare(a.UnitID, b.UnitID))
		})
		top = slices.Insert(top, k, c)[:min(len(top)+1, limit)]
	}
	for k := range top {
		u := &units[top[k].UnitID-1] // benchForce numbers units from 1
		top[k].Distance = Distance(u.Lat, u.Lon, q.Lat, q.Lon)
		if u.Availability == Divertible {
			top[k].Diversion, top[k].CurrentIncident = true, u.CurrentIncident
		}
	}
	if len(top) == 0 {
		return nil
	}
	return top
}

var benchQueries = []struct {
	name      string
	skills    []string
	immediate bool
}{
	{"ARVO", []string{"ARVO"}, false},                            // rare: 5 % of units
	{"TASER", []string{"TASER"}, false},                          // common: 20 %
	{"any", nil, false},                                          // no skill: every available unit
	{"TASER+immediate", []string{"TASER"}, true},                 // available and divertible
	{"TASER+ADV_DRIVER", []string{"TASER", "ADV_DRIVER"}, false}, // two skills: 3 %
	{"ARVO+DOG", []string{"ARVO", "DOG"}, false},                 // a rare pair, 0.1 %: whole partitions are walked
}

func benchIndex(b *testing.B, units []Unit) *Index {
	b.Helper()
	x := NewIndex(benchSpeeds)
	for _, u := range units {
		mustUpsert(b, x, nil, u)
	}
	return x
}

func queriesFor(incidents [][2]float64, skills []string, immediate bool) []Query {
	qs := make([]Query, len(incidents))
	for k, p := range incidents {
		qs[k] = Query{Lat: p[0], Lon: p[1], Skills: skills, Immediate: immediate, Limit: 10, Now: now}
	}
	return qs
}

// BenchmarkRecommend times "the nearest 10 units with skill X" over a force
// of 10,000 and of 150,000 units, with the index and with a scan of every
// unit, in the same run. p50-µs and p99-µs are per-query latencies.
func BenchmarkRecommend(b *testing.B) {
	incidents := benchIncidents(4096)
	for _, n := range []int{10_000, 150_000} {
		b.Run(fmt.Sprintf("units=%d", n), func(b *testing.B) {
			units := benchForce(n)
			x := benchIndex(b, units)
			for _, bq := range benchQueries {
				qs := queriesFor(incidents, bq.skills, bq.immediate)
				for _, q := range qs[:50] {
					if diff := gocmp.Diff(scan(units, benchSpeeds, q), x.Recommend(q)); diff != "" {
						b.Fatalf("index and scan differ for %+v (-scan +index):\n%s", q, diff)
					}
				}
				b.Run("query="+bq.name+"/index", func(b *testing.B) {
					measure(b, qs, x.Recommend)
				})
				b.Run("query="+bq.name+"/scan", func(b *testing.B) {
					measure(b, qs, func(q Query) []Recommendation { return scan(units, benchSpeeds, q) })
				})
			}
		})
	}
}

// BenchmarkRecommendUnderUpdates times TASER queries over 150,000 units
// while a writer applies 15,000 position reports a second (every unit
// reporting every 10 s), the load a live force puts on the index's lock.
func BenchmarkRecommendUnderUpdates(b *testing.B) {
	units := benchForce(150_000)
	x := benchIndex(b, units)
	qs := queriesFor(benchIncidents(4096), []string{"TASER"}, false)
	ctx, cancel := context.WithCancel(b.Context())
	var wg sync.WaitGroup
	var applied int
	began := time.Now()
	wg.Go(func() {
		const rate = 15_000 // a second
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		r := rand.New(rand.NewPCG(3, 3))
		moved := slices.Clone(units)
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			// Catch up with the rate whenever the writer was held up.
			for due := int(time.Since(began).Seconds() * rate); applied < due; {
				u := &moved[r.IntN(len(moved))]
				u.Lat += r.NormFloat64() * 0.0003
				u.Lon += r.NormFloat64() * 0.0005
				if err := x.Upsert(*u); err != nil {
					b.Error(err)
					return
				}
				applied++
			}
		}
	})
	measure(b, qs, x.Recommend)
	cancel()
	wg.Wait()
	b.ReportMetric(float64(applied)/time.Since(began).Seconds(), "updates/s")
}

// measure runs f over qs in turn and reports the p50 and p99 latency of one
// call; ns/op includes reading the clock twice a call.
func measure(b *testing.B, qs []Query, f func(Query) []Recommendation) {
	b.ReportAllocs()
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		f(qs[i%len(qs)])
		lat[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)]) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkUpsert times the updates a live force sends most: a position
// report (a move of about 30 m, usually within the unit's cell) and a
// status change (which moves the unit between partitions).
func BenchmarkUpsert(b *testing.B) {
	units := benchForce(150_000)
	x := benchIndex(b, units)
	b.Run("units=150000/op=position", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u := &units[i%len(units)]
			step := 0.0003 * float64(1-2*(i/len(units)&1)) // back and forth
			u.Lat += step
			u.Lon += step
			if err := x.Upsert(*u); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("units=150000/op=status", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			u := &units[i%len(units)]
			u.Availability = (u.Availability + 1) % 3
			if err := x.Upsert(*u); err != nil {
				b.Fatal(err)
			}
		}
	})
}
