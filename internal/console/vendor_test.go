package console

import (
	"bytes"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// leafletInclude is how a page includes Leaflet.
const leafletInclude = `<link rel="stylesheet" href="{{static "vendor/leaflet/leaflet.css"}}">
<script src="{{static "vendor/leaflet/leaflet.js"}}"></script>`

// TestVendorLeaflet renders the include a page would use, fetches both files,
// and follows every image URL the CSS names, and every icon Leaflet's script
// builds from the CSS's images/ path, to a 200.
func TestVendorLeaflet(t *testing.T) {
	t.Parallel()
	c := &Console{Logger: slog.New(slog.DiscardHandler), Version: "test"}
	ts := httptest.NewServer(c.Handler())
	t.Cleanup(ts.Close)

	tmpl := template.Must(template.Must(c.tmpl.Clone()).New("t").Parse(leafletInclude))
	var page bytes.Buffer
	if err := tmpl.Execute(&page, nil); err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`href="(/static/([0-9a-f]{12})/vendor/leaflet/leaflet\.css)"`).FindStringSubmatch(page.String())
	js := regexp.MustCompile(`src="(/static/([0-9a-f]{12})/vendor/leaflet/leaflet\.js)"`).FindStringSubmatch(page.String())
	if css == nil || js == nil {
		t.Fatalf("the include does not link leaflet.css and leaflet.js by content-hash URLs:\n%s", page.String())
	}
	if css[2] != js[2] {
		t.Errorf("leaflet.css under %s, leaflet.js under %s: a vendored directory shares one prefix", css[2], js[2])
	}

	cssBody := wantServed(t, ts.URL+css[1], "vendor/leaflet/leaflet.css", "text/css; charset=utf-8")
	wantServed(t, ts.URL+js[1], "vendor/leaflet/leaflet.js", "text/javascript; charset=utf-8")
	wantServed(t, ts.URL+path.Dir(css[1])+"/LICENSE", "vendor/leaflet/LICENSE", "text/plain; charset=utf-8")

	base, err := url.Parse(ts.URL + css[1])
	if err != nil {
		t.Fatal(err)
	}
	refs := map[string]bool{}
	for _, m := range regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`).FindAllStringSubmatch(cssBody, -1) {
		if !strings.HasPrefix(m[1], "#") && !strings.HasPrefix(m[1], "data:") {
			refs[m[1]] = true
		}
	}
	if len(refs) == 0 {
		t.Fatal("leaflet.css names no images")
	}
	// L.Icon.Default reads images/ from the CSS and adds these names itself.
	for _, name := range []string{"marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"} {
		refs["images/"+name] = true
	}
	for ref := range refs {
		u, err := base.Parse(ref)
		if err != nil {
			t.Fatalf("url(%s): %v", ref, err)
		}
		body := wantServed(t, u.String(), path.Join("vendor/leaflet", ref), "image/png")
		if !strings.HasPrefix(body, "\x89PNG\r\n\x1a\n") {
			t.Errorf("url(%s) is not a PNG", ref)
		}
	}

	other := c.static["app.css"][len("/static/") : len("/static/")+12]
	for _, p := range []string{
		"/static/" + other + "/vendor/leaflet/images/layers.png",
		"/static/" + css[2] + "/vendor/leaflet/images/nope.png",
		"/static/" + css[2] + "/vendor/leaflet/..%2f..%2fconsole.go",
	} {
		res, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound || strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: status %d, Cache-Control %q; want an uncached 404", p, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}

	bad := template.Must(template.Must(c.tmpl.Clone()).New("t").Parse(`{{static "vendor/leaflet/leaflet.min.js"}}`))
	if err := bad.Execute(io.Discard, nil); err == nil {
		t.Error("an unknown static file rendered; want an error")
	}
}

// wantServed fetches u and checks it is file (a path under static/), with
// contentType and the immutable caching headers; it returns the body.
func wantServed(t *testing.T, u, file, contentType string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", u, res.StatusCode)
	}
	want, err := os.ReadFile(filepath.Join("static", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("GET %s: served content differs from static/%s", u, file)
	}
	for header, want := range map[string]string{
		"Content-Type":           contentType,
		"Cache-Control":          "public, max-age=31536000, immutable",
		"X-Content-Type-Options": "nosniff",
	} {
		if got := res.Header.Get(header); got != want {
			t.Errorf("GET %s: %s = %q, want %q", u, header, got, want)
		}
	}
	return string(body)
}
