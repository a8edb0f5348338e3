package bluelamp_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// t0 is when the test calls come in.
var t0 = time.Date(2030, time.March, 4, 9, 30, 0, 0, time.UTC)

func after(d time.Duration) *time.Time {
	t := t0.Add(d)
	return &t
}

func dur(d time.Duration) bluelamp.Duration { return bluelamp.Duration(d) }

func TestAttendanceClocks(t *testing.T) {
	immediate := bluelamp.GradeSetting{Grade: bluelamp.GradeImmediate, Code: "G1", Label: "Immediate",
		UrbanTarget: dur(15 * time.Minute), RuralTarget: dur(20 * time.Minute), WarnBefore: dur(3 * time.Minute)}
	withDispatch := immediate
	withDispatch.DispatchTarget = dur(10 * time.Minute)
	priority := bluelamp.GradeSetting{Grade: bluelamp.GradePriority, Code: "G2", Label: "Priority",
		UrbanTarget: dur(time.Hour), RuralTarget: dur(time.Hour), WarnBefore: dur(10 * time.Minute)}
	rwd := bluelamp.GradeSetting{Grade: bluelamp.GradeResolvedWithoutDeployment, Code: "G5", Label: "Resolution without deployment"}

	// incident is opened at t0 and graded g then, urban unless changed.
	incident := func(g bluelamp.Grade, change func(*bluelamp.Incident)) *bluelamp.Incident {
		inc := &bluelamp.Incident{ReceivedAt: t0, OpenedAt: t0, Grade: g, GradedAt: t0, OriginalGrade: g, OriginalGradedAt: t0}
		if change != nil {
			change(inc)
		}
		return inc
	}
	callClock := func(start time.Duration, target time.Duration, state bluelamp.ClockState, remaining time.Duration) bluelamp.Clock {
		return bluelamp.Clock{Basis: bluelamp.ClockFromCall, Start: after(start), Target: dur(target), Due: after(start + target),
			State: state, Remaining: remaining}
	}
	for _, c := range []struct {
		name string
		inc  *bluelamp.Incident
		g    bluelamp.GradeSetting
		now  time.Duration // after t0
		want []bluelamp.Clock
	}{
		{"urban target runs from the call", incident(bluelamp.GradeImmediate, nil), immediate, 10 * time.Minute,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockRunning, 5*time.Minute)}},
		{"rural target is longer", incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.Location.Rural = true }), immediate, 10 * time.Minute,
			[]bluelamp.Clock{callClock(0, 20*time.Minute, bluelamp.ClockRunning, 10*time.Minute)}},
		{"just before the warning window", incident(bluelamp.GradeImmediate, nil), immediate, 12*time.Minute - time.Second,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockRunning, 3*time.Minute+time.Second)}},
		{"warning window opens WarnBefore the target", incident(bluelamp.GradeImmediate, nil), immediate, 12 * time.Minute,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockWarning, 3*time.Minute)}},
		{"at the due time it has not yet breached", incident(bluelamp.GradeImmediate, nil), immediate, 15 * time.Minute,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockWarning, 0)}},
		{"breached once past due", incident(bluelamp.GradeImmediate, nil), immediate, 15*time.Minute + time.Second,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockBreached, -time.Second)}},
		{"met when the first unit arrives in time", incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.FirstArrivedAt = after(14 * time.Minute) }),
			immediate, time.Hour,
			[]bluelamp.Clock{{Basis: bluelamp.ClockFromCall, Start: after(0), Target: dur(15 * time.Minute), Due: after(15 * time.Minute),
				Stopped: after(14 * time.Minute), State: bluelamp.ClockMet, Remaining: time.Minute}}},
		{"missed when the first unit arrives late", incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.FirstArrivedAt = after(16 * time.Minute) }),
			immediate, time.Hour,
			[]bluelamp.Clock{{Basis: bluelamp.ClockFromCall, Start: after(0), Target: dur(15 * time.Minute), Due: after(15 * time.Minute),
				Stopped: after(16 * time.Minute), State: bluelamp.ClockMissed, Remaining: -time.Minute}}},
		{"dispatch clock pending until a unit is sent", incident(bluelamp.GradeImmediate, nil), withDispatch, 5 * time.Minute,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockRunning, 10*time.Minute),
				{Basis: bluelamp.ClockFromDispatch, Target: dur(10 * time.Minute), State: bluelamp.ClockPending}}},
		{"dispatch clock runs from the first dispatch", incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.FirstDispatchedAt = after(2 * time.Minute) }),
			withDispatch, 13 * time.Minute,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockWarning, 2*time.Minute),
				{Basis: bluelamp.ClockFromDispatch, Start: after(2 * time.Minute), Target: dur(10 * time.Minute), Due: after(12 * time.Minute),
					State: bluelamp.ClockBreached, Remaining: -time.Minute}}},
		{"a closed incident's clock stopped when it closed",
			incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.ClosedAt = after(10 * time.Minute) }), immediate, time.Hour,
			[]bluelamp.Clock{callClock(0, 15*time.Minute, bluelamp.ClockRunning, 5*time.Minute)}},
		{"no targets, no clocks", incident(bluelamp.GradeResolvedWithoutDeployment, nil), rwd, time.Hour, nil},
		{"the call clock runs from the call, not from opening",
			incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) { i.ReceivedAt = t0.Add(-10 * time.Minute) }), immediate, 5*time.Minute + time.Second,
			[]bluelamp.Clock{callClock(-10*time.Minute, 15*time.Minute, bluelamp.ClockBreached, -time.Second)}},
		{"an upgraded incident's clock starts at the new grade",
			incident(bluelamp.GradeImmediate, func(i *bluelamp.Incident) {
				i.OriginalGrade, i.GradedAt = bluelamp.GradePriority, t0.Add(50*time.Minute)
			}), immediate, time.Hour,
			[]bluelamp.Clock{callClock(50*time.Minute, 15*time.Minute, bluelamp.ClockRunning, 5*time.Minute)}},
		{"a downgraded incident is measured from the call",
			incident(bluelamp.GradePriority, func(i *bluelamp.Incident) {
				i.OriginalGrade, i.GradedAt = bluelamp.GradeImmediate, t0.Add(10*time.Minute)
			}), priority, 61 * time.Minute,
			[]bluelamp.Clock{callClock(0, time.Hour, bluelamp.ClockBreached, -time.Minute)}},
		{"an incident re-graded back to its original grade is measured from the call",
			incident(bluelamp.GradePriority, func(i *bluelamp.Incident) { i.GradedAt = t0.Add(20 * time.Minute) }), priority, 30 * time.Minute,
			[]bluelamp.Clock{callClock(0, time.Hour, bluelamp.ClockRunning, 30*time.Minute)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := bluelamp.AttendanceClocks(c.inc, c.g, t0.Add(c.now))
			if diff := cmp.Diff(c.want, got, cmpopts.IgnoreFields(bluelamp.Clock{}, "RemainingMS")); diff != "" {
				t.Errorf("clocks (-want +got):\n%s", diff)
			}
			for _, c := range got {
				if c.RemainingMS != c.Remaining.Milliseconds() {
					t.Errorf("%s clock: remaining %v but %d ms", c.Basis, c.Remaining, c.RemainingMS)
				}
			}
		})
	}
}

func TestGradeRank(t *testing.T) {
	for i, g := range bluelamp.Grades {
		if !g.Valid() || g.Rank() != i {
			t.Errorf("%s: valid %v, rank %d; want valid at rank %d", g, g.Valid(), g.Rank(), i)
		}
	}
	if g := bluelamp.Grade("URGENT"); g.Valid() || g.Rank() != len(bluelamp.Grades) {
		t.Errorf("an unknown grade is valid %v at rank %d; want invalid and last", g.Valid(), g.Rank())
	}
	if !(bluelamp.GradeImmediate.Rank() < bluelamp.GradePriority.Rank() && bluelamp.GradeScheduled.Rank() < bluelamp.GradeResolvedWithoutDeployment.Rank()) {
		t.Error("grades are not most urgent first")
	}
}

func TestDurationText(t *testing.T) {
	for _, c := range []struct {
		text string
		want time.Duration
	}{
		{"15m0s", 15 * time.Minute},
		{"48h0m0s", 48 * time.Hour},
		{"1h30m0s", 90 * time.Minute},
		{"0s", 0},
	} {
		var d bluelamp.Duration
		if err := d.UnmarshalText([]byte(c.text)); err != nil || d.Std() != c.want {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", c.text, d.Std(), err, c.want)
		}
		b, err := bluelamp.Duration(c.want).MarshalText()
		if err != nil || string(b) != c.text {
			t.Errorf("MarshalText(%v) = %q, %v; want %q", c.want, b, err, c.text)
		}
	}
	var d bluelamp.Duration
	if err := d.UnmarshalText([]byte("a fortnight")); bluelamp.KindOf(err) != bluelamp.KindInvalid {
		t.Errorf("UnmarshalText of nonsense: %v, want KindInvalid", err)
	}
	var g bluelamp.GradeSetting
	if err := json.Unmarshal([]byte(`{"grade":"IMMEDIATE","urban_target":"15m","warn_before":"3m"}`), &g); err != nil ||
		g.UrbanTarget.Std() != 15*time.Minute || g.WarnBefore.Std() != 3*time.Minute {
		t.Errorf("grade setting from JSON = %+v, %v", g, err)
	}
}
