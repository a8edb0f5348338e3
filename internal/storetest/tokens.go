package storetest

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testCreateToken(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		tk := newToken(a.user, "t-ok")
		tk.ExpiresAt = new(start.Add(24 * time.Hour))
		ok(t, f.Store.CreateToken(f.as(a.admin), tk))
		if tk.ForceID != a.id || !tk.CreatedAt.Equal(start) {
			t.Errorf("created token = %+v", tk)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventTokenCreated)
		e := events[0]
		if e.Subject != "token/t-ok" || e.ActorID != a.admin.ID {
			t.Errorf("token.created event = %+v", e)
		}
		for _, enc := range []string{hex.EncodeToString(tk.SecretHash), base64.StdEncoding.EncodeToString(tk.SecretHash)} {
			if strings.Contains(string(e.Payload), enc) {
				t.Errorf("token.created payload holds the secret hash: %s", e.Payload)
			}
		}
		tokens, err := f.Store.FindTokens(f.as(a.admin))
		ok(t, err)
		saved := *tk
		saved.SecretHash = nil
		if diff := cmp.Diff([]*bluelamp.Token{{ID: a.token.ID, UserID: a.user.ID, ForceID: a.id, Name: a.token.Name, CreatedAt: start}, &saved}, tokens); diff != "" {
			t.Errorf("FindTokens (-want +got):\n%s", diff)
		}
		actor, err := f.Store.FindTokenActor(f.deployment(), tk.SecretHash)
		ok(t, err)
		if actor.UserID != a.user.ID || actor.SessionID != "t-ok" {
			t.Errorf("token actor = %+v", actor)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		ctx := f.as(a.admin)
		wantFields(t, f.Store.CreateToken(ctx, &bluelamp.Token{UserID: a.user.ID, SecretHash: []byte("short")}), "name", "secret")
		past := newToken(a.user, "t-past")
		past.ExpiresAt = new(start)
		wantFields(t, f.Store.CreateToken(ctx, past), "expires_at")
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		err := f.Store.CreateToken(f.as(a.admin), newToken(&bluelamp.User{ID: a.user.ID + 1000}, "t-nobody"))
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		for i, ac := range f.actorsOf(a) {
			tk := newToken(b.user, "t-cross-"+string(rune('a'+i)))
			tk.ForceID = b.id
			if err := f.Store.CreateToken(ac.ctx, tk); bluelamp.KindOf(err) != bluelamp.KindNotFound {
				t.Errorf("%s: got %v, want KindNotFound", ac.name, err)
			}
			if _, err := f.Store.FindTokenActor(f.deployment(), tk.SecretHash); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
				t.Errorf("%s: refused token works: %v", ac.name, err)
			}
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		sameID := newToken(a.user, string(a.token.ID))
		sameID.SecretHash = secret("fresh")
		wantKind(t, f.Store.CreateToken(f.as(a.admin), sameID), bluelamp.KindConflict)
		sameSecret := newToken(a.user, "t-fresh")
		sameSecret.SecretHash = a.token.SecretHash
		wantKind(t, f.Store.CreateToken(f.as(a.admin), sameSecret), bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreateToken(t.Context(), newToken(&bluelamp.User{ID: 1}, "t-anon")))
	})
}

func testRevokeToken(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		f.clock.Advance(time.Minute)
		before := f.head(a.id)
		ok(t, f.Store.RevokeToken(f.as(a.admin), a.token.ID))
		events := f.wantEvents(a.id, before, bluelamp.EventTokenRevoked)
		if events[0].Subject != ref("token", a.token.ID) {
			t.Errorf("token.revoked subject = %q", events[0].Subject)
		}
		tokens, err := f.Store.FindTokens(f.as(a.admin))
		ok(t, err)
		if len(tokens) != 1 || tokens[0].RevokedAt == nil || !tokens[0].RevokedAt.Equal(f.clock.Now()) {
			t.Errorf("tokens after revoking = %+v", tokens)
		}
		_, err = f.Store.FindTokenActor(f.deployment(), a.token.SecretHash)
		wantKind(t, err, bluelamp.KindUnauthenticated)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		ctx := f.as(a.admin)
		wantKind(t, f.Store.RevokeToken(ctx, "no-such-token"), bluelamp.KindNotFound)
		ok(t, f.Store.RevokeToken(ctx, a.token.ID))
		before := f.head(a.id)
		wantKind(t, f.Store.RevokeToken(ctx, a.token.ID), bluelamp.KindNotFound)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			if err := f.Store.RevokeToken(ac.ctx, b.token.ID); bluelamp.KindOf(err) != bluelamp.KindNotFound {
				t.Errorf("%s: got %v, want KindNotFound", ac.name, err)
			}
		}
		if _, err := f.Store.FindTokenActor(f.deployment(), b.token.SecretHash); err != nil {
			t.Errorf("%s's token no longer works: %v", b.id, err)
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.RevokeToken(t.Context(), "t"))
	})
}

func testFindTokens(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		u := f.mustCreateUser("alpha", "user")
		sys := f.system("alpha")
		t2 := f.mustCreateToken(sys, u, "t2")
		f.clock.Advance(time.Second)
		t1 := f.mustCreateToken(sys, u, "t1")
		t2.SecretHash, t1.SecretHash = nil, nil
		tokens, err := f.Store.FindTokens(sys)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Token{t2, t1}, tokens); diff != "" {
			t.Errorf("FindTokens, oldest first (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, _ := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			tokens, err := f.Store.FindTokens(ac.ctx)
			ok(t, err)
			if len(tokens) != 1 || tokens[0].ID != a.token.ID {
				t.Errorf("%s: FindTokens = %+v, want only %s", ac.name, tokens, a.token.ID)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindTokens(t.Context())
		wantNoActor(t, err)
	})
}
