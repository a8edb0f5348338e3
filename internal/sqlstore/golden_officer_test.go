package sqlstore

import (
	"context"
	"testing"
	"time"

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

	now := s.Now()
	wait, err := s.QueuePositions(fc, &bluelamp.PositionBatch{
		Reports:   []bluelamp.PositionReport{{UnitID: unit.ID, Lat: 51, Lon: -1, At: now, Source: "app"}},
		Older:     []bluelamp.PositionReport{{UnitID: unit.ID, Lat: 51, Lon: -1, At: now.Add(-time.Second)}},
		Crossings: []bluelamp.GeofenceCrossing{{UnitID: unit.ID, CallSign: "G9", Entered: true, At: now}},
	})
	must(err)
	must(wait())
	_, err = s.FindTrack(fc, unit.ID, now.Add(-time.Hour), now.Add(time.Hour), 10, bluelamp.Justification{Reason: "AUDIT", Text: "golden"})
	must(err)
	_, err = s.PrunePositions(fc)
	must(err)
	g := &bluelamp.Geofence{Name: "G", Boundary: [][2]float64{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	must(s.CreateGeofence(fc, g))
	_, err = s.FindGeofences(fc)
	must(err)
	must(s.ArchiveGeofence(fc, g.ID))
}
