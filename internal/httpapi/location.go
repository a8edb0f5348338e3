package httpapi

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/osgrid"
)

// locationRequest is a location as a request gives it: address text and a
// position, either as WGS84 latitude and longitude or as an Ordnance Survey
// grid reference, never both.
type locationRequest struct {
	Address     string           `json:"address"`
	Position    *positionRequest `json:"position"`
	GridRef     string           `json:"grid_ref"` // letters ("SU 37230 15650") or numeric ("437230, 115650")
	CrossBorder bool             `json:"cross_border"`
}

// positionRequest is a WGS84 position whose coordinates must both be given:
// a missing latitude is not the equator.
type positionRequest struct {
	Lat *float64 `json:"lat"`
	Lon *float64 `json:"lon"`
}

// coarsestGridSquare is the largest square, in metres, a grid reference
// may name: a 6-figure reference (100 m). A coarser one would be recorded
// as a point kilometres from where anyone is.
const coarsestGridSquare = 100

// position returns p, or nil after recording its faults under prefix
// (e.g. "location.position.").
func (p *positionRequest) position(prefix string, fields map[string]string) *bluelamp.Position {
	ok := true
	check := func(name string, v *float64, limit float64) {
		switch {
		case v == nil:
			fields[prefix+name], ok = "is required", false
		case !(*v >= -limit && *v <= limit):
			fields[prefix+name], ok = fmt.Sprintf("must be within ±%g degrees", limit), false
		}
	}
	check("lat", p.Lat, 90)
	check("lon", p.Lon, 180)
	if !ok {
		return nil
	}
	return &bluelamp.Position{Lat: *p.Lat, Lon: *p.Lon}
}

// location converts l into a Location, recording faults under prefix (e.g.
// "location."). A grid reference becomes the position, and is kept as its
// normalised 10-figure form; a position inside the National Grid gets its
// grid reference. Whether the place is in the force's area is the store's
// check. A nil l is an empty location.
func (l *locationRequest) location(prefix string, fields map[string]string) bluelamp.Location {
	if l == nil {
		return bluelamp.Location{}
	}
	loc := bluelamp.Location{Address: l.Address, CrossBorder: l.CrossBorder}
	ref := strings.TrimSpace(l.GridRef)
	switch {
	case l.Position != nil && ref != "":
		fields[prefix+"grid_ref"] = "give a position or a grid reference, not both"
	case ref != "":
		g, precision, err := osgrid.ParseWithPrecision(ref)
		if pe, ok := errors.AsType[*osgrid.ParseError](err); ok {
			fields[prefix+"grid_ref"] = pe.Reason
			return loc
		}
		if err != nil || precision > coarsestGridSquare {
			fields[prefix+"grid_ref"] = "names too large a square; give at least 6 figures (100 m), such as SU 372 156"
			return loc
		}
		lat, lon := osgrid.ToWGS84(g)
		loc.Position = &bluelamp.Position{Lat: round7(lat), Lon: round7(lon)}
		loc.GridRef = g.String()
	case l.Position != nil:
		loc.Position = l.Position.position(prefix+"position.", fields)
		if loc.Position == nil {
			return loc
		}
		if g, err := osgrid.FromWGS84(loc.Position.Lat, loc.Position.Lon); err == nil {
			loc.GridRef = g.String()
		}
	}
	return loc
}

// round7 rounds degrees to 7 places (about 1 cm), far finer than the
// conversion's few metres, so positions read as people write them.
func round7(deg float64) float64 { return math.Round(deg*1e7) / 1e7 }
