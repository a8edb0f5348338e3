package console

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strings"

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

	// Command-and-control pages.
	Nav       []navLink        // the pages the user's roles open
	Can       can              // the actions the user's roles allow
	Wide      bool             // full-width layout (the console at 1920×1080)
	Emergency []*bluelamp.Unit // units in EMERGENCY, bannered on every page
	State     *liveState       // the first render's data, for the page's modules
	StateJSON template.JS      // State encoded, set by render
	Data      any              // the page's own view
	Shortcuts []shortcut       // shown on screen and in the help overlay
}

// render executes a template into a buffer first, so a template error never
// sends half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Version = c.Version
	if p.State != nil {
		// json.Marshal escapes <, > and & (and U+2028, U+2029), so the
		// encoding cannot end the <script> element it sits in; encoding it
		// here spares html/template a second pass over a large queue.
		b, err := json.Marshal(p.State)
		if err != nil {
			c.Logger.ErrorContext(r.Context(), "encode page state", "page", name, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		p.StateJSON = template.JS(b)
	}
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
	h.Set("Content-Security-Policy", c.csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// contentSecurityPolicy is the pages' CSP: nothing inline, everything from
// this origin. Leaflet positions its panes and markers through the CSSOM
// (element.style), which style-src does not govern, so style-src stays
// 'self'. The one addition is the tile server's origin in img-src, and only
// when one is configured: tiles are images from that host.
func contentSecurityPolicy(tileURL string) string {
	img := "'self' data:"
	// Leaflet's {s}, {z}, {x}, {y} and {r} are not URL syntax: fill them in
	// to parse the URL, then allow {s} subdomains by wildcard.
	filled := strings.NewReplacer("{s}", "s", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tileURL)
	if u, err := url.Parse(filled); err == nil && tileURL != "" && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		host := u.Host
		if strings.Contains(tileURL, "//{s}.") {
			host = "*" + strings.TrimPrefix(host, "s")
		}
		img += " " + u.Scheme + "://" + host
	}
	return "default-src 'self'; img-src " + img + "; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
}

func (c *Console) handleNotFound(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusNotFound, "error.html", page{Title: "Page not found", Error: "There is no page at this address."})
}
