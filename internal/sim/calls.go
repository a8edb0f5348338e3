package sim

import (
	"container/heap"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Call is one call to the police as the generator makes it: the same seed
// and knobs give the same calls at the same simulated times.
type Call struct {
	Force      int       // index in World.Forces
	Seq        int       // per force, from 1
	At         time.Time // simulated
	Happening  int       // per force; a duplicate call shares its first call's
	First      bool      // the first call about its happening
	Major      bool
	Repeat     bool // from a repeat caller's number
	Channel    bluelamp.Channel
	Caller     bluelamp.Caller
	Category   bluelamp.Category
	Grade      bluelamp.Grade
	Qualifiers []bluelamp.Qualifier
	Skills     []bluelamp.Skill
	Summary    string
	Account    string
	Lat, Lon   float64
	Address    string
	Urban      bool
	Units      int           // units the job needs
	Scene      time.Duration // simulated time each unit spends at scene
}

// callKind is one category of call with its grade mix (IMMEDIATE,
// PRIORITY, STANDARD, SCHEDULED, RESOLVED_WITHOUT_DEPLOYMENT), share of
// 999, time at scene in minutes and how many others usually call about
// the same thing.
type callKind struct {
	cat     bluelamp.Category
	share   float64
	grades  [5]float64
	p999    float64
	scene   [2]float64
	dups    float64
	quals   []bluelamp.Qualifier
	skills  []bluelamp.Skill // for an IMMEDIATE call of this kind, some of the time
	summary []string
}

var grades = [5]bluelamp.Grade{bluelamp.GradeImmediate, bluelamp.GradePriority, bluelamp.GradeStandard,
	bluelamp.GradeScheduled, bluelamp.GradeResolvedWithoutDeployment}

// callKinds is a force's demand mix, shaped from DOMAIN 1 and 2 (welfare
// and concern for safety lead; over 80 % of calls are incidents; only a
// minority are genuine emergencies).
var callKinds = []callKind{
	{"CONCERN_FOR_SAFETY", 12, [5]float64{.25, .45, .20, .05, .05}, .6, [2]float64{30, 90}, .1, []bluelamp.Qualifier{"MENTAL_HEALTH"}, nil, []string{"Concern for welfare of a neighbour", "Person on a bridge", "Elderly man confused in the street"}},
	{"DOMESTIC_INCIDENT", 8, [5]float64{.35, .45, .15, .05, 0}, .7, [2]float64{45, 120}, .05, []bluelamp.Qualifier{"DOMESTIC_ABUSE"}, nil, []string{"Shouting and screaming next door", "Ex-partner at the door refusing to leave", "Domestic argument, caller frightened"}},
	{"CRIME_VIOLENCE", 8, [5]float64{.40, .35, .20, .05, 0}, .65, [2]float64{40, 120}, .4, []bluelamp.Qualifier{"ALCOHOL"}, []bluelamp.Skill{"TASER"}, []string{"Fight outside a pub", "Assault in progress", "Man punched in the street"}},
	{"ASB_NUISANCE", 9, [5]float64{.05, .25, .45, .10, .15}, .3, [2]float64{15, 40}, .3, nil, nil, []string{"Youths causing a nuisance", "Loud party", "Motorbikes on the playing field"}},
	{"ASB_PERSONAL", 3, [5]float64{.10, .30, .40, .10, .10}, .3, [2]float64{20, 45}, .1, nil, nil, []string{"Neighbour harassing caller", "Threats on the doorstep"}},
	{"CRIME_THEFT", 8, [5]float64{.05, .15, .35, .25, .20}, .2, [2]float64{20, 50}, .05, nil, nil, []string{"Shoplifter detained by security", "Bike stolen", "Theft from a car"}},
	{"CRIME_BURGLARY", 4, [5]float64{.20, .35, .25, .20, 0}, .5, [2]float64{45, 90}, .05, nil, []bluelamp.Skill{"DOG_GENERAL"}, []string{"Burglary in progress", "Came home to find the door forced"}},
	{"CRIME_CRIMINAL_DAMAGE", 3, [5]float64{.05, .20, .40, .20, .15}, .3, [2]float64{20, 40}, .1, nil, nil, []string{"Car windows smashed", "Graffiti on the school"}},
	{"CRIME_ROBBERY", 1.5, [5]float64{.60, .30, .10, 0, 0}, .8, [2]float64{60, 120}, .2, []bluelamp.Qualifier{"WEAPONS"}, []bluelamp.Skill{"DOG_GENERAL"}, []string{"Robbery at a corner shop", "Phone snatched at knifepoint"}},
	{"CRIME_WEAPONS", 1, [5]float64{.80, .20, 0, 0, 0}, .9, [2]float64{60, 150}, .3, []bluelamp.Qualifier{"FIREARMS"}, []bluelamp.Skill{"AFO"}, []string{"Man seen with a gun", "Man waving a knife"}},
	{"CRIME_PUBLIC_ORDER", 2, [5]float64{.35, .40, .25, 0, 0}, .6, [2]float64{30, 90}, .5, []bluelamp.Qualifier{"NIGHT_TIME_ECONOMY", "ALCOHOL"}, []bluelamp.Skill{"PSU_L2"}, []string{"Disorder outside a nightclub", "Group fighting in the square"}},
	{"CRIME_FRAUD", 3, [5]float64{0, 0, .10, .45, .45}, .05, [2]float64{30, 60}, 0, nil, nil, []string{"Caller scammed out of savings", "Bank card cloned"}},
	{"RTC_DAMAGE_ONLY", 3, [5]float64{.05, .30, .40, 0, .25}, .5, [2]float64{20, 45}, .3, nil, nil, []string{"Two cars collided, no injuries", "Car into a wall"}},
	{"RTC_INJURY", 2, [5]float64{.80, .20, 0, 0, 0}, .95, [2]float64{60, 150}, .8, nil, []bluelamp.Skill{"ADVANCED_DRIVER"}, []string{"Car and cyclist collided, cyclist hurt", "Car overturned, driver trapped"}},
	{"HIGHWAY_DISRUPTION", 3, [5]float64{.20, .40, .30, 0, .10}, .5, [2]float64{20, 60}, 1, nil, nil, []string{"Debris in the carriageway", "Cows on the road", "Broken-down lorry blocking the lane"}},
	{"SUSPICIOUS_CIRCUMSTANCES", 7, [5]float64{.15, .40, .30, 0, .15}, .4, [2]float64{20, 45}, .1, nil, nil, []string{"Man trying car door handles", "Strangers looking into gardens"}},
	{"MISSING_PERSON", 3, [5]float64{.30, .60, .10, 0, 0}, .5, [2]float64{60, 180}, 0, []bluelamp.Qualifier{"VULNERABLE_VICTIM"}, []bluelamp.Skill{"DOG_SEARCH"}, []string{"Teenager not home from school", "Care home resident missing"}},
	{"COLLAPSE_ILLNESS_INJURY", 3, [5]float64{.50, .30, .10, 0, .10}, .9, [2]float64{30, 60}, .3, nil, []bluelamp.Skill{"FIRST_AID"}, []string{"Man collapsed in the street", "Woman fallen and cannot get up"}},
	{"ALARM", 3, [5]float64{.30, .40, .20, 0, .10}, .3, [2]float64{15, 30}, 0, nil, nil, []string{"Intruder alarm at a warehouse", "Panic alarm at a jeweller's"}},
	{"CIVIL_DISPUTE", 3, [5]float64{0, 0, .20, .30, .50}, .1, [2]float64{20, 40}, 0, nil, nil, []string{"Landlord changed the locks", "Dispute over a fence"}},
	{"ABANDONED_CALL", 4, [5]float64{.10, .30, .20, 0, .40}, 1, [2]float64{15, 30}, 0, nil, nil, []string{"Silent 999 call, line open", "Abandoned 999 call"}},
	{"SUDDEN_DEATH", 1, [5]float64{.20, .80, 0, 0, 0}, .8, [2]float64{120, 240}, 0, nil, nil, []string{"Man found dead at home"}},
	{"ANIMALS", 1.5, [5]float64{0, .20, .40, 0, .40}, .3, [2]float64{20, 40}, .2, nil, nil, []string{"Dangerous dog loose", "Horse on the road"}},
	{"LOST_FOUND_PROPERTY", 2, [5]float64{0, 0, 0, 0, 1}, 0, [2]float64{0, 0}, 0, nil, nil, []string{"Wallet handed in", "Lost phone"}},
	{"MESSAGE", 5, [5]float64{0, 0, 0, .20, .80}, .05, [2]float64{0, 0}, 0, nil, nil, []string{"Caller wants an update on a report", "Message for an officer"}},
}

// majorKinds start major incidents.
var majorKinds = []struct {
	cat     bluelamp.Category
	summary string
}{
	{"RTC_FATAL", "Coach overturned on the motorway, many casualties"},
	{"FIRE", "Large fire at a block of flats"},
	{"INDUSTRIAL_INCIDENT", "Explosion at a chemical works"},
	{"CRIME_PUBLIC_ORDER", "Large-scale disorder in the town centre"},
}

// phoneRanges are Ofcom's numbers for drama: never a real subscriber's.
var phoneRanges = []string{"07700 900", "01632 960", "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0",
	"0117 496 0", "0118 496 0", "0121 496 0", "0131 496 0", "0141 496 0", "0151 496 0", "0161 496 0", "020 7946 0"}

// calls makes one force's calls in time order.
type calls struct {
	cfg       Config
	force     *Force
	rng       *rand.Rand
	rate      float64   // happenings a simulated second at demand 1
	majorRate float64   // major incidents a simulated second
	next      time.Time // next happening, by thinning
	nextMajor time.Time
	pending   callHeap // duplicate calls due later
	seq       int
	happening int
	repeats   []string // this force's repeat callers' numbers
	warm      int      // calls still to come early (the demo's warm start)
	urgent    bool     // the next happening is an emergency (the warm start's first)
	kindSum   float64
}

// meanCallers is the mean number of calls per happening, so the contact
// rate, duplicates included, is the profile's.
func meanCallers() float64 {
	var s, d float64
	for _, k := range callKinds {
		s += k.share
		d += k.share * k.dups
	}
	return 1 + d/s
}

func newCalls(cfg Config, f *Force) *calls {
	g := &calls{cfg: cfg, force: f, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(f.Index)+1))}
	g.rate = cfg.DailyContacts * cfg.Rate * f.Share / meanCallers() / 86400
	if cfg.MajorEvery > 0 {
		g.majorRate = f.Share / cfg.MajorEvery.Seconds()
		g.nextMajor = cfg.Start.Add(g.exp(g.majorRate))
	}
	for _, k := range callKinds {
		g.kindSum += k.share
	}
	for i := range max(3, len(f.Units)/150) {
		g.repeats = append(g.repeats, fmt.Sprintf("%s%03d", phoneRanges[i%len(phoneRanges)], g.rng.IntN(1000)))
	}
	g.next = cfg.Start
	if cfg.WarmStart {
		// The demo opens with an emergency and two more calls within
		// seconds, so a newcomer sees a dispatch at once.
		g.warm, g.urgent = 3, true
	}
	g.advance()
	return g
}

// exp draws an exponential gap for a Poisson process of rate per second.
func (g *calls) exp(rate float64) time.Duration {
	if rate <= 0 {
		return 1 << 62
	}
	return time.Duration(g.rng.ExpFloat64() / rate * float64(time.Second))
}

// advance moves g.next to the next happening by thinning a Poisson
// process at the peak rate against the demand curve.
func (g *calls) advance() {
	if g.warm > 0 {
		g.warm--
		g.next = g.next.Add(time.Duration(3+g.rng.IntN(12)) * time.Second)
		return
	}
	peak := g.rate * maxDemand()
	for {
		g.next = g.next.Add(g.exp(peak))
		if g.rng.Float64()*maxDemand() <= demand(g.next, g.cfg.Peak) {
			return
		}
	}
}

// Next returns the force's next call.
func (g *calls) Next() Call {
	majors := g.majorRate > 0
	switch {
	case len(g.pending) > 0 && !g.pending[0].At.After(g.next) && (!majors || !g.pending[0].At.After(g.nextMajor)):
		c := heap.Pop(&g.pending).(Call)
		return g.number(c)
	case majors && g.nextMajor.Before(g.next):
		at := g.nextMajor
		g.nextMajor = at.Add(g.exp(g.majorRate))
		return g.number(g.major(at))
	default:
		at := g.next
		g.advance()
		return g.number(g.ordinary(at))
	}
}

func (g *calls) number(c Call) Call {
	g.seq++
	c.Seq = g.seq
	return c
}

// ordinary makes a happening's first call and queues the others' calls.
func (g *calls) ordinary(at time.Time) Call {
	k := g.kind()
	grade := g.grade(k)
	if g.urgent {
		for k.grades[0] == 0 {
			k = g.kind()
		}
		grade, g.urgent = bluelamp.GradeImmediate, false
	}
	c := g.call(at, k.cat, grade, g.pick(k.summary))
	c.Qualifiers = k.quals
	if c.Grade == bluelamp.GradeImmediate && len(k.skills) > 0 && g.rng.Float64() < 0.3 {
		c.Skills = k.skills
	}
	if c.Grade == bluelamp.GradeImmediate {
		c.Units = 1 + g.rng.IntN(2)
	} else if deployed(c.Grade) {
		c.Units = 1
	}
	c.Scene = g.scene(k.scene)
	if c.Channel = bluelamp.ChannelNonEmergency; g.rng.Float64() < k.p999 {
		c.Channel = bluelamp.ChannelEmergency
	}
	if g.rng.Float64() < 0.04 {
		c.Repeat, c.Caller.Number, c.Caller.Anonymous = true, g.pick(g.repeats), false
	}
	for range min(6, g.poisson(k.dups)) {
		g.duplicate(c, time.Duration(20+g.rng.IntN(460))*time.Second)
	}
	return c
}

// major makes a major incident's first call and queues a flood of others.
func (g *calls) major(at time.Time) Call {
	m := majorKinds[g.rng.IntN(len(majorKinds))]
	c := g.call(at, m.cat, bluelamp.GradeImmediate, m.summary)
	c.Major, c.Units, c.Channel = true, 6, bluelamp.ChannelEmergency
	c.Scene = time.Duration(120+g.rng.IntN(120)) * time.Minute
	for range 20 + g.rng.IntN(21) {
		g.duplicate(c, time.Duration(30+g.rng.IntN(1200))*time.Second)
	}
	return c
}

// call is a first call about a new happening at a random place.
func (g *calls) call(at time.Time, cat bluelamp.Category, grade bluelamp.Grade, summary string) Call {
	g.happening++
	c := Call{Force: g.force.Index, At: at, Happening: g.happening, First: true, Category: cat, Grade: grade, Summary: summary}
	c.Lat, c.Lon, c.Urban = g.place()
	c.Address = address(c.Lat, c.Lon, g.force.townAt(c.Lat, c.Lon))
	c.Caller = g.caller()
	c.Account = fmt.Sprintf("%s. Caller at %s.", summary, c.Address)
	return c
}

// duplicate queues another caller's call about c, after delay, from
// nearby.
func (g *calls) duplicate(c Call, delay time.Duration) {
	d := c
	d.First, d.Repeat, d.At = false, false, c.At.Add(delay)
	d.Lat, d.Lon = g.jitter(c.Lat, c.Lon, 80)
	d.Address = address(d.Lat, d.Lon, g.force.townAt(d.Lat, d.Lon))
	d.Caller = g.caller()
	d.Channel = bluelamp.ChannelEmergency
	d.Account = "Another caller: " + c.Summary
	heap.Push(&g.pending, d)
}

func (g *calls) kind() callKind {
	x := g.rng.Float64() * g.kindSum
	for _, k := range callKinds {
		if x < k.share {
			return k
		}
		x -= k.share
	}
	return callKinds[0]
}

func (g *calls) grade(k callKind) bluelamp.Grade {
	x := g.rng.Float64()
	for i, p := range k.grades {
		if x < p {
			return grades[i]
		}
		x -= p
	}
	return bluelamp.GradeStandard
}

// scene draws the time at scene, in simulated time.
func (g *calls) scene(r [2]float64) time.Duration {
	m := r[0] + g.rng.Float64()*(r[1]-r[0])
	return time.Duration(m * g.cfg.SceneScale * float64(time.Minute))
}

func (g *calls) caller() bluelamp.Caller {
	if g.rng.Float64() < 0.1 {
		return bluelamp.Caller{Anonymous: true}
	}
	n := fmt.Sprintf("%s%03d", g.pick(phoneRanges), g.rng.IntN(1000))
	return bluelamp.Caller{Number: n, Callback: true}
}

// place is where a happening is: in a town three times in four.
func (g *calls) place() (lat, lon float64, urban bool) {
	a := &g.force.Area
	if len(a.Urban) > 0 && g.rng.Float64() < 0.75 {
		var sum float64
		for _, u := range a.Urban {
			sum += u.RadiusM * u.RadiusM
		}
		x := g.rng.Float64() * sum
		for _, u := range a.Urban {
			if x -= u.RadiusM * u.RadiusM; x < 0 {
				lat, lon = nearby(g.rng, u.Centre.Lat, u.Centre.Lon, u.RadiusM*0.95)
				if a.Contains(bluelamp.Position{Lat: lat, Lon: lon}) {
					return round6(lat), round6(lon), true
				}
			}
		}
	}
	box := bounds(a)
	for range 1000 {
		lat = box[0] + g.rng.Float64()*(box[1]-box[0])
		lon = box[2] + g.rng.Float64()*(box[3]-box[2])
		if a.Contains(bluelamp.Position{Lat: lat, Lon: lon}) {
			break
		}
	}
	return round6(lat), round6(lon), g.force.townAt(lat, lon) != ""
}

// jitter moves a point up to radius metres, staying in the force.
func (g *calls) jitter(lat, lon, radius float64) (float64, float64) {
	for range 20 {
		la, lo := nearby(g.rng, lat, lon, radius)
		if g.force.Area.Contains(bluelamp.Position{Lat: la, Lon: lo}) {
			return round6(la), round6(lo)
		}
	}
	return lat, lon
}

func (g *calls) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (g *calls) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// deployed reports whether a grade sends a unit.
func deployed(gr bluelamp.Grade) bool {
	return gr == bluelamp.GradeImmediate || gr == bluelamp.GradePriority || gr == bluelamp.GradeStandard
}

// callHeap orders calls by time, then by happening for a stable order.
type callHeap []Call

func (h callHeap) Len() int { return len(h) }
func (h callHeap) Less(i, j int) bool {
	if !h[i].At.Equal(h[j].At) {
		return h[i].At.Before(h[j].At)
	}
	return h[i].Happening < h[j].Happening
}
func (h callHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *callHeap) Push(x any)   { *h = append(*h, x.(Call)) }
func (h *callHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
