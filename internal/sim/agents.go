package sim

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// forceRun is one force in motion: its call handler, controller,
// supervisor, units and trackers.
type forceRun struct {
	s   *Sim
	f   *Force
	ids *identities
	gen *calls

	mu        sync.Mutex // guards what follows
	rng       *rand.Rand
	units     map[bluelamp.UnitID]*unitRun
	list      []*unitRun
	incidents map[bluelamp.IncidentID]*incRun

	dispatching sync.Mutex // one controller's decisions at a time
}

// unitRun is a unit's live state as its crew and tracker know it.
type unitRun struct {
	u        *Unit
	free     bool // available for a job
	book     bool // to be booked on at set-up
	mv       motion
	incident bluelamp.IncidentID
	job      int       // bumped on each new job or stand-down; stale timers check it
	nextFix  time.Time // wall clock
}

// incRun is an incident as the simulator follows it.
type incRun struct {
	id         bluelamp.IncidentID
	call       *Call // the first call; nil for an incident the simulator did not raise
	seen       bool  // its incident.opened reached the controller's console
	planned    bool  // dispatch or closure is scheduled
	dispatched int
	active     int // units assigned and not yet cleared
	arrived    time.Time
	closed     bool
}

func (s *Sim) newForceRun(f *Force, ids *identities) *forceRun {
	fr := &forceRun{s: s, f: f, ids: ids, gen: newCalls(s.cfg, f), rng: newRand(s.cfg.Seed, uint64(1000+f.Index)),
		units: map[bluelamp.UnitID]*unitRun{}, incidents: map[bluelamp.IncidentID]*incRun{}}
	start := s.cfg.Start
	for _, u := range f.Units {
		// A unit on duty but busy (left on a job by an earlier run) is
		// booked on afresh, so it is free for this run.
		ur := &unitRun{u: u, free: u.OnDuty, book: u.OnDuty && !u.Ready, mv: fr.patrol(u, u.Beat, start)}
		fr.units[u.ID] = ur
		if u.OnDuty {
			fr.list = append(fr.list, ur)
		}
	}
	return fr
}

// patrol is a unit patrolling a block at p from t.
func (fr *forceRun) patrol(u *Unit, p [2]float64, t time.Time) motion {
	m := still(p)
	m.start, m.patrol, m.block = t, 8, 800
	if typeOf(u.Type).foot {
		m.patrol, m.block = 1.4, 300
	}
	return m
}

// after runs fn once d of simulated time has passed, with the wall-clock
// time it was meant to run at: latency is measured from then.
func (fr *forceRun) after(ctx context.Context, d time.Duration, fn func(ctx context.Context, intended time.Time)) {
	s := fr.s
	due := time.Now().Add(s.realDelay(d))
	time.AfterFunc(time.Until(due), func() { s.spawn(ctx, func(ctx context.Context) { fn(ctx, due) }) })
}

// spawn runs fn unless the run is stopping; Run waits for it. Requests
// made under it are not cut off at the end, so every call taken is
// answered and counted.
func (s *Sim) spawn(ctx context.Context, fn func(ctx context.Context)) {
	s.mu.Lock()
	if ctx.Err() != nil || s.stopping {
		s.mu.Unlock()
		return
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.inflight.Done()
		fn(context.WithoutCancel(ctx))
	}()
}

// callLoop takes the force's calls at their times until the run ends.
func (fr *forceRun) callLoop(ctx context.Context) {
	s := fr.s
	for {
		c := fr.gen.Next()
		due := s.realAt(c.At)
		if !sleepUntil(ctx, due) {
			return
		}
		s.rec.count(func(k *Counts) {
			k.Calls++
			if c.Repeat {
				k.RepeatCalls++
			}
		})
		s.spawn(ctx, func(ctx context.Context) { fr.take(ctx, c, due) })
	}
}

// sleepUntil waits for t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// take is a call handler taking one call: for a caller about something
// already known, a duplicate check and a link; otherwise a new incident.
func (fr *forceRun) take(ctx context.Context, c Call, due time.Time) {
	h := fr.ids.handler
	var link bluelamp.IncidentID
	intended := due
	if !c.First {
		q := url.Values{"lat": {fmt.Sprint(c.Lat)}, "lon": {fmt.Sprint(c.Lon)}, "category": {string(c.Category)}}
		var d struct{ Duplicates []bluelamp.DuplicateCandidate }
		if err := h.call(ctx, OpDuplicateCheck, "GET", "/api/v1/duplicates?"+q.Encode(), nil, &d, due); err == nil {
			for _, cand := range d.Duplicates {
				if cand.Incident != nil && cand.Incident.Status != bluelamp.IncidentClosed {
					link = cand.Incident.ID
					break
				}
			}
		}
		intended = time.Now()
	}
	body := map[string]any{"channel": c.Channel, "caller": c.Caller, "account": c.Account,
		"location": map[string]any{"address": c.Address, "position": map[string]float64{"lat": c.Lat, "lon": c.Lon}}}
	if link != 0 {
		body["incident_id"] = link
	} else {
		body["incident"] = incidentBody(c)
	}
	var out struct {
		Incident bluelamp.Incident
	}
	err := h.call(ctx, OpCreateContact, "POST", "/api/v1/contacts", body, &out, intended)
	fr.s.rec.count(func(k *Counts) {
		switch {
		case err != nil:
			k.ContactErrors++
		case link != 0:
			k.ContactsCreated++
			k.DuplicatesLinked++
		default:
			k.ContactsCreated++
			k.IncidentsOpened++
		}
	})
	if err != nil || link != 0 {
		return
	}
	fr.mu.Lock()
	ir := fr.incident(out.Incident.ID)
	ir.call = &c
	fr.plan(ctx, ir)
	fr.mu.Unlock()
	if c.Major {
		fr.after(ctx, time.Duration(3+fr.intn(5))*time.Minute, func(ctx context.Context, at time.Time) { fr.declareMajor(ctx, out.Incident.ID, c, at) })
	}
}

// incidentBody is the incident a first call opens, with its THRIVE
// assessment (DOMAIN 2.3).
func incidentBody(c Call) map[string]any {
	level := map[bluelamp.Grade]bluelamp.Level{bluelamp.GradeImmediate: bluelamp.LevelHigh, bluelamp.GradePriority: bluelamp.LevelMedium}[c.Grade]
	if level == "" {
		level = bluelamp.LevelLow
	}
	return map[string]any{
		"category": c.Category, "grade": c.Grade, "summary": c.Summary, "qualifiers": c.Qualifiers, "required_skills": c.Skills,
		"thrive": map[string]any{
			"threat": map[string]any{"description": c.Summary}, "harm": map[string]any{"severity": level},
			"risk": map[string]any{"likelihood": level, "rating": level}, "grade": c.Grade,
			"rationale": "simulated call, graded by the force's policy for " + string(c.Category),
		},
	}
}

// incident returns the followed incident id, adding it. fr.mu is held.
func (fr *forceRun) incident(id bluelamp.IncidentID) *incRun {
	ir := fr.incidents[id]
	if ir == nil {
		ir = &incRun{id: id}
		fr.incidents[id] = ir
	}
	return ir
}

// plan schedules what happens to an incident once both the call handler
// has it and the controller has seen it arrive: dispatch after the
// controller's time to read it, or closure for a grade not deployed.
// fr.mu is held.
func (fr *forceRun) plan(ctx context.Context, ir *incRun) {
	if ir.planned || !ir.seen || ir.call == nil {
		return
	}
	ir.planned = true
	switch ir.call.Grade {
	case bluelamp.GradeImmediate:
		fr.after(ctx, time.Duration(20+fr.intnLocked(40))*time.Second, func(ctx context.Context, at time.Time) { fr.dispatch(ctx, ir, at) })
	case bluelamp.GradePriority:
		fr.after(ctx, time.Duration(60+fr.intnLocked(240))*time.Second, func(ctx context.Context, at time.Time) { fr.dispatch(ctx, ir, at) })
	case bluelamp.GradeStandard:
		fr.after(ctx, time.Duration(5+fr.intnLocked(25))*time.Minute, func(ctx context.Context, at time.Time) { fr.dispatch(ctx, ir, at) })
	case bluelamp.GradeScheduled:
		fr.after(ctx, time.Duration(20+fr.intnLocked(40))*time.Minute, func(ctx context.Context, at time.Time) { fr.close(ctx, ir, bluelamp.ResultResolved, at) })
	default:
		fr.after(ctx, time.Duration(2+fr.intnLocked(8))*time.Minute, func(ctx context.Context, at time.Time) { fr.close(ctx, ir, bluelamp.ResultAdviceGiven, at) })
	}
}

func (fr *forceRun) intn(n int) int {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return fr.rng.IntN(n)
}

// intnLocked is intn with fr.mu already held.
func (fr *forceRun) intnLocked(n int) int { return fr.rng.IntN(n) }

// dispatch is the controller sending the units the job needs, by the
// recommendation (or, a configured share of the time, the second one).
func (fr *forceRun) dispatch(ctx context.Context, ir *incRun, intended time.Time) {
	fr.dispatching.Lock()
	defer fr.dispatching.Unlock()
	fr.mu.Lock()
	need := max(1, ir.call.Units) - ir.dispatched
	closed := ir.closed
	fr.mu.Unlock()
	if need <= 0 || closed {
		return
	}
	c := fr.ids.controller
	var recs struct{ Recommendations []bluelamp.Recommendation }
	path := fmt.Sprintf("/api/v1/incidents/%d/recommendations?limit=8", ir.id)
	if err := c.call(ctx, OpRecommend, "GET", path, nil, &recs, intended); err != nil {
		fr.retryDispatch(ctx, ir)
		return
	}
	var picks []bluelamp.UnitID
	for _, r := range recs.Recommendations {
		if !r.Diversion && r.Unit != nil {
			picks = append(picks, r.Unit.ID)
		}
	}
	if len(picks) == 0 {
		fr.s.rec.count(func(k *Counts) { k.NoUnitAvailable++ })
		fr.retryDispatch(ctx, ir)
		return
	}
	override := len(picks) > 1 && fr.float() < fr.s.cfg.OverrideShare
	if override {
		picks[0], picks[1] = picks[1], picks[0]
	}
	for i, u := range picks {
		if need == 0 {
			break
		}
		err := c.call(ctx, OpDispatch, "POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", ir.id), map[string]any{"unit_id": u}, nil, time.Now())
		if err != nil {
			continue
		}
		need--
		fr.mu.Lock()
		ir.dispatched++
		fr.mu.Unlock()
		fr.s.rec.count(func(k *Counts) {
			k.Assignments++
			if override && i == 0 {
				k.Overrides++
			}
		})
	}
	if need > 0 {
		fr.retryDispatch(ctx, ir)
	}
}

func (fr *forceRun) float() float64 {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return fr.rng.Float64()
}

// retryDispatch tries again when a unit may have come free.
func (fr *forceRun) retryDispatch(ctx context.Context, ir *incRun) {
	d := 2 * time.Minute
	if ir.call.Grade == bluelamp.GradeImmediate {
		d = 30 * time.Second
	}
	fr.after(ctx, d, func(ctx context.Context, at time.Time) { fr.dispatch(ctx, ir, at) })
}

// assigned is a unit's terminal told of a job (unit.assigned on the
// stream): the crew acknowledge, go en route, drive, arrive, deal and
// clear.
func (fr *forceRun) assigned(ctx context.Context, unit bluelamp.UnitID, inc bluelamp.IncidentID, at [2]float64) {
	fr.mu.Lock()
	ur := fr.units[unit]
	if ur == nil {
		fr.mu.Unlock()
		return
	}
	ir := fr.incident(inc)
	ur.free, ur.incident = false, inc
	ur.job++
	job := ur.job
	ir.active++
	urgent := ir.call != nil && (ir.call.Grade == bluelamp.GradeImmediate || ir.call.Grade == bluelamp.GradePriority)
	delay := time.Duration(30+fr.intnLocked(90)) * time.Second
	if urgent {
		delay = time.Duration(10+fr.intnLocked(30)) * time.Second
	}
	fr.mu.Unlock()
	fr.after(ctx, delay, func(ctx context.Context, intended time.Time) {
		if !fr.status(ctx, ur, job, "5", intended) {
			return
		}
		fr.mu.Lock()
		now := fr.s.simAt(time.Now())
		from, _, _ := ur.mv.at(now)
		speed := ur.u.Speed
		if fr.f.townAt(at[0], at[1]) != "" && !typeOf(ur.u.Type).foot {
			speed = min(speed, 13) // about 30 mph average through town on blue lights
		}
		if !urgent {
			speed *= 0.6
		}
		ur.mv = motion{from: from, to: at, start: now, speed: speed}
		eta := ur.mv.arrival().Sub(now)
		fr.mu.Unlock()
		fr.after(ctx, eta, func(ctx context.Context, intended time.Time) { fr.arrive(ctx, ur, ir, job, intended) })
	})
}

// arrive is the crew at scene.
func (fr *forceRun) arrive(ctx context.Context, ur *unitRun, ir *incRun, job int, intended time.Time) {
	arrivedSim := fr.s.simAt(intended)
	if !fr.status(ctx, ur, job, "6", intended) {
		return
	}
	fr.mu.Lock()
	if ir.arrived.IsZero() {
		ir.arrived = arrivedSim
	}
	scene := 30 * time.Minute
	if ir.call != nil && ir.call.Scene > 0 {
		scene = ir.call.Scene
	}
	scene = time.Duration(float64(scene) * (0.8 + 0.4*fr.rng.Float64()))
	fr.mu.Unlock()
	fr.s.rec.count(func(k *Counts) { k.Arrivals++ })
	fr.after(ctx, scene, func(ctx context.Context, intended time.Time) { fr.clear(ctx, ur, ir, job, intended) })
}

// clear is the crew leaving the scene, available again, heading back to
// their beat; the last unit to clear lets the supervisor close the job.
func (fr *forceRun) clear(ctx context.Context, ur *unitRun, ir *incRun, job int, intended time.Time) {
	if !fr.status(ctx, ur, job, "2", intended) {
		return
	}
	fr.mu.Lock()
	now := fr.s.simAt(time.Now())
	here, _, _ := ur.mv.at(now)
	ur.free, ur.incident = true, 0
	back := fr.patrol(ur.u, ur.u.Beat, now)
	back.from, back.speed = here, ur.u.Speed*0.6
	ur.mv = back
	ir.active--
	done := ir.active == 0 && ir.call != nil && ir.dispatched >= max(1, ir.call.Units)
	fr.mu.Unlock()
	fr.s.rec.count(func(k *Counts) { k.Cleared++ })
	if done {
		fr.after(ctx, time.Duration(1+fr.intn(4))*time.Minute, func(ctx context.Context, at time.Time) { fr.close(ctx, ir, fr.result(ir), at) })
	}
}

// result is how a deployed job ends.
func (fr *forceRun) result(ir *incRun) bluelamp.Result {
	switch x := fr.float(); {
	case x < 0.6:
		return bluelamp.ResultResolved
	case x < 0.85:
		return bluelamp.ResultAdviceGiven
	default:
		return bluelamp.ResultNoTrace
	}
}

// status sends a unit's status from its terminal, unless the unit has
// been given another job or stood down since (job no longer current).
func (fr *forceRun) status(ctx context.Context, ur *unitRun, job int, code string, intended time.Time) bool {
	fr.mu.Lock()
	current := ur.job == job
	fr.mu.Unlock()
	if !current {
		return false
	}
	path := "/api/v1/units/" + strconv.FormatInt(int64(ur.u.ID), 10) + "/status"
	// Terminals send an idempotency key, as the officer app does, so a
	// retried status is applied once.
	err := fr.ids.trackers.call(ctx, OpStatusChange, "POST", path, map[string]string{"code": code}, nil, intended, "Idempotency-Key", crand.Text())
	return err == nil
}

// stoodDown frees a unit taken off a job.
func (fr *forceRun) stoodDown(unit bluelamp.UnitID, inc bluelamp.IncidentID) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	ur := fr.units[unit]
	if ur == nil || ur.incident != inc {
		return
	}
	ur.job++
	ur.free, ur.incident = true, 0
	if ir := fr.incidents[inc]; ir != nil {
		ir.active--
	}
}

// close is the supervisor closing an incident with a result.
func (fr *forceRun) close(ctx context.Context, ir *incRun, result bluelamp.Result, intended time.Time) {
	fr.mu.Lock()
	if ir.closed || ir.call == nil {
		fr.mu.Unlock()
		return
	}
	ir.closed = true
	cat := ir.call.Category
	fr.mu.Unlock()
	body := bluelamp.Closing{Category: cat, Result: result, Note: "closed by the simulated supervisor"}
	if err := fr.ids.supervisor.call(ctx, OpClose, "POST", fmt.Sprintf("/api/v1/incidents/%d/close", ir.id), body, nil, intended); err == nil {
		fr.s.rec.count(func(k *Counts) { k.IncidentsClosed++ })
	}
}

// declareMajor is the supervisor declaring a major incident (JESIP).
func (fr *forceRun) declareMajor(ctx context.Context, id bluelamp.IncidentID, c Call, intended time.Time) {
	name := "Operation " + nameHeads[c.Seq%len(nameHeads)] + nameTails[c.Happening%len(nameTails)]
	body := map[string]string{"name": name, "reason": c.Summary + ": many casualties and callers; multi-agency response needed"}
	if err := fr.ids.supervisor.call(ctx, OpDeclareMajor, "POST", fmt.Sprintf("/api/v1/incidents/%d/major", id), body, nil, intended); err == nil {
		fr.s.rec.count(func(k *Counts) { k.MajorIncidents++ })
	}
}
