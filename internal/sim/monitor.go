package sim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// sampleEvery is how often the server's /metrics and the simulator's own
// cost are sampled.
const sampleEvery = 5 * time.Second

// monitor samples the target's /metrics and the simulator's own CPU and
// memory until ctx ends.
func (s *Sim) monitor(ctx context.Context) {
	var last serverReading
	var lastSelf selfReading
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		now := time.Now()
		if r, err := s.scrape(ctx); err == nil {
			if !last.at.IsZero() {
				s.mu.Lock()
				s.server = append(s.server, ServerSample{Offset: now.Sub(s.startReal),
					CPUPercent: 100 * (r.cpu - last.cpu) / r.at.Sub(last.at).Seconds(),
					RSSBytes:   r.rss, HeapBytes: r.heap, Goroutines: r.goroutines})
				s.mu.Unlock()
			}
			last = r
		}
		me := readSelf()
		if !lastSelf.at.IsZero() {
			s.mu.Lock()
			s.self = append(s.self, SelfSample{Offset: now.Sub(s.startReal),
				CPUPercent: 100 * (me.cpu - lastSelf.cpu) / me.at.Sub(lastSelf.at).Seconds(),
				HeapBytes:  me.heap, InFlight: len(s.sem)})
			s.mu.Unlock()
		}
		lastSelf = me
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type serverReading struct {
	at                         time.Time
	cpu, rss, heap, goroutines float64
}

// scrape reads the process figures from the target's Prometheus
// exposition.
func (s *Sim) scrape(ctx context.Context) (serverReading, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", s.base.JoinPath("/metrics").String(), nil)
	if err != nil {
		return serverReading{}, err
	}
	res, err := (&http.Client{Transport: s.tr, Timeout: s.cfg.Timeout}).Do(req)
	if err != nil {
		return serverReading{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return serverReading{}, fmt.Errorf("/metrics: HTTP %d", res.StatusCode)
	}
	r, err := parseMetrics(res.Body)
	r.at = time.Now()
	return r, err
}

// parseMetrics picks the process and Go runtime figures out of the text
// exposition format.
func parseMetrics(rd io.Reader) (serverReading, error) {
	var r serverReading
	want := map[string]*float64{
		"process_cpu_seconds_total":     &r.cpu,
		"process_resident_memory_bytes": &r.rss,
		"go_memstats_heap_inuse_bytes":  &r.heap,
		"go_goroutines":                 &r.goroutines,
	}
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := 0
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if p := want[name]; ok && p != nil {
			if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
				*p = v
				found++
			}
		}
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	if found == 0 {
		return r, fmt.Errorf("/metrics has no process figures")
	}
	return r, nil
}

type selfReading struct {
	at        time.Time
	cpu, heap float64
}

// readSelf is the simulator's own CPU time (from the kernel) and heap
// (from the runtime).
// In `bluelamp serve --simulate` the server shares the process, so these
// are the two together.
func readSelf() selfReading {
	ss := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(ss)
	return selfReading{at: time.Now(), cpu: processCPU(), heap: float64(ss[0].Value.Uint64())}
}

// results gathers what the run measured.
func (s *Sim) results(end time.Time, setup time.Duration) *Results {
	window := max(time.Second, (end.Sub(s.startReal) / 60).Round(time.Second))
	r := &Results{
		Profile: s.cfg.Profile, Seed: s.cfg.Seed, Target: s.cfg.Target, Forces: len(s.world.Forces), Units: s.world.Units(),
		RateMultiplier: s.cfg.Rate, Acceleration: s.cfg.Acceleration, Started: s.startReal, Ended: end,
		SimStarted: s.startSim, SimEnded: s.simAt(end), SetupTook: setup, WindowSize: window,
	}
	for _, fr := range s.forces {
		r.OnDutyUnits += len(fr.list)
	}
	r.Ops, r.Errors, r.Windows, r.Counts = s.rec.results(end, window)
	r.Attendance = s.attendance(r.SimEnded)
	s.mu.Lock()
	r.Server, r.Self = slices.Clone(s.server), slices.Clone(s.self)
	s.mu.Unlock()
	r.Engine = s.engine()
	return r
}

// engine asks the target's readiness check which database it runs on.
func (s *Sim) engine() string {
	var ready map[string]any
	if err := s.anon.call(context.Background(), "", "GET", "/readyz", nil, &ready, time.Time{}); err != nil {
		return ""
	}
	for _, k := range []string{"database", "engine"} {
		if v, ok := ready[k].(string); ok {
			return v
		}
	}
	return ""
}

// attendance is, per grade with a target, how soon the first unit reached
// the incidents the simulator raised, on the simulated clock from the call.
func (s *Sim) attendance(end time.Time) []GradeAttendance {
	type acc struct {
		GradeAttendance
		times []time.Duration
	}
	by := map[bluelamp.Grade]*acc{}
	for _, fr := range s.forces {
		fr.mu.Lock()
		for _, ir := range fr.incidents {
			c := ir.call
			if c == nil || !deployed(c.Grade) {
				continue
			}
			tg, ok := fr.f.Targets[c.Grade]
			if !ok {
				continue
			}
			target := time.Duration(tg[1] * float64(time.Second))
			if c.Urban {
				target = time.Duration(tg[0] * float64(time.Second))
			}
			a := by[c.Grade]
			if a == nil {
				a = &acc{GradeAttendance: GradeAttendance{Grade: string(c.Grade), Target: targetText(tg)}}
				by[c.Grade] = a
			}
			if ir.arrived.IsZero() {
				a.Waiting++
				if end.Sub(c.At) > target {
					a.Breached++
				}
				continue
			}
			d := ir.arrived.Sub(c.At)
			a.Attended++
			a.times = append(a.times, d)
			if d <= target {
				a.Met++
			} else {
				a.Breached++
			}
		}
		fr.mu.Unlock()
	}
	var out []GradeAttendance
	for _, g := range grades {
		a := by[g]
		if a == nil {
			continue
		}
		slices.Sort(a.times)
		a.P50, a.P90 = percentile(a.times, .5), percentile(a.times, .9)
		out = append(out, a.GradeAttendance)
	}
	return out
}

func targetText(tg [2]float64) string {
	u, r := time.Duration(tg[0]*float64(time.Second)), time.Duration(tg[1]*float64(time.Second))
	if u == r {
		return shortDuration(u)
	}
	return shortDuration(u) + " urban / " + shortDuration(r) + " rural"
}

func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
