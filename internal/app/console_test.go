package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// session is one person signed in to the console in their own browser,
// with their own cookies.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string
	name string // for screenshots

	mu   sync.Mutex
	errs []string // script errors, CSP refusals and console errors seen

	workers map[target.ID]context.Context // service workers attached to, for taking them offline
}

// newSession starts a 1920×1080 browser (a control-room screen) and signs
// username in.
func newSession(t *testing.T, base, name, username string) *session {
	t.Helper()
	s := &session{t: t, ctx: browser(t, 1920, 1080), base: base, name: name}
	if err := chromedp.Do(s.ctx, chromedp.EmulateViewport(1920, 1080), chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	_ = chromedp.Listen(s.ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			// Refused requests (a 400 the page shows beside the fields, a
			// 503 it explains) are the page's to handle, not errors.
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
	s.signIn(username)
	return s
}

func (s *session) signIn(username string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base+"/signin"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), demo.Password+"\n"),
		chromedp.WaitVisible(chromedp.ID("display-name")))
}

func (s *session) signOut() {
	s.t.Helper()
	s.do(chromedp.Click(chromedp.CSS(".signout button")), chromedp.WaitVisible(chromedp.ID("username")))
}

func (s *session) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", s.name, err)
	}
}

// open goes to a console page and waits for its live stream.
func (s *session) open(path string) {
	s.t.Helper()
	s.do(chromedp.Navigate(s.base + path))
	s.wait(`document.getElementById("stream-status") && document.getElementById("stream-status").textContent === "live"`, "the live stream to connect on "+path)
}

// wait polls a JavaScript condition until it holds.
// A navigation under way replaces the page's JavaScript context; polling
// starts again in the new one.
func (s *session) wait(cond, what string) {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := chromedp.Run(s.ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().Before(deadline) && (strings.Contains(err.Error(), "context with specified id") || strings.Contains(err.Error(), "context was destroyed")) {
			continue
		}
		png, _ := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
		artifact(s.t, "failed-"+s.name+".png", png)
		s.t.Fatalf("%s: waiting for %s: %v\n%s", s.name, what, err, s.errors())
	}
}

// eval runs JavaScript and returns its value.
func eval[T any](s *session, expr string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		s.t.Fatalf("%s: %s: %v", s.name, expr, err)
	}
	return v
}

// key presses one key (or a key with Ctrl) where the focus is, as a
// keyboard does: the character comes with the key-down, so a page that
// handles the key (preventDefault) keeps it out of whatever field the key
// focuses. (chromedp.KeyEvent sends the character as a separate event,
// which no keyboard does.)
func (s *session) key(k string, ctrl bool) {
	s.t.Helper()
	for _, ev := range kb.Encode([]rune(k)[0]) {
		if ctrl {
			ev.Modifiers |= int64(chromedp.ModifierCtrl)
		}
		switch ev.Type {
		case kb.KeyChar:
			continue
		case kb.KeyDown:
			if !ctrl {
				ev.Text, ev.UnmodifiedText = kbText(k), kbText(k)
			}
		}
		s.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, *ev)
			return err
		}))
	}
}

func kbText(k string) string {
	switch {
	case k == "\r" || k == "\n":
		return "\r"
	case k < " ": // Escape and other keys that type nothing
		return ""
	}
	return k
}

// shot saves what the screen shows as the artifact console-NN-what.png.
func (s *session) shot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatal(err)
	}
	artifact(s.t, name+".png", png)
}

func (s *session) errors() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.errs, "\n")
}

// noErrors fails the test on any script error, CSP refusal or console
// error the session saw.
func (s *session) noErrors() {
	s.t.Helper()
	if e := s.errors(); e != "" {
		s.t.Errorf("%s saw errors:\n%s", s.name, e)
	}
}

// apiJSON calls the API as c and decodes the answer into out.
func apiJSON(t *testing.T, c *http.Client, method, u string, body any, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, b)
		}
	}
	if res.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, u, res.StatusCode, b)
	}
	return res.StatusCode
}

// TestConsolePagesLook signs in as a supervisor and saves a screenshot of
// every console page, for people to look at.
func TestConsolePagesLook(t *testing.T) {
	m := startDemo(t)
	s := newSession(t, m.URL(), "supervisor", "demo.supervisor")
	for _, p := range []struct{ path, name string }{
		{"/calls/new", "look-new-call"}, {"/control", "look-console"}, {"/units", "look-units"}, {"/map", "look-map"}, {"/major", "look-majors"},
	} {
		s.open(p.path)
		s.shot(p.name)
	}
	s.noErrors()
}

// mustOpenIncident takes a 999 call through the API as the demo call
// handler and returns the incident's id and number.
func mustOpenIncident(t *testing.T, base string, grade, summary string, lat, lon float64) (int, string) {
	t.Helper()
	c := apiClient(t, base, "demo.callhandler")
	body := map[string]any{
		"channel": "999", "account": "caller reports " + summary,
		"caller":   map[string]any{"name": "Test Caller", "number": "01305 000111", "callback": true},
		"location": map[string]any{"address": "High Street, Casterbridge", "position": map[string]float64{"lat": lat, "lon": lon}},
		"incident": map[string]any{"category": "CRIME_VIOLENCE", "grade": grade, "summary": summary, "thrive": map[string]any{
			"threat": map[string]any{"description": "assault"}, "harm": map[string]any{"severity": "HIGH"},
			"risk": map[string]any{"likelihood": "HIGH", "rating": "HIGH"}, "grade": grade, "rationale": "test"}},
	}
	var out struct {
		Incident struct {
			ID     int    `json:"id"`
			Number string `json:"number"`
		} `json:"incident"`
	}
	if st := apiJSON(t, c, "POST", base+"/api/v1/contacts", body, &out); st != http.StatusCreated {
		t.Fatalf("open incident: %d", st)
	}
	return out.Incident.ID, out.Incident.Number
}

// TestConsoleAccessibility checks every console page with axe-core: new
// call (empty and showing the API's problems beside the fields), the
// controller console with an incident open and with a dialog open, the
// unit board, the map, and a major incident with an M/ETHANE report.
func TestConsoleAccessibility(t *testing.T) {
	m := startDemo(t)
	id, _ := mustOpenIncident(t, m.URL(), "IMMEDIATE", "Fight in the market square", 50.7150, -2.4380)
	sup := apiClient(t, m.URL(), "demo.supervisor")
	if st := apiJSON(t, sup, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/major", m.URL(), id), map[string]string{"name": "Operation Egdon", "reason": "crowd disorder"}, nil); st != http.StatusOK {
		t.Fatalf("declare major: %d", st)
	}
	methane := map[string]any{"major_incident": true, "exact_location": "Market square", "type_of_incident": "Public disorder",
		"hazards": "Thrown bottles", "access": "From South Street", "casualties": map[string]any{"number": 3, "description": "minor"},
		"emergency_services": "Police present; ambulance requested"}
	if st := apiJSON(t, sup, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/methane", m.URL(), id), methane, nil); st != http.StatusCreated {
		t.Fatalf("M/ETHANE: %d", st)
	}
	s := newSession(t, m.URL(), "supervisor", "demo.supervisor")

	s.open("/calls/new")
	checkAxe(t, s.ctx, "console-new-call")
	s.key("\r", true)
	s.wait(`document.querySelectorAll("#call .field-error").length > 3 && document.activeElement.getAttribute("aria-invalid") === "true"`, "the API's problems beside the fields")
	s.shot("axe-new-call-problems")
	checkAxe(t, s.ctx, "console-new-call-problems")

	s.open(fmt.Sprintf("/control?incident=%d", id))
	s.wait(`document.querySelectorAll("#det-log li").length >= 2`, "the incident open")
	checkAxe(t, s.ctx, "console-control")
	s.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	s.key("g", false)
	s.wait(`document.getElementById("dlg-grade").open`, "the re-grade dialog")
	checkAxe(t, s.ctx, "console-control-regrade")
	s.key("\x1b", false)
	s.wait(`!document.getElementById("dlg-grade").open`, "Esc to close the dialog")
	s.do(chromedp.Click(chromedp.ID("import-eido")))
	s.wait(`document.getElementById("dlg-import").open`, "the import dialog")
	checkAxe(t, s.ctx, "console-control-import")
	s.key("\x1b", false)
	s.wait(`!document.getElementById("dlg-import").open`, "Esc to close the dialog")
	s.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	s.key("t", false)
	s.wait(`document.getElementById("dlg-thrive").open`, "the THRIVE dialog")
	s.shot("axe-control-thrive")
	checkAxe(t, s.ctx, "console-control-thrive")

	s.open("/units")
	checkAxe(t, s.ctx, "console-units")
	s.open("/map")
	s.wait(`document.querySelectorAll(".inc-pin").length === 1`, "the incident on the map")
	checkAxe(t, s.ctx, "console-map")
	s.open("/major")
	checkAxe(t, s.ctx, "console-majors")
	s.open(fmt.Sprintf("/major/%d", id))
	s.shot("axe-major")
	checkAxe(t, s.ctx, "console-major")
	s.noErrors()
}

// TestConsoleMajorIncident runs a supervisor's keys on the console — re-grade
// (G), declare a major incident (M), link another incident to it (I), send
// an M/ETHANE report (E) — while a controller watches the major incident's
// page fill in live, and a unit's EMERGENCY status banners and alerts
// every console page.
func TestConsoleMajorIncident(t *testing.T) {
	m := startDemo(t)
	a, aNum := mustOpenIncident(t, m.URL(), "IMMEDIATE", "Crowd fighting in Cornhill", 50.7152, -2.4368)
	b, _ := mustOpenIncident(t, m.URL(), "PRIORITY", "Shop window smashed in Cornhill", 50.7157, -2.4362)
	sup := newSession(t, m.URL(), "supervisor", "demo.supervisor")
	ctl := newSession(t, m.URL(), "controller", "demo.controller")

	// Re-grade B to IMMEDIATE: a reason is required, and the queue reorders.
	sup.open(fmt.Sprintf("/control?incident=%d", b))
	sup.wait(`document.querySelectorAll("#det-log li").length >= 2`, "incident B open")
	sup.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	sup.key("g", false)
	sup.wait(`document.getElementById("dlg-grade").open`, "the re-grade dialog")
	sup.do(chromedp.Click(chromedp.CSS(`#dlg-grade input[value=IMMEDIATE]`)))
	sup.key("\r", true)
	sup.wait(`document.activeElement.id === "grade-reason" && document.querySelector("#dlg-grade .field-error") !== null`, "the reason required beside its field")
	sup.do(chromedp.SendKeys(chromedp.ID("grade-reason"), "Caller now reports weapons"))
	sup.key("\r", true)
	sup.wait(`!document.getElementById("dlg-grade").open`, "the dialog to close")
	sup.wait(fmt.Sprintf(`document.querySelector("#inc-%d .badge").textContent === "G1"`, b), "B graded G1 in the queue")
	sup.wait(`document.getElementById("det-head").textContent.includes("Re-graded")`, "both grades in the panel")

	// Re-assess it (a new THRIVE version), starting from the last one.
	sup.key("t", false)
	sup.wait(`document.getElementById("dlg-thrive").open && document.getElementById("t-desc").value === "assault"`, "the THRIVE dialog filled from version 1")
	sup.do(chromedp.Click(chromedp.CSS(`#dlg-thrive input[name="harm.severity"][value=MEDIUM]`)),
		chromedp.SendKeys(chromedp.ID("thr-rat"), "; weapons now reported"))
	sup.key("\r", true)
	sup.wait(`!document.getElementById("dlg-thrive").open && document.getElementById("det-thrive").textContent.includes("Version 2") && document.getElementById("det-thrive").textContent.includes("Medium severity") && document.getElementById("det-thrive").textContent.includes("supports Immediate")`, "THRIVE version 2 in the panel")

	// Correct the first log entry: the entry stays, the correction follows.
	first := eval[int](sup, `Number(document.querySelector("#det-log li").dataset.id)`)
	sup.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#det-log button[data-correct="%d"]`, first))))
	sup.wait(`document.activeElement.id === "log-text" && !document.getElementById("log-correcting").hidden`, "the log form correcting the entry")
	sup.do(chromedp.SendKeys(chromedp.ID("log-text"), "Caller is the shop's manager, not a passer-by"))
	sup.key("\r", true)
	sup.wait(`[...document.querySelectorAll("#det-log li.k-correction")].some(li => /corrects the \d\d:\d\d Opened entry/.test(li.textContent))`, "the correction in the log, naming the entry")
	sup.shot("console-12a-supervisor-rethrive-correction")

	// Declare A a major incident.
	sup.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inc-%d button.open`, a))))
	sup.wait(fmt.Sprintf(`document.getElementById("detail-h").textContent.includes(%q)`, aNum), "incident A open")
	sup.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	sup.key("m", false)
	sup.wait(`document.getElementById("dlg-major").open`, "the declaration dialog")
	sup.do(chromedp.SendKeys(chromedp.ID("major-name"), "Operation Egdon"), chromedp.SendKeys(chromedp.ID("major-reason"), "Disorder spreading across the town centre"))
	sup.key("\r", true)
	sup.wait(fmt.Sprintf(`document.querySelector("#inc-%d .tag.major") !== null && document.querySelector("#det-head .tag.major").textContent === "MAJOR: Operation Egdon"`, a), "MAJOR on the queue and the panel")

	// The controller watches the major incident's page.
	ctl.open(fmt.Sprintf("/major/%d", a))

	// Link B to it, and send an M/ETHANE report on A.
	sup.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inc-%d button.open`, b))))
	sup.wait(`document.querySelector("#det-head").textContent.includes("Shop window")`, "incident B open")
	sup.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	sup.key("i", false)
	sup.wait(`document.getElementById("dlg-link").open && document.querySelectorAll("#link-major option").length === 1`, "the link dialog offering Operation Egdon")
	sup.key("\r", true)
	sup.wait(`document.querySelector("#det-head").textContent.includes("Linked to a major incident")`, "B linked")
	ctl.wait(fmt.Sprintf(`document.querySelector("#inc-%d") !== null`, b), "B among the linked incidents, live")

	sup.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#inc-%d button.open`, a))))
	sup.wait(`document.querySelector("#det-head").textContent.includes("Crowd fighting")`, "incident A open again")
	sup.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	sup.key("e", false)
	sup.wait(`document.getElementById("dlg-methane").open`, "the M/ETHANE dialog")
	sup.do(chromedp.SendKeys(chromedp.ID("mt-type"), "Public disorder"), chromedp.SendKeys(chromedp.ID("mt-haz"), "Bottles thrown; glass"),
		chromedp.SendKeys(chromedp.ID("mt-acc"), "From South Street only"), chromedp.SendKeys(chromedp.ID("mt-cas"), "minor cuts"),
		chromedp.SendKeys(chromedp.ID("mt-es"), "Police on scene; ambulance requested"))
	sup.key("\r", true)
	sup.wait(`!document.getElementById("dlg-methane").open`, "the report sent")
	ctl.wait(`document.querySelectorAll("#mj-methane li").length === 1 && document.getElementById("mj-methane").textContent.includes("Bottles thrown")`, "the M/ETHANE report, live")
	ctl.shot("console-12-major-incident")
	sup.shot("console-13-supervisor-major")

	// EMERGENCY: a unit presses its emergency button.
	c := apiClient(t, m.URL(), "demo.controller")
	var units struct {
		Units []struct {
			ID       int    `json:"id"`
			CallSign string `json:"call_sign"`
		} `json:"units"`
	}
	apiJSON(t, c, "GET", m.URL()+"/api/v1/units", nil, &units)
	if st := apiJSON(t, c, "POST", fmt.Sprintf("%s/api/v1/units/%d/status", m.URL(), units.Units[0].ID), map[string]string{"code": "0"}, nil); st != http.StatusOK {
		t.Fatalf("emergency: %d", st)
	}
	cs := units.Units[0].CallSign
	for _, s := range []*session{sup, ctl} {
		s.wait(fmt.Sprintf(`!document.getElementById("emergency").hidden && document.getElementById("emergency").textContent.includes(%q)`, cs), "the EMERGENCY banner")
		s.wait(fmt.Sprintf(`document.getElementById("alerts").textContent.includes("EMERGENCY: %s")`, cs), "the EMERGENCY alert")
	}
	sup.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="EMERGENCY"]:not([hidden]) li[data-id="%d"]') !== null`, units.Units[0].ID), "the unit in the EMERGENCY group")
	sup.shot("console-14-emergency")
	ctl.shot("console-15-emergency-major-page")
	sup.noErrors()
	ctl.noErrors()
}

// TestConsoleReload: when the server refuses to resume the stream (the
// page's position is past the end of the log, as after a restore), the
// console reloads its state from the API and goes live again.
func TestConsoleReload(t *testing.T) {
	m := startDemo(t)
	a, _ := mustOpenIncident(t, m.URL(), "PRIORITY", "Car broken into", 50.7150, -2.4380)
	s := newSession(t, m.URL(), "controller", "demo.controller")
	s.open("/control")
	s.wait(fmt.Sprintf(`document.querySelector("#inc-%d") !== null`, a), "the incident in the queue")
	s.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.__row = document.querySelector("#inc-%d"); window.bluelamp.store.live.resumeFrom(1e9)`, a)))
	s.wait(fmt.Sprintf(`!document.contains(window.__row) && document.querySelector("#inc-%d") !== null && document.getElementById("stream-status").textContent === "live"`, a), "the queue reloaded from the API")
	b, _ := mustOpenIncident(t, m.URL(), "IMMEDIATE", "Man with a knife", 50.7151, -2.4381)
	s.wait(fmt.Sprintf(`document.querySelector("#queue-body tr").id === "inc-%d"`, b), "a new IMMEDIATE incident at the top of the queue, live")
	s.noErrors()
}

// TestConsoleLinkedCall: a second call about the same place is offered the
// open incident as a possible duplicate while it is taken, is linked to it
// with one button, and the saved call shows the repeat checks.
func TestConsoleLinkedCall(t *testing.T) {
	m := startDemo(t)
	a, aNum := mustOpenIncident(t, m.URL(), "IMMEDIATE", "Fight outside the Three Mariners", 50.7150, -2.4380)
	s := newSession(t, m.URL(), "callhandler", "demo.callhandler")
	s.open("/calls/new")
	s.do(
		chromedp.SendKeys(chromedp.ID("f-number"), "01305 000111"), // the first caller's number
		chromedp.SendKeys(chromedp.ID("f-address"), "High Street, Casterbridge"),
		chromedp.SendKeys(chromedp.ID("f-grid"), "SY 69314 90579"),
		chromedp.SendKeys(chromedp.ID("f-account"), "They are still fighting, more people joining in"),
	)
	s.do(chromedp.Focus(chromedp.ID("f-category")), chromedp.SendKeys(chromedp.ID("f-category"), "Violence"))
	s.wait(fmt.Sprintf(`document.querySelector('#dups button[data-link=%q]') !== null`, aNum), "the open incident offered as a duplicate")
	s.shot("console-16-duplicate-offered")
	s.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dups button[data-link=%q]`, aNum))))
	s.wait(`document.getElementById("thrive-fields").hidden && document.activeElement.id === "f-link"`, "the call switched to the open incident")
	s.key("\r", true)
	s.wait(`document.getElementById("contact-ref") !== null`, "the call saved")
	if got := eval[string](s, `document.getElementById("incident-link").textContent`); got != aNum {
		t.Errorf("linked to %q, want %q", got, aNum)
	}
	s.wait(`document.querySelector("#result .checks-list").textContent.includes("Repeat caller")`, "the repeat-caller check")
	s.shot("console-17-linked-call-saved")

	// The incident now has both contacts.
	s.do(chromedp.Click(chromedp.ID("incident-link")))
	s.wait(fmt.Sprintf(`document.getElementById("detail-h") && document.getElementById("detail-h").textContent.includes(%q) && document.querySelectorAll("#det-contacts li").length === 2`, aNum), "both contacts on the incident")

	// Callers' details are shown only with a reason, and an audit reason
	// needs words; both reads are recorded (DPA 2018 s.62).
	s.do(chromedp.Click(chromedp.CSS(`#det-contacts button[data-act=contacts]`)))
	s.wait(`document.getElementById("dlg-contacts").open`, "the reason dialog")
	s.do(chromedp.SetValue(chromedp.ID("ct-reason"), "AUDIT"), chromedp.Click(chromedp.CSS(`#dlg-contacts button[type=submit]`)))
	s.wait(`document.getElementById("ct-justification").getAttribute("aria-invalid") === "true"`, "an audit reason without words refused, naming the field")
	s.do(chromedp.SendKeys(chromedp.ID("ct-justification"), "Quality review of call handling – week 48"), chromedp.Click(chromedp.CSS(`#dlg-contacts button[type=submit]`)))
	s.wait(`!document.getElementById("dlg-contacts").open && document.querySelector("#det-contacts").textContent.includes("01305 000111")`, "the callers' details shown")
	s.shot("console-21-callers-details")
	_ = a
	s.noErrors()
}

// TestConsoleUnitBoard: a controller sets a unit's status from the unit
// board; another session's map and board follow.
func TestConsoleUnitBoard(t *testing.T) {
	m := startDemo(t)
	ctl := newSession(t, m.URL(), "controller", "demo.controller")
	watcher := newSession(t, m.URL(), "supervisor", "demo.supervisor")
	ctl.open("/units")
	watcher.open("/map")
	id := eval[int](ctl, `Number(document.querySelector('#board section[data-state="AVAILABLE"] li').dataset.id)`)
	watcher.wait(fmt.Sprintf(`document.querySelector(".unit-pin.st-available.unit-%d") !== null`, id), "the unit on the map")
	ctl.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`button[data-status-unit="%d"]`, id))))
	ctl.wait(`document.getElementById("dlg-status").open`, "the status dialog")
	ctl.do(chromedp.Click(chromedp.CSS(`#dlg-status input[value="4"]`)))
	ctl.key("\r", true)
	ctl.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="REFRESHMENT"] li[data-id="%d"]') !== null`, id), "the unit on refreshments")
	watcher.wait(fmt.Sprintf(`document.querySelector(".unit-pin.st-refreshment.unit-%d") !== null`, id), "the map to follow")
	ctl.shot("console-18-unit-board")
	watcher.shot("console-19-map")
	// The help overlay lists the keys.
	ctl.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	ctl.key("?", false)
	ctl.wait(`document.getElementById("help").open`, "the help overlay")
	ctl.noErrors()
	watcher.noErrors()
}
