package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/eido"
)

// TestEIDORoundTrip exports an incident, checks the document against the
// standard's schema, and imports it back as a new incident.
func TestEIDORoundTrip(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	e.mustSetArea(nil)
	unit := e.mustCreateUnit("SO11", bluelamp.StateAvailable, portswood)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	e.mustAssign(e.ctl, inc.ID, unit.ID)
	e.mustStatus(e.ctl, unit.ID, "6")

	res := e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/eido", inc.ID), nil)
	if res.status != http.StatusOK {
		t.Fatalf("export: %d %s", res.status, res.body)
	}
	if got := res.header.Get("Content-Disposition"); !strings.Contains(got, "incident-") || !strings.HasSuffix(got, `.eido.json"`) {
		t.Errorf("Content-Disposition = %q", got)
	}
	if err := eido.Validate(res.body); err != nil {
		t.Fatalf("exported document fails the EIDO schema: %v", err)
	}
	if !bytes.Contains(res.body, []byte("alpha.police.uk")) {
		t.Errorf("the document does not name the force's agency domain")
	}

	imp := e.handler.do("POST", "/api/v1/incidents/eido", res.body)
	if imp.status != http.StatusCreated {
		t.Fatalf("import: %d %s", imp.status, imp.body)
	}
	var got bluelamp.Incident
	imp.decode(t, &got)
	if got.ID == inc.ID || got.Number == inc.Number || got.GlobalID == inc.GlobalID {
		t.Errorf("the import reused the original's identity: %+v", got)
	}
	if got.Category != inc.Category || got.Grade != inc.Grade || got.Summary != inc.Summary || got.Status != bluelamp.IncidentOpen {
		t.Errorf("imported %s %s %q %s, want %s %s %q OPEN", got.Category, got.Grade, got.Summary, got.Status, inc.Category, inc.Grade, inc.Summary)
	}
	var log struct{ Entries []*bluelamp.LogEntry }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/log", got.ID), nil).decode(t, &log)
	var imported []string
	for _, l := range log.Entries {
		if l.Kind == bluelamp.LogImported {
			imported = append(imported, l.Text)
		}
	}
	all := strings.Join(imported, "\n")
	if !strings.Contains(all, "urn:emergency:uid:incidentid:") || !strings.Contains(all, "SO11") {
		t.Errorf("the imported log does not carry the sender's tracking id and notes:\n%s", all)
	}
}

// TestEIDOImportRefusals sends bad documents: each gets a clear 4xx naming
// the fault, and nothing is written.
func TestEIDOImportRefusals(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	e.mustSetArea(nil)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradePriority, bargate)
	doc := e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/eido", inc.ID), nil).body
	ctx := bluelamp.SystemContext(t.Context(), "alpha", "test")
	before, err := e.store.FindHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(doc, &tree); err != nil {
		t.Fatal(err)
	}
	delete(tree, "eidoVersion")
	noVersion, _ := json.Marshal(tree)

	for _, tc := range []struct {
		name   string
		body   string
		header []string
		status int
		code   string
	}{
		{"NotAnObject", `[1,2,3]`, nil, 400, "eido_invalid"},
		{"NotJSON", `{"$id":`, nil, 400, "eido_invalid"},
		{"FailsSchema", string(noVersion), nil, 400, "eido_invalid"},
		{"WrongContentType", string(doc), []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"TooLarge", `{"x":"` + strings.Repeat("a", eido.MaxDocument) + `"}`, nil, 413, "eido_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, e.handler.do("POST", "/api/v1/incidents/eido", tc.body, tc.header...), tc.status, tc.code, "")
			if tc.name == "FailsSchema" && len(p.Errors) == 0 {
				t.Errorf("no field names the fault: %+v", p)
			}
		})
	}
	// A valid document for a place outside the force area is refused by
	// the store, naming the field.
	moved := bytes.ReplaceAll(doc, fmt.Append(nil, bargate.Lat), []byte("55.9533"))
	if bytes.Equal(moved, doc) {
		t.Fatalf("the exported document does not hold the latitude %v", bargate.Lat)
	}
	wantProblem(t, e.handler.do("POST", "/api/v1/incidents/eido", moved), 400, "invalid_fields", "location.position")
	wantProblem(t, e.officer.do("POST", "/api/v1/incidents/eido", doc), 403, "role_required", "")
	after, err := e.store.FindHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Seq != before.Seq {
		t.Fatalf("refused imports wrote events: head %d → %d", before.Seq, after.Seq)
	}
}
