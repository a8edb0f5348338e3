package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// World is the forces a run drives: generated from the seed, or read from
// an existing force over the API.
type World struct {
	Forces []*Force
}

// Units counts every unit in the world.
func (w *World) Units() int {
	n := 0
	for _, f := range w.Forces {
		n += len(f.Units)
	}
	return n
}

// Force is one force as the simulator sees it.
type Force struct {
	Index    int
	ID       bluelamp.ForceID // as the server knows it
	Name     string
	Area     bluelamp.Area
	Stations []*Station
	Units    []*Unit
	Share    float64                       // of the deployment's demand, in proportion to units
	Targets  map[bluelamp.Grade][2]float64 // urban, rural attendance targets in seconds
}

// Station is a police station units start from.
type Station struct {
	ID       bluelamp.StationID
	Code     string
	Name     string
	Lat, Lon float64
}

// Unit is one deployable unit and what the simulator knows of it.
type Unit struct {
	ID       bluelamp.UnitID
	CallSign string
	Type     string
	Station  int // index in Force.Stations
	Crew     []string
	Skills   []bluelamp.Skill
	OnDuty   bool
	Ready    bool       // already available: no need to book on at set-up
	Beat     [2]float64 // lat, lon: where it patrols when free
	Speed    float64    // metres a second on an emergency drive, rural
}

// unitType is one kind of unit: its share of a force, skills and speed.
type unitType struct {
	name   string
	prefix string
	share  float64
	skills []bluelamp.Skill
	crew   int
	speed  float64 // m/s on a rural emergency drive; towns are slower
	foot   bool
}

// unitTypes is a typical force's mix (DOMAIN 3.3, 3.4).
var unitTypes = []unitType{
	{"response car", "R", 0.50, []bluelamp.Skill{"TASER", "FIRST_AID"}, 2, 24, false},
	{"response van", "V", 0.10, []bluelamp.Skill{"FIRST_AID"}, 2, 22, false},
	{"neighbourhood foot patrol", "N", 0.22, nil, 1, 1.4, true},
	{"roads policing car", "T", 0.07, []bluelamp.Skill{"ADVANCED_DRIVER", "PURSUIT", "TPAC"}, 1, 30, false},
	{"armed response vehicle", "A", 0.04, []bluelamp.Skill{"AFO", "ARVO", "TASER", "FIRST_AID"}, 2, 30, false},
	{"dog unit", "D", 0.03, []bluelamp.Skill{"DOG_GENERAL"}, 1, 24, false},
	{"public order carrier", "P", 0.04, []bluelamp.Skill{"PSU_L2", "PO_MEDIC"}, 3, 22, false},
}

// gbBox is where synthetic forces are laid out: a grid over Great
// Britain's latitudes and longitudes (the forces are fictional).
var gbBox = struct{ lat0, lat1, lon0, lon1 float64 }{50.2, 58.3, -5.2, 1.6}

// Generate builds cfg's synthetic world. It is a pure function of cfg's
// seed, forces and units: the same knobs give the same world.
func Generate(cfg Config) *World {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed))
	cols := int(math.Ceil(math.Sqrt(float64(cfg.Forces) * 0.6)))
	rows := (cfg.Forces + cols - 1) / cols
	weights := make([]float64, cfg.Forces)
	var sum float64
	for i := range weights {
		weights[i] = math.Exp(rng.NormFloat64() * 0.8) // forces differ ~30× in size, as UK forces do
		sum += weights[i]
	}
	w := &World{}
	left := cfg.Units
	for i := range cfg.Forces {
		n := int(math.Round(float64(cfg.Units) * weights[i] / sum))
		if i == cfg.Forces-1 {
			n = left
		}
		n = max(1, min(n, left-(cfg.Forces-1-i)))
		left -= n
		r, c := i/cols, i%cols
		latH, lonW := (gbBox.lat1-gbBox.lat0)/float64(rows), (gbBox.lon1-gbBox.lon0)/float64(cols)
		box := [4]float64{gbBox.lat0 + float64(r)*latH, gbBox.lat0 + float64(r+1)*latH, gbBox.lon0 + float64(c)*lonW, gbBox.lon0 + float64(c+1)*lonW}
		w.Forces = append(w.Forces, generateForce(rng, cfg, i, box, n))
	}
	w.share()
	return w
}

// share sets each force's share of demand from its units.
func (w *World) share() {
	total := float64(w.Units())
	for _, f := range w.Forces {
		f.Share = float64(len(f.Units)) / total
	}
}

func generateForce(rng *rand.Rand, cfg Config, i int, box [4]float64, units int) *Force {
	root := placeName(rng)
	f := &Force{
		Index: i,
		ID:    bluelamp.ForceID(fmt.Sprintf("%s-%02d", cfg.ForcePrefix, i+1)),
		Name:  root + " Constabulary",
	}
	// The area is the grid cell, inset so neighbours do not touch.
	lat0, lat1, lon0, lon1 := box[0]+0.02, box[1]-0.02, box[2]+0.02, box[3]-0.02
	f.Area.Boundary = [][2]float64{{lon0, lat0}, {lon1, lat0}, {lon1, lat1}, {lon0, lat1}, {lon0, lat0}}
	towns := max(2, min(12, units/400+2))
	for t := range towns {
		name := placeName(rng)
		if t == 0 {
			name = root
		}
		radius := 1500 + rng.Float64()*6000
		if t == 0 {
			radius = 4000 + rng.Float64()*6000
		}
		// Keep the whole town inside the area.
		mLat, mLon := radius/111_320+0.01, radius/(111_320*math.Cos((lat0+lat1)/2*math.Pi/180))+0.01
		lat := lat0 + mLat + rng.Float64()*(lat1-lat0-2*mLat)
		lon := lon0 + mLon + rng.Float64()*(lon1-lon0-2*mLon)
		f.Area.Urban = append(f.Area.Urban, bluelamp.UrbanArea{Name: name, Centre: bluelamp.Position{Lat: round6(lat), Lon: round6(lon)}, RadiusM: math.Round(radius)})
	}
	stations := max(1, min(units/60+1, 200))
	for s := range stations {
		town := f.Area.Urban[s%len(f.Area.Urban)]
		lat, lon := nearby(rng, town.Centre.Lat, town.Centre.Lon, town.RadiusM*0.6)
		name := town.Name
		if s >= len(f.Area.Urban) {
			name = fmt.Sprintf("%s %s", town.Name, []string{"North", "South", "East", "West", "Central", "Road"}[(s/len(f.Area.Urban)-1)%6])
		}
		f.Stations = append(f.Stations, &Station{Code: stationCode(s), Name: name, Lat: round6(lat), Lon: round6(lon)})
	}
	f.Units = generateUnits(rng, f, units, cfg.OnDutyShare)
	return f
}

// generateUnits makes a force's units: a typical mix of types, spread
// over its stations, a share of them on duty.
func generateUnits(rng *rand.Rand, f *Force, n int, onDuty float64) []*Unit {
	units := make([]*Unit, 0, n)
	perStation := make([]int, len(f.Stations))
	collar := 1000 + f.Index*20_000
	for k := range n {
		t := pickType(rng)
		s := k % len(f.Stations)
		perStation[s]++
		st := f.Stations[s]
		u := &Unit{
			CallSign: fmt.Sprintf("%s%s%d", st.Code, t.prefix, perStation[s]),
			Type:     t.name, Station: s, Skills: t.skills, Speed: t.speed,
			OnDuty: rng.Float64() < onDuty,
		}
		for range t.crew {
			collar++
			u.Crew = append(u.Crew, fmt.Sprint(collar))
		}
		radius := 1500.0
		if t.foot {
			radius = 600
		}
		u.Beat[0], u.Beat[1] = nearby(rng, st.Lat, st.Lon, radius)
		units = append(units, u)
	}
	return units
}

func pickType(rng *rand.Rand) unitType {
	x := rng.Float64()
	for _, t := range unitTypes {
		if x < t.share {
			return t
		}
		x -= t.share
	}
	return unitTypes[0]
}

// stationCode is a short unique code: A, B, … Z, AA, AB, ….
func stationCode(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('A'+(i-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}

// Fictional place names from English place-name elements.
var (
	nameHeads = []string{"Ash", "Bram", "Cal", "Dun", "Elm", "Fen", "Glen", "Har", "Ivel", "Kes", "Lang", "Mar",
		"Nor", "Oak", "Pen", "Quen", "Rad", "Sel", "Thorn", "Ux", "Vel", "Wold", "Yar", "Brack", "Cold", "Stan", "Wen"}
	nameTails = []string{"shire", "dale", "ford", "moor", "mere", "wick", "by", "ton", "worth", "combe", "ley", "stow"}
)

func placeName(rng *rand.Rand) string {
	return nameHeads[rng.IntN(len(nameHeads))] + nameTails[rng.IntN(len(nameTails))]
}

// streets name the generated grid's streets, for addresses.
var streets = []string{"High Street", "Church Lane", "Station Road", "Mill Lane", "Victoria Road", "Park Avenue",
	"Queen Street", "North Street", "London Road", "Manor Way", "Chapel Street", "Green Lane", "Market Place",
	"King Street", "School Lane", "Bridge Street", "The Crescent", "Albert Road", "Orchard Close", "New Road"}

// address names a place on the generated street grid (200 m blocks in
// town, 2 km lanes outside).
func address(lat, lon float64, town string) string {
	gx, gy := int(math.Floor(lon*500)), int(math.Floor(lat*550))
	street := streets[((gx*31+gy*17)%len(streets)+len(streets))%len(streets)]
	number := ((gx*7+gy*13)%180+180)%180 + 1
	if town == "" {
		return fmt.Sprintf("%s (rural)", street)
	}
	return fmt.Sprintf("%d %s, %s", number, street, town)
}

// nearby is a uniformly random point within radius metres of lat, lon.
func nearby(rng *rand.Rand, lat, lon, radius float64) (float64, float64) {
	r := radius * math.Sqrt(rng.Float64())
	a := rng.Float64() * 2 * math.Pi
	dLat := r * math.Cos(a) / 111_320
	dLon := r * math.Sin(a) / (111_320 * math.Cos(lat*math.Pi/180))
	return lat + dLat, lon + dLon
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// townAt returns the name of the urban area p is in, or "".
func (f *Force) townAt(lat, lon float64) string {
	for _, u := range f.Area.Urban {
		if metres(lat, lon, u.Centre.Lat, u.Centre.Lon) <= u.RadiusM {
			return u.Name
		}
	}
	return ""
}

// metres is the distance between two points (equirectangular: exact
// enough within a force).
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	x := (lon2 - lon1) * math.Cos((lat1+lat2)/2*math.Pi/180)
	y := lat2 - lat1
	return math.Sqrt(x*x+y*y) * 111_320
}

// String describes the world in a line.
func (w *World) String() string {
	var b strings.Builder
	on := 0
	for _, f := range w.Forces {
		for _, u := range f.Units {
			if u.OnDuty {
				on++
			}
		}
	}
	fmt.Fprintf(&b, "%d forces, %d units (%d on duty)", len(w.Forces), w.Units(), on)
	return b.String()
}

// bounds is a's bounding box: lat0, lat1, lon0, lon1. An area with no
// boundary is bounded by its towns.
func bounds(a *bluelamp.Area) [4]float64 {
	b := [4]float64{90, -90, 180, -180}
	grow := func(lat, lon float64) {
		b[0], b[1], b[2], b[3] = min(b[0], lat), max(b[1], lat), min(b[2], lon), max(b[3], lon)
	}
	for _, p := range a.Boundary {
		grow(p[1], p[0])
	}
	if len(a.Boundary) == 0 {
		for _, u := range a.Urban {
			d := u.RadiusM / 111_320
			grow(u.Centre.Lat-d, u.Centre.Lon-d*1.6)
			grow(u.Centre.Lat+d, u.Centre.Lon+d*1.6)
		}
	}
	return b
}
