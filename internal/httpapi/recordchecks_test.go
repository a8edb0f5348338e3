package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bluelamp/bluelamp"
)

// recordEnv is force alpha with a user of each role that matters to
// record checks, and force bravo with an officer.
type recordEnv struct {
	*apiEnv
	officer, handler, admin, auditor, partner, analyst, bravo *client
}

func newRecordEnv(t *testing.T) *recordEnv {
	t.Helper()
	e := newAPIEnv(t)
	e.mustCreateForce("alpha")
	e.mustCreateForce("bravo")
	for name, role := range map[string]bluelamp.Role{"officer": bluelamp.RoleResponseOfficer, "handler": bluelamp.RoleCallHandler,
		"admin": bluelamp.RoleForceAdmin, "auditor": bluelamp.RoleAuditor, "partner": bluelamp.RolePartnerAgency, "analyst": bluelamp.RoleAnalyst} {
		e.mustCreateUser("alpha", name, role)
	}
	e.mustCreateUser("bravo", "bravo-officer", bluelamp.RoleResponseOfficer)
	return &recordEnv{apiEnv: e, officer: e.signIn("officer"), handler: e.signIn("handler"), admin: e.signIn("admin"),
		auditor: e.signIn("auditor"), partner: e.signIn("partner"), analyst: e.signIn("analyst"), bravo: e.signIn("bravo-officer")}
}

// stop is the justification of the checks below: a stop, for a job.
var stop = []string{HeaderReason, "STOP", HeaderIncident, "12/27NOV26"}

// check makes a record check as c. It moves the server's clock on two
// seconds first, which gives every user one more check, so these tests
// stay inside the rate limit unless they mean not to.
func (e *recordEnv) check(c *client, path string, headers ...string) response {
	e.t.Helper()
	e.ahead.Add(int64(2 * time.Second))
	if headers == nil {
		headers = stop
	}
	return c.do("GET", path, nil, headers...)
}

// mustImport imports body (JSON, or CSV of kind) as the admin.
func (e *recordEnv) mustImport(kind, body string) bluelamp.ImportResult {
	e.t.Helper()
	path, headers := "/api/v1/records/import", []string{}
	if kind != "" {
		path, headers = path+"?kind="+kind, []string{"Content-Type", "text/csv"}
	}
	res := e.admin.do("POST", path, body, headers...)
	if res.status != http.StatusOK {
		e.t.Fatalf("import %s: %d %s", kind, res.status, res.body)
	}
	var out bluelamp.ImportResult
	res.decode(e.t, &out)
	return out
}

// docSeeds returns the example imports of docs/RECORDS.md by the info
// string of their fenced block: "csv persons", "json import", ….
func docSeeds() map[string]string {
	out := map[string]string{}
	b, err := os.ReadFile("../../docs/RECORDS.md")
	if err != nil {
		return out
	}
	for _, m := range regexp.MustCompile("(?s)```((?:csv|json) [a-z]+)\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	return out
}

// docExamples returns docSeeds, failing t unless every example is there.
func docExamples(t *testing.T) map[string]string {
	t.Helper()
	out := docSeeds()
	for _, want := range []string{"csv persons", "csv vehicles", "csv locations", "json import"} {
		if out[want] == "" {
			t.Fatalf("docs/RECORDS.md has no %q example", want)
		}
	}
	return out
}

// recordsOf decodes the records a check answered with, each as its raw
// JSON, so the order of its members can be checked.
func recordsOf(t *testing.T, res response, member string) []json.RawMessage {
	t.Helper()
	var page map[string]json.RawMessage
	res.decode(t, &page)
	var records []json.RawMessage
	if err := json.Unmarshal(page[member], &records); err != nil {
		t.Fatalf("%s: %v in %s", member, err, res.body)
	}
	return records
}

// wantMarkersFirst fails t unless the record's first member is its markers.
func wantMarkersFirst(t *testing.T, raw json.RawMessage) {
	t.Helper()
	if !bytes.HasPrefix(raw, []byte(`{"markers":`)) {
		t.Fatalf("record does not start with its markers: %.200s", raw)
	}
}

// TestRecordImportDocs imports the examples of docs/RECORDS.md, as the
// document says, and checks them as an officer would.
func TestRecordImportDocs(t *testing.T) {
	t.Parallel()
	e := newRecordEnv(t)
	docs := docExamples(t)
	got := e.mustImport("persons", docs["csv persons"])
	if got.Persons.Created != 3 {
		t.Fatalf("persons: %+v", got)
	}
	if got := e.mustImport("vehicles", docs["csv vehicles"]); got.Vehicles.Created != 2 {
		t.Fatalf("vehicles: %+v", got)
	}
	if got := e.mustImport("locations", docs["csv locations"]); got.Locations.Created != 2 {
		t.Fatalf("locations: %+v", got)
	}
	if got := e.mustImport("", docs["json import"]); got.Persons.Created != 1 || got.Vehicles.Created != 1 || got.Locations.Created != 1 {
		t.Fatalf("json: %+v", got)
	}
	// Sent again, the same files replace what they made.
	if got := e.mustImport("persons", docs["csv persons"]); got.Persons.Updated != 3 || got.Persons.Created != 0 {
		t.Fatalf("persons again: %+v", got)
	}

	res := e.check(e.officer, "/api/v1/persons?surname=stannidge")
	var persons personPage
	res.decode(t, &persons)
	if persons.Total != 1 {
		t.Fatalf("search: %s", res.body)
	}
	p := persons.Persons[0]
	if p.Forenames != "Jopp" || p.DateOfBirth != "1969-04-11" || len(p.Aliases) != 1 || p.Aliases[0].Surname != "JOPP" ||
		p.Addresses[0].Postcode != "DT1 1AB" || p.Addresses[0].Address != "Mixen Lane, Casterbridge" || p.Markers[0].Code != "VI" ||
		p.Markers[1].Code != "WE" || p.Markers[1].Detail != "carries a knife" || p.Markers[1].Source != "Wessex intelligence" {
		t.Fatalf("person = %+v", p)
	}
	wantMarkersFirst(t, recordsOf(t, res, "persons")[0])
	res = e.check(e.officer, "/api/v1/vehicles?vrm=wx73kzt")
	var vehicles vehiclePage
	res.decode(t, &vehicles)
	if vehicles.Total != 1 || vehicles.Vehicles[0].Keeper == nil || vehicles.Vehicles[0].Keeper.ID != p.ID || vehicles.Vehicles[0].Markers[0].Code != "STOLEN" {
		t.Fatalf("vehicle check: %s", res.body)
	}
	keeper := recordsOf(t, res, "vehicles")[0]
	wantMarkersFirst(t, keeper)
	if !bytes.Contains(keeper, []byte(`"keeper":{"markers":[{"code":"VI"`)) {
		t.Fatalf("keeper's markers not first: %s", keeper)
	}
	var locations locationPage
	e.check(e.officer, "/api/v1/locations?lat=50.7139&lon=-2.4310&radius=50").decode(t, &locations)
	if locations.Total != 1 || locations.Locations[0].Markers[0].Code != "DA" || *locations.Locations[0].Distance > 1 {
		t.Fatalf("near: %+v", locations)
	}
	e.check(e.officer, "/api/v1/persons?surname=Fry&forename=hen").decode(t, &persons)
	if persons.Total != 1 || persons.Persons[0].Surname != "Fray" || persons.Persons[0].Markers[0].ReviewDate != "2027-05-05" {
		t.Fatalf("json person by alias: %+v", persons)
	}
}

// TestRecordChecks checks people, vehicles and places as an officer, and
// finds each check in the audit trail.
func TestRecordChecks(t *testing.T) {
	t.Parallel()
	e := newRecordEnv(t)
	e.mustImport("", `{"persons":[
		{"reference":"P1","surname":"Henchard","forenames":"Michael","date_of_birth":"1960-05-05","sex":"M",
		 "markers":[{"code":"MH","date":"2029-01-01","source":"PNC"},{"code":"FI","date":"2020-01-01","source":"PNC"}]},
		{"reference":"P2","surname":"Henchard","forenames":"Susan","date_of_birth":"1962-06-06","sex":"F"}],
		"vehicles":[{"reference":"V1","vrm":"AB51 ABC","keeper_ref":"P1","markers":[{"code":"NO_INSURANCE","date":"2030-01-01","source":"MID"}]}],
		"locations":[{"reference":"L1","address":"The Mayor's House, Casterbridge","postcode":"DT1 1AA","position":{"lat":50.7155,"lon":-2.4372},
		 "markers":[{"code":"DOGS","date":"2029-01-01","source":"PC 1041"}]}]}`)

	res := e.check(e.officer, "/api/v1/persons?surname=HENCHARD&forename=m&dob=1960-05-05")
	var persons personPage
	res.decode(t, &persons)
	if persons.Total != 1 || persons.Persons[0].Markers[0].Code != "FI" || !persons.Persons[0].Markers[0].OfficerSafety {
		t.Fatalf("person search: %s", res.body)
	}
	michael := persons.Persons[0]
	for _, raw := range recordsOf(t, res, "persons") {
		wantMarkersFirst(t, raw)
	}
	var one bluelamp.Person
	e.check(e.handler, fmt.Sprintf("/api/v1/persons/%d", michael.ID)).decode(t, &one)
	if one.ID != michael.ID || len(one.Markers) != 2 {
		t.Fatalf("person view: %+v", one)
	}
	var vehicles vehiclePage
	e.check(e.officer, "/api/v1/vehicles?vrm=AB51+AB%3F").decode(t, &vehicles)
	if vehicles.Total != 1 || vehicles.Vehicles[0].VRM != "AB51ABC" || vehicles.Vehicles[0].Keeper.ID != michael.ID {
		t.Fatalf("vehicle search: %+v", vehicles)
	}
	var vehicle bluelamp.Vehicle
	e.check(e.officer, fmt.Sprintf("/api/v1/vehicles/%d", vehicles.Vehicles[0].ID)).decode(t, &vehicle)
	if vehicle.Keeper == nil || vehicle.Keeper.Markers[0].Code != "FI" {
		t.Fatalf("vehicle view: %+v", vehicle)
	}
	var locations locationPage
	e.check(e.officer, "/api/v1/locations?q=mayor+caster").decode(t, &locations)
	if locations.Total != 1 || locations.Locations[0].Markers[0].Code != "DOGS" {
		t.Fatalf("location search: %+v", locations)
	}
	var location bluelamp.LocationRecord
	e.check(e.officer, fmt.Sprintf("/api/v1/locations/%d", locations.Locations[0].ID)).decode(t, &location)
	if location.Postcode != "DT1 1AA" {
		t.Fatalf("location view: %+v", location)
	}

	// Each check is in the audit trail: who, why, what was asked, and the
	// records returned, the keeper of a vehicle among them.
	var audit struct{ Records []*bluelamp.AuditRecord }
	e.auditor.do("GET", fmt.Sprintf("/api/v1/audit?subject=person/%d&action=consultation", michael.ID), nil, justify()...).decode(t, &audit)
	var whats []string
	for _, r := range audit.Records {
		whats = append(whats, strings.Fields(r.What)[0])
		if r.Justification.Reason != "STOP" || r.Justification.IncidentRef != "12/27NOV26" || !slices.Contains(r.Subjects, fmt.Sprintf("person/%d", michael.ID)) {
			t.Errorf("audit record %+v", r)
		}
	}
	slices.Sort(whats)
	if diff := cmp.Diff([]string{"person.search", "person.view", "vehicle.search", "vehicle.view"}, whats); diff != "" {
		t.Errorf("checks of Michael in the audit trail (-want +got):\n%s", diff)
	}

	// The sad paths: no reason, a bad one, a role that may not check, an
	// unknown id, another force's record, bad parameters.
	tests := []struct {
		name        string
		c           *client
		path        string
		headers     []string
		status      int
		code, field string
	}{
		{"NoJustification", e.officer, "/api/v1/persons?surname=Henchard", []string{}, 400, "justification_required", ""},
		{"UnknownReason", e.officer, "/api/v1/persons?surname=Henchard", []string{HeaderReason, "CURIOUS"}, 400, "invalid_fields", "reason"},
		{"OtherNeedsText", e.officer, "/api/v1/vehicles?vrm=AB51ABC", []string{HeaderReason, "OTHER"}, 400, "invalid_fields", "justification"},
		{"ViewNoJustification", e.officer, fmt.Sprintf("/api/v1/persons/%d", michael.ID), []string{}, 400, "justification_required", ""},
		{"PartnerAgency", e.partner, "/api/v1/persons?surname=Henchard", nil, 403, "role_required", ""},
		{"Analyst", e.analyst, "/api/v1/vehicles?vrm=AB51ABC", nil, 403, "role_required", ""},
		{"Admin", e.admin, "/api/v1/locations?q=mayor", nil, 403, "role_required", ""},
		{"Auditor", e.auditor, fmt.Sprintf("/api/v1/persons/%d", michael.ID), nil, 403, "role_required", ""},
		{"PersonMissing", e.officer, "/api/v1/persons/999999", nil, 404, "not_found", ""},
		{"PersonOtherForce", e.bravo, fmt.Sprintf("/api/v1/persons/%d", michael.ID), nil, 404, "not_found", ""},
		{"VehicleOtherForce", e.bravo, fmt.Sprintf("/api/v1/vehicles/%d", vehicle.ID), nil, 404, "not_found", ""},
		{"LocationOtherForce", e.bravo, fmt.Sprintf("/api/v1/locations/%d", location.ID), nil, 404, "not_found", ""},
		{"BadID", e.officer, "/api/v1/persons/abc", nil, 400, "invalid_fields", "id"},
		{"ZeroID", e.officer, "/api/v1/vehicles/0", nil, 400, "invalid_fields", "id"},
		{"NoSurname", e.officer, "/api/v1/persons?forename=Michael", nil, 400, "invalid_fields", "surname"},
		{"ShortPrefix", e.officer, "/api/v1/persons?surname=H*", nil, 400, "invalid_fields", "surname"},
		{"BadDOB", e.officer, "/api/v1/persons?surname=Henchard&dob=5%2F5%2F1960", nil, 400, "invalid_fields", "dob"},
		{"BadLimit", e.officer, "/api/v1/persons?surname=Henchard&limit=500", nil, 400, "invalid_fields", "limit"},
		{"BadOffset", e.officer, "/api/v1/persons?surname=Henchard&offset=-1", nil, 400, "invalid_fields", "offset"},
		{"UnknownParameter", e.officer, "/api/v1/persons?name=Henchard", nil, 400, "invalid_fields", "name"},
		{"NoVRM", e.officer, "/api/v1/vehicles", nil, 400, "invalid_fields", "vrm"},
		{"NotAVRM", e.officer, "/api/v1/vehicles?vrm=HELLO+WORLD", nil, 400, "invalid_fields", "vrm"},
		{"VRMAllWildcard", e.officer, "/api/v1/vehicles?vrm=*", nil, 400, "invalid_fields", "vrm"},
		{"VRMNUL", e.officer, "/api/v1/vehicles?vrm=AB51%00ABC", nil, 400, "invalid_fields", "vrm"},
		{"NoPlace", e.officer, "/api/v1/locations", nil, 400, "invalid_fields", "q"},
		{"HalfPlace", e.officer, "/api/v1/locations?lat=50.7", nil, 400, "invalid_fields", "lon"},
		{"BadLat", e.officer, "/api/v1/locations?lat=north&lon=-2.4", nil, 400, "invalid_fields", "lat"},
		{"NaN", e.officer, "/api/v1/locations?lat=NaN&lon=-2.4", nil, 400, "invalid_fields", "lat"},
		{"ImpossibleLat", e.officer, "/api/v1/locations?lat=91&lon=-2.4", nil, 400, "invalid_fields", "lat"},
		{"RadiusAlone", e.officer, "/api/v1/locations?q=mayor&radius=50", nil, 400, "invalid_fields", "radius"},
		{"RadiusTooBig", e.officer, "/api/v1/locations?lat=50.7&lon=-2.4&radius=50000", nil, 400, "invalid_fields", "radius"},
		{"RadiusZero", e.officer, "/api/v1/locations?lat=50.7&lon=-2.4&radius=0", nil, 400, "invalid_fields", "radius"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, e.check(tc.c, tc.path, tc.headers...), tc.status, tc.code, tc.field)
			if p.Detail == "" || p.RequestID == "" {
				t.Fatalf("problem = %+v", p)
			}
		})
	}
	// Another force's records are never found by a search.
	for _, path := range []string{"/api/v1/persons?surname=Henchard", "/api/v1/vehicles?vrm=AB51ABC", "/api/v1/locations?q=DT1+1AA",
		"/api/v1/locations?lat=50.7155&lon=-2.4372"} {
		var page struct{ Total int }
		if res := e.check(e.bravo, path); res.status != http.StatusOK {
			t.Fatalf("bravo %s: %d %s", path, res.status, res.body)
		} else if res.decode(t, &page); page.Total != 0 {
			t.Errorf("bravo found alpha's records by %s: %s", path, res.body)
		}
	}
}

// TestRecordCheckRateLimit spends an officer's burst of checks, is refused
// with 429, a clear message and Retry-After, and checks again once told
// to; other users are not held back, and a refused check is not audited.
// The server's clock runs on in real time (slowly, under -race), so the
// exact counts are TestRateLimiter's.
func TestRecordCheckRateLimit(t *testing.T) {
	t.Parallel()
	e := newRecordEnv(t)
	e.mustImport("", `{"persons":[{"reference":"P1","surname":"Henchard"}]}`)
	path := "/api/v1/persons?surname=Henchard"
	// A refused justification does not count.
	for range 3 {
		wantProblem(t, e.officer.do("GET", path, nil), 400, "justification_required", "")
	}
	message := regexp.MustCompile(`^You have made ([0-9]+) record checks in the last minute; wait ([0-9]+) seconds?$`)
	ok := 0
	limited := func() (made, wait int) {
		t.Helper()
		for range 3 * RecordCheckBurst {
			res := e.officer.do("GET", path, nil, stop...)
			if res.status == http.StatusOK {
				ok++
				continue
			}
			p := wantProblem(t, res, http.StatusTooManyRequests, "rate_limited", "")
			m := message.FindStringSubmatch(p.Detail)
			if m == nil || res.header.Get("Retry-After") != m[2] {
				t.Fatalf("429: Retry-After %q, detail %q", res.header.Get("Retry-After"), p.Detail)
			}
			made, _ = strconv.Atoi(m[1])
			wait, _ = strconv.Atoi(m[2])
			return made, wait
		}
		t.Fatalf("%d checks in a row were not limited", 3*RecordCheckBurst)
		return 0, 0
	}
	made, wait := limited()
	if ok < RecordCheckBurst || made < RecordCheckBurst || made > ok || wait < 1 || wait > 2 {
		t.Fatalf("limited after %d checks: made %d, wait %d", ok, made, wait)
	}
	// Someone else may still check.
	if res := e.handler.do("GET", path, nil, stop...); res.status != http.StatusOK {
		t.Fatalf("another user: %d %s", res.status, res.body)
	}
	// Waiting as told gives one more check, and then the limit again.
	e.ahead.Add(int64(time.Duration(wait) * time.Second))
	if res := e.officer.do("GET", path, nil, stop...); res.status != http.StatusOK {
		t.Fatalf("after waiting: %d %s", res.status, res.body)
	}
	ok++
	limited()
	// A minute on, the whole burst is back.
	e.ahead.Add(int64(time.Minute))
	for i := range RecordCheckBurst {
		if res := e.officer.do("GET", path, nil, stop...); res.status != http.StatusOK {
			t.Fatalf("check %d after a minute: %d %s", i+1, res.status, res.body)
		}
		ok++
	}
	// The audit trail holds the officer's checks that were answered, and
	// none that were refused.
	var me meResponse
	e.officer.do("GET", "/api/v1/me", nil).decode(t, &me)
	var audit struct{ Total int }
	e.auditor.do("GET", fmt.Sprintf("/api/v1/audit?user=%d&action=consultation", me.User.ID), nil, justify()...).decode(t, &audit)
	if audit.Total != ok {
		t.Fatalf("%d checks answered, %d audited", ok, audit.Total)
	}
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	l := newRateLimiter(30, 10, func() time.Time { return now })
	for i := range 10 {
		if ok, made, _ := l.take(1); !ok || made != i+1 {
			t.Fatalf("check %d: ok %v, made %d", i+1, ok, made)
		}
	}
	ok, made, wait := l.take(1)
	if ok || made != 10 || wait != 2*time.Second {
		t.Fatalf("11th: ok %v, made %d, wait %v", ok, made, wait)
	}
	now = now.Add(time.Second)
	if _, _, wait := l.take(1); wait != time.Second {
		t.Fatalf("a second later: wait %v", wait)
	}
	// Checks older than a minute are not counted in the message.
	now = now.Add(59 * time.Second)
	for range 10 {
		l.take(1)
	}
	if ok, made, _ := l.take(1); ok || made != 10 {
		t.Fatalf("a minute on: ok %v, made %d", ok, made)
	}
	// Idle users' buckets are dropped.
	l.take(2)
	now = now.Add(10 * time.Minute)
	l.take(3)
	l.mu.Lock()
	n := len(l.buckets)
	l.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d buckets after the others went idle, want 1", n)
	}
}

// TestRecordImportBadInput sends imports that cannot be, or hold bad
// rows: each gets a clear 4xx, and nothing is written.
func TestRecordImportBadInput(t *testing.T) {
	t.Parallel()
	e := newRecordEnv(t)
	csvHeaders := []string{"Content-Type", "text/csv"}
	persons := "reference,surname,date_of_birth,markers\n"
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("reference,address\n")
		for i := range n {
			fmt.Fprintf(&b, "L%d,%d High Street\n", i, i)
		}
		return b.String()
	}
	tests := []struct {
		name        string
		c           *client
		query, body string
		headers     []string
		status      int
		code, field string
	}{
		{"NotAdmin", e.officer, "?kind=persons", persons + "P1,Oak,,\n", csvHeaders, 403, "role_required", ""},
		{"Auditor", e.auditor, "", `{"persons":[]}`, nil, 403, "role_required", ""},
		{"PlainText", e.admin, "?kind=persons", persons, []string{"Content-Type", "text/plain"}, 415, codeUnsupportedMedia, ""},
		{"Latin1", e.admin, "?kind=persons", persons, []string{"Content-Type", "text/csv; charset=iso-8859-1"}, 415, codeUnsupportedMedia, ""},
		{"NoKind", e.admin, "", persons + "P1,Oak,,\n", csvHeaders, 400, "invalid_fields", "kind"},
		{"BadKind", e.admin, "?kind=cats", persons + "P1,Oak,,\n", csvHeaders, 400, "invalid_fields", "kind"},
		{"KindWithJSON", e.admin, "?kind=persons", `{"persons":[]}`, nil, 400, "invalid_fields", "kind"},
		{"BadDryRun", e.admin, "?kind=persons&dry_run=maybe", persons + "P1,Oak,,\n", csvHeaders, 400, "invalid_fields", "dry_run"},
		{"UnknownParameter", e.admin, "?kind=persons&force=bravo", persons + "P1,Oak,,\n", csvHeaders, 400, "invalid_fields", "force"},
		{"Empty", e.admin, "?kind=persons", "", csvHeaders, 400, "invalid_fields", "header"},
		{"HeaderOnly", e.admin, "?kind=persons", persons, csvHeaders, 400, "invalid_fields", "records"},
		{"UnknownColumn", e.admin, "?kind=persons", "reference,surname,shoe_size\nP1,Oak,9\n", csvHeaders, 400, "invalid_fields", "header"},
		{"RepeatedColumn", e.admin, "?kind=persons", "reference,surname,Surname\nP1,Oak,Oak\n", csvHeaders, 400, "invalid_fields", "header"},
		{"MissingColumn", e.admin, "?kind=vehicles", "reference,make\nV1,Ford\n", csvHeaders, 400, "invalid_fields", "header"},
		{"BadUTF8", e.admin, "?kind=persons", persons + "P1,Oak\xff,,\n", csvHeaders, 400, "bad_utf8", ""},
		{"MalformedJSON", e.admin, "", `{"persons":[`, nil, 400, "bad_json", ""},
		{"JSONNotImport", e.admin, "", `{"people":[]}`, nil, 400, "unknown_field", "people"},
		{"JSONNoRecords", e.admin, "", `{}`, nil, 400, "invalid_fields", "records"},
		{"JSONNull", e.admin, "", `null`, nil, 400, "bad_json", ""},
		{"TooManyRows", e.admin, "?kind=locations", many(bluelamp.MaxImportRows + 1), csvHeaders, 413, "too_many_rows", ""},
		{"TooLarge", e.admin, "?kind=locations", "reference,address\nL1," + strings.Repeat("x", MaxImportBody), csvHeaders, 413, "body_too_large", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.c.do("POST", "/api/v1/records/import"+tc.query, tc.body, tc.headers...)
			p := wantProblem(t, res, tc.status, tc.code, tc.field)
			if p.Detail == "" || p.RequestID == "" {
				t.Fatalf("problem = %+v", p)
			}
		})
	}

	type rowWant map[string][]string // "kind row" → fields at fault
	rowsOf := func(t *testing.T, res response) rowWant {
		t.Helper()
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("got %d, want 422: %s", res.status, res.body)
		}
		var p importProblem
		res.decode(t, &p)
		if p.Code != "invalid_rows" || p.Status != 422 || !strings.Contains(p.Detail, strconv.Itoa(len(p.Rows))+" rows are invalid") {
			t.Fatalf("problem %+v", p)
		}
		got := rowWant{}
		for _, r := range p.Rows {
			got[fmt.Sprintf("%s %d", r.Kind, r.Row)] = slices.Sorted(maps.Keys(r.Errors))
		}
		return got
	}
	t.Run("CSVBadRows", func(t *testing.T) {
		body := "reference,surname,forenames,date_of_birth,sex,vulnerable,markers\n" +
			"P1,Oak,Gabriel,1990-01-01,M,no,VI 2029-01-01 PNC\n" + // row 2: good
			"P2,,Bathsheba,1990-13-01,Q,perhaps,\n" + // row 3
			"\"P3,Troy,Frank\n" + // row 4: an unclosed quote swallows the rest, the reference too
			""
		got := rowsOf(t, e.admin.do("POST", "/api/v1/records/import?kind=persons", body, csvHeaders...))
		want := rowWant{"person 3": {"date_of_birth", "sex", "surname", "vulnerable"}, "person 4": {"reference", "row", "surname"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad rows (-want +got):\n%s", diff)
		}
		body = "reference,surname,markers\n" +
			"P1,Oak,VI 2029-01-01 PNC\n" +
			"P2,Everdene,XX 2029-01-01 PNC; VI yesterday PNC; FI\n" +
			",Troy,\n" +
			"P1,Boldwood,\n" +
			"P5,Robin,one,two\n"
		got = rowsOf(t, e.admin.do("POST", "/api/v1/records/import?kind=persons", body, csvHeaders...))
		want = rowWant{"person 3": {"markers", "markers[0].code", "markers[1].date"}, "person 4": {"reference"}, "person 5": {"reference"}, "person 6": {"markers", "row"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad rows (-want +got):\n%s", diff)
		}
		body = "reference,vrm,keeper_ref\nV1,AB51ABC,NOBODY\nV2,NOT A PLATE,\nV3,ab51 abc,\n"
		got = rowsOf(t, e.admin.do("POST", "/api/v1/records/import?kind=vehicles", body, csvHeaders...))
		want = rowWant{"vehicle 2": {"keeper_ref"}, "vehicle 3": {"vrm"}, "vehicle 4": {"vrm"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad vehicle rows (-want +got):\n%s", diff)
		}
		body = "reference,address,lat,lon\nL1,High St,50.7,\nL2,Low St,north,-2\nL3,,,\n"
		got = rowsOf(t, e.admin.do("POST", "/api/v1/records/import?kind=locations", body, csvHeaders...))
		want = rowWant{"location 2": {"lon"}, "location 3": {"lat"}, "location 4": {"address"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad location rows (-want +got):\n%s", diff)
		}
	})
	t.Run("JSONBadRows", func(t *testing.T) {
		body := `{"persons":[{"reference":"P1","surname":"Oak"},{"reference":"P2","surname":"Troy","shoe":9},{"reference":"P3","surname":5}],
			"vehicles":[{"reference":"V1","vrm":"AB51ABC","keeper_ref":"P1"},{"reference":"V2","vrm":"AB51ABD","keeper_id":3}],
			"locations":[{"reference":"L1","address":"x","position":{"lat":50}},{"reference":"L2","address":"y","markers":[{"code":"STOLEN","date":"2029-01-01","source":"PNC"}]}]}`
		got := rowsOf(t, e.admin.do("POST", "/api/v1/records/import", body))
		want := rowWant{"person 2": {"shoe"}, "person 3": {"surname"}, "vehicle 2": {"keeper_id"}, "location 1": {"position.lon"}, "location 2": {"markers[0].code"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad rows (-want +got):\n%s", diff)
		}
	})
	t.Run("DryRun", func(t *testing.T) {
		res := e.admin.do("POST", "/api/v1/records/import?dry_run=true", `{"persons":[{"reference":"P1","surname":"Oak"}]}`)
		var got bluelamp.ImportResult
		res.decode(t, &got)
		if res.status != http.StatusOK || !got.DryRun || got.Persons.Created != 1 {
			t.Fatalf("dry run: %d %s", res.status, res.body)
		}
	})
	// Nothing above was written: no record is found, and the log holds no
	// record events.
	var page personPage
	e.check(e.officer, "/api/v1/persons?surname=Oak").decode(t, &page)
	if page.Total != 0 {
		t.Fatalf("refused imports wrote %+v", page.Persons)
	}
	events, err := e.store.FindEvents(bluelamp.SystemContext(t.Context(), "alpha", "test"), bluelamp.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if strings.HasPrefix(string(ev.Type), "person.") || ev.Type == bluelamp.EventRecordsImported {
			t.Fatalf("refused imports logged %s", ev.Type)
		}
	}
}

// TestRecordSchemasMatchGo checks that the record schemas of openapi.json
// list exactly the JSON members of the Go types they document, as
// TestOpenAPISchemasMatchGo does for the rest.
func TestRecordSchemasMatchGo(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	tests := []struct {
		schema  string
		typ     reflect.Type
		written bool
	}{
		{"Marker", reflect.TypeFor[bluelamp.Marker](), true},
		{"PersonName", reflect.TypeFor[bluelamp.PersonName](), true},
		{"PersonAddress", reflect.TypeFor[bluelamp.PersonAddress](), true},
		{"Person", reflect.TypeFor[bluelamp.Person](), true},
		{"Vehicle", reflect.TypeFor[bluelamp.Vehicle](), true},
		{"LocationRecord", reflect.TypeFor[bluelamp.LocationRecord](), true},
		{"PersonPage", reflect.TypeFor[personPage](), true},
		{"VehiclePage", reflect.TypeFor[vehiclePage](), true},
		{"LocationPage", reflect.TypeFor[locationPage](), true},
		{"ImportCounts", reflect.TypeFor[bluelamp.ImportCounts](), true},
		{"ImportResult", reflect.TypeFor[bluelamp.ImportResult](), true},
		{"RowError", reflect.TypeFor[bluelamp.RowError](), true},
		{"ImportProblem", reflect.TypeFor[importProblem](), true},
		{"MarkerInput", reflect.TypeFor[markerInput](), false},
		{"PersonImport", reflect.TypeFor[personImport](), false},
		{"VehicleImport", reflect.TypeFor[vehicleImport](), false},
		{"LocationImport", reflect.TypeFor[locationImport](), false},
		{"RecordsImport", reflect.TypeFor[recordsImport](), false},
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
			if tc.schema == "ImportProblem" {
				always = []string{"type", "title", "status", "detail", "code", "rows"} // as Problem, with its rows
			}
			slices.Sort(always)
			if diff := cmp.Diff(always, slices.Sorted(slices.Values(s.Required))); diff != "" {
				t.Errorf("required differs from the members always written (-Go +schema):\n%s", diff)
			}
		})
	}
	var codes []string
	for _, m := range bluelamp.MarkerCodes {
		codes = append(codes, string(m.Code))
	}
	var documented []string
	for _, v := range doc.Components.Schemas["MarkerCode"].Value.Enum {
		documented = append(documented, v.(string))
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(codes)), slices.Sorted(slices.Values(documented))); diff != "" {
		t.Errorf("MarkerCode enum differs (-Go +schema):\n%s", diff)
	}
}

// FuzzParseCSVImport feeds the CSV import parser anything: it never
// panics, and either refuses the file or returns records with a row each.
func FuzzParseCSVImport(f *testing.F) {
	f.Add("persons", "reference,surname,markers\nP1,Oak,VI 2029-01-01 PNC: x; DA(HIGH) 2029-01-01 DASH\n")
	f.Add("vehicles", "reference,vrm,keeper_ref\nV1,AB51 ABC,P1\n")
	f.Add("locations", "reference,address,lat,lon\nL1,\"1 High St, Casterbridge\",50.7,-2.4\n")
	f.Add("persons", "\xef\xbb\xbfreference,surname\n\"P1,Oak\n")
	f.Add("locations", "reference,address\n")
	f.Add("persons", "")
	for name, body := range docSeeds() {
		if kind, ok := strings.CutPrefix(name, "csv "); ok {
			f.Add(kind, body)
		}
	}
	f.Fuzz(func(t *testing.T, kind, body string) {
		imp, rows, err := parseCSVImport(bluelamp.RecordKind(strings.TrimSuffix(kind, "s")), kind != "", []byte(body))
		if err != nil {
			if imp != nil || rows != nil || bluelamp.KindOf(err) == bluelamp.KindInternal {
				t.Fatalf("refused with %v, yet returned %v %v", err, imp, rows)
			}
			return
		}
		if imp.Len() == 0 || imp.Len() > bluelamp.MaxImportRows {
			t.Fatalf("%d records", imp.Len())
		}
		for k, rs := range imp.Rows {
			if len(rs) != imp.Len() || !slices.IsSorted(rs) || rs[0] < 2 || k != bluelamp.RecordKind(strings.TrimSuffix(kind, "s")) {
				t.Fatalf("rows %v of %d %s records", rs, imp.Len(), k)
			}
		}
		for _, r := range rows {
			if r.Row < 2 || len(r.Errors) == 0 {
				t.Fatalf("row error %+v", r)
			}
		}
	})
}

// FuzzParseJSONImport feeds the JSON import parser anything: it never
// panics, and either refuses the body or returns records, with bad rows
// numbered within their lists.
func FuzzParseJSONImport(f *testing.F) {
	f.Add(`{"persons":[{"reference":"P1","surname":"Oak","markers":[{"code":"VI","date":"2029-01-01","source":"PNC"}]}]}`)
	f.Add(`{"vehicles":[{"reference":"V1","vrm":"AB51ABC","keeper_ref":"P1"},{"vrm":7}]}`)
	f.Add(`{"locations":[{"reference":"L1","address":"x","position":{"lat":50}}]}`)
	f.Add(`{"persons":null}`)
	f.Add(`[]`)
	if body, ok := docSeeds()["json import"]; ok {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		imp, rows, err := parseJSONImport([]byte(body))
		if err != nil {
			if imp != nil || bluelamp.KindOf(err) == bluelamp.KindInternal {
				t.Fatalf("refused with %v, yet returned %v", err, imp)
			}
			return
		}
		for _, r := range rows {
			n := map[bluelamp.RecordKind]int{bluelamp.RecordPerson: len(imp.Persons), bluelamp.RecordVehicle: len(imp.Vehicles),
				bluelamp.RecordLocation: len(imp.Locations)}[r.Kind]
			if r.Row < 1 || r.Row > n || len(r.Errors) == 0 {
				t.Fatalf("row error %+v of %d", r, n)
			}
		}
	})
}
