package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

// TestForceBoundary walks every route as users of force alpha against the
// data of force bravo, and proves nothing of bravo's is seen or changed
// (DESIGN §2). Everything bravo owns carries the marker "bravo" somewhere a
// leak would show it.
func TestForceBoundary(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateForce("bravo")

	// Bravo's data: users of every role, a station, a unit, an officer, a
	// token, a log note and audit records.
	bctx := bluelamp.SystemContext(t.Context(), "bravo", "test")
	bUser := e.mustCreateUser("bravo", "bravo-admin", bluelamp.Roles...)
	st := e.mustCreateStation("bravo", "BRV")
	if err := e.store.CreateUnit(bctx, &bluelamp.Unit{CallSign: "BRAVO1", Type: "bravo car", StationID: st.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateOfficer(bctx, &bluelamp.Officer{CollarNumber: "B999", Name: "Bravo Officer", Rank: "Police Constable", StationID: st.ID}); err != nil {
		t.Fatal(err)
	}
	bTok, _ := auth.NewToken(bUser.ID, "bravo integration", nil)
	if err := e.store.CreateToken(bctx, bTok); err != nil {
		t.Fatal(err)
	}
	// Bravo's command and control: settings naming a bravo town, an
	// incident opened from a contact, declared a major incident, and a unit.
	bfs := bluelamp.DefaultForceSettings()
	bfs.Area.Urban = []bluelamp.UrbanArea{{Name: "bravo town", Centre: bargate, RadiusM: 5000}}
	if err := e.store.SaveForceSettings(bctx, bfs); err != nil {
		t.Fatal(err)
	}
	bInc := &bluelamp.Incident{Category: "CRIME_ROBBERY", Grade: bluelamp.GradeImmediate, Summary: "bravo robbery", Location: bluelamp.Location{Position: &bargate}}
	bContact := &bluelamp.Contact{Channel: bluelamp.ChannelEmergency, Caller: bluelamp.Caller{Name: "Bravo Caller"}, Account: "bravo account",
		Location: bluelamp.Location{Address: "bravo street", Position: &bargate}}
	if err := e.store.CreateContact(bctx, bContact, bInc); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DeclareMajorIncident(bctx, bInc.ID, &bluelamp.MajorIncident{Name: "Operation bravo", Reason: "bravo reason"}); err != nil {
		t.Fatal(err)
	}
	bUnit := &bluelamp.Unit{CallSign: "BRAVO2", Type: "bravo car", StationID: st.ID, State: bluelamp.StateAvailable, Position: &portswood}
	if err := e.store.CreateUnit(bctx, bUnit); err != nil {
		t.Fatal(err)
	}
	bc := e.signIn("bravo-admin")
	if res := bc.do("POST", "/api/v1/log/notes", `{"text":"bravo secret note"}`); res.status != http.StatusCreated {
		t.Fatalf("bravo note: %d", res.status)
	}
	bc.do("GET", "/api/v1/users", nil, justify()...)

	// Alpha's users hold every role between them.
	e.mustCreateStation("alpha", "ALF")
	e.mustCreateUser("alpha", "alpha-all", bluelamp.Roles...)
	a := e.signIn("alpha-all")

	leaks := func(t *testing.T, route, path string, res response) {
		t.Helper()
		for _, marker := range []string{"bravo", "BRAVO", "B999", string(bTok.ID)} {
			// A problem may echo the requested path; that is not a leak.
			if bytes.Contains(res.body, []byte(marker)) && !strings.Contains(path, marker) {
				t.Errorf("%s leaks %q: %d %s", route, marker, res.status, res.body)
			}
		}
	}
	bid := fmt.Sprint(bUser.ID)
	// Each route's {id} is bravo's record of the route's kind.
	ids := strings.NewReplacer("{id}", bid, "{role}", "analyst")
	incIDs := strings.NewReplacer("{id}", fmt.Sprint(bInc.ID), "{unit_id}", fmt.Sprint(bUnit.ID))
	unitIDs := strings.NewReplacer("{id}", fmt.Sprint(bUnit.ID))
	// Routes without {id} that name bravo's records in their body.
	namesBravo := []string{"POST /api/v1/tokens", "POST /api/v1/contacts"}
	for _, rt := range e.srv.table() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if isStream(path) || path == "/api/v1/session" || path == "/api/v1/me/password" {
			continue // the stream is covered end to end; session routes act only on the caller
		}
		switch {
		case strings.HasPrefix(path, "/api/v1/incidents/"):
			path = incIDs.Replace(path)
		case strings.HasPrefix(path, "/api/v1/units/"):
			path = unitIDs.Replace(path)
		case path == "/api/v1/duplicates":
			path += fmt.Sprintf("?category=CRIME_ROBBERY&lat=%g&lon=%g", bargate.Lat, bargate.Lon)
		default:
			path = ids.Replace(path)
		}
		if strings.HasPrefix(rt.pattern, "DELETE /api/v1/tokens/") {
			path = "/api/v1/tokens/" + string(bTok.ID)
		}
		t.Run(rt.pattern, func(t *testing.T) {
			var body any
			switch rt.pattern {
			case "POST /api/v1/tokens":
				body = map[string]any{"user_id": bUser.ID, "name": "steal"}
			case "PUT /api/v1/users/{id}/password":
				body = map[string]string{"password": "a-new-password-for-bravo"}
			case "POST /api/v1/users":
				body = map[string]any{"username": "bravo-admin", "display_name": "dup", "roles": []string{}}
			default:
				body = boundaryBodies(bInc.ID, bUnit.ID)[rt.pattern]
			}
			hdr := []string{HeaderReason, "INVESTIGATION"}
			if rt.pattern == "GET /api/v1/audit" {
				hdr = []string{HeaderReason, "AUDIT", HeaderJustification, "boundary test"}
			}
			res := a.do(method, path, body, hdr...)
			leaks(t, rt.pattern, path, res)
			if strings.Contains(rt.pattern, "{id}") || slices.Contains(namesBravo, rt.pattern) {
				if res.status != http.StatusNotFound {
					t.Errorf("acting on bravo's record: got %d %s, want 404", res.status, res.body)
				}
			}
		})
	}
	// Alpha's own records cannot reach bravo's through a body either.
	aUnit := &bluelamp.Unit{CallSign: "ALPHA1", Type: "car", StationID: e.mustCreateStation("alpha", "AL2").ID, State: bluelamp.StateAvailable}
	if err := e.store.CreateUnit(bluelamp.SystemContext(t.Context(), "alpha", "test"), aUnit); err != nil {
		t.Fatal(err)
	}
	open := incidentBody("CRIME_ROBBERY", bluelamp.GradeImmediate, bargate)
	open["channel"] = "OFFICER_GENERATED"
	var aInc bluelamp.Incident
	a.do("POST", "/api/v1/incidents", open).decode(t, &aInc)
	for _, c := range []struct {
		path  string
		body  any
		field string
	}{
		{fmt.Sprintf("/api/v1/incidents/%d/assignments", aInc.ID), map[string]any{"unit_id": bUnit.ID}, "unit_id"},
		{fmt.Sprintf("/api/v1/incidents/%d/assignments/%d/stand-down", aInc.ID, bUnit.ID), map[string]any{"reason": "steal"}, "unit_id"},
		{fmt.Sprintf("/api/v1/incidents/%d/link", aInc.ID), map[string]any{"major_id": bInc.ID}, "major_id"},
	} {
		res := a.do("POST", c.path, c.body)
		leaks(t, c.path, c.path, res)
		wantProblem(t, res, http.StatusNotFound, "not_found", c.field)
	}
	// Bravo's incident and units are as they were.
	got, err := e.store.FindIncidentByID(bctx, bInc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != bluelamp.IncidentOpen || got.Grade != bluelamp.GradeImmediate || len(got.Assignments) != 0 || got.MajorLinkID != 0 {
		t.Fatalf("bravo incident changed: %+v", got)
	}
	entries, err := e.store.FindIncidentLog(bctx, bInc.ID)
	if err != nil || len(entries) != 3 {
		t.Fatalf("bravo incident log: %d entries (want opened, contact, major), %v", len(entries), err)
	}
	for _, u := range []*bluelamp.Unit{bUnit} {
		got, err := e.store.FindUnitByID(bctx, u.ID)
		if err != nil || got.CallSign != u.CallSign || got.State != u.State || got.Position == nil || *got.Position != *u.Position {
			t.Fatalf("bravo unit changed: %+v %v", got, err)
		}
	}
	// Nothing alpha did changed bravo: bravo's admin still signs in with the
	// old password, holds every role, and its token still works.
	if res := e.anonymous().do("POST", "/api/v1/session", map[string]string{"username": "bravo-admin", "password": testPassword}); res.status != http.StatusOK {
		t.Fatalf("bravo admin after alpha's attempts: %d %s", res.status, res.body)
	}
	var me meResponse
	bc2 := e.signIn("bravo-admin")
	bc2.do("GET", "/api/v1/me", nil).decode(t, &me)
	if me.User.Disabled || len(me.User.Roles) != len(bluelamp.Roles) {
		t.Fatalf("bravo admin changed: %+v", me.User)
	}
	var toks struct{ Tokens []*bluelamp.Token }
	bc2.do("GET", "/api/v1/tokens", nil).decode(t, &toks)
	if len(toks.Tokens) != 1 || toks.Tokens[0].RevokedAt != nil {
		t.Fatalf("bravo token changed: %+v", toks.Tokens)
	}
}

// boundaryBodies are valid bodies for the command-and-control routes, so
// that acting on another force's records reaches the store.
func boundaryBodies(inc bluelamp.IncidentID, unit bluelamp.UnitID) map[string]any {
	contact := contactBody("", "", bargate)
	delete(contact, "incident")
	contact["incident_id"] = inc
	return map[string]any{
		"POST /api/v1/contacts":                                        contact,
		"POST /api/v1/incidents/{id}/log":                              map[string]any{"text": "steal"},
		"POST /api/v1/incidents/{id}/assessments":                      thriveBody(bluelamp.GradeImmediate),
		"POST /api/v1/incidents/{id}/grade":                            map[string]any{"grade": "PRIORITY", "reason": "steal"},
		"POST /api/v1/incidents/{id}/close":                            map[string]any{"category": "CRIME_ROBBERY", "result": "NO_TRACE"},
		"POST /api/v1/incidents/{id}/assignments":                      map[string]any{"unit_id": unit},
		"POST /api/v1/incidents/{id}/assignments/{unit_id}/stand-down": map[string]any{"reason": "steal"},
		"POST /api/v1/incidents/{id}/major":                            map[string]any{"name": "Operation Steal", "reason": "steal"},
		"POST /api/v1/incidents/{id}/methane":                          methaneBody(true),
		"POST /api/v1/incidents/{id}/link":                             map[string]any{"major_id": 999999},
		"PATCH /api/v1/units/{id}":                                     map[string]any{"call_sign": "STEAL"},
		"POST /api/v1/units/{id}/status":                               map[string]any{"code": "11"},
		"POST /api/v1/units/{id}/position":                             map[string]any{"lat": 51, "lon": -1},
		"POST /api/v1/crime-reports/{id}/decision":                     map[string]any{"decision": "NOT_CRIME", "reason": "steal"},
		"POST /api/v1/crime-reports/{id}/outcome":                      map[string]any{"type": 1},
		"POST /api/v1/exhibits/{id}/custody":                           map[string]any{"action": "MOVED", "location": "steal"},
		"POST /api/v1/referrals/{id}/acknowledgement":                  map[string]any{"rag": "RED"},
	}
}

// TestBadInput sends malformed, oversized, hostile and wrong requests and
// expects a 4xx problem with a stable code for each, never a 500.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "admin", bluelamp.RoleForceAdmin, bluelamp.RoleController)
	c := e.signIn("admin")
	huge := `{"text":"` + strings.Repeat("a", MaxBody) + `"}`
	tests := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		code               string
	}{
		{"MalformedJSON", "POST", "/api/v1/users", `{"username":`, nil, 400, "bad_json"},
		{"NotJSON", "POST", "/api/v1/log/notes", `hello`, nil, 400, "bad_json"},
		{"UnknownField", "POST", "/api/v1/users", `{"username":"zed","display_name":"Z","is_admin":true}`, nil, 400, "unknown_field"},
		{"WrongType", "POST", "/api/v1/users", `{"username":42,"display_name":"Z"}`, nil, 400, "invalid_fields"},
		{"TwoValues", "POST", "/api/v1/log/notes", `{"text":"a"}{"text":"b"}`, nil, 400, "bad_json"},
		{"TrailingGarbage", "POST", "/api/v1/log/notes", `{"text":"a"} x`, nil, 400, "bad_json"},
		{"BadUTF8", "POST", "/api/v1/log/notes", []byte("{\"text\":\"\xff\xfe\"}"), nil, 400, "bad_utf8"},
		{"Empty", "POST", "/api/v1/log/notes", ``, nil, 400, "bad_json"},
		{"Oversize", "POST", "/api/v1/log/notes", huge, nil, 413, "body_too_large"},
		{"WrongContentType", "POST", "/api/v1/log/notes", `{"text":"a"}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"InvalidFields", "POST", "/api/v1/users", `{"username":"A B","display_name":""}`, nil, 400, "invalid_fields"},
		{"UnknownRole", "PUT", "/api/v1/users/1/roles/chief_constable", nil, nil, 400, "invalid_fields"},
		{"BadID", "GET", "/api/v1/users/abc", nil, justify(), 400, "invalid_fields"},
		{"NegativeID", "GET", "/api/v1/users/-4", nil, justify(), 400, "invalid_fields"},
		{"MissingUser", "GET", "/api/v1/users/999999", nil, justify(), 404, "not_found"},
		{"BadLimit", "GET", "/api/v1/log?limit=0", nil, nil, 400, "invalid_fields"},
		{"HugeLimit", "GET", "/api/v1/log?limit=99999999999999999999", nil, nil, 400, "invalid_fields"},
		{"UnknownQuery", "GET", "/api/v1/log?evil=1", nil, nil, 400, "invalid_fields"},
		{"BadLastEventID", "GET", "/api/v1/events", nil, []string{"Last-Event-ID", "12abc"}, 400, "invalid_fields"},
		{"Conflict", "POST", "/api/v1/users", `{"username":"admin","display_name":"Dup"}`, nil, 409, "conflict"},
		{"ShortPassword", "POST", "/api/v1/users", `{"username":"newbie","display_name":"N","password":"short"}`, nil, 400, "invalid_fields"},
		{"BadClassification", "POST", "/api/v1/log/notes", `{"text":"a","classification":"SECRET"}`, nil, 400, "invalid_fields"},
		{"NoRoute", "GET", "/api/v1/nowhere", nil, nil, 404, "no_route"},
		{"MethodNotAllowed", "PATCH", "/api/v1/users", nil, nil, 405, "method_not_allowed"},
		{"BadJustificationEncoding", "GET", "/api/v1/users", nil, []string{HeaderReason, "INVESTIGATION", HeaderJustification, "%zz"}, 400, "invalid_fields"},
		{"DisableSelf", "POST", "/api/v1/users/1/disable", nil, nil, 400, "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.headers
			res := c.do(tc.method, tc.path, tc.body, hdr...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("content type %q", ct)
			}
			var p Problem
			res.decode(t, &p)
			if p.Code != tc.code || p.Status != tc.status || p.Detail == "" || p.RequestID == "" || p.Type != ProblemType(tc.code) {
				t.Fatalf("problem = %+v, want code %s", p, tc.code)
			}
		})
	}
}
