package bluelamp

import (
	"slices"
	"time"
)

// Grade is the canonical response grade of an incident (DOMAIN 2.4). Each
// force maps the five grades onto its own labels and attendance targets.
type Grade string

const (
	GradeImmediate                 Grade = "IMMEDIATE"
	GradePriority                  Grade = "PRIORITY"
	GradeStandard                  Grade = "STANDARD"
	GradeScheduled                 Grade = "SCHEDULED"
	GradeResolvedWithoutDeployment Grade = "RESOLVED_WITHOUT_DEPLOYMENT"
)

// Grades lists every Grade, most urgent first: the queue's order.
var Grades = []Grade{GradeImmediate, GradePriority, GradeStandard, GradeScheduled, GradeResolvedWithoutDeployment}

// Valid reports whether g is one of Grades.
func (g Grade) Valid() bool { return slices.Contains(Grades, g) }

// Rank is g's place in Grades (0 is most urgent); an unknown grade sorts last.
func (g Grade) Rank() int {
	if i := slices.Index(Grades, g); i >= 0 {
		return i
	}
	return len(Grades)
}

// ClockBasis says from when an attendance target is measured: forces differ
// (GMP and the Met from call received, Suffolk from dispatch, DOMAIN 2.4), so
// both clocks run and both are reported.
type ClockBasis string

const (
	ClockFromCall     ClockBasis = "CALL"
	ClockFromDispatch ClockBasis = "DISPATCH"
)

// GradeSetting is one force's label and attendance targets for a grade. A
// zero target means the grade has no attendance clock of that basis.
type GradeSetting struct {
	Grade       Grade    `json:"grade"`
	Code        string   `json:"code"`  // short form on the queue, e.g. "G1" or "I"
	Label       string   `json:"label"` // e.g. "Emergency"
	UrbanTarget Duration `json:"urban_target"`
	RuralTarget Duration `json:"rural_target"`
	// DispatchTarget is the target from dispatch to arrival (Suffolk's
	// measure); zero when the force does not set one.
	DispatchTarget Duration `json:"dispatch_target"`
	// WarnBefore is how long before a breach the clock turns amber.
	WarnBefore Duration `json:"warn_before"`
}

// Duration is a time.Duration that reads and writes JSON as Go duration text
// ("15m0s"), so settings stay legible.
type Duration time.Duration

// MarshalText writes d as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads Go duration text such as "15m" or "48h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return Errorf(KindInvalid, "%q is not a duration such as 15m or 48h", b)
	}
	*d = Duration(v)
	return nil
}

// ClockState is where an attendance clock stands.
type ClockState string

const (
	ClockPending  ClockState = "PENDING"  // not started: no unit dispatched yet
	ClockRunning  ClockState = "RUNNING"  // within target
	ClockWarning  ClockState = "WARNING"  // within WarnBefore of breach
	ClockBreached ClockState = "BREACHED" // past target with no unit at scene
	ClockMet      ClockState = "MET"      // first unit arrived within target
	ClockMissed   ClockState = "MISSED"   // first unit arrived after target
)

// Clock is one attendance clock of an incident.
type Clock struct {
	Basis       ClockBasis    `json:"basis"`
	Start       *time.Time    `json:"start,omitempty"`
	Target      Duration      `json:"target"`
	Due         *time.Time    `json:"due,omitempty"`
	Stopped     *time.Time    `json:"stopped,omitempty"` // first unit at scene
	State       ClockState    `json:"state"`
	Remaining   time.Duration `json:"-"`            // negative once breached; at stop when stopped
	RemainingMS int64         `json:"remaining_ms"` // Remaining in milliseconds
}

// AttendanceClocks returns inc's clocks under g at now: from call and from
// dispatch, each only when g sets a target for it. The call clock runs from
// when the call was received, except that the call clock of an incident
// re-graded upward (more urgent than its original grade) starts when the
// current grade was given, so an upgrade is not counted as a breach of a
// target that did not apply; both times are kept on the incident (DOMAIN
// 2.5). A downgraded incident is measured from the call against its new,
// laxer target.
func AttendanceClocks(inc *Incident, g GradeSetting, now time.Time) []Clock {
	// A closed incident's clocks stopped when it closed.
	if inc.ClosedAt != nil && inc.ClosedAt.Before(now) {
		now = *inc.ClosedAt
	}
	var out []Clock
	target := g.UrbanTarget
	if inc.Location.Rural {
		target = g.RuralTarget
	}
	if target > 0 {
		start := inc.ReceivedAt
		if inc.OriginalGrade.Valid() && inc.Grade.Rank() < inc.OriginalGrade.Rank() && inc.GradedAt.After(start) {
			start = inc.GradedAt
		}
		out = append(out, clock(ClockFromCall, &start, target, g.WarnBefore, inc.FirstArrivedAt, now))
	}
	if g.DispatchTarget > 0 {
		out = append(out, clock(ClockFromDispatch, inc.FirstDispatchedAt, g.DispatchTarget, g.WarnBefore, inc.FirstArrivedAt, now))
	}
	return out
}

func clock(basis ClockBasis, start *time.Time, target, warn Duration, arrived *time.Time, now time.Time) Clock {
	c := Clock{Basis: basis, Target: target, State: ClockPending}
	if start == nil {
		return c
	}
	due := start.Add(time.Duration(target))
	c.Start, c.Due = start, &due
	switch {
	case arrived != nil:
		c.Stopped = arrived
		c.Remaining = due.Sub(*arrived)
		c.State = ClockMet
		if c.Remaining < 0 {
			c.State = ClockMissed
		}
	default:
		c.Remaining = due.Sub(now)
		switch {
		case c.Remaining < 0:
			c.State = ClockBreached
		case c.Remaining <= time.Duration(warn):
			c.State = ClockWarning
		default:
			c.State = ClockRunning
		}
	}
	c.RemainingMS = c.Remaining.Milliseconds()
	return c
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }
