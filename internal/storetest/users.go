package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

// findUser reads a user as the system actor of its force.
func (f *fixture) findUser(u *bluelamp.User) *bluelamp.User {
	f.t.Helper()
	got, err := f.Store.FindUserByID(f.system(u.ForceID), u.ID, auditing)
	ok(f.t, err)
	return got
}

// credential reads u's credential as the deployment actor.
func (f *fixture) credential(u *bluelamp.User) *bluelamp.Credential {
	f.t.Helper()
	c, err := f.Store.FindCredential(f.deployment(), u.Username, false)
	ok(f.t, err)
	return c
}

func testCreateUser(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		const hash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$secret-hash"
		u := &bluelamp.User{Username: "ann.smith", DisplayName: "Ann Smith", Email: "ann@alpha.example", CollarNumber: "AS1",
			Roles: []bluelamp.Role{bluelamp.RoleSupervisor, bluelamp.RoleController, bluelamp.RoleSupervisor}}
		ok(t, f.Store.CreateUser(ctx, u, hash))
		want := &bluelamp.User{ID: u.ID, ForceID: a.id, Username: "ann.smith", DisplayName: "Ann Smith", Email: "ann@alpha.example",
			CollarNumber: "AS1", Roles: []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor}, CreatedAt: start}
		if diff := cmp.Diff(want, u); diff != "" || u.ID == 0 {
			t.Errorf("created user (-want +got):\n%s", diff)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventUserCreated)
		if events[0].Subject != ref("user", u.ID) || strings.Contains(string(events[0].Payload), "secret-hash") {
			t.Errorf("user.created event = %s %s", events[0].Subject, events[0].Payload)
		}
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("user", u.ID)}})
		if diff := cmp.Diff(want, f.findUser(u)); diff != "" {
			t.Errorf("FindUserByID (-want +got):\n%s", diff)
		}
		if c := f.credential(u); c.PasswordHash != hash || c.UserID != u.ID || c.ForceID != a.id {
			t.Errorf("credential = %+v", c)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreateUser(t.Context(), &bluelamp.User{Username: "ann", DisplayName: "Ann"}, ""))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before, mark := f.head(b.id), f.auditMark(b.id)
		for i, ac := range f.actorsOf(a) {
			u := &bluelamp.User{ForceID: b.id, Username: "intruder" + string(rune('a'+i)), DisplayName: "Intruder"}
			ok(t, f.Store.CreateUser(ac.ctx, u, ""))
			if u.ForceID != a.id {
				t.Errorf("%s: user created in %s, want %s", ac.name, u.ForceID, a.id)
			}
		}
		f.wantNoEvents(b.id, before)
		f.wantNoAudit(b.id, mark)
		users, total, err := f.Store.FindUsers(f.as(b.admin), bluelamp.UserFilter{}, consult)
		ok(t, err)
		if len(users) != 2 || total != 2 {
			t.Errorf("%s has %d users (total %d), want 2", b.id, len(users), total)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		u := &bluelamp.User{Username: "Not Valid", Email: "ann at example", CollarNumber: "lower", Roles: []bluelamp.Role{"chief"}}
		wantFields(t, f.Store.CreateUser(f.as(a.admin), u, ""), "username", "display_name", "email", "collar_number", "roles")
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before, mark := f.head(a.id), f.auditMark(a.id)
		for name, u := range map[string]*bluelamp.User{
			"same username":             {Username: a.user.Username, DisplayName: "Dup"},
			"username of another force": {Username: b.user.Username, DisplayName: "Dup"},
			"same email":                {Username: "fresh", DisplayName: "Dup", Email: a.user.Email},
			"email of another force":    {Username: "fresh2", DisplayName: "Dup", Email: b.user.Email},
		} {
			if err := f.Store.CreateUser(f.as(a.admin), u, ""); bluelamp.KindOf(err) != bluelamp.KindConflict {
				t.Errorf("%s: got %v, want KindConflict", name, err)
			}
		}
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
}

func testFindUserByID(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		u, err := f.Store.FindUserByID(ctx, a.user.ID, consult)
		ok(t, err)
		if diff := cmp.Diff(a.user, u); diff != "" {
			t.Errorf("FindUserByID (-want +got):\n%s", diff)
		}
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{ref("user", a.user.ID)}, j: &consult})
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		mark := f.auditMark(a.id)
		u, err := f.Store.FindUserByID(f.as(a.admin), a.user.ID, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) || u != nil {
			t.Fatalf("got %v, %v; want ErrJustificationRequired", u, err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		_, err := f.Store.FindUserByID(f.as(a.admin), a.user.ID+1000, consult)
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		mark := f.auditMark(b.id)
		for _, ac := range f.actorsOf(a) {
			u, err := f.Store.FindUserByID(ac.ctx, b.user.ID, consult)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || u != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, u, err)
			}
		}
		f.wantNoAudit(b.id, mark)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindUserByID(t.Context(), 1, consult)
		wantNoActor(t, err)
	})
}

func testFindUsers(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		c := f.mustCreateUser(a.id, "carol", bluelamp.RoleController)
		d := f.mustCreateUser(a.id, "dave", bluelamp.RoleController, bluelamp.RoleSupervisor)
		ok(t, f.Store.DisableUser(f.system(a.id), d.ID))
		d.Disabled = true
		ctx := f.as(a.admin)
		for _, tc := range []struct {
			name   string
			filter bluelamp.UserFilter
			want   []*bluelamp.User
			total  int
		}{
			{"all, by username", bluelamp.UserFilter{}, []*bluelamp.User{a.admin, c, d, a.user}, 4},
			{"username", bluelamp.UserFilter{Username: new(c.Username)}, []*bluelamp.User{c}, 1},
			{"role", bluelamp.UserFilter{Role: new(bluelamp.RoleController)}, []*bluelamp.User{c, d}, 2},
			{"disabled", bluelamp.UserFilter{Disabled: new(true)}, []*bluelamp.User{d}, 1},
			{"enabled", bluelamp.UserFilter{Disabled: new(false)}, []*bluelamp.User{a.admin, c, a.user}, 3},
			{"page", bluelamp.UserFilter{Offset: 1, Limit: 2}, []*bluelamp.User{c, d}, 4},
		} {
			mark := f.auditMark(a.id)
			users, total, err := f.Store.FindUsers(ctx, tc.filter, consult)
			ok(t, err)
			if diff := cmp.Diff(tc.want, users); diff != "" || total != tc.total {
				t.Errorf("%s: total %d, want %d; users (-want +got):\n%s", tc.name, total, tc.total, diff)
			}
			var subjects []string
			for _, u := range tc.want {
				subjects = append(subjects, ref("user", u.ID))
			}
			f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation, subjects: subjects, j: &consult})
		}
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		mark := f.auditMark(a.id)
		_, _, err := f.Store.FindUsers(f.as(a.admin), bluelamp.UserFilter{}, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Fatalf("got %v, want ErrJustificationRequired", err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		mark := f.auditMark(b.id)
		for _, ac := range f.actorsOf(a) {
			users, total, err := f.Store.FindUsers(ac.ctx, bluelamp.UserFilter{}, consult)
			ok(t, err)
			if diff := cmp.Diff([]*bluelamp.User{a.admin, a.user}, users); diff != "" || total != 2 {
				t.Errorf("%s: total %d; FindUsers (-want +got):\n%s", ac.name, total, diff)
			}
			users, total, err = f.Store.FindUsers(ac.ctx, bluelamp.UserFilter{Username: new(b.user.Username)}, consult)
			ok(t, err)
			if len(users) != 0 || total != 0 {
				t.Errorf("%s: FindUsers by another force's username = %v (total %d)", ac.name, users, total)
			}
		}
		f.wantNoAudit(b.id, mark)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, _, err := f.Store.FindUsers(t.Context(), bluelamp.UserFilter{}, consult)
		wantNoActor(t, err)
	})
}

func testFindSelf(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		u, err := f.Store.FindSelf(f.as(a.user))
		ok(t, err)
		if diff := cmp.Diff(a.user, u); diff != "" {
			t.Errorf("FindSelf (-want +got):\n%s", diff)
		}
		f.wantNoAudit(a.id, mark)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		_, err := f.Store.FindSelf(f.system(a.id))
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// An actor of one force carrying another force's user id finds nothing.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		forged := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: b.user.ID, Username: a.admin.Username, ForceID: a.id})
		u, err := f.Store.FindSelf(forged)
		if bluelamp.KindOf(err) != bluelamp.KindNotFound || u != nil {
			t.Errorf("got %v, %v; want KindNotFound", u, err)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindSelf(t.Context())
		wantNoActor(t, err)
	})
}

// userChange is a store method that changes one user.
type userChange func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error

// testChangeRefusals runs the refusals every change of a user shares.
func testChangeRefusals(t *testing.T, open Opener, change userChange) {
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		wantKind(t, change(f.Store, f.as(a.admin), a.user.ID+1000), bluelamp.KindNotFound)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB, markA, markB := f.head(a.id), f.head(b.id), f.auditMark(a.id), f.auditMark(b.id)
		user, cred := f.findUser(b.user), f.credential(b.user)
		markB++ // the lookup above
		for _, ac := range f.actorsOf(a) {
			if err := change(f.Store, ac.ctx, b.user.ID); bluelamp.KindOf(err) != bluelamp.KindNotFound {
				t.Errorf("%s: got %v, want KindNotFound", ac.name, err)
			}
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
		f.wantNoAudit(a.id, markA)
		if diff := cmp.Diff(user, f.findUser(b.user)); diff != "" {
			t.Errorf("%s's user changed (-before +after):\n%s", b.id, diff)
		}
		markB++ // the lookup above
		if diff := cmp.Diff(cred, f.credential(b.user)); diff != "" {
			t.Errorf("%s's credential changed (-before +after):\n%s", b.id, diff)
		}
		if _, _, err := f.Store.FindSessionActor(f.deployment(), b.session.SecretHash); err != nil {
			t.Errorf("%s's session no longer works: %v", b.id, err)
		}
		f.wantNoAudit(b.id, markB)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, change(f.Store, t.Context(), 1))
	})
}

// wantAlteration checks the one event and audit record a change of u makes,
// and returns the event's payload.
func (f *fixture) wantAlteration(u *bluelamp.User, before bluelamp.Head, mark int64, ctx context.Context, typ bluelamp.EventType) map[string]any {
	f.t.Helper()
	events := f.wantEvents(u.ForceID, before, typ)
	if e := events[0]; e.Subject != ref("user", u.ID) || e.ActorID != bluelamp.ActorFrom(ctx).UserID {
		f.t.Errorf("%s event = %+v", typ, e)
	}
	f.wantAudit(u.ForceID, mark, ctx, auditWant{action: bluelamp.AuditAlteration, subjects: []string{ref("user", u.ID)}})
	var payload map[string]any
	ok(f.t, json.Unmarshal(events[0].Payload, &payload))
	if id, _ := payload["user_id"].(float64); bluelamp.UserID(id) != u.ID {
		f.t.Errorf("%s payload %s does not name user %d", typ, events[0].Payload, u.ID)
	}
	return payload
}

func testDisableUser(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		ok(t, f.Store.DisableUser(ctx, a.user.ID))
		f.wantAlteration(a.user, before, mark, ctx, bluelamp.EventUserDisabled)
		if !f.findUser(a.user).Disabled || !f.credential(a.user).Disabled {
			t.Error("user is not disabled")
		}
		_, _, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
		_, err = f.Store.FindTokenActor(f.deployment(), a.token.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
	})
	testChangeRefusals(t, open, func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error {
		return s.DisableUser(ctx, id)
	})
}

func testEnableUser(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		sys := f.system(a.id)
		ok(t, f.Store.DisableUser(sys, a.user.ID))
		ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.user), bluelamp.LockPolicy{After: 1, For: time.Hour}))
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		ok(t, f.Store.EnableUser(ctx, a.user.ID))
		f.wantAlteration(a.user, before, mark, ctx, bluelamp.EventUserEnabled)
		if c := f.credential(a.user); c.Disabled || c.FailedSignIns != 0 || c.LockedUntil != nil {
			t.Errorf("credential after EnableUser = %+v", c)
		}
		s := f.mustCreateSession(a.user, "after-enable")
		if _, _, err := f.Store.FindSessionActor(f.deployment(), s.SecretHash); err != nil {
			t.Errorf("new session after EnableUser: %v", err)
		}
	})
	testChangeRefusals(t, open, func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error {
		return s.EnableUser(ctx, id)
	})
}

func testSetUserPassword(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.user), bluelamp.LockPolicy{After: 1, For: time.Hour}))
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		const hash = "$argon2id$v=19$m=65536,t=3,p=2$bmV3$new-secret-hash"
		ok(t, f.Store.SetUserPassword(ctx, a.user.ID, hash))
		f.wantAlteration(a.user, before, mark, ctx, bluelamp.EventUserPasswordSet)
		if c := f.credential(a.user); c.PasswordHash != hash || c.FailedSignIns != 0 || c.LockedUntil != nil {
			t.Errorf("credential after SetUserPassword = %+v", c)
		}
		_, _, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
		for _, e := range f.eventsAfter(a.id, 0) {
			if strings.Contains(string(e.Payload), "secret-hash") {
				t.Errorf("event %d %s holds a password hash: %s", e.Seq, e.Type, e.Payload)
			}
		}
	})
	testChangeRefusals(t, open, func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error {
		return s.SetUserPassword(ctx, id, "$argon2id$forged")
	})
}

func testGrantRole(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		ok(t, f.Store.GrantRole(ctx, a.user.ID, bluelamp.RoleController))
		payload := f.wantAlteration(a.user, before, mark, ctx, bluelamp.EventUserRoleGranted)
		if payload["role"] != string(bluelamp.RoleController) {
			t.Errorf("role_granted payload = %v", payload)
		}
		want := []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleResponseOfficer}
		if diff := cmp.Diff(want, f.findUser(a.user).Roles); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
	})
	t.Run("OKAlreadyHeld", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ok(t, f.Store.GrantRole(f.as(a.admin), a.user.ID, bluelamp.RoleResponseOfficer))
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
		if diff := cmp.Diff(a.user.Roles, f.findUser(a.user).Roles); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantFields(t, f.Store.GrantRole(f.as(a.admin), a.user.ID, "chief_constable"), "role")
	})
	testChangeRefusals(t, open, func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error {
		return s.GrantRole(ctx, id, bluelamp.RoleForceAdmin)
	})
}

func testRevokeRole(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		ok(t, f.Store.RevokeRole(ctx, a.admin.ID, bluelamp.RoleAuditor))
		payload := f.wantAlteration(a.admin, before, mark, ctx, bluelamp.EventUserRoleRevoked)
		if payload["role"] != string(bluelamp.RoleAuditor) {
			t.Errorf("role_revoked payload = %v", payload)
		}
		if diff := cmp.Diff([]bluelamp.Role{bluelamp.RoleForceAdmin}, f.findUser(a.admin).Roles); diff != "" {
			t.Errorf("roles (-want +got):\n%s", diff)
		}
	})
	t.Run("OKNotHeld", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ok(t, f.Store.RevokeRole(f.as(a.admin), a.user.ID, bluelamp.RoleController))
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantFields(t, f.Store.RevokeRole(f.as(a.admin), a.user.ID, "chief_constable"), "role")
	})
	testChangeRefusals(t, open, func(s bluelamp.Store, ctx context.Context, id bluelamp.UserID) error {
		return s.RevokeRole(ctx, id, bluelamp.RoleResponseOfficer)
	})
}
