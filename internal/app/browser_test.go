package app

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/chromedp/chromedp"
)

// chromium returns the Chromium to drive: $BLUELAMP_TEST_CHROMIUM (which
// .ci/run always sets, so CI fails rather than skips without a browser), or
// chromium on the PATH. With neither, the browser tests skip: the README's
// test command needs only Go.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("BLUELAMP_TEST_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("BLUELAMP_TEST_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium: set BLUELAMP_TEST_CHROMIUM or install Debian's chromium (.ci/run does)")
	}
	return p
}

// browser starts a headless Chromium and returns a context for one tab.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-gpu", true),
	)
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	return ctx
}

// artifact saves a screenshot where CI keeps test artifacts.
func artifact(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("BLUELAMP_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "bluelamp-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// startDemo runs a demo node on a free port.
func startDemo(t *testing.T) *Main {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", t.TempDir(), true
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestBrowserSignIn signs in as a demo user in a real browser, sees the
// signed-in page, sees the force log update live, and signs out.
func TestBrowserSignIn(t *testing.T) {
	m := startDemo(t)
	ctx := browser(t, 1280, 800)

	if err := chromedp.Do(ctx, chromedp.Navigate(m.URL()), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
		t.Fatal(err)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(u, "/signin") {
		t.Fatalf("signed-out visit to / landed on %q (%v)", u, err)
	}
	// A wrong password is refused with a clear message.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "demo.controller"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong-password\n"),
		chromedp.WaitVisible(chromedp.ID("signin-error")),
	); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("signin-error")))
	if err != nil || !strings.Contains(msg, "Wrong username or password") {
		t.Fatalf("error message %q (%v)", msg, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, "signin-error.png", png)

	// The username is kept; the right password signs in.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("password"), demo.Password+"\n"),
		chromedp.WaitVisible(chromedp.ID("display-name")),
	); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"display-name": "Fanny Robin", "force-name": "Wessex Constabulary", "roles": "Controller"} {
		got, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil || !strings.Contains(got, want) {
			t.Fatalf("#%s = %q (%v), want %q", id, got, err, want)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("stream-status").textContent === "live"`)); err != nil {
		t.Fatalf("the live stream did not connect: %v", err)
	}

	// A note written elsewhere appears without a reload.
	c := apiClient(t, m.URL(), "demo.supervisor")
	res, err := c.Post(m.URL()+"/api/v1/log/notes", "application/json", strings.NewReader(`{"text":"Shift handover at Casterbridge"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("post note: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll("#log li")].some(li => li.textContent.includes("log.note"))`)); err != nil {
		t.Fatalf("the note did not appear live: %v", err)
	}
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artifact(t, "signed-in.png", png)

	// Signing out ends the session and says so.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".signout button")), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
		t.Fatal(err)
	}
	if txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".alert.notice"))); err != nil || !strings.Contains(txt, "signed out") {
		t.Fatalf("sign-out notice %q (%v)", txt, err)
	}
}
