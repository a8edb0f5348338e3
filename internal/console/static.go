package console

import (
	"mime"
	"net/http"
	"path"
)

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
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
