package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
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
	for _, rt := range e.srv.table() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if path == "/api/v1/events" || path == "/api/v1/session" || path == "/api/v1/me/password" {
			continue // the stream is covered end to end; session routes act only on the caller
		}
		path = strings.NewReplacer("{id}", bid, "{role}", "analyst").Replace(path)
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
			}
			hdr := []string{HeaderReason, "INVESTIGATION"}
			if rt.pattern == "GET /api/v1/audit" {
				hdr = []string{HeaderReason, "AUDIT", HeaderJustification, "boundary test"}
			}
			res := a.do(method, path, body, hdr...)
			leaks(t, rt.pattern, path, res)
			if strings.Contains(rt.pattern, "{id}") || rt.pattern == "POST /api/v1/tokens" {
				if res.status != http.StatusNotFound {
					t.Errorf("acting on bravo's record: got %d %s, want 404", res.status, res.body)
				}
			}
		})
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
		{"NoRoute", "GET", "/api/v1/incidents", nil, nil, 404, "no_route"},
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
