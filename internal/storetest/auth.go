package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testDeploymentOnly runs the refusals of a method only the deployment-wide
// system actor may call: force-scoped actors are forbidden, whether they
// target their own force's records or another's.
func testDeploymentOnly(t *testing.T, open Opener, call func(f *fixture, ctx context.Context, target *world) error) {
	t.Run("ErrForbidden", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		for _, ac := range f.actorsOf(a) {
			if err := call(f, ac.ctx, a); bluelamp.KindOf(err) != bluelamp.KindForbidden {
				t.Errorf("%s: got %v, want KindForbidden", ac.name, err)
			}
		}
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before := f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			if err := call(f, ac.ctx, b); bluelamp.KindOf(err) != bluelamp.KindForbidden {
				t.Errorf("%s: got %v, want KindForbidden", ac.name, err)
			}
		}
		f.wantNoEvents(b.id, before)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantNoActor(t, call(f, t.Context(), a))
	})
}

func testFindCredential(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		want := &bluelamp.Credential{UserID: a.user.ID, ForceID: a.id, Username: a.user.Username,
			PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$user"}
		for _, byEmail := range []bool{false, true} {
			name := a.user.Username
			if byEmail {
				name = a.user.Email
			}
			c, err := f.Store.FindCredential(f.deployment(), name, byEmail)
			ok(t, err)
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("FindCredential(%q, %v) (-want +got):\n%s", name, byEmail, diff)
			}
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		for _, q := range []struct {
			name    string
			byEmail bool
		}{{"nobody", false}, {a.user.Email, false}, {a.user.Username, true}, {"", true}} {
			_, err := f.Store.FindCredential(f.deployment(), q.name, q.byEmail)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound {
				t.Errorf("FindCredential(%q, %v): got %v, want KindNotFound", q.name, q.byEmail, err)
			}
		}
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		_, err := f.Store.FindCredential(ctx, w.user.Username, false)
		return err
	})
}

// payloadOf decodes an event's payload.
func payloadOf(t testing.TB, e *bluelamp.Event) map[string]any {
	t.Helper()
	var p map[string]any
	ok(t, json.Unmarshal(e.Payload, &p))
	return p
}

func testRecordSignInFailure(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		for range 2 {
			ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.user), bluelamp.LockPolicy{}))
		}
		events := f.wantEvents(a.id, before, bluelamp.EventUserSignInFailed, bluelamp.EventUserSignInFailed)
		for i, e := range events {
			if p := payloadOf(t, e); e.Subject != ref("user", a.user.ID) || p["failed_sign_ins"] != float64(i+1) {
				t.Errorf("sign_in_failed event %d: %s %s", i, e.Subject, e.Payload)
			}
		}
		if c := f.credential(a.user); c.FailedSignIns != 2 || c.LockedUntil != nil {
			t.Errorf("credential = %+v, want 2 failures and no lock", c)
		}
	})
	t.Run("OKLock", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		until := start.Add(15 * time.Minute)
		ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.user), bluelamp.LockPolicy{After: 1, For: 15 * time.Minute}))
		f.wantEvents(a.id, before, bluelamp.EventUserSignInFailed, bluelamp.EventUserLocked)
		if c := f.credential(a.user); c.FailedSignIns != 1 || c.LockedUntil == nil || !c.LockedUntil.Equal(until) {
			t.Errorf("credential = %+v, want 1 failure, locked until %v", c, until)
		}
		if u := f.findUser(a.user); u.LockedUntil == nil || !u.LockedUntil.Equal(until) {
			t.Errorf("user locked until %v, want %v", u.LockedUntil, until)
		}
		ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.user), bluelamp.LockPolicy{}))
		if c := f.credential(a.user); c.FailedSignIns != 2 || c.LockedUntil == nil || !c.LockedUntil.Equal(until) {
			t.Errorf("a later failure without a lock changed it: %+v", c)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		c := f.credential(a.user)
		c.UserID += 1000
		wantKind(t, f.Store.RecordSignInFailure(f.deployment(), c, bluelamp.LockPolicy{}), bluelamp.KindNotFound)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForceCredential", func(t *testing.T) {
		// A credential naming one force and another force's user counts nothing.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		c := f.credential(b.user)
		c.ForceID = a.id
		wantKind(t, f.Store.RecordSignInFailure(f.deployment(), c, bluelamp.LockPolicy{After: 1, For: time.Hour}), bluelamp.KindNotFound)
		if c := f.credential(b.user); c.FailedSignIns != 0 || c.LockedUntil != nil {
			t.Errorf("%s's credential changed: %+v", b.id, c)
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		return f.Store.RecordSignInFailure(ctx, &bluelamp.Credential{UserID: w.user.ID, ForceID: w.id, Username: w.user.Username}, bluelamp.LockPolicy{})
	})
}

func testCreateSession(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		ok(t, f.Store.RecordSignInFailure(f.deployment(), f.credential(a.admin), bluelamp.LockPolicy{After: 1, For: time.Minute}))
		f.clock.Advance(2 * time.Minute)
		before := f.head(a.id)
		s := f.newSession(a.admin, "s-ok")
		ok(t, f.Store.CreateSession(f.deployment(), s))
		if !s.CreatedAt.Equal(f.clock.Now()) {
			t.Errorf("session created at %v, want %v", s.CreatedAt, f.clock.Now())
		}
		events := f.wantEvents(a.id, before, bluelamp.EventUserSignedIn)
		if e := events[0]; e.ActorKind != bluelamp.ActorUser || e.ActorID != a.admin.ID || e.Actor != a.admin.Username ||
			e.Subject != ref("user", a.admin.ID) || payloadOf(t, e)["session_id"] != "s-ok" {
			t.Errorf("signed_in event = %+v %s", e, e.Payload)
		}
		if c := f.credential(a.admin); c.FailedSignIns != 0 || c.LockedUntil != nil {
			t.Errorf("credential after sign-in = %+v, want failures cleared", c)
		}
		if _, _, err := f.Store.FindSessionActor(f.deployment(), s.SecretHash); err != nil {
			t.Errorf("FindSessionActor: %v", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		s := f.newSession(a.admin, a.session.ID)
		wantKind(t, f.Store.CreateSession(f.deployment(), s), bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		s := f.newSession(&bluelamp.User{ID: a.user.ID + 1000, ForceID: a.id}, "s-nobody")
		wantKind(t, f.Store.CreateSession(f.deployment(), s), bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForceUser", func(t *testing.T) {
		// A session naming one force and another force's user is refused.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		s := f.newSession(b.user, "s-cross")
		s.ForceID = a.id
		wantKind(t, f.Store.CreateSession(f.deployment(), s), bluelamp.KindNotFound)
		_, _, err := f.Store.FindSessionActor(f.deployment(), s.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		return f.Store.CreateSession(ctx, f.newSession(w.user, "s-refused"))
	})
}

func testFindSessionActor(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		actor, sess, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
		ok(t, err)
		wantActor := &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: a.user.ID, Username: a.user.Username, ForceID: a.id,
			Roles: a.user.Roles, SessionID: a.session.ID}
		if diff := cmp.Diff(wantActor, actor); diff != "" {
			t.Errorf("actor (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(a.session, sess, cmpopts.IgnoreFields(bluelamp.Session{}, "SecretHash")); diff != "" {
			t.Errorf("session (-want +got):\n%s", diff)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(f *fixture, w *world)
	}{
		{"ErrUnknown", func(f *fixture, w *world) { w.session.SecretHash = secret("never issued") }},
		{"ErrExpired", func(f *fixture, w *world) { f.clock.Advance(8 * time.Hour) }},
		{"ErrEnded", func(f *fixture, w *world) { ok(f.t, f.Store.EndSession(f.as(w.user), w.session.ID)) }},
		{"ErrDisabled", func(f *fixture, w *world) { ok(f.t, f.Store.DisableUser(f.system(w.id), w.user.ID)) }},
		{"ErrDisabledThenEnabled", func(f *fixture, w *world) {
			ok(f.t, f.Store.DisableUser(f.system(w.id), w.user.ID))
			ok(f.t, f.Store.EnableUser(f.system(w.id), w.user.ID))
		}},
		{"ErrPasswordSet", func(f *fixture, w *world) {
			ok(f.t, f.Store.SetUserPassword(f.system(w.id), w.user.ID, "$argon2id$new"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, open)
			a := f.populate("alpha")
			tc.change(f, a)
			actor, sess, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
			if bluelamp.KindOf(err) != bluelamp.KindUnauthenticated || actor != nil || sess != nil {
				t.Errorf("got %v, %v, %v; want KindUnauthenticated", actor, sess, err)
			}
		})
	}
	t.Run("OKUntilExpiry", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		f.clock.Advance(8*time.Hour - time.Microsecond)
		_, _, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
		ok(t, err)
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		_, _, err := f.Store.FindSessionActor(ctx, w.session.SecretHash)
		return err
	})
}

func testEndSession(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		ctx := f.as(a.user)
		ok(t, f.Store.EndSession(ctx, a.session.ID))
		events := f.wantEvents(a.id, before, bluelamp.EventUserSignedOut)
		if e := events[0]; e.Subject != ref("user", a.user.ID) || e.ActorID != a.user.ID || payloadOf(t, e)["session_id"] != a.session.ID {
			t.Errorf("signed_out event = %+v %s", e, e.Payload)
		}
		_, _, err := f.Store.FindSessionActor(f.deployment(), a.session.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		ctx := f.as(a.user)
		wantKind(t, f.Store.EndSession(ctx, "no-such-session"), bluelamp.KindNotFound)
		ok(t, f.Store.EndSession(ctx, a.session.ID))
		before := f.head(a.id)
		wantKind(t, f.Store.EndSession(ctx, a.session.ID), bluelamp.KindNotFound)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		forged := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: b.user.ID, Username: b.user.Username, ForceID: a.id})
		for _, ac := range append(f.actorsOf(a), actor{"alpha actor with bravo's user id", forged}) {
			if err := f.Store.EndSession(ac.ctx, b.session.ID); bluelamp.KindOf(err) != bluelamp.KindNotFound {
				t.Errorf("%s: got %v, want KindNotFound", ac.name, err)
			}
		}
		if _, _, err := f.Store.FindSessionActor(f.deployment(), b.session.SecretHash); err != nil {
			t.Errorf("%s's session no longer works: %v", b.id, err)
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantNoActor(t, f.Store.EndSession(t.Context(), a.session.ID))
	})
}

func testFindTokenActor(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		actor, err := f.Store.FindTokenActor(f.deployment(), a.token.SecretHash)
		ok(t, err)
		want := &bluelamp.Actor{Kind: bluelamp.ActorToken, UserID: a.user.ID, Username: a.user.Username, ForceID: a.id,
			Roles: a.user.Roles, SessionID: string(a.token.ID)}
		if diff := cmp.Diff(want, actor); diff != "" {
			t.Errorf("actor (-want +got):\n%s", diff)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(f *fixture, w *world) []byte // returns the secret hash to present
	}{
		{"ErrUnknown", func(f *fixture, w *world) []byte { return secret("never issued") }},
		{"ErrExpired", func(f *fixture, w *world) []byte {
			tk := newToken(w.user, "expiring")
			tk.ExpiresAt = new(f.clock.Now().Add(time.Hour))
			ok(f.t, f.Store.CreateToken(f.system(w.id), tk))
			f.clock.Advance(time.Hour)
			return tk.SecretHash
		}},
		{"ErrRevoked", func(f *fixture, w *world) []byte {
			ok(f.t, f.Store.RevokeToken(f.as(w.admin), w.token.ID))
			return w.token.SecretHash
		}},
		{"ErrDisabled", func(f *fixture, w *world) []byte {
			ok(f.t, f.Store.DisableUser(f.system(w.id), w.user.ID))
			return w.token.SecretHash
		}},
		{"ErrDisabledThenEnabled", func(f *fixture, w *world) []byte {
			// Disabling ends a user's tokens: enabling the user again does
			// not bring them back.
			ok(f.t, f.Store.DisableUser(f.system(w.id), w.user.ID))
			ok(f.t, f.Store.EnableUser(f.system(w.id), w.user.ID))
			return w.token.SecretHash
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t, open)
			a := f.populate("alpha")
			hash := tc.change(f, a)
			actor, err := f.Store.FindTokenActor(f.deployment(), hash)
			if bluelamp.KindOf(err) != bluelamp.KindUnauthenticated || actor != nil {
				t.Errorf("got %v, %v; want KindUnauthenticated", actor, err)
			}
		})
	}
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		_, err := f.Store.FindTokenActor(ctx, w.token.SecretHash)
		return err
	})
}
