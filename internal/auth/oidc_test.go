package auth_test

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// startProvider starts a real OpenID provider on loopback, with optional
// middleware in front of its endpoints, and stops it when t ends.
func startProvider(t *testing.T, middleware ...func(http.Handler) http.Handler) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatalf("new provider: %v", err)
	}
	for _, mw := range middleware {
		if err := m.AddMiddleware(mw); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatalf("start provider: %v", err)
	}
	t.Cleanup(func() { m.Shutdown() })
	return m
}

func relyingParty(m *mockoidc.MockOIDC, claim string) *auth.OIDC {
	return &auth.OIDC{Issuer: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
		RedirectURL: "http://127.0.0.1:1/auth/oidc/callback", Claim: claim}
}

// authorize plays the browser at the provider: it follows authURL and
// returns the code and state the provider sends back to the redirect URL.
func authorize(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), "GET", authURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// unverifiedUser sends email_verified: false, which mockoidc's MockUser
// leaves out (its field is omitempty).
type unverifiedUser struct{ mockoidc.MockUser }

type unverifiedClaims struct {
	*mockoidc.IDTokenClaims
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
}

func (u *unverifiedUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &unverifiedClaims{IDTokenClaims: base, Email: u.Email}, nil
}

func TestOIDCStart(t *testing.T) {
	t.Parallel()
	m := startProvider(t)
	o := relyingParty(m, "")
	u, flow, err := o.Start(t.Context())
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if flow.State == "" || flow.Nonce == "" || len(flow.Verifier) < 43 {
		t.Fatalf("flow = %+v, want state, nonce and a PKCE verifier of at least 43 characters", flow)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	want := map[string]string{
		"client_id": m.ClientID, "response_type": "code", "redirect_uri": o.RedirectURL, "scope": "openid email profile",
		"state": flow.State, "nonce": flow.Nonce, "code_challenge_method": "S256",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("authorize URL %s = %q, want %q", k, got, v)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge") == flow.Verifier {
		t.Errorf("code_challenge = %q: want the S256 of the verifier, never the verifier", q.Get("code_challenge"))
	}
	if got, want := parsed.Scheme+"://"+parsed.Host+parsed.Path, m.AuthorizationEndpoint(); got != want {
		t.Errorf("authorize URL = %s, want %s", got, want)
	}
	_, flow2, _ := o.Start(t.Context())
	if flow2.State == flow.State || flow2.Nonce == flow.Nonce || flow2.Verifier == flow.Verifier {
		t.Error("two flows share a secret")
	}
}

func TestOIDCFinish(t *testing.T) {
	t.Parallel()
	jane := &mockoidc.MockUser{Subject: "s-1", Email: "jane.doe@example.com", EmailVerified: true, PreferredUsername: "jane.doe"}
	tests := []struct {
		name      string
		user      mockoidc.User
		claim     string
		tamper    func(o *auth.OIDC, flow *auth.OIDCFlow, state, code *string)
		want      string
		wantKind  bluelamp.Kind
		wantCode  string
		twiceCode bool // use the code once before Finish
	}{
		{name: "OKEmail", user: jane, want: "jane.doe@example.com"},
		{name: "OKPreferredUsername", user: jane, claim: "preferred_username", want: "jane.doe"},
		{name: "ErrStateMismatch", user: jane, tamper: func(_ *auth.OIDC, _ *auth.OIDCFlow, state, _ *string) { *state += "x" },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_state"},
		{name: "ErrStateEmpty", user: jane, tamper: func(_ *auth.OIDC, f *auth.OIDCFlow, state, _ *string) { *state, f.State = "", "" },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_state"},
		{name: "ErrNonce", user: jane, tamper: func(_ *auth.OIDC, f *auth.OIDCFlow, _, _ *string) { f.Nonce = "another" },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_nonce"},
		{name: "ErrVerifier", user: jane, tamper: func(_ *auth.OIDC, f *auth.OIDCFlow, _, _ *string) { f.Verifier = otherFirst(f.Verifier) },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_exchange"},
		{name: "ErrCode", user: jane, tamper: func(_ *auth.OIDC, _ *auth.OIDCFlow, _, code *string) { *code = "forged" },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_exchange"},
		{name: "ErrClientSecret", user: jane, tamper: func(o *auth.OIDC, _ *auth.OIDCFlow, _, _ *string) { o.ClientSecret = "wrong" },
			wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_exchange"},
		{name: "ErrCodeReused", user: jane, twiceCode: true, wantKind: bluelamp.KindUnauthenticated, wantCode: "oidc_exchange"},
		{name: "ErrEmailUnverified", user: &unverifiedUser{mockoidc.MockUser{Subject: "s-2", Email: "jane.doe@example.com"}},
			wantKind: bluelamp.KindForbidden, wantCode: "oidc_email_unverified"},
		{name: "ErrNoEmailClaim", user: &mockoidc.MockUser{Subject: "s-3", PreferredUsername: "jane.doe"},
			wantKind: bluelamp.KindForbidden, wantCode: "oidc_no_claim"},
		{name: "ErrNoUsernameClaim", user: &mockoidc.MockUser{Subject: "s-4", Email: "jane.doe@example.com", EmailVerified: true}, claim: "preferred_username",
			wantKind: bluelamp.KindForbidden, wantCode: "oidc_no_claim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := startProvider(t)
			o := relyingParty(m, tt.claim)
			m.QueueUser(tt.user)
			u, flow, err := o.Start(t.Context())
			if err != nil {
				t.Fatalf("Start: %v", err)
			}
			code, state := authorize(t, u)
			if tt.tamper != nil {
				tt.tamper(o, &flow, &state, &code)
			}
			if tt.twiceCode {
				if _, err := o.Finish(t.Context(), flow, state, code); err != nil {
					t.Fatalf("first Finish: %v", err)
				}
			}
			got, err := o.Finish(t.Context(), flow, state, code)
			if tt.wantKind != "" {
				wantErr(t, err, tt.wantKind, tt.wantCode)
				if got != "" {
					t.Fatalf("Finish returned claim %q with an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if got != tt.want {
				t.Fatalf("Finish = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOIDCUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("ClosedPort", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		o := &auth.OIDC{Issuer: "http://" + addr + "/oidc", ClientID: "c", ClientSecret: "s"}
		_, _, err = o.Start(t.Context())
		wantErr(t, err, bluelamp.KindUnavailable, "oidc_unavailable")
		_, err = o.Finish(t.Context(), auth.OIDCFlow{State: "s"}, "s", "code")
		wantErr(t, err, bluelamp.KindUnavailable, "oidc_unavailable")
	})
	t.Run("DiscoveryRetried", func(t *testing.T) {
		t.Parallel()
		m := startProvider(t)
		m.QueueError(&mockoidc.ServerError{Code: http.StatusBadGateway, Error: mockoidc.InternalServerError, Description: "down"})
		o := relyingParty(m, "")
		_, _, err := o.Start(t.Context())
		wantErr(t, err, bluelamp.KindUnavailable, "oidc_unavailable")
		if _, _, err := o.Start(t.Context()); err != nil {
			t.Fatalf("Start once the provider is back: %v", err)
		}
	})
	t.Run("DiscoveryHangs", func(t *testing.T) {
		t.Parallel()
		// A listener nobody accepts from: connections complete in the
		// kernel's backlog, requests are sent, and no answer ever comes.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		o := &auth.OIDC{Issuer: "http://" + ln.Addr().String() + "/oidc", ClientID: "c", ClientSecret: "s", Timeout: 100 * time.Millisecond}
		err = within(t, 10*time.Second, func() error { _, _, err := o.Start(t.Context()); return err })
		wantErr(t, err, bluelamp.KindUnavailable, "oidc_unavailable")
	})
	t.Run("TokenEndpointHangs", func(t *testing.T) {
		t.Parallel()
		// The server notices a client hanging up only once the body is
		// read, so release tells stuck handlers to return before Shutdown.
		release := make(chan struct{})
		m := startProvider(t, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == mockoidc.TokenEndpoint {
					<-release
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		t.Cleanup(func() { close(release) })
		o := relyingParty(m, "")
		o.Timeout = 100 * time.Millisecond
		u, flow, err := o.Start(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		code, state := authorize(t, u)
		err = within(t, 10*time.Second, func() error { _, err := o.Finish(t.Context(), flow, state, code); return err })
		wantErr(t, err, bluelamp.KindUnavailable, "oidc_unavailable")
	})
}

// within runs f and returns its error, failing t if f takes longer than d.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still waiting after %v: a provider that never answers holds sign-in", d)
		return nil
	}
}

func TestSignInOIDC(t *testing.T) {
	t.Parallel()
	t.Run("OKByEmail", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		secret, sess, err := a.SignInOIDC(t.Context(), " Jane.Doe@example.com ", true)
		if err != nil {
			t.Fatalf("SignInOIDC: %v", err)
		}
		if sess.Method != "oidc" || sess.UserID != u.ID {
			t.Fatalf("session = %+v, want method oidc for user %d", sess, u.ID)
		}
		if _, _, err := a.SessionActor(t.Context(), secret); err != nil {
			t.Fatalf("SessionActor: %v", err)
		}
		types, events := userEvents(t, s, u)
		if len(types) != 1 || types[0] != bluelamp.EventUserSignedIn {
			t.Fatalf("events = %v, want one %s", types, bluelamp.EventUserSignedIn)
		}
		if p := string(events[0].Payload); !strings.Contains(p, `"method":"oidc"`) {
			t.Fatalf("signed_in payload %s lacks method oidc", p)
		}
	})
	t.Run("OKByUsername", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		newJane(t, s)
		if _, _, err := a.SignInOIDC(t.Context(), "jane.doe", false); err != nil {
			t.Fatalf("SignInOIDC: %v", err)
		}
	})
	t.Run("OKOIDCOnlyUser", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		mustCreateUser(t, s, &bluelamp.User{Username: "sso.only", DisplayName: "SSO Only", Email: "sso@example.com"}, "")
		if _, _, err := a.SignInOIDC(t.Context(), "sso@example.com", true); err != nil {
			t.Fatalf("SignInOIDC: %v", err)
		}
	})
	t.Run("ErrUnknownOIDC", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		newJane(t, s)
		for _, tt := range []struct {
			claim   string
			byEmail bool
		}{{"john@example.com", true}, {"jane.doe", true}, {"jane.doe@example.com", false}, {"", true}} {
			if _, _, err := a.SignInOIDC(t.Context(), tt.claim, tt.byEmail); !errors.Is(err, auth.ErrUnknownOIDC) {
				t.Fatalf("SignInOIDC(%q, byEmail %v) = %v, want ErrUnknownOIDC", tt.claim, tt.byEmail, err)
			}
		}
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		if err := s.DisableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.SignInOIDC(t.Context(), "jane.doe@example.com", true); !errors.Is(err, auth.ErrDisabled) {
			t.Fatalf("SignInOIDC = %v, want ErrDisabled", err)
		}
	})
	t.Run("ErrLocked", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		newJane(t, s)
		for range a.LockAfter {
			a.SignIn(t.Context(), "jane.doe", "wrong password")
		}
		_, _, err := a.SignInOIDC(t.Context(), "jane.doe@example.com", true)
		wantErr(t, err, bluelamp.KindLocked, "account_locked")
	})
}

// otherFirst changes s's first character. A random verifier starts with
// any character, so a fixed replacement would leave one in 64 unchanged.
func otherFirst(s string) string {
	if s[0] == 'x' {
		return "y" + s[1:]
	}
	return "x" + s[1:]
}
