package avl

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// randomRing returns a closed star-shaped ring of n corners around (x, y):
// concave, with edges at every angle, like a drawn zone.
func randomRing(r *rand.Rand, x, y, radius float64, n int) [][2]float64 {
	ring := make([][2]float64, 0, n+1)
	for k := range n {
		a := 2 * math.Pi * float64(k) / float64(n)
		d := radius * (0.3 + 0.7*r.Float64())
		ring = append(ring, [2]float64{x + d*math.Cos(a), y + d*math.Sin(a)})
	}
	return append(ring, ring[0])
}

// TestFenceMatchesRayCasting checks the compiled fence against plain ray
// casting over every edge (bluelamp.Area.Contains) at random points, for
// rings from a triangle to thousands of corners.
func TestFenceMatchesRayCasting(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{3, 4, 7, 50, 400, 5000} {
		for range 20 {
			ring := randomRing(r, -1.4, 50.9, 0.3, n)
			f := compile(&bluelamp.Geofence{Boundary: ring})
			area := bluelamp.Area{Boundary: ring}
			for range 2000 {
				p := bluelamp.Position{Lat: 50.9 + (r.Float64()-0.5)*0.8, Lon: -1.4 + (r.Float64()-0.5)*0.8}
				if got, want := f.contains(p.Lon, p.Lat), area.Contains(p); got != want {
					t.Fatalf("%d corners: contains(%v) = %v, ray casting says %v", n, p, got, want)
				}
			}
		}
	}
}

// TestFenceCellsAreMostlyDecided checks the point of the grid: for a
// detailed boundary, most cells need no edge test.
func TestFenceCellsAreMostlyDecided(t *testing.T) {
	// A county-like boundary: 2,000 corners on a wavy outline.
	r := rand.New(rand.NewPCG(5, 5))
	var ring [][2]float64
	for k := range 2000 {
		a := 2 * math.Pi * float64(k) / 2000
		d := 0.8 + 0.15*math.Sin(5*a) + 0.01*r.Float64()
		ring = append(ring, [2]float64{d * math.Cos(a), d * math.Sin(a)})
	}
	f := compile(&bluelamp.Geofence{Boundary: append(ring, ring[0])})
	undecided := 0
	for _, c := range f.cells {
		if c == boundary {
			undecided++
		}
	}
	if share := float64(undecided) / float64(len(f.cells)); share > 0.2 {
		t.Errorf("%.0f%% of cells need edge tests", 100*share)
	}
}

func TestFenceSetInside(t *testing.T) {
	square := func(id bluelamp.GeofenceID, x, y, s float64) *bluelamp.Geofence {
		return &bluelamp.Geofence{ID: id, Name: "z", Boundary: [][2]float64{{x, y}, {x + s, y}, {x + s, y + s}, {x, y + s}, {x, y}}}
	}
	fs := newFenceSet([]*bluelamp.Geofence{
		square(0, -2, 50, 1),        // the force area
		square(7, -1.5, 50.5, 0.01), // a small zone inside it
		square(3, -1.505, 50.505, 0.1),
		{ID: 9, Boundary: [][2]float64{{0, 0}}}, // too few corners: left out
	})
	for _, c := range []struct {
		lat, lon float64
		want     []bluelamp.GeofenceID
	}{
		{50.505, -1.495, []bluelamp.GeofenceID{0, 3, 7}},
		{50.55, -1.45, []bluelamp.GeofenceID{0, 3}},
		{50.2, -1.9, []bluelamp.GeofenceID{0}},
		{52, 0, nil},
	} {
		got := fs.inside(nil, c.lat, c.lon)
		if len(got) != len(c.want) || (len(got) > 0 && !equal(got, c.want)) {
			t.Errorf("inside(%v, %v) = %v, want %v", c.lat, c.lon, got, c.want)
		}
	}
}

func equal(a, b []bluelamp.GeofenceID) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

func BenchmarkFenceContains(b *testing.B) {
	r := rand.New(rand.NewPCG(6, 6))
	ring := randomRing(r, -1.4, 50.9, 0.3, 5000)
	f := compile(&bluelamp.Geofence{Boundary: ring})
	area := bluelamp.Area{Boundary: ring}
	pts := make([]bluelamp.Position, 4096)
	for k := range pts {
		pts[k] = bluelamp.Position{Lat: 50.9 + (r.Float64()-0.5)*0.8, Lon: -1.4 + (r.Float64()-0.5)*0.8}
	}
	b.Run("compiled", func(b *testing.B) {
		k := 0
		for b.Loop() {
			p := pts[k&4095]
			f.contains(p.Lon, p.Lat)
			k++
		}
	})
	b.Run("ray-casting", func(b *testing.B) {
		k := 0
		for b.Loop() {
			area.Contains(pts[k&4095])
			k++
		}
	})
}

// BenchmarkLiveStateMemory measures what the tracker and the console feed
// hold per live unit at 150,000 units, each with a fix and inside the
// force area and one zone — beside the dispatch index's own share
// (dispatch.BenchmarkIndexMemory). Issue 4 goal: ≤ 1 KiB per live unit.
//
//	go test -run '^$' -bench LiveStateMemory ./internal/avl
func BenchmarkLiveStateMemory(b *testing.B) {
	const n = 150_000
	r := rand.New(rand.NewPCG(8, 8))
	reports := make([]bluelamp.PositionReport, n)
	for k := range reports {
		speed, heading := 10.0, 90.0
		reports[k] = bluelamp.PositionReport{UnitID: bluelamp.UnitID(k + 1), Lat: 50 + r.Float64(), Lon: -2 + r.Float64(), Accuracy: 8,
			Speed: &speed, Heading: &heading, At: t0, Source: "app"}
	}
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fs := &forceState{units: make(map[bluelamp.UnitID]*unitState, n)}
		feed := NewFeed(time.Second)
		for k := range reports {
			rp := &reports[k]
			fs.units[rp.UnitID] = &unitState{callSign: "A" + strconv.Itoa(k), known: true, at: rp.At.UnixMicro(), lat: rp.Lat, lon: rp.Lon,
				inside: []bluelamp.GeofenceID{0, bluelamp.GeofenceID(k % 1000)}}
		}
		feed.Update("alpha", reports)
		feed.Tick()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/unit")
		runtime.KeepAlive(fs)
		runtime.KeepAlive(feed)
	}
}
