package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/bluelamp/bluelamp"
)

// formsEnv is a force with officers who have collar numbers, a supervisor,
// an auditor, a controller, a user with no collar number, and an incident.
type formsEnv struct {
	*apiEnv
	pc, pc2, sup, aud, ctl, nocollar *client
	inc                              *bluelamp.Incident
}

func newFormsEnv(t *testing.T) *formsEnv {
	t.Helper()
	e := &formsEnv{apiEnv: newAPIEnv(t)}
	e.mustCreateForce("alpha")
	for _, u := range []struct {
		name, collar string
		role         bluelamp.Role
	}{{"pc", "4021", bluelamp.RoleResponseOfficer}, {"pc2", "4022", bluelamp.RoleNeighbourhoodOfficer}, {"sup", "S100", bluelamp.RoleSupervisor},
		{"aud", "", bluelamp.RoleAuditor}, {"ctl", "", bluelamp.RoleController}, {"nocollar", "", bluelamp.RoleResponseOfficer}} {
		e.mustCreateCollared("alpha", u.name, u.collar, u.role)
	}
	e.pc, e.pc2, e.sup, e.aud, e.ctl, e.nocollar = e.signIn("pc"), e.signIn("pc2"), e.signIn("sup"), e.signIn("aud"), e.signIn("ctl"), e.signIn("nocollar")
	e.inc = &bluelamp.Incident{Channel: bluelamp.ChannelEmergency, Category: "CRIME_VIOLENCE", Grade: bluelamp.GradeImmediate,
		Summary: "fight outside the Bargate", Location: bluelamp.Location{Address: "Bargate, Southampton"}}
	if err := e.store.CreateIncident(bluelamp.SystemContext(t.Context(), "alpha", "test"), e.inc); err != nil {
		t.Fatal(err)
	}
	return e
}

// mustCreateCollared creates a user with a collar number.
func (e *apiEnv) mustCreateCollared(force bluelamp.ForceID, username, collar string, roles ...bluelamp.Role) *bluelamp.User {
	e.t.Helper()
	u := &bluelamp.User{Username: username, DisplayName: "PC " + strings.ToUpper(username), Email: username + "@" + string(force) + ".example",
		CollarNumber: collar, Roles: roles}
	if err := e.store.CreateUser(bluelamp.SystemContext(e.t.Context(), force, "test"), u, testHash()); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// stopSearchBody is a valid person search with client id n.
func stopSearchBody(n int) map[string]any {
	now := time.Now()
	return map[string]any{
		"client_id": fmt.Sprintf("%08x-1a6d-4c2b-9f1e-5d3a8c7b6e21", n), "taken_at": stamp(now),
		"type": "Person search", "searched_at": stamp(now.Add(-5 * time.Minute)),
		"self_defined_ethnicity": "W1", "officer_defined_ethnicity": "IC1", "gender": "Male", "age_range": "18-24",
		"legislation": "Misuse of Drugs Act 1971 (section 23)", "object_of_search": "Controlled drugs",
		"grounds":          "Seen passing small wraps to two people outside the station",
		"outcome":          "A no further action disposal",
		"person":           map[string]any{"name": "Sam SMITH"},
		"location":         map[string]any{"address": "Bargate, Southampton", "position": bargate},
		"made_at_the_time": true,
	}
}

func crimeBody() map[string]any {
	return map[string]any{
		"taken_at": stamp(time.Now()), "offence": "ASSAULT_WITH_INJURY", "flags": []string{"ALCOHOL"}, "reported_at": stamp(time.Now().Add(-time.Hour)),
		"victim": map[string]any{"name": "Alex JONES"}, "suspects": []map[string]any{{"description": "red hoodie"}},
		"summary": "Punched outside the pub.", "location": map[string]any{"grid_ref": "SU 41982 11883"},
	}
}

func useOfForceBody(incident bluelamp.IncidentID) map[string]any {
	return map[string]any{
		"taken_at": stamp(time.Now()), "incident_id": incident, "occurred_at": stamp(time.Now().Add(-time.Hour)),
		"location_type": "STREET", "planned": false, "body_worn_video": "RECORDING",
		"subject":  map[string]any{"age_band": "18_34", "gender": "MALE", "ethnicity": "IC1", "physical_health_condition": false, "mental_health_condition": false},
		"tactics":  []map[string]any{{"tactic": "HANDCUFFING_NON_COMPLIANT", "effective": true}},
		"reasons":  []string{"EFFECT_ARREST"},
		"outcomes": []string{"ARRESTED"}, "subject_injury": "NONE", "officer_injury": "NONE",
		"medical_assistance": false, "officer_assaulted": false, "location": map[string]any{"address": "Bargate"},
	}
}

func reason(code string) []string { return []string{HeaderReason, code} }

func TestStopSearchAPI(t *testing.T) {
	t.Parallel()
	e := newFormsEnv(t)
	body := stopSearchBody(1)
	body["incident_id"] = e.inc.ID
	res := e.pc.do("POST", "/api/v1/stop-searches", body, HeaderIdempotencyKey, "ss-0001-from-phone")
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var created stopSearchCreated
	res.decode(t, &created)
	ss := created.StopSearch
	want := bluelamp.StopSearchReference(body["client_id"].(string))
	if ss.Reference != want || created.Receipt.Reference != want || ss.CollarNumber != "4021" || ss.Location.GridRef == "" ||
		created.Receipt.ForceName != "Force alpha" || ss.Incident != e.inc.Number {
		t.Fatalf("created %+v, receipt %+v", ss, created.Receipt)
	}
	// The phone replays the same submission after losing the answer: one search.
	again := e.pc.do("POST", "/api/v1/stop-searches", body, HeaderIdempotencyKey, "ss-0001-from-phone")
	if again.status != http.StatusCreated || again.header.Get(HeaderReplayed) != "true" {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}
	var list formsList
	e.pc.do("GET", "/api/v1/stop-searches", nil).decode(t, &list)
	if list.Total != 1 || list.Forms[0].ID != ss.ID || list.Forms[0].Reference != want {
		t.Fatalf("my stop-searches: %+v", list)
	}

	// The person searched reads the receipt and asks for the record,
	// typing the reference loosely.
	anon := e.anonymous()
	res = anon.do("GET", "/api/v1/public/stop-search/"+strings.ToLower(strings.ReplaceAll(want, "-", "")), nil)
	if res.status != http.StatusOK {
		t.Fatalf("receipt: %d %s", res.status, res.body)
	}
	if strings.Contains(string(res.body), "SMITH") || strings.Contains(string(res.body), "ethnicity") {
		t.Fatalf("the public receipt holds personal data: %s", res.body)
	}
	res = anon.do("POST", "/api/v1/public/stop-search/"+want+"/requests", map[string]any{"email": "sam@example.org"})
	if res.status != http.StatusAccepted {
		t.Fatalf("request: %d %s", res.status, res.body)
	}

	// Reading the whole record needs a reason; the requests come with it.
	wantProblem(t, e.sup.do("GET", fmt.Sprintf("/api/v1/stop-searches/%d", ss.ID), nil), 400, "justification_required", "")
	res = e.sup.do("GET", fmt.Sprintf("/api/v1/stop-searches/%d", ss.ID), nil, reason("STOP")...)
	var got bluelamp.StopSearch
	res.decode(t, &got)
	if res.status != http.StatusOK || len(got.Requests) != 1 || got.Requests[0].Email != "sam@example.org" || got.Person.Name != "Sam SMITH" {
		t.Fatalf("read back: %d %s", res.status, res.body)
	}
	var incForms formsList
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/forms", e.inc.ID), nil).decode(t, &incForms)
	if incForms.Total != 1 || incForms.Forms[0].Kind != bluelamp.FormStopSearch {
		t.Fatalf("incident forms: %+v", incForms)
	}
}

func TestCrimeReportAPI(t *testing.T) {
	t.Parallel()
	e := newFormsEnv(t)
	res := e.pc.do("POST", "/api/v1/crime-reports", crimeBody())
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var c bluelamp.CrimeReport
	res.decode(t, &c)
	if c.Location.Position == nil || !c.DecisionDue.Equal(c.ReportedAt.Add(24*time.Hour)) {
		t.Fatalf("created %+v", c)
	}
	var awaiting struct {
		Reports []awaitingDecision
		Now     time.Time
	}
	e.sup.do("GET", "/api/v1/crime-reports/awaiting-decision", nil).decode(t, &awaiting)
	if len(awaiting.Reports) != 1 || awaiting.Reports[0].Overdue || awaiting.Reports[0].RemainingSeconds < 22*3600 || awaiting.Reports[0].RemainingSeconds > 23*3600 {
		t.Fatalf("awaiting: %+v", awaiting)
	}
	wantProblem(t, e.pc.do("POST", fmt.Sprintf("/api/v1/crime-reports/%d/decision", c.ID), map[string]any{"decision": "NOT_CRIME", "reason": "x"}),
		403, "role_required", "")
	res = e.sup.do("POST", fmt.Sprintf("/api/v1/crime-reports/%d/decision", c.ID), map[string]any{"decision": "RECORDED", "offence": "ASSAULT_WITH_INJURY"})
	var d bluelamp.CrimeDecision
	res.decode(t, &d)
	if res.status != http.StatusOK || !strings.HasPrefix(d.CrimeNumber, "CR/0000001/") || d.Late {
		t.Fatalf("decision: %d %s", res.status, res.body)
	}
	wantProblem(t, e.sup.do("POST", fmt.Sprintf("/api/v1/crime-reports/%d/decision", c.ID), map[string]any{"decision": "NOT_CRIME", "reason": "x"}),
		409, "already_decided", "")
	res = e.sup.do("POST", fmt.Sprintf("/api/v1/crime-reports/%d/outcome", c.ID), map[string]any{"type": 8, "note": "community resolution"})
	if res.status != http.StatusOK {
		t.Fatalf("outcome: %d %s", res.status, res.body)
	}
	var got bluelamp.CrimeReport
	e.aud.do("GET", fmt.Sprintf("/api/v1/crime-reports/%d", c.ID), nil, reason("INVESTIGATION")...).decode(t, &got)
	if got.Decision == nil || got.Decision.CrimeNumber != d.CrimeNumber || got.Outcome == nil || got.Outcome.Type != 8 || got.Victim.Name != "Alex JONES" {
		t.Fatalf("read back: %+v", got)
	}
	e.sup.do("GET", "/api/v1/crime-reports/awaiting-decision", nil).decode(t, &awaiting)
	if len(awaiting.Reports) != 0 {
		t.Fatalf("still awaiting: %+v", awaiting.Reports)
	}
}

func TestNotebookAPI(t *testing.T) {
	t.Parallel()
	e := newFormsEnv(t)
	write := func(c *client, text string, corrects int) bluelamp.NotebookEntry {
		t.Helper()
		b := map[string]any{"taken_at": stamp(time.Now()), "text": text, "incident_id": e.inc.ID}
		if corrects > 0 {
			b["corrects"] = corrects
		}
		res := c.do("POST", "/api/v1/notebook", b)
		if res.status != http.StatusCreated {
			t.Fatalf("write: %d %s", res.status, res.body)
		}
		var en bluelamp.NotebookEntry
		res.decode(t, &en)
		return en
	}
	write(e.pc, "1400 attended Bargate: fight", 0)
	write(e.pc, "1402 <b>SMITH</b> said \"I never touched him\"", 0)
	write(e.pc2, "1401 other officer's note", 0)
	if en := write(e.pc, "Correction to entry 2: the time was 1403", 2); en.Number != 3 || en.Corrects != 2 || len(en.EventHash) != 32 {
		t.Fatalf("correction = %+v", en)
	}

	// No entry is ever changed.
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		res := e.pc.do(m, "/api/v1/notebook/2", map[string]any{"text": "rewritten"})
		p := wantProblem(t, res, http.StatusMethodNotAllowed, "method_not_allowed", "")
		if res.header.Get("Allow") != "GET" || !strings.Contains(p.Detail, "cannot be changed") || !strings.Contains(p.Detail, "corrected") {
			t.Fatalf("%s: Allow %q, %+v", m, res.header.Get("Allow"), p)
		}
	}
	var nb bluelamp.Notebook
	e.pc.do("GET", "/api/v1/notebook", nil).decode(t, &nb)
	if len(nb.Entries) != 3 || nb.Entries[1].Number != 2 || !slices.Equal(nb.Entries[1].CorrectedBy, []int64{3}) ||
		nb.Entries[1].Text != "1402 <b>SMITH</b> said \"I never touched him\"" {
		t.Fatalf("own notebook: %+v", nb.Entries)
	}
	var one bluelamp.Notebook
	e.pc.do("GET", "/api/v1/notebook/1", nil).decode(t, &one)
	if len(one.Entries) != 1 || one.Entries[0].Number != 1 {
		t.Fatalf("entry 1: %+v", one)
	}
	wantProblem(t, e.pc.do("GET", "/api/v1/notebook/9", nil), 404, "not_found", "number")

	// A supervisor reviews, reads and exports it; the officer may not review.
	res := e.sup.do("POST", "/api/v1/notebook/1/review", map[string]any{"collar_number": "4021", "to": 3, "comment": "Good notes"})
	if res.status != http.StatusCreated {
		t.Fatalf("review: %d %s", res.status, res.body)
	}
	wantProblem(t, e.pc.do("POST", "/api/v1/notebook/1/review", map[string]any{"collar_number": "4022"}), 403, "role_required", "")
	wantProblem(t, e.sup.do("GET", "/api/v1/officers/4021/notebook", nil), 400, "justification_required", "")
	e.aud.do("GET", "/api/v1/officers/4021/notebook?from=2", nil, HeaderReason, "AUDIT", HeaderJustification, "quarterly check").decode(t, &nb)
	if len(nb.Entries) != 2 || len(nb.Reviews) != 1 {
		t.Fatalf("audited read: %+v", nb)
	}

	wantProblem(t, e.pc.do("GET", "/api/v1/notebook/export", nil), 400, "justification_required", "")
	res = e.sup.do("GET", "/api/v1/officers/4021/notebook/export?from=1&to=3", nil, HeaderReason, "DISCLOSURE", HeaderIncident, "R v SMITH")
	page := string(res.body)
	if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		t.Fatalf("export: %d %s %.300s", res.status, res.header.Get("Content-Type"), page)
	}
	for _, want := range []string{"Pocket notebook: 4021", "Force alpha", "1400 attended Bargate", "&lt;b&gt;SMITH&lt;/b&gt;",
		"Correction of entry 2.", `<strong>Entry 3</strong>: Correction to entry 2`, "Good notes", "Export digest", e.inc.Number, "DISCLOSURE"} {
		if !strings.Contains(page, want) {
			t.Errorf("export lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>SMITH") {
		t.Error("the export does not escape entry text")
	}
	res = e.pc.do("GET", "/api/v1/notebook/export", nil, HeaderReason, "DISCLOSURE")
	if res.status != http.StatusOK || !strings.Contains(string(res.body), "3 entries") {
		t.Fatalf("own export: %d %.300s", res.status, res.body)
	}
}

func TestUseOfForceAPI(t *testing.T) {
	t.Parallel()
	e := newFormsEnv(t)
	res := e.pc.do("POST", "/api/v1/use-of-force", useOfForceBody(e.inc.ID))
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var u bluelamp.UseOfForce
	res.decode(t, &u)
	p := wantProblem(t, e.pc.do("POST", "/api/v1/use-of-force", useOfForceBody(e.inc.ID)), 409, "already_filed", "incident_id")
	if !strings.Contains(p.Detail, e.inc.Number) {
		t.Errorf("conflict detail %q", p.Detail)
	}
	if res := e.pc2.do("POST", "/api/v1/use-of-force", useOfForceBody(e.inc.ID)); res.status != http.StatusCreated {
		t.Fatalf("second officer: %d %s", res.status, res.body)
	}
	var got bluelamp.UseOfForce
	e.sup.do("GET", fmt.Sprintf("/api/v1/use-of-force/%d", u.ID), nil, reason("INCIDENT")...).decode(t, &got)
	if got.ID != u.ID || len(got.Tactics) != 1 {
		t.Fatalf("read back %+v", got)
	}
	var list formsList
	e.sup.do("GET", fmt.Sprintf("/api/v1/use-of-force?incident_id=%d", e.inc.ID), nil).decode(t, &list)
	if list.Total != 2 {
		t.Fatalf("incident's use of force: %+v", list)
	}
	e.sup.do("GET", "/api/v1/forms?officer=4022", nil).decode(t, &list)
	if list.Total != 1 || list.Forms[0].CollarNumber != "4022" {
		t.Fatalf("4022's forms: %+v", list)
	}
	var codes formCodes
	e.pc.do("GET", "/api/v1/forms/codes", nil).decode(t, &codes)
	if len(codes.Tactics) != len(bluelamp.Tactics) || len(codes.OutcomeTypes) != 22 || codes.OutcomeTypes[21].Type != 22 {
		t.Fatalf("codes: %d tactics, %d outcome types", len(codes.Tactics), len(codes.OutcomeTypes))
	}
}

// TestFormsBadInput sends the form routes missing and malformed fields,
// the wrong role, the wrong force, no collar number and hostile bodies:
// each gets a clear 4xx naming the problem, and nothing is recorded.
func TestFormsBadInput(t *testing.T) {
	t.Parallel()
	e := newFormsEnv(t)
	e.mustCreateForce("bravo")
	e.mustCreateCollared("bravo", "bravo-sup", "S200", bluelamp.RoleSupervisor)
	other := e.signIn("bravo-sup")
	ssRes := e.pc.do("POST", "/api/v1/stop-searches", stopSearchBody(1))
	if ssRes.status != http.StatusCreated {
		t.Fatalf("stop-search: %d %s", ssRes.status, ssRes.body)
	}
	var ss stopSearchCreated
	ssRes.decode(t, &ss)
	crRes := e.pc.do("POST", "/api/v1/crime-reports", crimeBody())
	var cr bluelamp.CrimeReport
	crRes.decode(t, &cr)
	if e.pc.do("POST", "/api/v1/notebook", map[string]any{"taken_at": stamp(time.Now()), "text": "first"}).status != http.StatusCreated {
		t.Fatal("notebook entry")
	}

	with := func(b map[string]any, change func(b map[string]any)) map[string]any {
		change(b)
		return b
	}
	without := func(b map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			delete(b, k)
		}
		return b
	}
	ssPath, crPath := fmt.Sprintf("/api/v1/stop-searches/%d", ss.StopSearch.ID), fmt.Sprintf("/api/v1/crime-reports/%d", cr.ID)
	tests := []struct {
		name         string
		c            *client
		method, path string
		body         any
		headers      []string
		status       int
		code, field  string
	}{
		{"SSNoClientID", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "client_id"), nil, 400, "invalid_fields", "client_id"},
		{"SSNoPower", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "legislation"), nil, 400, "invalid_fields", "legislation"},
		{"SSNoGrounds", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "grounds"), nil, 400, "invalid_fields", "grounds"},
		{"SSNoObject", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "object_of_search"), nil, 400, "invalid_fields", "object_of_search"},
		{"SSNoOutcome", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "outcome"), nil, 400, "invalid_fields", "outcome"},
		{"SSNoEthnicity", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "self_defined_ethnicity"), nil, 400, "invalid_fields", "self_defined_ethnicity"},
		{"SSNoPlace", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "location"), nil, 400, "invalid_fields", "location.address"},
		{"SSNoTime", e.pc, "POST", "/api/v1/stop-searches", without(stopSearchBody(2), "searched_at", "taken_at"), nil, 400, "invalid_fields", "searched_at"},
		{"SSNotAtTime", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["made_at_the_time"] = false }), nil, 400, "invalid_fields", "not_made_at_the_time_reason"},
		{"SSFuture", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["taken_at"] = stamp(time.Now().Add(time.Hour)) }), nil, 400, "invalid_fields", "taken_at"},
		{"SSAncient", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["searched_at"] = "2020-01-01T00:00:00Z" }), nil, 400, "invalid_fields", "searched_at"},
		{"SSBadGridRef", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["location"] = map[string]any{"grid_ref": "SU 1"} }), nil, 400, "invalid_fields", "location.grid_ref"},
		{"SSS60NoAuthorisation", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) {
			b["legislation"] = "Criminal Justice and Public Order Act 1994 (section 60)"
		}), nil, 400, "invalid_fields", "authorisation"},
		{"SSUsedClientID", e.pc2, "POST", "/api/v1/stop-searches", stopSearchBody(1), nil, 409, "client_id_used", "client_id"},
		{"SSNoCollar", e.nocollar, "POST", "/api/v1/stop-searches", stopSearchBody(3), nil, 403, "no_collar_number", ""},
		{"SSWrongRole", e.ctl, "POST", "/api/v1/stop-searches", stopSearchBody(3), nil, 403, "role_required", ""},
		{"SSOtherForceIncident", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(4), func(b map[string]any) { b["incident_id"] = 999999 }), nil, 404, "not_found", "incident_id"},
		{"SSServerField", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["collar_number"] = "9999" }), nil, 400, "unknown_field", "collar_number"},
		{"SSWrongType", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["made_at_the_time"] = "yes" }), nil, 400, "invalid_fields", "made_at_the_time"},
		{"SSNullPerson", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["person"] = nil }), nil, 400, "invalid_fields", "person"},
		{"SSNUL", e.pc, "POST", "/api/v1/stop-searches", with(stopSearchBody(2), func(b map[string]any) { b["grounds"] = "seen\x00 passing wraps to people" }), nil, 400, "invalid_fields", "grounds"},
		{"SSMalformed", e.pc, "POST", "/api/v1/stop-searches", `{"type": "Person search",`, nil, 400, "bad_json", ""},
		{"SSOversized", e.pc, "POST", "/api/v1/stop-searches", `{"grounds":"` + strings.Repeat("x", MaxBody) + `"}`, nil, 413, "body_too_large", ""},
		{"SSNotJSON", e.pc, "POST", "/api/v1/stop-searches", "type=Person", []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"SSReadOtherForce", other, "GET", ssPath, nil, reason("STOP"), 404, "not_found", ""},
		{"SSReadBadID", e.sup, "GET", "/api/v1/stop-searches/abc", nil, reason("STOP"), 400, "invalid_fields", "id"},
		{"SSReadWrongKind", e.sup, "GET", fmt.Sprintf("/api/v1/stop-searches/%d", cr.ID), nil, reason("STOP"), 404, "not_found", ""},
		{"SSReadBadReason", e.sup, "GET", ssPath, nil, reason("NOSY"), 400, "invalid_fields", "reason"},
		{"SSListBadOfficer", e.sup, "GET", "/api/v1/stop-searches?officer=pc%204021", nil, nil, 400, "invalid_fields", "officer"},
		{"SSListBadIncident", e.sup, "GET", "/api/v1/stop-searches?incident_id=-1", nil, nil, 400, "invalid_fields", "incident_id"},
		{"SSListOtherForceIncident", other, "GET", fmt.Sprintf("/api/v1/stop-searches?incident_id=%d", e.inc.ID), nil, nil, 404, "not_found", ""},
		{"FormsBadKind", e.sup, "GET", "/api/v1/forms?kind=PARKING_TICKET", nil, nil, 400, "invalid_fields", "kind"},
		{"FormsUnknownParam", e.sup, "GET", "/api/v1/stop-searches?kind=STOP_SEARCH", nil, nil, 400, "invalid_fields", "kind"},
		{"ReceiptBadReference", e.anonymous(), "GET", "/api/v1/public/stop-search/SS-1234", nil, nil, 400, "invalid_fields", "reference"},
		{"ReceiptUnknown", e.anonymous(), "GET", "/api/v1/public/stop-search/SS-0000-0000-0000", nil, nil, 404, "not_found", ""},
		{"RequestNoAddress", e.anonymous(), "POST", "/api/v1/public/stop-search/" + ss.Receipt.Reference + "/requests", map[string]any{"name": "Sam"}, nil, 400, "invalid_fields", "email"},
		{"RequestUnknownField", e.anonymous(), "POST", "/api/v1/public/stop-search/" + ss.Receipt.Reference + "/requests", map[string]any{"phone": "0"}, nil, 400, "unknown_field", "phone"},
		{"CrimeNoVictim", e.pc, "POST", "/api/v1/crime-reports", without(crimeBody(), "victim"), nil, 400, "invalid_fields", "victim.name"},
		{"CrimeNoOffence", e.pc, "POST", "/api/v1/crime-reports", without(crimeBody(), "offence"), nil, 400, "invalid_fields", "offence"},
		{"CrimeNoSummary", e.pc, "POST", "/api/v1/crime-reports", without(crimeBody(), "summary"), nil, 400, "invalid_fields", "summary"},
		{"CrimeHateNoStrand", e.pc, "POST", "/api/v1/crime-reports", with(crimeBody(), func(b map[string]any) { b["flags"] = []string{"HATE_CRIME"} }), nil, 400, "invalid_fields", "hate_strands"},
		{"CrimeBadSuspect", e.pc, "POST", "/api/v1/crime-reports", with(crimeBody(), func(b map[string]any) { b["suspects"] = []map[string]any{{}} }), nil, 400, "invalid_fields", "suspects[0].name"},
		{"CrimeDecisionUnknown", e.sup, "POST", crPath + "/decision", map[string]any{"decision": "MAYBE"}, nil, 400, "invalid_fields", "decision"},
		{"CrimeDecisionNoReason", e.sup, "POST", crPath + "/decision", map[string]any{"decision": "NOT_CRIME"}, nil, 400, "invalid_fields", "reason"},
		{"CrimeDecisionOtherForce", other, "POST", crPath + "/decision", map[string]any{"decision": "NOT_CRIME", "reason": "x"}, nil, 404, "not_found", ""},
		{"CrimeOutcomeUndecided", e.sup, "POST", crPath + "/outcome", map[string]any{"type": 1}, nil, 409, "not_recorded", ""},
		{"CrimeOutcomeBadType", e.sup, "POST", crPath + "/outcome", map[string]any{"type": 30}, nil, 400, "invalid_fields", "type"},
		{"CrimeAwaitingWrongRole", e.pc, "GET", "/api/v1/crime-reports/awaiting-decision", nil, nil, 403, "role_required", ""},
		{"UoFNoTactic", e.pc, "POST", "/api/v1/use-of-force", with(useOfForceBody(e.inc.ID), func(b map[string]any) { b["tactics"] = []any{} }), nil, 400, "invalid_fields", "tactics"},
		{"UoFNoReason", e.pc, "POST", "/api/v1/use-of-force", without(useOfForceBody(e.inc.ID), "reasons"), nil, 400, "invalid_fields", "reasons"},
		{"UoFUnknownTactic", e.pc, "POST", "/api/v1/use-of-force", with(useOfForceBody(e.inc.ID), func(b map[string]any) {
			b["tactics"] = []map[string]any{{"tactic": "TASER", "effective": true}}
		}), nil, 400, "invalid_fields", "tactics[0].tactic"},
		{"UoFNoCollar", e.nocollar, "POST", "/api/v1/use-of-force", useOfForceBody(e.inc.ID), nil, 403, "no_collar_number", ""},
		{"NotebookEmpty", e.pc, "POST", "/api/v1/notebook", map[string]any{"taken_at": stamp(time.Now()), "text": " "}, nil, 400, "invalid_fields", "text"},
		{"NotebookCorrectsMissing", e.pc, "POST", "/api/v1/notebook", map[string]any{"taken_at": stamp(time.Now()), "text": "fix", "corrects": 7}, nil, 400, "invalid_fields", "corrects"},
		{"NotebookNoCollar", e.nocollar, "POST", "/api/v1/notebook", map[string]any{"taken_at": stamp(time.Now()), "text": "x"}, nil, 403, "no_collar_number", ""},
		{"NotebookEdit", e.pc, "PUT", "/api/v1/notebook/1", map[string]any{"text": "x"}, nil, 405, "method_not_allowed", ""},
		{"NotebookDelete", e.pc, "DELETE", "/api/v1/notebook/1", nil, nil, 405, "method_not_allowed", ""},
		{"NotebookBadNumber", e.pc, "GET", "/api/v1/notebook/0", nil, nil, 400, "invalid_fields", "number"},
		{"NotebookBackwards", e.pc, "GET", "/api/v1/notebook?from=5&to=2", nil, nil, 400, "invalid_fields", "to"},
		{"NotebookReviewOwn", e.sup, "POST", "/api/v1/notebook/1/review", map[string]any{"collar_number": "S100"}, nil, 403, "own_notebook", ""},
		{"NotebookReviewUnknown", e.sup, "POST", "/api/v1/notebook/1/review", map[string]any{"collar_number": "9999"}, nil, 404, "not_found", "collar_number"},
		{"NotebookReviewPastEnd", e.sup, "POST", "/api/v1/notebook/1/review", map[string]any{"collar_number": "4021", "to": 5}, nil, 400, "invalid_fields", "to"},
		{"NotebookReviewNoCollar", e.sup, "POST", "/api/v1/notebook/1/review", map[string]any{}, nil, 400, "invalid_fields", "collar_number"},
		{"NotebookOtherForce", other, "GET", "/api/v1/officers/4021/notebook", nil, reason("INVESTIGATION"), 404, "not_found", ""},
		{"NotebookOtherWrongRole", e.pc2, "GET", "/api/v1/officers/4021/notebook", nil, reason("INVESTIGATION"), 403, "role_required", ""},
		{"NotebookBadCollar", e.sup, "GET", "/api/v1/officers/no%20such/notebook", nil, reason("INVESTIGATION"), 400, "invalid_fields", "collar"},
		{"ExportNoReason", e.sup, "GET", "/api/v1/officers/4021/notebook/export", nil, nil, 400, "justification_required", ""},
		{"IncidentFormsOtherForce", other, "GET", fmt.Sprintf("/api/v1/incidents/%d/forms", e.inc.ID), nil, nil, 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, tc.c.do(tc.method, tc.path, tc.body, tc.headers...), tc.status, tc.code, tc.field)
			if p.Detail == "" {
				t.Fatalf("problem = %+v", p)
			}
		})
	}

	// Nothing refused was recorded.
	var all formsList
	e.sup.do("GET", "/api/v1/forms?officer=4021", nil).decode(t, &all)
	if all.Total != 3 {
		t.Fatalf("4021 has %d forms after the refused requests, want 3: %+v", all.Total, all.Forms)
	}
	e.sup.do("GET", "/api/v1/forms?officer=4022", nil).decode(t, &all)
	if all.Total != 0 {
		t.Fatalf("4022 has %d forms, want none", all.Total)
	}
}

// FuzzFormRequests decodes arbitrary bodies into every form request and
// validates what decodes: nothing may panic, and every refusal is a
// KindInvalid error naming fields or saying what is wrong.
func FuzzFormRequests(f *testing.F) {
	for _, b := range []map[string]any{stopSearchBody(1), crimeBody(), useOfForceBody(1), {"taken_at": stamp(time.Now()), "text": "x", "corrects": 1}} {
		raw, _ := json.Marshal(b)
		f.Add(raw)
	}
	f.Add([]byte(`{"location":{"grid_ref":"SU 1"},"detained_location":null,"person":{"date_of_birth":"1990-02-30"}}`))
	f.Add([]byte(`{"tactics":[{"tactic":"OTHER"}],"subject":{},"flags":["HATE_CRIME"],"suspects":[{}]}`))
	now := time.Now()
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if err == nil {
				return
			}
			if e, ok := errors.AsType[*bluelamp.Error](err); !ok || e.Kind != bluelamp.KindInvalid || e.Message == "" {
				t.Fatalf("refusal %v is not a clear KindInvalid", err)
			}
		}
		fields := map[string]string{}
		var ss stopSearchRequest
		if decodeBody(body, &ss) == nil {
			s := &bluelamp.StopSearch{FormHeader: ss.FormHeader, StopSearchDetails: ss.StopSearchDetails, Location: ss.Location.location("location.", fields)}
			if ss.DetainedLocation != nil {
				s.DetainedLocation = new(ss.DetainedLocation.location("detained_location.", fields))
			}
			check(withFields(s.Validate(now), fields))
		}
		var cr crimeReportRequest
		if decodeBody(body, &cr) == nil {
			c := &bluelamp.CrimeReport{FormHeader: cr.FormHeader, CrimeReportDetails: cr.CrimeReportDetails, Location: cr.Location.location("location.", fields)}
			check(c.Validate(now))
		}
		var uf useOfForceRequest
		if decodeBody(body, &uf) == nil {
			u := &bluelamp.UseOfForce{FormHeader: uf.FormHeader, UseOfForceDetails: uf.UseOfForceDetails, Location: uf.Location.location("location.", fields)}
			check(u.Validate(now))
		}
		var nb notebookEntryRequest
		if decodeBody(body, &nb) == nil {
			e := &bluelamp.NotebookEntry{FormHeader: nb.FormHeader, Text: nb.Text, Corrects: nb.Corrects}
			check(e.Validate(now))
		}
		for _, v := range []any{new(recordRequest), new(crimeDecisionRequest), new(crimeOutcomeRequest), new(notebookReviewRequest)} {
			check(decodeBody(body, v))
		}
	})
}

// TestOpenAPIFormSchemasMatchGo checks the forms' schemas against the Go
// types they document, as TestOpenAPISchemasMatchGo does for the rest, and
// their enumerations against the Go lists.
func TestOpenAPIFormSchemasMatchGo(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	tests := []struct {
		schema  string
		typ     reflect.Type
		written bool
	}{
		{"FormSummary", reflect.TypeFor[bluelamp.FormSummary](), true},
		{"FormsList", reflect.TypeFor[formsList](), true},
		{"StopSearch", reflect.TypeFor[bluelamp.StopSearch](), true},
		{"StopSearchRequest", reflect.TypeFor[stopSearchRequest](), false},
		{"StopSearchCreated", reflect.TypeFor[stopSearchCreated](), true},
		{"StopSearchReceipt", reflect.TypeFor[bluelamp.StopSearchReceipt](), true},
		{"StopSearchRecordRequest", reflect.TypeFor[bluelamp.StopSearchRecordRequest](), true},
		{"Authorisation", reflect.TypeFor[bluelamp.Authorisation](), true},
		{"SearchedPerson", reflect.TypeFor[bluelamp.SearchedPerson](), true},
		{"RecordRequest", reflect.TypeFor[recordRequest](), false},
		{"RecordRequested", reflect.TypeFor[recordRequested](), true},
		{"PersonDetails", reflect.TypeFor[bluelamp.PersonDetails](), true},
		{"CrimeReport", reflect.TypeFor[bluelamp.CrimeReport](), true},
		{"CrimeReportRequest", reflect.TypeFor[crimeReportRequest](), false},
		{"CrimeDecision", reflect.TypeFor[bluelamp.CrimeDecision](), true},
		{"CrimeDecisionRequest", reflect.TypeFor[crimeDecisionRequest](), false},
		{"CrimeOutcome", reflect.TypeFor[bluelamp.CrimeOutcome](), true},
		{"CrimeOutcomeRequest", reflect.TypeFor[crimeOutcomeRequest](), false},
		{"AwaitingDecision", reflect.TypeFor[awaitingDecision](), true},
		{"NotebookEntry", reflect.TypeFor[bluelamp.NotebookEntry](), true},
		{"NotebookEntryRequest", reflect.TypeFor[notebookEntryRequest](), false},
		{"NotebookReview", reflect.TypeFor[bluelamp.NotebookReview](), true},
		{"NotebookReviewRequest", reflect.TypeFor[notebookReviewRequest](), false},
		{"Notebook", reflect.TypeFor[bluelamp.Notebook](), true},
		{"UseOfForce", reflect.TypeFor[bluelamp.UseOfForce](), true},
		{"UseOfForceRequest", reflect.TypeFor[useOfForceRequest](), false},
		{"TacticUse", reflect.TypeFor[bluelamp.TacticUse](), true},
		{"UseOfForceSubject", reflect.TypeFor[bluelamp.UseOfForceSubject](), true},
		{"FormCodeInfo", reflect.TypeFor[bluelamp.CodeInfo](), true},
		{"LegislationInfo", reflect.TypeFor[bluelamp.LegislationInfo](), true},
		{"OffenceInfo", reflect.TypeFor[bluelamp.OffenceInfo](), true},
		{"OutcomeTypeInfo", reflect.TypeFor[outcomeTypeInfo](), true},
		{"FormCodes", reflect.TypeFor[formCodes](), true},
	}
	for _, tc := range tests {
		t.Run(tc.schema, func(t *testing.T) {
			ref := doc.Components.Schemas[tc.schema]
			if ref == nil {
				t.Fatalf("no schema %s", tc.schema)
			}
			s := ref.Value
			if ap := s.AdditionalProperties.Has; ap == nil || *ap {
				t.Errorf("additionalProperties is not false")
			}
			fields := oaJSONFields(tc.typ)
			if diff := cmp.Diff(slices.Sorted(maps.Keys(fields)), slices.Sorted(maps.Keys(s.Properties))); diff != "" {
				t.Errorf("properties differ from the Go type's JSON members (-Go +schema):\n%s", diff)
			}
			if !tc.written {
				for _, r := range s.Required {
					if _, ok := fields[r]; !ok {
						t.Errorf("required %q is not a member", r)
					}
				}
				return
			}
			var always []string
			for name, omitempty := range fields {
				if !omitempty {
					always = append(always, name)
				}
			}
			if diff := cmp.Diff(slices.Sorted(slices.Values(always)), slices.Sorted(slices.Values(s.Required))); diff != "" {
				t.Errorf("required differs from the members always written (-Go +schema):\n%s", diff)
			}
		})
	}
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	strs := func(n int, at func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	codes := func(list []bluelamp.CodeInfo) []string {
		return strs(len(list), func(i int) string { return list[i].Code })
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"FormKind", strs(len(bluelamp.FormKinds), func(i int) string { return string(bluelamp.FormKinds[i]) })},
		{"SearchType", strs(len(bluelamp.SearchTypes), func(i int) string { return string(bluelamp.SearchTypes[i]) })},
		{"SelfDefinedEthnicity", codes(bluelamp.SelfDefinedEthnicities)},
		{"OfficerDefinedEthnicity", codes(bluelamp.OfficerDefinedEthnicities)},
		{"SearchGender", bluelamp.Genders},
		{"AgeRange", bluelamp.AgeRanges},
		{"Legislation", strs(len(bluelamp.Legislations), func(i int) string { return string(bluelamp.Legislations[i].Code) })},
		{"ObjectOfSearch", bluelamp.ObjectsOfSearch},
		{"SearchOutcome", strs(len(bluelamp.SearchOutcomes), func(i int) string { return string(bluelamp.SearchOutcomes[i]) })},
		{"Offence", strs(len(bluelamp.Offences), func(i int) string { return string(bluelamp.Offences[i].Code) })},
		{"CrimeFlag", strs(len(bluelamp.CrimeFlags), func(i int) string { return string(bluelamp.CrimeFlags[i]) })},
		{"HateStrand", bluelamp.HateStrands},
		{"CrimeDecisionKind", strs(len(bluelamp.CrimeDecisionKinds), func(i int) string { return string(bluelamp.CrimeDecisionKinds[i]) })},
		{"UseOfForceLocationType", codes(bluelamp.UseOfForceLocationTypes)},
		{"BodyWornVideo", codes(bluelamp.BodyWornVideoStates)},
		{"UseOfForceAgeBand", codes(bluelamp.UseOfForceAgeBands)},
		{"UseOfForceGender", codes(bluelamp.UseOfForceGenders)},
		{"Tactic", codes(bluelamp.Tactics)},
		{"ImpactFactor", codes(bluelamp.ImpactFactors)},
		{"UseOfForceReason", codes(bluelamp.UseOfForceReasons)},
		{"UseOfForceOutcome", codes(bluelamp.UseOfForceOutcomes)},
		{"InjuryLevel", codes(bluelamp.InjuryLevels)},
	} {
		if diff := cmp.Diff(slices.Sorted(slices.Values(tc.want)), slices.Sorted(slices.Values(enum(tc.name)))); diff != "" {
			t.Errorf("%s enum differs (-Go +schema):\n%s", tc.name, diff)
		}
	}
	// The reference pattern takes what StopSearchReference makes.
	pattern := doc.Components.Schemas["StopSearchReceipt"].Value.Properties["reference"].Value
	if err := pattern.VisitJSON(bluelamp.StopSearchReference("0b7c2f4e-1a6d-4c2b-9f1e-5d3a8c7b6e21"), openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("the reference schema refuses a reference: %v", err)
	}
}
