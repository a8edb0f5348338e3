package httpapi

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

// testOperatorToken is the operator token of the provisioning tests.
const testOperatorToken = "operator-secret-for-the-tests-0123456789"

// newOperatorEnv is an API env whose deployment has an operator token, on
// a SQLite file.
func newOperatorEnv(t *testing.T) *apiEnv {
	t.Helper()
	return newOperatorEnvOn(t, filepath.Join(t.TempDir(), "api.db"))
}

func newOperatorEnvOn(t *testing.T, dsn string) *apiEnv {
	t.Helper()
	return newAPIEnvOn(t, dsn, func(s *Server) { s.Auth.OperatorToken = testOperatorToken })
}

// apiDatabases runs test on a SQLite file and, when storetest.PostgresEnv
// is set, on a fresh PostgreSQL schema.
func apiDatabases(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		test(t, filepath.Join(t.TempDir(), "api.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		base := storetest.PostgresURL()
		if base == "" {
			t.Skip(storetest.PostgresEnv + " is not set")
		}
		test(t, storetest.PostgresDSN(t, base))
	})
}

// bearer is a caller sending secret as its bearer token.
func (e *apiEnv) bearer(secret string) *client {
	return &client{e: e, hc: &http.Client{}, token: secret}
}

func (e *apiEnv) operator() *client { return e.bearer(testOperatorToken) }

// forceBody is a valid provisioning of force id, its admin signing in as
// id.admin with testPassword.
func forceBody(id string) map[string]any {
	return map[string]any{"id": id, "name": "Force " + id,
		"admin": map[string]any{"username": id + ".admin", "name": "First Admin of " + id, "password": testPassword}}
}

// mustProvision creates force id over the API and signs its admin in.
func (e *apiEnv) mustProvision(id string) *client {
	e.t.Helper()
	if res := e.operator().do("POST", "/api/v1/forces", forceBody(id)); res.status != http.StatusCreated {
		e.t.Fatalf("provision %s: %d %s", id, res.status, res.body)
	}
	return e.signIn(id + ".admin")
}

// wantFieldsProblem fails t unless res is a problem with status and code naming
// exactly fields (none for a problem that names none).
func wantFieldsProblem(t *testing.T, res response, status int, code string, fields ...string) Problem {
	t.Helper()
	var p Problem
	res.decode(t, &p)
	if res.status != status || p.Code != code || len(p.Errors) != len(fields) {
		t.Fatalf("got %d %s, want %d %s naming %v", res.status, res.body, status, code, fields)
	}
	for _, f := range fields {
		if p.Errors[f] == "" {
			t.Fatalf("got %s, want %v named", res.body, fields)
		}
	}
	return p
}

func TestOperatorToken(t *testing.T) {
	t.Parallel()
	t.Run("ErrOff", func(t *testing.T) {
		t.Parallel()
		e := newAPIEnv(t)
		for _, c := range []*client{e.bearer(testOperatorToken), e.anonymous()} {
			p := wantFieldsProblem(t, c.do("POST", "/api/v1/forces", forceBody("alpha")), http.StatusForbidden, "operator_api_off")
			if !strings.Contains(p.Detail, "--operator-token") {
				t.Errorf("the refusal does not say how to turn it on: %q", p.Detail)
			}
		}
	})

	e := newOperatorEnv(t)
	admin := e.mustProvision("alpha")
	e.mustCreateUser("alpha", "all-roles", bluelamp.Roles...)
	everyRole := e.signIn("all-roles")
	svc := e.mustCreateUser("alpha", "cad-link", bluelamp.RoleForceAdmin)
	tk, secret := auth.NewToken(svc.ID, "integration", nil)
	if err := e.store.CreateToken(bluelamp.SystemContext(t.Context(), "alpha", "test"), tk); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		var list struct{ Forces []*bluelamp.Force }
		e.operator().do("GET", "/api/v1/forces", nil).decode(t, &list)
		if len(list.Forces) != 1 || list.Forces[0].ID != "alpha" || list.Forces[0].Name != "Force alpha" {
			t.Fatalf("forces = %+v", list.Forces)
		}
		// Any letter case of the scheme, as RFC 9110 allows.
		if res := e.operator().do("GET", "/api/v1/forces", nil, "Authorization", "bearer "+testOperatorToken); res.status != http.StatusOK {
			t.Fatalf("lower-case scheme: %d %s", res.status, res.body)
		}
	})
	t.Run("ErrNotTheOperator", func(t *testing.T) {
		for name, c := range map[string]*client{
			"no credentials":        e.anonymous(),
			"wrong token":           e.bearer("operator-secret-for-the-tests-0123456780"),
			"token's prefix":        e.bearer(testOperatorToken[:32]),
			"force admin's session": admin,
			"every role's session":  everyRole,
			"force admin's token":   e.bearer(secret),
		} {
			t.Run(name, func(t *testing.T) {
				wantFieldsProblem(t, c.do("GET", "/api/v1/forces", nil), http.StatusForbidden, "operator_required")
				wantFieldsProblem(t, c.do("POST", "/api/v1/forces", forceBody("bravo")), http.StatusForbidden, "operator_required")
			})
		}
		if res := e.anonymous().do("GET", "/api/v1/forces", nil, "Authorization", "Basic "+testOperatorToken); res.status != http.StatusForbidden {
			t.Fatalf("the token as Basic auth: %d %s", res.status, res.body)
		}
		var list struct{ Forces []*bluelamp.Force }
		e.operator().do("GET", "/api/v1/forces", nil).decode(t, &list)
		if len(list.Forces) != 1 {
			t.Fatalf("after refusals there are %d forces", len(list.Forces))
		}
	})
	t.Run("ErrOtherRoutes", func(t *testing.T) {
		// The token opens the operator routes and nothing else.
		op := e.operator()
		for _, r := range []struct{ method, path string }{
			{"GET", "/api/v1/me"}, {"GET", "/api/v1/force"}, {"GET", "/api/v1/units"}, {"GET", "/api/v1/log"},
		} {
			wantFieldsProblem(t, op.do(r.method, r.path, nil), http.StatusUnauthorized, "bad_token")
		}
		wantFieldsProblem(t, op.do("POST", "/api/v1/users", map[string]any{"username": "sneaky", "display_name": "S"}), http.StatusUnauthorized, "bad_token")
		wantFieldsProblem(t, op.do("POST", "/api/v1/stations", map[string]any{"code": "X", "name": "X", "lat": 51, "lon": -1}), http.StatusUnauthorized, "bad_token")
	})
	t.Run("Attribution", func(t *testing.T) {
		// The force's first events are the operator's, in its own log.
		var page logPage
		admin.do("GET", "/api/v1/log?after=0&limit=3", nil).decode(t, &page)
		want := []bluelamp.EventType{bluelamp.EventForceCreated, bluelamp.EventSettingsChanged, bluelamp.EventUserCreated}
		if len(page.Events) != len(want) {
			t.Fatalf("log = %+v", page.Events)
		}
		for i, ev := range page.Events {
			if ev.Type != want[i] || ev.Actor != auth.OperatorName || ev.ActorKind != bluelamp.ActorSystem || ev.ForceID != "alpha" {
				t.Errorf("event %d: %s by %s %q in %s; want %s by the operator", ev.Seq, ev.Type, ev.ActorKind, ev.Actor, ev.ForceID, want[i])
			}
		}
	})
}

func TestForceCreateInvalid(t *testing.T) {
	t.Parallel()
	e := newOperatorEnv(t)
	op := e.operator()
	e.mustProvision("alpha")
	for _, tc := range []struct {
		name   string
		body   any
		code   string
		fields []string
	}{
		{"Everything", map[string]any{"id": "Not A Slug", "name": "", "settings": map[string]any{"time_zone": "Mars/Olympus_Mons", "road_factor": 0},
			"admin": map[string]any{"username": "x y", "name": "", "password": "short"}},
			"invalid_fields", []string{"id", "name", "settings.time_zone", "settings.road_factor", "admin.username", "admin.name", "admin.password"}},
		{"NoAdmin", map[string]any{"id": "bravo", "name": "Bravo"}, "invalid_fields", []string{"admin.username", "admin.name", "admin.password"}},
		{"PasswordTooShort", func() any { b := forceBody("bravo"); b["admin"].(map[string]any)["password"] = "eleven-char"; return b }(),
			"invalid_fields", []string{"admin.password"}},
		{"SettingsUnknownMember", func() any { b := forceBody("bravo"); b["settings"] = map[string]any{"colour": "blue"}; return b }(),
			"unknown_field", []string{"settings.colour"}},
		{"SettingsWrongType", func() any { b := forceBody("bravo"); b["settings"] = map[string]any{"speed_kph": "fast"}; return b }(),
			"invalid_fields", []string{"settings.speed_kph"}},
		{"AdminUnknownMember", func() any {
			b := forceBody("bravo")
			b["admin"].(map[string]any)["roles"] = []string{"auditor"}
			return b
		}(),
			"unknown_field", []string{"admin.roles"}},
		{"NotJSON", "{", "bad_json", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantFieldsProblem(t, op.do("POST", "/api/v1/forces", tc.body), http.StatusBadRequest, tc.code, tc.fields...)
		})
	}
	var list struct{ Forces []*bluelamp.Force }
	op.do("GET", "/api/v1/forces", nil).decode(t, &list)
	if len(list.Forces) != 1 {
		t.Fatalf("after refusals the forces are %+v", list.Forces)
	}
	if res := e.anonymous().do("POST", "/api/v1/session", map[string]string{"username": "bravo.admin", "password": testPassword}); res.status != http.StatusUnauthorized {
		t.Fatalf("a refused force's admin signs in: %d", res.status)
	}
}

func TestForceCreateConflict(t *testing.T) {
	t.Parallel()
	e := newOperatorEnv(t)
	op := e.operator()
	e.mustProvision("alpha")
	t.Run("Force", func(t *testing.T) {
		b := forceBody("alpha")
		b["admin"].(map[string]any)["username"] = "someone.new"
		wantFieldsProblem(t, op.do("POST", "/api/v1/forces", b), http.StatusConflict, "conflict", "id")
		if res := e.anonymous().do("POST", "/api/v1/session", map[string]string{"username": "someone.new", "password": testPassword}); res.status != http.StatusUnauthorized {
			t.Fatalf("the refused admin signs in: %d", res.status)
		}
	})
	t.Run("Username", func(t *testing.T) {
		// Usernames are unique across the deployment: nothing of bravo is
		// left behind, and bravo can be provisioned with another.
		b := forceBody("bravo")
		b["admin"].(map[string]any)["username"] = "ALPHA.admin"
		wantFieldsProblem(t, op.do("POST", "/api/v1/forces", b), http.StatusConflict, "conflict", "admin.username")
		var list struct{ Forces []*bluelamp.Force }
		op.do("GET", "/api/v1/forces", nil).decode(t, &list)
		if len(list.Forces) != 1 {
			t.Fatalf("after a conflict the forces are %+v", list.Forces)
		}
		if res := op.do("POST", "/api/v1/forces", forceBody("bravo")); res.status != http.StatusCreated {
			t.Fatalf("bravo with a free username: %d %s", res.status, res.body)
		}
	})
}

// TestProvisionRoundTrip sets a force up entirely over HTTP, as the load
// simulator does: the operator creates the force and its admin; the admin
// signs in, adds a station, imports units and creates a call handler, who
// signs in and sees them.
func TestProvisionRoundTrip(t *testing.T) {
	t.Parallel()
	apiDatabases(t, func(t *testing.T, dsn string) {
		e := newOperatorEnvOn(t, dsn)
		b := forceBody("alpha")
		b["settings"] = map[string]any{"speed_kph": 40, "type_speed_kph": map[string]float64{"response car": 56}}
		res := e.operator().do("POST", "/api/v1/forces", b)
		var created forceCreateResponse
		res.decode(t, &created)
		if res.status != http.StatusCreated || created.Force.ID != "alpha" || created.Admin.ID == 0 || created.Admin.ForceID != "alpha" ||
			created.Admin.Username != "alpha.admin" || len(created.Admin.Roles) != 1 || created.Admin.Roles[0] != bluelamp.RoleForceAdmin {
			t.Fatalf("provision: %d %s", res.status, res.body)
		}
		admin := e.signIn("alpha.admin")

		var fs bluelamp.ForceSettings
		admin.do("GET", "/api/v1/settings", nil).decode(t, &fs)
		def := bluelamp.DefaultForceSettings()
		if fs.SpeedKPH != 40 || fs.TypeSpeedKPH["response car"] != 56 || fs.TypeSpeedKPH["neighbourhood foot patrol"] != 5 ||
			fs.TimeZone != def.TimeZone || len(fs.Grades) != len(def.Grades) || len(fs.Skills) != len(def.Skills) {
			t.Fatalf("settings laid over the defaults: %+v", fs)
		}

		res = admin.do("POST", "/api/v1/stations", map[string]any{"code": "KX", "name": "King's Cross", "lat": 51.53, "lon": -0.12})
		var st bluelamp.Station
		res.decode(t, &st)
		if res.status != http.StatusCreated || st.ID == 0 || st.ForceID != "alpha" || st.Code != "KX" || st.Lat != 51.53 {
			t.Fatalf("create station: %d %s", res.status, res.body)
		}
		wantFieldsProblem(t, admin.do("POST", "/api/v1/stations", map[string]any{"code": "KX", "name": "Again", "lat": 51, "lon": 0}), http.StatusConflict, "conflict")
		wantFieldsProblem(t, admin.do("POST", "/api/v1/stations", map[string]any{"code": "", "name": "No code"}), http.StatusBadRequest, "invalid_fields", "code", "lat", "lon")

		units := []map[string]any{
			{"call_sign": "KX11", "type": "response car", "station_id": st.ID, "crew": []string{"PC1", "PC2"}},
			{"call_sign": "KX12", "type": "armed response vehicle", "station_id": st.ID, "skills": []map[string]any{{"skill": "ARVO"}}, "device_id": "imei-1"},
			{"call_sign": "KX13", "type": "dog unit", "station_id": st.ID, "skills": []map[string]any{{"skill": "DOG_GENERAL", "expires": "2099-01-01T00:00:00Z"}}},
		}
		res = admin.do("POST", "/api/v1/units/import", map[string]any{"units": units})
		var imported struct{ Units []*bluelamp.Unit }
		res.decode(t, &imported)
		if res.status != http.StatusCreated || len(imported.Units) != len(units) {
			t.Fatalf("import: %d %s", res.status, res.body)
		}
		for i, u := range imported.Units {
			if u.ID == 0 || u.ForceID != "alpha" || u.CallSign != units[i]["call_sign"] || u.State != bluelamp.StateOffDuty || u.StatusCode != "11" {
				t.Errorf("imported unit %d = %+v", i, u)
			}
		}
		res = admin.do("POST", "/api/v1/units", map[string]any{"call_sign": "KX14", "type": "response car", "station_id": st.ID})
		var one bluelamp.Unit
		res.decode(t, &one)
		if res.status != http.StatusCreated || one.ID == 0 || one.StationID != st.ID || len(one.Crew) != 0 || len(one.Skills) != 0 {
			t.Fatalf("create unit: %d %s", res.status, res.body)
		}

		res = admin.do("POST", "/api/v1/users", map[string]any{"username": "alpha.handler", "display_name": "Call Handler",
			"roles": []string{"call_handler"}, "password": testPassword})
		if res.status != http.StatusCreated {
			t.Fatalf("create call handler: %d %s", res.status, res.body)
		}
		handler := e.signIn("alpha.handler")
		var seen struct{ Units []*bluelamp.Unit }
		handler.do("GET", "/api/v1/units", nil).decode(t, &seen)
		var stations struct{ Stations []*bluelamp.Station }
		handler.do("GET", "/api/v1/stations", nil).decode(t, &stations)
		if len(seen.Units) != 4 || len(stations.Stations) != 1 {
			t.Fatalf("the call handler sees %d units and %d stations", len(seen.Units), len(stations.Stations))
		}
		// The import is as the one-at-a-time route: a unit.created each.
		var page logPage
		admin.do("GET", "/api/v1/log?after=0", nil).decode(t, &page)
		n := 0
		for _, ev := range page.Events {
			if ev.Type == bluelamp.EventUnitCreated {
				n++
			}
		}
		if n != 4 {
			t.Fatalf("%d unit.created events, want 4", n)
		}
	})
}

// TestProvisionForceBoundary: a force admin creates stations and units
// only in their own force, and never at another force's station.
func TestProvisionForceBoundary(t *testing.T) {
	t.Parallel()
	e := newOperatorEnv(t)
	a, b := e.mustProvision("alpha"), e.mustProvision("bravo")
	var bst bluelamp.Station
	b.do("POST", "/api/v1/stations", map[string]any{"code": "HQ", "name": "Bravo HQ", "lat": 52, "lon": -1}).decode(t, &bst)
	var ast bluelamp.Station
	res := a.do("POST", "/api/v1/stations", map[string]any{"code": "HQ", "name": "Alpha HQ", "lat": 51, "lon": -1})
	res.decode(t, &ast)
	if res.status != http.StatusCreated || ast.ForceID != "alpha" || ast.ID == bst.ID {
		t.Fatalf("alpha's station with bravo's code: %d %s", res.status, res.body)
	}
	wantFieldsProblem(t, a.do("POST", "/api/v1/units", map[string]any{"call_sign": "A1", "type": "car", "station_id": bst.ID}),
		http.StatusBadRequest, "invalid_fields", "station_id")
	res = a.do("POST", "/api/v1/units/import", map[string]any{"units": []map[string]any{
		{"call_sign": "A1", "type": "car", "station_id": ast.ID}, {"call_sign": "A2", "type": "car", "station_id": bst.ID}}})
	var p unitImportProblem
	res.decode(t, &p)
	if res.status != http.StatusUnprocessableEntity || len(p.Rows) != 1 || p.Rows[0].Row != 2 || p.Rows[0].Errors["station_id"] == "" {
		t.Fatalf("import at bravo's station: %d %s", res.status, res.body)
	}
	if res := a.do("POST", "/api/v1/units", map[string]any{"call_sign": "A1", "type": "car", "station_id": ast.ID}); res.status != http.StatusCreated {
		t.Fatalf("alpha's unit: %d %s", res.status, res.body)
	}
	var units struct{ Units []*bluelamp.Unit }
	b.do("GET", "/api/v1/units", nil).decode(t, &units)
	var stations struct{ Stations []*bluelamp.Station }
	b.do("GET", "/api/v1/stations", nil).decode(t, &stations)
	if len(units.Units) != 0 || len(stations.Stations) != 1 || stations.Stations[0].ID != bst.ID {
		t.Fatalf("bravo sees %d units and stations %+v", len(units.Units), stations.Stations)
	}
}

func TestUnitCreate(t *testing.T) {
	t.Parallel()
	e := newOperatorEnv(t)
	admin := e.mustProvision("alpha")
	st := e.mustCreateStation("alpha", "HQ")
	e.mustCreateUser("alpha", "sup", bluelamp.RoleSupervisor)
	e.mustCreateUser("alpha", "ctl", bluelamp.RoleController, bluelamp.RoleCallHandler)
	sup, ctl := e.signIn("sup"), e.signIn("ctl")
	if res := sup.do("POST", "/api/v1/units", map[string]any{"call_sign": "S1", "type": "car", "station_id": st.ID, "device_id": "dev-1"}); res.status != http.StatusCreated {
		t.Fatalf("a supervisor adds a unit: %d %s", res.status, res.body)
	}
	wantFieldsProblem(t, ctl.do("POST", "/api/v1/units", map[string]any{"call_sign": "C1", "type": "car", "station_id": st.ID}), http.StatusForbidden, "role_required")
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		fields []string
	}{
		{"Empty", map[string]any{}, 400, "invalid_fields", []string{"call_sign", "type", "station_id"}},
		{"Bad", map[string]any{"call_sign": strings.Repeat("X", 17), "type": "car", "station_id": st.ID, "crew": []string{"pc 1"},
			"skills": []map[string]any{{"skill": "jetpack"}}, "device_id": "has spaces"}, 400, "invalid_fields", []string{"call_sign", "crew", "skills", "device_id"}},
		{"UnknownStation", map[string]any{"call_sign": "X1", "type": "car", "station_id": 99999}, 400, "invalid_fields", []string{"station_id"}},
		{"SkillNotTheForces", map[string]any{"call_sign": "X1", "type": "car", "station_id": st.ID, "skills": []map[string]any{{"skill": "JETPACK"}}},
			400, "invalid_fields", []string{"skills"}},
		{"StateNotTaken", map[string]any{"call_sign": "X1", "type": "car", "station_id": st.ID, "state": "AVAILABLE"}, 400, "unknown_field", []string{"state"}},
		{"CallSignTaken", map[string]any{"call_sign": "S1", "type": "car", "station_id": st.ID}, 409, "conflict", nil},
		{"TrackerTaken", map[string]any{"call_sign": "S2", "type": "car", "station_id": st.ID, "device_id": "dev-1"}, 409, "conflict", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantFieldsProblem(t, admin.do("POST", "/api/v1/units", tc.body), tc.status, tc.code, tc.fields...)
		})
	}
}

func TestUnitImport(t *testing.T) {
	t.Parallel()
	e := newOperatorEnv(t)
	admin := e.mustProvision("alpha")
	st := e.mustCreateStation("alpha", "HQ")
	unit := func(callSign string) map[string]any {
		return map[string]any{"call_sign": callSign, "type": "response car", "station_id": st.ID}
	}
	count := func() int {
		var units struct{ Units []*bluelamp.Unit }
		admin.do("GET", "/api/v1/units", nil).decode(t, &units)
		return len(units.Units)
	}
	t.Run("ErrOneBadRow", func(t *testing.T) {
		// One bad unit among three: none is created, and the row and field
		// are named.
		bad := unit("B2")
		delete(bad, "type")
		res := admin.do("POST", "/api/v1/units/import", map[string]any{"units": []any{unit("B1"), bad, unit("B3")}})
		var p unitImportProblem
		res.decode(t, &p)
		if res.status != http.StatusUnprocessableEntity || p.Code != "invalid_rows" || len(p.Rows) != 1 ||
			p.Rows[0].Row != 2 || p.Rows[0].CallSign != "B2" || len(p.Rows[0].Errors) != 1 || p.Rows[0].Errors["type"] == "" {
			t.Fatalf("got %d %s", res.status, res.body)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d units after a refused import", n)
		}
	})
	t.Run("ErrEveryBadRow", func(t *testing.T) {
		withUnknown := unit("E3")
		withUnknown["colour"] = "red"
		res := admin.do("POST", "/api/v1/units/import", map[string]any{"units": []any{
			unit("E1"), unit("E1"), withUnknown, 5, map[string]any{"call_sign": "E5", "type": "car", "station_id": "HQ"}, unit("E6")}})
		var p unitImportProblem
		res.decode(t, &p)
		want := map[int]string{2: "call_sign", 3: "colour", 4: "unit", 5: "station_id"}
		if res.status != http.StatusUnprocessableEntity || len(p.Rows) != len(want) {
			t.Fatalf("got %d %s", res.status, res.body)
		}
		for _, row := range p.Rows {
			if f := want[row.Row]; row.Errors[f] == "" || len(row.Errors) != 1 {
				t.Errorf("row %d: %v, want %s named", row.Row, row.Errors, f)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("%d units after a refused import", n)
		}
	})
	t.Run("ErrTooMany", func(t *testing.T) {
		units := make([]any, bluelamp.MaxUnitImport+1)
		for i := range units {
			units[i] = unit(fmt.Sprintf("M%d", i))
		}
		wantFieldsProblem(t, admin.do("POST", "/api/v1/units/import", map[string]any{"units": units}), http.StatusRequestEntityTooLarge, "too_many_rows")
		wantFieldsProblem(t, admin.do("POST", "/api/v1/units/import", map[string]any{"units": []any{}}), http.StatusBadRequest, "invalid_fields", "units")
		wantFieldsProblem(t, admin.do("POST", "/api/v1/units/import", map[string]any{}), http.StatusBadRequest, "invalid_fields", "units")
		if n := count(); n != 0 {
			t.Fatalf("%d units after refused imports", n)
		}
	})
	t.Run("ErrRole", func(t *testing.T) {
		e.mustCreateUser("alpha", "sup", bluelamp.RoleSupervisor)
		wantFieldsProblem(t, e.signIn("sup").do("POST", "/api/v1/units/import", map[string]any{"units": []any{unit("R1")}}), http.StatusForbidden, "role_required")
	})
	t.Run("OKMost", func(t *testing.T) {
		units := make([]any, bluelamp.MaxUnitImport)
		for i := range units {
			units[i] = map[string]any{"call_sign": fmt.Sprintf("M%04d", i), "type": "response car", "station_id": st.ID,
				"crew": []string{fmt.Sprintf("C%04d", i), fmt.Sprintf("D%04d", i)}, "skills": []map[string]any{{"skill": "TASER"}},
				"device_id": fmt.Sprintf("imei:%015d", i)}
		}
		res := admin.do("POST", "/api/v1/units/import", map[string]any{"units": units})
		var got struct{ Units []*bluelamp.Unit }
		res.decode(t, &got)
		if res.status != http.StatusCreated || len(got.Units) != len(units) {
			t.Fatalf("import of %d: %d %.500s", len(units), res.status, res.body)
		}
		for i, u := range got.Units {
			if want := fmt.Sprintf("M%04d", i); u.CallSign != want || u.ID == 0 {
				t.Fatalf("unit %d is %s (id %d), want %s: the answer keeps the request's order", i, u.CallSign, u.ID, want)
			}
		}
		if n := count(); n != len(units) {
			t.Fatalf("%d units, want %d", n, len(units))
		}
	})
}
