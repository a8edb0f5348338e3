package httpapi

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bluelamp/bluelamp"
)

// testRecommender recommends the simple correct way: available units with
// the incident's skills, nearest first in a straight line. The real
// dispatch index is tested in internal/dispatch; this stands in for it only
// so these tests can see the route pass its answer through.
type testRecommender struct{ units bluelamp.UnitStore }

func (r testRecommender) Recommend(ctx context.Context, inc *bluelamp.Incident, limit int) ([]*bluelamp.Recommendation, error) {
	us, err := r.units.FindUnits(ctx)
	if err != nil || inc.Location.Position == nil {
		return nil, err
	}
	var out []*bluelamp.Recommendation
	for _, u := range us {
		if u.State.Available() && u.Position != nil && u.HasSkills(inc.RequiredSkills, time.Now()) {
			out = append(out, &bluelamp.Recommendation{Unit: u, DistanceM: inc.Location.Position.Distance(*u.Position)})
		}
	}
	slices.SortFunc(out, func(a, b *bluelamp.Recommendation) int { return cmp.Compare(a.DistanceM, b.DistanceM) })
	return out[:min(limit, len(out))], nil
}

// Places in and around the test force, which covers Southampton.
var (
	bargate   = bluelamp.Position{Lat: 50.9049, Lon: -1.4043}
	portswood = bluelamp.Position{Lat: 50.9234, Lon: -1.3930}
	shirley   = bluelamp.Position{Lat: 50.9234, Lon: -1.4337}
	london    = bluelamp.Position{Lat: 51.5074, Lon: -0.1278}
)

// cadEnv is a force with a user of each control-room role, signed in.
type cadEnv struct {
	*apiEnv
	station                                      *bluelamp.Station
	handler, ctl, ctl2, sup, admin, officer, aud *client
}

func newCADEnv(t *testing.T) *cadEnv {
	t.Helper()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	ce := &cadEnv{apiEnv: e, station: e.mustCreateStation("alpha", "SO")}
	for name, role := range map[string]bluelamp.Role{
		"handler": bluelamp.RoleCallHandler, "ctl": bluelamp.RoleController, "ctl2": bluelamp.RoleController, "sup": bluelamp.RoleSupervisor,
		"admin": bluelamp.RoleForceAdmin, "aud": bluelamp.RoleAuditor,
	} {
		e.mustCreateUser("alpha", name, role)
	}
	ce.handler, ce.ctl, ce.ctl2, ce.sup = e.signIn("handler"), e.signIn("ctl"), e.signIn("ctl2"), e.signIn("sup")
	ce.admin, ce.aud = e.signIn("admin"), e.signIn("aud")
	ce.officer = ce.newOfficer("officer", "9001")
	return ce
}

// mustCreateUnit adds a unit of force alpha in state at a position.
func (e *cadEnv) mustCreateUnit(callSign string, state bluelamp.UnitState, at bluelamp.Position, skills ...bluelamp.Skill) *bluelamp.Unit {
	e.t.Helper()
	u := &bluelamp.Unit{CallSign: callSign, Type: "response car", StationID: e.station.ID, State: state, Position: &at}
	for _, k := range skills {
		u.Skills = append(u.Skills, bluelamp.UnitSkill{Skill: k})
	}
	if err := e.store.CreateUnit(bluelamp.SystemContext(e.t.Context(), "alpha", "test"), u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// mustSetArea gives force alpha a boundary around Southampton and,
// optionally, settings changed by change.
func (e *cadEnv) mustSetArea(change func(fs *bluelamp.ForceSettings)) {
	e.t.Helper()
	var fs bluelamp.ForceSettings
	e.admin.do("GET", "/api/v1/settings", nil).decode(e.t, &fs)
	fs.Area.Boundary = [][2]float64{{-1.6, 50.8}, {-1.2, 50.8}, {-1.2, 51.0}, {-1.6, 51.0}, {-1.6, 50.8}}
	if change != nil {
		change(&fs)
	}
	if res := e.admin.do("PUT", "/api/v1/settings", fs); res.status != http.StatusOK {
		e.t.Fatalf("put settings: %d %s", res.status, res.body)
	}
}

func thriveBody(grade bluelamp.Grade) map[string]any {
	return map[string]any{
		"threat":        map[string]any{"description": "man with a knife threatening shop staff", "parties": []string{"shop staff"}},
		"harm":          map[string]any{"types": []string{"PHYSICAL"}, "severity": "HIGH"},
		"risk":          map[string]any{"likelihood": "HIGH", "rating": "HIGH"},
		"investigation": map[string]any{"scene_advice_given": true, "scene_advice": "do not touch the door"},
		"grade":         grade,
		"rationale":     "weapon seen, threat to life",
	}
}

func incidentBody(category bluelamp.Category, grade bluelamp.Grade, at bluelamp.Position) map[string]any {
	return map[string]any{"category": category, "grade": grade, "summary": "knife point robbery in progress",
		"location": map[string]any{"position": at}, "thrive": thriveBody(grade)}
}

func contactBody(category bluelamp.Category, grade bluelamp.Grade, at bluelamp.Position) map[string]any {
	return map[string]any{
		"channel":  "999",
		"caller":   map[string]any{"name": "Sam Caller", "number": "023 8000 0000", "callback": true},
		"location": map[string]any{"address": "1 Above Bar Street, Southampton", "position": at},
		"account":  "a man with a knife is demanding money from the till",
		"incident": map[string]any{"category": category, "grade": grade, "summary": "knife point robbery in progress", "thrive": thriveBody(grade)},
	}
}

func (e *cadEnv) mustCreateContact(c *client, body any) contactCreateResponse {
	e.t.Helper()
	res := c.do("POST", "/api/v1/contacts", body)
	if res.status != http.StatusCreated {
		e.t.Fatalf("create contact: %d %s", res.status, res.body)
	}
	var out contactCreateResponse
	res.decode(e.t, &out)
	return out
}

func (e *cadEnv) mustOpenIncident(c *client, grade bluelamp.Grade, at bluelamp.Position) *bluelamp.Incident {
	e.t.Helper()
	body := incidentBody("CRIME_ROBBERY", grade, at)
	body["channel"] = "OFFICER_GENERATED"
	res := c.do("POST", "/api/v1/incidents", body)
	if res.status != http.StatusCreated {
		e.t.Fatalf("open incident: %d %s", res.status, res.body)
	}
	var inc bluelamp.Incident
	res.decode(e.t, &inc)
	return &inc
}

func (e *cadEnv) mustAssign(c *client, inc bluelamp.IncidentID, unit bluelamp.UnitID) {
	e.t.Helper()
	if res := c.do("POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", inc), map[string]any{"unit_id": unit}); res.status != http.StatusCreated {
		e.t.Fatalf("assign unit %d to %d: %d %s", unit, inc, res.status, res.body)
	}
}

// mustBookOn books an officer on to a unit: officers change only their own.
func (e *cadEnv) mustBookOn(c *client, unit bluelamp.UnitID) {
	e.t.Helper()
	if res := c.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": unit}); res.status != http.StatusOK {
		e.t.Fatalf("book on to unit %d: %d %s", unit, res.status, res.body)
	}
}

func (e *cadEnv) mustStatus(c *client, unit bluelamp.UnitID, code string) *bluelamp.Unit {
	e.t.Helper()
	res := c.do("POST", fmt.Sprintf("/api/v1/units/%d/status", unit), map[string]string{"code": code})
	if res.status != http.StatusOK {
		e.t.Fatalf("unit %d status %s: %d %s", unit, code, res.status, res.body)
	}
	var u bluelamp.Unit
	res.decode(e.t, &u)
	return &u
}

func (e *cadEnv) incident(c *client, id bluelamp.IncidentID) *bluelamp.Incident {
	e.t.Helper()
	res := c.do("GET", fmt.Sprintf("/api/v1/incidents/%d", id), nil)
	if res.status != http.StatusOK {
		e.t.Fatalf("get incident %d: %d %s", id, res.status, res.body)
	}
	var inc bluelamp.Incident
	res.decode(e.t, &inc)
	return &inc
}

// clock returns inc's clock of basis, failing the test if it has none.
func clock(t *testing.T, inc *bluelamp.Incident, basis bluelamp.ClockBasis) bluelamp.Clock {
	t.Helper()
	i := slices.IndexFunc(inc.Clocks, func(c bluelamp.Clock) bool { return c.Basis == basis })
	if i < 0 {
		t.Fatalf("incident %s has no %s clock: %+v", inc.Number, basis, inc.Clocks)
	}
	return inc.Clocks[i]
}

// wantProblem checks a problem's status and code and that it names field.
func wantProblem(t *testing.T, res response, status int, code, field string) Problem {
	t.Helper()
	var p Problem
	res.decode(t, &p)
	if res.status != status || p.Code != code {
		t.Fatalf("got %d %s, want %d %s: %s", res.status, p.Code, status, code, res.body)
	}
	if field != "" && p.Errors[field] == "" {
		t.Fatalf("problem does not name %s: %s", field, res.body)
	}
	return p
}

// TestCommandAndControl runs a call through: a 999 contact opens an
// IMMEDIATE incident, the queue shows its call clock running, a controller
// dispatches the recommended unit, the unit goes en route and at scene,
// the clock is met, a supervisor closes it, and closing it again is refused.
func TestCommandAndControl(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	near := e.mustCreateUnit("SO11", bluelamp.StateAvailable, portswood)
	e.mustCreateUnit("SO12", bluelamp.StateAvailable, shirley)
	e.mustCreateUnit("SO13", bluelamp.StateOffDuty, bargate)

	created := e.mustCreateContact(e.handler, contactBody("CRIME_ROBBERY", bluelamp.GradeImmediate, bargate))
	inc := created.Incident
	if !strings.HasPrefix(created.Contact.Reference, "C-") || created.Contact.IncidentID != inc.ID || len(created.Duplicates) != 0 {
		t.Fatalf("contact = %+v, duplicates %d", created.Contact, len(created.Duplicates))
	}
	if inc.Grade != bluelamp.GradeImmediate || inc.Channel != bluelamp.ChannelEmergency || inc.THRIVE == nil || inc.THRIVE.Version != 1 ||
		!slices.Equal(inc.Contacts, []string{created.Contact.Reference}) {
		t.Fatalf("incident = %+v", inc)
	}
	if c := clock(t, inc, bluelamp.ClockFromCall); c.State != bluelamp.ClockRunning {
		t.Fatalf("call clock on opening: %+v", c)
	}

	var queue struct {
		Incidents []*bluelamp.Incident
		Total     int
	}
	e.ctl.do("GET", "/api/v1/incidents?status=OPEN&grade=IMMEDIATE", nil).decode(t, &queue)
	if queue.Total != 1 || queue.Incidents[0].ID != inc.ID || clock(t, queue.Incidents[0], bluelamp.ClockFromCall).State != bluelamp.ClockRunning {
		t.Fatalf("queue = %+v", queue)
	}

	// A second call about the same job is linked to it.
	second := contactBody("", "", bargate)
	delete(second, "incident")
	second["incident_id"] = inc.ID
	second["caller"] = map[string]any{"anonymous": true}
	linked := e.mustCreateContact(e.handler, second)
	if linked.Incident.ID != inc.ID || len(linked.Incident.Contacts) != 2 || len(linked.Duplicates) != 0 {
		t.Fatalf("linked contact: %+v", linked.Incident)
	}

	var recs struct{ Recommendations []*bluelamp.Recommendation }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations?limit=5", inc.ID), nil).decode(t, &recs)
	if len(recs.Recommendations) != 2 || recs.Recommendations[0].Unit.ID != near.ID {
		t.Fatalf("recommendations = %+v", recs.Recommendations)
	}
	e.mustAssign(e.ctl, inc.ID, near.ID)
	e.mustBookOn(e.officer, near.ID)
	if u := e.mustStatus(e.officer, near.ID, "5"); u.State != bluelamp.StateEnRoute || u.IncidentID != inc.ID {
		t.Fatalf("unit after 5: %+v", u)
	}
	if u := e.mustStatus(e.officer, near.ID, "6"); u.State != bluelamp.StateAtScene {
		t.Fatalf("unit after 6: %+v", u)
	}
	got := e.incident(e.ctl, inc.ID)
	if got.Resourcing != bluelamp.ResourcingAtScene || got.FirstDispatchedAt == nil || got.FirstArrivedAt == nil {
		t.Fatalf("incident at scene: %+v", got)
	}
	if c := clock(t, got, bluelamp.ClockFromCall); c.State != bluelamp.ClockMet || c.Stopped == nil || !c.Stopped.Before(*c.Due) {
		t.Fatalf("call clock after arrival: %+v", c)
	}

	closing := map[string]any{"category": "CRIME_ROBBERY", "qualifiers": []string{"WEAPONS"}, "result": "CRIME_RECORDED", "crime_reference": "44/123456/26"}
	res := e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/close", inc.ID), closing)
	if res.status != http.StatusOK {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	res.decode(t, &got)
	if got.Status != bluelamp.IncidentClosed || got.Closing == nil || got.Closing.CrimeReference != "44/123456/26" ||
		clock(t, got, bluelamp.ClockFromCall).State != bluelamp.ClockMet {
		t.Fatalf("closed incident: %+v", got)
	}
	var unit bluelamp.Unit
	e.ctl.do("GET", fmt.Sprintf("/api/v1/units/%d", near.ID), nil).decode(t, &unit)
	if unit.State != bluelamp.StateAvailable || unit.IncidentID != 0 {
		t.Fatalf("unit after closing: %+v", unit)
	}
	p := wantProblem(t, e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/close", inc.ID), closing), http.StatusConflict, "incident_closed", "")
	if !strings.Contains(p.Detail, inc.Number) || !strings.Contains(p.Detail, "sup") {
		t.Fatalf("closing twice: %+v", p)
	}

	var log struct{ Entries []*bluelamp.LogEntry }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/log", inc.ID), nil).decode(t, &log)
	var kinds []bluelamp.LogEntryKind
	for _, l := range log.Entries {
		kinds = append(kinds, l.Kind)
		if strings.Contains(l.Text, "Sam Caller") {
			t.Fatalf("the incident log names the caller: %q", l.Text)
		}
	}
	for _, k := range []bluelamp.LogEntryKind{bluelamp.LogOpened, bluelamp.LogContact, bluelamp.LogAssigned, bluelamp.LogStatus, bluelamp.LogClosed} {
		if !slices.Contains(kinds, k) {
			t.Fatalf("log has no %s line: %v", k, kinds)
		}
	}
	checkChangePayloads(t, e.ctl)
}

// checkChangePayloads reads the force log as c and checks every
// command-and-control event's payload against the Change schema.
func checkChangePayloads(t *testing.T, c *client) {
	t.Helper()
	var page logPage
	c.do("GET", "/api/v1/log?limit=5000", nil).decode(t, &page)
	schema := oaDoc(t).Components.Schemas["Change"].Value
	n := 0
	for _, ev := range page.Events {
		typ := string(ev.Type)
		if !strings.HasPrefix(typ, "incident.") && !strings.HasPrefix(typ, "unit.") && typ != string(bluelamp.EventSettingsChanged) || ev.Type == bluelamp.EventUnitCreated {
			continue
		}
		var v any
		if err := json.Unmarshal(ev.Payload, &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s payload does not match the Change schema: %v\n%s", ev.Type, err, ev.Payload)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no command-and-control events in the log")
	}
}

// TestAttendanceClocks reads the clocks against the server's injected
// clock: running, amber, breached, met on arrival, and frozen at closing.
func TestAttendanceClocks(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	e.mustSetArea(func(fs *bluelamp.ForceSettings) {
		fs.Area.Urban = []bluelamp.UrbanArea{{Name: "Southampton", Centre: bargate, RadiusM: 5000}}
		fs.Grades[0].DispatchTarget = bluelamp.Duration(10 * time.Minute)
	})
	unit := e.mustCreateUnit("SO21", bluelamp.StateAvailable, portswood)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	if inc.Location.Rural || len(inc.Clocks) != 2 {
		t.Fatalf("urban incident clocks: rural %v, %+v", inc.Location.Rural, inc.Clocks)
	}
	if c := clock(t, inc, bluelamp.ClockFromCall); c.State != bluelamp.ClockRunning || c.Target != bluelamp.Duration(15*time.Minute) {
		t.Fatalf("call clock: %+v", c)
	}
	if c := clock(t, inc, bluelamp.ClockFromDispatch); c.State != bluelamp.ClockPending || c.Start != nil {
		t.Fatalf("dispatch clock before dispatch: %+v", c)
	}
	for _, tc := range []struct {
		ahead time.Duration
		want  bluelamp.ClockState
	}{{13 * time.Minute, bluelamp.ClockWarning}, {16 * time.Minute, bluelamp.ClockBreached}} {
		e.ahead.Store(int64(tc.ahead))
		if c := clock(t, e.incident(e.ctl, inc.ID), bluelamp.ClockFromCall); c.State != tc.want {
			t.Fatalf("%s ahead: call clock %+v, want %s", tc.ahead, c, tc.want)
		}
	}
	e.mustAssign(e.ctl, inc.ID, unit.ID)
	if c := clock(t, e.incident(e.ctl, inc.ID), bluelamp.ClockFromDispatch); c.State != bluelamp.ClockBreached {
		t.Fatalf("dispatch clock 16 minutes on: %+v", c)
	}
	e.ahead.Store(0)
	if c := clock(t, e.incident(e.ctl, inc.ID), bluelamp.ClockFromDispatch); c.State != bluelamp.ClockRunning {
		t.Fatalf("dispatch clock now: %+v", c)
	}
	e.mustBookOn(e.officer, unit.ID)
	e.mustStatus(e.officer, unit.ID, "6")
	e.ahead.Store(int64(time.Hour))
	got := e.incident(e.ctl, inc.ID)
	for _, c := range got.Clocks {
		if c.State != bluelamp.ClockMet {
			t.Fatalf("clock after arrival in time: %+v", c)
		}
	}

	// A job closed before anyone arrived does not count down for ever.
	e.ahead.Store(0)
	other := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	res := e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/close", other.ID), map[string]any{"category": "CRIME_ROBBERY", "result": "NO_TRACE"})
	if res.status != http.StatusOK {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	e.ahead.Store(int64(time.Hour))
	if c := clock(t, e.incident(e.ctl, other.ID), bluelamp.ClockFromCall); c.State != bluelamp.ClockRunning {
		t.Fatalf("clock of an incident closed before arrival, an hour on: %+v", c)
	}
}

// TestDoubleAssignment: two controllers send the same unit to different
// incidents at the same moment; exactly one wins, and the other is told
// where the unit went.
func TestDoubleAssignment(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	for round := range 3 {
		unit := e.mustCreateUnit(fmt.Sprintf("SO3%d", round), bluelamp.StateAvailable, portswood)
		incs := []*bluelamp.Incident{e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate), e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, shirley)}
		results := make([]response, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range []*client{e.ctl, e.ctl2} {
			wg.Go(func() {
				<-start
				results[i] = c.do("POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", incs[i].ID), map[string]any{"unit_id": unit.ID})
			})
		}
		close(start)
		wg.Wait()
		won := slices.IndexFunc(results, func(r response) bool { return r.status == http.StatusCreated })
		if won < 0 || results[1-won].status != http.StatusConflict {
			t.Fatalf("round %d: statuses %d and %d, want one 201 and one 409", round, results[0].status, results[1].status)
		}
		p := wantProblem(t, results[1-won], http.StatusConflict, "unit_unavailable", "unit_id")
		if !strings.Contains(p.Detail, incs[won].Number) || !strings.Contains(p.Detail, unit.CallSign) {
			t.Fatalf("round %d: the loser is not told where %s went (%s): %q", round, unit.CallSign, incs[won].Number, p.Detail)
		}
		var u bluelamp.Unit
		e.ctl.do("GET", fmt.Sprintf("/api/v1/units/%d", unit.ID), nil).decode(t, &u)
		if u.IncidentID != incs[won].ID || u.State != bluelamp.StateAssigned {
			t.Fatalf("round %d: unit %+v", round, u)
		}
	}
}

func methaneBody(major bool) map[string]any {
	return map[string]any{"major_incident": major, "exact_location": "Bargate shopping centre, north entrance", "type_of_incident": "building collapse",
		"hazards": "unstable masonry, gas leak", "access": "from Portland Terrace only", "casualties": map[string]any{"number": 12, "description": "4 serious, 8 walking wounded"},
		"emergency_services": "fire and ambulance on scene; USAR requested"}
}
