package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/chromedp/chromedp"
)

// axeRun checks the whole document against WCAG 2.0, 2.1 and 2.2, levels A
// and AA. It returns axe's result as JSON text, so the artifact is exactly
// what axe reported.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}}).then(r => JSON.stringify(r))`

// axeResult is the part of axe's result that checkAxe reports.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"` // one selector per frame or shadow root on the way to the node
		} `json:"nodes"`
	} `json:"violations"`
}

// checkAxe runs axe-core (testdata/axe-core, never in the binary) on the page
// ctx shows, saves axe's full result as the artifact axe-PAGE.json, and fails t
// with every "serious" or "critical" violation: rule, impact, help and the
// selectors of the offending nodes. Lesser ones are only logged.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	serious, minor := runAxe(t, ctx, page)
	for _, v := range minor {
		t.Logf("axe %s: %s", page, v)
	}
	if len(serious) > 0 {
		t.Errorf("axe %s: %d serious or critical WCAG 2.2 AA violations:\n  %s", page, len(serious), strings.Join(serious, "\n  "))
	}
}

// runAxe injects axe into the page ctx shows (once per document), runs
// axeRun, saves the result as the artifact axe-PAGE.json, and returns each
// violation as one line, the serious and critical ones apart from the rest.
func runAxe(t *testing.T, ctx context.Context, page string) (serious, minor []string) {
	t.Helper()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		t.Fatalf("axe %s: %v", page, err)
	}
	if !loaded {
		src, err := os.ReadFile(filepath.Join("testdata", "axe-core", "axe.min.js"))
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
			t.Fatalf("axe %s: inject axe.min.js: %v", page, err)
		}
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe %s: run: %v", page, err)
	}
	artifact(t, "axe-"+page+".json", []byte(out))
	var res axeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("axe %s: read result: %v", page, err)
	}
	for _, v := range res.Violations {
		var targets []string
		for _, n := range v.Nodes {
			var path []string
			for _, sel := range n.Target {
				path = append(path, fmt.Sprint(sel))
			}
			targets = append(targets, strings.Join(path, " >> "))
		}
		line := fmt.Sprintf("%s (%s): %s; nodes: %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			serious = append(serious, line)
		} else {
			minor = append(minor, line)
		}
	}
	return serious, minor
}

// TestAccessibility checks the console's pages with axe-core in Chromium:
// sign-in (empty and after a wrong password), the signed-in home page with
// its live log connected and a note in it, and the not-found page. A page
// with known faults goes first, so a clean result is known to be a real one.
func TestAccessibility(t *testing.T) {
	ctx := browser(t, 1280, 800)

	bad := "data:text/html," + url.PathEscape(`<!doctype html><title>bad</title><main><img src="a.png"><input id="q"></main>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(bad)); err != nil {
		t.Fatal(err)
	}
	serious, _ := runAxe(t, ctx, "control")
	for _, id := range []string{"html-has-lang", "image-alt", "label"} {
		if !slices.ContainsFunc(serious, func(v string) bool { return strings.HasPrefix(v, id+" ") }) {
			t.Errorf("axe did not report %s as serious on a page with that fault; it reported:\n  %s", id, strings.Join(serious, "\n  "))
		}
	}

	m := startDemo(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(m.URL()+"/signin"), chromedp.WaitVisible(chromedp.ID("username"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "signin")

	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("username"), "demo.controller"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong-password\n"),
		chromedp.WaitVisible(chromedp.ID("signin-error")),
	); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "signin-error")

	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("password"), demo.Password+"\n"),
		chromedp.WaitVisible(chromedp.ID("display-name")),
	); err != nil {
		t.Fatal(err)
	}
	// Check the status pill in its settled colours, with a row in the log.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("stream-status").textContent === "live"`)); err != nil {
		t.Fatalf("the live stream did not connect: %v", err)
	}
	res, err := apiClient(t, m.URL(), "demo.supervisor").Post(m.URL()+"/api/v1/log/notes", "application/json", strings.NewReader(`{"text":"Shift handover at Casterbridge"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("post note: %v %v", res, err)
	}
	res.Body.Close()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#log li .type") !== null`)); err != nil {
		t.Fatalf("the note did not appear live: %v", err)
	}
	checkAxe(t, ctx, "home")

	if err := chromedp.Do(ctx, chromedp.Navigate(m.URL()+"/nope"), chromedp.WaitVisible(chromedp.CSS(".alert.error"))); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, ctx, "not-found")
}
