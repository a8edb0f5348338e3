package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/demo"
)

// apiClient signs in as a demo user and returns a client with the session.
func apiClient(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Post(base+"/api/v1/session", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, demo.Password)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d", username, res.StatusCode)
	}
	return c
}

func TestDemoSignIns(t *testing.T) {
	m := startDemo(t)
	for _, s := range demo.SignIns() {
		c := apiClient(t, m.URL(), s.Username)
		res, err := c.Get(m.URL() + "/api/v1/me")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: /me %d", s.Username, res.StatusCode)
		}
	}
	res, err := http.Get(m.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, name := range []string{"bluelamp_http_request_duration_seconds_bucket", "bluelamp_events_appended_total", "bluelamp_outbox_lag_events",
		"bluelamp_bus_connected 1", "bluelamp_live_clients", "process_resident_memory_bytes", "go_goroutines"} {
		if !strings.Contains(string(body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.json"} {
		res, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
}

// TestOpenFailsCleanly starts against a database that is not there: Open
// fails with a clear error and closes what it had built, without a panic.
func TestOpenFailsCleanly(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.Database = "127.0.0.1:0", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	err := m.Open(t.Context())
	if err == nil || bluelamp.KindOf(err) != bluelamp.KindUnavailable {
		t.Fatalf("Open = %v, want an unavailable database", err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close after a failed Open: %v", err)
	}
}
