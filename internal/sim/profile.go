package sim

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"
)

// Config is one run's knobs. A profile fills them; flags then override.
type Config struct {
	Target        string        // base URL of the bluelamp under test; nothing else is ever sent to
	Profile       string        // demo, national or peak
	Forces        int           // synthetic forces to create (ignored when driving an existing force)
	Units         int           // synthetic units across all forces
	OnDutyShare   float64       // share of units on duty and reporting positions
	DailyContacts float64       // contacts a day across all the world's forces at rate 1 (national: DOMAIN 1.4's ~115,000)
	Rate          float64       // call-rate multiplier
	Acceleration  float64       // simulated seconds per real second
	Duration      time.Duration // wall-clock length of the run, after set-up
	Seed          int64         // same seed, same world and call sequence
	Start         time.Time     // the simulated clock's start (its hour and weekday set the call rate)
	Peak          bool          // New Year's Eve rates 21:00–03:00 (DOMAIN 1.3)
	OverrideShare float64       // share of dispatches not of the first recommendation
	SceneScale    float64       // multiplies time spent at scene (the demo shortens jobs to keep the board moving)
	MajorEvery    time.Duration // mean simulated time between major incidents, deployment-wide; 0 for none
	MovingEvery   time.Duration // how often a moving unit's tracker reports (wall clock)
	IdleEvery     time.Duration // how often a stationary unit's tracker reports (wall clock)
	Consoles      int           // live event streams per force; 0 picks one per 1,000 units (at least one)
	Concurrency   int           // most requests in flight at once
	Timeout       time.Duration // per request

	// OperatorToken creates synthetic forces (POST /api/v1/forces). Without
	// it the run drives an existing force signed in as Admin.
	OperatorToken string
	Admin         Credentials // a force admin of an existing force
	ForcePrefix   string      // synthetic force ids are PREFIX-RUN-NN
	WarmStart     bool        // the first calls come within seconds (the demo)
}

// Credentials signs in a user.
type Credentials struct{ Username, Password string }

// Profiles are the named presets.
var Profiles = []string{"demo", "national", "peak"}

// ProfileConfig returns the preset named p.
func ProfileConfig(p string, now time.Time) (Config, error) {
	c := Config{
		Profile: p, Rate: 1, Acceleration: 1, Seed: 1, OverrideShare: 0.1, SceneScale: 1,
		MovingEvery: 5 * time.Second, IdleEvery: 30 * time.Second, Concurrency: 256,
		Timeout: 10 * time.Second, ForcePrefix: "sim", OnDutyShare: 0.3,
	}
	switch p {
	case "demo":
		// One small force in real time: a call every few minutes, jobs
		// at half length, so a newcomer sees the board move at once.
		c.Forces, c.Units, c.OnDutyShare = 1, 24, 0.8
		c.DailyContacts, c.Duration, c.SceneScale = 480, 0, 0.5
		c.MajorEvery, c.WarmStart, c.Start = 12*time.Hour, true, now
	case "national":
		// DOMAIN 1.1 and 1.4: 45 forces, ~150,000 officers, ~42 m voice
		// calls a year, from the busiest hour of an ordinary Friday.
		c.Forces, c.Units, c.DailyContacts = 45, 150_000, 115_000
		c.Duration, c.MajorEvery = 5*time.Minute, 24*time.Hour
		c.Start = nextWeekday(now, time.Friday, 17)
	case "peak":
		// DOMAIN 1.3: New Year's Eve, from 23:00.
		c.Forces, c.Units, c.DailyContacts = 45, 150_000, 115_000
		c.Duration, c.MajorEvery, c.Peak = 5*time.Minute, 6*time.Hour, true
		c.Start = time.Date(now.Year(), time.December, 31, 23, 0, 0, 0, london())
	default:
		return c, fmt.Errorf("unknown profile %q (have demo, national, peak)", p)
	}
	return c, nil
}

// Validate reports what is wrong with c.
func (c *Config) Validate() error {
	var errs []error
	if c.Start.IsZero() {
		c.Start = time.Now()
	}
	if u, err := url.Parse(c.Target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--target must be an http(s) URL, got %q", c.Target))
	}
	check := func(ok bool, msg string) {
		if !ok {
			errs = append(errs, errors.New(msg))
		}
	}
	check(c.Forces >= 1 && c.Forces <= 99, "--forces must be 1 to 99")
	check(c.Units >= c.Forces && c.Units <= 1_000_000, "--units must be at least one per force and at most 1,000,000")
	check(c.Rate > 0 && c.Rate <= 10_000, "--rate must be above 0 and at most 10,000")
	check(c.Acceleration >= 1 && c.Acceleration <= 10_000, "--accel must be 1 to 10,000")
	check(c.Duration >= 0, "--duration must not be negative")
	check(c.OnDutyShare > 0 && c.OnDutyShare <= 1, "--on-duty must be above 0 and at most 1")
	check(c.OverrideShare >= 0 && c.OverrideShare <= 1, "--overrides must be 0 to 1")
	check(c.MovingEvery >= 100*time.Millisecond && c.IdleEvery >= c.MovingEvery, "--position-every must be at least 100ms, and idle no more often than moving")
	check(c.Concurrency >= 1 && c.Timeout > 0, "--concurrency and --timeout must be positive")
	check(c.OperatorToken != "" || c.Admin.Username != "", "give --operator-token to create synthetic forces, or --username and --password of an existing force's admin")
	return errors.Join(errs...)
}

// ParseStart reads a simulated start time such as 2026-12-31T21:00, in
// London time (the zone the demand curve is read in).
func ParseStart(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, london())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a time such as 2026-12-31T21:00", s)
	}
	return t, nil
}

// london is the zone the rate curve is read in.
func london() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}

// nextWeekday is the next day at hour (London) on weekday, from now.
func nextWeekday(now time.Time, day time.Weekday, hour int) time.Time {
	t := now.In(london())
	d := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, t.Location())
	for d.Weekday() != day || d.Before(t) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// hourWeights is an ordinary weekday's demand by hour (London), shaped
// from DOMAIN 1.3: a trough before dawn, a rise through the day to a peak
// at 17:00–19:00, and a long evening tail. Normalised to mean 1 at init.
var hourWeights = [24]float64{
	0.80, 0.66, 0.55, 0.45, 0.38, 0.35, 0.42, 0.60, 0.82, 0.98, 1.06, 1.10,
	1.14, 1.15, 1.18, 1.24, 1.32, 1.42, 1.40, 1.32, 1.24, 1.14, 1.02, 0.92,
}

// dayWeights scales each weekday (Sunday first); weekends are busier.
var dayWeights = [7]float64{1.01, 0.95, 0.94, 0.95, 0.97, 1.08, 1.10}

// monthWeights scales each month (January first): summer is busiest
// (DOMAIN 1.3: the Met's busiest month is July).
var monthWeights = [12]float64{0.92, 0.90, 0.95, 0.97, 1.02, 1.06, 1.12, 1.08, 1.02, 1.00, 0.98, 0.98}

func init() {
	var sum float64
	for _, w := range hourWeights {
		sum += w
	}
	for i := range hourWeights {
		hourWeights[i] *= 24 / sum
	}
}

// demand is the call-rate factor at simulated time t (mean 1 over an
// ordinary year): hour, weekday and month, the night-time economy on
// Friday and Saturday nights, and New Year's Eve when peak is set.
func demand(t time.Time, peak bool) float64 {
	t = t.In(london())
	h := t.Hour()
	f := hourWeights[h] * dayWeights[t.Weekday()] * monthWeights[t.Month()-1]
	// Friday and Saturday nights (and the small hours after them) carry
	// the night-time economy: Nottinghamshire's Friday peaks near 02:00.
	night := h >= 21 || h < 3
	wd := t.Weekday()
	if night && ((wd == time.Friday || wd == time.Saturday) && h >= 21 || (wd == time.Saturday || wd == time.Sunday) && h < 3) {
		f *= 1.35
	}
	// New Year's Eve: nearly half a day's calls in 21:00–03:00, 230 % of
	// a normal night (DOMAIN 1.3).
	if peak && night && (t.Month() == time.December && t.Day() == 31 && h >= 21 || t.Month() == time.January && t.Day() == 1 && h < 3) {
		f *= 2.3
	}
	return f
}

// maxDemand bounds demand, for thinning.
func maxDemand() float64 {
	m := 0.0
	for _, w := range hourWeights {
		m = math.Max(m, w)
	}
	return m * 1.10 * 1.12 * 1.35 * 2.3
}
