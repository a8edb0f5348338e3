package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// newProvision returns a valid provisioning of force id with default settings.
func newProvision(id bluelamp.ForceID) *bluelamp.ForceProvision {
	return &bluelamp.ForceProvision{
		Force:        bluelamp.Force{ID: id, Name: "Force " + string(id)},
		Admin:        bluelamp.User{Username: string(id) + ".first", DisplayName: "First Admin"},
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$first",
	}
}

func testProvisionForce(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		p := newProvision("alpha")
		ok(t, f.Store.ProvisionForce(f.deployment(), p))
		if p.Admin.ID == 0 || p.Admin.ForceID != "alpha" || !cmp.Equal(p.Admin.Roles, []bluelamp.Role{bluelamp.RoleForceAdmin}) {
			t.Errorf("admin = %+v, want an id in alpha with the force_admin role", p.Admin)
		}
		events := f.wantEvents("alpha", bluelamp.Head{ForceID: "alpha"},
			bluelamp.EventForceCreated, bluelamp.EventSettingsChanged, bluelamp.EventUserCreated)
		for _, e := range events {
			if e.ActorKind != bluelamp.ActorSystem || e.Actor != "storetest" || !e.Time.Equal(start) {
				t.Errorf("%s event attributed to %s %q at %v, want the deployment actor now", e.Type, e.ActorKind, e.Actor, e.Time)
			}
		}
		if got := events[2].Subject; got != ref("user", p.Admin.ID) {
			t.Errorf("user.created subject %q", got)
		}
		fs, err := f.Store.FindForceSettings(f.system("alpha"))
		ok(t, err)
		if diff := cmp.Diff(bluelamp.DefaultForceSettings(), fs); diff != "" {
			t.Errorf("settings (-defaults +saved):\n%s", diff)
		}
		c, err := f.Store.FindCredential(f.deployment(), "alpha.first", false)
		ok(t, err)
		if c.UserID != p.Admin.ID || c.ForceID != "alpha" || c.PasswordHash != p.PasswordHash {
			t.Errorf("credential = %+v", c)
		}
		f.wantAudit("alpha", 0, bluelamp.SystemContext(t.Context(), "alpha", "storetest"),
			auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("user", p.Admin.ID)}})
		f.wantVerified()
	})
	t.Run("OKSettings", func(t *testing.T) {
		f := setup(t, open)
		p := newProvision("alpha")
		p.Settings = bluelamp.DefaultForceSettings()
		p.Settings.TimeZone, p.Settings.SpeedKPH = "Europe/Dublin", 40
		p.Admin.Roles = []bluelamp.Role{bluelamp.RoleAuditor}
		ok(t, f.Store.ProvisionForce(f.deployment(), p))
		fs, err := f.Store.FindForceSettings(f.system("alpha"))
		ok(t, err)
		if fs.TimeZone != "Europe/Dublin" || fs.SpeedKPH != 40 {
			t.Errorf("settings saved: %s at %v km/h", fs.TimeZone, fs.SpeedKPH)
		}
		if want := []bluelamp.Role{bluelamp.RoleAuditor, bluelamp.RoleForceAdmin}; !cmp.Equal(p.Admin.Roles, want) {
			t.Errorf("admin roles %v, want %v", p.Admin.Roles, want)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.ProvisionForce(t.Context(), newProvision("alpha")))
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		for _, ac := range f.actorsOf(a) {
			wantKind(t, f.Store.ProvisionForce(ac.ctx, newProvision("charlie")), bluelamp.KindForbidden)
		}
		f.wantForces("alpha")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// A force's actors may not provision another force over an
		// existing one, nor add an admin to it that way.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before := f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			wantKind(t, f.Store.ProvisionForce(ac.ctx, newProvision(b.id)), bluelamp.KindForbidden)
		}
		f.wantNoEvents(b.id, before)
		_, err := f.Store.FindCredential(f.deployment(), "bravo.first", false)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		p := newProvision("Not A Slug")
		p.Force.Name = ""
		p.Settings = bluelamp.DefaultForceSettings()
		p.Settings.TimeZone, p.Settings.RoadFactor = "Mars/Olympus", 0
		p.Admin = bluelamp.User{Username: "x y"}
		p.PasswordHash = ""
		err := f.Store.ProvisionForce(f.deployment(), p)
		wantFields(t, err, "id", "name", "settings.time_zone", "settings.road_factor", "admin.username", "admin.name", "admin.password")
		f.wantForces()
	})
	t.Run("ErrConflictForce", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		before := f.head("alpha")
		err := f.Store.ProvisionForce(f.deployment(), newProvision("alpha"))
		wantKind(t, err, bluelamp.KindConflict)
		wantErrFields(t, err, "id")
		f.wantNoEvents("alpha", before)
		_, err = f.Store.FindCredential(f.deployment(), "alpha.first", false)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrConflictUsername", func(t *testing.T) {
		// The username is taken in another force: nothing of the new force
		// is left behind.
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		p := newProvision("bravo")
		p.Admin.Username = a.admin.Username
		err := f.Store.ProvisionForce(f.deployment(), p)
		wantKind(t, err, bluelamp.KindConflict)
		wantErrFields(t, err, "admin.username")
		f.wantForces("alpha")
		f.wantNoEvents(a.id, before)
		// The id is free again: the same provisioning with a free username works.
		p.Admin.Username = "bravo.first"
		ok(t, f.Store.ProvisionForce(f.deployment(), p))
		f.wantForces("alpha", "bravo")
		f.wantVerified()
	})
}

// wantForces fails the test unless the deployment holds exactly forces,
// each with its log head.
func (f *fixture) wantForces(ids ...bluelamp.ForceID) {
	f.t.Helper()
	forces, err := f.Store.FindForces(f.deployment())
	ok(f.t, err)
	heads, err := f.Store.FindHeads(f.deployment())
	ok(f.t, err)
	var got, withHead []bluelamp.ForceID
	for _, fc := range forces {
		got = append(got, fc.ID)
	}
	for _, h := range heads {
		withHead = append(withHead, h.ForceID)
	}
	if !cmp.Equal(ids, got, cmpopts.EquateEmpty()) || !cmp.Equal(ids, withHead, cmpopts.EquateEmpty()) {
		f.t.Fatalf("forces %v with heads %v, want %v", got, withHead, ids)
	}
}

// unitRowErrors returns the rows of a *UnitImportError, failing t for any
// other error.
func unitRowErrors(t *testing.T, err error) []bluelamp.UnitRowError {
	t.Helper()
	wantKind(t, err, bluelamp.KindInvalid)
	wantCode(t, err, "invalid_rows")
	ie, isImport := errors.AsType[*bluelamp.UnitImportError](err)
	if !isImport {
		t.Fatalf("got %v, want a *UnitImportError", err)
	}
	return ie.Rows
}

func testCreateUnits(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		expires := start.Add(30 * 24 * time.Hour)
		units := []*bluelamp.Unit{
			{CallSign: "X1", Type: "response car", StationID: a.station.ID},
			{CallSign: "X2", Type: "armed response vehicle", StationID: a.station.ID, Crew: []string{"1001", "1002"},
				Skills: []bluelamp.UnitSkill{{Skill: "ARVO", Expires: &expires}}, State: bluelamp.StateAvailable,
				Position: north(here, 100), DeviceID: "imei:35000001"},
			{CallSign: "X3", Type: "dog unit", StationID: a.station.ID, Skills: []bluelamp.UnitSkill{{Skill: "DOG_GENERAL"}}},
		}
		ok(t, f.Store.CreateUnits(a.ctx, units))
		var wants []eventWant
		for _, u := range units {
			if u.ID == 0 || u.ForceID != a.id || u.StatusCode == "" || !u.StatusAt.Equal(start) {
				t.Errorf("created unit = %+v", u)
			}
			wants = append(wants, eventWant{typ: bluelamp.EventUnitCreated, subject: ref("unit", u.ID), raw: func(e *bluelamp.Event) {
				var got bluelamp.Unit
				ok(t, json.Unmarshal(e.Payload, &got))
				if diff := cmp.Diff(u, &got, snapshotOpts); diff != "" {
					t.Errorf("unit.created payload of %s (-created +carried):\n%s", u.CallSign, diff)
				}
				if e.ActorID != a.controller.ID {
					t.Errorf("unit.created by %q", e.Actor)
				}
			}})
			if diff := cmp.Diff(u, f.unit(a.ctx, u.ID), snapshotOpts); diff != "" {
				t.Errorf("FindUnitByID %s (-created +found):\n%s", u.CallSign, diff)
			}
		}
		f.wantCAD(a.id, before, wants...)
		if units[0].State != bluelamp.StateOffDuty || units[1].State != bluelamp.StateAvailable || units[1].PositionAt == nil {
			t.Errorf("states %s, %s; position at %v", units[0].State, units[1].State, units[1].PositionAt)
		}
	})
	t.Run("OKMany", func(t *testing.T) {
		// The most one import may hold commits within the store's budget
		// for one write (past it the write fails as unavailable).
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		units := make([]*bluelamp.Unit, bluelamp.MaxUnitImport)
		for i := range units {
			units[i] = &bluelamp.Unit{CallSign: fmt.Sprintf("M%04d", i), Type: "response car", StationID: a.station.ID,
				Crew: []string{fmt.Sprintf("C%04d", i)}, DeviceID: fmt.Sprintf("dev-%04d", i)}
		}
		began := time.Now()
		ok(t, f.Store.CreateUnits(f.as(a.admin), units))
		t.Logf("%s: %d units in one transaction took %v", f.Engine, len(units), time.Since(began).Round(time.Millisecond))
		if got := f.head(a.id).Seq - before.Seq; got != int64(len(units)) {
			t.Errorf("%d events, want %d", got, len(units))
		}
		all, err := f.Store.FindUnits(f.as(a.admin))
		ok(t, err)
		if len(all) != len(units)+1 {
			t.Errorf("%d units, want %d", len(all), len(units)+1)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		// One bad unit refuses the import: every bad row is named and
		// nothing is written.
		f := setup(t, open)
		a := f.populate("alpha")
		ctx := f.as(a.admin)
		f.mustCreateUnit(ctx, a.station.ID, "TAKEN")
		heads := f.heads(a.id)
		existing, err := f.Store.FindUnits(ctx)
		ok(t, err)
		units := []*bluelamp.Unit{
			{CallSign: "X1", Type: "response car", StationID: a.station.ID, DeviceID: "dev-1"},
			{CallSign: "X2", Type: "", StationID: 9999},
			{CallSign: "TAKEN", Type: "car", StationID: a.station.ID},
			{CallSign: "X1", Type: "car", StationID: a.station.ID, DeviceID: "dev-1", Skills: []bluelamp.UnitSkill{{Skill: "JETPACK"}}},
			nil,
			{CallSign: "X6", Type: "car", StationID: a.station.ID, State: bluelamp.StateEnRoute},
		}
		err = f.Store.CreateUnits(ctx, units)
		rows := unitRowErrors(t, err)
		want := []struct {
			row    int
			fields []string
		}{{2, []string{"type", "station_id"}}, {3, []string{"call_sign"}}, {4, []string{"call_sign", "device_id", "skills"}},
			{5, []string{"unit"}}, {6, []string{"state"}}}
		if len(rows) != len(want) {
			t.Fatalf("bad rows %+v, want rows %v", rows, want)
		}
		for i, w := range want {
			if rows[i].Row != w.row || len(rows[i].Errors) != len(w.fields) {
				t.Errorf("row %d: %+v, want fields %v", w.row, rows[i], w.fields)
				continue
			}
			for _, fl := range w.fields {
				if rows[i].Errors[fl] == "" {
					t.Errorf("row %d names %v, want %v", w.row, rows[i].Errors, w.fields)
				}
			}
		}
		if rows[0].CallSign != "X2" || rows[2].Errors["call_sign"] != "is also the call sign of row 1" {
			t.Errorf("rows say %+v", rows)
		}
		f.refused(err, bluelamp.KindInvalid, heads...)
		after, err := f.Store.FindUnits(ctx)
		ok(t, err)
		if len(after) != len(existing) {
			t.Errorf("%d units after a refused import, want %d", len(after), len(existing))
		}
	})
	t.Run("ErrInvalidCount", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		ctx := f.as(a.admin)
		wantFields(t, f.Store.CreateUnits(ctx, nil), "units")
		units := make([]*bluelamp.Unit, bluelamp.MaxUnitImport+1)
		for i := range units {
			units[i] = &bluelamp.Unit{CallSign: fmt.Sprintf("M%04d", i), Type: "car", StationID: a.station.ID}
		}
		before := f.head(a.id)
		err := f.Store.CreateUnits(ctx, units)
		wantKind(t, err, bluelamp.KindTooLarge)
		wantCode(t, err, "too_many_rows")
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// A unit of one force can never sit at another force's station.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(a) {
			rows := unitRowErrors(t, f.Store.CreateUnits(ac.ctx, []*bluelamp.Unit{{CallSign: "X1", Type: "car", StationID: b.station.ID}}))
			if len(rows) != 1 || rows[0].Errors["station_id"] == "" {
				t.Errorf("%s: rows %+v, want station_id refused", ac.name, rows)
			}
		}
		for _, h := range heads {
			f.wantNoEvents(h.ForceID, h)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantNoActor(t, f.Store.CreateUnits(t.Context(), []*bluelamp.Unit{{CallSign: "X1", Type: "car", StationID: a.station.ID}}))
	})
}
