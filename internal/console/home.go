package console

import (
	"net/http"
	"slices"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

// signedIn returns the request's session actor, or nil when there is none.
func (c *Console) signedIn(r *http.Request) (*bluelamp.Actor, *bluelamp.Session) {
	a, s, err := c.Auth.Request(r)
	if err != nil || s == nil {
		return nil, nil
	}
	return a, s
}

// handleHome shows who is signed in, in which force, with which roles.
func (c *Console) handleHome(w http.ResponseWriter, r *http.Request) {
	actor, sess := c.signedIn(r)
	if actor == nil {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	ctx := bluelamp.NewContext(r.Context(), actor)
	u, err := c.Store.FindSelf(ctx)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	f, err := c.Store.FindForceByID(ctx, actor.ForceID)
	if err != nil {
		c.failed(w, r, err)
		return
	}
	roles := slices.Clone(u.Roles)
	var nav []navLink
	if actor.HasRole(staff...) {
		nav = navFor(actor, "")
	}
	c.render(w, r, http.StatusOK, "home.html", page{Title: "Signed in", User: u, Force: f, Session: sess, Roles: roles, Nav: nav,
		Notice: r.URL.Query().Get("notice")})
}

func (c *Console) failed(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "Something went wrong. Try again; if it keeps happening, tell your force's support desk."
	if bluelamp.KindOf(err) == bluelamp.KindUnavailable {
		status, msg = http.StatusServiceUnavailable, bluelamp.MessageOf(err)
		w.Header().Set("Retry-After", "5")
	}
	c.Logger.ErrorContext(r.Context(), "console page failed", "path", r.URL.Path, "err", err)
	c.render(w, r, status, "error.html", page{Title: "Something went wrong", Error: msg})
}

func (c *Console) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	if a, _ := c.signedIn(r); a != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "signin.html", page{Title: "Sign in", OIDC: c.OIDC.Enabled(), Notice: signInNotice(r.URL.Query().Get("notice"))})
}

func signInNotice(code string) string {
	switch code {
	case "signed_out":
		return "You have signed out."
	case "expired":
		return "Your session has ended. Sign in again."
	}
	return ""
}

// maxForm bounds a posted form.
const maxForm = 16 << 10

func (c *Console) handleSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		c.render(w, r, http.StatusBadRequest, "signin.html", page{Title: "Sign in", OIDC: c.OIDC.Enabled(), Error: "The form could not be read. Try again."})
		return
	}
	username := r.PostForm.Get("username")
	if username == "" || r.PostForm.Get("password") == "" {
		c.render(w, r, http.StatusBadRequest, "signin.html", page{Title: "Sign in", OIDC: c.OIDC.Enabled(), Next: username,
			Error: "Enter your username and password."})
		return
	}
	secret, sess, err := c.Auth.SignIn(r.Context(), username, r.PostForm.Get("password"))
	if err != nil {
		if !auth.IsAuthError(err) {
			c.failed(w, r, err)
			return
		}
		status := http.StatusUnauthorized
		if bluelamp.KindOf(err) == bluelamp.KindLocked {
			status = http.StatusLocked
		} else if bluelamp.KindOf(err) == bluelamp.KindForbidden {
			status = http.StatusForbidden
		}
		c.render(w, r, status, "signin.html", page{Title: "Sign in", OIDC: c.OIDC.Enabled(), Next: username, Error: capitalise(bluelamp.MessageOf(err)) + "."})
		return
	}
	c.Auth.SetSessionCookie(w, secret, sess.ExpiresAt)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (c *Console) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if actor, sess := c.signedIn(r); actor != nil {
		if err := c.Store.EndSession(bluelamp.NewContext(r.Context(), actor), sess.ID); err != nil && bluelamp.KindOf(err) != bluelamp.KindNotFound {
			c.failed(w, r, err)
			return
		}
	}
	c.Auth.ClearSessionCookie(w)
	http.Redirect(w, r, "/signin?notice=signed_out", http.StatusSeeOther)
}

func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
