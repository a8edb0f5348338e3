package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/avl"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// testPassword is every test user's password.
const testPassword = "correct-horse-battery"

// testHash is computed once: argon2id is deliberately slow.
var testHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// apiEnv is a real API over a real SQLite store.
type apiEnv struct {
	t     *testing.T
	store *sqlstore.Store
	srv   *Server
	ts    *httptest.Server
	ahead atomic.Int64 // how far the server's clock runs ahead of the real one, in nanoseconds
}

func newAPIEnv(t *testing.T) *apiEnv {
	t.Helper()
	return newAPIEnvOn(t, filepath.Join(t.TempDir(), "api.db"), nil)
}

// newAPIEnvOn is newAPIEnv on the database at dsn (a SQLite path or a
// PostgreSQL URL), with configure applied to the server before it serves.
func newAPIEnvOn(t *testing.T, dsn string, configure func(*Server)) *apiEnv {
	t.Helper()
	s := sqlstore.New(dsn)
	s.Migrate = sqlstore.MigrateIfEmpty
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &apiEnv{t: t, store: s}
	e.srv = &Server{Store: s, Auth: auth.New(s), Version: "test", Logger: slog.New(slog.DiscardHandler), Dispatch: testRecommender{s},
		Now: func() time.Time { return time.Now().Add(time.Duration(e.ahead.Load())) }}
	e.srv.Feed = avl.NewFeed(20 * time.Millisecond)
	e.srv.Feed.Start()
	t.Cleanup(e.srv.Feed.Stop)
	e.srv.Tracker = avl.NewTracker(s)
	e.srv.Tracker.Feed, e.srv.Tracker.Now = e.srv.Feed, e.srv.Now
	if configure != nil {
		configure(e.srv)
	}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

func (e *apiEnv) mustCreateForce(id bluelamp.ForceID) {
	e.t.Helper()
	if err := e.store.CreateForce(bluelamp.SystemContext(e.t.Context(), "", "test"), &bluelamp.Force{ID: id, Name: "Force " + string(id)}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *apiEnv) mustCreateUser(force bluelamp.ForceID, username string, roles ...bluelamp.Role) *bluelamp.User {
	e.t.Helper()
	u := &bluelamp.User{Username: username, DisplayName: "User " + username, Email: username + "@" + string(force) + ".example", Roles: roles}
	if err := e.store.CreateUser(bluelamp.SystemContext(e.t.Context(), force, "test"), u, testHash()); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *apiEnv) mustCreateStation(force bluelamp.ForceID, code string) *bluelamp.Station {
	e.t.Helper()
	st := &bluelamp.Station{Code: code, Name: string(force) + " station " + code, Lat: 51, Lon: -1}
	if err := e.store.CreateStation(bluelamp.SystemContext(e.t.Context(), force, "test"), st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// client is a signed-in (or anonymous) API caller.
type client struct {
	e     *apiEnv
	hc    *http.Client
	token string
}

func (e *apiEnv) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

func (e *apiEnv) signIn(username string) *client {
	e.t.Helper()
	c := e.anonymous()
	res := c.do("POST", "/api/v1/session", map[string]string{"username": username, "password": testPassword})
	if res.status != http.StatusOK {
		e.t.Fatalf("sign in %s: %d %s", username, res.status, res.body)
	}
	return c
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) problemCode(t *testing.T) string {
	t.Helper()
	var p Problem
	r.decode(t, &p)
	return p.Code
}

// do sends a request (body: nil, a string of raw JSON, or a value to encode)
// with optional header pairs, checks the exchange against the OpenAPI
// document, and returns the response.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.e.t.Helper()
	var rd io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		raw, _ = json.Marshal(b)
	}
	if raw != nil {
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(c.e.t.Context(), method, c.e.ts.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	// Re-create the request body for validation.
	if raw != nil {
		req.Body = io.NopCloser(bytes.NewReader(raw))
	}
	oaCheck(c.e.t, req, res.StatusCode, res.Header, b)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// justify returns the header pairs of a valid justification.
func justify() []string {
	return []string{HeaderReason, "ADMIN", HeaderJustification, "reviewing accounts for the test"}
}

func TestSignInAndMe(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	u := e.mustCreateUser("alpha", "ann", bluelamp.RoleController)

	t.Run("OK", func(t *testing.T) {
		c := e.signIn("ann")
		res := c.do("GET", "/api/v1/me", nil)
		var me meResponse
		res.decode(t, &me)
		if me.User.ID != u.ID || me.Via != "session" || me.Session == nil || me.Session.Method != "password" {
			t.Fatalf("me = %+v", me)
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		res := e.anonymous().do("POST", "/api/v1/session", `{"username":"ann","password":"wrong-password-here"}`)
		if res.status != http.StatusUnauthorized || res.problemCode(t) != "bad_credentials" {
			t.Fatalf("got %d %s", res.status, res.body)
		}
	})
	t.Run("ErrNoCredentials", func(t *testing.T) {
		res := e.anonymous().do("GET", "/api/v1/me", nil)
		if res.status != http.StatusUnauthorized || res.problemCode(t) != "sign_in_required" {
			t.Fatalf("got %d %s", res.status, res.body)
		}
		if res.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		c := e.signIn("ann")
		if res := c.do("DELETE", "/api/v1/session", nil); res.status != http.StatusNoContent {
			t.Fatalf("sign out: %d %s", res.status, res.body)
		}
		if res := c.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
			t.Fatalf("after sign out: %d", res.status)
		}
	})
	t.Run("LockOut", func(t *testing.T) {
		e.mustCreateUser("alpha", "lou", bluelamp.RoleAnalyst)
		var res response
		for range 5 {
			res = e.anonymous().do("POST", "/api/v1/session", `{"username":"lou","password":"not-the-password"}`)
		}
		if res.status != http.StatusLocked || res.problemCode(t) != "account_locked" {
			t.Fatalf("5th failure: %d %s", res.status, res.body)
		}
		res = e.anonymous().do("POST", "/api/v1/session", map[string]string{"username": "lou", "password": testPassword})
		if res.status != http.StatusLocked {
			t.Fatalf("right password while locked: %d %s", res.status, res.body)
		}
	})
	t.Run("ChangeOwnPassword", func(t *testing.T) {
		e.mustCreateUser("alpha", "cat", bluelamp.RoleAnalyst)
		c := e.signIn("cat")
		res := c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": "wrong-one-entirely", "new_password": "a-brand-new-password"})
		if res.status != http.StatusBadRequest {
			t.Fatalf("wrong current password: %d %s", res.status, res.body)
		}
		res = c.do("PUT", "/api/v1/me/password", map[string]string{"current_password": testPassword, "new_password": "a-brand-new-password"})
		if res.status != http.StatusNoContent {
			t.Fatalf("change: %d %s", res.status, res.body)
		}
		if res := c.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
			t.Fatalf("session survived a password change: %d", res.status)
		}
		if res := e.anonymous().do("POST", "/api/v1/session", map[string]string{"username": "cat", "password": "a-brand-new-password"}); res.status != http.StatusOK {
			t.Fatalf("new password: %d %s", res.status, res.body)
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "admin", bluelamp.RoleForceAdmin)
	svc := e.mustCreateUser("alpha", "cad-link", bluelamp.RoleController)
	admin := e.signIn("admin")

	res := admin.do("POST", "/api/v1/tokens", map[string]any{"user_id": svc.ID, "name": "CAD link"})
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var created tokenCreateResponse
	res.decode(t, &created)
	if !strings.HasPrefix(created.Secret, auth.TokenPrefix) {
		t.Fatalf("secret %q", created.Secret)
	}
	integ := &client{e: e, hc: http.DefaultClient, token: created.Secret}
	var me meResponse
	integ.do("GET", "/api/v1/me", nil).decode(t, &me)
	if me.User.ID != svc.ID || me.Via != "token" {
		t.Fatalf("token me = %+v", me)
	}
	// The token acts with its user's roles: a controller may write log notes
	// but not list users.
	if res := integ.do("POST", "/api/v1/log/notes", `{"text":"from the CAD link"}`); res.status != http.StatusCreated {
		t.Fatalf("note via token: %d %s", res.status, res.body)
	}
	if res := integ.do("GET", "/api/v1/users", nil, justify()...); res.status != http.StatusForbidden {
		t.Fatalf("users via controller token: %d", res.status)
	}
	var list struct{ Tokens []*bluelamp.Token }
	admin.do("GET", "/api/v1/tokens", nil).decode(t, &list)
	if len(list.Tokens) != 1 || list.Tokens[0].ID != created.ID {
		t.Fatalf("tokens = %+v", list.Tokens)
	}
	if bytes.Contains(admin.do("GET", "/api/v1/tokens", nil).body, []byte(created.Secret)) {
		t.Fatal("token list leaks the secret")
	}
	if res := admin.do("DELETE", "/api/v1/tokens/"+string(created.ID), nil); res.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", res.status, res.body)
	}
	if res := integ.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized || res.problemCode(t) != "bad_token" {
		t.Fatalf("revoked token: %d %s", res.status, res.body)
	}
	bad := &client{e: e, hc: http.DefaultClient, token: "blt_not-a-real-token"}
	if res := bad.do("GET", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", res.status)
	}
}

// TestPersonalDataNeedsJustification checks that every personal-data read is
// refused without a justification and audited with one (DPA 2018 s.62).
func TestPersonalDataNeedsJustification(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	admin := e.mustCreateUser("alpha", "admin", bluelamp.RoleForceAdmin, bluelamp.RoleSupervisor)
	e.mustCreateUser("alpha", "aud", bluelamp.RoleAuditor)
	c := e.signIn("admin")
	for _, path := range []string{"/api/v1/users", fmt.Sprintf("/api/v1/users/%d", admin.ID), "/api/v1/officers"} {
		t.Run(path, func(t *testing.T) {
			res := c.do("GET", path, nil)
			if res.status != http.StatusBadRequest || res.problemCode(t) != "justification_required" {
				t.Fatalf("without justification: %d %s", res.status, res.body)
			}
			res = c.do("GET", path, nil, HeaderReason, "NOT-A-CODE")
			if res.status != http.StatusBadRequest || res.problemCode(t) != "invalid_fields" {
				t.Fatalf("bad reason: %d %s", res.status, res.body)
			}
			res = c.do("GET", path, nil, HeaderReason, "ADMIN")
			if res.status != http.StatusBadRequest {
				t.Fatalf("ADMIN without text: %d %s", res.status, res.body)
			}
			res = c.do("GET", path, nil, HeaderReason, "INVESTIGATION", HeaderJustification, "caf%C3%A9 enquiry", HeaderIncident, "1234/27NOV26")
			if res.status != http.StatusOK {
				t.Fatalf("with justification: %d %s", res.status, res.body)
			}
		})
	}
	aud := e.signIn("aud")
	var page struct {
		Records []*bluelamp.AuditRecord
		Total   int
	}
	res := aud.do("GET", fmt.Sprintf("/api/v1/audit?user=%d&action=consultation", admin.ID), nil, HeaderReason, "AUDIT", HeaderJustification, "monthly dip sample")
	if res.status != http.StatusOK {
		t.Fatalf("audit query: %d %s", res.status, res.body)
	}
	res.decode(t, &page)
	if page.Total != 3 {
		t.Fatalf("want 3 consultations by admin, got %d: %s", page.Total, res.body)
	}
	for _, r := range page.Records {
		if r.Justification.Reason != "INVESTIGATION" || r.Justification.Text != "café enquiry" || r.Justification.IncidentRef != "1234/27NOV26" {
			t.Fatalf("record justification = %+v", r.Justification)
		}
		if r.SessionID == "" || r.Actor != "admin" {
			t.Fatalf("record attribution = %+v", r)
		}
	}
	// By subject: who looked at the admin's own user record.
	res = aud.do("GET", fmt.Sprintf("/api/v1/audit?subject=user/%d&action=consultation", admin.ID), nil, HeaderReason, "AUDIT", HeaderJustification, "subject access request")
	res.decode(t, &page)
	if page.Total < 2 {
		t.Fatalf("subject query found %d records: %s", page.Total, res.body)
	}
	// By time: everything so far is before a minute from now, nothing after.
	future := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	res = aud.do("GET", "/api/v1/audit?to="+future, nil, HeaderReason, "AUDIT", HeaderJustification, "time window")
	res.decode(t, &page)
	if page.Total < 4 {
		t.Fatalf("records before %s: %d", future, page.Total)
	}
	res = aud.do("GET", "/api/v1/audit?from="+future, nil, HeaderReason, "AUDIT", HeaderJustification, "time window")
	res.decode(t, &page)
	if page.Total != 0 {
		t.Fatalf("records after %s: %d", future, page.Total)
	}
	if res := aud.do("GET", "/api/v1/audit?from=yesterday", nil, HeaderReason, "AUDIT", HeaderJustification, "x"); res.status != http.StatusBadRequest {
		t.Fatalf("bad time: %d", res.status)
	}
	// The auditor's own queries are audited too.
	res = aud.do("GET", "/api/v1/audit?what=x", nil, HeaderReason, "AUDIT", HeaderJustification, "x")
	if res.status != http.StatusBadRequest {
		t.Fatalf("unknown parameter: %d", res.status)
	}
	res = aud.do("GET", "/api/v1/audit?action=consultation&limit=1000", nil, HeaderReason, "AUDIT", HeaderJustification, "self check")
	res.decode(t, &page)
	found := false
	for _, r := range page.Records {
		found = found || r.What == "audit.query"
	}
	if !found {
		t.Fatal("the auditor's own query is not in the audit trail")
	}
}

// TestAuthorisationTable walks every route as a user holding each single
// role, and anonymously, and checks the route table is what is enforced.
func TestAuthorisationTable(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	target := e.mustCreateUser("alpha", "target", bluelamp.RoleAnalyst)
	clients := map[bluelamp.Role]*client{}
	for _, r := range bluelamp.Roles {
		name := strings.ReplaceAll(string(r), "_", "-")
		e.mustCreateUser("alpha", name, r)
		clients[r] = e.signIn(name)
	}
	anon := e.anonymous()
	for _, rt := range e.srv.table() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", fmt.Sprint(target.ID), "{role}", "analyst", "{unit_id}", "1").Replace(path)
		if strings.HasPrefix(rt.pattern, "DELETE /api/v1/tokens/") {
			path = "/api/v1/tokens/tok_missing"
		}
		if isStream(path) {
			continue // a stream: covered in the app's end-to-end tests
		}
		t.Run(rt.pattern, func(t *testing.T) {
			res := anon.do(method, path, nil)
			if rt.operator {
				// No one but the operator, who has no token here: not even
				// a user holding every role (TestOperatorToken has more).
				for _, c := range append([]*client{anon}, slices.Collect(maps.Values(clients))...) {
					if res := c.do(method, path, nil); res.status != http.StatusForbidden || res.problemCode(t) != "operator_api_off" {
						t.Errorf("got %d %s, want 403 operator_api_off", res.status, res.body)
					}
				}
				return
			}
			if rt.public {
				if res.status == http.StatusUnauthorized {
					t.Fatalf("public route refused an anonymous caller")
				}
				return
			}
			if res.status != http.StatusUnauthorized {
				t.Fatalf("anonymous: got %d, want 401", res.status)
			}
			for _, role := range bluelamp.Roles {
				if method == "DELETE" && path == "/api/v1/session" {
					continue // would sign the shared client out
				}
				if method == "PUT" && strings.HasSuffix(path, "/password") {
					continue // would end the target's sessions; covered elsewhere
				}
				res := clients[role].do(method, path, nil, justify()...)
				allowed := rt.roles == nil || (&bluelamp.Actor{Roles: []bluelamp.Role{role}}).HasRole(rt.roles...)
				denied := res.status == http.StatusForbidden && res.problemCode(t) == "role_required"
				if allowed == denied {
					t.Errorf("%s: got %d %s; allowed by table = %v", role, res.status, res.body, allowed)
				}
			}
		})
	}
}

// TestLogRedactsPersonalData: the log shows payloads holding personal data
// only to a justified, audited read (DPA 2018 s.62).
func TestLogRedactsPersonalData(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "admin", bluelamp.RoleForceAdmin, bluelamp.RoleAuditor)
	e.mustCreateUser("alpha", "pat", bluelamp.RoleAnalyst)
	c := e.signIn("admin")
	created := func(res response) []json.RawMessage {
		var page logPage
		res.decode(t, &page)
		var out []json.RawMessage
		for _, ev := range page.Events {
			if ev.Type == bluelamp.EventUserCreated {
				out = append(out, ev.Payload)
			}
		}
		return out
	}
	plain := created(c.do("GET", "/api/v1/log", nil))
	if len(plain) != 2 {
		t.Fatalf("%d user.created events, want 2", len(plain))
	}
	for _, p := range plain {
		if bytes.Contains(p, []byte("pat")) || !bytes.Contains(p, []byte("redacted")) {
			t.Fatalf("unjustified read shows %s", p)
		}
	}
	justified := created(c.do("GET", "/api/v1/log", nil, HeaderReason, "AUDIT", HeaderJustification, "replaying the log"))
	if len(justified) != 2 || !bytes.Contains(justified[1], []byte(`"username":"pat"`)) {
		t.Fatalf("justified read shows %s", justified)
	}
	var page struct{ Records []*bluelamp.AuditRecord }
	c.do("GET", "/api/v1/audit?action=consultation", nil, HeaderReason, "AUDIT", HeaderJustification, "check").decode(t, &page)
	found := false
	for _, r := range page.Records {
		found = found || r.What == "log.read" && r.Justification.Text == "replaying the log" && len(r.Subjects) == 2
	}
	if !found {
		t.Fatal("the justified log read is not in the audit trail")
	}
}

// TestPagePastTheEnd: a page past the last record still reports the total.
func TestPagePastTheEnd(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "admin", bluelamp.RoleForceAdmin, bluelamp.RoleAuditor)
	c := e.signIn("admin")
	var users struct {
		Users []*bluelamp.User
		Total int
	}
	c.do("GET", "/api/v1/users?offset=50", nil, justify()...).decode(t, &users)
	if len(users.Users) != 0 || users.Total != 1 {
		t.Fatalf("users past the end: %d shown, total %d; want 0 and 1", len(users.Users), users.Total)
	}
	var audit struct {
		Records []*bluelamp.AuditRecord
		Total   int
	}
	c.do("GET", "/api/v1/audit?offset=500", nil, HeaderReason, "AUDIT", HeaderJustification, "paging").decode(t, &audit)
	if len(audit.Records) != 0 || audit.Total == 0 {
		t.Fatalf("audit past the end: %d shown, total %d", len(audit.Records), audit.Total)
	}
}
