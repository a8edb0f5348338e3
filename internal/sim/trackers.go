package sim

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/bluelamp/bluelamp"
)

// fix is one position report as a tracker sends it.
type fix struct {
	UnitID  bluelamp.UnitID `json:"unit_id"`
	Lat     float64         `json:"lat"`
	Lon     float64         `json:"lon"`
	Speed   *float64        `json:"speed,omitempty"`
	Heading *float64        `json:"heading,omitempty"`
	At      time.Time       `json:"at"`
}

// maxBatch is the most fixes POST /api/v1/positions takes at once.
const maxBatch = 2000

// trackerLoop is the force's vehicle-tracker gateway: once a second it
// gathers the fixes that are due (every few seconds from a moving unit,
// less often from one standing still) and posts them in batches.
func (fr *forceRun) trackerLoop(ctx context.Context) {
	s := fr.s
	// Forces' gateways tick out of step, as separate systems do.
	if !sleepUntil(ctx, time.Now().Add(time.Duration(fr.f.Index)*time.Second/time.Duration(len(s.forces)))) {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case tick := <-t.C:
			fixes := fr.due(tick, false)
			s.spawn(ctx, func(ctx context.Context) { fr.send(ctx, fixes, tick) })
		}
	}
}

// due collects the fixes due at now (all of them when every is set) and
// sets each unit's next.
func (fr *forceRun) due(now time.Time, every bool) []fix {
	s := fr.s
	sim := s.simAt(now)
	fr.mu.Lock()
	defer fr.mu.Unlock()
	var out []fix
	for _, ur := range fr.list {
		if !every && now.Before(ur.nextFix) {
			continue
		}
		p, v, h := ur.mv.at(sim)
		every := s.cfg.IdleEvery
		if v > 0 {
			every = s.cfg.MovingEvery
		}
		// Real trackers report on their own clocks, out of step.
		jitter := time.Duration(fr.rng.Float64() * 0.2 * float64(every))
		ur.nextFix = now.Add(every - every/10 + jitter)
		f := fix{UnitID: ur.u.ID, Lat: round6(p[0]), Lon: round6(p[1]), At: now.UTC().Truncate(time.Millisecond)}
		if v > 0 {
			f.Speed, f.Heading = new(math.Round(v*10)/10), new(h)
		}
		out = append(out, f)
	}
	return out
}

// send posts fixes in batches, measured from when the gateway meant to.
func (fr *forceRun) send(ctx context.Context, fixes []fix, intended time.Time) {
	for batch := range slices.Chunk(fixes, maxBatch) {
		var out struct {
			Accepted   int `json:"accepted"`
			Duplicates int `json:"duplicates"`
		}
		op := OpPositionBatch
		if !fr.s.rec.measuring() {
			op = ""
		}
		err := fr.ids.trackers.call(ctx, op, "POST", "/api/v1/positions", map[string]any{"positions": batch}, &out, intended)
		fr.s.rec.count(func(k *Counts) {
			k.PositionFixes += len(batch)
			if err == nil {
				k.PositionsTaken += out.Accepted + out.Duplicates
			}
		})
	}
}

// firstFixes sends every on-duty unit's position once, before the run,
// so the dispatch index knows where each unit is.
func (s *Sim) firstFixes(ctx context.Context) error {
	for _, fr := range s.forces {
		fixes := fr.due(time.Now(), true)
		for batch := range slices.Chunk(fixes, maxBatch) {
			if err := fr.ids.trackers.call(ctx, "", "POST", "/api/v1/positions", map[string]any{"positions": batch}, nil, time.Time{}); err != nil {
				return err
			}
		}
		// Spread the next reports over the interval.
		fr.mu.Lock()
		for _, ur := range fr.list {
			ur.nextFix = time.Now().Add(time.Duration(fr.rng.Float64() * float64(s.cfg.MovingEvery)))
		}
		fr.mu.Unlock()
	}
	return nil
}
