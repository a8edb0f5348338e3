package auth

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Prefixes of the secrets bluelamp issues.
const (
	SessionPrefix = "bls_"
	TokenPrefix   = "blt_"
)

// Store is what the Authenticator needs of the store.
type Store interface {
	FindCredential(ctx context.Context, name string, byEmail bool) (*bluelamp.Credential, error)
	RecordSignInFailure(ctx context.Context, c *bluelamp.Credential, p bluelamp.LockPolicy) error
	CreateSession(ctx context.Context, s *bluelamp.Session) error
	FindSessionActor(ctx context.Context, secretHash []byte) (*bluelamp.Actor, *bluelamp.Session, error)
	FindTokenActor(ctx context.Context, secretHash []byte) (*bluelamp.Actor, error)
}

// Authenticator decides who may sign in and who a request is.
type Authenticator struct {
	Store Store
	Now   func() time.Time

	LockAfter  int           // failed sign-ins in a row before the account locks
	LockFor    time.Duration // how long a lock lasts unless a force admin unlocks it
	SessionTTL time.Duration // a session's absolute lifetime: one long shift

	SecureCookies bool // set the Secure flag and __Host- prefix: the deployment is served over HTTPS

	// OperatorToken is the deployment operator's secret (see Operator);
	// empty turns the operator routes off.
	OperatorToken string

	// attempts serialise password sign-ins per username (striped by hash), so
	// concurrent guesses cannot all pass the lock-out check before the
	// failure that locks the account is recorded.
	attempts [64]sync.Mutex
}

// New returns an Authenticator with the default policy: lock for 15 minutes
// after 5 failures in a row; sessions last 12 hours.
func New(store Store) *Authenticator {
	return &Authenticator{Store: store, Now: time.Now, LockAfter: 5, LockFor: 15 * time.Minute, SessionTTL: 12 * time.Hour}
}

// Sentinel sign-in outcomes.
var (
	ErrBadCredentials = &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "bad_credentials", Message: "wrong username or password"}
	ErrDisabled       = &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "account_disabled", Message: "this account is disabled; ask your force admin"}
	ErrUnknownOIDC    = &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "oidc_no_user", Message: "your identity provider account is not linked to a bluelamp user; ask your force admin"}
)

func lockedError(until time.Time) error {
	return &bluelamp.Error{Kind: bluelamp.KindLocked, Code: "account_locked",
		Message: fmt.Sprintf("this account is locked after too many failed sign-ins; try again after %s UTC, or ask a force admin to unlock it",
			until.UTC().Format("15:04"))}
}

func deployment(ctx context.Context) context.Context {
	return bluelamp.SystemContext(ctx, "", "sign-in")
}

// SignIn checks a username and password and opens a session, returning the
// secret for the browser's cookie. A wrong username and a wrong password
// fail alike (ErrBadCredentials) and take the same time; the failure that
// reaches LockAfter locks the account and says until when.
func (a *Authenticator) SignIn(ctx context.Context, username, password string) (string, *bluelamp.Session, error) {
	dctx := deployment(ctx)
	username = strings.ToLower(strings.TrimSpace(username))
	mu := &a.attempts[stripe(username, len(a.attempts))]
	mu.Lock()
	defer mu.Unlock()
	c, err := a.Store.FindCredential(dctx, username, false)
	if bluelamp.KindOf(err) == bluelamp.KindNotFound {
		VerifyPassword(dummyHash(), password)
		return "", nil, ErrBadCredentials
	}
	if err != nil {
		return "", nil, err
	}
	now := a.Now()
	if c.LockedUntil != nil && c.LockedUntil.After(now) {
		return "", nil, lockedError(*c.LockedUntil)
	}
	if c.PasswordHash == "" {
		// An OIDC-only user has no password to guess: refuse in the same
		// time as anyone, and count nothing, so guessing cannot lock them
		// out of their identity provider sign-in.
		VerifyPassword(dummyHash(), password)
		return "", nil, ErrBadCredentials
	}
	if !VerifyPassword(c.PasswordHash, password) {
		if err := a.Store.RecordSignInFailure(dctx, c, bluelamp.LockPolicy{After: a.LockAfter, For: a.LockFor}); err != nil {
			return "", nil, err
		}
		if c.LockedUntil != nil && c.LockedUntil.After(now) {
			return "", nil, lockedError(*c.LockedUntil)
		}
		return "", nil, ErrBadCredentials
	}
	if c.Disabled {
		return "", nil, ErrDisabled
	}
	return a.openSession(dctx, c, "password")
}

// SignInOIDC opens a session for the user whose email (byEmail) or username
// equals the identity provider's verified claim value.
func (a *Authenticator) SignInOIDC(ctx context.Context, claimValue string, byEmail bool) (string, *bluelamp.Session, error) {
	dctx := deployment(ctx)
	c, err := a.Store.FindCredential(dctx, strings.ToLower(strings.TrimSpace(claimValue)), byEmail)
	if bluelamp.KindOf(err) == bluelamp.KindNotFound {
		return "", nil, ErrUnknownOIDC
	}
	if err != nil {
		return "", nil, err
	}
	if c.Disabled {
		return "", nil, ErrDisabled
	}
	if c.LockedUntil != nil && c.LockedUntil.After(a.Now()) {
		return "", nil, lockedError(*c.LockedUntil)
	}
	return a.openSession(dctx, c, "oidc")
}

// stripe returns which of n locks guards sign-ins for name (FNV-1a).
func stripe(name string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return int(h.Sum32() % uint32(n))
}

func (a *Authenticator) openSession(ctx context.Context, c *bluelamp.Credential, method string) (string, *bluelamp.Session, error) {
	secret, hash := NewSecret(SessionPrefix)
	s := &bluelamp.Session{ID: NewID("ses_"), UserID: c.UserID, ForceID: c.ForceID, SecretHash: hash, Method: method,
		ExpiresAt: a.Now().Add(a.SessionTTL)}
	if err := a.Store.CreateSession(ctx, s); err != nil {
		return "", nil, err
	}
	return secret, s, nil
}

// ErrNoCredentials means the request carried neither a session nor a token.
var ErrNoCredentials = &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "sign_in_required", Message: "sign in, or send an API token as Authorization: Bearer"}

// SessionActor returns the actor for a session cookie's secret.
func (a *Authenticator) SessionActor(ctx context.Context, secret string) (*bluelamp.Actor, *bluelamp.Session, error) {
	if !strings.HasPrefix(secret, SessionPrefix) || len(secret) > 100 {
		return nil, nil, ErrNoCredentials
	}
	return a.Store.FindSessionActor(deployment(ctx), HashSecret(secret))
}

// TokenActor returns the actor for an API bearer token.
func (a *Authenticator) TokenActor(ctx context.Context, secret string) (*bluelamp.Actor, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "bad_token", Message: "the API token is malformed"}
	}
	return a.Store.FindTokenActor(deployment(ctx), HashSecret(secret))
}

// NewToken returns a token for user, ready for TokenStore.CreateToken, and its
// secret, which is shown once and never stored.
func NewToken(user bluelamp.UserID, name string, expires *time.Time) (*bluelamp.Token, string) {
	secret, hash := NewSecret(TokenPrefix)
	return &bluelamp.Token{ID: bluelamp.TokenID(NewID("tok_")), UserID: user, Name: name, SecretHash: hash, ExpiresAt: expires}, secret
}

// IsAuthError reports whether err is a sign-in outcome to show the user as is.
func IsAuthError(err error) bool {
	e, ok := errors.AsType[*bluelamp.Error](err)
	return ok && (e.Kind == bluelamp.KindUnauthenticated || e.Kind == bluelamp.KindLocked || e.Kind == bluelamp.KindForbidden)
}

// Cookie names: the __Host- prefix (secure deployments) pins the cookie to
// this host and path and forbids it being set over plain HTTP.
const (
	cookieSecure = "__Host-bluelamp_session"
	cookiePlain  = "bluelamp_session"
)

// CookieName returns the session cookie's name for this deployment.
func (a *Authenticator) CookieName() string {
	if a.SecureCookies {
		return cookieSecure
	}
	return cookiePlain
}

// SetSessionCookie gives the browser its session secret: HttpOnly, SameSite
// Lax, Secure when the deployment is served over HTTPS.
func (a *Authenticator) SetSessionCookie(w http.ResponseWriter, secret string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: a.CookieName(), Value: secret, Path: "/", Expires: expires,
		HttpOnly: true, Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func (a *Authenticator) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: a.CookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: a.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// Request returns the actor making r: an API token in "Authorization:
// Bearer", else a session cookie. The session is nil for token callers.
// ErrNoCredentials when r carries neither.
func (a *Authenticator) Request(r *http.Request) (*bluelamp.Actor, *bluelamp.Session, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, nil, &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "bad_token", Message: "use Authorization: Bearer <token>"}
		}
		actor, err := a.TokenActor(r.Context(), strings.TrimSpace(secret))
		return actor, nil, err
	}
	c, err := r.Cookie(a.CookieName())
	if err != nil || c.Value == "" {
		return nil, nil, ErrNoCredentials
	}
	return a.SessionActor(r.Context(), c.Value)
}

// CheckOwnPassword confirms that pw is the signed-in actor's current
// password, before they change it.
func (a *Authenticator) CheckOwnPassword(ctx context.Context, actor *bluelamp.Actor, pw string) error {
	if actor == nil || actor.Kind != bluelamp.ActorUser {
		return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "session_required", Message: "sign in as yourself to change your password"}
	}
	c, err := a.Store.FindCredential(deployment(ctx), actor.Username, false)
	if err != nil {
		return err
	}
	if c.UserID != actor.UserID || c.PasswordHash == "" || !VerifyPassword(c.PasswordHash, pw) {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "invalid_fields", Message: "the current password is wrong",
			Fields: map[string]string{"current_password": "is wrong"}}
	}
	return nil
}
