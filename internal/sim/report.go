package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Goal is a latency goal: the operation's p99 over the whole run must be at
// most P99. Equal to the goal is met.
type Goal struct {
	Op  string
	P99 time.Duration
}

// DefaultGoals returns the goals a run is judged against (DESIGN "Scale it
// must hold"; docs/PERFORMANCE.md). It is a function, not a variable, so no
// caller can change another's goals.
func DefaultGoals() []Goal {
	return []Goal{
		{Op: OpCreateContact, P99: 50 * time.Millisecond},
		{Op: OpEventDelivery, P99: 100 * time.Millisecond},
		{Op: OpPositionBatch, P99: 50 * time.Millisecond},
	}
}

// GoalResult is one goal checked against a run.
type GoalResult struct {
	Goal    Goal          // the latency goal; zero for the zero-errors goal
	Name    string        // "create contact p99 ≤ 50 ms", "zero errors"
	P99     time.Duration // measured over the run; zero when not Sampled
	Errors  int           // errors in the run, for the zero-errors goal
	Sampled bool          // the operation completed at least once (always true for zero errors)
	Met     bool
}

// Verdict returns "MET", "NOT MET", or "NO DATA" for a latency goal whose
// operation never ran (not met: a goal is only met by a measurement).
func (g GoalResult) Verdict() string {
	switch {
	case g.Met:
		return "MET"
	case !g.Sampled:
		return "NO DATA"
	}
	return "NOT MET"
}

// Measured returns what was measured against the goal, for people.
func (g GoalResult) Measured() string {
	switch {
	case g.Goal.Op == "":
		return plural(g.Errors, "error")
	case !g.Sampled:
		return "no samples"
	}
	return "p99 " + fmtLatency(g.P99)
}

// CheckGoals checks each goal against the run, then the goal of zero errors
// (of any operation and kind), which it always appends last.
func (r *Results) CheckGoals(goals []Goal) []GoalResult {
	out := make([]GoalResult, 0, len(goals)+1)
	for _, g := range goals {
		out = append(out, r.checkGoal(g))
	}
	n := r.totalErrors()
	return append(out, GoalResult{Name: "zero errors", Errors: n, Sampled: true, Met: n == 0})
}

func (r *Results) checkGoal(g Goal) GoalResult {
	res := GoalResult{Goal: g, Name: fmt.Sprintf("%s p99 ≤ %s", g.Op, fmtLatency(g.P99))}
	if s := r.Op(g.Op); s != nil && s.Count > 0 {
		res.Sampled, res.P99, res.Met = true, s.P99, s.P99 <= g.P99
	}
	return res
}

// totalErrors counts errors both ways the run records them; an error the
// simulator saw outside any operation's stats (a stream's connection, say)
// is still an error.
func (r *Results) totalErrors() int {
	var byOp, byKind int
	for _, s := range r.Ops {
		byOp += s.Errors
	}
	for _, e := range r.Errors {
		byKind += e.Count
	}
	return max(byOp, byKind)
}

// Consistent returns each consistency rule the results break, empty when
// all hold. The rules:
//   - Calls = ContactsCreated + ContactErrors, and ContactsCreated =
//     IncidentsOpened + DuplicatesLinked (see Counts);
//   - each OpStats has 0 ≤ Errors ≤ Count and P50 ≤ P95 ≤ P99 ≤ Max;
//   - windows are in time order, and each window's figures for an operation
//     have Errors ≤ Count and P50 ≤ P99 ≤ Max;
//   - for each operation, Count and Errors summed over the windows equal its
//     OpStats. This holds exactly because the windows are the source of
//     truth: the simulator counts every sample in exactly one window, the one
//     its completion falls in, and a completion after the last full window
//     (a request in flight at the end) goes in the final, partial window. A
//     simulator that leaves samples out of the windows breaks the rule, as it
//     should: the charts would not show the whole run;
//   - for each grade, 0 ≤ Met ≤ Attended, and every attended incident was met
//     or breached, while Breached counts besides only incidents still
//     waiting: Attended ≤ Met + Breached ≤ Attended + Waiting (so Met plus
//     the breaches among the attended is at most Attended); P50 ≤ P90.
func (r *Results) Consistent() []string {
	var broken []string
	broken = append(broken, r.Counts.broken()...)
	for _, s := range r.Ops {
		broken = append(broken, s.broken()...)
	}
	broken = append(broken, r.windowsBroken()...)
	for _, a := range r.Attendance {
		broken = append(broken, a.broken()...)
	}
	return broken
}

func (c Counts) broken() []string {
	var broken []string
	if !c.callsHold() {
		broken = append(broken, fmt.Sprintf("calls %d ≠ contacts created %d + contact errors %d",
			c.Calls, c.ContactsCreated, c.ContactErrors))
	}
	if !c.contactsHold() {
		broken = append(broken, fmt.Sprintf("contacts created %d ≠ incidents opened %d + duplicates linked %d",
			c.ContactsCreated, c.IncidentsOpened, c.DuplicatesLinked))
	}
	return broken
}

func (c Counts) callsHold() bool    { return c.Calls == c.ContactsCreated+c.ContactErrors }
func (c Counts) contactsHold() bool { return c.ContactsCreated == c.IncidentsOpened+c.DuplicatesLinked }

func (s OpStats) broken() []string {
	var broken []string
	if s.Errors < 0 || s.Errors > s.Count {
		broken = append(broken, fmt.Sprintf("%s: errors %d not within count %d", s.Op, s.Errors, s.Count))
	}
	if !(s.P50 <= s.P95 && s.P95 <= s.P99 && s.P99 <= s.Max) {
		broken = append(broken, fmt.Sprintf("%s: percentiles out of order: p50 %v, p95 %v, p99 %v, max %v",
			s.Op, s.P50, s.P95, s.P99, s.Max))
	}
	return broken
}

func (r *Results) windowsBroken() []string {
	var broken []string
	type sum struct{ count, errors int }
	sums := map[string]sum{}
	for i, w := range r.Windows {
		if i > 0 && w.Offset <= r.Windows[i-1].Offset {
			broken = append(broken, fmt.Sprintf("window %d at %v is not after window %d at %v", i, w.Offset, i-1, r.Windows[i-1].Offset))
		}
		for _, o := range w.Ops {
			if o.Errors < 0 || o.Errors > o.Count || !(o.P50 <= o.P99 && o.P99 <= o.Max) {
				broken = append(broken, fmt.Sprintf("window %d, %s: errors %d of %d, p50 %v, p99 %v, max %v",
					i, o.Op, o.Errors, o.Count, o.P50, o.P99, o.Max))
			}
			s := sums[o.Op]
			sums[o.Op] = sum{s.count + o.Count, s.errors + o.Errors}
		}
	}
	for _, s := range r.Ops {
		if got := sums[s.Op]; got.count != s.Count || got.errors != s.Errors {
			broken = append(broken, fmt.Sprintf("%s: windows sum to %d completed, %d errors; the run says %d, %d",
				s.Op, got.count, got.errors, s.Count, s.Errors))
		}
		delete(sums, s.Op)
	}
	for _, op := range slices.Sorted(maps.Keys(sums)) {
		if got := sums[op]; got.count != 0 {
			broken = append(broken, fmt.Sprintf("%s: windows hold %d completed, but the run has no stats for it", op, got.count))
		}
	}
	return broken
}

func (a GradeAttendance) broken() []string {
	var broken []string
	if a.Met < 0 || a.Met > a.Attended {
		broken = append(broken, fmt.Sprintf("attendance %s: met %d not within attended %d", a.Grade, a.Met, a.Attended))
	}
	if a.Met+a.Breached < a.Attended || a.Met+a.Breached > a.Attended+a.Waiting {
		broken = append(broken, fmt.Sprintf("attendance %s: met %d + breached %d not between attended %d and attended + waiting %d",
			a.Grade, a.Met, a.Breached, a.Attended, a.Attended+a.Waiting))
	}
	if a.P50 > a.P90 {
		broken = append(broken, fmt.Sprintf("attendance %s: p50 %v above p90 %v", a.Grade, a.P50, a.P90))
	}
	return broken
}

// table is one section of the report, written as aligned text for a
// terminal or as a Markdown table; rows are built once for both.
type table struct {
	header []string
	align  string // per column: 'l' or 'r' (Markdown only)
	rows   [][]string
}

func (r *Results) opTable() table {
	t := table{header: []string{"operation", "count", "per s", "errors", "p50", "p95", "p99", "max", "send-lag p99"}, align: "lrrrrrrrr"}
	for _, s := range r.Ops {
		t.rows = append(t.rows, []string{s.Op, fmtCount(s.Count), fmtRate(s.PerSecond), fmtCount(s.Errors),
			fmtLatency(s.P50), fmtLatency(s.P95), fmtLatency(s.P99), fmtLatency(s.Max), fmtLatency(s.SendLagP99)})
	}
	return t
}

func (r *Results) errorTable() table {
	t := table{header: []string{"operation", "kind", "count", "example"}, align: "llrl"}
	for _, e := range r.Errors {
		t.rows = append(t.rows, []string{e.Op, e.Kind, fmtCount(e.Count), clip(e.Example, 120)})
	}
	return t
}

func (r *Results) attendanceTable() table {
	t := table{header: []string{"grade", "target", "attended", "met", "met %", "waiting", "breached", "p50", "p90"}, align: "llrrrrrrr"}
	for _, a := range r.Attendance {
		t.rows = append(t.rows, []string{a.Grade, a.Target, fmtCount(a.Attended), fmtCount(a.Met), fmtShare(a.Met, a.Attended),
			fmtCount(a.Waiting), fmtCount(a.Breached), fmtSpan(a.P50), fmtSpan(a.P90)})
	}
	return t
}

func goalTable(results []GoalResult) table {
	t := table{header: []string{"goal", "measured", "verdict"}, align: "lrl"}
	for _, g := range results {
		t.rows = append(t.rows, []string{g.Name, g.Measured(), g.Verdict()})
	}
	return t
}

// serverTable summarises the target's samples: median and max of each
// figure.
func (r *Results) serverTable() table {
	t := table{header: []string{"server", "median", "max"}, align: "lrr"}
	t.addSummary("CPU", r.serverValues(func(s ServerSample) float64 { return s.CPUPercent }), fmtPercent)
	t.addSummary("RSS", r.serverValues(func(s ServerSample) float64 { return s.RSSBytes }), fmtBytes)
	t.addSummary("heap", r.serverValues(func(s ServerSample) float64 { return s.HeapBytes }), fmtBytes)
	t.addSummary("goroutines", r.serverValues(func(s ServerSample) float64 { return s.Goroutines }), fmtFloatCount)
	return t
}

// selfTable summarises the simulator's own cost the same way.
func (r *Results) selfTable() table {
	t := table{header: []string{"simulator", "median", "max"}, align: "lrr"}
	t.addSummary("CPU", r.selfValues(func(s SelfSample) float64 { return s.CPUPercent }), fmtPercent)
	t.addSummary("heap", r.selfValues(func(s SelfSample) float64 { return s.HeapBytes }), fmtBytes)
	t.addSummary("requests in flight", r.selfValues(func(s SelfSample) float64 { return float64(s.InFlight) }), fmtFloatCount)
	return t
}

// addSummary adds a row of the median and max of vals, unless none is a
// number.
func (t *table) addSummary(name string, vals []float64, format func(float64) string) {
	if med, top, ok := medianMax(vals); ok {
		t.rows = append(t.rows, []string{name, format(med), format(top)})
	}
}

func (r *Results) serverValues(f func(ServerSample) float64) []float64 {
	vals := make([]float64, len(r.Server))
	for i, s := range r.Server {
		vals[i] = f(s)
	}
	return vals
}

func (r *Results) selfValues(f func(SelfSample) float64) []float64 {
	vals := make([]float64, len(r.Self))
	for i, s := range r.Self {
		vals[i] = f(s)
	}
	return vals
}

// medianMax returns the median and maximum of the finite values; ok is
// false when there are none.
func medianMax(vals []float64) (med, top float64, ok bool) {
	finite := slices.DeleteFunc(slices.Clone(vals), func(v float64) bool { return !isFinite(v) })
	if len(finite) == 0 {
		return 0, 0, false
	}
	slices.Sort(finite)
	n := len(finite)
	med = finite[n/2]
	if n%2 == 0 {
		med = (finite[n/2-1] + finite[n/2]) / 2
	}
	return med, finite[n-1], true
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// errWriter keeps the first write error, so a report's many small writes
// are checked once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// WriteTable writes the summary printed at the end of a run on a terminal:
// the run's parameters, each operation's latencies, errors, attendance,
// resources, counts and whether each of DefaultGoals was met.
func (r *Results) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	r.writeTableHeader(ew)
	sections := []struct {
		title string
		t     table
		none  string
	}{
		{"", r.opTable(), "no operations completed"},
		{"errors", r.errorTable(), "none"},
		{"attendance", r.attendanceTable(), "no incidents with a target"},
		{"", r.serverTable(), "server: no samples of the target's /metrics"},
		{"", r.selfTable(), "simulator: no samples of its own cost"},
	}
	for _, s := range sections {
		writeTextSection(ew, s.title, s.t, s.none)
	}
	r.writeTableCounts(ew)
	writeTextSection(ew, "goals", goalTable(r.CheckGoals(DefaultGoals())), "")
	if ew.err != nil {
		return fmt.Errorf("write table: %w", ew.err)
	}
	return nil
}

func (r *Results) writeTableHeader(w io.Writer) {
	fmt.Fprintf(w, "bluelamp simulate: profile %s, seed %d, target %s (%s)\n",
		oneLine(orDash(r.Profile)), r.Seed, oneLine(orDash(r.Target)), r.engine())
	fmt.Fprintf(w, "%s · %s (%s on duty) · rate ×%s · acceleration ×%s\n",
		plural(r.Forces, "force"), plural(r.Units, "unit"), fmtCount(r.OnDutyUnits), fmtFactor(r.RateMultiplier), fmtFactor(r.Acceleration))
	fmt.Fprintf(w, "wall clock %s (set-up %s) · simulated %s · window %s\n\n",
		fmtSpan(r.Ended.Sub(r.Started)), fmtSpan(r.SetupTook), fmtSpan(r.SimEnded.Sub(r.SimStarted)), fmtSpan(r.WindowSize))
}

func (r *Results) engine() string {
	if r.Engine == "" {
		return "engine unknown"
	}
	return oneLine(r.Engine)
}

// writeTextSection writes t aligned in columns under title, or the line
// none when t has no rows.
func writeTextSection(w io.Writer, title string, t table, none string) {
	if len(t.rows) == 0 {
		if title != "" {
			none = title + ": " + none
		}
		fmt.Fprintf(w, "%s\n\n", none)
		return
	}
	if title != "" {
		fmt.Fprintln(w, title)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range append([][]string{t.header}, t.rows...) {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = strings.ReplaceAll(oneLine(c), "\t", " ")
		}
		fmt.Fprintf(tw, "  %s\n", strings.Join(cells, "\t"))
	}
	tw.Flush() // its error is the underlying writer's, which errWriter keeps
	fmt.Fprintln(w)
}

func (r *Results) writeTableCounts(w io.Writer) {
	c := r.Counts
	fmt.Fprintln(w, "counts")
	fmt.Fprintf(w, "  calls %s = contacts created %s + contact errors %s: %s\n",
		fmtCount(c.Calls), fmtCount(c.ContactsCreated), fmtCount(c.ContactErrors), holds(c.callsHold()))
	fmt.Fprintf(w, "  contacts created %s = incidents opened %s + duplicates linked %s: %s\n",
		fmtCount(c.ContactsCreated), fmtCount(c.IncidentsOpened), fmtCount(c.DuplicatesLinked), holds(c.contactsHold()))
	fmt.Fprintf(w, "  repeat calls %s · major incidents %s · assignments %s (overrides %s, no unit available %s)\n",
		fmtCount(c.RepeatCalls), fmtCount(c.MajorIncidents), fmtCount(c.Assignments), fmtCount(c.Overrides), fmtCount(c.NoUnitAvailable))
	fmt.Fprintf(w, "  arrivals %s · cleared %s · incidents closed %s\n",
		fmtCount(c.Arrivals), fmtCount(c.Cleared), fmtCount(c.IncidentsClosed))
	fmt.Fprintf(w, "  position fixes %s sent, %s taken · events received %s · stream reconnects %s\n",
		fmtCount(c.PositionFixes), fmtCount(c.PositionsTaken), fmtCount(c.EventsReceived), fmtCount(c.StreamReconnects))
	if broken := r.Consistent(); len(broken) > 0 {
		fmt.Fprintf(w, "  %s broken:\n", plural(len(broken), "consistency rule"))
		for _, b := range broken {
			fmt.Fprintf(w, "    %s\n", oneLine(b))
		}
	}
	fmt.Fprintln(w)
}

func holds(ok bool) string {
	if ok {
		return "holds"
	}
	return "DOES NOT HOLD"
}

// WriteReport writes a run's full report into dir, creating it if need be:
// report.md (WriteMarkdown), the three charts (WriteCharts, no prefix) and
// results.json (the Results themselves, with any NaN or infinite sample
// written as 0, which JSON cannot hold). It returns report.md's path.
func (r *Results) WriteReport(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create report directory: %w", err)
	}
	if _, err := r.WriteCharts(dir, ""); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(r.finite(), "", "  ")
	if err != nil {
		return "", fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write results: %w", err)
	}
	md := filepath.Join(dir, "report.md")
	if err := writeFile(md, func(w io.Writer) error { return r.WriteMarkdown(w, "") }); err != nil {
		return "", err
	}
	return md, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	return nil
}

// finite returns a copy of r with every NaN or infinite figure set to 0.
func (r *Results) finite() *Results {
	c := *r
	fix := func(v *float64) {
		if !isFinite(*v) {
			*v = 0
		}
	}
	fix(&c.RateMultiplier)
	fix(&c.Acceleration)
	c.Ops = slices.Clone(r.Ops)
	for i := range c.Ops {
		fix(&c.Ops[i].PerSecond)
	}
	c.Server = slices.Clone(r.Server)
	for i := range c.Server {
		s := &c.Server[i]
		fix(&s.CPUPercent)
		fix(&s.RSSBytes)
		fix(&s.HeapBytes)
		fix(&s.Goroutines)
	}
	c.Self = slices.Clone(r.Self)
	for i := range c.Self {
		fix(&c.Self[i].CPUPercent)
		fix(&c.Self[i].HeapBytes)
	}
	return &c
}

// fmtLatency shows a latency in milliseconds with two or three significant
// figures, or in seconds from one second: "0.42 ms", "3.2 ms", "120 ms",
// "1.4 s", "12 s".
func fmtLatency(d time.Duration) string {
	if d < 0 {
		return "-" + fmtLatency(-d)
	}
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d == 0:
		return "0 ms"
	case ms < 0.995:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 9.95:
		return fmt.Sprintf("%.1f ms", ms)
	case ms < 999.5:
		return fmt.Sprintf("%.0f ms", ms)
	case ms < 9950:
		return fmt.Sprintf("%.1f s", ms/1000)
	}
	return fmt.Sprintf("%.0f s", ms/1000)
}

// fmtSpan shows a span of a run or an attendance time: "3.2 s",
// "9m 34s", "10h 00m".
func fmtSpan(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + fmtSpan(-d)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm %02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// fmtCount groups thousands: "12,345".
func fmtCount(n int) string {
	if n < 0 {
		return "-" + fmtCount(-n)
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func fmtFloatCount(v float64) string { return fmtCount(int(math.Round(v))) }

func fmtRate(v float64) string {
	switch {
	case !isFinite(v):
		return "–"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 1000:
		return fmt.Sprintf("%.1f", v)
	}
	return fmtFloatCount(v)
}

func fmtFactor(v float64) string {
	if !isFinite(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func fmtPercent(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}

func fmtShare(n, of int) string {
	if of <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of)) // a tenth shows how near a 90% target it came
}

func fmtBytes(v float64) string {
	mib := v / (1 << 20)
	switch {
	case mib < 10:
		return fmt.Sprintf("%.1f MiB", mib)
	case mib < 1024:
		return fmt.Sprintf("%.0f MiB", mib)
	}
	return fmt.Sprintf("%.2f GiB", mib/1024)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmtCount(n) + " " + noun + "s"
}

// oneLine folds line breaks and other control characters to spaces, so a
// value from the wire cannot break a report's layout.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// clip shortens s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n-1]) + "…"
}

// WriteMarkdown writes the run's report as GitHub-flavoured Markdown. It
// embeds the charts WriteCharts writes, linked as chartPrefix +
// "latency.svg" (and load.svg, resources.svg) relative to the report, and
// judges the run against DefaultGoals.
func (r *Results) WriteMarkdown(w io.Writer, chartPrefix string) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Simulation report: %s\n\n", mdText(orDash(r.Profile)))
	writeMDSection(ew, "Run", "", r.paramTable(), "")
	writeMDSection(ew, "Goals", "", goalTable(r.CheckGoals(DefaultGoals())), "")
	writeMDSection(ew, "Operations", "Latency from each request's intended send time; see How measured.",
		r.opTable(), "No operation completed.")
	writeMDSection(ew, "Errors", "", r.errorTable(), "None.")
	writeMDSection(ew, "Attendance", "Timed on the simulated clock from the call to the first unit at scene.",
		r.attendanceTable(), "No incident of a grade with a target.")
	r.writeMDCounts(ew)
	writeMDSection(ew, "Server resources", "From the target's /metrics; CPU is per cent of one core.",
		r.serverTable(), "No samples of the target's /metrics.")
	writeMDSection(ew, "Simulator overhead", "The simulator's own CPU, heap and requests in flight: with send-lag p99 above, whether it kept up.",
		r.selfTable(), "No samples.")
	r.writeMDMethod(ew)
	writeMDCharts(ew, chartPrefix)
	if ew.err != nil {
		return fmt.Errorf("write markdown: %w", ew.err)
	}
	return nil
}

func (r *Results) paramTable() table {
	t := table{header: []string{"parameter", "value"}, align: "ll"}
	t.rows = [][]string{
		{"profile", r.Profile},
		{"seed", strconv.FormatInt(r.Seed, 10)},
		{"target", r.Target},
		{"engine", r.engine()},
		{"forces", fmtCount(r.Forces)},
		{"units", fmt.Sprintf("%s (%s on duty)", fmtCount(r.Units), fmtCount(r.OnDutyUnits))},
		{"rate multiplier", "×" + fmtFactor(r.RateMultiplier)},
		{"acceleration", "×" + fmtFactor(r.Acceleration)},
		{"started", r.Started.UTC().Format(time.RFC3339)},
		{"wall clock", fmt.Sprintf("%s (after %s set-up)", fmtSpan(r.Ended.Sub(r.Started)), fmtSpan(r.SetupTook))},
		{"simulated", fmt.Sprintf("%s, %s to %s", fmtSpan(r.SimEnded.Sub(r.SimStarted)),
			r.SimStarted.UTC().Format(time.RFC3339), r.SimEnded.UTC().Format(time.RFC3339))},
		{"window", fmtSpan(r.WindowSize)},
	}
	return t
}

// writeMDSection writes a level-two heading, an optional note, and t as a
// Markdown table, or the sentence none when t has no rows.
func writeMDSection(w io.Writer, title, note string, t table, none string) {
	fmt.Fprintf(w, "## %s\n\n", title)
	if note != "" && len(t.rows) > 0 {
		fmt.Fprintf(w, "%s\n\n", note)
	}
	if len(t.rows) == 0 {
		fmt.Fprintf(w, "%s\n\n", none)
		return
	}
	writeMDRow(w, t.header)
	rule := make([]string, len(t.header))
	for i := range rule {
		rule[i] = "---"
		if i < len(t.align) && t.align[i] == 'r' {
			rule[i] = "---:"
		}
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(rule, " | "))
	for _, row := range t.rows {
		writeMDRow(w, row)
	}
	fmt.Fprintln(w)
}

func writeMDRow(w io.Writer, cells []string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = mdText(c)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(esc, " | "))
}

func (r *Results) writeMDCounts(w io.Writer) {
	c := r.Counts
	t := table{header: []string{"count", "value"}, align: "lr"}
	for _, kv := range []struct {
		name string
		n    int
	}{
		{"calls", c.Calls}, {"contacts created", c.ContactsCreated}, {"contact errors", c.ContactErrors},
		{"incidents opened", c.IncidentsOpened}, {"duplicates linked", c.DuplicatesLinked},
		{"repeat calls", c.RepeatCalls}, {"major incidents", c.MajorIncidents},
		{"assignments", c.Assignments}, {"overrides", c.Overrides}, {"no unit available", c.NoUnitAvailable},
		{"arrivals", c.Arrivals}, {"cleared", c.Cleared}, {"incidents closed", c.IncidentsClosed},
		{"position fixes sent", c.PositionFixes}, {"positions taken", c.PositionsTaken},
		{"events received", c.EventsReceived}, {"stream reconnects", c.StreamReconnects},
	} {
		t.rows = append(t.rows, []string{kv.name, fmtCount(kv.n)})
	}
	writeMDSection(w, "Counts", "", t, "")
	fmt.Fprintf(w, "- calls = contacts created + contact errors: %s = %s + %s, %s\n",
		fmtCount(c.Calls), fmtCount(c.ContactsCreated), fmtCount(c.ContactErrors), mdHolds(c.callsHold()))
	fmt.Fprintf(w, "- contacts created = incidents opened + duplicates linked: %s = %s + %s, %s\n\n",
		fmtCount(c.ContactsCreated), fmtCount(c.IncidentsOpened), fmtCount(c.DuplicatesLinked), mdHolds(c.contactsHold()))
	broken := r.Consistent()
	if len(broken) == 0 {
		fmt.Fprint(w, "Every consistency rule holds (counts, percentiles, windows, attendance).\n\n")
		return
	}
	fmt.Fprintf(w, "**%s broken:**\n\n", plural(len(broken), "consistency rule"))
	for _, b := range broken {
		fmt.Fprintf(w, "- %s\n", mdText(b))
	}
	fmt.Fprintln(w)
}

func mdHolds(ok bool) string {
	if ok {
		return "holds"
	}
	return "**does not hold**"
}

func (r *Results) writeMDMethod(w io.Writer) {
	fmt.Fprint(w, "## How measured\n\n")
	fmt.Fprint(w, "Each request's latency runs from its intended send time, its place in the generated schedule, "+
		"not from when the simulator got round to sending it: when the simulator or the server falls behind, "+
		"the wait shows in the figures (coordinated omission is handled, not hidden). "+
		"Send-lag p99 is how late the simulator itself sent requests; a large send lag means the simulator, "+
		"not the server, was the bottleneck. ")
	fmt.Fprint(w, "Event delivery is a console's receive time minus the event's commit time (its event time), "+
		"both read from clocks on the same host. ")
	fmt.Fprintf(w, "Run figures are percentiles over every sample of the run, not averages of the windows'; the charts show each window of %s on its own. ",
		fmtSpan(r.WindowSize))
	if len(r.Server) > 1 {
		fmt.Fprintf(w, "The target's /metrics was scraped %s, about every %s. ", plural(len(r.Server), "time"),
			fmtSpan((r.Server[len(r.Server)-1].Offset-r.Server[0].Offset)/time.Duration(len(r.Server)-1)))
	}
	fmt.Fprint(w, "CPU figures are per cent of one core since the previous sample.\n\n")
}

func writeMDCharts(w io.Writer, prefix string) {
	fmt.Fprint(w, "## Charts\n\n")
	for _, c := range []struct{ alt, name string }{
		{"p99 latency per window for each operation, with the goals dashed", latencyChart},
		{"operations completed per second, and errors, per window", loadChart},
		{"server CPU and memory, and the simulator's own CPU and heap", resourcesChart},
	} {
		fmt.Fprintf(w, "![%s](%s)\n\n", c.alt, (&url.URL{Path: prefix + c.name}).EscapedPath())
	}
}

// mdText escapes s for Markdown text and table cells: a pipe cannot end a
// cell, markup characters show as themselves, HTML stays text, and line
// breaks become spaces.
func mdText(s string) string {
	var b strings.Builder
	for _, c := range oneLine(s) {
		switch c {
		case '\\', '|', '`', '*', '_', '[', ']', '~', '#':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
