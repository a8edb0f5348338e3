package sqlstore

import (
	"context"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// goldenOfficer runs the connected officer's store methods for TestGoldenSQL.
func goldenOfficer(t *testing.T, s *Store, fc context.Context, station bluelamp.StationID) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	pc := &bluelamp.User{Username: "pc", DisplayName: "PC", CollarNumber: "4021", Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	must(s.CreateUser(fc, pc, ""))
	unit := &bluelamp.Unit{CallSign: "G9", Type: "car", StationID: station}
	must(s.CreateUnit(fc, unit))
	ctx := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: pc.ID, Username: pc.Username, ForceID: "golden", Roles: pc.Roles})
	op := &bluelamp.ClientOp{Key: "golden-op-1", RequestHash: func() []byte { return []byte("h") }}
	_, err := s.BookOn(bluelamp.WithClientOp(ctx, op), unit.ID, bluelamp.UnitUpdate{})
	must(err)
	must(s.SaveClientOpAnswer(ctx, op.Key, 200, []byte("{}")))
	_, err = s.FindClientOpAnswer(ctx, op.Key)
	must(err)
	_, err = s.FindBooking(ctx)
	must(err)
	_, err = s.BookOff(ctx)
	must(err)
}
