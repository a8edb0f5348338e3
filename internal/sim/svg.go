package sim

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The charts are standalone SVG 1.1, written by hand so the report needs no
// dependency: a figure is one or more panels stacked over a shared x axis
// (minutes since the run started), with a legend on the right.

// Layout, in pixels (one SVG user unit each).
const (
	chartWidth   = 900
	chartLeft    = 72  // y tick labels and the y axis label
	chartRight   = 230 // the legend column
	chartTop     = 64  // title and subtitle
	chartBottom  = 50  // x tick labels and the x axis label
	panelGap     = 26
	legendRow    = 19
	legendChars  = 30 // longest legend label, in runes
	plotWidth    = chartWidth - chartLeft - chartRight
	errorColour  = "#d62728"
	gridColour   = "#e3e3e3"
	axisColour   = "#555555"
	noDataColour = "#888888"
)

// paletteColour returns the i-th of a palette of distinct colours, red left out
// for errors (a function, so no caller can repaint another's charts).
func paletteColour(i int) string {
	palette := [...]string{"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
		"#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39"}
	return palette[i%len(palette)]
}

// point is one data point; gap breaks the line before it.
type point struct {
	x, y float64
	gap  bool
}

// series is one line in a panel.
type series struct {
	name   string
	colour string
	points []point
}

// hline is a dashed horizontal line across a panel: a goal.
type hline struct {
	name   string
	colour string
	y      float64
	offset int // dash offset, so goals at the same height both show
}

// bar is a column over a span of the x axis.
type bar struct {
	x0, x1, y float64
	title     string
}

// panel is one plot of a figure, with its own y axis.
type panel struct {
	yLabel string
	yLog   bool
	yFmt   func(float64) string
	weight float64 // share of the figure's plotting height
	empty  string  // shown when the panel has nothing to plot
	lines  []series
	hlines []hline
	bars   []bar
	barKey string // legend label of the bars
}

type figure struct {
	title, subtitle string
	height          float64
	xMax            float64 // minutes
	panels          []panel
}

// Chart file names, as WriteCharts writes them and WriteMarkdown links them.
const (
	latencyChart   = "latency.svg"
	loadChart      = "load.svg"
	resourcesChart = "resources.svg"
)

// WriteCharts writes latency.svg, load.svg and resources.svg into dir, each
// name preceded by prefix, and returns their paths. Pass WriteMarkdown the
// same prefix when the report sits in dir.
func (r *Results) WriteCharts(dir, prefix string) ([]string, error) {
	charts := []struct {
		name  string
		write func(io.Writer) error
	}{
		{latencyChart, r.WriteLatencyChart},
		{loadChart, r.WriteLoadChart},
		{resourcesChart, r.WriteResourcesChart},
	}
	var paths []string
	for _, c := range charts {
		p := filepath.Join(dir, prefix+c.name)
		if err := writeFile(p, c.write); err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// WriteLatencyChart writes latency.svg: each operation's p99 per window over
// the run, on a log scale, with DefaultGoals as dashed lines.
func (r *Results) WriteLatencyChart(w io.Writer) error {
	return writeSVG(w, r.latencyFigure())
}

// WriteLoadChart writes load.svg: operations completed per second in each
// window, and the errors in each window below.
func (r *Results) WriteLoadChart(w io.Writer) error {
	return writeSVG(w, r.loadFigure())
}

// WriteResourcesChart writes resources.svg: the server's CPU and the
// simulator's above, the server's RSS and heap and the simulator's heap
// below.
func (r *Results) WriteResourcesChart(w io.Writer) error {
	return writeSVG(w, r.resourcesFigure())
}

func writeSVG(w io.Writer, f figure) error {
	if _, err := io.WriteString(w, f.render()); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}

func (r *Results) latencyFigure() figure {
	colours := r.opColours()
	p := panel{yLabel: "p99 latency (log scale)", yLog: true, yFmt: fmtAxisMS, weight: 1, empty: "no data"}
	ops := r.windowOps()
	for _, op := range ops {
		p.lines = append(p.lines, series{name: op, colour: colours[op], points: r.p99Points(op)})
	}
	seen := map[time.Duration]int{}
	for _, g := range DefaultGoals() {
		if slices.Contains(ops, g.Op) {
			p.hlines = append(p.hlines, hline{name: "goal: " + g.Op + " ≤ " + fmtLatency(g.P99),
				colour: colours[g.Op], y: ms(g.P99), offset: 5 * seen[g.P99]})
			seen[g.P99]++
		}
	}
	return r.figure("p99 latency per window", 440, p)
}

func (r *Results) loadFigure() figure {
	colours := r.opColours()
	ops := panel{yLabel: "completed per second", yFmt: fmtAxis, weight: 3, empty: "no data"}
	for _, op := range r.windowOps() {
		ops.lines = append(ops.lines, series{name: op, colour: colours[op], points: r.ratePoints(op)})
	}
	errs := panel{yLabel: "errors", yFmt: fmtAxis, weight: 1, empty: "no errors", bars: r.errorBars()}
	if len(errs.bars) > 0 {
		errs.barKey = "errors in window (" + fmtCount(r.windowErrors()) + ")"
	}
	if len(r.Windows) == 0 {
		errs.empty = "no data"
	}
	return r.figure("Operations completed per second, and errors", 520, ops, errs)
}

func (r *Results) resourcesFigure() figure {
	cpu := panel{yLabel: "CPU, % of one core", yFmt: fmtAxis, weight: 1, empty: "no data", lines: []series{
		{name: "server CPU", colour: paletteColour(0), points: r.serverPoints(func(s ServerSample) float64 { return s.CPUPercent })},
		{name: "simulator CPU", colour: paletteColour(1), points: r.selfPoints(func(s SelfSample) float64 { return s.CPUPercent })},
	}}
	mem := panel{yLabel: "memory, MiB", yFmt: fmtAxis, weight: 1, empty: "no data", lines: []series{
		{name: "server RSS", colour: paletteColour(2), points: r.serverPoints(func(s ServerSample) float64 { return s.RSSBytes / (1 << 20) })},
		{name: "server heap", colour: paletteColour(3), points: r.serverPoints(func(s ServerSample) float64 { return s.HeapBytes / (1 << 20) })},
		{name: "simulator heap", colour: paletteColour(4), points: r.selfPoints(func(s SelfSample) float64 { return s.HeapBytes / (1 << 20) })},
	}}
	return r.figure("Server and simulator resources", 560, cpu, mem)
}

func (r *Results) figure(title string, height float64, panels ...panel) figure {
	return figure{title: title, subtitle: r.chartSubtitle(), height: height, xMax: r.runMinutes(), panels: panels}
}

func (r *Results) chartSubtitle() string {
	var parts []string
	if r.Profile != "" {
		parts = append(parts, "profile "+r.Profile)
	}
	parts = append(parts, fmt.Sprintf("seed %d", r.Seed), r.engine())
	if r.WindowSize > 0 {
		parts = append(parts, "window "+fmtSpan(r.WindowSize))
	}
	return strings.Join(parts, " · ")
}

// windowOps lists the operations with a completion in some window: those
// of Ops in its order, then any others by name.
func (r *Results) windowOps() []string {
	var ops []string
	for _, w := range r.Windows {
		for _, o := range w.Ops {
			if o.Count > 0 && !slices.Contains(ops, o.Op) {
				ops = append(ops, o.Op)
			}
		}
	}
	slices.SortFunc(ops, func(a, b string) int {
		return cmp.Or(cmp.Compare(opRank(a), opRank(b)), strings.Compare(a, b))
	})
	return ops
}

func opRank(op string) int {
	if i := slices.Index(Ops, op); i >= 0 {
		return i
	}
	return len(Ops)
}

// opColours gives each operation its colour, the same in every chart: the
// ones in Ops by their place there, others after.
func (r *Results) opColours() map[string]string {
	colours := map[string]string{}
	for i, op := range Ops {
		colours[op] = paletteColour(i)
	}
	next := len(Ops)
	for _, op := range r.windowOps() {
		if _, ok := colours[op]; !ok {
			colours[op] = paletteColour(next)
			next++
		}
	}
	return colours
}

// windowSize is the windows' length: WindowSize, or failing that the
// smallest step between windows.
func (r *Results) windowSize() time.Duration {
	if r.WindowSize > 0 {
		return r.WindowSize
	}
	var size time.Duration
	for i := 1; i < len(r.Windows); i++ {
		if d := r.Windows[i].Offset - r.Windows[i-1].Offset; d > 0 && (size == 0 || d < size) {
			size = d
		}
	}
	return size
}

// runMinutes is the length of the x axis: the run, or as far as its data
// goes if that is further.
func (r *Results) runMinutes() float64 {
	end := max(r.Ended.Sub(r.Started), 0)
	if n := len(r.Windows); n > 0 {
		end = max(end, r.Windows[n-1].Offset+r.windowSize())
	}
	for _, s := range r.Server {
		end = max(end, s.Offset)
	}
	for _, s := range r.Self {
		end = max(end, s.Offset)
	}
	return minutes(end)
}

// windowOp returns op's figures in w, if it has any.
func windowOp(w Window, op string) (WindowOp, bool) {
	i := slices.IndexFunc(w.Ops, func(o WindowOp) bool { return o.Op == op })
	if i < 0 {
		return WindowOp{}, false
	}
	return w.Ops[i], true
}

// p99Points plots op's p99 at the middle of each window it completed in,
// breaking the line across windows where it did not.
func (r *Results) p99Points(op string) []point {
	var pts []point
	gap := false
	for _, w := range r.Windows {
		o, ok := windowOp(w, op)
		if !ok || o.Count == 0 || o.P99 <= 0 {
			gap = true
			continue
		}
		pts = append(pts, point{x: minutes(w.Offset + r.windowSize()/2), y: ms(o.P99), gap: gap})
		gap = false
	}
	return pts
}

// ratePoints plots op's completions per second in each window; a window
// without op is a real zero.
func (r *Results) ratePoints(op string) []point {
	size := r.windowSize().Seconds()
	if size <= 0 {
		return nil
	}
	pts := make([]point, 0, len(r.Windows))
	for _, w := range r.Windows {
		o, _ := windowOp(w, op)
		pts = append(pts, point{x: minutes(w.Offset + r.windowSize()/2), y: float64(o.Count) / size})
	}
	return pts
}

// errorBars marks each window with errors, saying which operations had them.
func (r *Results) errorBars() []bar {
	var bars []bar
	for _, w := range r.Windows {
		n, parts := 0, []string(nil)
		for _, o := range w.Ops {
			if o.Errors > 0 {
				n += o.Errors
				parts = append(parts, fmt.Sprintf("%s %s", o.Op, fmtCount(o.Errors)))
			}
		}
		if n > 0 {
			x0 := minutes(w.Offset)
			x1 := minutes(w.Offset + r.windowSize())
			bars = append(bars, bar{x0: x0, x1: x1, y: float64(n), title: fmt.Sprintf("minutes %s to %s: %s (%s)",
				fmtAxis(x0), fmtAxis(x1), plural(n, "error"), strings.Join(parts, ", "))})
		}
	}
	return bars
}

func (r *Results) windowErrors() int {
	n := 0
	for _, w := range r.Windows {
		for _, o := range w.Ops {
			n += o.Errors
		}
	}
	return n
}

func (r *Results) serverPoints(f func(ServerSample) float64) []point {
	pts := make([]point, 0, len(r.Server))
	for _, s := range r.Server {
		pts = append(pts, point{x: minutes(s.Offset), y: f(s)})
	}
	return pts
}

func (r *Results) selfPoints(f func(SelfSample) float64) []point {
	pts := make([]point, 0, len(r.Self))
	for _, s := range r.Self {
		pts = append(pts, point{x: minutes(s.Offset), y: f(s)})
	}
	return pts
}

func minutes(d time.Duration) float64 { return d.Minutes() }
func ms(d time.Duration) float64      { return float64(d) / float64(time.Millisecond) }

// axis maps data values on [lo, hi] to pixels on [p0, p1], linearly or by
// their logarithm.
type axis struct {
	lo, hi, p0, p1 float64
	log            bool
}

func (a axis) px(v float64) float64 {
	lo, hi := a.lo, a.hi
	if a.log {
		v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
	}
	if hi <= lo {
		return a.p0
	}
	return a.p0 + (v-lo)/(hi-lo)*(a.p1-a.p0)
}

// plottable reports whether v can be drawn on the axis.
func (a axis) plottable(v float64) bool {
	return isFinite(v) && (!a.log || v > 0)
}

// linearTicks returns ticks from 0 to a round number at or above hi, in
// steps of 1, 2 or 5 times a power of ten.
func linearTicks(hi float64, n int) []float64 {
	if !isFinite(hi) || hi <= 0 {
		hi = 1
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		v := float64(i) * step
		ticks = append(ticks, v)
		if v >= hi*(1-1e-9) {
			return ticks
		}
	}
}

// logTicks returns 1-2-5 ticks covering [lo, hi] (both > 0), the first at
// or below lo and the last at or above hi; only powers of ten between when
// that would be too many to label.
func logTicks(lo, hi float64) []float64 {
	var ticks []float64
	for e := math.Floor(math.Log10(lo)); len(ticks) == 0 || ticks[len(ticks)-1] < hi*(1-1e-9); e++ {
		for _, m := range []float64{1, 2, 5} {
			ticks = append(ticks, m*math.Pow(10, e))
		}
	}
	for len(ticks) > 1 && ticks[1] <= lo*(1+1e-9) {
		ticks = ticks[1:]
	}
	for len(ticks) > 1 && ticks[len(ticks)-2] >= hi*(1-1e-9) {
		ticks = ticks[:len(ticks)-1]
	}
	if len(ticks) == 1 {
		ticks = append(ticks, ticks[0]*2)
	}
	return thinLogTicks(ticks)
}

// thinLogTicks keeps the ends and the powers of ten when there are too many
// ticks to label.
func thinLogTicks(ticks []float64) []float64 {
	if len(ticks) <= 10 {
		return ticks
	}
	last := len(ticks) - 1
	thin := []float64{}
	for i, v := range ticks {
		if i == 0 || i == last || isPowerOfTen(v) {
			thin = append(thin, v)
		}
	}
	return thin
}

func isPowerOfTen(v float64) bool {
	e := math.Log10(v)
	return math.Abs(e-math.Round(e)) < 1e-9
}

// yTicks chooses the panel's y ticks from the values it will draw.
func (p panel) yTicks() []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	probe := axis{log: p.yLog}
	add := func(v float64) {
		if probe.plottable(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for _, s := range p.lines {
		for _, pt := range s.points {
			add(pt.y)
		}
	}
	for _, h := range p.hlines {
		add(h.y)
	}
	for _, b := range p.bars {
		add(b.y)
	}
	// Headroom above the highest value keeps a goal or a peak off the frame.
	if !p.yLog {
		return linearTicks(hi*1.05, 5)
	}
	if !isFinite(lo) {
		lo, hi = 1, 10
	}
	return logTicks(lo, hi*1.25)
}

// hasData reports whether the panel has anything to draw: a NaN sample, or
// a zero on a log scale, is not something.
func (p panel) hasData() bool {
	probe := axis{log: p.yLog}
	for _, s := range p.lines {
		if slices.ContainsFunc(s.points, func(pt point) bool { return probe.plottable(pt.y) }) {
			return true
		}
	}
	return len(p.bars) > 0
}

// svgDoc builds an SVG document.
type svgDoc struct{ b strings.Builder }

func (d *svgDoc) printf(format string, args ...any) { fmt.Fprintf(&d.b, format, args...) }

// text writes a text element; s is escaped.
func (d *svgDoc) text(x, y float64, attrs, s string) {
	d.printf(`<text x="%s" y="%s"%s>%s</text>`+"\n", num(x), num(y), attrs, xmlText(s))
}

func (d *svgDoc) line(x1, y1, x2, y2 float64, attrs string) {
	d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"%s/>`+"\n", num(x1), num(y1), num(x2), num(y2), attrs)
}

func (f figure) render() string {
	var d svgDoc
	d.printf(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	d.printf(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%s" viewBox="0 0 %d %s" font-family="Helvetica, Arial, sans-serif" font-size="12">`+"\n",
		chartWidth, num(f.height), chartWidth, num(f.height))
	d.printf("<title>%s</title>\n", xmlText(f.title))
	d.printf(`<rect x="0" y="0" width="%d" height="%s" fill="#ffffff"/>`+"\n", chartWidth, num(f.height))
	d.text(chartLeft, 26, ` font-size="16" font-weight="bold" fill="#222222"`, f.title)
	d.text(chartLeft, 45, ` fill="#666666"`, clip(f.subtitle, 110))
	xTicks := linearTicks(f.xMax, 8)
	x := axis{lo: 0, hi: xTicks[len(xTicks)-1], p0: chartLeft, p1: chartLeft + plotWidth}
	top, room := float64(chartTop), f.height-chartTop-chartBottom-panelGap*float64(len(f.panels)-1)
	total := 0.0
	for _, p := range f.panels {
		total += p.weight
	}
	for i, p := range f.panels {
		h := room * p.weight / total
		p.render(&d, x, xTicks, top, h, i == len(f.panels)-1)
		top += h + panelGap
	}
	d.text(chartLeft+plotWidth/2, f.height-12, ` text-anchor="middle" fill="#333333"`, "minutes since start")
	f.renderLegend(&d)
	d.printf("</svg>\n")
	return d.b.String()
}

// render draws the panel in the band from top, h high; only the bottom
// panel labels the x axis.
func (p panel) render(d *svgDoc, x axis, xTicks []float64, top, h float64, bottom bool) {
	bot := top + h
	d.printf(`<rect x="%s" y="%s" width="%d" height="%s" fill="none" stroke="%s"/>`+"\n",
		num(x.p0), num(top), plotWidth, num(h), gridColour)
	for _, t := range xTicks {
		d.line(x.px(t), top, x.px(t), bot, ` stroke="`+gridColour+`"`)
		if bottom {
			d.text(x.px(t), bot+16, ` text-anchor="middle" fill="`+axisColour+`"`, fmtAxis(t))
		}
	}
	ly := top + h/2
	d.text(16, ly, fmt.Sprintf(` text-anchor="middle" fill="#333333" transform="rotate(-90 16 %s)"`, num(ly)), p.yLabel)
	if !p.hasData() {
		d.text(x.p0+plotWidth/2, ly, ` text-anchor="middle" font-size="16" fill="`+noDataColour+`"`, p.empty)
		return
	}
	ticks := p.yTicks()
	y := axis{lo: ticks[0], hi: ticks[len(ticks)-1], p0: bot, p1: top, log: p.yLog}
	for _, t := range ticks {
		d.line(x.p0, y.px(t), x.p1, y.px(t), ` stroke="`+gridColour+`"`)
		d.text(x.p0-6, y.px(t)+4, ` text-anchor="end" fill="`+axisColour+`"`, p.yFmt(t))
	}
	p.renderBars(d, x, y)
	for _, g := range p.hlines {
		d.line(x.p0, y.px(g.y), x.p1, y.px(g.y), fmt.Sprintf(
			` stroke="%s" stroke-width="1.5" stroke-dasharray="6 4" stroke-dashoffset="%d"`, g.colour, g.offset))
	}
	for _, s := range p.lines {
		renderSeries(d, s, x, y)
	}
}

func (p panel) renderBars(d *svgDoc, x, y axis) {
	for _, b := range p.bars {
		if !y.plottable(b.y) {
			continue
		}
		x0, x1 := x.px(b.x0), x.px(b.x1)
		top := y.px(b.y)
		d.printf(`<rect class="errors" x="%s" y="%s" width="%s" height="%s" fill="%s" fill-opacity="0.75"><title>%s</title></rect>`+"\n",
			num(x0+0.5), num(top), num(max(x1-x0-1, 1)), num(max(y.p0-top, 1)), errorColour, xmlText(b.title))
	}
}

// renderSeries draws one line as a single path, broken at gaps, with a dot
// on any point that has no neighbour to join.
func renderSeries(d *svgDoc, s series, x, y axis) {
	var path strings.Builder
	var lone []point
	pts := slices.DeleteFunc(slices.Clone(s.points), func(p point) bool { return !x.plottable(p.x) || !y.plottable(p.y) })
	for i, p := range pts {
		cmd := "L"
		if i == 0 || p.gap {
			cmd = "M"
			if i == len(pts)-1 || pts[i+1].gap {
				lone = append(lone, p)
			}
		}
		fmt.Fprintf(&path, "%s%s %s ", cmd, num(x.px(p.x)), num(y.px(p.y)))
	}
	if len(pts) == 0 {
		return
	}
	d.printf(`<path class="series" d="%s" fill="none" stroke="%s" stroke-width="1.8" stroke-linejoin="round"><title>%s</title></path>`+"\n",
		strings.TrimSpace(path.String()), s.colour, xmlText(s.name))
	for _, p := range lone {
		d.printf(`<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", num(x.px(p.x)), num(y.px(p.y)), s.colour)
	}
}

// renderLegend lists every line, goal and kind of bar, in the column right
// of the plots.
func (f figure) renderLegend(d *svgDoc) {
	x := float64(chartLeft + plotWidth + 18)
	y := float64(chartTop + 8)
	item := func(swatch, label string) {
		d.printf("%s\n", swatch)
		d.text(x+28, y+4, ` fill="#222222"`, clip(label, legendChars))
		y += legendRow
	}
	stroke := func(colour, attrs string) string {
		return fmt.Sprintf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"%s/>`, num(x), num(y), num(x+22), num(y), colour, attrs)
	}
	for _, p := range f.panels {
		for _, s := range p.lines {
			item(stroke(s.colour, ` stroke-width="2.5"`), s.name)
		}
		for _, g := range p.hlines {
			item(stroke(g.colour, ` stroke-width="1.5" stroke-dasharray="6 4"`), g.name)
		}
		if p.barKey != "" {
			item(fmt.Sprintf(`<rect x="%s" y="%s" width="22" height="9" fill="%s" fill-opacity="0.75"/>`,
				num(x), num(y-4.5), errorColour), p.barKey)
		}
	}
}

// num formats a coordinate to a tenth of a pixel; never NaN or Inf, which
// would make the SVG invalid.
func num(v float64) string {
	if !isFinite(v) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// fmtAxis labels a tick: "0", "2.5", "1500".
func fmtAxis(v float64) string {
	if !isFinite(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// fmtAxisMS labels a latency tick given in milliseconds: "0.5 ms", "20 ms",
// "2 s".
func fmtAxisMS(v float64) string {
	if v >= 1000 {
		return fmtAxis(v/1000) + " s"
	}
	return fmtAxis(v) + " ms"
}

// xmlText escapes s for XML character data and attribute values.
func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // writes to a strings.Builder, which cannot fail
	return b.String()
}
