package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/google/go-cmp/cmp"
)

// testClock is a clock the test moves by hand; the store's writer reads it
// from its own goroutine, hence the mutex.
type testClock struct {
	mu  sync.Mutex // guards now
	now time.Time
}

func newClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const testForce bluelamp.ForceID = "test-force" // "f" alone is not a valid slug

// newTestStore opens a migrated SQLite store in t's temp dir on clock, with
// one force, "f".
func newTestStore(t *testing.T, clock *testClock) *sqlstore.Store {
	t.Helper()
	s := sqlstore.New(filepath.Join(t.TempDir(), "db"))
	s.Migrate = sqlstore.MigrateIfEmpty
	s.Now = clock.Now
	if err := s.Open(); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: testForce, Name: "Test Constabulary"}); err != nil {
		t.Fatalf("create force: %v", err)
	}
	return s
}

// forceContext acts as bluelamp itself inside the test force.
func forceContext(t *testing.T) context.Context {
	return bluelamp.SystemContext(t.Context(), testForce, "test")
}

// mustCreateUser creates a user in the test force with password pw (an
// OIDC-only user when pw is empty).
func mustCreateUser(t *testing.T, s *sqlstore.Store, u *bluelamp.User, pw string) *bluelamp.User {
	t.Helper()
	var hash string
	if pw != "" {
		hash = mustHash(t, pw)
	}
	if err := s.CreateUser(forceContext(t), u, hash); err != nil {
		t.Fatalf("create user %s: %v", u.Username, err)
	}
	return u
}

func newJane(t *testing.T, s *sqlstore.Store) *bluelamp.User {
	t.Helper()
	return mustCreateUser(t, s, &bluelamp.User{Username: "jane.doe", DisplayName: "Jane Doe", Email: "jane.doe@example.com",
		Roles: []bluelamp.Role{bluelamp.RoleSupervisor, bluelamp.RoleController}}, testPassword)
}

// newAuth returns an Authenticator on a fresh store, both on clock.
func newAuth(t *testing.T) (*auth.Authenticator, *sqlstore.Store, *testClock) {
	t.Helper()
	clock := newClock()
	s := newTestStore(t, clock)
	a := auth.New(s)
	a.Now = clock.Now
	return a, s, clock
}

// wantErr fails t unless err is a *bluelamp.Error of kind and code.
func wantErr(t *testing.T, err error, kind bluelamp.Kind, code string) *bluelamp.Error {
	t.Helper()
	e, ok := errors.AsType[*bluelamp.Error](err)
	if !ok {
		t.Fatalf("error = %v, want a *bluelamp.Error of kind %s", err, kind)
	}
	if e.Kind != kind || e.CodeOrKind() != code {
		t.Fatalf("error = %v (kind %s, code %s), want kind %s, code %s", err, e.Kind, e.CodeOrKind(), kind, code)
	}
	return e
}

// userEvents returns the types of the test force's events about u, in order.
func userEvents(t *testing.T, s *sqlstore.Store, u *bluelamp.User) ([]bluelamp.EventType, []*bluelamp.Event) {
	t.Helper()
	events, err := s.FindEvents(forceContext(t), bluelamp.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("find events: %v", err)
	}
	var types []bluelamp.EventType
	var mine []*bluelamp.Event
	for _, e := range events {
		if e.Subject == "user/"+itoa(u.ID) && e.Type != bluelamp.EventUserCreated {
			types, mine = append(types, e.Type), append(mine, e)
		}
	}
	return types, mine
}

func itoa(id bluelamp.UserID) string { return strconv.FormatInt(int64(id), 10) }

func TestSignIn(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		a, s, clock := newAuth(t)
		u := newJane(t, s)
		secret, sess, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		if !strings.HasPrefix(secret, auth.SessionPrefix) {
			t.Fatalf("secret %q lacks prefix %q", secret, auth.SessionPrefix)
		}
		if got, want := sess.ExpiresAt, clock.Now().Add(a.SessionTTL); !got.Equal(want) {
			t.Fatalf("ExpiresAt = %v, want %v", got, want)
		}
		actor, got, err := a.SessionActor(t.Context(), secret)
		if err != nil {
			t.Fatalf("SessionActor: %v", err)
		}
		want := &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: "jane.doe", ForceID: testForce,
			Roles: []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor}, SessionID: sess.ID}
		if diff := cmp.Diff(want, actor); diff != "" {
			t.Fatalf("actor (-want +got):\n%s", diff)
		}
		if got.ID != sess.ID || got.Method != "password" || got.UserID != u.ID {
			t.Fatalf("session = %+v, want id %s, method password, user %d", got, sess.ID, u.ID)
		}
		types, events := userEvents(t, s, u)
		if diff := cmp.Diff([]bluelamp.EventType{bluelamp.EventUserSignedIn}, types); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		if e := events[0]; e.ActorKind != bluelamp.ActorUser || e.ActorID != u.ID || !strings.Contains(string(e.Payload), `"method":"password"`) {
			t.Fatalf("signed_in event = %+v payload %s, want by the user with method password", e, e.Payload)
		}
	})
	t.Run("OKUsernameCaseAndSpace", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		newJane(t, s)
		if _, _, err := a.SignIn(t.Context(), "  Jane.DOE ", testPassword); err != nil {
			t.Fatalf("SignIn: %v", err)
		}
	})
	t.Run("ErrBadCredentials", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		tests := []struct{ name, username, password string }{
			{"UnknownUser", "john.smith", testPassword},
			{"WrongPassword", "jane.doe", testPassword + "!"},
			{"EmptyPassword", "jane.doe", ""},
			{"PasswordOverMax", "jane.doe", strings.Repeat("a", auth.MaxPasswordLen+1)},
			{"EmptyUsername", "", testPassword},
		}
		for _, tt := range tests {
			secret, sess, err := a.SignIn(t.Context(), tt.username, tt.password)
			if !errors.Is(err, auth.ErrBadCredentials) || secret != "" || sess != nil {
				t.Fatalf("%s: SignIn = %q, %v, %v; want ErrBadCredentials", tt.name, secret, sess, err)
			}
			wantErr(t, err, bluelamp.KindUnauthenticated, "bad_credentials")
		}
		types, _ := userEvents(t, s, u)
		want := slices.Repeat([]bluelamp.EventType{bluelamp.EventUserSignInFailed}, 3)
		if diff := cmp.Diff(want, types); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		if err := s.DisableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if !errors.Is(err, auth.ErrDisabled) {
			t.Fatalf("SignIn(disabled) = %v, want ErrDisabled", err)
		}
		wantErr(t, err, bluelamp.KindForbidden, "account_disabled")
		if _, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password!"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("SignIn(disabled, wrong password) = %v, want ErrBadCredentials: a wrong password must not learn the account is disabled", err)
		}
	})
	t.Run("ErrOIDCOnlyUser", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		mustCreateUser(t, s, &bluelamp.User{Username: "sso.only", DisplayName: "SSO Only", Email: "sso@example.com"}, "")
		for _, pw := range []string{"", testPassword, "not-a-real-password-0000"} {
			if _, _, err := a.SignIn(t.Context(), "sso.only", pw); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("SignIn(OIDC-only user, %q) = %v, want ErrBadCredentials", pw, err)
			}
		}
		// Guessing a password that does not exist never locks the user out
		// of signing in through their identity provider.
		for range 2 * a.LockAfter {
			if _, _, err := a.SignIn(t.Context(), "sso.only", "guess-guess-guess"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("guess = %v, want ErrBadCredentials", err)
			}
		}
		if _, _, err := a.SignInOIDC(t.Context(), "sso@example.com", true); err != nil {
			t.Fatalf("OIDC after password guesses: %v", err)
		}
	})
}

func TestSignInLockOut(t *testing.T) {
	t.Parallel()
	t.Run("LocksOnLockAfterAndUnlocksAfterLockFor", func(t *testing.T) {
		t.Parallel()
		a, s, clock := newAuth(t)
		u := newJane(t, s)
		for i := 1; i < a.LockAfter; i++ {
			if _, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("failure %d: %v, want ErrBadCredentials", i, err)
			}
		}
		_, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password")
		e := wantErr(t, err, bluelamp.KindLocked, "account_locked")
		if !strings.Contains(e.Message, "09:15 UTC") {
			t.Fatalf("locked message %q does not say until 09:15 UTC", e.Message)
		}

		clock.Advance(a.LockFor - time.Second)
		_, _, err = a.SignIn(t.Context(), "jane.doe", testPassword)
		if e := wantErr(t, err, bluelamp.KindLocked, "account_locked"); !strings.Contains(e.Message, "09:15 UTC") {
			t.Fatalf("locked message %q does not say until 09:15 UTC", e.Message)
		}
		wantTypes := append(slices.Repeat([]bluelamp.EventType{bluelamp.EventUserSignInFailed}, a.LockAfter), bluelamp.EventUserLocked)
		types, events := userEvents(t, s, u)
		if diff := cmp.Diff(wantTypes, types); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		if p := string(events[len(events)-1].Payload); !strings.Contains(p, `"until":"2026-03-02T09:15:00Z"`) {
			t.Fatalf("user.locked payload %s does not say until 09:15", p)
		}

		clock.Advance(time.Second)
		if _, _, err := a.SignIn(t.Context(), "jane.doe", testPassword); err != nil {
			t.Fatalf("SignIn after LockFor: %v", err)
		}
		types, _ = userEvents(t, s, u)
		if diff := cmp.Diff(append(wantTypes, bluelamp.EventUserSignedIn), types); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		// The success reset the count: LockAfter-1 failures do not lock.
		for i := 1; i < a.LockAfter; i++ {
			if _, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("failure %d after reset: %v, want ErrBadCredentials", i, err)
			}
		}
		if _, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password"); bluelamp.KindOf(err) != bluelamp.KindLocked {
			t.Fatalf("failure %d after reset: %v, want KindLocked", a.LockAfter, err)
		}
	})
	t.Run("SuccessResetsCount", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		newJane(t, s)
		for range 2 {
			for i := 1; i < a.LockAfter; i++ {
				if _, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password"); !errors.Is(err, auth.ErrBadCredentials) {
					t.Fatalf("failure %d: %v, want ErrBadCredentials", i, err)
				}
			}
			if _, _, err := a.SignIn(t.Context(), "jane.doe", testPassword); err != nil {
				t.Fatalf("SignIn after %d failures: %v", a.LockAfter-1, err)
			}
		}
	})
	t.Run("ConcurrentGuessesStillLock", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		const guesses = 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[bluelamp.Kind]int{}
		for range guesses {
			wg.Go(func() {
				_, _, err := a.SignIn(t.Context(), "jane.doe", "wrong password")
				mu.Lock()
				defer mu.Unlock()
				outcomes[bluelamp.KindOf(err)]++
			})
		}
		wg.Wait()
		want := map[bluelamp.Kind]int{bluelamp.KindUnauthenticated: a.LockAfter - 1, bluelamp.KindLocked: guesses - a.LockAfter + 1}
		if diff := cmp.Diff(want, outcomes); diff != "" {
			t.Fatalf("outcomes of %d concurrent wrong passwords (-want +got):\n%s", guesses, diff)
		}
		types, _ := userEvents(t, s, u)
		wantTypes := append(slices.Repeat([]bluelamp.EventType{bluelamp.EventUserSignInFailed}, a.LockAfter), bluelamp.EventUserLocked)
		if diff := cmp.Diff(wantTypes, types); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("UnlockedByAdmin", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		for range a.LockAfter {
			a.SignIn(t.Context(), "jane.doe", "wrong password")
		}
		if _, _, err := a.SignIn(t.Context(), "jane.doe", testPassword); bluelamp.KindOf(err) != bluelamp.KindLocked {
			t.Fatalf("SignIn = %v, want KindLocked", err)
		}
		if err := s.EnableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.SignIn(t.Context(), "jane.doe", testPassword); err != nil {
			t.Fatalf("SignIn after EnableUser: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	t.Parallel()
	t.Run("ExpireAtSessionTTL", func(t *testing.T) {
		t.Parallel()
		a, s, clock := newAuth(t)
		newJane(t, s)
		secret, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(a.SessionTTL - time.Second)
		if _, _, err := a.SessionActor(t.Context(), secret); err != nil {
			t.Fatalf("SessionActor just before SessionTTL: %v", err)
		}
		clock.Advance(time.Second)
		_, _, err = a.SessionActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "session_expired")
	})
	t.Run("EndSession", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		secret, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		other, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		actor, sess, err := a.SessionActor(t.Context(), secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EndSession(bluelamp.NewContext(t.Context(), actor), sess.ID); err != nil {
			t.Fatalf("EndSession: %v", err)
		}
		_, _, err = a.SessionActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "session_expired")
		if _, _, err := a.SessionActor(t.Context(), other); err != nil {
			t.Fatalf("the user's other session ended too: %v", err)
		}
		types, _ := userEvents(t, s, u)
		if got, want := types[len(types)-1], bluelamp.EventUserSignedOut; got != want {
			t.Fatalf("last event = %s, want %s", got, want)
		}
	})
	t.Run("SetUserPasswordEndsAll", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		var secrets []string
		for range 2 {
			secret, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret)
		}
		const newPassword = "a brand new passphrase"
		if err := s.SetUserPassword(forceContext(t), u.ID, mustHash(t, newPassword)); err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			_, _, err := a.SessionActor(t.Context(), secret)
			wantErr(t, err, bluelamp.KindUnauthenticated, "session_expired")
		}
		if _, _, err := a.SignIn(t.Context(), "jane.doe", testPassword); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("SignIn with the old password = %v, want ErrBadCredentials", err)
		}
		if _, _, err := a.SignIn(t.Context(), "jane.doe", newPassword); err != nil {
			t.Fatalf("SignIn with the new password: %v", err)
		}
	})
	t.Run("DisableUserEndsAll", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		secret, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DisableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = a.SessionActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "session_expired")
		if err := s.EnableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.SessionActor(t.Context(), secret); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
			t.Fatalf("SessionActor after EnableUser = %v: enabling brought an ended session back", err)
		}
	})
	t.Run("ErrMalformedSecret", func(t *testing.T) {
		t.Parallel()
		a, _, _ := newAuth(t)
		for _, secret := range []string{"", "bls_", "bls_unknown", auth.TokenPrefix + "abc", auth.SessionPrefix + strings.Repeat("a", 200)} {
			if _, _, err := a.SessionActor(t.Context(), secret); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
				t.Fatalf("SessionActor(%q) = %v, want KindUnauthenticated", secret, err)
			}
		}
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		tok, secret := auth.NewToken(u.ID, "cad bridge", nil)
		if err := s.CreateToken(forceContext(t), tok); err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		if !strings.HasPrefix(secret, auth.TokenPrefix) {
			t.Fatalf("secret %q lacks prefix %q", secret, auth.TokenPrefix)
		}
		actor, err := a.TokenActor(t.Context(), secret)
		if err != nil {
			t.Fatalf("TokenActor: %v", err)
		}
		want := &bluelamp.Actor{Kind: bluelamp.ActorToken, UserID: u.ID, Username: "jane.doe", ForceID: testForce,
			Roles: []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor}, SessionID: string(tok.ID)}
		if diff := cmp.Diff(want, actor); diff != "" {
			t.Fatalf("actor (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		tok, secret := mustCreateToken(t, s, u.ID, "cad bridge", nil)
		if err := s.RevokeToken(forceContext(t), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := a.TokenActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "bad_token")
	})
	t.Run("ErrExpired", func(t *testing.T) {
		t.Parallel()
		a, s, clock := newAuth(t)
		u := newJane(t, s)
		_, secret := mustCreateToken(t, s, u.ID, "cad bridge", new(clock.Now().Add(time.Hour)))
		clock.Advance(time.Hour - time.Second)
		if _, err := a.TokenActor(t.Context(), secret); err != nil {
			t.Fatalf("TokenActor before expiry: %v", err)
		}
		clock.Advance(time.Second)
		_, err := a.TokenActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "bad_token")
	})
	t.Run("ErrUserDisabled", func(t *testing.T) {
		t.Parallel()
		a, s, _ := newAuth(t)
		u := newJane(t, s)
		_, secret := mustCreateToken(t, s, u.ID, "cad bridge", nil)
		if err := s.DisableUser(forceContext(t), u.ID); err != nil {
			t.Fatal(err)
		}
		_, err := a.TokenActor(t.Context(), secret)
		wantErr(t, err, bluelamp.KindUnauthenticated, "bad_token")
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		t.Parallel()
		a, _, _ := newAuth(t)
		for _, secret := range []string{"", "blt_", "blt_unknown", "bls_abc", "Bearer blt_abc", auth.TokenPrefix + strings.Repeat("a", 200)} {
			if _, err := a.TokenActor(t.Context(), secret); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
				t.Fatalf("TokenActor(%q) = %v, want KindUnauthenticated", secret, err)
			}
		}
	})
}

func TestRequest(t *testing.T) {
	t.Parallel()
	a, s, _ := newAuth(t)
	u := newJane(t, s)
	session, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	tok, token := auth.NewToken(u.ID, "cad bridge", nil)
	if err := s.CreateToken(forceContext(t), tok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		auth        string // Authorization header
		cookie      string // session cookie value
		cookieName  string // default a.CookieName()
		wantKind    bluelamp.ActorKind
		wantSession bool
		wantErr     bool
	}{
		{name: "OKSession", cookie: session, wantKind: bluelamp.ActorUser, wantSession: true},
		{name: "OKToken", auth: "Bearer " + token, wantKind: bluelamp.ActorToken},
		{name: "OKTokenLowerCaseScheme", auth: "bearer " + token, wantKind: bluelamp.ActorToken},
		{name: "OKBearerOverCookie", auth: "Bearer " + token, cookie: session, wantKind: bluelamp.ActorToken},
		{name: "ErrNone", wantErr: true},
		{name: "ErrBasic", auth: "Basic amFuZTpwdw==", cookie: session, wantErr: true},
		{name: "ErrSchemeOnly", auth: "Bearer", cookie: session, wantErr: true},
		{name: "ErrTokenScheme", auth: "Token " + token, wantErr: true},
		{name: "ErrSessionAsBearer", auth: "Bearer " + session, wantErr: true},
		{name: "ErrBadBearerDoesNotFallBackToCookie", auth: "Bearer blt_wrong", cookie: session, wantErr: true},
		{name: "ErrTokenAsCookie", cookie: token, wantErr: true},
		{name: "ErrOtherCookieName", cookie: session, cookieName: "__Host-bluelamp_session", wantErr: true},
		{name: "ErrEmptyCookie", cookie: "", cookieName: "bluelamp_session", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequestWithContext(t.Context(), "GET", "/", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie != "" || tt.cookieName != "" {
				r.AddCookie(&http.Cookie{Name: cmpOr(tt.cookieName, a.CookieName()), Value: tt.cookie})
			}
			actor, sess, err := a.Request(r)
			if tt.wantErr {
				if bluelamp.KindOf(err) != bluelamp.KindUnauthenticated || actor != nil {
					t.Fatalf("Request = %v, %v; want KindUnauthenticated", actor, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if actor.Kind != tt.wantKind || actor.UserID != u.ID || (sess != nil) != tt.wantSession {
				t.Fatalf("Request = %+v, session %v; want kind %s, session %v", actor, sess, tt.wantKind, tt.wantSession)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	expires := time.Date(2026, 3, 2, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		secure   bool
		wantName string
	}{
		{"Plain", false, "bluelamp_session"},
		{"Secure", true, "__Host-bluelamp_session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := auth.New(nil)
			a.SecureCookies = tt.secure
			if got := a.CookieName(); got != tt.wantName {
				t.Fatalf("CookieName = %q, want %q", got, tt.wantName)
			}
			w := httptest.NewRecorder()
			a.SetSessionCookie(w, "bls_secret", expires)
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("SetSessionCookie set %d cookies, want 1", len(cookies))
			}
			c := cookies[0]
			if c.Name != tt.wantName || c.Value != "bls_secret" || c.Path != "/" || c.Domain != "" || !c.Expires.Equal(expires) {
				t.Fatalf("cookie = %+v, want %s=bls_secret on / with no Domain, expiring %v", c, tt.wantName, expires)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != tt.secure {
				t.Fatalf("cookie flags HttpOnly=%v SameSite=%v Secure=%v, want true, Lax, %v", c.HttpOnly, c.SameSite, c.Secure, tt.secure)
			}

			w = httptest.NewRecorder()
			a.ClearSessionCookie(w)
			c = w.Result().Cookies()[0]
			if c.Name != tt.wantName || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly || c.Secure != tt.secure {
				t.Fatalf("cleared cookie = %+v, want %s emptied with MaxAge<0", c, tt.wantName)
			}
		})
	}
}

func TestCheckOwnPassword(t *testing.T) {
	t.Parallel()
	a, s, _ := newAuth(t)
	u := newJane(t, s)
	secret, _, err := a.SignIn(t.Context(), "jane.doe", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	actor, _, err := a.SessionActor(t.Context(), secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CheckOwnPassword(t.Context(), actor, testPassword); err != nil {
		t.Fatalf("CheckOwnPassword(right) = %v", err)
	}
	if err := a.CheckOwnPassword(t.Context(), actor, "wrong password"); bluelamp.KindOf(err) != bluelamp.KindInvalid {
		t.Fatalf("CheckOwnPassword(wrong) = %v, want KindInvalid", err)
	}
	tokenActor := &bluelamp.Actor{Kind: bluelamp.ActorToken, UserID: u.ID, Username: u.Username, ForceID: testForce}
	if err := a.CheckOwnPassword(t.Context(), tokenActor, testPassword); bluelamp.KindOf(err) != bluelamp.KindForbidden {
		t.Fatalf("CheckOwnPassword(token actor) = %v, want KindForbidden", err)
	}
}

func TestIsAuthError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"BadCredentials", auth.ErrBadCredentials, true},
		{"Disabled", auth.ErrDisabled, true},
		{"Locked", &bluelamp.Error{Kind: bluelamp.KindLocked}, true},
		{"Wrapped", errors.Join(errors.New("x"), auth.ErrUnknownOIDC), true},
		{"Unavailable", &bluelamp.Error{Kind: bluelamp.KindUnavailable}, false},
		{"Plain", errors.New("boom"), false},
		{"Nil", nil, false},
	}
	for _, tt := range tests {
		if got := auth.IsAuthError(tt.err); got != tt.want {
			t.Errorf("%s: IsAuthError = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// mustCreateToken issues an API token for a user of the test force.
func mustCreateToken(t *testing.T, s *sqlstore.Store, user bluelamp.UserID, name string, expires *time.Time) (*bluelamp.Token, string) {
	t.Helper()
	tok, secret := auth.NewToken(user, name, expires)
	if err := s.CreateToken(forceContext(t), tok); err != nil {
		t.Fatal(err)
	}
	return tok, secret
}
