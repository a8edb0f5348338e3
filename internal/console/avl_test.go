package console_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/console"
)

// TestConsoleAVLPages checks the first render of what the connected
// officer adds to the pages: each role is offered only what it may do
// (tracks to controllers, supervisors and auditors; drawing zones to
// supervisors), and a unit's position is already stale, in words, when
// its last fix is older than the force's position_stale_after.
func TestConsoleAVLPages(t *testing.T) {
	t.Parallel()
	// Five minutes after the units were located: past the default 2m.
	later := time.Now().Add(5 * time.Minute)
	srv := newServer(t, func(c *console.Console, _ string) { c.Now = func() time.Time { return later } })
	seedCAD(t, srv.store)
	controller := signedInAs(t, srv, "ctl", bluelamp.RoleController)
	supervisor := signedInAs(t, srv, "sup", bluelamp.RoleSupervisor)
	handler := signedInAs(t, srv, "ch", bluelamp.RoleCallHandler)
	auditor := signedInAs(t, srv, "aud", bluelamp.RoleAuditor)

	for _, tc := range []struct {
		name      string
		client    *http.Client
		path      string
		want, not []string
	}{
		{"ControllerConsole", controller, "/control",
			[]string{`id="fence-alerts"`, `role="log" aria-live="polite"`, `id="det-forms"`, `data-track="`, `id="dlg-track"`, `id="show-fences"`,
				`id="emergency-ack"`, `"track":true`},
			[]string{`id="draw-zone"`, `id="dlg-zone"`, `id="dlg-retire"`}},
		{"SupervisorMap", supervisor, "/map",
			[]string{`id="draw-zone"`, `id="dlg-zone"`, `id="dlg-retire"`, `id="dlg-track"`, `id="dlg-status"`, `stale: no position for 2 min or more`},
			nil},
		{"CallHandlerConsole", handler, "/control", []string{`id="fence-alerts"`, `"track":false`},
			[]string{`data-track="`, `id="dlg-track"`, `id="draw-zone"`}},
		{"AuditorUnitBoard", auditor, "/units", []string{`data-track="`, "Track shows where a unit went"}, []string{`data-status-unit`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, tc.client, srv.url+tc.path)
			wantStatus(t, r, 200)
			for _, w := range tc.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s lacks %q", tc.path, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(r.body, w) {
					t.Errorf("%s has %q", tc.path, w)
				}
			}
		})
	}

	t.Run("ReasonsForATrack", func(t *testing.T) {
		r := get(t, controller, srv.url+"/control")
		for _, rc := range bluelamp.DefaultReasonCodes {
			if !strings.Contains(r.body, `<option value="`+string(rc.Code)+`">`) {
				t.Errorf("the track dialog lacks reason %s", rc.Code)
			}
		}
	})

	t.Run("StaleFirstRender", func(t *testing.T) {
		r := get(t, controller, srv.url+"/units")
		// CB11 and CB12 were located when seeded, five minutes ago; CB14
		// is off duty, so its position is not followed.
		for _, cs := range []string{"CB11", "CB12"} {
			re := regexp.MustCompile(`<li id="unit-\d+" data-id="\d+" data-call-sign="` + cs + `" class="stale">.*?<span class="fix">last fix [45] min ago</span>`)
			if !re.MatchString(r.body) {
				t.Errorf("%s is not stale with its fix's age", cs)
			}
		}
		if !regexp.MustCompile(`data-call-sign="CB14">.*?<span class="fix" hidden></span>`).MatchString(r.body) {
			t.Error("CB14, off duty, is shown stale")
		}
	})
}

func TestConsoleAVLFreshFirstRender(t *testing.T) {
	t.Parallel()
	srv := newServer(t, nil)
	seedCAD(t, srv.store)
	r := get(t, signedInAs(t, srv, "ctl", bluelamp.RoleController), srv.url+"/units")
	wantStatus(t, r, 200)
	if strings.Contains(r.body, `class="stale"`) {
		t.Error("a unit located just now is shown stale")
	}
}
