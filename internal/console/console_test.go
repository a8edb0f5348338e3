package console_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/console"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

const testForce bluelamp.ForceID = "test-force"

const (
	testPassword = "correct horse battery staple"
	cookieName   = "bluelamp_session"
)

// server is a console on real HTTP over a real SQLite store.
type server struct {
	store *sqlstore.Store
	auth  *auth.Authenticator
	url   string
}

// newServer starts a console; configure, when set, sees the console and
// the server's URL before the handler is built.
func newServer(t *testing.T, configure func(c *console.Console, url string)) *server {
	t.Helper()
	s := sqlstore.New(filepath.Join(t.TempDir(), "db"))
	s.Migrate = sqlstore.MigrateIfEmpty
	if err := s.Open(); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: testForce, Name: "Test Constabulary"}); err != nil {
		t.Fatalf("create force: %v", err)
	}
	a := auth.New(s)
	ts := httptest.NewUnstartedServer(nil)
	u := "http://" + ts.Listener.Addr().String()
	c := &console.Console{Store: s, Auth: a, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Version: "test"}
	if configure != nil {
		configure(c, u)
	}
	ts.Config.Handler = c.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &server{store: s, auth: a, url: u}
}

func (s *server) createUser(t *testing.T, u *bluelamp.User, pw string) *bluelamp.User {
	t.Helper()
	var hash string
	if pw != "" {
		h, err := auth.HashPassword(pw)
		if err != nil {
			t.Fatal(err)
		}
		hash = h
	}
	if err := s.store.CreateUser(bluelamp.SystemContext(t.Context(), testForce, "test"), u, hash); err != nil {
		t.Fatalf("create user %s: %v", u.Username, err)
	}
	return u
}

func (s *server) createJane(t *testing.T) *bluelamp.User {
	t.Helper()
	return s.createUser(t, &bluelamp.User{Username: "jane.doe", DisplayName: "Jane Doe", Email: "jane.doe@example.com", CollarNumber: "AB123",
		Roles: []bluelamp.Role{bluelamp.RoleSupervisor, bluelamp.RoleController}}, testPassword)
}

// events returns the types of the test force's events, in order.
func (s *server) events(t *testing.T) ([]bluelamp.EventType, []*bluelamp.Event) {
	t.Helper()
	events, err := s.store.FindEvents(bluelamp.SystemContext(t.Context(), testForce, "test"), bluelamp.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("find events: %v", err)
	}
	var types []bluelamp.EventType
	for _, e := range events {
		types = append(types, e.Type)
	}
	return types, events
}

// browser returns a client with a cookie jar that follows redirects.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

// stepper returns c that stops at each redirect, sharing c's cookies.
func stepper(c *http.Client) *http.Client {
	return &http.Client{Jar: c.Jar, Timeout: c.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	*http.Response
	body string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values, header http.Header) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	maps.Copy(req.Header, header)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", method, u, err)
	}
	return response{resp, string(b)}
}

func get(t *testing.T, c *http.Client, u string) response {
	t.Helper()
	return do(t, c, "GET", u, nil, nil)
}

func signIn(t *testing.T, c *http.Client, base, username, password string) response {
	t.Helper()
	return do(t, c, "POST", base+"/signin", url.Values{"username": {username}, "password": {password}}, nil)
}

// wantStatus fails t unless r has status want.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d; body:\n%s", r.Request.Method, r.Request.URL, r.StatusCode, want, r.body)
	}
}

// wantRedirect fails t unless r is a 303 to location.
func wantRedirect(t *testing.T, r response, location string) {
	t.Helper()
	wantStatus(t, r, http.StatusSeeOther)
	if got := r.Header.Get("Location"); got != location {
		t.Fatalf("%s %s: Location %q, want %q", r.Request.Method, r.Request.URL, got, location)
	}
}

var alertPattern = regexp.MustCompile(`(?s)<div[^>]*role="alert"[^>]*>(.*?)</div>`)

// alert returns the text of r's role="alert" element, or "".
func alert(r response) string {
	m := alertPattern.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(strings.TrimSpace(m[1]))
}

func sessionCookie(c *http.Client, base string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == cookieName {
			return ck
		}
	}
	return nil
}

func TestHomeSignedOut(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	c := browser(t)
	wantRedirect(t, get(t, stepper(c), s.url+"/"), "/signin")
	r := get(t, c, s.url+"/")
	wantStatus(t, r, http.StatusOK)
	if r.Request.URL.Path != "/signin" || !strings.Contains(r.body, `<form method="post" action="/signin"`) {
		t.Fatalf("GET / ended at %s without the sign-in form:\n%s", r.Request.URL, r.body)
	}
	if strings.Contains(r.body, "/auth/oidc/login") {
		t.Fatal("the sign-in page offers OIDC, which is not configured")
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	c := browser(t)
	r := signIn(t, stepper(c), s.url, "jane.doe", testPassword)
	wantRedirect(t, r, "/")
	var set *http.Cookie
	for _, ck := range r.Cookies() {
		if ck.Name == cookieName {
			set = ck
		}
	}
	if set == nil || !strings.HasPrefix(set.Value, auth.SessionPrefix) || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" {
		t.Fatalf("session cookie = %+v, want an HttpOnly, SameSite=Lax %s on /", set, cookieName)
	}

	r = get(t, c, s.url+"/")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`<dd id="display-name">Jane Doe</dd>`,
		`<dd id="force-name">Test Constabulary</dd>`,
		`<li>Controller</li><li>Supervisor</li>`,
		`<dd>AB123</dd>`,
		`<dd>password</dd>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("home page lacks %s", want)
		}
	}
	for header, want := range map[string]string{
		"Cache-Control":   "no-store",
		"X-Frame-Options": "DENY",
		"Content-Type":    "text/html; charset=utf-8",
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	wantRedirect(t, get(t, stepper(c), s.url+"/signin"), "/")
}

func TestSignInEscapesUserText(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createUser(t, &bluelamp.User{Username: "sam", DisplayName: `Sam <script>alert(1)</script>`}, testPassword)
	c := browser(t)
	r := signIn(t, c, s.url, "sam", testPassword)
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.body, "<script>alert(1)") || !strings.Contains(r.body, "Sam &lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatalf("display name not escaped:\n%s", r.body)
	}
	r = signIn(t, browser(t), s.url, `"><script>x</script>`, "wrong password")
	wantStatus(t, r, http.StatusUnauthorized)
	if strings.Contains(r.body, "<script>x") {
		t.Fatalf("username echoed unescaped:\n%s", r.body)
	}
}

func TestSignInRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		username   string
		password   string
		setup      func(t *testing.T, s *server, u *bluelamp.User)
		wantStatus int
		wantAlert  string
	}{
		{name: "ErrWrongPassword", username: "jane.doe", password: "wrong password", wantStatus: http.StatusUnauthorized, wantAlert: "Wrong username or password."},
		{name: "ErrUnknownUser", username: "john.smith", password: testPassword, wantStatus: http.StatusUnauthorized, wantAlert: "Wrong username or password."},
		{name: "ErrEmptyPassword", username: "jane.doe", password: "", wantStatus: http.StatusBadRequest, wantAlert: "Enter your username and password."},
		{name: "ErrDisabled", username: "jane.doe", password: testPassword, wantStatus: http.StatusForbidden, wantAlert: "This account is disabled; ask your force admin.",
			setup: func(t *testing.T, s *server, u *bluelamp.User) {
				if err := s.store.DisableUser(bluelamp.SystemContext(t.Context(), testForce, "test"), u.ID); err != nil {
					t.Fatal(err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, nil)
			u := s.createJane(t)
			if tt.setup != nil {
				tt.setup(t, s, u)
			}
			c := browser(t)
			r := signIn(t, c, s.url, tt.username, tt.password)
			wantStatus(t, r, tt.wantStatus)
			if got := alert(r); got != tt.wantAlert {
				t.Fatalf("alert = %q, want %q", got, tt.wantAlert)
			}
			if want := `value="` + tt.username + `"`; !strings.Contains(r.body, want) {
				t.Fatalf("the username field does not keep %s:\n%s", want, r.body)
			}
			if !strings.Contains(r.body, `aria-describedby="signin-error"`) {
				t.Fatal("the username field is not described by the error")
			}
			if ck := sessionCookie(c, s.url); ck != nil {
				t.Fatalf("a refused sign-in set a session cookie: %+v", ck)
			}
		})
	}
}

func TestSignInLocked(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	c := browser(t)
	for i := 1; i < s.auth.LockAfter; i++ {
		wantStatus(t, signIn(t, c, s.url, "jane.doe", "wrong password"), http.StatusUnauthorized)
	}
	r := signIn(t, c, s.url, "jane.doe", "wrong password")
	wantStatus(t, r, http.StatusLocked)
	if got := alert(r); !strings.HasPrefix(got, "This account is locked after too many failed sign-ins; try again after ") || !strings.Contains(got, " UTC") {
		t.Fatalf("alert = %q, want the locked message with a time", got)
	}
	r = signIn(t, c, s.url, "jane.doe", testPassword)
	wantStatus(t, r, http.StatusLocked)
	if sessionCookie(c, s.url) != nil {
		t.Fatal("a locked account got a session")
	}
}

func TestCrossOriginRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"ErrCrossSite", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"ErrSameSiteOtherOrigin", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{"ErrForeignOriginOnly", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"OKSameOrigin", http.Header{"Origin": {s.url}, "Sec-Fetch-Site": {"same-origin"}}, http.StatusSeeOther},
		{"OKNoBrowserHeaders", nil, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := stepper(browser(t))
			r := do(t, c, "POST", s.url+"/signin", url.Values{"username": {"jane.doe"}, "password": {testPassword}}, tt.header)
			wantStatus(t, r, tt.want)
			if got := sessionCookie(c, s.url) != nil; got != (tt.want == http.StatusSeeOther) {
				t.Fatalf("session cookie set = %v with status %d", got, r.StatusCode)
			}
		})
	}
	t.Run("ErrCrossSiteSignOut", func(t *testing.T) {
		t.Parallel()
		c := browser(t)
		wantStatus(t, signIn(t, c, s.url, "jane.doe", testPassword), http.StatusOK)
		r := do(t, stepper(c), "POST", s.url+"/signout", url.Values{}, http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
		wantStatus(t, r, http.StatusForbidden)
		r = get(t, c, s.url+"/")
		if r.Request.URL.Path != "/" || !strings.Contains(r.body, "Jane Doe") {
			t.Fatalf("a cross-site sign-out ended the session: GET / ended at %s", r.Request.URL)
		}
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	c := browser(t)
	wantStatus(t, signIn(t, c, s.url, "jane.doe", testPassword), http.StatusOK)
	old := sessionCookie(c, s.url)
	if old == nil {
		t.Fatal("no session cookie after sign-in")
	}
	r := do(t, stepper(c), "POST", s.url+"/signout", url.Values{}, nil)
	wantRedirect(t, r, "/signin?notice=signed_out")
	if sessionCookie(c, s.url) != nil {
		t.Fatal("the session cookie survived sign-out")
	}
	r = get(t, c, s.url+"/signin?notice=signed_out")
	if !strings.Contains(r.body, "You have signed out.") {
		t.Fatalf("the sign-in page does not say you have signed out:\n%s", r.body)
	}
	wantRedirect(t, get(t, stepper(c), s.url+"/"), "/signin")

	// The old secret is dead on the server, not merely forgotten by the browser.
	replay := &http.Client{Timeout: c.Timeout, CheckRedirect: stepper(c).CheckRedirect}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", s.url+"/", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: old.Value})
	resp, err := replay.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
		t.Fatalf("GET / with the signed-out secret: %d to %q, want 303 to /signin", resp.StatusCode, resp.Header.Get("Location"))
	}
	types, _ := s.events(t)
	if !slices.Contains(types, bluelamp.EventUserSignedOut) {
		t.Fatalf("events %v lack %s", types, bluelamp.EventUserSignedOut)
	}
	// Signing out without a session is harmless.
	wantRedirect(t, do(t, stepper(browser(t)), "POST", s.url+"/signout", url.Values{}, nil), "/signin?notice=signed_out")
}

func TestSignInOversizedForm(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	c := browser(t)
	r := do(t, c, "POST", s.url+"/signin", url.Values{"username": {"jane.doe"}, "password": {testPassword}, "pad": {strings.Repeat("x", 1<<20)}}, nil)
	wantStatus(t, r, http.StatusBadRequest)
	if got, want := alert(r), "The form could not be read. Try again."; got != want {
		t.Fatalf("alert = %q, want %q", got, want)
	}
	if sessionCookie(c, s.url) != nil {
		t.Fatal("an oversized form signed in")
	}
	// The server is still up and a normal form still works.
	wantStatus(t, signIn(t, c, s.url, "jane.doe", testPassword), http.StatusOK)
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	c := browser(t)
	for _, path := range []string{"/nope", "/signin/extra", "/static/", "/auth/oidc/login", "/auth/oidc/callback?state=x&code=y"} {
		r := get(t, c, s.url+path)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, r.StatusCode)
			continue
		}
		if path != "/static/" && !strings.Contains(r.body, "There is no page at this address.") {
			t.Errorf("GET %s: not the 404 page:\n%s", path, r.body)
		}
	}
}

// groupSum is the content hash of a directory served under one prefix:
// each file's path in it, length and content, in lexical order.
func groupSum(t *testing.T, dir string) [32]byte {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

func TestStatic(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	s.createJane(t)
	c := browser(t)
	page := signIn(t, c, s.url, "jane.doe", testPassword)
	wantStatus(t, page, http.StatusOK)
	tests := []struct {
		name, pattern, contentType string
	}{
		{"app.css", `href="(/static/[0-9a-f]+/app\.css)"`, "text/css; charset=utf-8"},
		{"js/home.js", `src="(/static/[0-9a-f]+/js/home\.js)"`, "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := regexp.MustCompile(tt.pattern).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("the home page does not link %s by %s", tt.name, tt.pattern)
			}
			want, err := os.ReadFile(filepath.Join("static", tt.name))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(want)
			if strings.HasPrefix(tt.name, "js/") {
				sum = groupSum(t, "static/js")
			}
			if got, wantURL := m[1], "/static/"+hex.EncodeToString(sum[:6])+"/"+tt.name; got != wantURL {
				t.Fatalf("URL = %s, want %s (the content's hash)", got, wantURL)
			}
			r := get(t, c, s.url+m[1])
			wantStatus(t, r, http.StatusOK)
			if r.body != string(want) {
				t.Fatal("served content differs from the file")
			}
			for header, want := range map[string]string{
				"Cache-Control":          "public, max-age=31536000, immutable",
				"Content-Type":           tt.contentType,
				"X-Content-Type-Options": "nosniff",
			} {
				if got := r.Header.Get(header); got != want {
					t.Errorf("%s = %q, want %q", header, got, want)
				}
			}
			for _, other := range []string{
				"/static/000000000000/" + tt.name,
				"/static/" + hex.EncodeToString(sum[:6]) + "x/" + tt.name,
				"/static/" + hex.EncodeToString(sum[:6]) + "/nope.css",
				"/static/" + hex.EncodeToString(sum[:6]) + "/..%2fconsole.go",
			} {
				r := get(t, c, s.url+other)
				if r.StatusCode != http.StatusNotFound || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
					t.Errorf("GET %s: status %d, Cache-Control %q; want an uncached 404", other, r.StatusCode, r.Header.Get("Cache-Control"))
				}
			}
		})
	}
}
