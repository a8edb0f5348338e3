package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Record checks (issue 4): person, vehicle and location records with
// warning markers. Every search and view needs a justification and is
// audited naming what it returned; another force's records are never found.

// check is the justification of the record checks below.
var check = bluelamp.Justification{Reason: "STOP", IncidentRef: "INC-2030-0042"}

// recordForce is a force with an officer who checks records, as the tests
// below act.
type recordForce struct {
	*world
	officer *bluelamp.User
	ctx     context.Context // the officer
}

func (f *fixture) recordForce(id bluelamp.ForceID) *recordForce {
	f.t.Helper()
	w := f.populate(id)
	o := f.mustCreateUser(id, "pc", bluelamp.RoleResponseOfficer)
	return &recordForce{world: w, officer: o, ctx: f.as(o)}
}

func marker(code bluelamp.MarkerCode, date bluelamp.Date) bluelamp.Marker {
	return bluelamp.Marker{Code: code, Date: date, Source: "PNC", Detail: "detail of " + string(code)}
}

func newPerson(ref, surname, forenames string, dob bluelamp.Date, markers ...bluelamp.Marker) *bluelamp.Person {
	return &bluelamp.Person{Reference: ref, Surname: surname, Forenames: forenames, DateOfBirth: dob, Sex: bluelamp.SexMale, Markers: markers}
}

func (f *fixture) mustCreatePerson(ctx context.Context, p *bluelamp.Person) *bluelamp.Person {
	f.t.Helper()
	ok(f.t, f.Store.CreatePerson(ctx, p))
	return p
}

func (f *fixture) mustCreateVehicle(ctx context.Context, v *bluelamp.Vehicle) *bluelamp.Vehicle {
	f.t.Helper()
	ok(f.t, f.Store.CreateVehicle(ctx, v))
	return v
}

func (f *fixture) mustCreateLocationRecord(ctx context.Context, l *bluelamp.LocationRecord) *bluelamp.LocationRecord {
	f.t.Helper()
	ok(f.t, f.Store.CreateLocationRecord(ctx, l))
	return l
}

// recordOpts compares records as stored with records as read.
var recordOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(0)}

func personIDs(ps []*bluelamp.Person) []bluelamp.PersonID {
	var ids []bluelamp.PersonID
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func testCreatePerson(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		p := newPerson("01/123456X", " o'Brien ", "Seán Patrick", "1990-02-03",
			marker("MH", "2029-01-01"), marker("FI", "2028-05-05"), marker("VI", "2029-06-06"))
		p.Aliases = []bluelamp.PersonName{{Surname: "Bryan", Forenames: "Shaun"}}
		p.Addresses = []bluelamp.PersonAddress{{Address: "1 Durnover Lane, Casterbridge", Postcode: "dt11aa"}}
		f.mustCreatePerson(f.system(a.id), p)
		if p.ID == 0 || p.ForceID != a.id || p.Version != 1 || !p.CreatedAt.Equal(start) || p.Surname != "o'Brien" ||
			p.Sex != bluelamp.SexMale || p.Addresses[0].Postcode != "DT1 1AA" {
			t.Fatalf("created %+v", p)
		}
		// Highest severity first, officer safety first within it, newest first.
		var codes []bluelamp.MarkerCode
		for _, m := range p.Markers {
			codes = append(codes, m.Code)
		}
		if diff := cmp.Diff([]bluelamp.MarkerCode{"VI", "FI", "MH"}, codes); diff != "" {
			t.Errorf("marker order (-want +got):\n%s", diff)
		}
		if m := p.Markers[1]; m.Label != "Firearms" || m.Severity != bluelamp.LevelHigh || !m.OfficerSafety {
			t.Errorf("FI marker = %+v", m)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventPersonCreated)
		if e := events[0]; e.Subject != ref("person", p.ID) || e.Classification != bluelamp.ClassOfficialSensitive || !e.Type.Info().Personal {
			t.Errorf("event = %+v", e)
		}
		f.wantAudit(a.id, mark, f.system(a.id), auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("person", p.ID)}})
		got, err := f.Store.FindPersonByID(a.ctx, p.ID, check)
		ok(t, err)
		if diff := cmp.Diff(p, got, recordOpts); diff != "" {
			t.Errorf("read back (-created +read):\n%s", diff)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		p := &bluelamp.Person{Reference: "bad ref", Surname: "123", DateOfBirth: "2031-01-01", Sex: "X",
			Addresses: []bluelamp.PersonAddress{{Address: "", Postcode: "nope"}},
			Markers:   []bluelamp.Marker{{Code: "STOLEN", Date: "2029-01-01", Source: "x"}, {Code: "ZZ"}}}
		err := f.Store.CreatePerson(f.system(a.id), p)
		wantFields(t, err, "reference", "surname", "date_of_birth", "sex", "addresses[0].address", "addresses[0].postcode",
			"markers[0].code", "markers[1].code", "markers[1].source", "markers[1].date")
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		first := f.mustCreatePerson(f.system(a.id), newPerson("REF1", "Henchard", "Michael", ""))
		before := f.head(a.id)
		err := f.Store.CreatePerson(f.system(a.id), newPerson("REF1", "Farfrae", "Donald", ""))
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
		// A reference is unique in its force only.
		other := f.mustCreatePerson(f.system(b.id), newPerson("REF1", "Farfrae", "Donald", ""))
		if other.ID == first.ID {
			t.Fatalf("both forces' persons have id %d", other.ID)
		}
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		wantNoActor(t, f.Store.CreatePerson(t.Context(), newPerson("R", "Oak", "Gabriel", "")))
	})
}

func testUpdatePerson(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		p := newPerson("R1", "Troy", "Francis", "1985-01-01")
		p.Aliases = []bluelamp.PersonName{{Surname: "Smith", Forenames: "Frank"}}
		f.mustCreatePerson(f.system(a.id), p)
		f.clock.Advance(day)
		before, mark := f.head(a.id), f.auditMark(a.id)
		upd := newPerson("R1", "Troy", "Francis", "1985-01-01", marker("WE", "2030-03-01"))
		upd.ID, upd.Version = p.ID, 1
		upd.Aliases = []bluelamp.PersonName{{Surname: "Robin", Forenames: "Frank"}}
		ok(t, f.Store.UpdatePerson(f.system(a.id), upd))
		if upd.Version != 2 || !upd.CreatedAt.Equal(start) || !upd.UpdatedAt.Equal(start.Add(day)) || len(upd.Markers) != 1 {
			t.Fatalf("updated %+v", upd)
		}
		f.wantEvents(a.id, before, bluelamp.EventPersonUpdated)
		f.wantAudit(a.id, mark, f.system(a.id), auditWant{action: bluelamp.AuditAlteration, subjects: []string{ref("person", p.ID)}})
		// The names are indexed afresh: the new alias is found, the old not.
		for surname, want := range map[string]int{"Robin": 1, "Smith": 0, "Troy": 1} {
			got, total, err := f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: surname}, check)
			ok(t, err)
			if len(got) != want || total != want {
				t.Errorf("search %s after update: %d found (total %d), want %d", surname, len(got), total, want)
			}
		}
	})
	t.Run("ErrVersionConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		p := f.mustCreatePerson(f.system(a.id), newPerson("R1", "Troy", "Francis", ""))
		before := f.head(a.id)
		stale := newPerson("R1", "Troy", "Frank", "")
		stale.ID, stale.Version = p.ID, 7
		err := f.Store.UpdatePerson(f.system(a.id), stale)
		wantKind(t, err, bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		p := f.mustCreatePerson(f.system(a.id), newPerson("R1", "Troy", "Francis", ""))
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			upd := newPerson("R9", "Troy", "Frank", "")
			upd.ID = p.ID
			f.refused(f.Store.UpdatePerson(ac.ctx, upd), bluelamp.KindNotFound, heads...)
		}
	})
}

func testFindPersons(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		sys := f.system(a.id)
		john := f.mustCreatePerson(sys, newPerson("P1", "Smith", "John", "1990-01-01", marker("VI", "2029-01-01")))
		jane := f.mustCreatePerson(sys, newPerson("P2", "SMITH", "Jane Ann", "1992-02-02"))
		smyth := f.mustCreatePerson(sys, newPerson("P3", "Smyth", "Jack", "1990-01-01"))
		alias := newPerson("P4", "Jones", "Bob", "")
		alias.Aliases = []bluelamp.PersonName{{Surname: "Smith", Forenames: "Robert"}}
		f.mustCreatePerson(sys, alias)
		double := f.mustCreatePerson(sys, newPerson("P5", "Smith-Jones", "John", ""))
		tests := []struct {
			name   string
			filter bluelamp.PersonFilter
			want   []bluelamp.PersonID
		}{
			// Ordered by the name each is recorded under, aliases or not.
			{"Surname", bluelamp.PersonFilter{Surname: "smith"}, []bluelamp.PersonID{alias.ID, jane.ID, john.ID}},
			{"SurnamePrefix", bluelamp.PersonFilter{Surname: "Sm*"}, []bluelamp.PersonID{alias.ID, jane.ID, john.ID, double.ID, smyth.ID}},
			{"ForenamePrefix", bluelamp.PersonFilter{Surname: "Smith", Forename: "j"}, []bluelamp.PersonID{jane.ID, john.ID}},
			{"ForenameFull", bluelamp.PersonFilter{Surname: "Smith", Forename: "Jane Ann"}, []bluelamp.PersonID{jane.ID}},
			{"DateOfBirth", bluelamp.PersonFilter{Surname: "Sm*", DateOfBirth: new(bluelamp.Date("1990-01-01"))}, []bluelamp.PersonID{john.ID, smyth.ID}},
			{"Alias", bluelamp.PersonFilter{Surname: "Smith", Forename: "Rob"}, []bluelamp.PersonID{alias.ID}},
			{"Punctuation", bluelamp.PersonFilter{Surname: "smith jones"}, []bluelamp.PersonID{double.ID}},
			{"None", bluelamp.PersonFilter{Surname: "Henchard"}, nil},
		}
		for _, tc := range tests {
			mark := f.auditMark(a.id)
			got, total, err := f.Store.FindPersons(a.ctx, tc.filter, check)
			ok(t, err)
			if diff := cmp.Diff(tc.want, personIDs(got), cmpopts.EquateEmpty()); diff != "" || total != len(tc.want) {
				t.Errorf("%s: total %d, ids (-want +got):\n%s", tc.name, total, diff)
			}
			var refs []string
			for _, id := range tc.want {
				refs = append(refs, ref("person", id))
			}
			r := f.wantAudit(a.id, mark, a.ctx, auditWant{action: bluelamp.AuditConsultation, subjects: refs, j: &check})
			if r.What == "" {
				t.Errorf("%s: audit record says nothing of the search", tc.name)
			}
		}
		// Markers come first and in order in what a search returns.
		got, _, err := f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Smith", Forename: "John"}, check)
		ok(t, err)
		if len(got) != 1 || len(got[0].Markers) != 1 || got[0].Markers[0].Code != "VI" {
			t.Fatalf("found %+v", got)
		}
		// Paging: the total counts every match.
		page, total, err := f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Sm*", Offset: 1, Limit: 2}, check)
		ok(t, err)
		if diff := cmp.Diff([]bluelamp.PersonID{jane.ID, john.ID}, personIDs(page)); diff != "" || total != 5 {
			t.Errorf("page: total %d (-want +got):\n%s", total, diff)
		}
		page, total, err = f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Sm*", Offset: 10}, check)
		ok(t, err)
		if len(page) != 0 || total != 5 {
			t.Errorf("page past the end: %d, total %d", len(page), total)
		}
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		f.mustCreatePerson(f.system(a.id), newPerson("P1", "Smith", "John", ""))
		mark := f.auditMark(a.id)
		got, _, err := f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Smith"}, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) || got != nil {
			t.Fatalf("got %v, %v; want ErrJustificationRequired", got, err)
		}
		_, _, err = f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Smith"}, bluelamp.Justification{Reason: "NOSY"})
		wantFields(t, err, "reason")
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		mark := f.auditMark(a.id)
		for _, tc := range []struct {
			filter bluelamp.PersonFilter
			fields []string
		}{
			{bluelamp.PersonFilter{}, []string{"surname"}},
			{bluelamp.PersonFilter{Surname: "S*"}, []string{"surname"}},
			{bluelamp.PersonFilter{Surname: "*"}, []string{"surname"}},
			{bluelamp.PersonFilter{Surname: "S*m"}, []string{"surname"}},
			{bluelamp.PersonFilter{Surname: "Smith", Forename: "J*", DateOfBirth: new(bluelamp.Date("1990-02-30")), Limit: 1000}, []string{"forename", "dob", "limit"}},
		} {
			_, _, err := f.Store.FindPersons(a.ctx, tc.filter, check)
			wantFields(t, err, tc.fields...)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		f.mustCreatePerson(f.system(a.id), newPerson("P1", "Smith", "John", ""))
		markA := f.auditMark(a.id)
		for _, ac := range f.actorsOf(b.world) {
			got, total, err := f.Store.FindPersons(ac.ctx, bluelamp.PersonFilter{Surname: "Smith"}, check)
			ok(t, err)
			if len(got) != 0 || total != 0 {
				t.Errorf("%s found another force's persons: %+v", ac.name, got)
			}
		}
		f.wantNoAudit(a.id, markA)
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, _, err := f.Store.FindPersons(t.Context(), bluelamp.PersonFilter{Surname: "Smith"}, check)
		wantNoActor(t, err)
	})
}

func testFindPersonByID(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		p := f.mustCreatePerson(f.system(a.id), newPerson("P1", "Smith", "John", "", marker("SU", "2029-01-01")))
		mark := f.auditMark(a.id)
		got, err := f.Store.FindPersonByID(a.ctx, p.ID, check)
		ok(t, err)
		if diff := cmp.Diff(p, got, recordOpts); diff != "" {
			t.Errorf("(-created +read):\n%s", diff)
		}
		f.wantAudit(a.id, mark, a.ctx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{ref("person", p.ID)}, j: &check})
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		p := f.mustCreatePerson(f.system(a.id), newPerson("P1", "Smith", "John", ""))
		mark := f.auditMark(a.id)
		_, err := f.Store.FindPersonByID(a.ctx, p.ID, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Fatalf("got %v, want ErrJustificationRequired", err)
		}
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		p := f.mustCreatePerson(f.system(a.id), newPerson("P1", "Smith", "John", ""))
		markA, markB := f.auditMark(a.id), f.auditMark(b.id)
		for _, ac := range f.actorsOf(b.world) {
			got, err := f.Store.FindPersonByID(ac.ctx, p.ID, check)
			if bluelamp.KindOf(err) != bluelamp.KindNotFound || got != nil {
				t.Errorf("%s: got %v, %v; want KindNotFound", ac.name, got, err)
			}
		}
		f.wantNoAudit(a.id, markA)
		f.wantNoAudit(b.id, markB)
	})
}

func testCreateVehicle(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		keeper := f.mustCreatePerson(f.system(a.id), newPerson("K1", "Everdene", "Bathsheba", "", marker("FI", "2029-01-01")))
		before, mark := f.head(a.id), f.auditMark(a.id)
		v := &bluelamp.Vehicle{Reference: "V1", VRM: "ab51 abc", Make: "Ford", Model: "Focus", Colour: "Blue", KeeperRef: "K1",
			Markers: []bluelamp.Marker{marker("NO_MOT", "2030-01-01"), marker("STOLEN", "2030-02-01")}}
		f.mustCreateVehicle(f.system(a.id), v)
		if v.ID == 0 || v.VRM != "AB51ABC" || v.KeeperID != keeper.ID || v.Version != 1 || v.Markers[0].Code != "STOLEN" {
			t.Fatalf("created %+v", v)
		}
		f.wantEvents(a.id, before, bluelamp.EventVehicleCreated)
		f.wantAudit(a.id, mark, f.system(a.id), auditWant{action: bluelamp.AuditCollection,
			records: []string{ref("vehicle", v.ID)}, subjects: []string{ref("vehicle", v.ID), ref("person", keeper.ID)}})
		// By keeper id too, which fills in the keeper's reference.
		w := f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "A123 BCD", KeeperID: keeper.ID})
		if w.KeeperRef != "K1" {
			t.Errorf("keeper by id: %+v", w)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		theirs := f.mustCreatePerson(f.system(b.id), newPerson("K1", "Everdene", "Bathsheba", ""))
		before := f.head(a.id)
		for _, tc := range []struct {
			v      *bluelamp.Vehicle
			fields []string
		}{
			{&bluelamp.Vehicle{VRM: "NOT A PLATE"}, []string{"vrm"}},
			{&bluelamp.Vehicle{VRM: "AB51ABC", Markers: []bluelamp.Marker{marker("MH", "2029-01-01")}}, []string{"markers[0].code"}},
			// Another force's person is no keeper, by id or by reference.
			{&bluelamp.Vehicle{VRM: "AB51ABC", KeeperID: theirs.ID}, []string{"keeper_id"}},
			{&bluelamp.Vehicle{VRM: "AB51ABC", KeeperRef: "K1"}, []string{"keeper_ref"}},
		} {
			wantFields(t, f.Store.CreateVehicle(f.system(a.id), tc.v), tc.fields...)
		}
		f.wantNoEvents(a.id, before)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "AB51ABC"})
		before := f.head(a.id)
		wantKind(t, f.Store.CreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "ab51 abc"}), bluelamp.KindConflict)
		f.wantNoEvents(a.id, before)
	})
}

func testUpdateVehicle(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		k := f.mustCreatePerson(f.system(a.id), newPerson("K1", "Everdene", "Bathsheba", ""))
		v := f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{Reference: "V1", VRM: "AB51ABC", KeeperID: k.ID})
		before, mark := f.head(a.id), f.auditMark(a.id)
		upd := &bluelamp.Vehicle{ID: v.ID, Reference: "V1", VRM: "AB51ABD", Colour: "Red", Markers: []bluelamp.Marker{marker("ANPR", "2030-01-01")}}
		ok(t, f.Store.UpdateVehicle(f.system(a.id), upd))
		if upd.Version != 2 || upd.KeeperID != 0 || upd.VRM != "AB51ABD" {
			t.Fatalf("updated %+v", upd)
		}
		f.wantEvents(a.id, before, bluelamp.EventVehicleUpdated)
		// The keeper it had is a subject of the alteration.
		f.wantAudit(a.id, mark, f.system(a.id), auditWant{action: bluelamp.AuditAlteration,
			records: []string{ref("vehicle", v.ID)}, subjects: []string{ref("vehicle", v.ID), ref("person", k.ID)}})
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		v := f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "AB51ABC"})
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			f.refused(f.Store.UpdateVehicle(ac.ctx, &bluelamp.Vehicle{ID: v.ID, VRM: "AB51ABC"}), bluelamp.KindNotFound, heads...)
		}
	})
}

func testFindVehicles(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		sys := f.system(a.id)
		k := f.mustCreatePerson(sys, newPerson("K1", "Everdene", "Bathsheba", "", marker("WE", "2029-01-01")))
		v1 := f.mustCreateVehicle(sys, &bluelamp.Vehicle{VRM: "AB51ABC", KeeperID: k.ID, Markers: []bluelamp.Marker{marker("STOLEN", "2030-01-01")}})
		v2 := f.mustCreateVehicle(sys, &bluelamp.Vehicle{VRM: "AB51ABD"})
		v3 := f.mustCreateVehicle(sys, &bluelamp.Vehicle{VRM: "XY12ABC"})
		tests := []struct {
			vrm      string
			want     []bluelamp.VehicleID
			subjects []string
		}{
			{"ab51 abc", []bluelamp.VehicleID{v1.ID}, []string{ref("vehicle", v1.ID), ref("person", k.ID)}},
			{"AB51AB?", []bluelamp.VehicleID{v1.ID, v2.ID}, []string{ref("vehicle", v1.ID), ref("person", k.ID), ref("vehicle", v2.ID)}},
			{"*ABC", []bluelamp.VehicleID{v1.ID, v3.ID}, []string{ref("vehicle", v1.ID), ref("person", k.ID), ref("vehicle", v3.ID)}},
			{"X*", nil, nil},
			{"XY12*", []bluelamp.VehicleID{v3.ID}, []string{ref("vehicle", v3.ID)}},
			{"YY99YYY", nil, nil},
		}
		for _, tc := range tests {
			mark := f.auditMark(a.id)
			got, total, err := f.Store.FindVehicles(a.ctx, bluelamp.VehicleFilter{VRM: tc.vrm}, check)
			if tc.vrm == "X*" {
				wantFields(t, err, "vrm")
				f.wantNoAudit(a.id, mark)
				continue
			}
			ok(t, err)
			var ids []bluelamp.VehicleID
			for _, v := range got {
				ids = append(ids, v.ID)
			}
			if diff := cmp.Diff(tc.want, ids, cmpopts.EquateEmpty()); diff != "" || total != len(tc.want) {
				t.Errorf("%s: total %d (-want +got):\n%s", tc.vrm, total, diff)
			}
			var records []string
			for _, id := range tc.want {
				records = append(records, ref("vehicle", id))
			}
			f.wantAudit(a.id, mark, a.ctx, auditWant{action: bluelamp.AuditConsultation, records: records, subjects: tc.subjects, j: &check})
		}
		// A check of a vehicle shows its keeper, markers first.
		got, err := f.Store.FindVehicleByID(a.ctx, v1.ID, check)
		ok(t, err)
		if got.Keeper == nil || got.Keeper.ID != k.ID || got.Keeper.Markers[0].Code != "WE" || got.Markers[0].Code != "STOLEN" || got.KeeperRef != "K1" {
			t.Fatalf("vehicle = %+v, keeper %+v", got, got.Keeper)
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		v := f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "AB51ABC"})
		markA := f.auditMark(a.id)
		for _, ac := range f.actorsOf(b.world) {
			got, total, err := f.Store.FindVehicles(ac.ctx, bluelamp.VehicleFilter{VRM: "AB51ABC"}, check)
			ok(t, err)
			if len(got) != 0 || total != 0 {
				t.Errorf("%s found another force's vehicle: %+v", ac.name, got)
			}
			_, err = f.Store.FindVehicleByID(ac.ctx, v.ID, check)
			wantKind(t, err, bluelamp.KindNotFound)
		}
		f.wantNoAudit(a.id, markA)
	})
	t.Run("ErrJustificationRequired", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		v := f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{VRM: "AB51ABC"})
		mark := f.auditMark(a.id)
		_, _, err := f.Store.FindVehicles(a.ctx, bluelamp.VehicleFilter{VRM: "AB51ABC"}, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Fatalf("search: %v", err)
		}
		_, err = f.Store.FindVehicleByID(a.ctx, v.ID, bluelamp.Justification{})
		if !errors.Is(err, bluelamp.ErrJustificationRequired) {
			t.Fatalf("view: %v", err)
		}
		f.wantNoAudit(a.id, mark)
	})
}

func testCreateLocationRecord(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		l := &bluelamp.LocationRecord{Reference: "L1", Address: " 3 Mixen Lane, Casterbridge ", Postcode: "dt1 1ab",
			Position: &bluelamp.Position{Lat: 50.715, Lon: -2.43}, Markers: []bluelamp.Marker{marker("DOGS", "2029-01-01")}}
		f.mustCreateLocationRecord(f.system(a.id), l)
		if l.ID == 0 || l.Address != "3 Mixen Lane, Casterbridge" || l.Postcode != "DT1 1AB" || !l.Markers[0].OfficerSafety {
			t.Fatalf("created %+v", l)
		}
		f.wantEvents(a.id, before, bluelamp.EventLocationCreated)
		f.wantAudit(a.id, mark, f.system(a.id), auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("location", l.ID)}})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		before := f.head(a.id)
		l := &bluelamp.LocationRecord{Postcode: "XX", Position: &bluelamp.Position{Lat: 91}, Markers: []bluelamp.Marker{marker("STOLEN", "2029-01-01")}}
		wantFields(t, f.Store.CreateLocationRecord(f.system(a.id), l), "address", "postcode", "position", "markers[0].code")
		f.wantNoEvents(a.id, before)
	})
}

func testUpdateLocationRecord(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		l := f.mustCreateLocationRecord(f.system(a.id), &bluelamp.LocationRecord{Address: "3 Mixen Lane"})
		before := f.head(a.id)
		upd := &bluelamp.LocationRecord{ID: l.ID, Version: 1, Address: "4 Durnover Green"}
		ok(t, f.Store.UpdateLocationRecord(f.system(a.id), upd))
		f.wantEvents(a.id, before, bluelamp.EventLocationUpdated)
		for q, want := range map[string]int{"mixen": 0, "durnover green": 1} {
			_, total, err := f.Store.FindLocationRecords(a.ctx, bluelamp.LocationRecordFilter{Query: q}, check)
			ok(t, err)
			if total != want {
				t.Errorf("%q after update: %d found, want %d", q, total, want)
			}
		}
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		l := f.mustCreateLocationRecord(f.system(a.id), &bluelamp.LocationRecord{Address: "3 Mixen Lane"})
		heads := f.heads(a.id, b.id)
		for _, ac := range f.actorsOf(b.world) {
			f.refused(f.Store.UpdateLocationRecord(ac.ctx, &bluelamp.LocationRecord{ID: l.ID, Address: "x"}), bluelamp.KindNotFound, heads...)
		}
	})
}

func testFindLocationRecords(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		sys := f.system(a.id)
		here := bluelamp.Position{Lat: 50.7155, Lon: -2.4372}
		at := func(metres float64) *bluelamp.Position { return north(here, metres) }
		mixen := f.mustCreateLocationRecord(sys, &bluelamp.LocationRecord{Address: "3 Mixen Lane, Casterbridge", Postcode: "DT1 1AB", Position: at(50),
			Markers: []bluelamp.Marker{marker("DA", "2029-01-01"), marker("OFFICER_SAFETY", "2028-01-01")}})
		durnover := f.mustCreateLocationRecord(sys, &bluelamp.LocationRecord{Address: "Durnover Mill, Casterbridge", Postcode: "DT1 2XY", Position: at(10)})
		far := f.mustCreateLocationRecord(sys, &bluelamp.LocationRecord{Address: "1 High Street, Budmouth", Postcode: "DT4 7AA", Position: at(5000)})
		layby := f.mustCreateLocationRecord(sys, &bluelamp.LocationRecord{Address: "Lay-by, A35 Puddletown", Postcode: "DT2 8AA"})
		tests := []struct {
			name   string
			filter bluelamp.LocationRecordFilter
			want   []bluelamp.LocationRecordID
		}{
			{"Words", bluelamp.LocationRecordFilter{Query: "mixen casterbridge"}, []bluelamp.LocationRecordID{mixen.ID}},
			{"WordPrefix", bluelamp.LocationRecordFilter{Query: "caster"}, []bluelamp.LocationRecordID{mixen.ID, durnover.ID}},
			{"Postcode", bluelamp.LocationRecordFilter{Query: "dt12xy"}, []bluelamp.LocationRecordID{durnover.ID}},
			{"Outward", bluelamp.LocationRecordFilter{Query: "DT1"}, []bluelamp.LocationRecordID{mixen.ID, durnover.ID}},
			{"OutwardOrWord", bluelamp.LocationRecordFilter{Query: "a35"}, []bluelamp.LocationRecordID{layby.ID}},
			{"Near", bluelamp.LocationRecordFilter{Near: &here, RadiusM: 100}, []bluelamp.LocationRecordID{durnover.ID, mixen.ID}},
			{"NearAndWords", bluelamp.LocationRecordFilter{Query: "mixen", Near: &here}, []bluelamp.LocationRecordID{mixen.ID}},
			{"NearWide", bluelamp.LocationRecordFilter{Near: &here, RadiusM: 2000, Limit: 1, Offset: 1}, []bluelamp.LocationRecordID{mixen.ID}},
			{"None", bluelamp.LocationRecordFilter{Query: "wellbridge"}, nil},
		}
		for _, tc := range tests {
			mark := f.auditMark(a.id)
			got, total, err := f.Store.FindLocationRecords(a.ctx, tc.filter, check)
			ok(t, err)
			var ids []bluelamp.LocationRecordID
			var refs []string
			for _, l := range got {
				ids, refs = append(ids, l.ID), append(refs, ref("location", l.ID))
				if (tc.filter.Near != nil) != (l.Distance != nil) {
					t.Errorf("%s: distance %v", tc.name, l.Distance)
				}
			}
			wantTotal := len(tc.want)
			if tc.name == "NearWide" {
				wantTotal = 2
			}
			if diff := cmp.Diff(tc.want, ids, cmpopts.EquateEmpty()); diff != "" || total != wantTotal {
				t.Errorf("%s: total %d (-want +got):\n%s", tc.name, total, diff)
			}
			f.wantAudit(a.id, mark, a.ctx, auditWant{action: bluelamp.AuditConsultation, subjects: refs, j: &check})
		}
		got, err := f.Store.FindLocationRecordByID(a.ctx, mixen.ID, check)
		ok(t, err)
		if got.Markers[0].Code != "OFFICER_SAFETY" || got.Distance != nil {
			t.Errorf("location = %+v", got)
		}
		_ = far
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		mark := f.auditMark(a.id)
		_, _, err := f.Store.FindLocationRecords(a.ctx, bluelamp.LocationRecordFilter{}, check)
		wantFields(t, err, "q")
		_, _, err = f.Store.FindLocationRecords(a.ctx, bluelamp.LocationRecordFilter{Near: &bluelamp.Position{Lat: 50}, RadiusM: 99999}, check)
		wantFields(t, err, "radius")
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		l := f.mustCreateLocationRecord(f.system(a.id), &bluelamp.LocationRecord{Address: "3 Mixen Lane", Postcode: "DT1 1AB", Position: &bluelamp.Position{Lat: 50.7, Lon: -2.4}})
		markA := f.auditMark(a.id)
		for _, ac := range f.actorsOf(b.world) {
			for _, filter := range []bluelamp.LocationRecordFilter{{Query: "mixen"}, {Query: "DT1 1AB"}, {Near: l.Position}} {
				got, total, err := f.Store.FindLocationRecords(ac.ctx, filter, check)
				ok(t, err)
				if len(got) != 0 || total != 0 {
					t.Errorf("%s found another force's location by %+v", ac.name, filter)
				}
			}
			_, err := f.Store.FindLocationRecordByID(ac.ctx, l.ID, check)
			wantKind(t, err, bluelamp.KindNotFound)
		}
		f.wantNoAudit(a.id, markA)
	})
}

// importOf is an import of a person, the vehicle they keep and their
// address, each with a marker.
func importOf(suffix string) *bluelamp.RecordImport {
	return &bluelamp.RecordImport{
		Persons:   []*bluelamp.Person{newPerson("P"+suffix, "Henchard", "Michael", "1960-05-05", marker("VI", "2029-01-01"))},
		Vehicles:  []*bluelamp.Vehicle{{Reference: "V" + suffix, VRM: "AB51 ABC", KeeperRef: "P" + suffix, Markers: []bluelamp.Marker{marker("NO_INSURANCE", "2030-01-01")}}},
		Locations: []*bluelamp.LocationRecord{{Reference: "L" + suffix, Address: "The Mayor's House, Casterbridge", Markers: []bluelamp.Marker{marker("DOGS", "2029-01-01")}}},
	}
}

func testImportRecords(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		imp := importOf("1")
		res, err := f.Store.ImportRecords(f.as(a.admin), imp, false)
		ok(t, err)
		want := &bluelamp.ImportResult{Persons: bluelamp.ImportCounts{Created: 1}, Vehicles: bluelamp.ImportCounts{Created: 1}, Locations: bluelamp.ImportCounts{Created: 1}}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Fatalf("result (-want +got):\n%s", diff)
		}
		p, v, l := imp.Persons[0], imp.Vehicles[0], imp.Locations[0]
		if v.KeeperID != p.ID || v.VRM != "AB51ABC" {
			t.Fatalf("vehicle %+v, keeper %d", v, p.ID)
		}
		f.wantEvents(a.id, before, bluelamp.EventPersonCreated, bluelamp.EventVehicleCreated, bluelamp.EventLocationCreated, bluelamp.EventRecordsImported)
		f.wantAudit(a.id, mark, f.as(a.admin), auditWant{action: bluelamp.AuditCollection,
			records:  []string{ref("person", p.ID), ref("vehicle", v.ID), ref("location", l.ID)},
			subjects: []string{ref("person", p.ID), ref("vehicle", v.ID), ref("location", l.ID)}})

		// Sent again, changed, it replaces the same records: an alteration.
		f.clock.Advance(day)
		before, mark = f.head(a.id), f.auditMark(a.id)
		again := importOf("1")
		again.Persons[0].Forenames = "Mike"
		res, err = f.Store.ImportRecords(f.as(a.admin), again, false)
		ok(t, err)
		want = &bluelamp.ImportResult{Persons: bluelamp.ImportCounts{Updated: 1}, Vehicles: bluelamp.ImportCounts{Updated: 1}, Locations: bluelamp.ImportCounts{Updated: 1}}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Fatalf("second result (-want +got):\n%s", diff)
		}
		if again.Persons[0].ID != p.ID || again.Persons[0].Version != 2 || again.Vehicles[0].ID != v.ID {
			t.Fatalf("second import made new records: %+v", again.Persons[0])
		}
		f.wantEvents(a.id, before, bluelamp.EventPersonUpdated, bluelamp.EventVehicleUpdated, bluelamp.EventLocationUpdated, bluelamp.EventRecordsImported)
		got := f.auditAfter(a.id, mark)
		if len(got) != 1 || got[0].Action != bluelamp.AuditAlteration {
			t.Fatalf("audit after the second import: %s", describeAudit(got))
		}
		found, _, err := f.Store.FindPersons(a.ctx, bluelamp.PersonFilter{Surname: "Henchard", Forename: "Mike"}, check)
		ok(t, err)
		if len(found) != 1 || found[0].ID != p.ID {
			t.Fatalf("found %+v", found)
		}
		f.wantVerified()
	})
	t.Run("OKDryRun", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		f.mustCreatePerson(f.system(a.id), newPerson("P1", "Henchard", "Michael", ""))
		before, mark := f.head(a.id), f.auditMark(a.id)
		res, err := f.Store.ImportRecords(f.as(a.admin), importOf("1"), true)
		ok(t, err)
		want := &bluelamp.ImportResult{DryRun: true, Persons: bluelamp.ImportCounts{Updated: 1}, Vehicles: bluelamp.ImportCounts{Created: 1}, Locations: bluelamp.ImportCounts{Created: 1}}
		if diff := cmp.Diff(want, res); diff != "" {
			t.Fatalf("result (-want +got):\n%s", diff)
		}
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrInvalidRows", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		f.mustCreateVehicle(f.system(a.id), &bluelamp.Vehicle{Reference: "OLD", VRM: "XY12ABC"})
		before, mark := f.head(a.id), f.auditMark(a.id)
		imp := importOf("1")
		imp.Persons = append(imp.Persons, newPerson("", "", "Nameless", ""), newPerson("P1", "Again", "", ""))
		imp.Vehicles = append(imp.Vehicles, &bluelamp.Vehicle{Reference: "V2", VRM: "xy12 abc"}, &bluelamp.Vehicle{Reference: "V3", VRM: "AB51ABC", KeeperRef: "NOBODY"})
		imp.Locations[0].Postcode = "nope"
		imp.Rows = map[bluelamp.RecordKind][]int{bluelamp.RecordPerson: {2, 3, 4}}
		_, err := f.Store.ImportRecords(f.as(a.admin), imp, false)
		ie, isImport := errors.AsType[*bluelamp.ImportError](err)
		if !isImport || bluelamp.KindOf(err) != bluelamp.KindInvalid {
			t.Fatalf("got %v, want an ImportError", err)
		}
		got := map[string][]string{}
		for _, r := range ie.Rows {
			var fields []string
			for k := range r.Errors {
				fields = append(fields, k)
			}
			slices.Sort(fields)
			got[fmt.Sprintf("%s %d", r.Kind, r.Row)] = fields
		}
		want := map[string][]string{
			"person 3":   {"reference", "surname"},
			"person 4":   {"reference"},
			"vehicle 2":  {"vrm"},
			"vehicle 3":  {"keeper_ref", "vrm"},
			"location 1": {"postcode"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("bad rows (-want +got):\n%s", diff)
		}
		f.wantNoEvents(a.id, before)
		f.wantNoAudit(a.id, mark)
	})
	t.Run("ErrTooLarge", func(t *testing.T) {
		f := setup(t, open)
		a := f.recordForce("alpha")
		imp := &bluelamp.RecordImport{Locations: make([]*bluelamp.LocationRecord, bluelamp.MaxImportRows+1)}
		_, err := f.Store.ImportRecords(f.as(a.admin), imp, false)
		wantKind(t, err, bluelamp.KindTooLarge)
		_, err = f.Store.ImportRecords(f.as(a.admin), &bluelamp.RecordImport{}, false)
		wantFields(t, err, "records")
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		// Another force's records are neither replaced nor keepers.
		f := setup(t, open)
		a, b := f.recordForce("alpha"), f.recordForce("bravo")
		theirs := f.mustCreatePerson(f.system(a.id), newPerson("P1", "Henchard", "Michael", ""))
		f.mustCreatePerson(f.system(a.id), newPerson("K9", "Farfrae", "Donald", ""))
		markA := f.auditMark(a.id)
		imp := importOf("1")
		imp.Vehicles[0].KeeperRef = "K9"
		_, err := f.Store.ImportRecords(f.as(b.admin), imp, false)
		ie, isImport := errors.AsType[*bluelamp.ImportError](err)
		if !isImport || len(ie.Rows) != 1 || ie.Rows[0].Errors["keeper_ref"] == "" {
			t.Fatalf("got %v, want the keeper refused", err)
		}
		imp.Vehicles[0].KeeperRef = "P1"
		res, err := f.Store.ImportRecords(f.as(b.admin), imp, false)
		ok(t, err)
		if res.Persons.Created != 1 || imp.Persons[0].ID == theirs.ID || imp.Persons[0].ForceID != b.id {
			t.Fatalf("imported into bravo: %+v, %+v", res, imp.Persons[0])
		}
		got, err := f.Store.FindPersonByID(a.ctx, theirs.ID, check)
		ok(t, err)
		if got.Version != 1 {
			t.Fatalf("alpha's person changed by bravo's import: %+v", got)
		}
		f.wantNoAudit(a.id, markA+1) // the read just made is alpha's only new record
	})
	t.Run("ErrNoActor", func(t *testing.T) {
		f := setup(t, open)
		_, err := f.Store.ImportRecords(t.Context(), importOf("1"), false)
		wantNoActor(t, err)
	})
}
