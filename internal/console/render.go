package console

import (
	"bytes"
	"net/http"

	"github.com/bluelamp/bluelamp"
)

// page is what every template gets.
type page struct {
	Title   string
	Version string
	User    *bluelamp.User
	Force   *bluelamp.Force
	Session *bluelamp.Session
	Error   string
	Notice  string
	Next    string
	OIDC    bool
	Roles   []bluelamp.Role
}

// render executes a template into a buffer first, so a template error never
// sends half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Version = c.Version
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		c.Logger.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (c *Console) handleNotFound(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusNotFound, "error.html", page{Title: "Page not found", Error: "There is no page at this address."})
}
