package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// seqsOf returns the seqs of records, in order.
func seqsOf(records []*bluelamp.AuditRecord) []int64 {
	var seqs []int64
	for _, r := range records {
		seqs = append(seqs, r.Seq)
	}
	return seqs
}

func testFindAuditRecords(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		// populate records collections 1 (admin), 2 (user) and 3 (officer);
		// then, an hour apart: 4 the admin views the user, 5 the admin
		// grants the user a role, 6 the user lists officers. Each query
		// below is itself recorded an hour after that, so the filters
		// exclude the queries before them.
		f := setup(t, open)
		a := f.populate("alpha")
		admin, user := f.as(a.admin), f.as(a.user)
		t1 := start.Add(time.Hour)
		f.clock.Advance(time.Hour)
		_, err := f.Store.FindUserByID(admin, a.user.ID, consult)
		ok(t, err)
		f.clock.Advance(time.Hour)
		ok(t, f.Store.GrantRole(admin, a.user.ID, bluelamp.RoleController))
		f.clock.Advance(time.Hour)
		t3 := f.clock.Now()
		_, err = f.Store.FindOfficers(user, consult)
		ok(t, err)
		f.clock.Advance(time.Hour)
		t4 := f.clock.Now()

		for _, tc := range []struct {
			name   string
			filter bluelamp.AuditFilter
			want   []int64
			total  int
		}{
			{"subject", bluelamp.AuditFilter{Subject: new(ref("user", a.user.ID)), To: &t4}, []int64{5, 4, 2}, 3},
			{"actor", bluelamp.AuditFilter{ActorID: new(a.user.ID)}, []int64{6}, 1},
			{"action", bluelamp.AuditFilter{Action: new(bluelamp.AuditAlteration)}, []int64{5}, 1},
			{"time", bluelamp.AuditFilter{From: &t1, To: &t3}, []int64{5, 4}, 2},
			{"page", bluelamp.AuditFilter{To: &t4, Offset: 1, Limit: 2}, []int64{5, 4}, 6},
		} {
			records, total, err := f.Store.FindAuditRecords(admin, tc.filter, auditing)
			ok(t, err)
			if diff := cmp.Diff(tc.want, seqsOf(records)); diff != "" || total != tc.total {
				t.Errorf("%s: total %d, want %d; seqs (-want +got):\n%s", tc.name, total, tc.total, diff)
			}
		}

		records, _, err := f.Store.FindAuditRecords(admin, bluelamp.AuditFilter{From: &t1, To: new(t1.Add(time.Second))}, auditing)
		ok(t, err)
		want := []*bluelamp.AuditRecord{{ForceID: a.id, Seq: 4, Time: t1, Action: bluelamp.AuditConsultation, ActorKind: bluelamp.ActorUser,
			ActorID: a.admin.ID, Actor: a.admin.Username, ActorRoles: a.admin.Roles, SessionID: "session-" + a.admin.Username,
			Records: []string{ref("user", a.user.ID)}, Subjects: []string{ref("user", a.user.ID)}, Justification: consult}}
		if diff := cmp.Diff(want, records, cmpopts.IgnoreFields(bluelamp.AuditRecord{}, "What", "PrevHash", "Hash")); diff != "" {
			t.Errorf("audit record of a consultation (-want +got):\n%s", diff)
		}
	})
	t.Run("OKAudited", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		subject := ref("user", a.user.ID)
		_, _, err := f.Store.FindAuditRecords(ctx, bluelamp.AuditFilter{Subject: &subject}, auditing)
		ok(t, err)
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{subject}, records: []string{}, j: &auditing})
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		mark := f.auditMark(a.id)
		records, _, err := f.Store.FindAuditRecords(f.as(a.admin), bluelamp.AuditFilter{}, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) || records != nil {
			t.Fatalf("got %d records, %v; want ErrJustificationRequired", len(records), err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		markA, markB := f.auditMark(a.id), f.auditMark(b.id)
		for i, ac := range f.actorsOf(a) {
			records, total, err := f.Store.FindAuditRecords(ac.ctx, bluelamp.AuditFilter{}, auditing)
			ok(t, err)
			if want := int(markA) + 2*i; total != want || len(records) != want {
				t.Errorf("%s: %d records (total %d), want %d", ac.name, len(records), total, want)
			}
			for _, r := range records {
				if r.ForceID != a.id {
					t.Errorf("%s: audit record %d of %s in the list", ac.name, r.Seq, r.ForceID)
				}
			}
			// The only records about the other force's user are the
			// caller's own force's records of these very queries.
			records, total, err = f.Store.FindAuditRecords(ac.ctx, bluelamp.AuditFilter{Subject: new(ref("user", b.user.ID))}, auditing)
			ok(t, err)
			if len(records) != i || total != i {
				t.Errorf("%s: %d records about another force's user, want %d", ac.name, len(records), i)
			}
			for _, r := range records {
				if r.ForceID != a.id || r.Action != bluelamp.AuditConsultation {
					t.Errorf("%s: audit record %d of %s: %s", ac.name, r.Seq, r.ForceID, r.Action)
				}
			}
		}
		f.wantNoAudit(b.id, markB)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, _, err := f.Store.FindAuditRecords(t.Context(), bluelamp.AuditFilter{}, auditing)
		wantNoActor(t, err)
	})
}

func testFindOutboxCursors(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		f.mustCreateForce("bravo")
		cursors, err := f.Store.FindOutboxCursors(f.deployment())
		ok(t, err)
		if diff := cmp.Diff(map[bluelamp.ForceID]int64{"alpha": 0, "bravo": 0}, cursors); diff != "" {
			t.Errorf("cursors (-want +got):\n%s", diff)
		}
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		_, err := f.Store.FindOutboxCursors(ctx)
		return err
	})
}

func testSaveOutboxCursors(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		f.mustCreateForce("bravo")
		before := f.head("alpha")
		ctx := f.deployment()
		ok(t, f.Store.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{"alpha": 1, "bravo": 1}))
		ok(t, f.Store.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{"alpha": 3}))
		cursors, err := f.Store.FindOutboxCursors(ctx)
		ok(t, err)
		if diff := cmp.Diff(map[bluelamp.ForceID]int64{"alpha": 3, "bravo": 1}, cursors); diff != "" {
			t.Errorf("cursors (-want +got):\n%s", diff)
		}
		f.wantNoEvents("alpha", before)
	})
	t.Run("OKNeverBack", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		ctx := f.deployment()
		ok(t, f.Store.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{"alpha": 5}))
		ok(t, f.Store.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{"alpha": 2}))
		cursors, err := f.Store.FindOutboxCursors(ctx)
		ok(t, err)
		if cursors["alpha"] != 5 {
			t.Errorf("cursor moved back to %d", cursors["alpha"])
		}
	})
	testDeploymentOnly(t, open, func(f *fixture, ctx context.Context, w *world) error {
		err := f.Store.SaveOutboxCursors(ctx, map[bluelamp.ForceID]int64{w.id: 1})
		if cursors, ferr := f.Store.FindOutboxCursors(f.deployment()); ferr != nil || cursors[w.id] != 0 {
			f.t.Errorf("after a refused save, cursors = %v, %v", cursors, ferr)
		}
		return err
	})
}

func testHoldOutboxLease(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		for range 3 {
			held, err := f.Store.HoldOutboxLease(f.deployment())
			ok(t, err)
			if !held {
				t.Fatal("the only store does not hold the outbox lease")
			}
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		for _, ac := range f.actorsOf(a) {
			_, err := f.Store.HoldOutboxLease(ac.ctx)
			wantKind(t, err, bluelamp.KindForbidden)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.HoldOutboxLease(context.Background())
		wantKind(t, err, bluelamp.KindUnauthenticated)
	})
}
