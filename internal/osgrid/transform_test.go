package osgrid

import (
	"errors"
	"math"
	"testing"
)

// helmertMax and helmertMean bound, in metres, the horizontal error of the
// conversions over the OS control points: the worst measured is 4.94 m and
// the mean 1.94 m (package documentation). The OS states the Helmert
// transformation's error as "up to 3.5 m (95%)", and 36 of the 40 points
// are within that; the rest are at the grid's western edge.
const (
	helmertMax  = 5.0
	helmertMean = 2.0
)

// metresApart returns the horizontal distance between two nearby WGS84
// positions in degrees, on the GRS80 ellipsoid's local radii.
func metresApart(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	sin, cos := math.Sincos(lat1 * rad)
	w := 1 - grs80.e2*sin*sin
	nu := grs80.a / math.Sqrt(w)
	rho := grs80.a * (1 - grs80.e2) / (w * math.Sqrt(w))
	return math.Hypot((lat2-lat1)*rad*rho, (lon2-lon1)*rad*nu*cos)
}

func TestFromWGS84ControlPoints(t *testing.T) {
	var sum, worst float64
	var worstID string
	for _, p := range controlPoints {
		g, err := FromWGS84(p.lat, p.lon)
		if err != nil {
			t.Fatalf("%s: FromWGS84(%v, %v): %v", p.id, p.lat, p.lon, err)
		}
		d := math.Hypot(g.Easting-p.gridE, g.Northing-p.gridN)
		if d > helmertMax {
			t.Errorf("%s: FromWGS84(%v, %v) = %.3f, %.3f, want %.3f, %.3f within %v m; off by %.3f m",
				p.id, p.lat, p.lon, g.Easting, g.Northing, p.gridE, p.gridN, helmertMax, d)
		}
		sum += d
		if d > worst {
			worst, worstID = d, p.id
		}
	}
	mean := sum / float64(len(controlPoints))
	t.Logf("WGS84 to grid over %d OS control points: mean %.3f m, max %.3f m (%s)", len(controlPoints), mean, worst, worstID)
	if mean > helmertMean {
		t.Errorf("mean error %.3f m, want at most %v m", mean, helmertMean)
	}
}

func TestToWGS84ControlPoints(t *testing.T) {
	var sum, worst float64
	var worstID string
	for _, p := range controlPoints {
		lat, lon := ToWGS84(GridRef{Easting: p.inE, Northing: p.inN})
		d := metresApart(p.lat, p.lon, lat, lon)
		if d > helmertMax {
			t.Errorf("%s: ToWGS84(%v, %v) = %.8f, %.8f, want %.8f, %.8f within %v m; off by %.3f m",
				p.id, p.inE, p.inN, lat, lon, p.lat, p.lon, helmertMax, d)
		}
		sum += d
		if d > worst {
			worst, worstID = d, p.id
		}
	}
	mean := sum / float64(len(controlPoints))
	t.Logf("grid to WGS84 over %d OS control points: mean %.3f m, max %.3f m (%s)", len(controlPoints), mean, worst, worstID)
	if mean > helmertMean {
		t.Errorf("mean error %.3f m, want at most %v m", mean, helmertMean)
	}
}

func dms(d, m, s float64) float64 { return d + m/60 + s/3600 }

// TestProjectionWorkedExample checks the Transverse Mercator projection
// alone, before any datum change, against the worked example in Annex C of
// the OS "A Guide to coordinate systems in Great Britain": Caister water
// tower, OSGB36 latitude 52°39'27.2531"N, longitude 1°43'4.5177"E, is
// E 651409.903, N 313177.270. (The same figures are quoted in public
// repositories, e.g. chrisveness/geodesy osgridref.js.)
func TestProjectionWorkedExample(t *testing.T) {
	const rad = math.Pi / 180
	lat, lon := dms(52, 39, 27.2531), dms(1, 43, 4.5177)
	want := GridRef{Easting: 651409.903, Northing: 313177.270}

	t.Run("Forward", func(t *testing.T) {
		got := project(lat*rad, lon*rad)
		if d := math.Hypot(got.Easting-want.Easting, got.Northing-want.Northing); d > 0.001 {
			t.Errorf("project = %.4f, %.4f, want %.3f, %.3f; off by %.4f m", got.Easting, got.Northing, want.Easting, want.Northing, d)
		}
	})
	// unprojectSeries is the guide's inverse; unproject refines it into the
	// exact inverse of project. Both must reproduce the example. The guide
	// gives the latitude and longitude to 0.0001", about 3 mm, so compare
	// in metres against the same 1 mm bound as the forward direction.
	inverses := []struct {
		name string
		f    func(GridRef) (float64, float64)
	}{
		{"InverseSeries", unprojectSeries},
		{"Inverse", unproject},
	}
	for _, inv := range inverses {
		t.Run(inv.name, func(t *testing.T) {
			phi, lam := inv.f(want)
			if d := metresApart(lat, lon, phi/rad, lam/rad); d > 0.001 {
				t.Errorf("%s = %.10f, %.10f, want %.10f, %.10f; off by %.4f m", inv.name, phi/rad, lam/rad, lat, lon, d)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	// Every 10 km across the whole grid, sea included, plus its corners.
	var worst float64
	check := func(g GridRef) {
		lat, lon := ToWGS84(g)
		back, err := FromWGS84(lat, lon)
		if err != nil {
			t.Fatalf("FromWGS84(ToWGS84(%v)) = %v", g, err)
		}
		d := math.Hypot(back.Easting-g.Easting, back.Northing-g.Northing)
		if d > 0.001 {
			t.Errorf("FromWGS84(ToWGS84(%.3f, %.3f)) = %.6f, %.6f; off by %.6f m", g.Easting, g.Northing, back.Easting, back.Northing, d)
		}
		worst = max(worst, d)
	}
	for e := 5000.0; e < MaxEasting; e += 10000 {
		for n := 5000.0; n < MaxNorthing; n += 10000 {
			check(GridRef{Easting: e, Northing: n})
		}
	}
	for _, g := range []GridRef{{0.001, 0.001}, {MaxEasting - 0.001, 0.001}, {0.001, MaxNorthing - 0.001}, {MaxEasting - 0.001, MaxNorthing - 0.001}} {
		check(g)
	}
	t.Logf("worst round trip: %.3g m", worst)
}

func TestFromWGS84OutsideGrid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		lat, lon float64
	}{
		{"Paris", 48.8566, 2.3522},
		{"Atlantic west of Ireland", 53.35, -11.26},
		{"North Sea east of the grid", 56.0, 5.0},
		{"Faroe Islands", 62.0, -6.8},
		{"Oslo", 59.91, 10.75},
		{"Far side of the world", -52.0, 178.0},
		{"NaN", math.NaN(), 0},
		{"Infinite", math.Inf(1), math.Inf(-1)},
		{"Latitude out of range", 95, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := FromWGS84(tt.lat, tt.lon)
			if !errors.Is(err, ErrOutsideGrid) {
				t.Fatalf("FromWGS84(%v, %v) = %v, %v; want ErrOutsideGrid", tt.lat, tt.lon, g, err)
			}
		})
	}
}

func TestToWGS84NotFinite(t *testing.T) {
	t.Parallel()
	for _, g := range []GridRef{{math.NaN(), 0}, {0, math.Inf(1)}} {
		if lat, lon := ToWGS84(g); !math.IsNaN(lat) || !math.IsNaN(lon) {
			t.Errorf("ToWGS84(%v, %v) = %v, %v, want NaN, NaN", g.Easting, g.Northing, lat, lon)
		}
	}
}

func BenchmarkToWGS84(b *testing.B) {
	g := GridRef{Easting: 437230, Northing: 115650}
	for b.Loop() {
		ToWGS84(g)
	}
}

func BenchmarkFromWGS84(b *testing.B) {
	for b.Loop() {
		if _, err := FromWGS84(50.93127937910, -1.45051433700); err != nil {
			b.Fatal(err)
		}
	}
}
