package storetest

import (
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testCreateForce(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		ok(t, f.Store.CreateForce(f.deployment(), &bluelamp.Force{ID: "alpha", Name: "Alpha Constabulary"}))
		events := f.wantEvents("alpha", bluelamp.Head{ForceID: "alpha"}, bluelamp.EventForceCreated)
		e := events[0]
		if e.Subject != "force/alpha" || e.ActorKind != bluelamp.ActorSystem || e.Actor != "storetest" || !e.Time.Equal(start) {
			t.Errorf("force.created event = %+v", e)
		}
		forces, err := f.Store.FindForces(f.deployment())
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Force{{ID: "alpha", Name: "Alpha Constabulary"}}, forces); diff != "" {
			t.Errorf("FindForces (-want +got):\n%s", diff)
		}
		cursors, err := f.Store.FindOutboxCursors(f.deployment())
		ok(t, err)
		if diff := cmp.Diff(map[bluelamp.ForceID]int64{"alpha": 0}, cursors); diff != "" {
			t.Errorf("outbox cursors (-want +got):\n%s", diff)
		}
		f.wantVerified()
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreateForce(t.Context(), &bluelamp.Force{ID: "alpha", Name: "Alpha"}))
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		for _, ac := range f.actorsOf(a) {
			err := f.Store.CreateForce(ac.ctx, &bluelamp.Force{ID: "charlie", Name: "Charlie"})
			if bluelamp.KindOf(err) != bluelamp.KindForbidden {
				t.Errorf("%s: got %v, want KindForbidden", ac.name, err)
			}
		}
		heads, err := f.Store.FindHeads(f.deployment())
		ok(t, err)
		if len(heads) != 1 {
			t.Errorf("after refusals there are %d forces, want 1", len(heads))
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// A force-scoped actor may not create any force, its own included;
		// here it tries to re-create another force over the existing one.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before := f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			wantKind(t, f.Store.CreateForce(ac.ctx, &bluelamp.Force{ID: b.id, Name: "Taken over"}), bluelamp.KindForbidden)
		}
		f.wantNoEvents(b.id, before)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		err := f.Store.CreateForce(f.deployment(), &bluelamp.Force{ID: "Not A Slug", Name: ""})
		wantFields(t, err, "id", "name")
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		before := f.head("alpha")
		wantKind(t, f.Store.CreateForce(f.deployment(), &bluelamp.Force{ID: "alpha", Name: "Again"}), bluelamp.KindConflict)
		f.wantNoEvents("alpha", before)
		forces, err := f.Store.FindForces(f.deployment())
		ok(t, err)
		if len(forces) != 1 || forces[0].Name != "Force alpha" {
			t.Errorf("after a conflict FindForces = %v", forces)
		}
	})
}

func testFindForces(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("bravo")
		f.mustCreateForce("alpha")
		forces, err := f.Store.FindForces(f.deployment())
		ok(t, err)
		want := []*bluelamp.Force{{ID: "alpha", Name: "Force alpha"}, {ID: "bravo", Name: "Force bravo"}}
		if diff := cmp.Diff(want, forces); diff != "" {
			t.Errorf("FindForces (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, _ := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			forces, err := f.Store.FindForces(ac.ctx)
			ok(t, err)
			if diff := cmp.Diff([]*bluelamp.Force{{ID: "alpha", Name: "Force alpha"}}, forces); diff != "" {
				t.Errorf("%s: FindForces (-want +got):\n%s", ac.name, diff)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindForces(t.Context())
		wantNoActor(t, err)
	})
}

func testFindForceByID(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		got, err := f.Store.FindForceByID(f.as(a.user), "alpha")
		ok(t, err)
		if diff := cmp.Diff(&bluelamp.Force{ID: "alpha", Name: "Force alpha"}, got); diff != "" {
			t.Errorf("FindForceByID (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		_, err := f.Store.FindForceByID(f.as(a.user), "zulu")
		wantKind(t, err, bluelamp.KindNotFound)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			got, err := f.Store.FindForceByID(ac.ctx, b.id)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, got, err)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		_, err := f.Store.FindForceByID(t.Context(), "alpha")
		wantNoActor(t, err)
	})
}

func testCreateStation(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		s := &bluelamp.Station{Code: "KX", Name: "King's Cross", Lat: 51.53, Lon: -0.12}
		ok(t, f.Store.CreateStation(f.as(a.admin), s))
		if s.ID == 0 || s.ForceID != a.id {
			t.Errorf("created station = %+v, want an id in %s", s, a.id)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventStationCreated)
		if e := events[0]; e.Subject != ref("station", s.ID) || e.ActorID != a.admin.ID || e.Actor != a.admin.Username {
			t.Errorf("station.created event = %+v", e)
		}
		stations, err := f.Store.FindStations(f.as(a.user))
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Station{a.station, s}, stations); diff != "" {
			t.Errorf("FindStations (-want +got):\n%s", diff)
		}
	})
	t.Run("OKSameCodeOtherForce", func(t *testing.T) {
		f := setup(t, open)
		b := f.populate("bravo")
		f.mustCreateForce("alpha")
		s := &bluelamp.Station{Code: b.station.Code, Name: "Another HQ"}
		ok(t, f.Store.CreateStation(f.system("alpha"), s))
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreateStation(t.Context(), &bluelamp.Station{Code: "KX", Name: "King's Cross"}))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// A station claiming another force is created in the caller's.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		before := f.head(b.id)
		for i, ac := range f.actorsOf(a) {
			s := &bluelamp.Station{ForceID: b.id, Code: "X" + string(rune('A'+i)), Name: "Intruder"}
			ok(t, f.Store.CreateStation(ac.ctx, s))
			if s.ForceID != a.id {
				t.Errorf("%s: station created in %s, want %s", ac.name, s.ForceID, a.id)
			}
		}
		f.wantNoEvents(b.id, before)
		stations, err := f.Store.FindStations(f.as(b.admin))
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Station{b.station}, stations); diff != "" {
			t.Errorf("%s stations (-want +got):\n%s", b.id, diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		err := f.Store.CreateStation(f.as(a.admin), &bluelamp.Station{Lat: 91, Lon: -181})
		wantFields(t, err, "code", "name", "lat", "lon")
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		err := f.Store.CreateStation(f.as(a.admin), &bluelamp.Station{Code: a.station.Code, Name: "Duplicate"})
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
}

func testFindStations(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		sys := f.system("alpha")
		z, b := f.mustCreateStation(sys, "ZZ"), f.mustCreateStation(sys, "BB")
		stations, err := f.Store.FindStations(sys)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Station{b, z}, stations); diff != "" {
			t.Errorf("FindStations (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, _ := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			stations, err := f.Store.FindStations(ac.ctx)
			ok(t, err)
			if diff := cmp.Diff([]*bluelamp.Station{a.station}, stations); diff != "" {
				t.Errorf("%s: FindStations (-want +got):\n%s", ac.name, diff)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindStations(t.Context())
		wantNoActor(t, err)
	})
}

func testCreateUnit(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		u := &bluelamp.Unit{CallSign: "KX21", Type: "foot patrol", StationID: a.station.ID}
		ok(t, f.Store.CreateUnit(f.as(a.admin), u))
		if u.ID == 0 || u.ForceID != a.id {
			t.Errorf("created unit = %+v, want an id in %s", u, a.id)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventUnitCreated)
		if events[0].Subject != ref("unit", u.ID) {
			t.Errorf("unit.created subject = %q", events[0].Subject)
		}
		units, err := f.Store.FindUnits(f.as(a.user))
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Unit{a.unit, u}, units); diff != "" {
			t.Errorf("FindUnits (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreateUnit(t.Context(), &bluelamp.Unit{CallSign: "A1", Type: "car", StationID: 1}))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// A unit may not be based at another force's station: the store
		// says the station does not exist, naming the field.
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB := f.head(a.id), f.head(b.id)
		for _, ac := range f.actorsOf(a) {
			err := f.Store.CreateUnit(ac.ctx, &bluelamp.Unit{CallSign: "X1", Type: "car", StationID: b.station.ID})
			wantFields(t, err, "station_id")
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		wantFields(t, f.Store.CreateUnit(f.as(a.admin), &bluelamp.Unit{}), "call_sign", "type", "station_id")
		err := f.Store.CreateUnit(f.as(a.admin), &bluelamp.Unit{CallSign: "A9", Type: "car", StationID: a.station.ID + 1000})
		wantFields(t, err, "station_id")
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before := f.head(a.id)
		err := f.Store.CreateUnit(f.as(a.admin), &bluelamp.Unit{CallSign: a.unit.CallSign, Type: "van", StationID: a.station.ID})
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
}

func testFindUnits(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		f.mustCreateForce("alpha")
		sys := f.system("alpha")
		s := f.mustCreateStation(sys, "HQ")
		b2, a1 := f.mustCreateUnit(sys, s.ID, "B2"), f.mustCreateUnit(sys, s.ID, "A1")
		units, err := f.Store.FindUnits(sys)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Unit{a1, b2}, units); diff != "" {
			t.Errorf("FindUnits (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, _ := f.populate("alpha"), f.populate("bravo")
		for _, ac := range f.actorsOf(a) {
			units, err := f.Store.FindUnits(ac.ctx)
			ok(t, err)
			if diff := cmp.Diff([]*bluelamp.Unit{a.unit}, units); diff != "" {
				t.Errorf("%s: FindUnits (-want +got):\n%s", ac.name, diff)
			}
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindUnits(t.Context())
		wantNoActor(t, err)
	})
}

func testPing(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		ok(t, f.Store.Ping(t.Context()))
	})
}
