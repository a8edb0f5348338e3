package console

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

const flowCookie = "bluelamp_oidc"

// handleOIDCLogin sends the browser to the identity provider, keeping the
// state, nonce and PKCE verifier in a short-lived HttpOnly cookie.
func (c *Console) handleOIDCLogin(w http.ResponseWriter, r *http.Request) {
	if !c.OIDC.Enabled() {
		c.handleNotFound(w, r)
		return
	}
	u, flow, err := c.OIDC.Start(r.Context())
	if err != nil {
		c.oidcFailed(w, r, err)
		return
	}
	b, _ := json.Marshal(flow)
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/auth/oidc/",
		MaxAge: int((10 * time.Minute).Seconds()), HttpOnly: true, Secure: c.Auth.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, u, http.StatusFound)
}

// handleOIDCCallback completes the flow and signs the matched user in.
func (c *Console) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	if !c.OIDC.Enabled() {
		c.handleNotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: c.Auth.SecureCookies})
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		c.oidcFailed(w, r, &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_refused", Message: "the identity provider did not sign you in"})
		return
	}
	var flow auth.OIDCFlow
	ck, err := r.Cookie(flowCookie)
	if err == nil {
		var b []byte
		if b, err = base64.RawURLEncoding.DecodeString(ck.Value); err == nil {
			err = json.Unmarshal(b, &flow)
		}
	}
	if err != nil {
		c.oidcFailed(w, r, &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "oidc_state", Message: "the sign-in attempt expired; start again"})
		return
	}
	claim, err := c.OIDC.Finish(r.Context(), flow, q.Get("state"), q.Get("code"))
	if err != nil {
		c.oidcFailed(w, r, err)
		return
	}
	secret, sess, err := c.Auth.SignInOIDC(r.Context(), claim, c.OIDC.ByEmail())
	if err != nil {
		c.oidcFailed(w, r, err)
		return
	}
	c.Auth.SetSessionCookie(w, secret, sess.ExpiresAt)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (c *Console) oidcFailed(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusUnauthorized
	switch bluelamp.KindOf(err) {
	case bluelamp.KindForbidden:
		status = http.StatusForbidden
	case bluelamp.KindLocked:
		status = http.StatusLocked
	case bluelamp.KindUnavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "30")
	case bluelamp.KindInternal:
		c.failed(w, r, err)
		return
	}
	c.Logger.InfoContext(r.Context(), "oidc sign-in failed", "err", err)
	c.render(w, r, status, "signin.html", page{Title: "Sign in", OIDC: true, Error: capitalise(bluelamp.MessageOf(err)) + "."})
}
