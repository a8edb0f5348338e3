package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Helpers shared by the command-and-control tests.

// here is where C&C tests happen: central London, inside every default
// area (a force with no boundary contains everything).
var here = bluelamp.Position{Lat: 51.5074, Lon: -0.1278}

// north returns the position m metres north of p.
func north(p bluelamp.Position, m float64) *bluelamp.Position {
	return &bluelamp.Position{Lat: p.Lat + m/111_195, Lon: p.Lon}
}

// set moves the clock to t.
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// cadForce is a force ready for command and control: the world populate
// makes plus a controller who also takes calls and supervises (the store
// leaves roles to the layers above it).
type cadForce struct {
	*world
	controller *bluelamp.User
	ctx        context.Context // the controller's
}

func (f *fixture) cadForce(id bluelamp.ForceID) *cadForce {
	f.t.Helper()
	w := f.populate(id)
	c := f.mustCreateUser(id, "controller", bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor)
	return &cadForce{world: w, controller: c, ctx: f.as(c)}
}

// newTHRIVE returns a complete assessment supporting grade g.
func newTHRIVE(g bluelamp.Grade, vulnerable ...string) *bluelamp.THRIVE {
	return &bluelamp.THRIVE{
		Threat:        bluelamp.Threat{Parties: []string{"caller"}, Description: "intruder in the house"},
		Harm:          bluelamp.Harm{Types: []string{"PHYSICAL"}, Severity: bluelamp.LevelHigh},
		Risk:          bluelamp.Risk{Likelihood: bluelamp.LevelMedium, Rating: bluelamp.LevelHigh},
		Vulnerability: bluelamp.Vulnerability{Factors: vulnerable},
		Grade:         g,
		Rationale:     "offender may still be on the premises",
	}
}

// newIncident returns an unsaved, valid incident of grade g at here.
func newIncident(g bluelamp.Grade, summary string) *bluelamp.Incident {
	return &bluelamp.Incident{
		Channel:  bluelamp.ChannelEmergency,
		Category: "CRIME_BURGLARY",
		Grade:    g,
		Summary:  summary,
		Location: bluelamp.Location{Address: "12 High Street", Position: new(here)},
	}
}

// newContact returns an unsaved, valid 999 contact from number at here.
func newContact(number string) *bluelamp.Contact {
	return &bluelamp.Contact{
		Channel:  bluelamp.ChannelEmergency,
		Caller:   bluelamp.Caller{Name: "Pat Caller", Number: number, Callback: number != ""},
		Location: bluelamp.Location{Address: "12 High Street", Position: new(here)},
		Account:  "someone is breaking in next door",
	}
}

func (f *fixture) mustCreateIncident(ctx context.Context, inc *bluelamp.Incident) *bluelamp.Incident {
	f.t.Helper()
	ok(f.t, f.Store.CreateIncident(ctx, inc))
	return inc
}

// mustOpen records c as a contact opening inc.
func (f *fixture) mustOpen(ctx context.Context, c *bluelamp.Contact, inc *bluelamp.Incident) *bluelamp.Contact {
	f.t.Helper()
	ok(f.t, f.Store.CreateContact(ctx, c, inc))
	return c
}

// mustLink records c as a further contact about incident id.
func (f *fixture) mustLink(ctx context.Context, c *bluelamp.Contact, id bluelamp.IncidentID) *bluelamp.Contact {
	f.t.Helper()
	c.IncidentID = id
	ok(f.t, f.Store.CreateContact(ctx, c, nil))
	return c
}

// mustCreateAvailableUnit creates an AVAILABLE unit holding skills.
func (f *fixture) mustCreateAvailableUnit(ctx context.Context, station bluelamp.StationID, callSign string, skills ...bluelamp.Skill) *bluelamp.Unit {
	f.t.Helper()
	u := &bluelamp.Unit{CallSign: callSign, Type: "response car", StationID: station, State: bluelamp.StateAvailable, Crew: []string{"PC" + callSign}}
	for _, k := range skills {
		u.Skills = append(u.Skills, bluelamp.UnitSkill{Skill: k})
	}
	ok(f.t, f.Store.CreateUnit(ctx, u))
	return u
}

func (f *fixture) mustAssign(ctx context.Context, inc bluelamp.IncidentID, u bluelamp.UnitID) *bluelamp.Assignment {
	f.t.Helper()
	a, err := f.Store.AssignUnit(ctx, inc, u, false)
	ok(f.t, err)
	return a
}

func (f *fixture) mustStatus(ctx context.Context, u bluelamp.UnitID, code string) *bluelamp.Unit {
	f.t.Helper()
	got, err := f.Store.SetUnitStatus(ctx, u, code)
	ok(f.t, err)
	return got
}

func (f *fixture) incident(ctx context.Context, id bluelamp.IncidentID) *bluelamp.Incident {
	f.t.Helper()
	inc, err := f.Store.FindIncidentByID(ctx, id)
	ok(f.t, err)
	return inc
}

func (f *fixture) unit(ctx context.Context, id bluelamp.UnitID) *bluelamp.Unit {
	f.t.Helper()
	u, err := f.Store.FindUnitByID(ctx, id)
	ok(f.t, err)
	return u
}

func (f *fixture) incidentLog(ctx context.Context, id bluelamp.IncidentID) []*bluelamp.LogEntry {
	f.t.Helper()
	l, err := f.Store.FindIncidentLog(ctx, id)
	ok(f.t, err)
	return l
}

// snapshotOpts compare records as the store returns them and as events
// carry them through JSON.
var snapshotOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(bluelamp.Incident{}, "Clocks")}

// eventWant is what one command-and-control event should be.
type eventWant struct {
	typ     bluelamp.EventType
	subject string
	class   bluelamp.Classification // "" means OFFICIAL
	entries []entryWant             // the incident-log lines it carries, in order
	check   func(c bluelamp.Change) // more checks of its payload, if any
	raw     func(e *bluelamp.Event) // checks of a payload that is not a Change
}

// entryWant is one incident-log line an event should carry.
type entryWant struct {
	incident bluelamp.IncidentID
	kind     bluelamp.LogEntryKind
	text     string // a substring of the line
}

// wantCAD fails the test unless force's log since head holds exactly the
// events in wants, each with its subject, classification and log lines,
// every line tied to its event's seq, time and actor and stored as carried.
// It returns the events' payloads decoded as Changes (zero for events that
// do not carry one).
func (f *fixture) wantCAD(force bluelamp.ForceID, since bluelamp.Head, wants ...eventWant) []bluelamp.Change {
	f.t.Helper()
	types := make([]bluelamp.EventType, len(wants))
	for i, w := range wants {
		types[i] = w.typ
	}
	events := f.wantEvents(force, since, types...)
	changes := make([]bluelamp.Change, len(events))
	logs := map[bluelamp.IncidentID][]*bluelamp.LogEntry{}
	ctx := f.system(force)
	for i, e := range events {
		w := wants[i]
		class := w.class
		if class == "" {
			class = bluelamp.ClassOfficial
		}
		if e.Subject != w.subject || e.Classification != class {
			f.t.Errorf("event %d %s: subject %q, classification %s; want %q, %s", e.Seq, e.Type, e.Subject, e.Classification, w.subject, class)
		}
		if w.raw != nil {
			w.raw(e)
			continue
		}
		var c bluelamp.Change
		dec := json.NewDecoder(strings.NewReader(string(e.Payload)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			f.t.Fatalf("event %d %s payload %s is not a Change: %v", e.Seq, e.Type, e.Payload, err)
		}
		changes[i] = c
		if len(c.Entries) != len(w.entries) {
			f.t.Fatalf("event %d %s carries %d log entries, want %d: %s", e.Seq, e.Type, len(c.Entries), len(w.entries), describeEntries(c.Entries))
		}
		for j, le := range c.Entries {
			we := w.entries[j]
			if le.IncidentID != we.incident || le.Kind != we.kind || !strings.Contains(le.Text, we.text) {
				f.t.Errorf("event %d %s entry %d = incident %d %s %q; want incident %d %s containing %q",
					e.Seq, e.Type, j, le.IncidentID, le.Kind, le.Text, we.incident, we.kind, we.text)
			}
			if le.EventSeq != e.Seq || !le.Time.Equal(e.Time) || le.Actor != e.Actor {
				f.t.Errorf("event %d %s entry %d has seq %d, time %v, actor %q; want the event's %d, %v, %q",
					e.Seq, e.Type, j, le.EventSeq, le.Time, le.Actor, e.Seq, e.Time, e.Actor)
			}
			if _, seen := logs[le.IncidentID]; !seen {
				logs[le.IncidentID] = f.incidentLog(ctx, le.IncidentID)
			}
			i := slices.IndexFunc(logs[le.IncidentID], func(s *bluelamp.LogEntry) bool { return s.ID == le.ID })
			if i < 0 {
				f.t.Errorf("event %d %s entry %d (id %d) is not in incident %d's log", e.Seq, e.Type, j, le.ID, le.IncidentID)
			} else if diff := cmp.Diff(logs[le.IncidentID][i], le); diff != "" {
				f.t.Errorf("event %d %s entry %d (-stored +carried):\n%s", e.Seq, e.Type, j, diff)
			}
		}
		if w.check != nil {
			w.check(c)
		}
	}
	return changes
}

func describeEntries(entries []*bluelamp.LogEntry) string {
	var s strings.Builder
	for _, e := range entries {
		s.WriteString("\n\t" + string(e.Kind) + " " + e.Text)
	}
	return s.String()
}

// incidentSubject is the subject of an incident's events.
func incidentSubject(id bluelamp.IncidentID) string { return ref("incident", id) }

// wantSnapshot fails the test unless got is the incident as the store now
// returns it.
func (f *fixture) wantSnapshot(ctx context.Context, got *bluelamp.Incident) {
	f.t.Helper()
	if got == nil {
		f.t.Fatal("the event carries no incident")
	}
	if diff := cmp.Diff(f.incident(ctx, got.ID), got, snapshotOpts); diff != "" {
		f.t.Errorf("incident %s in the event (-stored +carried):\n%s", got.Number, diff)
	}
}

// wantUnitSnapshot does for units what wantSnapshot does for incidents.
func (f *fixture) wantUnitSnapshot(ctx context.Context, got *bluelamp.Unit) {
	f.t.Helper()
	if got == nil {
		f.t.Fatal("the event carries no unit")
	}
	if diff := cmp.Diff(f.unit(ctx, got.ID), got, snapshotOpts); diff != "" {
		f.t.Errorf("unit %s in the event (-stored +carried):\n%s", got.CallSign, diff)
	}
}

// refused fails the test unless err has kind k and no force's log moved
// from heads.
func (f *fixture) refused(err error, k bluelamp.Kind, heads ...bluelamp.Head) {
	f.t.Helper()
	wantKind(f.t, err, k)
	for _, h := range heads {
		f.wantNoEvents(h.ForceID, h)
	}
}

// heads returns the heads of forces.
func (f *fixture) heads(forces ...bluelamp.ForceID) []bluelamp.Head {
	f.t.Helper()
	out := make([]bluelamp.Head, len(forces))
	for i, id := range forces {
		out[i] = f.head(id)
	}
	return out
}

// wantCode fails t unless err is a bluelamp error with code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	e, isErr := errors.AsType[*bluelamp.Error](err)
	if !isErr || e.CodeOrKind() != code {
		t.Fatalf("got %v, want an error with code %q", err, code)
	}
}

// wantMessage fails t unless err's safe message contains each of parts.
func wantMessage(t testing.TB, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(bluelamp.MessageOf(err), p) {
			t.Fatalf("error %v: message %q does not mention %q", err, bluelamp.MessageOf(err), p)
		}
	}
}
