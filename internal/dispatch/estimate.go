package dispatch

import (
	"math"
	"time"
)

// Estimator estimates how long a unit takes to reach an incident. The index
// calls it under its read lock, from many goroutines at once, so it must be
// safe for concurrent use, quick, and deterministic: the same arguments give
// the same duration.
type Estimator interface {
	// ETA returns the estimated time for a unit of unitType at (fromLat,
	// fromLon) to reach (toLat, toLon), all in WGS84 degrees.
	ETA(fromLat, fromLon, toLat, toLon float64, unitType string) time.Duration
}

// BoundedEstimator is an Estimator that can bound its ETAs from below by
// straight-line distance, which lets the index stop searching once every unit
// it has not looked at must be slower than the ones it has. An Estimator
// without MinETA (a routing engine whose times need not grow with distance)
// is still correct: the index then evaluates every candidate in the
// partition it searches, which costs a scan of that partition.
type BoundedEstimator interface {
	Estimator
	// MinETA returns a duration no greater than the ETA of any unit, of any
	// type, that is distance metres or more from the incident in a straight
	// line (great-circle distance as Distance computes it). It must not
	// decrease as distance grows.
	MinETA(distance float64) time.Duration
}

// Default speeds of StraightLine.
const (
	DefaultRoadFactor = 1.4
	DefaultSpeedKPH   = 48
)

// StraightLine is the default Estimator: the great-circle distance times a
// road factor, at an average speed for the unit's type. A zero StraightLine
// uses DefaultRoadFactor and DefaultSpeedKPH for every type.
//
// A factor or speed that is not a positive finite number is ignored (the
// default, or SpeedKPH for a type, applies instead).
type StraightLine struct {
	RoadFactor   float64            // road distance over straight-line distance; 0 means DefaultRoadFactor
	SpeedKPH     float64            // average speed of a type not in TypeSpeedKPH; 0 means DefaultSpeedKPH
	TypeSpeedKPH map[string]float64 // average speed by unit type, e.g. "foot patrol": 5
}

var _ BoundedEstimator = StraightLine{}

// ETA returns the distance times the road factor over unitType's speed.
func (s StraightLine) ETA(fromLat, fromLon, toLat, toLon float64, unitType string) time.Duration {
	kph := s.speed()
	if v, ok := s.TypeSpeedKPH[unitType]; ok && positive(v) {
		kph = v
	}
	return etaAt(Distance(fromLat, fromLon, toLat, toLon), s.factor(), kph)
}

// MinETA returns the ETA of the fastest type over distance metres.
func (s StraightLine) MinETA(distance float64) time.Duration {
	return etaAt(distance, s.factor(), s.fastest())
}

func (s StraightLine) factor() float64 {
	if positive(s.RoadFactor) {
		return s.RoadFactor
	}
	return DefaultRoadFactor
}

func (s StraightLine) speed() float64 {
	if positive(s.SpeedKPH) {
		return s.SpeedKPH
	}
	return DefaultSpeedKPH
}

func (s StraightLine) fastest() float64 {
	kph := s.speed()
	for _, v := range s.TypeSpeedKPH {
		if positive(v) && v > kph {
			kph = v
		}
	}
	return kph
}

// etaAt is the one formula every ETA and MinETA uses. Each step is monotone
// in its inputs under IEEE rounding, so MinETA(d) ≤ ETA at distance d
// exactly, not merely to within a rounding error, and the index's pruning
// never drops a unit that ties.
func etaAt(distance, factor, kph float64) time.Duration {
	ns := distance * factor / (kph / 3.6) * float64(time.Second)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// straightLine is a StraightLine as NewIndex compiles it: the same ETAs,
// bit for bit, with its defaults resolved and its fastest speed found once,
// so that MinETA, which a search calls for every cell it visits, costs a
// multiplication rather than a walk over the map.
type straightLine struct {
	factor, kph, fastest float64
	types                map[string]float64 // the valid speeds of TypeSpeedKPH
}

func (s StraightLine) compile() *straightLine {
	c := &straightLine{factor: s.factor(), kph: s.speed(), fastest: s.fastest(), types: map[string]float64{}}
	for t, v := range s.TypeSpeedKPH {
		if positive(v) {
			c.types[t] = v
		}
	}
	return c
}

func (c *straightLine) ETA(fromLat, fromLon, toLat, toLon float64, unitType string) time.Duration {
	kph, ok := c.types[unitType]
	if !ok {
		kph = c.kph
	}
	return etaAt(Distance(fromLat, fromLon, toLat, toLon), c.factor, kph)
}

func (c *straightLine) MinETA(distance float64) time.Duration {
	return etaAt(distance, c.factor, c.fastest)
}

func positive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// earthRadius is the IUGG mean radius of the Earth, in metres.
const earthRadius = 6_371_008.8

const radians = math.Pi / 180

// Distance returns the great-circle (haversine) distance in metres between
// two WGS84 positions in degrees, on a sphere of the Earth's mean radius.
// Within the UK it is within 0.5 % of the distance on the ellipsoid.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	sinLat := math.Sin((lat2 - lat1) * radians / 2)
	sinLon := math.Sin((lon2 - lon1) * radians / 2)
	a := sinLat*sinLat + math.Cos(lat1*radians)*math.Cos(lat2*radians)*sinLon*sinLon
	return 2 * earthRadius * math.Asin(math.Sqrt(min(a, 1)))
}
