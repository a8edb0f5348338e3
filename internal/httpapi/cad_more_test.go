package httpapi

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

// TestIncidentContactsNeedJustification: callers' details are read only
// with a justification, and every read is audited (DPA 2018 s.62).
func TestIncidentContactsNeedJustification(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	created := e.mustCreateContact(e.handler, contactBody("CRIME_ROBBERY", bluelamp.GradeImmediate, bargate))
	path := fmt.Sprintf("/api/v1/incidents/%d/contacts", created.Incident.ID)

	wantProblem(t, e.ctl.do("GET", path, nil), http.StatusBadRequest, "justification_required", "")
	wantProblem(t, e.ctl.do("GET", path, nil, HeaderReason, "OTHER"), http.StatusBadRequest, "invalid_fields", "justification")
	res := e.ctl.do("GET", path, nil, HeaderReason, "INCIDENT", HeaderJustification, "checking the caller's callback number")
	if res.status != http.StatusOK {
		t.Fatalf("with a justification: %d %s", res.status, res.body)
	}
	var got struct{ Contacts []*bluelamp.Contact }
	res.decode(t, &got)
	if len(got.Contacts) != 1 || got.Contacts[0].Caller.Name != "Sam Caller" || got.Contacts[0].Reference != created.Contact.Reference {
		t.Fatalf("contacts = %+v", got.Contacts)
	}

	var audit struct{ Records []*bluelamp.AuditRecord }
	e.aud.do("GET", "/api/v1/audit?action=consultation", nil, HeaderReason, "AUDIT", HeaderJustification, "dip sample").decode(t, &audit)
	i := slices.IndexFunc(audit.Records, func(r *bluelamp.AuditRecord) bool { return r.What == "contact.find" })
	if i < 0 {
		t.Fatal("the contacts read is not in the audit trail")
	}
	if r := audit.Records[i]; r.Actor != "ctl" || r.Justification.Text != "checking the caller's callback number" ||
		r.Justification.IncidentRef != created.Incident.Number || !slices.Contains(r.Subjects, fmt.Sprintf("contact/%d", created.Contact.ID)) {
		t.Fatalf("audit record = %+v", r)
	}
	e.aud.do("GET", "/api/v1/audit?action=collection", nil, HeaderReason, "AUDIT", HeaderJustification, "dip sample").decode(t, &audit)
	if !slices.ContainsFunc(audit.Records, func(r *bluelamp.AuditRecord) bool { return r.What == "contact.create" && r.Actor == "handler" }) {
		t.Fatal("recording the contact is not in the audit trail as a collection")
	}

	// The auditor may read contacts; an analyst may not.
	if res := e.aud.do("GET", path, nil, HeaderReason, "AUDIT", HeaderJustification, "complaint review"); res.status != http.StatusOK {
		t.Fatalf("auditor: %d %s", res.status, res.body)
	}
	e.mustCreateUser("alpha", "ana", bluelamp.RoleAnalyst)
	wantProblem(t, e.signIn("ana").do("GET", path, nil, HeaderReason, "INCIDENT"), http.StatusForbidden, "role_required", "")

	// The log shows the contact event only to a justified read.
	var page logPage
	e.ctl.do("GET", "/api/v1/log", nil).decode(t, &page)
	for _, ev := range page.Events {
		if bytes.Contains(ev.Payload, []byte("Sam Caller")) {
			t.Fatalf("%s shows the caller without a justification", ev.Type)
		}
	}
}

// TestMajorIncident declares a major incident, reports M/ETHANE twice,
// links another incident with a unit on it, and reads the whole view.
func TestMajorIncident(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	unit := e.mustCreateUnit("SO51", bluelamp.StateAvailable, portswood)
	major := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	other := e.mustOpenIncident(e.handler, bluelamp.GradePriority, shirley)

	res := e.sup.do("POST", fmt.Sprintf("/api/v1/incidents/%d/major", major.ID), map[string]any{"name": "Operation Egdon", "reason": "building collapse, many casualties"})
	var declared bluelamp.Incident
	res.decode(t, &declared)
	if res.status != http.StatusOK || declared.Major == nil || declared.Major.Name != "Operation Egdon" || declared.Major.DeclaredBy != "sup" {
		t.Fatalf("declare: %d %s", res.status, res.body)
	}
	for v, c := range []*client{e.officer, e.ctl} {
		res := c.do("POST", fmt.Sprintf("/api/v1/incidents/%d/methane", major.ID), methaneBody(true))
		var m bluelamp.METHANE
		res.decode(t, &m)
		if res.status != http.StatusCreated || m.Version != v+1 || m.Casualties.Number != 12 {
			t.Fatalf("M/ETHANE %d: %d %s", v+1, res.status, res.body)
		}
	}
	res = e.ctl.do("POST", fmt.Sprintf("/api/v1/incidents/%d/link", other.ID), map[string]any{"major_id": major.ID})
	var linked bluelamp.Incident
	res.decode(t, &linked)
	if res.status != http.StatusOK || linked.MajorLinkID != major.ID {
		t.Fatalf("link: %d %s", res.status, res.body)
	}
	wantProblem(t, e.ctl.do("POST", fmt.Sprintf("/api/v1/incidents/%d/link", other.ID), map[string]any{"major_id": major.ID}), http.StatusConflict, "already_linked", "")
	e.mustAssign(e.ctl, other.ID, unit.ID)

	var view bluelamp.MajorIncidentView
	e.officer.do("GET", fmt.Sprintf("/api/v1/incidents/%d/major", major.ID), nil).decode(t, &view)
	if view.Incident.ID != major.ID || len(view.Linked) != 1 || view.Linked[0].ID != other.ID || len(view.METHANE) != 2 ||
		len(view.Units) != 1 || view.Units[0].UnitID != unit.ID || len(view.Incident.Clocks) == 0 || len(view.Linked[0].Clocks) == 0 {
		t.Fatalf("view = %+v", view)
	}
	var under struct {
		Incidents []*bluelamp.Incident
		Total     int
	}
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents?major_id=%d", major.ID), nil).decode(t, &under)
	if under.Total != 1 || under.Incidents[0].ID != other.ID {
		t.Fatalf("incidents under the major incident: %+v", under)
	}
	// Only supervisors declare; a response officer reports from the scene.
	wantProblem(t, e.ctl.do("POST", fmt.Sprintf("/api/v1/incidents/%d/major", other.ID), map[string]any{"name": "x", "reason": "y"}), http.StatusForbidden, "role_required", "")
}

// TestIncidentRoutes re-grades, re-assesses, corrects the log and stands
// a unit down.
func TestIncidentRoutes(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	unit := e.mustCreateUnit("SO61", bluelamp.StateAvailable, portswood)
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeStandard, bargate)
	path := func(rest string) string { return fmt.Sprintf("/api/v1/incidents/%d%s", inc.ID, rest) }

	res := e.sup.do("POST", path("/grade"), map[string]any{"grade": "IMMEDIATE", "reason": "caller now reports a weapon"})
	var got bluelamp.Incident
	res.decode(t, &got)
	if res.status != http.StatusOK || got.Grade != bluelamp.GradeImmediate || got.OriginalGrade != bluelamp.GradeStandard || !got.GradedAt.After(got.OriginalGradedAt) {
		t.Fatalf("re-grade: %d %s", res.status, res.body)
	}
	res = e.ctl.do("POST", path("/assessments"), thriveBody(bluelamp.GradeImmediate))
	res.decode(t, &got)
	if res.status != http.StatusCreated || got.THRIVE.Version != 2 || got.THRIVE.AssessedBy != "ctl" {
		t.Fatalf("re-THRIVE: %d %s", res.status, res.body)
	}
	var assessments struct{ Assessments []*bluelamp.THRIVE }
	e.officer.do("GET", path("/assessments"), nil).decode(t, &assessments)
	if len(assessments.Assessments) != 2 || assessments.Assessments[0].Version != 1 {
		t.Fatalf("assessments = %+v", assessments.Assessments)
	}

	res = e.ctl.do("POST", path("/log"), map[string]any{"text": "caller says two men"})
	var note bluelamp.LogEntry
	res.decode(t, &note)
	if res.status != http.StatusCreated || note.Kind != bluelamp.LogNote || note.Actor != "ctl" {
		t.Fatalf("note: %d %s", res.status, res.body)
	}
	res = e.handler.do("POST", path("/log"), map[string]any{"text": "three men, not two", "corrects": note.ID})
	var fix bluelamp.LogEntry
	res.decode(t, &fix)
	if res.status != http.StatusCreated || fix.Kind != bluelamp.LogCorrection || fix.Corrects != note.ID {
		t.Fatalf("correction: %d %s", res.status, res.body)
	}
	var log struct{ Entries []*bluelamp.LogEntry }
	e.officer.do("GET", path("/log"), nil).decode(t, &log)
	if !slices.ContainsFunc(log.Entries, func(l *bluelamp.LogEntry) bool { return l.ID == note.ID && l.Text == "caller says two men" }) {
		t.Fatal("the corrected entry was changed or lost")
	}

	e.mustAssign(e.sup, inc.ID, unit.ID)
	if res := e.ctl.do("POST", path(fmt.Sprintf("/assignments/%d/stand-down", unit.ID)), map[string]any{"reason": "another unit is nearer"}); res.status != http.StatusNoContent {
		t.Fatalf("stand down: %d %s", res.status, res.body)
	}
	got = *e.incident(e.ctl, inc.ID)
	if got.Resourcing != bluelamp.ResourcingAwaiting || len(got.Assignments) != 1 || got.Assignments[0].State != bluelamp.AssignmentStoodDown {
		t.Fatalf("after stand down: %+v", got)
	}
	// Call handlers open and note incidents but do not dispatch or grade.
	wantProblem(t, e.handler.do("POST", path("/assignments"), map[string]any{"unit_id": unit.ID}), http.StatusForbidden, "role_required", "")
	wantProblem(t, e.ctl.do("POST", path("/grade"), map[string]any{"grade": "PRIORITY", "reason": "x"}), http.StatusForbidden, "role_required", "")
}

// TestUnitRoutes reads and changes a unit's shift details, status and
// position.
func TestUnitRoutes(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	unit := e.mustCreateUnit("SO71", bluelamp.StateOnDuty, portswood)
	path := fmt.Sprintf("/api/v1/units/%d", unit.ID)
	expires := time.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
	res := e.sup.do("PATCH", path, map[string]any{"call_sign": "SO71N", "crew": []string{"PC1234", "PC5678"},
		"skills": []map[string]any{{"skill": "TASER", "expires": expires}, {"skill": "ADVANCED_DRIVER"}}})
	var got bluelamp.Unit
	res.decode(t, &got)
	if res.status != http.StatusOK || got.CallSign != "SO71N" || len(got.Crew) != 2 || len(got.Skills) != 2 || !got.Skills[0].Expires.Equal(expires) {
		t.Fatalf("patch: %d %s", res.status, res.body)
	}
	res = e.admin.do("PATCH", path, map[string]any{"crew": []string{"PC1234"}})
	res.decode(t, &got)
	if res.status != http.StatusOK || got.CallSign != "SO71N" || len(got.Crew) != 1 || len(got.Skills) != 2 {
		t.Fatalf("patch crew only: %d %s", res.status, res.body)
	}
	e.mustBookOn(e.officer, unit.ID)
	if u := e.mustStatus(e.officer, unit.ID, "2"); u.State != bluelamp.StateAvailable || u.StatusCode != "2" {
		t.Fatalf("status 2: %+v", u)
	}
	// A message code changes nothing.
	if u := e.mustStatus(e.officer, unit.ID, "13"); u.State != bluelamp.StateAvailable {
		t.Fatalf("status 13: %+v", u)
	}
	res = e.officer.do("POST", path+"/position", map[string]any{"lat": shirley.Lat, "lon": shirley.Lon})
	res.decode(t, &got)
	if res.status != http.StatusOK || *got.Position != shirley || got.PositionAt == nil {
		t.Fatalf("position: %d %s", res.status, res.body)
	}
	var list struct{ Units []*bluelamp.Unit }
	e.handler.do("GET", "/api/v1/units", nil).decode(t, &list)
	if len(list.Units) != 1 || list.Units[0].CallSign != "SO71N" || list.Units[0].State != bluelamp.StateAvailable || *list.Units[0].Position != shirley {
		t.Fatalf("units = %+v", list.Units)
	}
	// The unit now shows in recommendations with its skill.
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	var recs struct{ Recommendations []*bluelamp.Recommendation }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations", inc.ID), nil).decode(t, &recs)
	if len(recs.Recommendations) != 1 || recs.Recommendations[0].Unit.ID != unit.ID {
		t.Fatalf("recommendations = %+v", recs.Recommendations)
	}
	wantProblem(t, e.officer.do("PATCH", path, map[string]any{"call_sign": "MINE"}), http.StatusForbidden, "role_required", "")
	wantProblem(t, e.handler.do("POST", path+"/status", map[string]any{"code": "2"}), http.StatusForbidden, "role_required", "")
}

// TestSettingsAndCodes reads the defaults, replaces them, and sees the
// codes follow.
func TestSettingsAndCodes(t *testing.T) {
	t.Parallel()
	e := newCADEnv(t)
	var fs bluelamp.ForceSettings
	e.officer.do("GET", "/api/v1/settings", nil).decode(t, &fs)
	if len(fs.Grades) != 5 || fs.Grades[0].UrbanTarget != bluelamp.Duration(15*time.Minute) || fs.Area.Boundary == nil {
		t.Fatalf("defaults = %+v", fs)
	}
	fs.Grades[0].Label, fs.Grades[0].Code = "Emergency", "E"
	fs.Skills = append(fs.Skills, bluelamp.SkillInfo{Code: "BOAT", Label: "Marine unit"})
	if res := e.admin.do("PUT", "/api/v1/settings", fs); res.status != http.StatusOK {
		t.Fatalf("put: %d %s", res.status, res.body)
	}
	var codes codesResponse
	e.handler.do("GET", "/api/v1/codes", nil).decode(t, &codes)
	if codes.Grades[0].Label != "Emergency" || !slices.ContainsFunc(codes.Skills, func(s bluelamp.SkillInfo) bool { return s.Code == "BOAT" }) ||
		len(codes.Categories) != len(bluelamp.Categories) || len(codes.UnitStates) != len(bluelamp.UnitStates) || codes.UnitStates[0].Label == "" ||
		len(codes.HarmTypes) == 0 || len(codes.VulnerabilityFactors) == 0 || len(codes.Channels) == 0 || len(codes.Results) == 0 || len(codes.Qualifiers) == 0 {
		t.Fatalf("codes = %+v", codes)
	}
	// The new label is what the queue's log says on opening.
	inc := e.mustOpenIncident(e.handler, bluelamp.GradeImmediate, bargate)
	var log struct{ Entries []*bluelamp.LogEntry }
	e.ctl.do("GET", fmt.Sprintf("/api/v1/incidents/%d/log", inc.ID), nil).decode(t, &log)
	if len(log.Entries) == 0 || !bytes.Contains([]byte(log.Entries[0].Text), []byte("Emergency (E)")) {
		t.Fatalf("log = %+v", log.Entries)
	}
	wantProblem(t, e.sup.do("PUT", "/api/v1/settings", fs), http.StatusForbidden, "role_required", "")
	checkChangePayloads(t, e.admin)
}

// TestRecommendationsUnavailable: without a dispatch index the route says
// so with 503 rather than failing.
func TestRecommendationsUnavailable(t *testing.T) {
	t.Parallel()
	base := newCADEnv(t)
	inc := base.mustOpenIncident(base.handler, bluelamp.GradeImmediate, bargate)
	srv := &Server{Store: base.store, Auth: auth.New(base.store), Logger: slog.New(slog.DiscardHandler)}
	e := &apiEnv{t: t, store: base.store, srv: srv, ts: httptest.NewServer(srv.Handler())}
	t.Cleanup(e.ts.Close)
	res := e.signIn("ctl").do("GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations", inc.ID), nil)
	p := wantProblem(t, res, http.StatusServiceUnavailable, "recommendations_unavailable", "")
	if p.Detail != "recommendations are unavailable" || res.header.Get("Retry-After") == "" {
		t.Fatalf("problem = %+v", p)
	}
}
