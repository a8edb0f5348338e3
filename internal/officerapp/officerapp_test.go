package officerapp

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func newServer(t *testing.T, version string) (*App, *httptest.Server) {
	t.Helper()
	a := &App{Version: version}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return a, srv
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// TestShells checks every page is served as an app shell: HTML that
// links the manifest and loads only content-hash URLs that answer, with a
// strict CSP and no user data, never cached by the browser's HTTP cache.
func TestShells(t *testing.T) {
	_, srv := newServer(t, "test")
	attr := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	for _, s := range shells {
		t.Run("page "+s.template, func(t *testing.T) {
			res, body := get(t, srv.URL+Prefix+s.path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", Prefix+s.path, res.StatusCode)
			}
			for h, want := range map[string]string{
				"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", "Content-Security-Policy": csp, "X-Frame-Options": "DENY",
			} {
				if got := res.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if !bytes.Contains(body, []byte(`<link rel="manifest" href="/app/manifest.webmanifest">`)) {
				t.Error("no manifest link")
			}
			if !bytes.Contains(body, []byte(`<meta name="theme-color" content="`+ThemeColour+`">`)) {
				t.Error("no theme colour")
			}
			for _, m := range attr.FindAllSubmatch(body, -1) {
				u := string(m[1])
				if !strings.HasPrefix(u, Prefix+"static/") {
					continue
				}
				if res, _ := get(t, srv.URL+u); res.StatusCode != http.StatusOK {
					t.Errorf("%s links %s, which answers %d", s.template, u, res.StatusCode)
				}
			}
		})
	}
	t.Run("unknown page", func(t *testing.T) {
		res, body := get(t, srv.URL+Prefix+"nope")
		if res.StatusCode != http.StatusNotFound || !bytes.Contains(body, []byte("There is no page at this address.")) {
			t.Fatalf("GET /app/nope: %d %s", res.StatusCode, body)
		}
	})
	t.Run("a page is GET only", func(t *testing.T) {
		res, err := http.Post(srv.URL+Prefix, "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Fatalf("POST /app/: %d", res.StatusCode)
		}
	})
}

// TestStatic checks static files are served under their content hash only,
// cached for a year, and that a wrong hash or an unknown file is not found.
func TestStatic(t *testing.T) {
	a, srv := newServer(t, "test")
	u := a.static["js/outbox.js"]
	res, body := get(t, srv.URL+u)
	if res.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("export class Outbox")) {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/javascript") {
		t.Errorf("Content-Type %q", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	for _, bad := range []string{
		Prefix + "static/000000000000/js/outbox.js", // a hash that is not the file's
		Prefix + "static/" + strings.Split(u, "/")[3] + "/js/nope.js",
		Prefix + "static/" + strings.Split(u, "/")[3] + "/js/%2e%2e/app.css",
	} {
		if res, _ := get(t, srv.URL+bad); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, res.StatusCode)
		}
	}
}

// TestModulesImportSiblings checks every relative import in the app's ES
// modules names a module that exists, so a typo fails here rather than on
// an officer's phone.
func TestModulesImportSiblings(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^import .* from "\./([a-z]+\.js)";$`)
	n := 0
	err := fs.WalkDir(staticFS, "static/js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(staticFS, p)
		if err != nil {
			return err
		}
		for _, m := range imp.FindAllSubmatch(b, -1) {
			n++
			if _, err := fs.Stat(staticFS, "static/js/"+string(m[1])); err != nil {
				t.Errorf("%s imports ./%s, which does not exist", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("found only %d imports: is the pattern right?", n)
	}
}

// TestManifest checks the web app manifest has what makes the app
// installable: a name, start URL and scope /app/, standalone display, a
// theme colour and PNG icons of 192 and 512 pixels, both "any" and
// "maskable", each served at the size it claims.
func TestManifest(t *testing.T) {
	_, srv := newServer(t, "test")
	res, body := get(t, srv.URL+Prefix+"manifest.webmanifest")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("GET manifest: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var m struct {
		Name, ShortName, StartURL, Scope, Display, ThemeColor, ID string
		Icons                                                     []manifestIcon
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for k, dst := range map[string]any{"name": &m.Name, "short_name": &m.ShortName, "start_url": &m.StartURL, "scope": &m.Scope,
		"display": &m.Display, "theme_color": &m.ThemeColor, "id": &m.ID, "icons": &m.Icons} {
		if err := json.Unmarshal(raw[k], dst); err != nil {
			t.Fatalf("manifest %s: %v", k, err)
		}
	}
	if m.Name == "" || m.ShortName == "" || m.StartURL != Prefix || m.Scope != Prefix || m.ID != Prefix || m.Display != "standalone" || m.ThemeColor != ThemeColour {
		t.Errorf("manifest %+v", m)
	}
	var have []string
	for _, i := range m.Icons {
		res, b := get(t, srv.URL+i.Src)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" || i.Type != "image/png" {
			t.Fatalf("icon %s: %d %s", i.Src, res.StatusCode, res.Header.Get("Content-Type"))
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("icon %s: %v", i.Src, err)
		}
		if got := strings.Join([]string{itoa(cfg.Width), itoa(cfg.Height)}, "x"); got != i.Sizes {
			t.Errorf("icon %s is %s, says %s", i.Src, got, i.Sizes)
		}
		have = append(have, i.Sizes+" "+i.Purpose)
	}
	for _, want := range []string{"192x192 any", "512x512 any", "192x192 maskable", "512x512 maskable"} {
		if !slices.Contains(have, want) {
			t.Errorf("no %s icon; have %v", want, have)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestServiceWorker checks the worker is served uncached at /app/sw.js,
// that it precaches every page, the manifest and every static file the
// pages load, each of which answers, and that its cache is named for the
// build: the same build gives the same name, another gives another.
func TestServiceWorker(t *testing.T) {
	a, srv := newServer(t, "v1")
	res, body := get(t, srv.URL+Prefix+"sw.js")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET sw.js: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	cfg := workerConfigOf(t, body)
	if !strings.HasPrefix(cfg.Cache, "bluelamp-app-") || cfg.Home != Prefix {
		t.Errorf("config %+v", cfg)
	}
	want := []string{Prefix, Prefix + "signin", Prefix + "book-on", Prefix + "jobs", Prefix + "manifest.webmanifest"}
	for name, u := range a.static {
		if path.Base(name) != "LICENSE" && path.Ext(name) != ".md" {
			want = append(want, u)
		}
	}
	for _, u := range want {
		if !slices.Contains(cfg.Shell, u) {
			t.Errorf("the worker does not precache %s", u)
		}
	}
	for _, u := range cfg.Shell {
		if res, _ := get(t, srv.URL+u); res.StatusCode != http.StatusOK {
			t.Errorf("the worker precaches %s, which answers %d: its install would fail", u, res.StatusCode)
		}
	}

	_, again := newServer(t, "v1")
	_, b2 := get(t, again.URL+Prefix+"sw.js")
	if got := workerConfigOf(t, b2).Cache; got != cfg.Cache {
		t.Errorf("the same build names its cache %s and %s", cfg.Cache, got)
	}
	_, next := newServer(t, "v2")
	_, b3 := get(t, next.URL+Prefix+"sw.js")
	if got := workerConfigOf(t, b3).Cache; got == cfg.Cache {
		t.Errorf("a new version keeps the cache name %s: phones would keep the old app", got)
	}
}

func workerConfigOf(t *testing.T, sw []byte) workerConfig {
	t.Helper()
	m := regexp.MustCompile(`(?m)^const CONFIG = (.*);$`).FindSubmatch(sw)
	if m == nil {
		t.Fatalf("no CONFIG in the worker:\n%.300s", sw)
	}
	var cfg workerConfig
	if err := json.Unmarshal(m[1], &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}
