package storetest

import (
	"errors"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func testCreateOfficer(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.admin)
		o := &bluelamp.Officer{CollarNumber: "AB42", Name: "Sam Patel", Rank: "Sergeant", StationID: a.station.ID}
		ok(t, f.Store.CreateOfficer(ctx, o))
		if o.ID == 0 || o.ForceID != a.id {
			t.Errorf("created officer = %+v, want an id in %s", o, a.id)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventOfficerCreated)
		if events[0].Subject != ref("officer", o.ID) {
			t.Errorf("officer.created subject = %q", events[0].Subject)
		}
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("officer", o.ID)}})
	})
	t.Run("OKSameCollarOtherForce", func(t *testing.T) {
		f := setup(t, open)
		b := f.populate("bravo")
		f.mustCreateForce("alpha")
		sys := f.system("alpha")
		s := f.mustCreateStation(sys, "HQ")
		ok(t, f.Store.CreateOfficer(sys, &bluelamp.Officer{CollarNumber: b.officer.CollarNumber, Name: "Twin", Rank: "PC", StationID: s.ID}))
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		err := f.Store.CreateOfficer(t.Context(), &bluelamp.Officer{CollarNumber: "1", Name: "N", Rank: "PC", StationID: 1})
		wantNoActor(t, err)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		beforeA, beforeB, markA, markB := f.head(a.id), f.head(b.id), f.auditMark(a.id), f.auditMark(b.id)
		for _, ac := range f.actorsOf(a) {
			err := f.Store.CreateOfficer(ac.ctx, &bluelamp.Officer{CollarNumber: "999", Name: "Intruder", Rank: "PC", StationID: b.station.ID})
			wantFields(t, err, "station_id")
		}
		f.wantNoEvents(a.id, beforeA)
		f.wantNoEvents(b.id, beforeB)
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		err := f.Store.CreateOfficer(f.as(a.admin), &bluelamp.Officer{CollarNumber: "lower case"})
		wantFields(t, err, "collar_number", "name", "rank", "station_id")
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		err := f.Store.CreateOfficer(f.as(a.admin), &bluelamp.Officer{CollarNumber: a.officer.CollarNumber, Name: "Dup", Rank: "PC", StationID: a.station.ID})
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
}

func testFindOfficers(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		o2 := f.mustCreateOfficer(f.system(a.id), a.station.ID, "0007")
		before, mark := f.head(a.id), f.auditMark(a.id)
		ctx := f.as(a.user)
		officers, err := f.Store.FindOfficers(ctx, consult)
		ok(t, err)
		if diff := cmp.Diff([]*bluelamp.Officer{o2, a.officer}, officers); diff != "" {
			t.Errorf("FindOfficers (-want +got):\n%s", diff)
		}
		f.wantAudit(a.id, mark, ctx, auditWant{action: bluelamp.AuditConsultation,
			subjects: []string{ref("officer", o2.ID), ref("officer", a.officer.ID)}, j: &consult})
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		mark := f.auditMark(a.id)
		officers, err := f.Store.FindOfficers(f.as(a.user), bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) || officers != nil {
			t.Fatalf("got %v, %v; want ErrJustificationRequired", officers, err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.populate("alpha")
		mark := f.auditMark(a.id)
		_, err := f.Store.FindOfficers(f.as(a.user), bluelamp.Justification{Reason: "CURIOSITY"})
		wantFields(t, err, "reason")
		_, err = f.Store.FindOfficers(f.as(a.user), bluelamp.Justification{Reason: "OTHER"})
		wantFields(t, err, "justification")
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.populate("alpha"), f.populate("bravo")
		markB := f.auditMark(b.id)
		for _, ac := range f.actorsOf(a) {
			officers, err := f.Store.FindOfficers(ac.ctx, consult)
			ok(t, err)
			if diff := cmp.Diff([]*bluelamp.Officer{a.officer}, officers); diff != "" {
				t.Errorf("%s: FindOfficers (-want +got):\n%s", ac.name, diff)
			}
		}
		// The consultation is recorded in the reader's force, not the other's.
		f.wantNoAudit(b.id, markB)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.FindOfficers(t.Context(), consult)
		wantNoActor(t, err)
	})
}
