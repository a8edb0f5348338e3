package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// TestCommandAndControlBadInput sends the command-and-control routes
// unknown codes, impossible and out-of-force places, malformed grid
// references and refused changes: each gets a clear 4xx naming the field,
// never a 500, and nothing is half-written.
func TestCommandAndControlBadInput(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	e.mustSetArea(nil)
	offDuty := e.mustCreateUnit("SO41", bluelamp.StateOffDuty, portswood)
	free := e.mustCreateUnit("SO42", bluelamp.StateAvailable, portswood)
	e.mustBookOn(e.officer, free.ID)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradePriority, bargate)
	closed := e.mustOpenIncident(e.handler, bluelamp.GradeStandard, bargate)
	if res := e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/close", closed.ID), map[string]any{"category": "CRIME_ROBBERY", "result": "NO_TRACE"}); res.status != http.StatusOK {
		t.Fatalf("close: %d %s", res.status, res.body)
	}
	major := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	if res := e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/major", major.ID), map[string]any{"name": "Operation Egdon", "reason": "mass casualties"}); res.status != http.StatusOK {
		t.Fatalf("declare: %d %s", res.status, res.body)
	}

	contact := func(change func(b map[string]any)) map[string]any {
		b := contactBody("CRIME_ROBBERY", bluelamp.GradeImmediate, bargate)
		change(b)
		return b
	}
	nested := func(b map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			b = b[k].(map[string]any)
		}
		return b
	}
	at := func(v any) func(b map[string]any) {
		return func(b map[string]any) { b["location"] = v }
	}
	incPath := func(id bluelamp.IncidentID, rest string) string {
		return fmt.Sprintf("/api/v1/incidents/%d%s", id, rest)
	}
	tests := []struct {
		name         string
		c            *client
		method, path string
		body         any
		status       int
		code, field  string
	}{
		{"UnknownCategory", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["category"] = "CRIME_TREASON" }), 400, "invalid_fields", "incident.category"},
		{"UnknownGrade", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["grade"] = "URGENT" }), 400, "invalid_fields", "incident.grade"},
		{"UnknownChannel", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["channel"] = "PIGEON" }), 400, "invalid_fields", "channel"},
		{"UnknownQualifier", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["qualifiers"] = []string{"SPOOKY"} }), 400, "invalid_fields", "incident.qualifiers"},
		{"UnknownSkill", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["required_skills"] = []string{"JEDI"} }), 400, "invalid_fields", "incident.required_skills"},
		{"UnknownHarm", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident", "thrive", "harm")["types"] = []string{"SPIRITUAL"} }), 400, "invalid_fields", "incident.thrive.harm.types"},
		{"NoTHRIVE", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { delete(nested(b, "incident"), "thrive") }), 400, "invalid_fields", "incident.thrive"},
		{"THRIVEGradeDiffers", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident", "thrive")["grade"] = "STANDARD" }), 400, "invalid_fields", "incident.thrive.grade"},
		{"NoAccount", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["account"] = "   " }), 400, "invalid_fields", "account"},
		{"BadNumber", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["caller"] = map[string]any{"number": "call me maybe"} }), 400, "invalid_fields", "caller.number"},
		{"NeitherIncident", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { delete(b, "incident") }), 400, "invalid_fields", "incident"},
		{"BothIncidents", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["incident_id"] = inc.ID }), 400, "invalid_fields", "incident_id"},
		{"ZeroIncidentID", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { delete(b, "incident"); b["incident_id"] = 0 }), 400, "invalid_fields", "incident_id"},
		{"MissingIncident", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { delete(b, "incident"); b["incident_id"] = 999999 }), 404, "not_found", "incident_id"},
		{"ClosedIncident", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { delete(b, "incident"); b["incident_id"] = closed.ID }), 409, "incident_closed", ""},
		{"OldContact", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["received_at"] = "2020-01-01T00:00:00Z" }), 400, "invalid_fields", "received_at"},
		{"OutOfForce", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"position": london})), 400, "invalid_fields", "location.position"},
		{"ImpossiblePlace", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"position": map[string]any{"lat": 91, "lon": 0}})), 400, "invalid_fields", "location.position.lat"},
		{"HalfAPosition", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"position": map[string]any{"lat": 50.9}})), 400, "invalid_fields", "location.position.lon"},
		{"NoPlace", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{})), 400, "invalid_fields", "location.address"},
		{"PositionAndGridRef", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"position": bargate, "grid_ref": "SU 42 11"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefUnevenHalves", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "SU 3723 156"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefBadLetters", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "SI 372 156"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefOffGrid", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "AA 372 156"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefNoDigits", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "SU"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefTooCoarse", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "SU 37 15"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefNumericOffGrid", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "812345, 100000"})), 400, "invalid_fields", "location.grid_ref"},
		{"GridRefOutOfForce", e.handler, "POST", "/api/v1/contacts", contact(at(map[string]any{"grid_ref": "TQ 30080 80640"})), 400, "invalid_fields", "location.position"},
		{"IncidentGridRef", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["location"] = map[string]any{"grid_ref": "XX"} }), 400, "invalid_fields", "incident.location.grid_ref"},
		{"NestedUnknownField", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "caller")["nmae"] = "x" }), 400, "unknown_field", "caller.nmae"},
		{"NestedKeyCase", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident", "thrive", "risk")["Rating"] = "LOW" }), 400, "unknown_field", "incident.thrive.risk.Rating"},
		{"NullCaller", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { b["caller"] = nil }), 400, "invalid_fields", "caller"},
		{"NullSummary", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident")["summary"] = nil }), 400, "invalid_fields", "incident.summary"},
		{"NullBody", e.sup, "PATCH", fmt.Sprintf("/api/v1/units/%d", free.ID), "null", 400, "bad_json", ""},
		{"NestedNUL", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "caller")["name"] = "Sam\x00" }), 400, "invalid_fields", "caller.name"},
		{"ListNUL", e.handler, "POST", "/api/v1/contacts", contact(func(b map[string]any) { nested(b, "incident", "thrive", "threat")["parties"] = []string{"a\x01"} }), 400, "invalid_fields", "incident.thrive.threat.parties"},
		{"IncidentNoLocation", e.handler, "POST", "/api/v1/incidents", map[string]any{"channel": "OFFICER_GENERATED", "category": "ALARM", "grade": "STANDARD", "summary": "alarm", "thrive": thriveBody("STANDARD")}, 400, "invalid_fields", "location.address"},
		{"IncidentNoChannel", e.handler, "POST", "/api/v1/incidents", incidentBody("ALARM", "STANDARD", bargate), 400, "invalid_fields", "channel"},
		{"RegradeNoReason", e.sup, "POST", incPath(inc.ID, "/grade"), map[string]any{"grade": "IMMEDIATE"}, 400, "invalid_fields", "reason"},
		{"RegradeBlankReason", e.sup, "POST", incPath(inc.ID, "/grade"), map[string]any{"grade": "IMMEDIATE", "reason": " \n "}, 400, "invalid_fields", "reason"},
		{"RegradeUnknown", e.sup, "POST", incPath(inc.ID, "/grade"), map[string]any{"grade": "G1", "reason": "worse"}, 400, "invalid_fields", "grade"},
		{"RegradeSame", e.sup, "POST", incPath(inc.ID, "/grade"), map[string]any{"grade": "PRIORITY", "reason": "same"}, 400, "invalid_fields", "grade"},
		{"RegradeClosed", e.sup, "POST", incPath(closed.ID, "/grade"), map[string]any{"grade": "IMMEDIATE", "reason": "worse"}, 409, "incident_closed", ""},
		{"RegradeMissing", e.sup, "POST", incPath(999999, "/grade"), map[string]any{"grade": "IMMEDIATE", "reason": "worse"}, 404, "not_found", ""},
		{"RegradeBadID", e.sup, "POST", "/api/v1/incidents/x/grade", map[string]any{"grade": "IMMEDIATE", "reason": "worse"}, 400, "invalid_fields", "id"},
		{"CloseTwice", e.sup, "POST", incPath(closed.ID, "/close"), map[string]any{"category": "CRIME_ROBBERY", "result": "NO_TRACE"}, 409, "incident_closed", ""},
		{"CloseUnknownResult", e.sup, "POST", incPath(inc.ID, "/close"), map[string]any{"category": "CRIME_ROBBERY", "result": "SOLVED"}, 400, "invalid_fields", "result"},
		{"CloseCrimeNoReference", e.sup, "POST", incPath(inc.ID, "/close"), map[string]any{"category": "CRIME_ROBBERY", "result": "CRIME_RECORDED"}, 400, "invalid_fields", "crime_reference"},
		{"CloseDuplicateOfItself", e.sup, "POST", incPath(inc.ID, "/close"), map[string]any{"category": "DUPLICATE", "result": "DUPLICATE", "duplicate_of": inc.Number}, 400, "invalid_fields", "duplicate_of"},
		{"AssignOffDuty", e.ctl, "POST", incPath(inc.ID, "/assignments"), map[string]any{"unit_id": offDuty.ID}, 409, "unit_unavailable", "unit_id"},
		{"AssignNoUnit", e.ctl, "POST", incPath(inc.ID, "/assignments"), map[string]any{}, 400, "invalid_fields", "unit_id"},
		{"AssignMissingUnit", e.ctl, "POST", incPath(inc.ID, "/assignments"), map[string]any{"unit_id": 999999}, 404, "not_found", "unit_id"},
		{"AssignToClosed", e.ctl, "POST", incPath(closed.ID, "/assignments"), map[string]any{"unit_id": free.ID}, 409, "incident_closed", ""},
		{"StandDownNoReason", e.ctl, "POST", incPath(inc.ID, fmt.Sprintf("/assignments/%d/stand-down", free.ID)), map[string]any{}, 400, "invalid_fields", "reason"},
		{"StandDownNotAssigned", e.ctl, "POST", incPath(inc.ID, fmt.Sprintf("/assignments/%d/stand-down", free.ID)), map[string]any{"reason": "not needed"}, 409, "unit_unavailable", "unit_id"},
		{"StandDownBadUnit", e.ctl, "POST", incPath(inc.ID, "/assignments/x/stand-down"), map[string]any{"reason": "x"}, 400, "invalid_fields", "unit_id"},
		{"LogEmpty", e.ctl, "POST", incPath(inc.ID, "/log"), map[string]any{"text": ""}, 400, "invalid_fields", "text"},
		{"LogCorrectsZero", e.ctl, "POST", incPath(inc.ID, "/log"), map[string]any{"text": "fix", "corrects": 0}, 400, "invalid_fields", "corrects"},
		{"LogCorrectsOther", e.ctl, "POST", incPath(inc.ID, "/log"), map[string]any{"text": "fix", "corrects": 999999}, 400, "invalid_fields", "corrects"},
		{"AssessNoRationale", e.ctl, "POST", incPath(inc.ID, "/assessments"), map[string]any{"threat": map[string]any{"description": "x"}, "harm": map[string]any{"severity": "LOW"}, "risk": map[string]any{"likelihood": "LOW", "rating": "LOW"}, "grade": "STANDARD"}, 400, "invalid_fields", "rationale"},
		{"AssessClosed", e.ctl, "POST", incPath(closed.ID, "/assessments"), thriveBody("STANDARD"), 409, "incident_closed", ""},
		{"DeclareTwice", e.sup, "POST", incPath(major.ID, "/major"), map[string]any{"name": "Operation Again", "reason": "again"}, 409, "already_major", ""},
		{"DeclareNoName", e.sup, "POST", incPath(inc.ID, "/major"), map[string]any{"reason": "why"}, 400, "invalid_fields", "name"},
		{"LinkNotMajor", e.ctl, "POST", incPath(inc.ID, "/link"), map[string]any{"major_id": closed.ID}, 409, "not_major", "major_id"},
		{"LinkItself", e.ctl, "POST", incPath(inc.ID, "/link"), map[string]any{"major_id": inc.ID}, 400, "invalid_fields", "major_id"},
		{"LinkNone", e.ctl, "POST", incPath(inc.ID, "/link"), map[string]any{}, 400, "invalid_fields", "major_id"},
		{"MajorViewNotMajor", e.ctl, "GET", incPath(inc.ID, "/major"), nil, 409, "not_major", "incident_id"},
		{"METHANEMissing", e.ctl, "POST", incPath(major.ID, "/methane"), map[string]any{"exact_location": "here"}, 400, "invalid_fields", "hazards"},
		{"METHANENegative", e.ctl, "POST", incPath(major.ID, "/methane"), func() map[string]any {
			b := methaneBody(true)
			b["casualties"] = map[string]any{"number": -1}
			return b
		}(), 400, "invalid_fields", "casualties.number"},
		{"UnknownStatusCode", e.officer, "POST", fmt.Sprintf("/api/v1/units/%d/status", free.ID), map[string]any{"code": "99"}, 400, "invalid_fields", "code"},
		{"AtSceneWithoutJob", e.officer, "POST", fmt.Sprintf("/api/v1/units/%d/status", free.ID), map[string]any{"code": "6"}, 400, "invalid_fields", "code"},
		{"AssignedByStatus", e.officer, "POST", fmt.Sprintf("/api/v1/units/%d/status", free.ID), map[string]any{"code": "A"}, 400, "invalid_fields", "code"},
		{"PositionHalf", e.officer, "POST", fmt.Sprintf("/api/v1/units/%d/position", free.ID), map[string]any{"lat": 50.9}, 400, "invalid_fields", "lon"},
		{"PositionImpossible", e.officer, "POST", fmt.Sprintf("/api/v1/units/%d/position", free.ID), map[string]any{"lat": 50.9, "lon": 181}, 400, "invalid_fields", "lon"},
		{"UnitUnknownSkill", e.sup, "PATCH", fmt.Sprintf("/api/v1/units/%d", free.ID), map[string]any{"skills": []map[string]any{{"skill": "JEDI"}}}, 400, "invalid_fields", "skills"},
		{"UnitBadCrew", e.sup, "PATCH", fmt.Sprintf("/api/v1/units/%d", free.ID), map[string]any{"crew": []string{"pc 1"}}, 400, "invalid_fields", "crew"},
		{"UnitMissing", e.sup, "GET", "/api/v1/units/999999", nil, 404, "not_found", ""},
		{"SettingsBadDuration", e.admin, "PUT", "/api/v1/settings", `{"repeat_window":"a fortnight"}`, 400, "bad_json", ""},
		{"SettingsInvalid", e.admin, "PUT", "/api/v1/settings", map[string]any{"time_zone": "Mars/Olympus"}, 400, "invalid_fields", "time_zone"},
		{"SettingsNestedUnknown", e.admin, "PUT", "/api/v1/settings", `{"grades":[{"grade":"IMMEDIATE","lable":"x"}]}`, 400, "unknown_field", "grades[0].lable"},
		{"QueueBadStatus", e.ctl, "GET", "/api/v1/incidents?status=PENDING", nil, 400, "invalid_fields", "status"},
		{"QueueBadGrade", e.ctl, "GET", "/api/v1/incidents?grade=G1", nil, 400, "invalid_fields", "grade"},
		{"QueueBadMajor", e.ctl, "GET", "/api/v1/incidents?major_id=0", nil, 400, "invalid_fields", "major_id"},
		{"QueueBadSince", e.ctl, "GET", "/api/v1/incidents?since=yesterday", nil, 400, "invalid_fields", "since"},
		{"QueueBadLimit", e.ctl, "GET", "/api/v1/incidents?limit=100000", nil, 400, "invalid_fields", "limit"},
		{"QueueUnknownParameter", e.ctl, "GET", "/api/v1/incidents?colour=red", nil, 400, "invalid_fields", "colour"},
		{"PreviewNoCategory", e.handler, "GET", "/api/v1/duplicates?lat=50.9&lon=-1.4", nil, 400, "invalid_fields", "category"},
		{"PreviewNoPlace", e.handler, "GET", "/api/v1/duplicates?category=ALARM", nil, 400, "invalid_fields", "lat"},
		{"PreviewHalfPlace", e.handler, "GET", "/api/v1/duplicates?category=ALARM&lat=50.9", nil, 400, "invalid_fields", "lon"},
		{"PreviewBadLat", e.handler, "GET", "/api/v1/duplicates?category=ALARM&lat=north&lon=1", nil, 400, "invalid_fields", "lat"},
		{"PreviewNaN", e.handler, "GET", "/api/v1/duplicates?category=ALARM&lat=NaN&lon=1", nil, 400, "invalid_fields", "lat"},
		{"PreviewBadGridRef", e.handler, "GET", "/api/v1/duplicates?category=ALARM&grid_ref=SU+1", nil, 400, "invalid_fields", "grid_ref"},
		{"RecommendBadLimit", e.ctl, "GET", incPath(inc.ID, "/recommendations?limit=0"), nil, 400, "invalid_fields", "limit"},
		{"ContactsMissing", e.ctl, "GET", incPath(999999, "/contacts"), nil, 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{}
			if strings.HasSuffix(tc.path, "/contacts") {
				hdr = []string{HeaderReason, "INCIDENT"}
			}
			p := wantProblem(t, tc.c.do(tc.method, tc.path, tc.body, hdr...), tc.status, tc.code, tc.field)
			if p.Detail == "" || p.RequestID == "" {
				t.Fatalf("problem = %+v", p)
			}
		})
	}

	// Nothing was half-written: the queue holds only the three incidents
	// opened above, and the units are where they were.
	var queue struct{ Total int }
	e.ctl.do("GET", "/api/v1/incidents", nil).decode(t, &queue)
	if queue.Total != 3 {
		t.Fatalf("%d incidents after the refused requests, want 3", queue.Total)
	}
	var units struct{ Units []*bluelamp.Unit }
	e.ctl.do("GET", "/api/v1/units", nil).decode(t, &units)
	for _, u := range units.Units {
		crew := 0
		if u.ID == free.ID {
			crew = 1 // the officer booked on above
		}
		if u.IncidentID != 0 || *u.Position != portswood || len(u.Skills) != 0 || len(u.Crew) != crew {
			t.Fatalf("unit changed by a refused request: %+v", u)
		}
	}
	// A position outside the force is accepted when marked cross-border.
	body := contactBody("CRIME_ROBBERY", bluelamp.GradeImmediate, london)
	body["location"].(map[string]any)["cross_border"] = true
	if got := e.mustCreateContact(e.handler, body); !got.Incident.Location.CrossBorder || *got.Incident.Location.Position != london {
		t.Fatalf("cross-border contact: %+v", got.Incident.Location)
	}
}

// TestLocations converts grid references to positions and positions to
// grid references, in bodies and in the duplicate preview.
func TestLocations(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	open := func(loc map[string]any) bluelamp.Location {
		t.Helper()
		body := incidentBody("ALARM", bluelamp.GradeStandard, bargate)
		body["channel"], body["location"] = "OFFICER_GENERATED", loc
		res := e.handler.do("POST", "/api/v1/incidents", body)
		if res.status != http.StatusCreated {
			t.Fatalf("open at %v: %d %s", loc, res.status, res.body)
		}
		var inc bluelamp.Incident
		res.decode(t, &inc)
		return inc.Location
	}
	// SU 37230 15650 is near Nursling, north-west of Southampton; the
	// position is the centre of the 1 m square, by osgrid's Helmert
	// transformation (good to a few metres).
	for _, ref := range []string{"SU 37230 15650", "su3723015650", "437230.5, 115650.5", "437230.5 115650.5"} {
		loc := open(map[string]any{"grid_ref": ref, "address": "Test Lane"})
		if loc.GridRef != "SU 37230 15650" || loc.Position == nil {
			t.Fatalf("%q: location %+v", ref, loc)
		}
		if want := (bluelamp.Position{Lat: 50.93910, Lon: -1.47150}); loc.Position.Distance(want) > 1 {
			t.Fatalf("%q: position %+v is %.1f m from %+v", ref, *loc.Position, loc.Position.Distance(want), want)
		}
	}
	// A 6-figure reference names a 100 m square: its centre, as 10 figures.
	if loc := open(map[string]any{"grid_ref": "SU 372 156"}); loc.GridRef != "SU 37250 15650" {
		t.Fatalf("6-figure reference: %+v", loc)
	}
	// A position gets its grid reference; one off the National Grid none.
	if loc := open(map[string]any{"position": bargate}); loc.GridRef != "SU 41982 11883" || *loc.Position != bargate {
		t.Fatalf("position: %+v", loc)
	}
	if loc := open(map[string]any{"position": map[string]any{"lat": 48.8566, "lon": 2.3522}, "cross_border": true}); loc.GridRef != "" {
		t.Fatalf("Paris has grid reference %q", loc.GridRef)
	}

	// The duplicate preview takes either form.
	first := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	for _, q := range []string{fmt.Sprintf("lat=%g&lon=%g", bargate.Lat, bargate.Lon), "grid_ref=" + strings.ReplaceAll(first.Location.GridRef, " ", "+")} {
		var dups struct {
			Duplicates []*bluelamp.DuplicateCandidate
		}
		e.handler.do("GET", "/api/v1/duplicates?category=CRIME_VIOLENCE&"+q, nil).decode(t, &dups)
		if len(dups.Duplicates) != 1 || dups.Duplicates[0].Incident.ID != first.ID || dups.Duplicates[0].SameCategory || dups.Duplicates[0].Distance > 2 {
			t.Fatalf("preview by %s: %+v", q, dups.Duplicates)
		}
	}
	// A related call nearby lists the first as a possible duplicate; an
	// unrelated one (an alarm) was not.
	near := bluelamp.Position{Lat: bargate.Lat + 0.001, Lon: bargate.Lon}
	got := e.mustCreateContact(e.handler, contactBody("CRIME_VIOLENCE", bluelamp.GradeImmediate, near))
	if len(got.Duplicates) != 1 || got.Duplicates[0].Incident.ID != first.ID || math.Abs(got.Duplicates[0].Distance-111) > 2 {
		t.Fatalf("duplicates of a call 111 m away: %+v", got.Duplicates)
	}
	var dups struct {
		Duplicates []*bluelamp.DuplicateCandidate
	}
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/duplicates", first.ID), nil).decode(t, &dups)
	if len(dups.Duplicates) != 1 || dups.Duplicates[0].Incident.ID != got.Incident.ID {
		t.Fatalf("duplicates of the first: %+v", dups.Duplicates)
	}
}
