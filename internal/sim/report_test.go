package sim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testResults returns a consistent run of 30 one-minute windows: five
// operations, errors in two windows, server and simulator samples, and
// attendance for two grades.
func testResults() *Results {
	start := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	r := &Results{
		Profile: "large-force", Seed: 42, Target: "http://127.0.0.1:8080", Engine: "sqlite",
		Forces: 3, Units: 400, OnDutyUnits: 120, RateMultiplier: 1.5, Acceleration: 60,
		Started: start, Ended: start.Add(30 * time.Minute),
		SimStarted: start, SimEnded: start.Add(30 * time.Hour), SetupTook: 3200 * time.Millisecond,
		WindowSize: time.Minute,
		Counts: Counts{Calls: 1000, ContactsCreated: 990, ContactErrors: 10, IncidentsOpened: 700,
			DuplicatesLinked: 290, RepeatCalls: 40, MajorIncidents: 1, Assignments: 800, Overrides: 30,
			NoUnitAvailable: 5, Arrivals: 780, Cleared: 760, IncidentsClosed: 650, PositionFixes: 50000,
			PositionsTaken: 49990, EventsReceived: 1234567},
		Attendance: []GradeAttendance{
			{Grade: "IMMEDIATE", Target: "15m urban / 20m rural", Attended: 120, Met: 110, Waiting: 3, Breached: 11,
				P50: 9*time.Minute + 34*time.Second, P90: 14 * time.Minute},
			{Grade: "PRIORITY", Target: "60m", Attended: 300, Met: 290, Waiting: 10, Breached: 10,
				P50: 25 * time.Minute, P90: 50 * time.Minute},
		},
		Errors: []ErrorCount{
			{Op: OpCreateContact, Kind: "http 500", Count: 6, Example: "internal error"},
			{Op: OpCreateContact, Kind: "timeout", Count: 4, Example: "context deadline exceeded"},
		},
	}
	ops := []struct {
		op        string
		perWindow int
		p99       time.Duration
	}{
		{OpCreateContact, 30, 40 * time.Millisecond},
		{OpRecommend, 20, 3 * time.Millisecond},
		{OpDispatch, 20, 12 * time.Millisecond},
		{OpPositionBatch, 200, 8 * time.Millisecond},
		{OpEventDelivery, 400, 90 * time.Millisecond},
	}
	for i := range 30 {
		w := Window{Offset: time.Duration(i) * time.Minute}
		for j, o := range ops {
			if o.op == OpRecommend && i >= 10 && i < 14 {
				continue // a gap: recommend did not run for four minutes
			}
			wave := time.Duration(float64(o.p99) * (0.6 + 0.4*math.Sin(float64(i+j)/4)))
			wo := WindowOp{Op: o.op, Count: o.perWindow + i%7, P50: wave / 3, P99: wave, Max: wave * 2}
			if o.op == OpCreateContact && (i == 7 || i == 21) {
				wo.Errors = 5
			}
			w.Ops = append(w.Ops, wo)
		}
		r.Windows = append(r.Windows, w)
		r.Server = append(r.Server, ServerSample{Offset: w.Offset + 30*time.Second, CPUPercent: 40 + float64(i%9)*8,
			RSSBytes: float64(180+i) * (1 << 20), HeapBytes: float64(60+i%11) * (1 << 20), Goroutines: 900})
		r.Self = append(r.Self, SelfSample{Offset: w.Offset + 30*time.Second, CPUPercent: 12 + float64(i%5),
			HeapBytes: 30 * (1 << 20), InFlight: 4 + i%3})
	}
	for _, o := range ops {
		r.Ops = append(r.Ops, summariseOps(r, o.op))
	}
	return r
}

// summarise builds an operation's run figures from the windows, so the
// results are consistent.
func summariseOps(r *Results, op string) OpStats {
	s := OpStats{Op: op}
	for _, w := range r.Windows {
		if o, ok := windowOp(w, op); ok {
			s.Count += o.Count
			s.Errors += o.Errors
			s.P99 = max(s.P99, o.P99)
			s.Max = max(s.Max, o.Max)
		}
	}
	s.P50, s.P95, s.SendLagP99 = s.P99/3, s.P99*9/10, 200*time.Microsecond
	s.PerSecond = float64(s.Count) / 1800
	return s
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := testResults().WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		`profile large-force, seed 42, target http://127.0.0.1:8080 (sqlite)`,
		"3 forces · 400 units (120 on duty) · rate ×1.5 · acceleration ×60",
		"wall clock 30m 00s (set-up 3.2 s) · simulated 30h 00m · window 1m 00s",
		"operation", "send-lag p99", "create contact", "0.20 ms",
		"errors\n", "http 500", "attendance\n", "IMMEDIATE", "91.7%", "9m 34s",
		"server ", "simulator ", "requests in flight",
		"calls 1,000 = contacts created 990 + contact errors 10: holds",
		"contacts created 990 = incidents opened 700 + duplicates linked 290: holds",
		"events received 1,234,567",
		"goals\n", "create contact p99 ≤ 50 ms", "zero errors", "10 errors", "NOT MET",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "broken") {
		t.Errorf("a consistent run shows broken rules:\n%s", s)
	}
}

func TestWriteTableBroken(t *testing.T) {
	t.Parallel()
	r := testResults()
	r.Counts.Calls++
	var out bytes.Buffer
	if err := r.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DOES NOT HOLD", "1 consistency rule broken:", "calls 1001 ≠"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestCheckGoals(t *testing.T) {
	t.Parallel()
	goal := 50 * time.Millisecond
	tests := []struct {
		name    string
		ops     []OpStats
		errors  []ErrorCount
		verdict []string // the latency goal's, then zero errors'
	}{
		{"EqualIsMet", []OpStats{{Op: OpCreateContact, Count: 1, P99: goal}}, nil, []string{"MET", "MET"}},
		{"BelowIsMet", []OpStats{{Op: OpCreateContact, Count: 1, P99: goal - 1}}, nil, []string{"MET", "MET"}},
		{"AboveIsNotMet", []OpStats{{Op: OpCreateContact, Count: 1, P99: goal + 1}}, nil, []string{"NOT MET", "MET"}},
		{"NoSamples", nil, nil, []string{"NO DATA", "MET"}},
		{"OpErrors", []OpStats{{Op: OpCreateContact, Count: 2, Errors: 1, P99: goal}}, nil, []string{"MET", "NOT MET"}},
		{"ErrorsOutsideOps", []OpStats{{Op: OpCreateContact, Count: 1}},
			[]ErrorCount{{Op: OpEventDelivery, Kind: "connection", Count: 1}}, []string{"MET", "NOT MET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Results{Ops: tt.ops, Errors: tt.errors}
			got := r.CheckGoals([]Goal{{Op: OpCreateContact, P99: goal}})
			if len(got) != 2 {
				t.Fatalf("got %d results, want 2", len(got))
			}
			for i, want := range tt.verdict {
				if got[i].Verdict() != want {
					t.Errorf("%s: got %s (%s), want %s", got[i].Name, got[i].Verdict(), got[i].Measured(), want)
				}
			}
		})
	}
}

func TestDefaultGoals(t *testing.T) {
	t.Parallel()
	got := testResults().CheckGoals(DefaultGoals())
	want := []struct{ name, measured, verdict string }{
		{"create contact p99 ≤ 50 ms", "p99 40 ms", "MET"},
		{"event delivery p99 ≤ 100 ms", "p99 90 ms", "MET"},
		{"position batch p99 ≤ 50 ms", "p99 8.0 ms", "MET"},
		{"zero errors", "10 errors", "NOT MET"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Measured() != w.measured || got[i].Verdict() != w.verdict {
			t.Errorf("got %q %q %q, want %q %q %q", got[i].Name, got[i].Measured(), got[i].Verdict(), w.name, w.measured, w.verdict)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := testResults().WriteMarkdown(&out, "run1-"); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"# Simulation report: large-force\n",
		"## Run\n", "| seed | 42 |", "| rate multiplier | ×1.5 |",
		"## Goals\n", "| create contact p99 ≤ 50 ms | p99 40 ms | MET |", "| zero errors | 10 errors | NOT MET |",
		"## Operations\n", "| operation | count | per s | errors | p50 | p95 | p99 | max | send-lag p99 |",
		"| --- | ---: | ---: |",
		"## Errors\n", "| create contact | http 500 | 6 | internal error |",
		"## Attendance\n", "| IMMEDIATE | 15m urban / 20m rural | 120 | 110 | 91.7% | 3 | 11 | 9m 34s | 14m 00s |",
		"## Counts\n", "- calls = contacts created + contact errors: 1,000 = 990 + 10, holds",
		"- contacts created = incidents opened + duplicates linked: 990 = 700 + 290, holds",
		"Every consistency rule holds",
		"## Server resources\n", "| RSS |", "## Simulator overhead\n", "| requests in flight |",
		"## How measured\n", "coordinated omission", "same host", "window of 1m 00s", "scraped 30 times, about every 1m 00s",
		"## Charts\n", "](run1-latency.svg)", "](run1-load.svg)", "](run1-resources.svg)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(s)
	}
}

func TestMarkdownBroken(t *testing.T) {
	t.Parallel()
	r := testResults()
	r.Counts.IncidentsOpened--
	var out bytes.Buffer
	if err := r.WriteMarkdown(&out, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"990 = 699 + 290, **does not hold**", "**1 consistency rule broken:**"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

// chart is what a test needs of a rendered SVG.
type chart struct {
	root   xml.StartElement
	series []string // the titles of each line's path
	texts  []string
	raw    string
}

// parseChart decodes a whole SVG document, failing the test unless it is
// well-formed XML with an svg root that has a size and viewBox.
func parseChart(t *testing.T, write func(io.Writer) error) chart {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	c := chart{raw: buf.String()}
	dec := xml.NewDecoder(&buf)
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("chart is not XML: %v\n%s", err, c.raw)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				c.root = tok.Copy()
			}
			stack = append(stack, tok.Name.Local+"."+attr(tok, "class"))
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case len(stack) >= 2 && stack[len(stack)-1] == "title." && stack[len(stack)-2] == "path.series":
				c.series = append(c.series, string(tok))
			case len(stack) > 0 && stack[len(stack)-1] == "text.":
				c.texts = append(c.texts, string(tok))
			}
		}
	}
	if c.root.Name.Local != "svg" || c.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %v", c.root.Name)
	}
	for _, a := range []string{"width", "height", "viewBox", "version"} {
		if attr(c.root, a) == "" {
			t.Errorf("svg has no %s", a)
		}
	}
	for _, bad := range []string{"NaN", "Inf"} {
		if strings.Contains(c.raw, bad) {
			t.Errorf("chart holds %s", bad)
		}
	}
	return c
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestCharts(t *testing.T) {
	t.Parallel()
	r := testResults()
	ops := []string{OpCreateContact, OpRecommend, OpDispatch, OpPositionBatch, OpEventDelivery}
	tests := []struct {
		name   string
		write  func(io.Writer) error
		series []string
		texts  []string
	}{
		{"Latency", r.WriteLatencyChart, ops, []string{"p99 latency (log scale)", "goal: create contact ≤ 50 ms",
			"goal: event delivery ≤ 100 ms", "goal: position batch ≤ 50 ms", "minutes since start", "100 ms"}},
		{"Load", r.WriteLoadChart, ops, []string{"completed per second", "errors in window (10)"}},
		{"Resources", r.WriteResourcesChart, []string{"server CPU", "simulator CPU", "server RSS", "server heap", "simulator heap"},
			[]string{"CPU, % of one core", "memory, MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := parseChart(t, tt.write)
			if got, want := strings.Join(c.series, ","), strings.Join(tt.series, ","); got != want {
				t.Errorf("series %s, want %s", got, want)
			}
			for _, want := range tt.texts {
				if !containsText(c.texts, want) {
					t.Errorf("no text %q in %q", want, c.texts)
				}
			}
			if containsText(c.texts, "no data") {
				t.Error(`chart with data says "no data"`)
			}
		})
	}
}

func containsText(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

func TestLatencyChartGap(t *testing.T) {
	t.Parallel()
	c := parseChart(t, testResults().WriteLatencyChart)
	// recommend stops for four windows, so its path starts twice.
	for line := range strings.Lines(c.raw) {
		if strings.Contains(line, "<title>recommend</title>") {
			if n := strings.Count(line, "M"); n != 2 {
				t.Errorf("recommend's path has %d moves, want 2: %s", n, line)
			}
		}
	}
}

func TestEmptyResults(t *testing.T) {
	t.Parallel()
	r := &Results{}
	var table, md bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md, ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"no operations completed", "errors: none", "server: no samples", "NO DATA", "zero errors"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	if !strings.Contains(md.String(), "No operation completed.") {
		t.Errorf("markdown lacks its empty operations:\n%s", md.String())
	}
	for _, write := range []func(io.Writer) error{r.WriteLatencyChart, r.WriteLoadChart, r.WriteResourcesChart} {
		c := parseChart(t, write)
		if !containsText(c.texts, "no data") || len(c.series) != 0 {
			t.Errorf("empty chart: texts %q, series %q", c.texts, c.series)
		}
	}
}

// TestOddData has windows but no window size, a lone point, zero and
// non-finite samples: the charts must still be valid.
func TestOddData(t *testing.T) {
	t.Parallel()
	r := &Results{
		Windows: []Window{{Ops: []WindowOp{{Op: OpDispatch, Count: 1, P99: time.Millisecond, Max: time.Millisecond}}}},
		Server:  []ServerSample{{CPUPercent: math.NaN(), RSSBytes: math.Inf(1)}, {Offset: time.Second, CPUPercent: 0}},
		Self:    []SelfSample{{CPUPercent: math.Inf(-1)}},
	}
	for _, write := range []func(io.Writer) error{r.WriteLatencyChart, r.WriteLoadChart, r.WriteResourcesChart} {
		parseChart(t, write)
	}
	r.Server = []ServerSample{{CPUPercent: math.NaN(), RSSBytes: math.NaN()}}
	r.Self = nil
	if c := parseChart(t, r.WriteResourcesChart); !containsText(c.texts, "no data") {
		t.Errorf("a chart of NaN samples does not say %q: %q", "no data", c.texts)
	}
	var table bytes.Buffer
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(table.String(), "NaN") || strings.Contains(table.String(), "Inf") {
		t.Errorf("table shows a non-finite sample:\n%s", table.String())
	}
}

func TestHostileStrings(t *testing.T) {
	t.Parallel()
	const hostile = "<script>&\"|x\n| y"
	r := testResults()
	r.Profile = hostile
	r.Errors[0].Example = hostile
	r.Errors[0].Kind = "a|b"
	r.Ops[0].Op = hostile
	for i := range r.Windows {
		r.Windows[i].Ops[0].Op = hostile
	}
	for _, write := range []func(io.Writer) error{r.WriteLatencyChart, r.WriteLoadChart, r.WriteResourcesChart} {
		c := parseChart(t, write)
		if strings.Contains(c.raw, "<script") {
			t.Errorf("chart holds a raw <script")
		}
	}
	if c := parseChart(t, r.WriteLatencyChart); !containsText(c.series, hostile) {
		t.Errorf("the hostile operation's line has lost its name: %q", c.series)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md, ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<script") {
		t.Error("markdown holds a raw <script")
	}
	checkMarkdownTables(t, md.String())
	if !strings.Contains(md.String(), `&lt;script&gt;&amp;"\|x \| y`) {
		t.Errorf("markdown does not escape the hostile string:\n%s", md.String())
	}
}

// checkMarkdownTables checks every row of every table has as many cells as
// its header: an unescaped pipe or line break would add or split cells.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	cells := func(row string) int {
		return strings.Count(strings.ReplaceAll(row, `\|`, ""), "|") - 1
	}
	want := 0
	for line := range strings.Lines(md) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case !strings.HasPrefix(line, "|"):
			want = 0
		case want == 0:
			want = cells(line)
		case cells(line) != want:
			t.Errorf("row has %d cells, want %d: %s", cells(line), want, line)
		}
	}
}

func TestWriteReport(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "report")
	r := testResults()
	r.Server[3].CPUPercent = math.NaN()
	md, err := r.WriteReport(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := md, filepath.Join(dir, "report.md"); got != want {
		t.Errorf("report at %s, want %s", got, want)
	}
	for _, name := range []string{"report.md", "latency.svg", "load.svg", "resources.svg", "results.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("NaN")) {
			t.Errorf("%s holds NaN", name)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Results
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got, want := back.Counts, r.Counts; got != want {
		t.Errorf("results.json counts %+v, want %+v", got, want)
	}
	if got := back.Server[3].CPUPercent; got != 0 {
		t.Errorf("NaN CPU written as %v, want 0", got)
	}
	if !math.IsNaN(r.Server[3].CPUPercent) {
		t.Error("WriteReport changed the caller's results")
	}
}

func TestWriteChartsPrefix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	paths, err := testResults().WriteCharts(dir, "run1-")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"run1-latency.svg", "run1-load.svg", "run1-resources.svg"}
	for i, p := range paths {
		if got := filepath.Base(p); got != want[i] {
			t.Errorf("chart %d at %s, want %s", i, got, want[i])
		}
	}
	if _, err := testResults().WriteCharts(filepath.Join(dir, "missing"), ""); err == nil {
		t.Error("charts written into a directory that does not exist")
	}
}

func TestConsistent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(r *Results)
		want   string // in the one broken rule
	}{
		{"Calls", func(r *Results) { r.Counts.ContactErrors++ }, "calls 1000 ≠ contacts created 990 + contact errors 11"},
		{"ContactsCreated", func(r *Results) { r.Counts.DuplicatesLinked-- }, "contacts created 990 ≠ incidents opened 700 + duplicates linked 289"},
		{"OpErrorsAboveCount", func(r *Results) {
			r.Ops = []OpStats{{Op: OpClose, Count: 1, Errors: 2}}
			r.Windows = []Window{{Ops: []WindowOp{{Op: OpClose, Count: 1, Errors: 1}}}}
			// the windows cannot hold 2 errors of 1 either, so their sum breaks too
		}, "close incident: errors 2 not within count 1"},
		{"OpPercentiles", func(r *Results) { r.Ops[2].P95 = r.Ops[2].P99 + 1 }, "dispatch: percentiles out of order"},
		{"OpMaxBelowP99", func(r *Results) { r.Ops[2].Max = r.Ops[2].P99 - 1 }, "dispatch: percentiles out of order"},
		{"WindowCounts", func(r *Results) { r.Windows[4].Ops[3].Count++ }, "position batch: windows sum to"},
		{"WindowErrors", func(r *Results) { r.Ops[0].Errors--; r.Ops[0].Count-- }, "create contact: windows sum to"},
		{"WindowOnlyOp", func(r *Results) {
			r.Windows[0].Ops = append(r.Windows[0].Ops, WindowOp{Op: OpClose, Count: 1})
		}, "close incident: windows hold 1 completed, but the run has no stats for it"},
		{"WindowOrder", func(r *Results) { r.Windows[2].Offset = r.Windows[1].Offset }, "window 2 at 1m0s is not after window 1"},
		{"WindowPercentiles", func(r *Results) { r.Windows[3].Ops[2].P50 = r.Windows[3].Ops[2].P99 + 1 }, "window 3, dispatch"},
		{"AttendanceMetAboveAttended", func(r *Results) {
			r.Attendance[1] = GradeAttendance{Grade: "PRIORITY", Attended: 5, Met: 6, Waiting: 1}
		}, "attendance PRIORITY: met 6 not within attended 5"},
		{"AttendanceTooFewBreached", func(r *Results) { r.Attendance[0].Breached = 9 }, "attendance IMMEDIATE: met 110 + breached 9 not between attended 120"},
		{"AttendanceTooManyBreached", func(r *Results) { r.Attendance[0].Breached = 14 }, "attendance IMMEDIATE: met 110 + breached 14 not between"},
		{"AttendancePercentiles", func(r *Results) { r.Attendance[0].P50 = r.Attendance[0].P90 + 1 }, "attendance IMMEDIATE: p50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testResults()
			tt.change(r)
			got := r.Consistent()
			if len(got) == 0 || !strings.Contains(got[0], tt.want) || len(got) > 1 && tt.name != "OpErrorsAboveCount" {
				t.Errorf("got %q, want one rule broken, saying %q", got, tt.want)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		if got := testResults().Consistent(); len(got) != 0 {
			t.Errorf("consistent run breaks %q", got)
		}
		if got := (&Results{}).Consistent(); len(got) != 0 {
			t.Errorf("empty run breaks %q", got)
		}
	})
}

func TestFormat(t *testing.T) {
	t.Parallel()
	latency := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ms"}, {420 * time.Microsecond, "0.42 ms"}, {3200 * time.Microsecond, "3.2 ms"},
		{9990 * time.Microsecond, "10 ms"}, {120 * time.Millisecond, "120 ms"}, {999700 * time.Microsecond, "1.0 s"},
		{1400 * time.Millisecond, "1.4 s"}, {12 * time.Second, "12 s"}, {-2 * time.Millisecond, "-2.0 ms"},
	}
	for _, tt := range latency {
		if got := fmtLatency(tt.d); got != tt.want {
			t.Errorf("fmtLatency(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	span := []struct {
		d    time.Duration
		want string
	}{
		{3200 * time.Millisecond, "3.2 s"}, {9*time.Minute + 34*time.Second, "9m 34s"}, {30 * time.Hour, "30h 00m"},
	}
	for _, tt := range span {
		if got := fmtSpan(tt.d); got != tt.want {
			t.Errorf("fmtSpan(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := fmtCount(n); got != want {
			t.Errorf("fmtCount(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestTicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []float64
		want []float64
	}{
		{"Linear", linearTicks(430, 5), []float64{0, 100, 200, 300, 400, 500}},
		{"LinearZero", linearTicks(0, 5), []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{"Log", logTicks(3, 90), []float64{2, 5, 10, 20, 50, 100}},
		{"LogOneValue", logTicks(10, 10), []float64{10, 20}},
		{"LogWide", logTicks(0.02, 5000), []float64{0.02, 0.1, 1, 10, 100, 1000, 5000}},
	}
	for _, tt := range tests {
		if len(tt.got) != len(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
			continue
		}
		for i := range tt.got {
			if math.Abs(tt.got[i]-tt.want[i]) > 1e-9*tt.want[i] {
				t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
				break
			}
		}
	}
}
