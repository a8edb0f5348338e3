package app

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// unitView is the part of a unit the tests read back from the API.
type unitView struct {
	ID         int         `json:"id"`
	CallSign   string      `json:"call_sign"`
	State      string      `json:"state"`
	StatusCode string      `json:"status_code"`
	IncidentID int         `json:"incident_id"`
	Crew       []string    `json:"crew"`
	Skills     []skillView `json:"skills"`
}

type skillView struct {
	Skill string `json:"skill"`
}

// logView is an incident's log as the API returns it.
type logView struct {
	Entries []struct {
		Kind string `json:"kind"`
		Text string `json:"text"`
	} `json:"entries"`
}

// freeUnit returns a demo unit no one is booked on to and that has no job.
func freeUnit(t *testing.T, c *http.Client, base string) unitView {
	t.Helper()
	var us struct {
		Units []unitView `json:"units"`
	}
	if st := apiJSON(t, c, "GET", base+"/api/v1/units", nil, &us); st != 200 {
		t.Fatalf("units: %d", st)
	}
	for _, u := range us.Units {
		if u.State == "AVAILABLE" && len(u.Crew) == 0 && u.IncidentID == 0 {
			return u
		}
	}
	t.Fatal("no free demo unit")
	return unitView{}
}

func unitOf(t *testing.T, c *http.Client, base string, id int) unitView {
	t.Helper()
	var u unitView
	if st := apiJSON(t, c, "GET", fmt.Sprintf("%s/api/v1/units/%d", base, id), nil, &u); st != 200 {
		t.Fatalf("unit %d: %d", id, st)
	}
	return u
}

// logCount counts the entries of incident id's log whose text contains s.
func logCount(t *testing.T, c *http.Client, base string, id int, s string) int {
	t.Helper()
	var l logView
	if st := apiJSON(t, c, "GET", fmt.Sprintf("%s/api/v1/incidents/%d/log", base, id), nil, &l); st != 200 {
		t.Fatalf("log of %d: %d", id, st)
	}
	n := 0
	for _, e := range l.Entries {
		if strings.Contains(e.Text, s) {
			n++
		}
	}
	return n
}

// TestOfficerApp works a stretch of a shift on a phone, in a real browser
// at a phone's size with touch: sign in (a wrong password first) and book
// on; a status the controller sees on the console's unit board; a job
// assigned live, with the alert, and en route; then no signal: the status
// and a log update are kept and shown as waiting, nothing reaches the
// server, the app reloads from its service worker with the last copy of
// the job; the signal returns and each is recorded exactly once, in the
// order taken. Then, offline again, the controller stands the unit down:
// the phone's en route and log update come back refused, shown to the
// officer with the server's reasons, and the officer dismisses them.
// Screenshots of each step are artifacts.
func TestOfficerApp(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)

	phone := newPhone(t, base, "phone")
	phone.do(chromedp.Navigate(base + "/app/"))
	phone.until(`location.pathname === "/app/signin" && document.getElementById("username") !== null`, "a signed-out phone sent to sign in")
	phone.do(chromedp.SendKeys(chromedp.ID("username"), "demo.response"), chromedp.SendKeys(chromedp.ID("password"), "wrong-password\n"))
	phone.wait(`!document.getElementById("signin-error").hidden`, "the sign-in error")
	if got := phone.text("#signin-error"); !strings.Contains(got, "Wrong username or password") {
		t.Errorf("sign-in error %q", got)
	}
	phone.shot("officer-01-signin-error")
	phone.appSignIn("demo.response", "/app/book-on")

	// Book on: the unit, a call sign for the shift, a crew mate and a skill.
	phone.wait(`!document.getElementById("bookon").hidden`, "the book-on form")
	phone.do(chromedp.SetValue(chromedp.ID("unit"), fmt.Sprint(unit.ID)),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("unit").dispatchEvent(new Event("change"))`))
	phone.wait(fmt.Sprintf(`document.getElementById("call-sign").value === %q`, unit.CallSign), "the unit's call sign filled in")
	phone.do(chromedp.SetValue(chromedp.ID("call-sign"), "WX99"), chromedp.SendKeys(chromedp.ID("crew"), "5012"))
	phone.tap(`details.more summary`)
	phone.tap(`input[name=skills][value=FIRST_AID]`)
	phone.wait(`document.querySelector("input[name=skills][value=FIRST_AID]").checked`, "first aid ticked")
	phone.shot("officer-02-book-on")
	phone.tap(`#bookon button[type=submit]`)
	phone.until(`location.pathname === "/app/" && document.getElementById("call-sign") && document.getElementById("call-sign").textContent === "WX99"`, "my unit")
	phone.wait(`document.getElementById("conn").textContent === "live"`, "the live stream")
	phone.wait(`navigator.serviceWorker.controller !== null`, "the service worker to control the page")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.CallSign != "WX99" || !slices.Contains(u.Crew, "5012") || !slices.Contains(u.Crew, "1041") ||
		!slices.ContainsFunc(u.Skills, func(s skillView) bool { return s.Skill == "FIRST_AID" }) {
		t.Fatalf("booked-on unit %+v", u)
	}
	phone.do(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
	phone.shot("officer-03-home-booked-on")

	// A status in one tap; the controller's unit board shows it.
	ctl := newSession(t, base, "controller", "demo.controller")
	ctl.open("/units")
	phone.tap(`#statuses button[data-code="3"]`)
	phone.wait(`document.querySelector('#statuses button[data-code="3"]').getAttribute("aria-pressed") === "true" && document.body.dataset.pending === "0"`, "standby sent")
	ctl.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="AVAILABLE_STANDBY"] li[data-id="%d"]') !== null`, unit.ID), "the phone's status on the unit board")
	ctl.shot("officer-04-controller-sees-standby")

	// EMERGENCY is never a tap: a tap only says how.
	phone.tap(`#emergency`)
	phone.wait(`document.getElementById("emergency-hint").textContent.startsWith("Hold to send")`, "the hold hint")
	phone.shot("officer-05-emergency-tap-hint")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "AVAILABLE_STANDBY" {
		t.Fatalf("a tap on EMERGENCY changed the unit: %+v", u)
	}

	// A job assigned by the controller arrives live, with the alert.
	incID, number := mustOpenIncident(t, base, "IMMEDIATE", "Man with a knife outside the Three Mariners", 50.7155, -2.4362)
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", base, incID), map[string]any{"unit_id": unit.ID}, nil); st != 201 && st != 200 {
		t.Fatalf("assign: %d", st)
	}
	phone.wait(`!document.getElementById("newjob").hidden && document.body.dataset.alarms === "1"`, "the new-job alert")
	phone.wait(fmt.Sprintf(`document.getElementById("job-number").textContent === %q`, number), "the job")
	phone.wait(`document.querySelectorAll("#thrive-facts dt").length > 3 && document.getElementById("navigate").href.startsWith("geo:")`, "THRIVE and the navigate link")
	phone.shot("officer-06-new-job")
	phone.tap(`#newjob-ack`)
	phone.tap(`#statuses button[data-code="5"]`)
	phone.wait(`document.querySelector('#statuses button[data-code="5"]').getAttribute("aria-pressed") === "true" && document.body.dataset.pending === "0"`, "en route sent")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "EN_ROUTE" || u.IncidentID != incID {
		t.Fatalf("after en route: %+v", u)
	}
	phone.shot("officer-07-en-route")

	// No signal: the status and a log update wait on the phone.
	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "the offline indicator")
	phone.tap(`#statuses button[data-code="6"]`)
	const update = "Arrived. Male detained, knife recovered and bagged as evidence."
	phone.do(chromedp.SendKeys(chromedp.ID("log-text"), update))
	phone.tap(`#log-form button[type=submit]`)
	phone.wait(`document.body.dataset.pending === "2" && document.querySelectorAll("#outbox-list li.pending").length === 2`, "two actions waiting")
	phone.wait(`document.querySelector("#job-log li.pending") !== null && !document.getElementById("pending-status").hidden`, "the waiting update and status shown")
	phone.shot("officer-08-offline-waiting")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "EN_ROUTE" {
		t.Fatalf("a status reached the server while the phone was offline: %+v", u)
	}
	if n := logCount(t, ctlAPI, base, incID, update); n != 0 {
		t.Fatalf("the update reached the server while the phone was offline (%d)", n)
	}
	// The app reloads with no network: the shell and the job from the
	// service worker, marked as the last copy.
	phone.do(chromedp.Reload())
	phone.wait(fmt.Sprintf(`document.getElementById("job-number") && document.getElementById("job-number").textContent === %q`, number), "the job from the phone's copy")
	phone.wait(`!document.getElementById("offline-banner").hidden && document.getElementById("offline-banner").textContent.startsWith("Offline — last updated")`, "the offline banner")
	phone.wait(`document.body.dataset.pending === "2"`, "the two actions still waiting after the reload")
	phone.shot("officer-09-offline-reloaded")

	// The signal returns: each is recorded once, in the order taken.
	phone.setOffline(false)
	phone.wait(`document.body.dataset.pending === "0" && document.getElementById("conn").textContent === "live"`, "the outbox to empty")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "AT_SCENE" {
		t.Fatalf("after the replay: %+v", u)
	}
	if n := logCount(t, ctlAPI, base, incID, update); n != 1 {
		t.Fatalf("the update is in the log %d times, want 1", n)
	}
	phone.wait(fmt.Sprintf(`[...document.querySelectorAll("#job-log li")].filter(li => li.textContent.includes(%q)).length === 1 && document.getElementById("offline-banner").hidden`, update), "the update in the log, once")
	phone.shot("officer-10-back-online")

	// Offline again; the controller stands the unit down meanwhile. The
	// phone's en route arrives after it, and is refused; the update the
	// officer wrote at the scene is still taken (the unit was on the job).
	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "offline again")
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments/%d/stand-down", base, incID, unit.ID), map[string]any{"reason": "Needed at a G1 elsewhere"}, nil); st != 200 && st != 204 {
		t.Fatalf("stand down: %d", st)
	}
	const late = "Suspect's brother now on scene, hostile."
	phone.do(chromedp.SendKeys(chromedp.ID("log-text"), late))
	phone.tap(`#log-form button[type=submit]`)
	phone.tap(`#statuses button[data-code="5"]`)
	phone.wait(`document.body.dataset.pending === "2"`, "two more waiting")
	phone.setOffline(false)
	phone.wait(`document.body.dataset.conflicts === "1" && document.body.dataset.pending === "0"`, "the conflict")
	if got := phone.text("#outbox-list li.conflict"); !strings.Contains(got, "WX99 has no job to be en route to") || !strings.Contains(got, "Not accepted") {
		t.Errorf("the conflict says %q", got)
	}
	phone.wait(`document.getElementById("nojob").hidden === false && document.getElementById("queue").textContent === "1 refused"`, "the job gone from the phone, the refusal counted")
	phone.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("outbox").scrollIntoView()`))
	phone.shot("officer-11-conflict")
	if n := logCount(t, ctlAPI, base, incID, late); n != 1 {
		t.Fatalf("the update written at the scene is in the log %d times, want 1", n)
	}
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "AVAILABLE" || u.IncidentID != 0 {
		t.Fatalf("the refused en route changed the unit: %+v", u)
	}
	phone.tap(`#outbox-list li.conflict button`)
	phone.wait(`document.body.dataset.conflicts === "0" && document.getElementById("outbox").hidden && document.getElementById("queue").hidden`, "the conflict dismissed")

	// The jobs page lists the job and every action with what became of it.
	phone.tap(`.tabs a[href="/app/jobs"]`)
	phone.until(fmt.Sprintf(`document.querySelector("#jobs li") !== null && document.querySelector("#jobs li").textContent.includes(%q) && document.querySelectorAll("#actions-list li").length === 7`, number), "the jobs page")
	phone.shot("officer-12-jobs")
	if !eval[bool](phone, `document.querySelectorAll("#actions-list li.dismissed").length === 1 && document.querySelectorAll("#actions-list li.done").length === 6`) {
		t.Errorf("the actions listed: %s", phone.text("#actions-list"))
	}
	if !eval[bool](phone, `window.__noReload === undefined`) {
		t.Error("the jobs page is not a new page")
	}
	phone.noErrors()
	ctl.noErrors()
}
