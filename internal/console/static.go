package console

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
// "app.css" or "vendor/leaflet/leaflet.js") to its URL, /static/HASH/PATH,
// where HASH is the first 6 bytes of a SHA-256, in hex.
//
// A file of our own is hashed alone, except the console's ES modules in
// static/js/: a module imports its siblings by relative URL ("./store.js"),
// so they are hashed as one directory and share one prefix, as a vendored
// library does. A vendored library, static/vendor/NAME/,
// is hashed as one directory, and every file in it shares that prefix:
// leaflet.css names its images by relative URL (url(images/layers.png)), and
// leaflet.js finds its marker icons by reading that URL back from the CSS, so
// the library's files must keep their layout under a single prefix for the
// browser to resolve them. Rewriting the CSS to per-file URLs instead would
// change the vendored bytes and still miss the URLs Leaflet builds at run
// time. A change to any file in the directory changes every URL in it, so the
// year-long immutable caching stays safe.
func staticURLs() (map[string]string, error) {
	sums := map[string]hash.Hash{} // group → running hash
	group := map[string]string{}   // file path → group
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
		group[name] = g
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static files: %w", err)
	}
	urls := make(map[string]string, len(group))
	for name, g := range group {
		urls[name] = "/static/" + hex.EncodeToString(sums[g].Sum(nil)[:6]) + "/" + name
	}
	return urls, nil
}

// staticURL is the template function "static": the content-hash URL of an
// embedded file, by its path under static/. An unknown path is an error, so
// a typo fails the page rather than linking nothing.
func (c *Console) staticURL(name string) (string, error) {
	u, ok := c.static[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return u, nil
}

// handleStatic serves an embedded file; its URL holds a hash of its content,
// so browsers may cache it for a year.
func (c *Console) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	url, ok := c.static[name]
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
