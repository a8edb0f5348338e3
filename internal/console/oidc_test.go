package console_test

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/console"
	"github.com/oauth2-proxy/mockoidc"
)

// startProvider starts a real OpenID provider on loopback and stops it when
// t ends.
func startProvider(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start provider: %v", err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

// newOIDCServer starts a console whose OIDC relying party uses m and claim.
func newOIDCServer(t *testing.T, m *mockoidc.MockOIDC, claim string) *server {
	t.Helper()
	return newServer(t, func(c *console.Console, u string) {
		c.OIDC = &auth.OIDC{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: u + "/auth/oidc/callback", Claim: claim}
	})
}

func flowCookie(c *http.Client, base string) *http.Cookie {
	u, _ := url.Parse(base + "/auth/oidc/callback")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "bluelamp_oidc" {
			return ck
		}
	}
	return nil
}

func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	jane := func() *mockoidc.MockUser {
		return &mockoidc.MockUser{Subject: "idp-1", Email: "jane.doe@example.com", EmailVerified: true, PreferredUsername: "jane.doe"}
	}
	tests := []struct {
		name       string
		claim      string
		user       *mockoidc.MockUser
		setup      func(t *testing.T, s *server, u *bluelamp.User)
		wantStatus int    // of the page the flow ends on; 0 means signed in
		wantAlert  string // in that page's role="alert"
	}{
		{name: "OKEmail", user: jane()},
		{name: "OKEmailOtherCase", user: &mockoidc.MockUser{Subject: "idp-1", Email: "Jane.Doe@EXAMPLE.com", EmailVerified: true}},
		{name: "OKPreferredUsername", claim: "preferred_username", user: &mockoidc.MockUser{Subject: "idp-1", PreferredUsername: "jane.doe"}},
		{name: "ErrNotLinked", user: &mockoidc.MockUser{Subject: "idp-2", Email: "john.smith@example.com", EmailVerified: true},
			wantStatus: http.StatusForbidden, wantAlert: "Your identity provider account is not linked to a bluelamp user; ask your force admin."},
		{name: "ErrUsernameNotLinked", claim: "preferred_username", user: &mockoidc.MockUser{Subject: "idp-2", PreferredUsername: "john.smith", Email: "jane.doe@example.com"},
			wantStatus: http.StatusForbidden, wantAlert: "Your identity provider account is not linked to a bluelamp user; ask your force admin."},
		{name: "ErrNoEmail", user: &mockoidc.MockUser{Subject: "idp-3", PreferredUsername: "jane.doe"},
			wantStatus: http.StatusForbidden, wantAlert: `The identity provider sent no "email" claim.`},
		{name: "ErrDisabled", user: jane(), wantStatus: http.StatusForbidden, wantAlert: "This account is disabled; ask your force admin.",
			setup: func(t *testing.T, s *server, u *bluelamp.User) {
				if err := s.store.DisableUser(bluelamp.SystemContext(t.Context(), testForce, "test"), u.ID); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "ErrLocked", user: jane(), wantStatus: http.StatusLocked,
			setup: func(t *testing.T, s *server, u *bluelamp.User) {
				for range s.auth.LockAfter {
					s.auth.SignIn(t.Context(), "jane.doe", "wrong password")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := startProvider(t)
			s := newOIDCServer(t, m, tt.claim)
			u := s.createJane(t)
			if tt.setup != nil {
				tt.setup(t, s, u)
			}
			m.QueueUser(tt.user)
			c := browser(t)
			r := get(t, c, s.url+"/auth/oidc/login")
			if flowCookie(c, s.url) != nil {
				t.Error("the flow cookie outlived the callback")
			}
			if tt.wantStatus != 0 {
				wantStatus(t, r, tt.wantStatus)
				if r.Request.URL.Path != "/auth/oidc/callback" {
					t.Fatalf("flow ended at %s, want the callback", r.Request.URL)
				}
				if tt.wantAlert != "" && alert(r) != tt.wantAlert {
					t.Fatalf("alert = %q, want %q", alert(r), tt.wantAlert)
				}
				if !strings.Contains(r.body, `action="/signin"`) {
					t.Fatal("the refusal page does not offer password sign-in")
				}
				if sessionCookie(c, s.url) != nil {
					t.Fatal("a refused OIDC sign-in set a session cookie")
				}
				wantRedirect(t, get(t, stepper(c), s.url+"/"), "/signin")
				return
			}
			wantStatus(t, r, http.StatusOK)
			if r.Request.URL.Path != "/" {
				t.Fatalf("flow ended at %s, want /", r.Request.URL)
			}
			for _, want := range []string{`<dd id="display-name">Jane Doe</dd>`, "your force account (OIDC)"} {
				if !strings.Contains(r.body, want) {
					t.Fatalf("home page lacks %s:\n%s", want, r.body)
				}
			}
			_, events := s.events(t)
			var signedIn []*bluelamp.Event
			for _, e := range events {
				if e.Type == bluelamp.EventUserSignedIn {
					signedIn = append(signedIn, e)
				}
			}
			if len(signedIn) != 1 || !strings.Contains(string(signedIn[0].Payload), `"method":"oidc"`) || signedIn[0].ActorID != u.ID {
				t.Fatalf("signed_in events = %v, want one by user %d with method oidc", signedIn, u.ID)
			}
		})
	}
}

// startFlow runs the browser up to the provider's redirect back to the
// console and returns the callback URL it was sent to, without following it.
func startFlow(t *testing.T, c *http.Client, s *server) *url.URL {
	t.Helper()
	step := stepper(c)
	r := get(t, step, s.url+"/auth/oidc/login")
	wantStatus(t, r, http.StatusFound)
	if flowCookie(c, s.url) == nil {
		t.Fatal("no flow cookie after /auth/oidc/login")
	}
	r = get(t, step, r.Header.Get("Location"))
	wantStatus(t, r, http.StatusFound)
	cb, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cb.Scheme+"://"+cb.Host+cb.Path, s.url+"/auth/oidc/callback"; got != want {
		t.Fatalf("provider redirected to %s, want %s", got, want)
	}
	return cb
}

func TestOIDCCallbackRefused(t *testing.T) {
	t.Parallel()
	t.Run("ErrTamperedState", func(t *testing.T) {
		t.Parallel()
		m := startProvider(t)
		s := newOIDCServer(t, m, "")
		s.createJane(t)
		c := browser(t)
		cb := startFlow(t, c, s)
		q := cb.Query()
		genuine := cb.String()
		q.Set("state", q.Get("state")+"x")
		cb.RawQuery = q.Encode()
		r := get(t, stepper(c), cb.String())
		wantStatus(t, r, http.StatusUnauthorized)
		if got, want := alert(r), "The sign-in attempt expired or was tampered with; start again."; got != want {
			t.Fatalf("alert = %q, want %q", got, want)
		}
		if sessionCookie(c, s.url) != nil {
			t.Fatal("a tampered state got a session")
		}
		// The flow is spent: the genuine callback cannot be replayed after it.
		wantStatus(t, get(t, stepper(c), genuine), http.StatusUnauthorized)
		wantRedirect(t, get(t, stepper(c), s.url+"/"), "/signin")
	})
	t.Run("ErrNoFlowCookie", func(t *testing.T) {
		t.Parallel()
		m := startProvider(t)
		s := newOIDCServer(t, m, "")
		s.createJane(t)
		cb := startFlow(t, browser(t), s)
		other := browser(t)
		r := get(t, stepper(other), cb.String())
		wantStatus(t, r, http.StatusUnauthorized)
		if got, want := alert(r), "The sign-in attempt expired; start again."; got != want {
			t.Fatalf("alert = %q, want %q", got, want)
		}
		if sessionCookie(other, s.url) != nil {
			t.Fatal("a callback without its flow cookie got a session")
		}
	})
	t.Run("ErrGarbledFlowCookie", func(t *testing.T) {
		t.Parallel()
		m := startProvider(t)
		s := newOIDCServer(t, m, "")
		cb := startFlow(t, browser(t), s)
		for _, v := range []string{"%%%", "bm90IGpzb24", "e30"} { // bad base64, not JSON, {}
			req, _ := http.NewRequestWithContext(t.Context(), "GET", cb.String(), nil)
			req.AddCookie(&http.Cookie{Name: "bluelamp_oidc", Value: v})
			resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("flow cookie %q: status %d, want 401", v, resp.StatusCode)
			}
		}
	})
	t.Run("ErrProviderError", func(t *testing.T) {
		t.Parallel()
		m := startProvider(t)
		s := newOIDCServer(t, m, "")
		c := browser(t)
		cb := startFlow(t, c, s)
		r := get(t, stepper(c), s.url+"/auth/oidc/callback?error=access_denied&state="+url.QueryEscape(cb.Query().Get("state")))
		wantStatus(t, r, http.StatusUnauthorized)
		if got, want := alert(r), "The identity provider did not sign you in."; got != want {
			t.Fatalf("alert = %q, want %q", got, want)
		}
	})
}

func TestOIDCProviderUnreachable(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	// Nobody accepts from this one: requests are sent and never answered.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	tests := []struct {
		name string
		addr string
	}{
		{"ClosedPort", closedAddr},
		{"NeverAnswers", silent.Addr().String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t, func(c *console.Console, u string) {
				c.OIDC = &auth.OIDC{Issuer: "http://" + tt.addr + "/oidc", ClientID: "c", ClientSecret: "s",
					RedirectURL: u + "/auth/oidc/callback", Timeout: 200 * time.Millisecond}
			})
			c := browser(t)
			r := get(t, c, s.url+"/signin")
			if !strings.Contains(r.body, `href="/auth/oidc/login"`) {
				t.Fatal("the sign-in page does not offer OIDC")
			}
			r = get(t, c, s.url+"/auth/oidc/login")
			wantStatus(t, r, http.StatusServiceUnavailable)
			if got, want := alert(r), "The identity provider cannot be reached; sign in with a password or try again shortly."; got != want {
				t.Fatalf("alert = %q, want %q", got, want)
			}
			if !strings.Contains(r.body, `action="/signin"`) {
				t.Fatal("the 503 page does not offer password sign-in")
			}
		})
	}
}
