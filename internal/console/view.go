package console

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// The views here turn domain records into what the templates print. The
// modules in static/ (views.js) print the same records the same way when
// they change live, so the two must agree: a row rendered by the server and
// one rendered by the browser look alike.

// queueRow is one incident in the queue.
type queueRow struct {
	*bluelamp.Incident
	Grade    bluelamp.GradeSetting
	Category string
	Clocks   []clockView
	Units    []string // call signs of open assignments
	Received string   // HH:MM in the force's time zone
}

// queueHTML renders the queue's rows. It is the one fragment not executed
// by html/template: at 5,000 rows the template's reflection costs ~90 µs a
// row, most of the 300 ms first-render budget, so the rows are written here
// with every value escaped by template.HTMLEscapeString (text and
// double-quoted attributes alike). The markup is views.js queueRow's.
func queueHTML(rows []queueRow) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 900)
	esc := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	for _, r := range rows {
		id := strconv.FormatInt(int64(r.ID), 10)
		gc := "g-" + strings.ToLower(string(r.Grade.Grade))
		b.WriteString(`<tr id="inc-` + id + `" data-id="` + id + `" data-rank="` + strconv.Itoa(r.Grade.Grade.Rank()) + `" data-received="`)
		esc(r.ReceivedAt.UTC().Format(time.RFC3339Nano))
		b.WriteString(`" class="` + gc + `"><td class="grade"><span class="badge ` + gc + `">`)
		esc(r.Grade.Code)
		b.WriteString(`</span><span class="visually-hidden"> `)
		esc(r.Grade.Label)
		b.WriteString(`</span></td><th scope="row" class="num"><button type="button" class="open" data-open="` + id + `">`)
		esc(r.Number)
		b.WriteString(`</button> <time class="rcv" datetime="`)
		esc(r.ReceivedAt.UTC().Format(time.RFC3339Nano))
		b.WriteString(`">` + r.Received + `</time>`)
		if r.Major != nil {
			b.WriteString(` <span class="tag major">MAJOR</span>`)
		}
		b.WriteString(`</th><td class="what"><span class="cat">`)
		esc(r.Category)
		b.WriteString(`</span> <span class="sum">`)
		esc(r.Summary)
		b.WriteString(`</span><span class="where">`)
		esc(r.Location.Address)
		b.WriteString(`</span></td><td class="res res-`)
		esc(strings.ToLower(string(r.Resourcing)))
		b.WriteString(`">`)
		esc(resourcingLabel(r.Resourcing))
		if len(r.Units) > 0 {
			b.WriteString(`<span class="units">`)
			esc(strings.Join(r.Units, ", "))
			b.WriteString(`</span>`)
		}
		b.WriteString(`</td><td class="clocks">`)
		for _, c := range r.Clocks {
			b.WriteString(`<span class="clock ` + c.State + `"`)
			if c.Due != "" {
				b.WriteString(` data-due="` + c.Due + `" data-warn="` + strconv.FormatInt(c.WarnMS, 10) + `"`)
			}
			b.WriteString(`><span class="basis">` + c.Basis + `</span> <span class="t">`)
			esc(c.Text)
			b.WriteString(`</span></span>`)
		}
		b.WriteString(`</td></tr>` + "\n")
	}
	return template.HTML(b.String())
}

// clockView is an attendance clock as the queue shows it: its state in
// words as well as colour (WCAG 1.4.1).
type clockView struct {
	Basis  string // "Call" or "Dispatch"
	State  string // lower-case ClockState, the CSS class
	Text   string
	Due    string // RFC 3339, while the clock runs; the page ticks it
	WarnMS int64
}

func newQueueRow(inc *bluelamp.Incident, fs *bluelamp.ForceSettings, loc *time.Location, now time.Time) queueRow {
	g := fs.Grade(inc.Grade)
	row := queueRow{Incident: inc, Grade: g, Category: categoryLabel(inc.Category), Received: inc.ReceivedAt.In(loc).Format("15:04")}
	at := now
	if inc.ClosedAt != nil && inc.ClosedAt.Before(now) {
		at = *inc.ClosedAt
	}
	for _, cl := range bluelamp.AttendanceClocks(inc, g, at) {
		row.Clocks = append(row.Clocks, newClockView(cl, g))
	}
	for _, a := range inc.Assignments {
		if a.State.Open() {
			row.Units = append(row.Units, a.CallSign)
		}
	}
	return row
}

func newClockView(cl bluelamp.Clock, g bluelamp.GradeSetting) clockView {
	v := clockView{Basis: "Call", State: strings.ToLower(string(cl.State)), Text: clockText(cl.State, cl.Remaining), WarnMS: time.Duration(g.WarnBefore).Milliseconds()}
	if cl.Basis == bluelamp.ClockFromDispatch {
		v.Basis = "Dispatch"
	}
	if cl.Due != nil && cl.Stopped == nil {
		v.Due = cl.Due.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// clockText is a clock in words: static.js clockText says the same.
func clockText(st bluelamp.ClockState, remaining time.Duration) string {
	switch st {
	case bluelamp.ClockPending:
		return "not started"
	case bluelamp.ClockRunning:
		return fmtDuration(remaining) + " left"
	case bluelamp.ClockWarning:
		return "due soon: " + fmtDuration(remaining) + " left"
	case bluelamp.ClockBreached:
		return "BREACHED " + fmtDuration(-remaining) + " over"
	case bluelamp.ClockMet:
		return "met"
	case bluelamp.ClockMissed:
		return "missed by " + fmtDuration(-remaining)
	}
	return strings.ToLower(string(st))
}

// fmtDuration is m:ss under an hour, h:mm:ss under two days, then days
// and hours: a countdown readable at a glance.
func fmtDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s >= 48*3600:
		return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// fmtTarget is an attendance target in words: "15 min", "1 h", "48 h".
func fmtTarget(d bluelamp.Duration) string {
	t := d.Std()
	if t < time.Hour {
		return fmt.Sprintf("%d min", int(t.Minutes()))
	}
	return fmt.Sprintf("%g h", t.Hours())
}

func categoryLabel(c bluelamp.Category) string {
	if ci, ok := c.Info(); ok {
		return ci.Label
	}
	return string(c)
}

// boardGroup is one canonical state on the unit board.
type boardGroup struct {
	State bluelamp.UnitState
	Label string
	Units []unitView
}

// unitView is a unit as the board shows it.
type unitView struct {
	*bluelamp.Unit
	Status   string // the force's label for its last status code
	Since    string // HH:MM of the last status
	Dispatch bool   // the viewer may set its status
	Track    bool   // the viewer may read its breadcrumbs
	Stale    bool   // on duty with no position newer than the force's PositionStaleAfter
	Fix      string // what is known of its position when Stale: "last fix 4 min ago", "no position"
}

// newBoard groups units by canonical state in the board's order,
// EMERGENCY first; every state has a group, empty ones hidden. A unit's
// position is stale at now by the force's PositionStaleAfter.
func newBoard(units []*bluelamp.Unit, fs *bluelamp.ForceSettings, loc *time.Location, now time.Time, cn can) []boardGroup {
	groups := make([]boardGroup, len(bluelamp.UnitStates))
	for i, s := range bluelamp.UnitStates {
		groups[i] = boardGroup{State: s, Label: s.Label()}
	}
	for _, u := range units {
		i := slices.Index(bluelamp.UnitStates, u.State)
		if i < 0 {
			continue
		}
		v := unitView{Unit: u, Status: u.State.Label(), Dispatch: cn.Dispatch, Track: cn.Track}
		v.Stale, v.Fix = fixState(u, fs.StaleAfter(), now)
		if sc, ok := fs.Status(u.StatusCode); ok {
			v.Status = sc.Label
		}
		if !u.StatusAt.IsZero() {
			v.Since = u.StatusAt.In(loc).Format("15:04")
		}
		groups[i].Units = append(groups[i].Units, v)
	}
	return groups
}

// fixState says whether a unit on duty has no live position at now, and
// what is known of it: "last fix 4 min ago" or "no position". A unit off
// duty is not followed. positions.js fixState says the same.
func fixState(u *bluelamp.Unit, staleAfter time.Duration, now time.Time) (bool, string) {
	switch {
	case u.State == bluelamp.StateOffDuty:
		return false, ""
	case u.Position == nil || u.PositionAt == nil:
		return true, "no position"
	}
	age := now.Sub(*u.PositionAt)
	if age < staleAfter {
		return false, ""
	}
	return true, "last fix " + fmtAge(age)
}

// fmtAge is how long ago, in words: "40 s ago", "4 min ago", "2 h 5 min
// ago", "3 days ago". format.js fixAge says the same.
func fmtAge(d time.Duration) string {
	s := max(int64(d/time.Second), 0)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s ago", s)
	case s < 3600:
		return fmt.Sprintf("%d min ago", s/60)
	case s < 48*3600:
		return fmt.Sprintf("%d h %d min ago", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%d days ago", s/86400)
}

// viewFuncs are the template functions of the command-and-control pages.
var viewFuncs = template.FuncMap{
	"lower": func(s any) string { return strings.ToLower(fmt.Sprint(s)) },
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"stateClass": func(s bluelamp.UnitState) string {
		return strings.ReplaceAll(strings.ToLower(string(s)), "_", "-")
	},
	"gradeClass": func(g bluelamp.Grade) string { return "g-" + strings.ToLower(string(g)) },
	"resourcing": resourcingLabel,
	"queueHTML":  queueHTML,
	"inc":        func(i int) int { return i + 1 },
	"target": func(g bluelamp.GradeSetting) string {
		if g.RuralTarget != g.UrbanTarget {
			return fmtTarget(g.UrbanTarget) + " urban, " + fmtTarget(g.RuralTarget) + " rural"
		}
		return fmtTarget(g.UrbanTarget)
	},
	"level": func(name, legend string) map[string]any {
		return map[string]any{"Name": name, "Legend": legend}
	},
	"levels":               func() []option { return levelOptions },
	"harmTypes":            func() []option { return labelled(bluelamp.HarmTypes) },
	"vulnerabilityFactors": func() []option { return labelled(bluelamp.VulnerabilityFactors) },
	"reasonCodes":          func() []bluelamp.ReasonCodeInfo { return bluelamp.DefaultReasonCodes },
	"staleWords": func(fs *bluelamp.ForceSettings) string {
		d := fs.StaleAfter()
		if d < time.Minute {
			return fmt.Sprintf("%d s", int(d.Seconds()))
		}
		return fmt.Sprintf("%g min", d.Minutes())
	},
	"skills": func(ks []bluelamp.UnitSkill) string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = string(k.Skill)
		}
		return strings.Join(out, " ")
	},
}

// resourcingLabel is how far an incident's deployment has got, in words.
func resourcingLabel(r bluelamp.Resourcing) string {
	switch r {
	case bluelamp.ResourcingAwaiting:
		return "Awaiting unit"
	case bluelamp.ResourcingAssigned:
		return "Assigned"
	case bluelamp.ResourcingEnRoute:
		return "En route"
	case bluelamp.ResourcingAtScene:
		return "At scene"
	case bluelamp.ResourcingCleared:
		return "Cleared"
	}
	return string(r)
}
