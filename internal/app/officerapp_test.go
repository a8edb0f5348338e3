package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
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
	// Held for a second: still nothing.
	phone.hold(`#emergency`, time.Second)
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "AVAILABLE_STANDBY" {
		t.Fatalf("a 1-second press on EMERGENCY changed the unit: %+v", u)
	}
	// Held for the full 2 seconds: sent, and the console's EMERGENCY
	// banner names the unit.
	phone.hold(`#emergency`, 2300*time.Millisecond)
	phone.wait(`document.getElementById("emergency-hint").textContent === "EMERGENCY sent to control." && document.body.dataset.pending === "0"`, "EMERGENCY sent")
	ctl.wait(`!document.getElementById("emergency").hidden && document.getElementById("emergency-units").textContent.includes("WX99")`, "the console's EMERGENCY banner")
	ctl.shot("officer-05b-controller-sees-emergency")
	if u := unitOf(t, ctlAPI, base, unit.ID); u.State != "EMERGENCY" {
		t.Fatalf("after the hold: %+v", u)
	}
	phone.tap(`#statuses button[data-code="3"]`)
	phone.wait(`document.querySelector('#statuses button[data-code="3"]').getAttribute("aria-pressed") === "true" && document.body.dataset.pending === "0"`, "back to standby")

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
	phone.until(fmt.Sprintf(`document.querySelector("#jobs li") !== null && document.querySelector("#jobs li").textContent.includes(%q) && document.querySelectorAll("#actions-list li").length === 9`, number), "the jobs page")
	phone.shot("officer-12-jobs")
	if !eval[bool](phone, `document.querySelectorAll("#actions-list li.dismissed").length === 1 && document.querySelectorAll("#actions-list li.done").length === 8`) {
		t.Errorf("the actions listed: %s", phone.text("#actions-list"))
	}
	if !eval[bool](phone, `window.__noReload === undefined`) {
		t.Error("the jobs page is not a new page")
	}
	phone.noErrors()
	ctl.noErrors()
}

// formSummaries lists an officer's forms as a controller sees them.
func formSummaries(t *testing.T, c *http.Client, base, collar string) []struct {
	Kind      string `json:"kind"`
	ClientID  string `json:"client_id"`
	Reference string `json:"reference"`
} {
	t.Helper()
	var out struct {
		Forms []struct {
			Kind      string `json:"kind"`
			ClientID  string `json:"client_id"`
			Reference string `json:"reference"`
		} `json:"forms"`
	}
	if st := apiJSON(t, c, "GET", base+"/api/v1/forms?officer="+collar, nil, &out); st != 200 {
		t.Fatalf("forms of %s: %d", collar, st)
	}
	return out.Forms
}

// TestOfficerAppForms does an officer's paperwork on a phone with no
// signal: on a job near a place with a warning marker (shown first), a
// stop and search (the form's own checks first, then the receipt at once,
// reference and QR code, before anything is sent) and a pocket notebook
// entry; back online, each is recorded exactly once, the receipt is the
// force's, and the person's public receipt page shows it and takes a
// request for the full record. Then a person check with a reason, markers
// first. Screenshots of each step are artifacts.
func TestOfficerAppForms(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "phone")
	phone.phoneOnShift("demo.neighbourhood", unit)

	incID, number := mustOpenIncident(t, base, "PRIORITY", "Youths dealing outside the Three Mariners", 50.7155, -2.4362)
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", base, incID), map[string]any{"unit_id": unit.ID}, nil); st != 201 && st != 200 {
		t.Fatalf("assign: %d", st)
	}
	phone.wait(fmt.Sprintf(`document.getElementById("job-number").textContent === %q`, number), "the job")
	phone.wait(`document.querySelector("#markers .marker") !== null && document.getElementById("markers").textContent.includes("repeated disorder at closing time")`, "the location's warning marker")
	phone.tap(`#newjob-ack`)
	phone.do(chromedp.Evaluate[chromedp.Void](`document.getElementById("job").scrollIntoView()`))
	phone.shot("forms-01-job-with-markers")

	// No signal from here on.
	phone.do(chromedp.Navigate(base + "/app/forms/stop-search"))
	phone.until(`document.getElementById("ss-form") && !document.getElementById("ss-form").hidden`, "the stop-search form")
	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "offline")
	// The form's own checks name every missing field before anything is kept.
	phone.tap(`#ss-form button[type=submit]`)
	phone.wait(`!document.getElementById("ss-problems").hidden && document.activeElement.id === "ss-problems"`, "the problems")
	for _, want := range []string{"ss-sde", "ss-ode", "ss-gender", "ss-age", "ss-power", "ss-object", "ss-outcome"} {
		if !eval[bool](phone, fmt.Sprintf(`document.getElementById(%q).getAttribute("aria-invalid") === "true"`, want)) {
			t.Errorf("%s is not marked as a problem", want)
		}
	}
	phone.shot("forms-02-stop-search-problems")
	if eval[int](phone, `window.document.body.dataset.pending === undefined ? 0 : Number(document.body.dataset.pending)`) != 0 {
		t.Fatal("a form with problems went into the outbox")
	}
	phone.tap(`#ss-job-address`)
	phone.do(
		chromedp.SetValue(chromedp.ID("ss-sde"), "W1"), chromedp.SetValue(chromedp.ID("ss-ode"), "IC1"),
		chromedp.SetValue(chromedp.ID("ss-gender"), "Male"), chromedp.SetValue(chromedp.ID("ss-age"), "18-24"),
		chromedp.SetValue(chromedp.ID("ss-power"), "Misuse of Drugs Act 1971 (section 23)"),
		chromedp.SetValue(chromedp.ID("ss-object"), "Controlled drugs"),
		chromedp.SetValue(chromedp.ID("ss-outcome"), "A no further action disposal"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("ss-form").dispatchEvent(new Event("change"))`),
		chromedp.SendKeys(chromedp.ID("ss-grounds"), "Strong smell of cannabis from his jacket, and he pushed a bag into the hedge when he saw us."),
	)
	phone.tap(`#ss-form button[type=submit]`)
	phone.wait(`!document.getElementById("receipt").hidden && document.getElementById("r-qr").src.startsWith("data:image/gif")`, "the receipt")
	ref := phone.text("#r-ref")
	if !regexp.MustCompile(`^SS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`).MatchString(ref) {
		t.Fatalf("receipt reference %q", ref)
	}
	if got := phone.text("#r-state"); !strings.HasPrefix(got, "Waiting to send") {
		t.Errorf("receipt state %q", got)
	}
	if got := phone.text("#r-facts"); !strings.Contains(got, "Wessex Constabulary") || !strings.Contains(got, "5012") || !strings.Contains(got, "Misuse of Drugs Act 1971") {
		t.Errorf("receipt facts %q", got)
	}
	phone.shot("forms-03-receipt-offline")

	// A notebook entry, still offline: the shell comes from the service worker.
	phone.do(chromedp.Navigate(base + "/app/notebook"))
	phone.until(`document.getElementById("nb-form") !== null && document.body.dataset.pending === "1"`, "the notebook page offline")
	const entry = "1432 Three Mariners, High St. Male IC1 18-24 searched s.23 MDA, NFA. Said \"IT'S NOT MINE, I JUST FOUND IT\"."
	phone.do(chromedp.SendKeys(chromedp.ID("nb-text"), entry))
	phone.tap(`#nb-form button[type=submit]`)
	phone.wait(`document.body.dataset.pending === "2" && document.querySelectorAll("#nb-entries li.pending").length === 1`, "the entry waiting")
	phone.shot("forms-04-notebook-offline")
	if fs := formSummaries(t, ctlAPI, base, "5012"); len(fs) != 0 {
		t.Fatalf("forms reached the server while the phone was offline: %+v", fs)
	}

	// The signal returns: each is recorded once.
	phone.setOffline(false)
	phone.wait(`document.body.dataset.pending === "0" && document.querySelector("#nb-entries li[data-number]") !== null`, "the entry numbered")
	phone.shot("forms-05-notebook-sent")
	kinds := map[string]int{}
	for _, f := range formSummaries(t, ctlAPI, base, "5012") {
		kinds[f.Kind]++
		if f.Kind == "STOP_SEARCH" && f.Reference != ref {
			t.Errorf("the force's stop-search reference %q, the phone's %q", f.Reference, ref)
		}
	}
	if kinds["STOP_SEARCH"] != 1 || kinds["NOTEBOOK_ENTRY"] != 1 || len(kinds) != 2 {
		t.Fatalf("forms recorded: %v, want one stop-search and one notebook entry", kinds)
	}
	if got := phone.text("#nb-entries li[data-number] .nb-text"); got != entry {
		t.Errorf("notebook entry %q", got)
	}

	// The forms list has both, once each; the receipt shows as sent.
	phone.tap(`.tabs a[href="/app/forms"]`)
	phone.until(`document.querySelectorAll("#mine li.done").length === 2`, "my forms")
	if got := phone.text("#mine"); !strings.Contains(got, ref) {
		t.Errorf("my forms do not show %s: %q", ref, got)
	}
	phone.shot("forms-06-my-forms")

	// The person scans the QR code: the public receipt, and a request for
	// the record.
	person := newPhone(t, base, "person")
	person.do(chromedp.Navigate(base + "/app/receipt?ref=" + ref))
	person.wait(`!document.getElementById("pr-receipt").hidden`, "the public receipt")
	if got := person.text("#r-ref"); got != ref {
		t.Errorf("public receipt reference %q, want %q", got, ref)
	}
	person.do(chromedp.SendKeys(chromedp.ID("pr-email"), "searched.person@example.org"))
	person.tap(`#pr-form button[type=submit]`)
	person.wait(`!document.getElementById("pr-done").hidden`, "the request recorded")
	person.shot("forms-07-public-receipt")
	if eval[bool](person, `navigator.serviceWorker.controller !== null`) {
		t.Error("the public receipt page installed the officers' service worker")
	}

	// A person check, with a reason: markers first.
	phone.tap(`.tabs a[href="/app/check"]`)
	phone.until(`document.getElementById("ck-reason") && document.getElementById("ck-reason").value === "INCIDENT"`, "the check page with my job's reason")
	phone.do(chromedp.SendKeys(chromedp.ID("ck-surname"), "Stannidge"))
	phone.tap(`#ck-form button[type=submit]`)
	phone.wait(`!document.getElementById("ck-results").hidden && document.querySelector("#ck-list li .markers .marker") !== null`, "the result, markers first")
	if got := phone.text("#ck-list li"); !strings.HasPrefix(got, "Warning markers") || !strings.Contains(got, "assaulted officer at arrest") {
		t.Errorf("check result %q", got)
	}
	phone.shot("forms-08-check")
	phone.noErrors()
	person.noErrors()
}

// outboxScript drives js/outbox.js in the phone's page against the real
// server, through a network the script can cut (no request leaves) or make
// lose an answer (the request reaches the server, the answer never comes
// back), and with the backoff timers recorded rather than run. It returns
// what it saw as JSON; TestOfficerAppOutbox checks it and the server's log.
const outboxScript = `(async () => {
  const base = document.querySelector("script[type=module]").src.replace(/[a-z]+\.js$/, "");
  const { Outbox, problemMessage } = await import(base + "outbox.js");
  const { openDB } = await import(base + "db.js");
  const me = await (await fetch("/api/v1/me")).json();
  const unit = (await (await fetch("/api/v1/me/unit")).json()).unit.id;
  const out = {};
  let cut = false, lose = false;
  const sent = [];
  const net = async (u, init) => {
    if (cut) throw new TypeError("Failed to fetch");
    const res = await fetch(u, init);
    sent.push({ key: init.headers["Idempotency-Key"], status: res.status, replayed: res.headers.get("Idempotent-Replayed") });
    if (lose) { lose = false; throw new TypeError("the answer was lost"); }
    return res;
  };
  const waits = [];
  const ob = new Outbox({ db: await openDB("outbox-test-" + Date.now()), user: me.user.id, fetch: net, random: () => 0.5,
    setTimer: (f, ms) => { waits.push(ms); return 0; }, clearTimer: () => {} });
  const status = (code, extra = {}) => ob.add({ kind: "status", label: code, path: "/api/v1/units/" + unit + "/status", body: { code }, ...extra });
  const get = (seq) => ob.get(seq);

  // 1. No signal: three statuses wait in the order taken; none leaves.
  cut = true;
  await status("4"); await status("3"); await status("2");
  await ob.flush();
  out.offlinePending = (await ob.pending()).map((i) => JSON.parse(i.body).code);
  out.offlineSent = sent.length;
  out.firstWait = waits[waits.length - 1];
  // 2. The signal returns: each is sent once, in order.
  cut = false;
  await ob.retryNow();
  out.backStatuses = sent.map((s) => s.status);
  out.backPending = (await ob.pending()).length;
  // 3. An answer lost on the way back: the action stays pending, is sent
  // again under the same key, and the server replays its first answer.
  lose = true;
  const lost = await status("4");
  await ob.flush();
  out.lostState = (await get(lost.seq)).state;
  await ob.retryNow();
  out.lostDone = [(await get(lost.seq)).state, (await get(lost.seq)).replayed];
  out.lostSends = sent.filter((s) => s.key === lost.id).map((s) => s.replayed);
  // 4. A refusal is a conflict with the server's reason; the queue moves on.
  const bad = await status("99");
  const next = await status("2");
  await ob.flush();
  out.conflict = [(await get(bad.seq)).state, (await get(bad.seq)).status, (await get(bad.seq)).message, (await get(next.seq)).state];
  // 5. A 503 holds the queue (what was taken later waits), honouring Retry-After.
  let busy = true;
  ob.send = async (u, init) => busy ? new Response(JSON.stringify({ code: "unavailable", detail: "the database is busy" }),
    { status: 503, headers: { "Retry-After": "7", "Content-Type": "application/problem+json" } }) : net(u, init);
  const h1 = await status("3");
  const h2 = await status("2");
  await ob.flush();
  out.held = [(await get(h1.seq)).state, (await get(h1.seq)).lastError, (await get(h2.seq)).state, waits[waits.length - 1]];
  // 6. EMERGENCY (priority) goes before everything still waiting.
  const urgent = await status("13", { priority: true });
  out.priorityFirst = (await ob.pending())[0].seq === urgent.seq;
  busy = false;
  await ob.retryNow();
  out.lastThree = sent.slice(-3).map((s) => s.key).join() === [urgent.id, h1.id, h2.id].join();
  // 7. A session that has ended: the action waits for a sign-in.
  ob.send = async () => new Response("{}", { status: 401, headers: { "Content-Type": "application/json" } });
  const auth = await status("3");
  await ob.flush();
  out.auth = [(await get(auth.seq)).state, ob.blocked, waits[waits.length - 1]];
  // 8. Positions a newer batch makes worthless are dropped, the newest kept.
  ob.send = async () => { throw new TypeError("offline"); };
  for (let i = 0; i < 5; i++) await ob.add({ kind: "positions", label: "positions", path: "/api/v1/positions", body: { i } });
  await ob.keepLatest("positions", 2);
  out.keptPositions = (await ob.pending()).filter((i) => i.kind === "positions").map((i) => JSON.parse(i.body).i);
  // 9. The server's words, field by field.
  out.message = problemMessage({ status: 400, detail: "one or more fields are invalid", fields: { text: "is required, at most 4000 bytes" } });
  out.unit = unit;
  // 10. The receipt reference the phone makes, for the Go test to compare.
  const { stopSearchReference } = await import(base + "reference.js");
  out.refs = Array.from({ length: 200 }, () => { const id = crypto.randomUUID(); return [id, stopSearchReference(id)]; });
  out.refs.push(["0b7c2f4e-1a6d-1c2b-9f1e-5d3a8c7b6e21", stopSearchReference("0b7c2f4e-1a6d-1c2b-9f1e-5d3a8c7b6e21")]); // not version 4
  return JSON.stringify(out);
})()`

// TestOfficerAppOutbox runs the outbox module (js/outbox.js) in Chromium
// against the real server: order, exactly once after a lost answer,
// conflicts that do not stop the queue, a 5xx that does, EMERGENCY first,
// a session that has ended, stale positions dropped. The server's log must
// show each status applied once, in the order taken.
func TestOfficerAppOutbox(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "phone")
	phone.appSignIn("demo.response", "/app/book-on")
	if st := phone.call("POST", "/api/v1/me/unit", map[string]any{"unit_id": unit.ID}); st != 200 {
		t.Fatalf("book on: %d", st)
	}
	var head struct {
		Head int64 `json:"head"`
	}
	apiJSON(t, ctlAPI, "GET", base+"/api/v1/log?limit=1", nil, &head)
	// The sign-in page runs no outbox of its own.
	phone.do(chromedp.Navigate(base + "/app/signin"))
	phone.wait(`document.querySelector("script[type=module]") !== null`, "a page with the app's modules")
	res, err := chromedp.Run(phone.ctx, chromedp.Evaluate[string](outboxScript, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("outbox script: %v\n%s", err, phone.errors())
	}
	var got struct {
		OfflinePending []string    `json:"offlinePending"`
		OfflineSent    int         `json:"offlineSent"`
		FirstWait      int         `json:"firstWait"`
		BackStatuses   []int       `json:"backStatuses"`
		BackPending    int         `json:"backPending"`
		LostState      string      `json:"lostState"`
		LostDone       []any       `json:"lostDone"`
		LostSends      []any       `json:"lostSends"`
		Conflict       []any       `json:"conflict"`
		Held           []any       `json:"held"`
		PriorityFirst  bool        `json:"priorityFirst"`
		LastThree      bool        `json:"lastThree"`
		Auth           []any       `json:"auth"`
		KeptPositions  []int       `json:"keptPositions"`
		Message        string      `json:"message"`
		Refs           [][2]string `json:"refs"`
	}
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatal(err)
	}
	check := func(name string, ok bool) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %s", name, res)
		}
	}
	check("offline, three wait in order and none is sent", slices.Equal(got.OfflinePending, []string{"4", "3", "2"}) && got.OfflineSent == 0 && got.FirstWait == 2000)
	check("back online, each sent once in order", slices.Equal(got.BackStatuses, []int{200, 200, 200}) && got.BackPending == 0)
	check("a lost answer leaves the action pending", got.LostState == "pending")
	check("the resend is replayed, not applied again", fmt.Sprint(got.LostDone) == "[done true]" && fmt.Sprint(got.LostSends) == "[<nil> true]")
	check("a refusal is a conflict with the server's reason, and the queue moves on",
		fmt.Sprint(got.Conflict[:2]) == "[conflict 400]" && fmt.Sprint(got.Conflict[2]) == `Unknown status code "99" in this force's table` && got.Conflict[3] == "done")
	check("a 503 holds the queue and honours Retry-After", fmt.Sprint(got.Held) == "[pending Not sent yet: the database is busy pending 7000]")
	check("EMERGENCY first", got.PriorityFirst && got.LastThree)
	check("an ended session waits for a sign-in", fmt.Sprint(got.Auth) == "[pending auth 60000]")
	check("only the newest positions kept", slices.Equal(got.KeptPositions, []int{3, 4}))
	check("the server's words", got.Message == "Text is required, at most 4000 bytes")
	for _, r := range got.Refs {
		if want := bluelamp.StopSearchReference(r[0]); r[1] != want {
			t.Errorf("the phone's receipt reference for %s is %q, the server's %q", r[0], r[1], want)
		}
	}
	if len(got.Refs) != 201 {
		t.Errorf("%d references compared", len(got.Refs))
	}

	// The force's log: each status once, in the order taken, the refused
	// one absent, EMERGENCY's stand-in (13, call back) before the two the
	// 503 held.
	var log struct {
		Events []struct {
			Type    string `json:"type"`
			Payload struct {
				Unit struct {
					ID         int    `json:"id"`
					StatusCode string `json:"status_code"`
				} `json:"unit"`
				Message string `json:"message"`
			} `json:"payload"`
		} `json:"events"`
	}
	if st := apiJSON(t, ctlAPI, "GET", fmt.Sprintf("%s/api/v1/log?after=%d&limit=1000", base, head.Head), nil, &log); st != 200 {
		t.Fatalf("log: %d", st)
	}
	var applied []string
	for _, e := range log.Events {
		if e.Type != "unit.status_changed" || e.Payload.Unit.ID != unit.ID {
			continue
		}
		if e.Payload.Message != "" {
			applied = append(applied, "msg:"+e.Payload.Message)
		} else {
			applied = append(applied, e.Payload.Unit.StatusCode)
		}
	}
	if want := []string{"4", "3", "2", "4", "2", "msg:Call back", "3", "2"}; !slices.Equal(applied, want) {
		t.Errorf("the server applied %v, want %v", applied, want)
	}
	phone.noErrors()
}

// TestOfficerAppAccessibility checks every page of the officer app with
// axe-core at a phone's size: sign-in (and its error), book-on, my unit
// with a job, its markers and an action refused, the same offline with
// actions waiting, the stop-search form showing its problems and the
// receipt, the notebook, a record check's result, the forms and jobs
// lists, the public receipt page and the not-found page. It also checks
// the touch targets: every button, link and input of each page is at
// least 44 px high.
func TestOfficerAppAccessibility(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "a11y")
	check := func(page string) {
		t.Helper()
		checkAxe(t, phone.ctx, "app-"+page)
		small := eval[[]string](phone, `[...document.querySelectorAll("main button, main a.button, main .ob a, main input, main select, main textarea, main summary, .tabs a, .bar a")]
			.filter((e) => e.offsetParent !== null && e.type !== "checkbox" && e.type !== "radio" && e.getBoundingClientRect().height < 44)
			.map((e) => (e.id || e.className || e.tagName) + " " + Math.round(e.getBoundingClientRect().height) + "px")`)
		if len(small) > 0 {
			t.Errorf("%s: touch targets under 44 px: %v", page, small)
		}
	}

	phone.do(chromedp.Navigate(base + "/app/signin"))
	phone.wait(`document.getElementById("username") !== null`, "sign-in")
	check("signin")
	phone.do(chromedp.SendKeys(chromedp.ID("username"), "demo.response"), chromedp.SendKeys(chromedp.ID("password"), "nope\n"))
	phone.wait(`!document.getElementById("signin-error").hidden`, "the sign-in error")
	check("signin-error")
	phone.appSignIn("demo.response", "/app/book-on")
	phone.wait(`!document.getElementById("bookon").hidden`, "the book-on form")
	check("book-on")
	if st := phone.call("POST", "/api/v1/me/unit", map[string]any{"unit_id": unit.ID}); st != 200 {
		t.Fatalf("book on: %d", st)
	}

	incID, number := mustOpenIncident(t, base, "IMMEDIATE", "Fight outside the Three Mariners", 50.7155, -2.4362)
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", base, incID), map[string]any{"unit_id": unit.ID}, nil); st != 201 && st != 200 {
		t.Fatalf("assign: %d", st)
	}
	phone.do(chromedp.Navigate(base + "/app/"))
	phone.until(fmt.Sprintf(`document.getElementById("job-number") && document.getElementById("job-number").textContent === %q && document.querySelector("#markers .marker") !== null`, number), "the job with its markers")
	phone.wait(`document.getElementById("conn").textContent === "live"`, "live")
	// An action the server refuses, shown as a conflict.
	phone.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`window.bluelamp.outbox.add({kind: "status", label: "99 No such status", path: "/api/v1/units/%d/status", body: {code: "99"}, meta: {unit: %d}})`, unit.ID, unit.ID)))
	phone.wait(`document.body.dataset.conflicts === "1"`, "the conflict")
	check("home-job-conflict")
	phone.do(chromedp.Evaluate[chromedp.Void](`window.bluelamp.outbox.dismiss(Number(document.querySelector("#outbox-list li.conflict").dataset.seq))`))
	phone.wait(`document.body.dataset.conflicts === "0"`, "the conflict read")

	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "offline")
	phone.tap(`#statuses button[data-code="5"]`)
	phone.do(chromedp.SendKeys(chromedp.ID("log-text"), "On our way, two minutes."))
	phone.tap(`#log-form button[type=submit]`)
	phone.wait(`document.body.dataset.pending === "2" && !document.getElementById("offline-banner").hidden`, "the actions waiting")
	check("home-offline-waiting")
	phone.setOffline(false)
	phone.wait(`document.body.dataset.pending === "0"`, "sent")

	phone.do(chromedp.Navigate(base + "/app/forms/stop-search"))
	phone.until(`document.getElementById("ss-form") && !document.getElementById("ss-form").hidden`, "the stop-search form")
	phone.tap(`#ss-form button[type=submit]`)
	phone.wait(`!document.getElementById("ss-problems").hidden`, "the problems")
	check("stop-search-problems")
	phone.tap(`#ss-job-address`)
	phone.do(
		chromedp.SetValue(chromedp.ID("ss-sde"), "NS"), chromedp.SetValue(chromedp.ID("ss-ode"), "IC9"),
		chromedp.SetValue(chromedp.ID("ss-gender"), "Female"), chromedp.SetValue(chromedp.ID("ss-age"), "25-34"),
		chromedp.SetValue(chromedp.ID("ss-power"), "Police and Criminal Evidence Act 1984 (section 1)"),
		chromedp.SetValue(chromedp.ID("ss-object"), "Stolen goods"),
		chromedp.SetValue(chromedp.ID("ss-outcome"), "Arrest"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("ss-form").dispatchEvent(new Event("change"))`),
		chromedp.SendKeys(chromedp.ID("ss-grounds"), "Matched the description of the shop thief given two minutes earlier, carrying the same blue holdall."),
	)
	phone.tap(`#ss-linked`)
	phone.tap(`#ss-form button[type=submit]`)
	phone.wait(`!document.getElementById("receipt").hidden && document.getElementById("r-state").textContent.startsWith("Sent")`, "the receipt, sent")
	check("stop-search-receipt")
	ref := phone.text("#r-ref")

	phone.do(chromedp.Navigate(base + "/app/notebook"))
	phone.until(`document.getElementById("nb-form") !== null`, "the notebook")
	phone.do(chromedp.SendKeys(chromedp.ID("nb-text"), "1510 Arrested female, High St, theft."))
	phone.tap(`#nb-form button[type=submit]`)
	phone.wait(`document.querySelector("#nb-entries li[data-number]") !== null`, "the entry")
	check("notebook")

	phone.do(chromedp.Navigate(base + "/app/check"))
	phone.until(`document.getElementById("ck-reason") && document.getElementById("ck-reason").value === "INCIDENT"`, "the check page")
	phone.tap(`input[name=kind][value=vehicle]`)
	phone.do(chromedp.SendKeys(chromedp.ID("ck-vrm"), "WX21 ABC"))
	phone.tap(`#ck-form button[type=submit]`)
	phone.wait(`!document.getElementById("ck-results").hidden`, "the result")
	check("check-result")

	phone.do(chromedp.Navigate(base + "/app/forms"))
	phone.until(`document.querySelectorAll("#mine li.done").length >= 2`, "my forms")
	check("forms")
	phone.do(chromedp.Navigate(base + "/app/jobs"))
	phone.until(`document.querySelectorAll("#actions-list li").length > 2`, "the jobs page")
	check("jobs")
	phone.do(chromedp.Navigate(base + "/app/receipt?ref=" + ref))
	phone.until(`!document.getElementById("pr-receipt").hidden`, "the public receipt")
	check("public-receipt")
	phone.do(chromedp.Navigate(base + "/app/nope"))
	phone.until(`document.querySelector(".alert.error") !== null`, "not found")
	check("not-found")
	phone.noErrors()
}

// trackOf returns the positions the server holds for unit id in the last
// hour, read as a controller with a reason.
func trackOf(t *testing.T, c *http.Client, base string, id int) []struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
} {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", fmt.Sprintf("%s/api/v1/units/%d/track", base, id), nil)
	req.Header.Set("Bluelamp-Reason", "INCIDENT")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Positions []struct {
			Lat float64 `json:"lat"`
			Lon float64 `json:"lon"`
		} `json:"positions"`
	}
	if res.StatusCode != 200 {
		t.Fatalf("track: %d", res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Positions
}

// waitTrack polls the unit's track until it holds n positions.
func waitTrack(t *testing.T, c *http.Client, base string, id, n int) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		got := len(trackOf(t, c, base, id))
		if got >= n || time.Now().After(deadline) {
			return got
		}
		<-tick.C
	}
}

// TestOfficerAppPositions: while booked on, the phone reports its
// position, batched, through the outbox; with no signal the batches wait
// on the phone (not shown to the officer as their actions) and reach the
// server when the signal returns.
func TestOfficerAppPositions(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "phone")
	phone.allowLocation()
	phone.moveTo(50.7150, -2.4400)
	phone.phoneOnShift("demo.response", unit)
	phone.wait(`document.getElementById("avl-state").textContent.startsWith("Your position is shared")`, "the position indicator")
	// Five fixes make a batch.
	taken := eval[int](phone, `window.bluelamp.avl.positions.taken`)
	for i := 1; i <= 5; i++ {
		phone.moveTo(50.7150+float64(i)*0.0002, -2.4400)
		phone.wait(fmt.Sprintf(`window.bluelamp.avl.positions.taken === %d`, taken+i), "the fix")
	}
	if n := waitTrack(t, ctlAPI, base, unit.ID, 5); n < 5 {
		dbg, _ := chromedp.Run(phone.ctx, chromedp.Evaluate[string](`window.bluelamp.outbox.items().then((is) => JSON.stringify(is.filter((i) => i.kind === "positions").map((i) => [i.state, i.body, i.status, i.answer])))`, chromedp.EvalAwaitPromise))
		t.Fatalf("the server holds %d positions, want at least 5\n%s", n, dbg)
	}
	phone.shot("avl-01-shared")

	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "offline")
	before := len(trackOf(t, ctlAPI, base, unit.ID))
	taken = eval[int](phone, `window.bluelamp.avl.positions.taken`)
	for i := 1; i <= 5; i++ {
		phone.moveTo(50.7170+float64(i)*0.0002, -2.4380)
		phone.wait(fmt.Sprintf(`window.bluelamp.avl.positions.taken === %d`, taken+i), "the fix")
	}
	phone.waitAsync(`window.bluelamp.outbox.pending().then((ps) => ps.some((p) => p.kind === "positions") && document.body.dataset.pending === "0")`, "a batch waiting, not listed as the officer's")
	if n := len(trackOf(t, ctlAPI, base, unit.ID)); n != before {
		t.Fatalf("positions reached the server while the phone was offline: %d, then %d", before, n)
	}
	phone.setOffline(false)
	if n := waitTrack(t, ctlAPI, base, unit.ID, before+5); n < before+5 {
		t.Fatalf("after the signal returned the server holds %d positions, want at least %d", n, before+5)
	}
	phone.noErrors()
}

// getWithReason GETs path as c with a reason for reading personal data and
// decodes the answer into out.
func getWithReason(t *testing.T, c *http.Client, u, reason string, out any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", u, nil)
	req.Header.Set("Bluelamp-Reason", reason)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestOfficerAppEvidence logs an exhibit (a photo) and makes a
// safeguarding referral on a phone with no signal; back online each is
// recorded once, the exhibit's SHA-256 is the photo's, and the officer
// sees the referral's delivery.
func TestOfficerAppEvidence(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	admin := apiClient(t, base, "demo.admin")
	if st := apiJSON(t, admin, "POST", base+"/api/v1/partners", map[string]any{"name": "Wessex Adult Social Care",
		"accepts": []string{"ADULT_AT_RISK", "MENTAL_HEALTH"}, "email": "asc@wessex.example"}, nil); st != 201 {
		t.Fatalf("partner: %d", st)
	}
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "phone")
	phone.phoneOnShift("demo.response", unit)
	incID, number := mustOpenIncident(t, base, "PRIORITY", "Man in crisis on Grey's Bridge", 50.7146, -2.4290)
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", base, incID), map[string]any{"unit_id": unit.ID}, nil); st != 201 && st != 200 {
		t.Fatalf("assign: %d", st)
	}
	phone.wait(fmt.Sprintf(`document.getElementById("job-number").textContent === %q`, number), "the job")

	// A photo, as the camera would give it.
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(t.TempDir(), "IMG_0001.png")
	if err := os.WriteFile(photo, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())

	// Each page once with a signal, so the phone has their lists.
	phone.do(chromedp.Navigate(base + "/app/forms/referral"))
	phone.until(`document.getElementById("rf-form") && !document.getElementById("rf-form").hidden`, "the referral form")
	checkAxe(t, phone.ctx, "app-referral")
	phone.do(chromedp.Navigate(base + "/app/forms/exhibit"))
	phone.until(`document.getElementById("ex-form") !== null && !document.getElementById("ex-job-link").hidden`, "the exhibit form")
	checkAxe(t, phone.ctx, "app-exhibit")

	phone.setOffline(true)
	phone.wait(`document.getElementById("conn").textContent === "offline"`, "offline")
	phone.do(chromedp.SendKeys(chromedp.ID("ex-description"), "Kitchen knife, black handle, 20 cm blade, from the man's right coat pocket"))
	phone.tap(`#ex-job-address`)
	phone.do(chromedp.SetUploadFiles(chromedp.ID("ex-file"), []string{photo}))
	phone.wait(`!document.getElementById("ex-preview").hidden`, "the photo's preview")
	phone.tap(`#ex-form button[type=submit]`)
	phone.wait(`document.getElementById("ex-state").textContent.startsWith("Exhibit kept on this phone")`, "the exhibit kept")
	phone.shot("evidence-01-exhibit-offline")

	phone.do(chromedp.Navigate(base + "/app/forms/referral"))
	phone.until(`document.getElementById("rf-form") && !document.getElementById("rf-form").hidden && document.body.dataset.pending === "1"`, "the referral form offline")
	phone.do(chromedp.SetValue(chromedp.ID("rf-type"), "MENTAL_HEALTH"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("rf-type").dispatchEvent(new Event("change"))`))
	phone.wait(`document.getElementById("rf-f-presentation") !== null && document.getElementById("rf-partner").options.length >= 2`, "the type's fields and partner")
	phone.do(chromedp.SetValue(chromedp.ID("rf-partner"), eval[string](phone, `document.getElementById("rf-partner").options[1].value`)),
		chromedp.SendKeys(chromedp.ID("rf-f-subject_name"), "Joseph POORGRASS"),
		chromedp.SendKeys(chromedp.ID("rf-f-subject_address"), "2 Mill Street, Budmouth"),
		chromedp.SendKeys(chromedp.ID("rf-f-presentation"), "Distressed, talking of jumping; calmed and taken home by his sister"),
		chromedp.SendKeys(chromedp.ID("rf-f-concern"), "Second crisis this month; no mental health worker in contact"),
		chromedp.SetValue(chromedp.ID("rf-f-officer_risk_view"), "HIGH"))
	phone.tap(`#rf-form button[type=submit]`)
	phone.wait(`document.getElementById("rf-state").textContent.startsWith("Referral kept on this phone") && document.body.dataset.pending === "2"`, "the referral kept")
	phone.shot("evidence-02-referral-offline")

	var exhibits struct {
		Exhibits []struct {
			Reference string `json:"reference"`
			SHA256    string `json:"sha256"`
		} `json:"exhibits"`
	}
	getWithReason(t, ctlAPI, base+"/api/v1/exhibits?produced_by=1041", "INCIDENT", &exhibits)
	if len(exhibits.Exhibits) != 0 {
		t.Fatalf("an exhibit reached the server while the phone was offline: %+v", exhibits)
	}

	phone.setOffline(false)
	phone.wait(`document.body.dataset.pending === "0" && document.getElementById("rf-state").textContent.startsWith("Referral R-")`, "both sent")
	getWithReason(t, ctlAPI, base+"/api/v1/exhibits?produced_by=1041", "INCIDENT", &exhibits)
	if len(exhibits.Exhibits) != 1 || exhibits.Exhibits[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("exhibits recorded: %+v, want one with SHA-256 %x", exhibits, sum)
	}
	sup := apiClient(t, base, "demo.supervisor")
	var refs struct {
		Referrals []struct {
			Type string `json:"type"`
		} `json:"referrals"`
	}
	getWithReason(t, sup, base+"/api/v1/referrals", "SAFEGUARDING", &refs)
	if len(refs.Referrals) != 1 || refs.Referrals[0].Type != "MENTAL_HEALTH" {
		t.Fatalf("referrals recorded: %+v, want one", refs)
	}
	phone.tap(`#rf-show`)
	phone.wait(`document.querySelectorAll("#rf-mine li.ob").length === 1`, "my referral's delivery")
	phone.shot("evidence-03-referral-delivery")
	phone.noErrors()
}

// TestOfficerAppCrimeAndForce files a crime report (a hate crime with a
// suspect, its own checks first) and a use-of-force form with a tactic, a
// reason and an outcome, and checks axe on both pages; each is recorded
// once.
func TestOfficerAppCrimeAndForce(t *testing.T) {
	m := startDemo(t)
	base := m.URL()
	ctlAPI := apiClient(t, base, "demo.controller")
	unit := freeUnit(t, ctlAPI, base)
	phone := newPhone(t, base, "phone")
	phone.phoneOnShift("demo.response", unit)
	incID, number := mustOpenIncident(t, base, "IMMEDIATE", "Man assaulted outside the King's Arms", 50.7149, -2.4368)
	if st := apiJSON(t, ctlAPI, "POST", fmt.Sprintf("%s/api/v1/incidents/%d/assignments", base, incID), map[string]any{"unit_id": unit.ID}, nil); st != 201 && st != 200 {
		t.Fatalf("assign: %d", st)
	}
	phone.wait(fmt.Sprintf(`document.getElementById("job-number").textContent === %q`, number), "the job")

	phone.do(chromedp.Navigate(base + "/app/forms/crime"))
	phone.until(`document.getElementById("cr-form") && !document.getElementById("cr-form").hidden`, "the crime report")
	phone.tap(`#cr-form button[type=submit]`)
	phone.wait(`!document.getElementById("cr-problems").hidden`, "the problems")
	for _, id := range []string{"cr-offence", "cr-address", "cr-v-name", "cr-summary"} {
		if !eval[bool](phone, fmt.Sprintf(`document.getElementById(%q).getAttribute("aria-invalid") === "true"`, id)) {
			t.Errorf("%s is not marked as a problem", id)
		}
	}
	checkAxe(t, phone.ctx, "app-crime-problems")
	phone.do(chromedp.SetValue(chromedp.ID("cr-offence"), "ASSAULT_WITH_INJURY"))
	phone.tap(`input[name=flags][value=HATE_CRIME]`)
	phone.wait(`!document.getElementById("cr-hate-box").hidden`, "the hate strands")
	phone.tap(`input[name=hate][value=RACE]`)
	phone.tap(`#cr-job-address`)
	phone.tap(`#cr-add-suspect`)
	phone.do(chromedp.SendKeys(chromedp.ID("cr-v-name"), "Abel WHITTLE"),
		chromedp.SendKeys(chromedp.ID("cr-s0-desc"), "White male, about 30, red football shirt, ran towards the station"),
		chromedp.SendKeys(chromedp.ID("cr-summary"), "Victim punched twice in the face after racist abuse; cut lip, treated at scene."))
	phone.tap(`#cr-form button[type=submit]`)
	phone.wait(`document.getElementById("cr-state").textContent.startsWith("Crime report recorded")`, "the crime report recorded")
	phone.shot("crime-01-recorded")

	phone.do(chromedp.Navigate(base + "/app/forms/use-of-force"))
	phone.until(`document.getElementById("uf-form") && !document.getElementById("uf-form").hidden`, "the use-of-force form")
	phone.tap(`#uf-form button[type=submit]`)
	phone.wait(`!document.getElementById("uf-problems").hidden`, "the problems")
	checkAxe(t, phone.ctx, "app-use-of-force-problems")
	phone.tap(`#uf-job-address`)
	phone.do(chromedp.SetValue(chromedp.ID("uf-location-type"), "STREET"), chromedp.SetValue(chromedp.ID("uf-bwv"), "RECORDING"),
		chromedp.SetValue(chromedp.ID("uf-age"), eval[string](phone, `document.getElementById("uf-age").options[3].value`)),
		chromedp.SetValue(chromedp.ID("uf-gender"), "MALE"), chromedp.SetValue(chromedp.ID("uf-ethnicity"), "IC1"),
		chromedp.SetValue(chromedp.ID("uf-subject-injury"), "NONE"), chromedp.SetValue(chromedp.ID("uf-officer-injury"), "MINOR"))
	phone.tap(`#uf-t-HANDCUFFING_NON_COMPLIANT`)
	phone.wait(`!document.querySelector('[data-tactic="HANDCUFFING_NON_COMPLIANT"] .tactic-more').hidden`, "the tactic's question")
	phone.tap(`input[name="uf-t-HANDCUFFING_NON_COMPLIANT-eff"][value=yes]`)
	phone.tap(`input[name=reasons][value=EFFECT_ARREST]`)
	phone.tap(`input[name=outcomes][value=ARRESTED]`)
	phone.tap(`#uf-form button[type=submit]`)
	phone.wait(`document.getElementById("uf-state").textContent === "Use of force recorded."`, "the use of force recorded")
	phone.shot("crime-02-use-of-force-recorded")

	kinds := map[string]int{}
	for _, f := range formSummaries(t, ctlAPI, base, "1041") {
		kinds[f.Kind]++
	}
	if kinds["CRIME_REPORT"] != 1 || kinds["USE_OF_FORCE"] != 1 {
		t.Fatalf("forms recorded: %v", kinds)
	}
	phone.noErrors()
}
