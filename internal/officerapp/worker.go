package officerapp

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
)

// workerJS is the service worker's code; serviceWorker puts its
// configuration in front of it.
//
//go:embed worker/sw.js
var workerJS []byte

// ThemeColour is the app's theme colour: the header bar's dark blue.
const ThemeColour = "#142c66"

// icons are the manifest's icons, by path under static/: "any" for
// launchers that show the icon as drawn, "maskable" with the lamp inside
// the central safe zone for launchers that crop it to their own shape.
var icons = []struct{ file, sizes, purpose string }{
	{"icons/icon-192.png", "192x192", "any"},
	{"icons/icon-512.png", "512x512", "any"},
	{"icons/icon-maskable-192.png", "192x192", "maskable"},
	{"icons/icon-maskable-512.png", "512x512", "maskable"},
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

// manifest returns the web app manifest that makes the app installable.
func (a *App) manifest() ([]byte, error) {
	var is []manifestIcon
	for _, i := range icons {
		u, err := a.staticURL(i.file)
		if err != nil {
			return nil, err
		}
		is = append(is, manifestIcon{Src: u, Sizes: i.sizes, Type: "image/png", Purpose: i.purpose})
	}
	return json.MarshalIndent(map[string]any{
		"id":               Prefix,
		"name":             "bluelamp officer",
		"short_name":       "bluelamp",
		"description":      "Your unit, your status and your jobs, with or without a signal.",
		"lang":             "en-GB",
		"start_url":        Prefix,
		"scope":            Prefix,
		"display":          "standalone",
		"orientation":      "portrait",
		"theme_color":      ThemeColour,
		"background_color": "#f3f2f1",
		"icons":            is,
	}, "", "  ")
}

// workerConfig is what the service worker is told: the cache to keep and
// what to put in it.
type workerConfig struct {
	Cache string   `json:"cache"` // named for the build, so a new build replaces it
	Shell []string `json:"shell"` // every page and static file, precached on install
	Home  string   `json:"home"`  // the page to show offline for an app URL not in the cache
}

// serviceWorker returns the service worker script: its configuration, then
// worker/sw.js. The cache name carries a hash of every embedded file and
// the version, so the script's bytes change whenever the app does, which is
// what makes a browser install the new worker and replace the old cache.
func (a *App) serviceWorker() ([]byte, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", a.build, a.Version)
	h.Write(workerJS)
	cfg := workerConfig{Cache: "bluelamp-app-" + hex.EncodeToString(h.Sum(nil)[:8]), Home: Prefix}
	for _, s := range shells {
		cfg.Shell = append(cfg.Shell, Prefix+s.path)
	}
	cfg.Shell = append(cfg.Shell, Prefix+"manifest.webmanifest")
	var files []string
	for _, u := range a.static {
		// Licences and vendors' notes are for people, not for offline use.
		if path.Base(u) != "LICENSE" && path.Ext(u) != ".md" {
			files = append(files, u)
		}
	}
	slices.Sort(files)
	cfg.Shell = append(cfg.Shell, files...)
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	out := fmt.Appendf(nil, "// bluelamp officer app service worker, build %s.\nconst CONFIG = %s;\n\n", a.build, b)
	return append(out, workerJS...), nil
}

// handleServiceWorker serves the service worker. Browsers check it for
// updates on every navigation, so it is never cached.
func (a *App) handleServiceWorker(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.sw)
}

func (a *App) handleManifest(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/manifest+json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.man)
}
