package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/demo"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// phoneUA is a current Android Chrome's user agent: the app is used on
// phones, and pages may read it (the Navigate link does).
const phoneUA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"

// newPhone starts a browser emulating a phone (390×844, touch, a mobile
// user agent) with its own cookies, storage and service workers. Its
// session's helpers (wait, eval, shot, noErrors) work as the console's do.
func newPhone(t *testing.T, base, name string) *session {
	t.Helper()
	s := &session{t: t, ctx: browser(t, 390, 844), base: base, name: name}
	s.do(
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: phoneUA, Platform: "Android"})
			return err
		}),
		chromedp.Navigate("about:blank"),
	)
	s.listen()
	return s
}

// appSignIn signs username in through the app's own sign-in page and
// waits for the page the app lands on.
func (s *session) appSignIn(username, landing string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base+"/app/signin"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), demo.Password+"\n"))
	s.until(fmt.Sprintf(`location.pathname === %q && document.readyState === "complete"`, landing), "the app after sign-in")
}

// until polls a JavaScript condition until it holds, as wait does, and
// also through the navigations the app makes by itself (sign-in, book-on).
func (s *session) until(cond, what string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := chromedp.Run(s.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // a pause before polling again, not a wait for the page
			continue
		}
		png, _ := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
		artifact(s.t, "failed-"+s.name+".png", png)
		s.t.Fatalf("%s: waiting for %s: %v\n%s", s.name, what, err, s.errors())
	}
}

// tap taps the element sel finds, as a finger does.
func (s *session) tap(sel string) {
	s.t.Helper()
	s.touch(sel, 0)
}

// hold presses the element sel finds with a finger for d, then lifts it.
func (s *session) hold(sel string, d time.Duration) {
	s.t.Helper()
	s.touch(sel, d)
}

func (s *session) touch(sel string, d time.Duration) {
	s.t.Helper()
	s.wait(fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.scrollIntoView({block: "center"}); return true; })()`, sel), sel)
	// A finger lands where the element is once the page has stopped
	// moving: the same element at the same point for 300 ms, and on top
	// there (a scroll, a banner or a redraw still settling would put the
	// tap elsewhere; under the race detector a redraw can lag a while).
	s.wait(fmt.Sprintf(`(() => {
		const e = document.querySelector(%q); if (!e) return false;
		const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
		const at = document.elementFromPoint(x, y), key = x + "," + y, now = performance.now();
		const prev = window.__tapAt;
		if (!prev || prev.key !== key || prev.el !== e) { window.__tapAt = { key, el: e, since: now }; return false; }
		return now - prev.since >= 300 && at !== null && (at === e || e.contains(at));
	})()`, sel), sel+" to be still and on top")
	// Note where the finger lands, to say so if it is not the element.
	s.do(chromedp.Evaluate[chromedp.Void](`window.__tapped = null; addEventListener("touchstart", (ev) => { window.__tapped = ev.target; }, { capture: true, once: true })`))
	box := eval[[]float64](s, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`, sel))
	pt := []*input.TouchPoint{{X: box[0], Y: box[1]}}
	call := func(typ input.DispatchTouchEventType, pts []*input.TouchPoint) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
			return err
		})
	}
	s.do(call(input.DispatchTouchEventTypeTouchStart, pt))
	if d > 0 {
		// A held finger is the gesture itself, not a wait for the page.
		time.Sleep(d)
	}
	s.do(call(input.DispatchTouchEventTypeTouchEnd, []*input.TouchPoint{}))
	// The element tapped may have been redrawn since: it is matched by
	// the selector, not by identity.
	if hit := eval[string](s, fmt.Sprintf(`(() => { const t = window.__tapped;
		return !t || !t.closest || t.closest(%q) ? "" : (t.outerHTML || String(t)).slice(0, 120); })()`, sel)); hit != "" {
		s.t.Fatalf("%s: the tap meant for %s landed on %s: the page moved under the finger", s.name, sel, hit)
	}
}

// setOffline cuts the phone's network, or gives it back: every request the
// page or its service worker makes fails, and navigator.onLine and the
// online/offline events follow, as when a phone loses its signal.
func (s *session) setOffline(off bool) {
	s.t.Helper()
	s.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { return emulateOffline(ctx, off) }))
	// The service worker has a target of its own, and Chromium 156 no
	// longer takes the page's offline setting to cover its fetches: it is
	// cut off too, or it would answer the page from the network.
	targets, err := chromedp.Targets(s.ctx)
	if err != nil {
		s.t.Fatalf("%s: list targets: %v", s.name, err)
	}
	for _, ti := range targets {
		if ti.Type != "service_worker" {
			continue
		}
		if s.workers == nil {
			s.workers = map[target.ID]context.Context{}
		}
		wctx, ok := s.workers[ti.TargetID]
		if !ok {
			// Kept for the session: cancelling would detach from (or
			// close) the worker.
			wctx, _ = chromedp.NewContext(s.ctx, chromedp.WithTargetID(ti.TargetID))
			s.workers[ti.TargetID] = wctx
		}
		if err := chromedp.Do(wctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			return emulateOffline(ctx, off)
		})); err != nil {
			s.t.Fatalf("%s: take the service worker offline: %v", s.name, err)
		}
	}
}

// emulateOffline cuts the target in ctx off the network, or restores it.
func emulateOffline(ctx context.Context, off bool) error {
	conds := []*network.Conditions{}
	if off {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &off, MatchedNetworkConditions: conds,
	}); err != nil {
		return fmt.Errorf("emulate network conditions: %w", err)
	}
	_, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
	return err
}

// listen records the script errors, CSP refusals and console errors the
// phone sees, for noErrors; failed requests are the network's, not errors
// (a phone offline makes many).
func (s *session) listen() {
	_ = chromedp.Listen(s.ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError && ev.Entry.Source != log.EntrySourceNetwork {
				msg = fmt.Sprintf("log %s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				msg = "console.error: " + strings.Join(parts, " ")
			}
		}
		if msg != "" {
			s.mu.Lock()
			s.errs = append(s.errs, msg)
			s.mu.Unlock()
		}
	})
}

// text returns the trimmed text of the element sel finds, or "".
func (s *session) text(sel string) string {
	s.t.Helper()
	return strings.TrimSpace(eval[string](s, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)))
}

// call makes an API request from the phone's page, with its cookies, and
// returns the status.
func (s *session) call(method, path string, body any) int {
	s.t.Helper()
	b, _ := json.Marshal(body)
	st, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q, {method: %q, credentials: "same-origin", headers: {"Content-Type": "application/json"}, body: %s}).then(r => r.status)`,
		path, method, jsBody(method, b)), chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	return st
}

func jsBody(method string, b []byte) string {
	if method == "GET" || string(b) == "null" {
		return "undefined"
	}
	q, _ := json.Marshal(string(b))
	return string(q)
}

// phoneOnShift signs username in on the phone, books them on to unit by
// the API and opens the app's home page, live.
func (s *session) phoneOnShift(username string, unit unitView) {
	s.t.Helper()
	s.appSignIn(username, "/app/book-on")
	if st := s.call("POST", "/api/v1/me/unit", map[string]any{"unit_id": unit.ID}); st != 200 {
		s.t.Fatalf("book on: %d", st)
	}
	s.do(chromedp.Navigate(s.base + "/app/"))
	s.until(`document.getElementById("conn") && document.getElementById("conn").textContent === "live"`, "the app, live")
	s.wait(`navigator.serviceWorker.controller !== null`, "the service worker to control the page")
}

// allowLocation lets the app use the phone's position, as an officer does
// when the browser asks.
func (s *session) allowLocation() {
	s.t.Helper()
	s.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: s.base})
		return err
	}))
}

// moveTo puts the phone at lat, lon: its Geolocation watchers hear a fix.
func (s *session) moveTo(lat, lon float64) {
	s.t.Helper()
	acc := 8.0
	s.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &lat, Longitude: &lon, Accuracy: &acc})
		return err
	}))
}

// waitAsync polls an expression whose value is a promise of a boolean
// until it resolves true.
func (s *session) waitAsync(expr, what string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: waiting for %s: %v\n%s", s.name, what, err, s.errors())
		}
		<-tick.C
	}
}
