package app

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// streamLines opens the event stream and returns its lines as they come.
func streamLines(t *testing.T, c *http.Client, url string) <-chan string {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url+"/api/v1/events", nil)
	res, err := c.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", res, err)
	}
	lines := make(chan string, 256)
	go func() {
		defer close(lines)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

// waitLine waits for a line containing want, failing if the stream closes first.
func waitLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("stream closed before %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within 20s", want)
		}
	}
}

// TestGracefulShutdown closes a node with live streams open and writes just
// committed: streams are told and end, Close returns, and every committed
// event was published before the bus closed (the outbox drained).
func TestGracefulShutdown(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", t.TempDir(), true
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := apiClient(t, m.URL(), "demo.controller")
	lines := streamLines(t, c, m.URL())
	waitLine(t, lines, "event: ready")
	for range 20 {
		res, err := c.Post(m.URL()+"/api/v1/log/notes", "application/json", strings.NewReader(`{"text":"just before shutdown"}`))
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("note: %v %v", res, err)
		}
		res.Body.Close()
	}
	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	waitLine(t, lines, `"code":"shutting_down"`)
	for range lines {
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(cfg.ShutdownTimeout + 5*time.Second):
		t.Fatal("Close did not return")
	}

	s := sqlstore.New(cfg.DatabaseDSN())
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := bluelamp.SystemContext(context.Background(), "", "test")
	heads, err := s.FindHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := s.FindOutboxCursors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range heads {
		if cursors[h.ForceID] != h.Seq {
			t.Fatalf("force %s: published up to %d of %d: the outbox did not drain", h.ForceID, cursors[h.ForceID], h.Seq)
		}
	}
}

// TestStreamEndsAtSignOut checks that a live stream stops delivering when
// its session ends elsewhere: the heartbeat re-checks the session.
func TestStreamEndsAtSignOut(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", t.TempDir(), true
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	m.Heartbeat = 50 * time.Millisecond
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	c := apiClient(t, m.URL(), "demo.controller")
	lines := streamLines(t, c, m.URL())
	waitLine(t, lines, "event: ready")
	waitLine(t, lines, ": keep-alive")
	req, _ := http.NewRequest("DELETE", m.URL()+"/api/v1/session", nil)
	res, err := c.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %v %v", res, err)
	}
	res.Body.Close()
	waitLine(t, lines, `"code":"signed_out"`)
	for range lines {
	}
}

// TestStreamRedactsPersonalData: a user created while a force admin watches
// the stream arrives with its payload redacted.
func TestStreamRedactsPersonalData(t *testing.T) {
	m := startDemo(t)
	c := apiClient(t, m.URL(), "demo.admin")
	lines := streamLines(t, c, m.URL())
	waitLine(t, lines, "event: ready")
	res, err := c.Post(m.URL()+"/api/v1/users", "application/json",
		strings.NewReader(`{"username":"new.starter","display_name":"Newton Starter","email":"newton@wessex.police.example","roles":["analyst"]}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create user: %v %v", res, err)
	}
	res.Body.Close()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream closed")
			}
			if !strings.Contains(l, `"type":"user.created"`) {
				continue
			}
			if strings.Contains(l, "Newton") || strings.Contains(l, "newton@") || !strings.Contains(l, "redacted") {
				t.Fatalf("user.created broadcast with personal data: %s", l)
			}
			return
		case <-timeout:
			t.Fatal("no user.created frame")
		}
	}
}
