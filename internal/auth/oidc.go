package auth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC is the relying party for staff sign-in through a force's identity
// provider (authorisation code flow with PKCE, state and nonce). A verified
// ID token's Claim is matched to a user: by email when Claim is "email",
// otherwise by username.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string        // this server's /auth/oidc/callback
	Claim        string        // default "email"
	Timeout      time.Duration // bound on each call to the identity provider; default 10s

	// mu guards the discovered provider: discovery is retried until it works,
	// so bluelamp starts even while the identity provider is down.
	mu       sync.Mutex
	provider *oidc.Provider
}

// Enabled reports whether OIDC sign-in is configured.
func (o *OIDC) Enabled() bool { return o != nil && o.Issuer != "" }

func (o *OIDC) claim() string {
	if o.Claim == "" {
		return "email"
	}
	return o.Claim
}

// ByEmail reports whether the claim is matched against users' email addresses.
func (o *OIDC) ByEmail() bool { return o.claim() == "email" }

// client returns ctx carrying the HTTP client for calls to the identity
// provider. Its timeout keeps a provider that accepts connections but never
// answers from holding sign-in pages (and discover's lock) forever; the
// provider keeps it for fetching signing keys too.
func (o *OIDC) client(ctx context.Context) context.Context {
	c := &http.Client{Timeout: cmp.Or(o.Timeout, 10*time.Second)}
	return context.WithValue(oidc.ClientContext(ctx, c), oauth2.HTTPClient, c)
}

func unavailable(err error) error {
	return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "oidc_unavailable",
		Message: "the identity provider cannot be reached; sign in with a password or try again shortly", Err: err}
}

func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.client(ctx), o.Issuer)
	if err != nil {
		return nil, unavailable(err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// OIDCFlow is what the browser must carry (in a short-lived cookie) between
// Start and Finish.
type OIDCFlow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
}

// Start returns the identity provider URL to send the browser to, and the
// flow secrets to keep for Finish.
func (o *OIDC) Start(ctx context.Context) (string, OIDCFlow, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", OIDCFlow{}, err
	}
	f := OIDCFlow{State: NewID(""), Nonce: NewID(""), Verifier: oauth2.GenerateVerifier()}
	u := o.config(p).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	return u, f, nil
}

// Finish exchanges the authorisation code, verifies the ID token (issuer,
// audience, expiry, signature, nonce) and returns the configured claim's value.
func (o *OIDC) Finish(ctx context.Context, f OIDCFlow, state, code string) (string, error) {
	if state == "" || state != f.State {
		return "", &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_state", Message: "the sign-in attempt expired or was tampered with; start again"}
	}
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	tok, err := o.config(p).Exchange(o.client(ctx), code, oauth2.VerifierOption(f.Verifier))
	if _, unreachable := errors.AsType[*url.Error](err); unreachable {
		return "", unavailable(err)
	}
	if err != nil {
		return "", &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_exchange", Message: "the identity provider refused the sign-in; start again", Err: err}
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_no_id_token", Message: "the identity provider sent no ID token"}
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_bad_token", Message: "the identity provider's token did not verify", Err: err}
	}
	if idt.Nonce != f.Nonce {
		return "", &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_nonce", Message: "the identity provider's token was not issued for this sign-in"}
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", fmt.Errorf("decode id token claims: %w", err)
	}
	v, _ := claims[o.claim()].(string)
	if v == "" {
		return "", &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "oidc_no_claim", Message: fmt.Sprintf("the identity provider sent no %q claim", o.claim())}
	}
	if o.ByEmail() {
		if verified, ok := claims["email_verified"].(bool); ok && !verified {
			return "", &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "oidc_email_unverified", Message: "the identity provider has not verified this email address"}
		}
	}
	return v, nil
}
