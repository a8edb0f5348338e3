package sim

import (
	"math"
	"time"
)

// motion is where a unit is going and how: a drive along the generated
// street grid (north–south first, then east–west, as a grid of streets
// forces) from one point to another, then either patrolling a block
// around the destination or standing at it. Position is a pure function
// of simulated time, so trackers can be sampled whenever they report.
type motion struct {
	from, to [2]float64 // lat, lon
	start    time.Time  // simulated departure
	speed    float64    // metres a second on the drive
	patrol   float64    // metres a second round the block after arrival; 0 stands still
	block    float64    // side of the patrolled block, metres
}

// still is a motion standing at p.
func still(p [2]float64) motion { return motion{from: p, to: p} }

// legs are the drive's two lengths in metres: north–south, east–west.
func (m motion) legs() (float64, float64) {
	ns := math.Abs(m.to[0]-m.from[0]) * 111_320
	ew := math.Abs(m.to[1]-m.from[1]) * 111_320 * math.Cos(m.to[0]*math.Pi/180)
	return ns, ew
}

// arrival is when the drive ends.
func (m motion) arrival() time.Time {
	if m.speed <= 0 {
		return m.start
	}
	ns, ew := m.legs()
	return m.start.Add(time.Duration((ns + ew) / m.speed * float64(time.Second)))
}

// at returns the position at t, with speed (m/s) and heading (degrees).
func (m motion) at(t time.Time) (p [2]float64, speed, heading float64) {
	ns, ew := m.legs()
	if m.speed > 0 && t.After(m.start) && ns+ew > 0 {
		d := t.Sub(m.start).Seconds() * m.speed
		switch {
		case d < ns:
			f := d / ns
			return [2]float64{m.from[0] + (m.to[0]-m.from[0])*f, m.from[1]}, m.speed, bearing(m.to[0] > m.from[0], 0, 180)
		case d < ns+ew:
			f := (d - ns) / ew
			return [2]float64{m.to[0], m.from[1] + (m.to[1]-m.from[1])*f}, m.speed, bearing(m.to[1] > m.from[1], 90, 270)
		}
	}
	if m.patrol <= 0 || m.block <= 0 {
		return m.to, 0, 0
	}
	return m.round(t.Sub(m.arrival()).Seconds() * m.patrol)
}

// round is the point d metres round the patrolled block, which starts
// and ends at the destination (its south-west corner).
func (m motion) round(d float64) ([2]float64, float64, float64) {
	side := m.block
	d = math.Mod(math.Max(d, 0), 4*side)
	dLat := side / 111_320
	dLon := side / (111_320 * math.Cos(m.to[0]*math.Pi/180))
	lat, lon := m.to[0], m.to[1]
	f := math.Mod(d, side) / side
	switch int(d / side) {
	case 0:
		return [2]float64{lat + dLat*f, lon}, m.patrol, 0
	case 1:
		return [2]float64{lat + dLat, lon + dLon*f}, m.patrol, 90
	case 2:
		return [2]float64{lat + dLat*(1-f), lon + dLon}, m.patrol, 180
	default:
		return [2]float64{lat, lon + dLon*(1-f)}, m.patrol, 270
	}
}

func bearing(cond bool, yes, no float64) float64 {
	if cond {
		return yes
	}
	return no
}
