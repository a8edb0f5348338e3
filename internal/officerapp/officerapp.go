// Package officerapp serves the officer app: bluelamp's phone-first pages for
// officers on the street, installable as a progressive web app and built to
// keep working with no signal.
//
// Every page is an app shell: html/template rendered with no user data at
// all, so the service worker (/app/sw.js) can precache the shells and serve
// them offline. The pages' ES modules read everything else from the JSON API
// (/api/v1), which decides who may see and do what; the app adds no rules
// of its own. Actions an officer takes (status, log updates, forms) go
// through an outbox in IndexedDB (static/js/outbox.js) and reach the API,
// in the order taken, each with its own Idempotency-Key, so an action sent
// twice is applied once. docs/OFFICER-APP.md describes the offline rules.
package officerapp

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the app is mounted: the service worker's scope and the
// manifest's start URL.
const Prefix = "/app/"

// App serves the officer app's pages, static files, web app manifest and
// service worker, all under Prefix. Set the fields, then call Handler.
type App struct {
	Logger  *slog.Logger
	Version string

	tmpl   *template.Template
	static map[string]string // path under static/ → content-hash URL
	build  string            // hash of every embedded file: names the service worker's cache
	sw     []byte            // the service worker script
	man    []byte            // the web app manifest
}

// Handler parses the templates, hashes the static files and returns the
// app's handler, for requests whose path starts with Prefix. It panics if
// the embedded files are broken, which only a broken build can cause.
func (a *App) Handler() http.Handler {
	if a.Logger == nil {
		a.Logger = slog.Default()
	}
	static, build, err := staticURLs()
	if err != nil {
		panic(err)
	}
	a.static, a.build = static, build
	a.tmpl = template.Must(template.New("").Funcs(template.FuncMap{"static": a.staticURL}).ParseFS(templateFS, "templates/*.html"))
	if a.man, err = a.manifest(); err != nil {
		panic(err)
	}
	if a.sw, err = a.serviceWorker(); err != nil {
		panic(err)
	}
	return http.NewCrossOriginProtection().Handler(a.routes())
}
