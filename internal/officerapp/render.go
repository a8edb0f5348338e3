package officerapp

import (
	"bytes"
	"net/http"
)

// page is what every template gets. It holds no user data: pages are app
// shells the service worker caches and serves to whoever is signed in.
type page struct {
	Title   string
	Name    string // the page's name, for the navigation's aria-current
	Public  bool   // a page for anyone (sign-in, a receipt): no app navigation
	Version string
	Error   string
}

// csp is the pages' Content-Security-Policy: nothing inline, everything
// from this origin, including the service worker and the manifest.
const csp = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; " +
	"worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// render executes a template into a buffer first, so a template error never
// sends half a page.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Version = a.Version
	var buf bytes.Buffer
	if err := a.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		a.Logger.ErrorContext(r.Context(), "render officer app page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The service worker keeps the shells; the browser's HTTP cache must
	// not serve it a stale one when it installs a new version.
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", csp)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (a *App) handleNotFound(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusNotFound, "error.html", page{Title: "Page not found", Name: "error", Public: true, Error: "There is no page at this address."})
}
