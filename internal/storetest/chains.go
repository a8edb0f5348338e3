package storetest

import (
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testVerifyChains(t *testing.T, open Opener) {
	t.Run("OKEmpty", func(t *testing.T) {
		f := setup(t, open)
		reports, err := f.Store.VerifyChains(f.deployment())
		ok(t, err)
		if len(reports) != 0 {
			t.Errorf("reports of an empty store = %+v", reports)
		}
		f.mustCreateForce("alpha")
		reports = f.wantVerified()
		want := []bluelamp.ChainReport{
			{ForceID: "alpha", Chain: bluelamp.ChainEvents, Count: 1, Head: f.head("alpha").Hash},
			{ForceID: "alpha", Chain: bluelamp.ChainAudit, Count: 0},
		}
		if diff := cmp.Diff(want, reports); diff != "" {
			t.Errorf("reports (-want +got):\n%s", diff)
		}
	})
	t.Run("OKBusy", func(t *testing.T) {
		f := setup(t, open)
		worlds := []*world{f.populate("alpha"), f.populate("bravo")}
		var fns []func()
		for _, w := range worlds {
			admin, sys := f.as(w.admin), f.system(w.id)
			for i := range 20 {
				fns = append(fns,
					func() {
						_, _ = f.Store.AppendEvent(sys, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]int{"i": i})
					},
					func() { _, _, _ = f.Store.FindUsers(admin, bluelamp.UserFilter{}, consult) },
					func() {
						if i%2 == 0 {
							_ = f.Store.GrantRole(admin, w.user.ID, bluelamp.RoleController)
						} else {
							_ = f.Store.RevokeRole(admin, w.user.ID, bluelamp.RoleController)
						}
					},
					func() {
						_ = f.Store.CreateOfficer(admin, &bluelamp.Officer{CollarNumber: "B" + string(rune('A'+i)), Name: "Busy", Rank: "PC", StationID: w.station.ID})
					},
					func() {
						_ = f.Store.RecordSignInFailure(f.deployment(), &bluelamp.Credential{UserID: w.user.ID, ForceID: w.id}, bluelamp.LockPolicy{})
					},
				)
			}
		}
		together(fns...)
		reports := f.wantVerified()
		if len(reports) != 4 {
			t.Fatalf("%d reports, want 4", len(reports))
		}
		for _, r := range reports {
			want := f.head(r.ForceID).Seq
			if r.Chain == bluelamp.ChainAudit {
				want = f.auditMark(r.ForceID) - 1
			}
			if r.Count != want {
				t.Errorf("%s %s chain: count %d, want %d", r.ForceID, r.Chain, r.Count, want)
			}
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, _ := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			reports, err := f.Store.VerifyChains(ac.ctx)
			ok(t, err)
			if len(reports) != 2 {
				t.Errorf("%s: %d reports, want 2", ac.name, len(reports))
			}
			for _, r := range reports {
				if r.ForceID != a.id || !r.OK() {
					t.Errorf("%s: report %+v", ac.name, r)
				}
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.VerifyChains(t.Context())
		wantNoActor(t, err)
	})
}
