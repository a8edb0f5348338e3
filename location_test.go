package bluelamp_test

import (
	"math"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
)

func TestAreaContains(t *testing.T) {
	// A U-shaped (concave) force, [lon, lat]: two arms from x=0 to 1 and
	// x=3 to 4, joined along the bottom from y=0 to 1, open between the
	// arms above y=1.
	u := bluelamp.Area{Boundary: [][2]float64{{0, 0}, {4, 0}, {4, 4}, {3, 4}, {3, 1}, {1, 1}, {1, 4}, {0, 4}, {0, 0}}}
	square := bluelamp.Area{Boundary: [][2]float64{{-1, 50}, {1, 50}, {1, 52}, {-1, 52}, {-1, 50}}}
	for _, c := range []struct {
		name string
		area bluelamp.Area
		p    bluelamp.Position
		want bool
	}{
		{"inside a square", square, bluelamp.Position{Lat: 51, Lon: 0}, true},
		{"north of a square", square, bluelamp.Position{Lat: 52.5, Lon: 0}, false},
		{"west of a square", square, bluelamp.Position{Lat: 51, Lon: -1.5}, false},
		{"left arm of the U", u, bluelamp.Position{Lat: 3, Lon: 0.5}, true},
		{"right arm of the U", u, bluelamp.Position{Lat: 3, Lon: 3.5}, true},
		{"base of the U", u, bluelamp.Position{Lat: 0.5, Lon: 2}, true},
		{"in the notch of the U", u, bluelamp.Position{Lat: 3, Lon: 2}, false},
		{"just above the base, in the notch", u, bluelamp.Position{Lat: 1.01, Lon: 2}, false},
		{"level with a vertex, outside", u, bluelamp.Position{Lat: 1, Lon: 5}, false},
		{"beyond the U", u, bluelamp.Position{Lat: 5, Lon: 2}, false},
		{"no boundary contains everything", bluelamp.Area{}, bluelamp.Position{Lat: -33.9, Lon: 151.2}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.area.Contains(c.p); got != c.want {
				t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

func TestAreaIsUrban(t *testing.T) {
	london := bluelamp.Position{Lat: 51.5074, Lon: -0.1278}
	a := bluelamp.Area{Urban: []bluelamp.UrbanArea{{Name: "London", Centre: london, RadiusM: 10_000}, {Name: "Reading", Centre: bluelamp.Position{Lat: 51.4543, Lon: -0.9781}, RadiusM: 5000}}}
	for _, c := range []struct {
		name string
		p    bluelamp.Position
		want bool
	}{
		{"the centre", london, true},
		{"9 km north", bluelamp.Position{Lat: london.Lat + 9000/111_195.0, Lon: london.Lon}, true},
		{"11 km north", bluelamp.Position{Lat: london.Lat + 11000/111_195.0, Lon: london.Lon}, false},
		{"in the second town", bluelamp.Position{Lat: 51.4543, Lon: -0.97}, true},
		{"between the towns", bluelamp.Position{Lat: 51.48, Lon: -0.55}, false},
	} {
		if got := a.IsUrban(c.p); got != c.want {
			t.Errorf("%s: IsUrban = %v, want %v", c.name, got, c.want)
		}
	}
	if (&bluelamp.Area{}).IsUrban(london) {
		t.Error("an area with no towns is urban")
	}
}

func TestPositionDistance(t *testing.T) {
	london, paris := bluelamp.Position{Lat: 51.5074, Lon: -0.1278}, bluelamp.Position{Lat: 48.8566, Lon: 2.3522}
	for _, c := range []struct {
		name   string
		p, q   bluelamp.Position
		want   float64
		within float64
	}{
		{"same place", london, london, 0, 1e-9},
		{"one degree of latitude", bluelamp.Position{Lat: 51, Lon: 0}, bluelamp.Position{Lat: 52, Lon: 0}, 111_195, 1},
		{"London to Paris", london, paris, 343_500, 1000},
	} {
		if got := c.p.Distance(c.q); math.Abs(got-c.want) > c.within || math.Abs(c.q.Distance(c.p)-got) > 1e-6 {
			t.Errorf("%s: %v m, want %v ± %v, the same both ways", c.name, got, c.want, c.within)
		}
	}
	for _, c := range []struct {
		p    bluelamp.Position
		want bool
	}{
		{bluelamp.Position{Lat: 90, Lon: 180}, true},
		{bluelamp.Position{Lat: -90, Lon: -180}, true},
		{bluelamp.Position{Lat: 90.01, Lon: 0}, false},
		{bluelamp.Position{Lat: 0, Lon: -180.01}, false},
		{bluelamp.Position{Lat: math.NaN(), Lon: 0}, false},
		{bluelamp.Position{Lat: 0, Lon: math.Inf(1)}, false},
	} {
		if got := c.p.Valid(); got != c.want {
			t.Errorf("%v.Valid() = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestLocationValidate(t *testing.T) {
	area := &bluelamp.Area{Boundary: [][2]float64{{-1, 50}, {1, 50}, {1, 52}, {-1, 52}, {-1, 50}}}
	inside, outside := &bluelamp.Position{Lat: 51, Lon: 0}, &bluelamp.Position{Lat: 55, Lon: 0}
	for _, c := range []struct {
		name   string
		loc    bluelamp.Location
		fields []string
	}{
		{"an address", bluelamp.Location{Address: "12 High Street"}, nil},
		{"a position", bluelamp.Location{Position: inside}, nil},
		{"nothing", bluelamp.Location{Address: "   "}, []string{"location.address"}},
		{"an address too long", bluelamp.Location{Address: strings.Repeat("a", bluelamp.MaxAddress+1)}, []string{"location.address"}},
		{"an impossible position", bluelamp.Location{Position: &bluelamp.Position{Lat: 91}}, []string{"location.position"}},
		{"outside the force", bluelamp.Location{Position: outside}, []string{"location.position"}},
		{"outside the force, marked cross-border", bluelamp.Location{Position: outside, CrossBorder: true}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct := &bluelamp.Contact{Channel: bluelamp.ChannelEmergency, Account: "help", Location: c.loc}
			wantInvalid(t, ct.Validate(area), c.fields...)
		})
	}
}

func TestStationRefusesNaN(t *testing.T) {
	for _, st := range []bluelamp.Station{
		{Code: "A", Name: "A", Lat: math.NaN(), Lon: 0},
		{Code: "A", Name: "A", Lat: 0, Lon: math.Inf(1)},
	} {
		if err := st.Validate(); bluelamp.KindOf(err) != bluelamp.KindInvalid {
			t.Errorf("Validate(%v, %v) = %v, want invalid", st.Lat, st.Lon, err)
		}
	}
}
