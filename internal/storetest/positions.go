package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

func report(u bluelamp.UnitID, lat float64, at time.Time) bluelamp.PositionReport {
	speed := 12.5
	return bluelamp.PositionReport{UnitID: u, Lat: lat, Lon: -0.12, Accuracy: 5, Speed: &speed, At: at, Source: "app"}
}

func testQueuePositions(t *testing.T, open Opener) {
	t.Run("BreadcrumbsLastFixAndCrossings", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		before := f.head(a.id)
		b := &bluelamp.PositionBatch{
			Reports: []bluelamp.PositionReport{report(a.unit.ID, 51.50, start.Add(time.Second)), report(a.unit.ID, 51.51, start.Add(2*time.Second))},
			Crossings: []bluelamp.GeofenceCrossing{{UnitID: a.unit.ID, CallSign: "A1", GeofenceID: 0, Kind: bluelamp.GeofenceForceArea,
				Geofence: "force area", Entered: true, At: start.Add(time.Second), Position: bluelamp.Position{Lat: 51.5, Lon: -0.12}}},
		}
		wait, err := f.Store.QueuePositions(a.ctx, b)
		ok(t, err)
		ok(t, wait())
		f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventGeofenceEntered, subject: ref("unit", a.unit.ID), raw: func(e *bluelamp.Event) {
			var c bluelamp.GeofenceCrossing
			ok(t, json.Unmarshal(e.Payload, &c))
			if c != b.Crossings[0] {
				t.Errorf("crossing event carries %+v, want %+v", c, b.Crossings[0])
			}
		}})
		u := f.unit(a.ctx, a.unit.ID)
		if u.Position == nil || u.Position.Lat != 51.51 || !u.PositionAt.Equal(start.Add(2*time.Second)) {
			t.Errorf("last known position %v at %v", u.Position, u.PositionAt)
		}
		// A later batch with an older fix (another device) keeps the newest
		// as last known; one fix already held is reported as held.
		b2 := &bluelamp.PositionBatch{
			Reports: []bluelamp.PositionReport{report(a.unit.ID, 51.40, start.Add(1500*time.Millisecond))},
			Older:   []bluelamp.PositionReport{report(a.unit.ID, 51.50, start.Add(time.Second)), report(a.unit.ID, 51.60, start.Add(500*time.Millisecond))},
		}
		wait, err = f.Store.QueuePositions(a.ctx, b2)
		ok(t, err)
		ok(t, wait())
		if !slices.Equal(b2.Held, []bool{true, false}) {
			t.Errorf("held = %v, want [true false]", b2.Held)
		}
		if u := f.unit(a.ctx, a.unit.ID); u.Position.Lat != 51.51 {
			t.Errorf("an older fix moved the last known position to %v", u.Position)
		}
		track, err := f.Store.FindTrack(a.ctx, a.unit.ID, start, start.Add(time.Minute), 100, bluelamp.Justification{Reason: "OTHER", Text: "test"})
		ok(t, err)
		if len(track) != 3 || track[0].Lat != 51.50 || track[1].Lat != 51.40 || *track[2].Speed != 12.5 || track[2].Source != "app" {
			t.Errorf("track %+v", track)
		}
	})
	t.Run("ReplayedReportsAreHeldOnce", func(t *testing.T) {
		f := setup(t, open)
		a := f.cadForce("alpha")
		for range 2 {
			wait, err := f.Store.QueuePositions(a.ctx, &bluelamp.PositionBatch{Reports: []bluelamp.PositionReport{report(a.unit.ID, 51.5, start)}})
			ok(t, err)
			ok(t, wait())
		}
		track, err := f.Store.FindTrack(a.ctx, a.unit.ID, start, start.Add(time.Minute), 100, bluelamp.Justification{Reason: "OTHER", Text: "test"})
		ok(t, err)
		if len(track) != 1 {
			t.Errorf("track holds %d fixes", len(track))
		}
	})
}

func testFindTrack(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	b := f.cadForce("bravo")
	wait, err := f.Store.QueuePositions(a.ctx, &bluelamp.PositionBatch{Reports: []bluelamp.PositionReport{report(a.unit.ID, 51.5, start)}})
	ok(t, err)
	ok(t, wait())
	_, err = f.Store.FindTrack(a.ctx, a.unit.ID, start, start.Add(time.Minute), 10, bluelamp.Justification{})
	wantKind(t, err, bluelamp.KindInvalid)
	// Another force's unit is not found, and its track is not read.
	_, err = f.Store.FindTrack(b.ctx, a.unit.ID, start, start.Add(time.Minute), 10, bluelamp.Justification{Reason: "OTHER", Text: "x"})
	wantKind(t, err, bluelamp.KindNotFound)
	j := bluelamp.Justification{Reason: "INVESTIGATION", Text: "complaint"}
	_, err = f.Store.FindTrack(a.ctx, a.unit.ID, start, start.Add(time.Minute), 10, j)
	ok(t, err)
	recs, _, err := f.Store.FindAuditRecords(f.as(a.admin), bluelamp.AuditFilter{Subject: new(ref("unit", a.unit.ID))}, j)
	ok(t, err)
	if len(recs) != 1 || recs[0].Action != bluelamp.AuditConsultation || recs[0].What != "unit.track" || recs[0].Justification.Reason != "INVESTIGATION" {
		t.Errorf("audit records %+v", recs)
	}
}

func testPrunePositions(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	b := f.cadForce("bravo")
	old, recent := start.Add(-100*24*time.Hour), start.Add(-time.Hour)
	for _, w := range []*cadForce{a, b} {
		wait, err := f.Store.QueuePositions(w.ctx, &bluelamp.PositionBatch{Reports: []bluelamp.PositionReport{report(w.unit.ID, 51.5, old), report(w.unit.ID, 51.5, recent)}})
		ok(t, err)
		ok(t, wait())
	}
	before := f.head(a.id)
	n, err := f.Store.PrunePositions(a.ctx)
	ok(t, err)
	if n != 1 {
		t.Errorf("pruned %d, want 1 (the default retention is 90 days)", n)
	}
	f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventPositionsPruned, subject: "positions", raw: func(e *bluelamp.Event) {
		if p := payloadOf(t, e); p["deleted"] != 1.0 {
			t.Errorf("positions.pruned carries %v", p)
		}
	}})
	j := bluelamp.Justification{Reason: "OTHER", Text: "x"}
	for _, w := range []*cadForce{a, b} {
		track, err := f.Store.FindTrack(w.ctx, w.unit.ID, old.Add(-time.Hour), start, 10, j)
		ok(t, err)
		if want := map[bluelamp.ForceID]int{"alpha": 1, "bravo": 2}[w.id]; len(track) != want {
			t.Errorf("%s keeps %d fixes, want %d: pruning crossed the force boundary", w.id, len(track), want)
		}
	}
	// Nothing more to prune: no event.
	before = f.head(a.id)
	n, err = f.Store.PrunePositions(a.ctx)
	ok(t, err)
	if n != 0 {
		t.Errorf("pruned %d again", n)
	}
	f.wantNoEventsSince(before)
}

func testGeofences(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.cadForce("alpha")
	b := f.cadForce("bravo")
	ring := [][2]float64{{-0.13, 51.50}, {-0.12, 51.50}, {-0.12, 51.51}, {-0.13, 51.51}, {-0.13, 51.50}}
	before := f.head(a.id)
	err := f.Store.CreateGeofence(a.ctx, &bluelamp.Geofence{Name: "", Boundary: ring[:3]})
	wantErrFields(t, err, "name", "boundary")
	err = f.Store.CreateGeofence(a.ctx, &bluelamp.Geofence{Name: "open ring", Boundary: ring[:4]})
	wantErrFields(t, err, "boundary")
	f.wantNoEventsSince(before)
	g := &bluelamp.Geofence{Name: "Stadium", Boundary: ring}
	ok(t, f.Store.CreateGeofence(a.ctx, g))
	if g.ID == 0 || g.Kind != bluelamp.GeofenceZone || g.CreatedBy == "" || !g.CreatedAt.Equal(start) {
		t.Errorf("created %+v", g)
	}
	f.wantCAD(a.id, before, eventWant{typ: bluelamp.EventGeofenceCreated, subject: ref("geofence", g.ID), raw: func(e *bluelamp.Event) {
		if p := payloadOf(t, e); p["name"] != "Stadium" {
			t.Errorf("geofence.created carries %v", p)
		}
	}})
	got, err := f.Store.FindGeofences(a.ctx)
	ok(t, err)
	if len(got) != 1 || got[0].Name != "Stadium" || len(got[0].Boundary) != 5 {
		t.Errorf("geofences %+v", got)
	}
	if other, err := f.Store.FindGeofences(b.ctx); err != nil || len(other) != 0 {
		t.Errorf("bravo sees %v (%v)", other, err)
	}
	wantKind(t, f.Store.ArchiveGeofence(b.ctx, g.ID), bluelamp.KindNotFound)
	ok(t, f.Store.ArchiveGeofence(a.ctx, g.ID))
	wantKind(t, f.Store.ArchiveGeofence(a.ctx, g.ID), bluelamp.KindNotFound)
	if got, _ := f.Store.FindGeofences(a.ctx); len(got) != 0 {
		t.Errorf("archived zone still listed: %+v", got)
	}
}
