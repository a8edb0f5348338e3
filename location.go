package bluelamp

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Position is a WGS84 latitude and longitude in decimal degrees.
type Position struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Valid reports whether p is a finite position on the globe.
func (p Position) Valid() bool {
	return !math.IsNaN(p.Lat) && !math.IsNaN(p.Lon) && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// earthRadius is the mean Earth radius in metres (IUGG), which is what
// haversine distances between nearby points need.
const earthRadius = 6371008.8

// Distance returns the great-circle distance from p to q in metres.
func (p Position) Distance(q Position) float64 {
	const rad = math.Pi / 180
	dLat := (q.Lat - p.Lat) * rad
	dLon := (q.Lon - p.Lon) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(p.Lat*rad)*math.Cos(q.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// Location is where an incident or contact is. A call handler gives address
// text, a position, or both; a position arriving as an Ordnance Survey grid
// reference is converted at the edge and the reference kept as given.
type Location struct {
	Address     string    `json:"address,omitempty"`
	Position    *Position `json:"position,omitempty"`
	GridRef     string    `json:"grid_ref,omitempty"`     // 10-figure OS grid reference of Position
	CrossBorder bool      `json:"cross_border,omitempty"` // deliberately outside the force area
	Rural       bool      `json:"rural"`                  // outside every urban area: rural attendance targets apply
}

// MaxAddress is the longest address text accepted.
const MaxAddress = 500

// validate checks l against the force area and records faults under
// prefix (e.g. "location."). A position outside the area is refused unless
// the location is marked cross-border.
func (l *Location) validate(area *Area, prefix string, fields map[string]string) {
	l.Address = strings.TrimSpace(l.Address)
	if !utf8.ValidString(l.Address) || len(l.Address) > MaxAddress {
		fields[prefix+"address"] = "must be text of at most 500 bytes"
	}
	if l.Address == "" && l.Position == nil {
		fields[prefix+"address"] = "give an address, a position or a grid reference"
	}
	if l.Position == nil {
		return
	}
	if !l.Position.Valid() {
		fields[prefix+"position"] = "latitude must be within ±90 and longitude within ±180"
		return
	}
	if area != nil && !l.CrossBorder && !area.Contains(*l.Position) {
		fields[prefix+"position"] = "is outside the force area; mark the location cross-border if that is right"
	}
}

// Area is a force's geography: its boundary polygon and its urban areas,
// where the tighter urban attendance targets apply.
type Area struct {
	Boundary [][2]float64 `json:"boundary"` // closed ring of [lon, lat], GeoJSON order
	Urban    []UrbanArea  `json:"urban"`
}

// UrbanArea is a town or city, approximated by a circle.
type UrbanArea struct {
	Name    string   `json:"name"`
	Centre  Position `json:"centre"`
	RadiusM float64  `json:"radius_m"`
}

// Contains reports whether p is inside the boundary (ray casting; points on
// an edge may fall either side). An area with no boundary contains
// everything.
func (a *Area) Contains(p Position) bool {
	ring := a.Boundary
	if len(ring) < 3 {
		return true
	}
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi, xj, yj := ring[i][0], ring[i][1], ring[j][0], ring[j][1]
		if (yi > p.Lat) != (yj > p.Lat) && p.Lon < (xj-xi)*(p.Lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// IsUrban reports whether p falls in one of the area's urban areas.
func (a *Area) IsUrban(p Position) bool {
	for _, u := range a.Urban {
		if u.Centre.Distance(p) <= u.RadiusM {
			return true
		}
	}
	return false
}
