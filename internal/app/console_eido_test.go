package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleEIDO exports an incident from its panel's link and imports the
// document back through the queue's Import EIDO dialog: a new incident opens
// in the panel and joins the queue.
func TestConsoleEIDO(t *testing.T) {
	m := startDemo(t)
	a, _ := mustOpenIncident(t, m.URL(), "PRIORITY", "Van stolen from the depot", 50.7150, -2.4380)
	s := newSession(t, m.URL(), "controller", "demo.controller")
	s.open(fmt.Sprintf("/control?incident=%d", a))
	s.wait(`document.querySelectorAll("#det-log li").length >= 2`, "the incident open")
	href := eval[string](s, `document.getElementById("det-eido").href`)
	if want := fmt.Sprintf("%s/api/v1/incidents/%d/eido", m.URL(), a); href != want {
		t.Fatalf("export link %q, want %q", href, want)
	}
	// The browser fetches the export with the session, as the link does.
	text, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`fetch(document.getElementById("det-eido").href).then(r => r.ok ? r.text() : "HTTP " + r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.HasPrefix(strings.TrimSpace(text), "{") {
		t.Fatalf("export: %.200s (%v)", text, err)
	}
	file := filepath.Join(t.TempDir(), "handover.eido.json")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s.do(chromedp.Click(chromedp.ID("import-eido")))
	s.wait(`document.getElementById("dlg-import").open`, "the import dialog")
	s.do(chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{file}))
	s.do(chromedp.Click(chromedp.CSS(`#dlg-import button[type=submit]`)))
	s.wait(fmt.Sprintf(`!document.getElementById("dlg-import").open && window.bluelamp && new URL(location.href).searchParams.get("incident") !== "%d"`, a), "the imported incident open")
	id := eval[int](s, `Number(new URL(location.href).searchParams.get("incident"))`)
	s.wait(fmt.Sprintf(`document.querySelector("#inc-%d") !== null && document.querySelector("#det-head").textContent.includes("Van stolen")`, id), "the imported incident in the queue and the panel")
	s.shot("console-20-eido-imported")
	s.noErrors()
}
