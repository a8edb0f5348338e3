package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/avl"
)

func fixAt(unit bluelamp.UnitID, p bluelamp.Position, at time.Time) map[string]any {
	return map[string]any{"unit_id": unit, "lat": p.Lat, "lon": p.Lon, "accuracy": 6, "at": at.UTC().Format(time.RFC3339Nano)}
}

// TestPositionReports has an officer's phone report fixes, a replay, bad
// fixes and another unit's; a controller's integration reports any unit.
func TestPositionReports(t *testing.T) {
	e := newCADEnv(t)
	e.mustSetArea(nil)
	pc := e.newOfficer("smith", "4021")
	mine := e.mustCreateUnit("A21", bluelamp.StateOffDuty, bargate)
	other := e.mustCreateUnit("B7", bluelamp.StateAvailable, shirley)
	// Fixes come after the units were placed at creation (a fix older than
	// a unit's last known position is out of order).
	now := time.Now().Add(time.Minute)

	wantProblem(t, pc.do("POST", "/api/v1/positions", map[string]any{"positions": []any{fixAt(mine.ID, portswood, now)}}), http.StatusForbidden, "not_your_unit", "")
	if res := pc.do("POST", "/api/v1/me/unit", map[string]any{"unit_id": mine.ID}); res.status != http.StatusOK {
		t.Fatalf("book on: %d %s", res.status, res.body)
	}
	batch := map[string]any{"positions": []any{
		fixAt(mine.ID, portswood, now.Add(-20*time.Second)),
		fixAt(mine.ID, bargate, now.Add(-10*time.Second)),
		fixAt(other.ID, shirley, now.Add(-10*time.Second)),
	}}
	var res avl.Result
	r := pc.do("POST", "/api/v1/positions", batch)
	r.decode(t, &res)
	if r.status != http.StatusOK || res.Accepted != 2 || len(res.Rejected) != 1 || res.Rejected[0].Index != 2 || res.Rejected[0].Code != "not_your_unit" {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	// The phone did not hear the answer and sends the batch again.
	pc.do("POST", "/api/v1/positions", batch).decode(t, &res)
	if res.Accepted != 0 || res.Duplicates != 2 {
		t.Errorf("replay: %+v", res)
	}
	// Nothing in the batch can be taken: 400 naming each report.
	p := wantProblem(t, pc.do("POST", "/api/v1/positions", map[string]any{"positions": []any{
		map[string]any{"unit_id": mine.ID, "lat": 91, "lon": 0, "at": now.Format(time.RFC3339)},
		fixAt(mine.ID, bargate, now.Add(time.Hour)),
		fixAt(mine.ID, bargate, now.Add(-time.Hour)), // older than the last: out of order
	}}), http.StatusBadRequest, "positions_rejected", "positions.0")
	if !strings.HasPrefix(p.Errors["positions.1"], "future") || !strings.HasPrefix(p.Errors["positions.2"], "out_of_order") {
		t.Errorf("problem names %v", p.Errors)
	}
	wantProblem(t, pc.do("POST", "/api/v1/positions", map[string]any{"positions": []any{}}), http.StatusBadRequest, "invalid_fields", "positions")
	wantProblem(t, pc.do("POST", "/api/v1/positions", `{"positions":[{"unit_id":1,"lat":"x"}]}`), http.StatusBadRequest, "invalid_fields", "")
	wantProblem(t, pc.do("POST", "/api/v1/positions", map[string]any{"positions": []any{map[string]any{"unit_id": mine.ID, "lat": 1, "lon": 1, "at": now, "source": "forged"}}}),
		http.StatusBadRequest, "unknown_field", "")

	// A controller (or an integration with their token) reports any unit.
	e.ctl.do("POST", "/api/v1/positions", map[string]any{"positions": []any{fixAt(other.ID, portswood, now)}}).decode(t, &res)
	if res.Accepted != 1 {
		t.Errorf("controller's report: %+v", res)
	}
	// The unit's last known position is its newest fix.
	var u bluelamp.Unit
	e.ctl.do("GET", fmt.Sprintf("/api/v1/units/%d", mine.ID), nil).decode(t, &u)
	if u.Position == nil || *u.Position != bargate {
		t.Errorf("unit position %v", u.Position)
	}

	// The track needs a reason and is audited; officers cannot read it.
	path := fmt.Sprintf("/api/v1/units/%d/track?from=%s&to=%s", mine.ID, url.QueryEscape(now.Add(-time.Hour).Format(time.RFC3339)),
		url.QueryEscape(now.Add(time.Minute).Format(time.RFC3339)))
	wantProblem(t, e.ctl.do("GET", path, nil), http.StatusBadRequest, "justification_required", "")
	wantProblem(t, pc.do("GET", path, nil, HeaderReason, "OTHER"), http.StatusForbidden, "role_required", "")
	var track struct{ Positions []bluelamp.PositionReport }
	r = e.sup.do("GET", path, nil, HeaderReason, "INVESTIGATION", HeaderJustification, "complaint about driving")
	r.decode(t, &track)
	if r.status != http.StatusOK || len(track.Positions) != 2 || track.Positions[0].Source != "app" || !track.Positions[0].At.Before(track.Positions[1].At) {
		t.Errorf("track: %d %s", r.status, r.body)
	}
	var audit struct{ Records []bluelamp.AuditRecord }
	e.aud.do("GET", "/api/v1/audit?subject="+url.QueryEscape(fmt.Sprintf("unit/%d", mine.ID)), nil, HeaderReason, "AUDIT", HeaderJustification, "check").decode(t, &audit)
	if len(audit.Records) == 0 || audit.Records[0].What != "unit.track" {
		t.Errorf("track read not audited: %+v", audit.Records)
	}
}

// TestOsmAnd has a vehicle tracker report in the OsmAnd protocol with its
// token as a Basic-auth password.
func TestOsmAnd(t *testing.T) {
	e := newCADEnv(t)
	e.mustSetArea(nil)
	car := e.mustCreateUnit("ARV1", bluelamp.StateAvailable, shirley)
	if res := e.sup.do("PATCH", fmt.Sprintf("/api/v1/units/%d", car.ID), map[string]any{"device_id": "358240051111110"}); res.status != http.StatusOK {
		t.Fatalf("set device: %d %s", res.status, res.body)
	}
	svc := e.mustCreateUser("alpha", "avl-gateway", bluelamp.RoleController)
	var tok tokenCreateResponse
	e.admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": svc.ID, "name": "trackers"}).decode(t, &tok)
	at := time.Now().Add(30 * time.Second).Unix()
	send := func(query string) (int, string) {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/positions/osmand?"+query, nil)
		req.SetBasicAuth("tracker", tok.Secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p Problem
		json.NewDecoder(res.Body).Decode(&p)
		return res.StatusCode, p.Code
	}
	if st, code := send(fmt.Sprintf("id=358240051111110&lat=%f&lon=%f&timestamp=%d&speed=20&bearing=90&accuracy=5", portswood.Lat, portswood.Lon, at)); st != http.StatusOK {
		t.Fatalf("osmand fix: %d %s", st, code)
	}
	if st, _ := send(fmt.Sprintf("id=358240051111110&lat=%f&lon=%f&timestamp=%d", portswood.Lat, portswood.Lon, at)); st != http.StatusOK {
		t.Errorf("the same fix again: %d", st)
	}
	for q, code := range map[string]string{
		"id=999&lat=50.9&lon=-1.4":                            "invalid_fields",
		"id=358240051111110&lat=50.9":                         "invalid_fields",
		"id=358240051111110&lat=north&lon=-1.4":               "invalid_fields",
		"id=358240051111110&lat=50.9&lon=-1.4&timestamp=soon": "invalid_fields",
		"id=358240051111110&lat=0&lon=0":                      "no_fix",
		"id=358240051111110&lat=50.9&lon=-1.4&timestamp=1":    "too_old",
		"id=358240051111110&lat=50.9&lon=-1.4&unknown=1":      "invalid_fields",
	} {
		if st, got := send(q); st != http.StatusBadRequest || got != code {
			t.Errorf("%s: %d %s, want 400 %s", q, st, got, code)
		}
	}
	var track struct{ Positions []bluelamp.PositionReport }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/units/%d/track?to=%s", car.ID, url.QueryEscape(time.Now().Add(time.Minute).Format(time.RFC3339))), nil, HeaderReason, "OTHER", HeaderJustification, "test").decode(t, &track)
	if len(track.Positions) != 1 || track.Positions[0].Source != "tracker:358240051111110" || *track.Positions[0].Speed < 10.28 || *track.Positions[0].Speed > 10.29 {
		t.Errorf("track: %+v", track.Positions)
	}
	// Without the token, nothing.
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/positions/osmand?id=358240051111110&lat=50.9&lon=-1.4", nil)
	req.SetBasicAuth("tracker", "wrong")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %v %v", res.StatusCode, err)
	}
}

// TestGeofencesAndLiveFeed draws a zone, drives a unit through it, and
// watches the live feed and the log.
func TestGeofencesAndLiveFeed(t *testing.T) {
	e := newCADEnv(t)
	e.mustSetArea(nil)
	car := e.mustCreateUnit("ARV1", bluelamp.StateAvailable, shirley)
	zone := [][2]float64{{-1.41, 50.90}, {-1.40, 50.90}, {-1.40, 50.91}, {-1.41, 50.91}, {-1.41, 50.90}}
	wantProblem(t, e.ctl.do("POST", "/api/v1/geofences", map[string]any{"name": "Bargate", "boundary": zone}), http.StatusForbidden, "role_required", "")
	wantProblem(t, e.sup.do("POST", "/api/v1/geofences", map[string]any{"name": "", "boundary": zone[:3]}), http.StatusBadRequest, "invalid_fields", "boundary")
	var g bluelamp.Geofence
	if r := e.sup.do("POST", "/api/v1/geofences", map[string]any{"name": "Bargate", "boundary": zone}); r.status != http.StatusCreated {
		t.Fatalf("draw zone: %d %s", r.status, r.body)
	} else {
		r.decode(t, &g)
	}
	var list struct{ Geofences []bluelamp.Geofence }
	e.ctl.do("GET", "/api/v1/geofences", nil).decode(t, &list)
	if len(list.Geofences) != 2 || list.Geofences[0].Kind != bluelamp.GeofenceForceArea || list.Geofences[1].ID != g.ID {
		t.Errorf("geofences: %+v", list.Geofences)
	}

	// A console watching Southampton.
	req, _ := http.NewRequestWithContext(t.Context(), "GET", e.ts.URL+"/api/v1/positions/live?bbox=-1.6,50.8,-1.2,51.0", nil)
	stream, err := e.ctl.hc.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("live: %v %v", stream, err)
	}
	defer stream.Body.Close()
	frames := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(stream.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				frames <- data
			}
		}
	}()
	nextFrame := func() []map[string]any {
		select {
		case f := <-frames:
			var fixes []map[string]any
			if err := json.Unmarshal([]byte(f), &fixes); err != nil {
				t.Fatalf("frame %s: %v", f, err)
			}
			return fixes
		case <-time.After(5 * time.Second):
			t.Fatal("no frame")
			return nil
		}
	}
	nextFrame() // the snapshot
	now := time.Now().Add(time.Minute)
	e.ctl.do("POST", "/api/v1/positions", map[string]any{"positions": []any{
		fixAt(car.ID, bluelamp.Position{Lat: 50.905, Lon: -1.405}, now.Add(-3*time.Second)),
		fixAt(car.ID, bluelamp.Position{Lat: 50.92, Lon: -1.405}, now.Add(-2*time.Second)),
	}})
	if fixes := nextFrame(); len(fixes) != 1 || fixes[0]["lat"] != 50.92 {
		t.Errorf("live frame %v", fixes)
	}
	var log struct{ Events []bluelamp.Event }
	e.sup.do("GET", "/api/v1/log", nil).decode(t, &log)
	var crossings []string
	for _, ev := range log.Events {
		if ev.Type == bluelamp.EventGeofenceEntered || ev.Type == bluelamp.EventGeofenceLeft {
			crossings = append(crossings, string(ev.Type))
		}
	}
	if strings.Join(crossings, " ") != "unit.geofence_entered unit.geofence_left" {
		t.Errorf("crossings %v", crossings)
	}
	if r := e.sup.do("DELETE", fmt.Sprintf("/api/v1/geofences/%d", g.ID), nil); r.status != http.StatusNoContent {
		t.Errorf("retire: %d %s", r.status, r.body)
	}
	wantProblem(t, e.sup.do("DELETE", fmt.Sprintf("/api/v1/geofences/%d", g.ID), nil), http.StatusNotFound, "not_found", "")
	wantProblem(t, e.ctl.do("GET", "/api/v1/positions/live?bbox=1,2,3", nil), http.StatusBadRequest, "invalid_fields", "bbox")
}

// isStream reports whether path is a live stream, which the tests that call
// every route leave to the tests written for it.
func isStream(path string) bool { return path == "/api/v1/events" || path == "/api/v1/positions/live" }
