package officerapp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// staticURLs maps the path of every embedded file under static/ (such as
// "app.css" or "js/outbox.js") to its URL, Prefix+"static/HASH/PATH", where
// HASH is the first 6 bytes of a SHA-256, in hex. It also returns the build
// hash: a digest of every embedded file, static and template, which names
// the service worker's cache, so any change to the app replaces the cache.
//
// As in the console, a file of our own is hashed alone, except the ES
// modules in static/js/, which import their siblings by relative URL and so
// share one prefix, and a vendored library, static/vendor/NAME/, whose files
// keep their layout under one prefix.
func staticURLs() (map[string]string, string, error) {
	sums := map[string]hash.Hash{} // group → running hash
	group := map[string]string{}   // file path → group
	build := sha256.New()
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFS, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		g, dir := name, false
		switch parts := strings.SplitN(name, "/", 3); {
		case len(parts) == 3 && parts[0] == "vendor":
			g, dir = "vendor/"+parts[1], true
		case len(parts) >= 2 && parts[0] == "js":
			g, dir = "js", true
		}
		h, ok := sums[g]
		if !ok {
			h = sha256.New()
			sums[g] = h
		}
		if dir {
			// Path and length too, so renaming or splitting files changes the
			// hash. WalkDir's lexical order makes it deterministic.
			fmt.Fprintf(h, "%s\x00%d\x00", strings.TrimPrefix(name, g+"/"), len(b))
		}
		h.Write(b)
		fmt.Fprintf(build, "%s\x00%d\x00", p, len(b))
		build.Write(b)
		group[name] = g
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("hash static files: %w", err)
	}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(build, "%s\x00%d\x00", p, len(b))
		build.Write(b)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("hash templates: %w", err)
	}
	urls := make(map[string]string, len(group))
	for name, g := range group {
		urls[name] = Prefix + "static/" + hex.EncodeToString(sums[g].Sum(nil)[:6]) + "/" + name
	}
	return urls, hex.EncodeToString(build.Sum(nil)[:8]), nil
}

// staticURL is the template function "static": the content-hash URL of an
// embedded file, by its path under static/. An unknown path is an error, so
// a typo fails the page rather than linking nothing.
func (a *App) staticURL(name string) (string, error) {
	u, ok := a.static[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// handleStatic serves an embedded file; its URL holds a hash of its content,
// so browsers may cache it for a year.
func (a *App) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	url, ok := a.static[name]
	if !ok || url != r.URL.Path {
		http.NotFound(w, r)
		return
	}
	b, err := staticFS.ReadFile(path.Join("static", name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch {
	case ct != "":
	case path.Ext(name) == "":
		ct = "text/plain; charset=utf-8" // a vendored LICENSE
	default:
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
