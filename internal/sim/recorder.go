package sim

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// sample is one completed operation.
type sample struct {
	done    time.Duration // completion, from the run's start
	latency time.Duration // from the intended send time
	lag     time.Duration // how late it was sent
	failed  bool
}

// recorder keeps every sample of a run. A national run of several minutes
// makes some hundreds of thousands: kept whole, percentiles are exact.
type recorder struct {
	mu      sync.Mutex
	start   time.Time
	on      bool // samples count only once set-up is over
	samples map[string][]sample
	errs    map[[2]string]*ErrorCount
	counts  Counts
}

func newRecorder() *recorder {
	return &recorder{samples: map[string][]sample{}, errs: map[[2]string]*ErrorCount{}}
}

// begin starts measuring at start.
func (r *recorder) begin(start time.Time) {
	r.mu.Lock()
	r.start, r.on = start, true
	r.mu.Unlock()
}

// record notes one operation meant to start at intended, sent at sent and
// done at done. kind is empty for a success.
func (r *recorder) record(op string, intended, sent, done time.Time, kind, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.on {
		return
	}
	r.samples[op] = append(r.samples[op], sample{done: done.Sub(r.start), latency: done.Sub(intended), lag: max(0, sent.Sub(intended)), failed: kind != ""})
	if kind == "" {
		return
	}
	k := [2]string{op, kind}
	e := r.errs[k]
	if e == nil {
		e = &ErrorCount{Op: op, Kind: kind, Example: truncate(message, 300)}
		r.errs[k] = e
	}
	e.Count++
}

// count changes the counts under the lock.
func (r *recorder) count(f func(c *Counts)) {
	r.mu.Lock()
	if r.on {
		f(&r.counts)
	}
	r.mu.Unlock()
}

// measuring reports whether set-up is over.
func (r *recorder) measuring() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.on
}

// results summarises what was recorded up to end, in windows of size.
func (r *recorder) results(end time.Time, window time.Duration) (ops []OpStats, errs []ErrorCount, windows []Window, counts Counts) {
	r.mu.Lock()
	defer r.mu.Unlock()
	span := end.Sub(r.start).Seconds()
	nw := int(end.Sub(r.start)/window) + 1
	windows = make([]Window, nw)
	for i := range windows {
		windows[i].Offset = time.Duration(i) * window
	}
	for _, op := range Ops {
		ss := r.samples[op]
		if len(ss) == 0 {
			continue
		}
		ops = append(ops, summarise(op, ss, span))
		for i, w := range split(ss, window, nw) {
			if len(w) > 0 {
				s := summarise(op, w, window.Seconds())
				windows[i].Ops = append(windows[i].Ops, WindowOp{Op: op, Count: s.Count, Errors: s.Errors, P50: s.P50, P99: s.P99, Max: s.Max})
			}
		}
	}
	for _, e := range r.errs {
		errs = append(errs, *e)
	}
	slices.SortFunc(errs, func(a, b ErrorCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Op, b.Op), cmp.Compare(a.Kind, b.Kind))
	})
	return ops, errs, windows, r.counts
}

// split puts samples into windows by completion time; a sample finishing
// after the last window's start goes in the last.
func split(ss []sample, window time.Duration, n int) [][]sample {
	out := make([][]sample, n)
	for _, s := range ss {
		i := min(max(0, int(s.done/window)), n-1)
		out[i] = append(out[i], s)
	}
	return out
}

func summarise(op string, ss []sample, seconds float64) OpStats {
	lat := make([]time.Duration, len(ss))
	lag := make([]time.Duration, len(ss))
	st := OpStats{Op: op, Count: len(ss)}
	for i, s := range ss {
		lat[i], lag[i] = s.latency, s.lag
		if s.failed {
			st.Errors++
		}
	}
	slices.Sort(lat)
	slices.Sort(lag)
	st.P50, st.P95, st.P99, st.Max = percentile(lat, .50), percentile(lat, .95), percentile(lat, .99), lat[len(lat)-1]
	st.SendLagP99 = percentile(lag, .99)
	if seconds > 0 {
		st.PerSecond = float64(len(ss)) / seconds
	}
	return st
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
