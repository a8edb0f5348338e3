package storetest

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// note appends a log.note, failing the test on error.
func (f *fixture) note(ctx context.Context, text string) *bluelamp.Event {
	f.t.Helper()
	e, err := f.Store.AppendEvent(ctx, bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial, map[string]string{"text": text})
	ok(f.t, err)
	return e
}

func testAppendEvent(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		ctx := f.as(a.admin)
		e, err := f.Store.AppendEvent(ctx, bluelamp.EventLogNote, "incident/7", bluelamp.ClassOfficialSensitive,
			map[string]any{"text": "caller rang back", "n": 3})
		ok(t, err)
		want := &bluelamp.Event{ForceID: a.id, Seq: before.Seq + 1, ID: e.ID, Time: start, ActorKind: bluelamp.ActorUser,
			ActorID: a.admin.ID, Actor: a.admin.Username, Type: bluelamp.EventLogNote, Subject: "incident/7",
			Classification: bluelamp.ClassOfficialSensitive, Payload: json.RawMessage(`{"n":3,"text":"caller rang back"}`),
			PrevHash: before.Hash}
		want.Seal(before.Hash)
		if diff := cmp.Diff(want, e); diff != "" {
			t.Errorf("appended event (-want +got):\n%s", diff)
		}
		if !uuidV7.MatchString(e.ID) {
			t.Errorf("event id %q is not a UUIDv7", e.ID)
		}
		stored := f.wantEvents(a.id, before, bluelamp.EventLogNote)
		if diff := cmp.Diff(e, stored[0]); diff != "" {
			t.Errorf("stored event (-returned +stored):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		ctx := f.as(a.admin)
		_, err := f.Store.AppendEvent(ctx, bluelamp.EventUserCreated, "user/1", bluelamp.ClassOfficial, map[string]any{})
		wantKind(t, err, bluelamp.KindInvalid)
		_, err = f.Store.AppendEvent(ctx, bluelamp.EventLogNote, "incident/1", "SECRET", map[string]any{})
		wantFields(t, err, "classification")
		_, err = f.Store.AppendEvent(ctx, bluelamp.EventLogNote, strings.Repeat("s", 201), bluelamp.ClassOfficial, map[string]any{})
		wantFields(t, err, "subject")
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		_, err := f.Store.AppendEvent(f.as(a.admin), bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial,
			map[string]string{"text": strings.Repeat("x", 1<<20)})
		wantKind(t, err, bluelamp.KindTooLarge)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// An actor appends to its own force's log whatever it claims.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			e := f.note(ac.ctx, "for "+string(b.id))
			if e.ForceID != a.id {
				t.Errorf("%s: appended to %s, want %s", ac.name, e.ForceID, a.id)
			}
		}
		f.wantEvents(a.id, beforeA, bluelamp.EventLogNote, bluelamp.EventLogNote)
		f.wantNoEvents(b.id, beforeB)
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		// The deployment-wide actor has no force, so no log to append to.
		f := setup(t, open)
		_, err := f.Store.AppendEvent(f.deployment(), bluelamp.EventLogNote, "", bluelamp.ClassOfficial, nil)
		wantKind(t, err, bluelamp.KindForbidden)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.AppendEvent(t.Context(), bluelamp.EventLogNote, "", bluelamp.ClassOfficial, nil)
		wantNoActor(t, err)
	})
}

func testFindEvents(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		sys := f.system("alpha")
		var appended []*bluelamp.Event
		for _, text := range []string{"one", "two", "three", "four"} {
			appended = append(appended, f.note(sys, text))
		}
		for _, tc := range []struct {
			name   string
			filter bluelamp.EventFilter
			want   []*bluelamp.Event
		}{
			{"after", bluelamp.EventFilter{After: 2}, appended[1:]},
			{"page", bluelamp.EventFilter{After: 2, Limit: 2}, appended[1:3]},
			{"past the head", bluelamp.EventFilter{After: 5}, nil},
		} {
			events, err := f.Store.FindEvents(sys, tc.filter)
			ok(t, err)
			if diff := cmp.Diff(tc.want, events, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: FindEvents (-want +got):\n%s", tc.name, diff)
			}
		}
		all, err := f.Store.FindEvents(sys, bluelamp.EventFilter{})
		ok(t, err)
		if len(all) != 5 || all[0].Type != bluelamp.EventForceCreated {
			t.Errorf("FindEvents from the start returned %d events", len(all))
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		f.note(f.system(b.id), "bravo only")
		head := f.head(a.id)
		for _, ac := range f.actorsOf(a) {
			events, err := f.Store.FindEvents(ac.ctx, bluelamp.EventFilter{Limit: 1000})
			ok(t, err)
			if int64(len(events)) != head.Seq {
				t.Errorf("%s: %d events, want %d", ac.name, len(events), head.Seq)
			}
			for _, e := range events {
				if e.ForceID != a.id {
					t.Errorf("%s: event %d of %s in the list", ac.name, e.Seq, e.ForceID)
				}
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindEvents(t.Context(), bluelamp.EventFilter{})
		wantNoActor(t, err)
	})
}

func testFindHead(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		sys := f.system("alpha")
		first, err := f.Store.FindHead(sys)
		ok(t, err)
		events := f.eventsAfter("alpha", 0)
		if want := (bluelamp.Head{ForceID: "alpha", Seq: 1, Hash: events[0].Hash}); !cmp.Equal(want, first) {
			t.Errorf("head of a new force = %+v, want %+v", first, want)
		}
		e := f.note(sys, "next")
		h, err := f.Store.FindHead(sys)
		ok(t, err)
		if want := (bluelamp.Head{ForceID: "alpha", Seq: 2, Hash: e.Hash}); !cmp.Equal(want, h) {
			t.Errorf("head = %+v, want %+v", h, want)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		want := f.head(a.id)
		f.note(f.system(b.id), "bravo only")
		for _, ac := range f.actorsOf(a) {
			h, err := f.Store.FindHead(ac.ctx)
			ok(t, err)
			if !cmp.Equal(want, h) {
				t.Errorf("%s: head = %+v, want %+v", ac.name, h, want)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindHead(t.Context())
		wantNoActor(t, err)
	})
}

func testFindHeads(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.populate("bravo")
		f.mustCreateForce("alpha")
		heads, err := f.Store.FindHeads(f.deployment())
		ok(t, err)
		want := []bluelamp.Head{f.head("alpha"), f.head("bravo")}
		if diff := cmp.Diff(want, heads); diff != "" {
			t.Errorf("FindHeads (-want +got):\n%s", diff)
		}
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		_, err := f.Store.FindHeads(ctx)
		return err
	})
}
