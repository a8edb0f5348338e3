package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// newOfficer adds a response officer with a collar number and signs them in.
func (e *cadEnv) newOfficer(username, collar string) *client {
	e.t.Helper()
	u := &bluelamp.User{Username: username, DisplayName: "PC " + username, CollarNumber: collar, Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	if err := e.store.CreateUser(bluelamp.SystemContext(e.t.Context(), "alpha", "test"), u, testHash()); err != nil {
		e.t.Fatal(err)
	}
	return e.signIn(username)
}

// TestOfficerShift books an officer on, has a controller give their unit a
// job, and lets the officer see it, change status and write to its log —
// but not to another unit or another job.
func TestOfficerShift(t *testing.T) {
	e := newCADEnv(t)
	e.mustSetArea(nil)
	pc := e.newOfficer("smith", "4021")
	mine := e.mustCreateUnit("A21", bluelamp.StateOffDuty, bargate)
	other := e.mustCreateUnit("B7", bluelamp.StateAvailable, shirley)

	wantProblem(t, pc.do("GET", "/api/v1/me/unit", nil), http.StatusNotFound, "not_found", "")
	wantProblem(t, pc.do("POST", "/api/v1/me/unit", map[string]any{}), http.StatusBadRequest, "invalid_fields", "unit_id")
	// The account without a collar number cannot book on.
	wantProblem(t, e.sup.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": mine.ID}), http.StatusBadRequest, "invalid_fields", "collar_number")
	// A controller is not an officer on the street.
	wantProblem(t, e.ctl.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": mine.ID}), http.StatusForbidden, "role_required", "")

	res := pc.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": mine.ID, "call_sign": "A21N", "crew": []string{"5120"}})
	if res.status != http.StatusOK {
		t.Fatalf("book on: %d %s", res.status, res.body)
	}
	var u bluelamp.Unit
	res.decode(t, &u)
	if u.State != bluelamp.StateAvailable || u.CallSign != "A21N" || fmt.Sprint(u.Crew) != "[5120 4021]" {
		t.Errorf("booked on: %s %s %v", u.State, u.CallSign, u.Crew)
	}

	inc := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	e.mustAssign(e.ctl, inc.ID, mine.ID)
	var got myUnitResponse
	res = pc.do("GET", "/api/v1/me/unit", nil)
	res.decode(t, &got)
	if got.Incident == nil || got.Incident.ID != inc.ID || len(got.Log) == 0 || got.Unit.State != bluelamp.StateAssigned {
		t.Fatalf("my unit: %s", res.body)
	}

	// Status: my unit, not another; a device time in the future is refused.
	wantProblem(t, pc.do("POST", fmt.Sprintf("/api/v1/units/%d/status", mine.ID), map[string]any{"code": "5", "taken_at": time.Now().Add(time.Hour)}),
		http.StatusBadRequest, "invalid_fields", "taken_at")
	e.mustStatus(pc, mine.ID, "5")
	wantProblem(t, pc.do("POST", fmt.Sprintf("/api/v1/units/%d/status", other.ID), map[string]string{"code": "6"}), http.StatusForbidden, "not_your_unit", "")
	// Log: my job, not another.
	res = pc.do("POST", fmt.Sprintf("/api/v1/incidents/%d/log", inc.ID), map[string]any{"text": "two males detained"})
	if res.status != http.StatusCreated {
		t.Fatalf("log update: %d %s", res.status, res.body)
	}
	elsewhere := e.mustOpenIncident(e.handler, bluelamp.GradeStandard, shirley)
	wantProblem(t, pc.do("POST", fmt.Sprintf("/api/v1/incidents/%d/log", elsewhere.ID), map[string]any{"text": "not mine"}), http.StatusForbidden, "not_your_job", "")

	// Booking off leaves the rest of the crew with the job.
	res = pc.do("DELETE", "/api/v1/me/unit", nil)
	res.decode(t, &u)
	if res.status != http.StatusOK || u.State != bluelamp.StateEnRoute || fmt.Sprint(u.Crew) != "[5120]" {
		t.Errorf("book off from a crew of two: %d %s", res.status, res.body)
	}
	// The last officer cannot book off while the unit has a job; cleared,
	// booking off takes it off duty.
	res = pc.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": mine.ID, "crew": []string{}})
	if res.decode(t, &u); res.status != http.StatusOK || fmt.Sprint(u.Crew) != "[4021]" {
		t.Fatalf("book on alone: %d %s", res.status, res.body)
	}
	wantProblem(t, pc.do("DELETE", "/api/v1/me/unit", nil), http.StatusConflict, "unit_unavailable", "")
	e.mustStatus(pc, mine.ID, "2")
	res = pc.do("DELETE", "/api/v1/me/unit", nil)
	res.decode(t, &u)
	if res.status != http.StatusOK || u.State != bluelamp.StateOffDuty {
		t.Errorf("book off: %d %s", res.status, res.body)
	}
}

// TestIdempotentReplay sends the same action again, as a phone back in
// signal does, and sees it applied once with the first answer repeated.
func TestIdempotentReplay(t *testing.T) {
	e := newCADEnv(t)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeStandard, bargate)
	path := fmt.Sprintf("/api/v1/incidents/%d/log", inc.ID)
	body := map[string]any{"text": "caller re-contacted, all quiet"}
	key := "0192f3a4-7c1e-7000-8000-000000000001"

	first := e.ctl.do("POST", path, body, HeaderIdempotencyKey, key)
	if first.status != http.StatusCreated || first.header.Get(HeaderReplayed) != "" {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	again := e.ctl.do("POST", path, body, HeaderIdempotencyKey, key)
	if again.status != http.StatusCreated || again.header.Get(HeaderReplayed) != "true" || string(again.body) != string(first.body) {
		t.Errorf("replay: %d %q %s; want the first answer %s", again.status, again.header.Get(HeaderReplayed), again.body, first.body)
	}
	// Eight copies at once still make one entry.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			res := e.ctl.do("POST", path, map[string]any{"text": "sent eight times"}, HeaderIdempotencyKey, "eight-copies-0001")
			if res.status != http.StatusCreated {
				t.Errorf("copy: %d %s", res.status, res.body)
			}
		})
	}
	wg.Wait()
	var log struct{ Entries []*bluelamp.LogEntry }
	res := e.ctl.do("GET", path, nil)
	res.decode(t, &log)
	count := map[string]int{}
	for _, l := range log.Entries {
		count[l.Text]++
	}
	if count["caller re-contacted, all quiet"] != 1 || count["sent eight times"] != 1 {
		t.Errorf("log after replays: %s", res.body)
	}

	wantProblem(t, e.ctl.do("POST", path, map[string]any{"text": "something else"}, HeaderIdempotencyKey, key), http.StatusBadRequest, "idempotency_key_reused", "")
	wantProblem(t, e.ctl.do("POST", path, body, HeaderIdempotencyKey, "short"), http.StatusBadRequest, "bad_idempotency_key", "")
	wantProblem(t, e.ctl.do("POST", path, body, HeaderIdempotencyKey, "has spaces in it"), http.StatusBadRequest, "bad_idempotency_key", "")
	// A refused action does not use up its key: fixed, it applies.
	res = e.ctl.do("POST", path, map[string]any{"text": ""}, HeaderIdempotencyKey, "fixed-later-0001")
	if res.status != http.StatusBadRequest {
		t.Fatalf("empty note: %d %s", res.status, res.body)
	}
	res = e.ctl.do("POST", path, map[string]any{"text": "fixed"}, HeaderIdempotencyKey, "fixed-later-0001")
	if res.status != http.StatusCreated {
		t.Errorf("after fixing: %d %s", res.status, res.body)
	}
}

// TestOfficerSeesOwnSensitiveJob checks that an OFFICIAL-SENSITIVE job
// reaches the officers whose unit is sent to it, and no other officer.
func TestOfficerSeesOwnSensitiveJob(t *testing.T) {
	e := newCADEnv(t)
	e.mustSetArea(nil)
	mine := e.mustCreateUnit("A21", bluelamp.StateAvailable, bargate)
	pc := e.newOfficer("smith", "4021")
	other := e.newOfficer("jones", "4022")
	e.mustBookOn(pc, mine.ID)
	body := incidentBody("DOMESTIC_INCIDENT", bluelamp.GradeImmediate, bargate)
	body["classification"], body["channel"] = bluelamp.ClassOfficialSensitive, "OFFICER_GENERATED"
	res := e.handler.do("POST", "/api/v1/incidents", body)
	if res.status != http.StatusCreated {
		t.Fatalf("open: %d %s", res.status, res.body)
	}
	var inc bluelamp.Incident
	res.decode(t, &inc)
	e.mustAssign(e.ctl, inc.ID, mine.ID)
	e.ctl.do("POST", fmt.Sprintf("/api/v1/incidents/%d/log", inc.ID), map[string]any{"text": "caller says he has a knife"})
	seen := func(c *client) []string {
		var page struct{ Events []bluelamp.Event }
		c.do("GET", "/api/v1/log?after=0&limit=5000", nil).decode(t, &page)
		var types []string
		for _, ev := range page.Events {
			if ev.Classification == bluelamp.ClassOfficialSensitive {
				types = append(types, string(ev.Type))
			}
		}
		return types
	}
	if got := strings.Join(seen(pc), " "); !strings.Contains(got, "unit.assigned") || !strings.Contains(got, "incident.logged") || strings.Contains(got, "incident.opened") {
		t.Errorf("the assigned officer sees sensitive events %q; want the assignment and the job's log, not the opening before it", got)
	}
	if got := seen(other); len(got) != 0 {
		t.Errorf("an officer not on the job sees sensitive events %v", got)
	}
}
