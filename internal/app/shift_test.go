package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleShift runs the control room's main path in real browsers, with
// separate sessions (separate cookies): a call handler takes a 999 call and
// grades it IMMEDIATE; the controller, on the console, sees it arrive
// without a reload, opens it and dispatches the recommended unit with one
// key; the unit goes en route and at scene by the status buttons; a
// supervisor, signing in where the call handler was, closes it. The queue,
// unit board and map update live in every session; the console resumes
// after a dropped connection. Screenshots of each step are artifacts.
func TestConsoleShift(t *testing.T) {
	m := startDemo(t)
	ctl := newSession(t, m.URL(), "controller", "demo.controller")
	ch := newSession(t, m.URL(), "callhandler", "demo.callhandler")
	ctl.open("/control")
	ctl.wait(`document.querySelectorAll("#queue-body tr").length === 0 && document.querySelectorAll(".unit-pin").length > 10`, "an empty queue and units on the map")
	ctl.shot("console-01-controller-empty")

	// The call handler takes a 999 call, keyboard first.
	ch.open("/calls/new")
	ch.wait(`document.activeElement && document.activeElement.id === "f-channel"`, "the form to take the focus")
	ch.do(
		chromedp.SendKeys(chromedp.ID("f-name"), "Joan Durbeyfield"),
		chromedp.SendKeys(chromedp.ID("f-number"), "01305 224466"),
		chromedp.Click(chromedp.ID("f-callback")),
		chromedp.SendKeys(chromedp.ID("f-address"), "The Pure Drop Inn, High Street, Casterbridge"),
		chromedp.SendKeys(chromedp.ID("f-lat"), "50.7161"),
		chromedp.SendKeys(chromedp.ID("f-lon"), "-2.4351"),
		chromedp.SendKeys(chromedp.ID("f-account"), "Two men fighting outside the pub, one has a bottle. Landlord has been hit."),
	)
	// A select and a radio list are chosen from the keyboard: focus and type.
	ch.do(chromedp.Focus(chromedp.ID("f-category")), chromedp.SendKeys(chromedp.ID("f-category"), "Violence"))
	ch.wait(`document.getElementById("f-category").value === "CRIME_VIOLENCE"`, "the category chosen by typing")
	ch.do(chromedp.Focus(chromedp.CSS(`#f-grade input[value=IMMEDIATE]`)))
	ch.key("1", false)
	ch.do(
		chromedp.SendKeys(chromedp.ID("f-summary"), "Fight outside the Pure Drop, bottle used"),
		chromedp.SendKeys(chromedp.ID("t-desc"), "Serious assault continuing; landlord injured"),
		chromedp.SendKeys(chromedp.ID("t-parties"), "landlord, public"),
		chromedp.Click(chromedp.CSS(`input[name="incident.thrive.harm.types"][value=PHYSICAL]`)),
		chromedp.Click(chromedp.CSS(`input[name="incident.thrive.harm.severity"][value=HIGH]`)),
		chromedp.Click(chromedp.CSS(`input[name="incident.thrive.risk.likelihood"][value=HIGH]`)),
		chromedp.Click(chromedp.CSS(`input[name="incident.thrive.risk.rating"][value=HIGH]`)),
		chromedp.SendKeys(chromedp.ID("t-rat"), "Violence in progress with a weapon: immediate attendance"),
	)
	ch.wait(`document.querySelector("#dups").textContent.includes("No open incident")`, "the duplicate check while typing")
	ch.shot("console-02-callhandler-call-taken")
	ch.key("\r", true)
	ch.wait(`document.getElementById("contact-ref") !== null`, "the contact reference after saving")
	ref := eval[string](ch, `document.getElementById("contact-ref").textContent`)
	number := eval[string](ch, `document.getElementById("incident-link").textContent`)
	id := eval[int](ch, `Number(new URL(document.getElementById("incident-link").href).searchParams.get("incident"))`)
	if !strings.HasPrefix(ref, "C-") || !strings.Contains(number, "/") || id == 0 {
		t.Fatalf("saved call: reference %q, incident %q (%d)", ref, number, id)
	}
	ch.shot("console-03-callhandler-saved")

	// The controller sees it arrive: queue, map, no reload.
	ctl.do(chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))
	row := fmt.Sprintf(`#inc-%d`, id)
	ctl.wait(fmt.Sprintf(`document.querySelector(%q) !== null && document.querySelector(%q).textContent.includes("BREACHED") === false`, row, row), "the new incident in the queue")
	ctl.wait(fmt.Sprintf(`document.querySelector(".inc-pin.inc-%d") !== null`, id), "the incident's marker on the map")
	if g := eval[string](ctl, fmt.Sprintf(`document.querySelector("%s .badge").textContent`, row)); g != "G1" {
		t.Errorf("queue grade %q, want G1", g)
	}
	ctl.wait(fmt.Sprintf(`/\d+:\d\d left/.test(document.querySelector("%s .clock .t").textContent)`, row), "the attendance countdown")

	// The call handler follows it on the console too.
	ch.do(chromedp.Click(chromedp.ID("incident-link")))
	ch.wait(`document.getElementById("stream-status").textContent === "live"`, "the console's stream")
	ch.wait(`document.getElementById("det-log").children.length >= 2`, "the incident's log")

	// The controller opens it from the keyboard and dispatches the top
	// recommendation with D.
	ctl.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	ctl.key("j", false)
	ctl.wait(fmt.Sprintf(`document.activeElement && document.activeElement.dataset.open === "%d"`, id), "j to select the incident")
	ctl.key("\r", false)
	ctl.wait(fmt.Sprintf(`document.getElementById("detail-h").textContent.includes(%q)`, number), "the incident panel")
	ctl.wait(`document.querySelectorAll("#det-recs tbody tr").length > 0`, "recommendations")
	ctl.shot("console-04-controller-incident-open")
	top := eval[string](ctl, `document.querySelector("#det-recs tbody tr th").textContent`)
	unitID := eval[int](ctl, `Number(document.querySelector("#det-recs tbody tr").dataset.unit)`)
	ctl.key("d", false)
	for _, s := range []*session{ctl, ch} {
		s.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="ASSIGNED"] li[data-id="%d"]') !== null`, unitID), "the unit on the board as assigned")
		s.wait(fmt.Sprintf(`document.querySelector("%s .res").textContent.includes(%q)`, row, top), "the queue showing the unit")
	}
	ctl.wait(fmt.Sprintf(`document.querySelector('#det-units tr[data-unit="%d"]') !== null`, unitID), "the assigned unit in the panel")
	ctl.shot("console-05-controller-dispatched")

	// En route, then at scene, by the status buttons.
	ctl.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#det-units tr[data-unit="%d"] button[data-code="5"]`, unitID))))
	for _, s := range []*session{ctl, ch} {
		s.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="EN_ROUTE"] li[data-id="%d"]') !== null`, unitID), "the unit en route on the board")
		s.wait(fmt.Sprintf(`document.querySelector(".unit-pin.st-en-route.unit-%d") !== null`, unitID), "the unit en route on the map")
	}
	ctl.shot("console-06-controller-en-route")

	// A dropped connection: the controller's stream goes down, the unit
	// arrives meanwhile, and the console catches up when it reconnects.
	ctl.do(chromedp.Evaluate[chromedp.Void](`window.bluelamp.store.live.drop(3000)`))
	ctl.wait(`document.getElementById("stream-status").textContent !== "live"`, "the stream to drop")
	sup := apiClient(t, m.URL(), "demo.controller")
	if st := apiJSON(t, sup, "POST", fmt.Sprintf("%s/api/v1/units/%d/status", m.URL(), unitID), map[string]string{"code": "6"}, nil); st != 200 {
		t.Fatalf("at scene: %d", st)
	}
	for _, s := range []*session{ctl, ch} {
		s.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="AT_SCENE"] li[data-id="%d"]') !== null`, unitID), "the unit at scene on the board")
		s.wait(fmt.Sprintf(`document.querySelector("%s .res").textContent.includes("At scene")`, row), "the queue showing at scene")
	}
	ctl.wait(`document.getElementById("stream-status").textContent === "live"`, "the stream to come back")
	ctl.wait(fmt.Sprintf(`document.querySelector("%s .clock").classList.contains("met")`, row), "the attendance clock met")
	ctl.shot("console-07-controller-at-scene")
	ch.shot("console-08-callhandler-at-scene")

	// The supervisor closes it, in the call handler's browser.
	ch.signOut()
	ch.signIn("demo.supervisor")
	ch.open(fmt.Sprintf("/control?incident=%d", id))
	ch.wait(fmt.Sprintf(`document.getElementById("detail-h").textContent.includes(%q) && document.querySelectorAll("#det-units tr[data-unit]").length === 1`, number), "the incident panel for the supervisor")
	ch.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	ch.key("c", false)
	ch.wait(`document.getElementById("dlg-close").open`, "the close dialog")
	ch.do(chromedp.SetValue(chromedp.ID("close-result"), "CRIME_RECORDED"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("close-result").dispatchEvent(new Event("change", {bubbles: true}))`))
	ch.wait(`!document.getElementById("close-crime").closest(".when").hidden`, "the crime reference field")
	// Closing without the reference is refused beside the field.
	ch.do(chromedp.Click(chromedp.CSS(`#dlg-close button[type=submit]`)))
	ch.wait(`document.querySelector("#dlg-close .field-error") !== null && document.activeElement.id === "close-crime"`, "the problem beside the crime reference")
	ch.shot("console-09-supervisor-close-problem")
	ch.do(chromedp.SendKeys(chromedp.ID("close-crime"), "55/12345/26"), chromedp.SendKeys(chromedp.ID("close-note"), "Two arrested; landlord to hospital"))
	ch.key("\r", true)
	ch.wait(`!document.getElementById("dlg-close").open`, "the dialog to close")
	for _, s := range []*session{ctl, ch} {
		s.wait(fmt.Sprintf(`document.querySelector(%q) === null`, row), "the incident to leave the queue")
		s.wait(fmt.Sprintf(`document.querySelector(".inc-pin.inc-%d") === null`, id), "the incident's marker to leave the map")
		s.wait(fmt.Sprintf(`document.querySelector('#board section[data-state="AVAILABLE"] li[data-id="%d"]') !== null`, unitID), "the unit available again")
	}
	ctl.wait(`document.getElementById("det-status").textContent.startsWith("Closed")`, "the controller's panel to show it closed")
	ctl.shot("console-10-controller-closed")
	ch.shot("console-11-supervisor-closed")
	if !eval[bool](ctl, `window.__noReload === true`) {
		t.Error("the controller's console reloaded")
	}
	ctl.noErrors()
	ch.noErrors()
}
