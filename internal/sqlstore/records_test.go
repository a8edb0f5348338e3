package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/demo"
)

// goldenRecords runs the record-check store methods for TestGoldenSQL,
// with each kind of search.
func goldenRecords(t *testing.T, s *Store, fc context.Context, j bluelamp.Justification) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	marker := []bluelamp.Marker{{Code: "VI", Date: "2029-01-01", Source: "PNC"}}
	p := &bluelamp.Person{Reference: "GP1", Surname: "Gold", Forenames: "Goldie", Aliases: []bluelamp.PersonName{{Surname: "Guld"}}, Markers: marker}
	must(s.CreatePerson(fc, p))
	p.Version = 1
	must(s.UpdatePerson(fc, p))
	v := &bluelamp.Vehicle{Reference: "GV1", VRM: "AB51ABC", KeeperRef: "GP1"}
	must(s.CreateVehicle(fc, v))
	must(s.UpdateVehicle(fc, &bluelamp.Vehicle{ID: v.ID, VRM: "AB51ABC", KeeperID: p.ID}))
	at := &bluelamp.Position{Lat: 51, Lon: -1}
	l := &bluelamp.LocationRecord{Reference: "GL1", Address: "1 Gold Street", Postcode: "DT1 1AA", Position: at}
	must(s.CreateLocationRecord(fc, l))
	must(s.UpdateLocationRecord(fc, &bluelamp.LocationRecord{ID: l.ID, Address: "2 Gold Street"}))
	imp := func() *bluelamp.RecordImport {
		return &bluelamp.RecordImport{
			Persons:   []*bluelamp.Person{{Reference: "GP1", Surname: "Gold"}, {Reference: "GP2", Surname: "Silver"}},
			Vehicles:  []*bluelamp.Vehicle{{Reference: "GV1", VRM: "AB51ABC", KeeperRef: "GP2"}, {Reference: "GV2", VRM: "AB51ABD", KeeperRef: "GP1"}},
			Locations: []*bluelamp.LocationRecord{{Reference: "GL1", Address: "3 Gold Street"}},
		}
	}
	_, err := s.ImportRecords(fc, imp(), true)
	must(err)
	_, err = s.ImportRecords(fc, imp(), false)
	must(err)
	_, _, err = s.FindPersons(fc, bluelamp.PersonFilter{Surname: "gold"}, j)
	must(err)
	_, _, err = s.FindPersons(fc, bluelamp.PersonFilter{Surname: "Go*", Forename: "G", DateOfBirth: new(bluelamp.Date("1990-01-01")), Offset: 5}, j)
	must(err)
	_, err = s.FindPersonByID(fc, p.ID, j)
	must(err)
	_, _, err = s.FindVehicles(fc, bluelamp.VehicleFilter{VRM: "AB51ABC"}, j)
	must(err)
	_, _, err = s.FindVehicles(fc, bluelamp.VehicleFilter{VRM: "AB51*", Offset: 5}, j)
	must(err)
	_, _, err = s.FindVehicles(fc, bluelamp.VehicleFilter{VRM: "*ABC"}, j)
	must(err)
	_, err = s.FindVehicleByID(fc, v.ID, j)
	must(err)
	for _, f := range []bluelamp.LocationRecordFilter{{Query: "gold street", Offset: 5}, {Query: "DT1 1AA"}, {Query: "DT1"}, {Near: at, Query: "gold"}} {
		_, _, err = s.FindLocationRecords(fc, f, j)
		must(err)
	}
	_, err = s.FindLocationRecordByID(fc, l.ID, j)
	must(err)
}

// TestRecordSearchIndexes checks that each record search reads through an
// index, on both engines, rather than scanning the force's records: the
// name keys, the registration mark, the postcode, the address words and
// the position. PostgreSQL is told not to scan where it can help it, so a
// query that cannot use its index (a collation that defeats a prefix
// range, a partial index a generic plan cannot prove) still shows.
func TestRecordSearchIndexes(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			s := newTestStore(t, e.dsn(t), nil)
			if err := s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name, index, query string
				args               []any
			}{
				{"Surname", "person_names", "SELECT person_id FROM person_names n WHERE n.force_id = ? AND n.surname_key = ? AND n.forename_key >= ? AND n.forename_key < ?",
					[]any{"alpha", "SMITH", "J", "J" + prefixEnd}},
				{"SurnamePrefix", "person_names", "SELECT person_id FROM person_names n WHERE n.force_id = ? AND n.surname_key >= ? AND n.surname_key < ?",
					[]any{"alpha", "SM", "SM" + prefixEnd}},
				{"Reference", "persons_reference", "SELECT id, version, created_at FROM persons WHERE force_id = ? AND reference = ? AND reference <> ''",
					[]any{"alpha", "P1"}},
				{"VRM", "vehicles", "SELECT id FROM vehicles v WHERE v.force_id = ? AND v.vrm = ?", []any{"alpha", "AB51ABC"}},
				{"VRMPrefix", "vehicles", "SELECT id FROM vehicles v WHERE v.force_id = ? AND v.vrm >= ? AND v.vrm < ? AND v.vrm LIKE ?",
					[]any{"alpha", "AB51", "AB51" + prefixEnd, "AB51%"}},
				{"Postcode", "locations_postcode", "SELECT id FROM locations l WHERE l.force_id = ? AND l.postcode = ?", []any{"alpha", "DT1 1AA"}},
				{"Outward", "locations_postcode", "SELECT id FROM locations l WHERE l.force_id = ? AND l.id IN (SELECT p.id FROM locations p WHERE p.force_id = ? AND p.postcode >= ? AND p.postcode < ?" +
					" UNION SELECT w.location_id FROM location_words w WHERE w.force_id = ? AND w.word >= ? AND w.word < ?)",
					[]any{"alpha", "alpha", "DT1 ", "DT1 " + prefixEnd, "alpha", "dt1", "dt1" + prefixEnd}},
				{"Words", "location_words", "SELECT location_id FROM location_words w WHERE w.force_id = ? AND w.word >= ? AND w.word < ?",
					[]any{"alpha", "mixen", "mixen" + prefixEnd}},
				{"Near", "locations_position", "SELECT id FROM locations l WHERE l.force_id = ? AND l.lat BETWEEN ? AND ? AND l.lon BETWEEN ? AND ?",
					[]any{"alpha", 50.7, 50.8, -2.5, -2.4}},
			}
			conn, err := s.DB().Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			explain := "EXPLAIN QUERY PLAN "
			if e.name == "postgres" {
				explain = "EXPLAIN "
				for _, set := range []string{"SET enable_seqscan = off", "SET plan_cache_mode = force_generic_plan"} {
					if _, err := conn.ExecContext(t.Context(), set); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, tc := range tests {
				q := s.d.rebind(explain + tc.query)
				if e.name == "postgres" {
					// A prepared statement, so the plan is the generic one
					// pgx's cached statements get.
					q = strings.Replace(q, "EXPLAIN ", "", 1)
					if _, err := conn.ExecContext(t.Context(), "PREPARE p AS "+q); err != nil {
						t.Fatalf("%s: %v", tc.name, err)
					}
					var lits []string
					for _, a := range tc.args {
						if f, ok := a.(float64); ok {
							lits = append(lits, fmt.Sprint(f))
						} else {
							lits = append(lits, "'"+strings.ReplaceAll(fmt.Sprint(a), "'", "''")+"'")
						}
					}
					q = "EXPLAIN EXECUTE p(" + strings.Join(lits, ", ") + ")"
				}
				args := tc.args
				if e.name == "postgres" {
					args = nil
				}
				rows, err := conn.QueryContext(t.Context(), q, args...)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				var plan []string
				for rows.Next() {
					cols, _ := rows.Columns()
					vals := make([]any, len(cols))
					for i := range vals {
						vals[i] = new(any)
					}
					if err := rows.Scan(vals...); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, fmt.Sprint(*vals[len(vals)-1].(*any)))
				}
				rows.Close()
				text := strings.Join(plan, "\n")
				uses := strings.Contains(text, tc.index) && !strings.Contains(text, "Seq Scan")
				if e.name == "sqlite" {
					// SQLite names the index of a table's unique constraint
					// sqlite_autoindex_TABLE_n.
					uses = strings.Contains(text, "SEARCH") && strings.Contains(text, "INDEX") && !strings.Contains(text, "SCAN")
				}
				if !uses {
					t.Errorf("%s does not read through %s:\n%s", tc.name, tc.index, text)
				}
				if e.name == "postgres" {
					if _, err := conn.ExecContext(t.Context(), "DEALLOCATE p"); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkImportRecords imports MaxImportRows persons at a time, a new
// import and then the same again replacing them: each must commit well
// within the store's OpTimeout.
func BenchmarkImportRecords(b *testing.B) {
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			s := newTestStore(b, e.dsn(b), nil)
			if err := s.CreateForce(bluelamp.SystemContext(b.Context(), "", "test"), &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
				b.Fatal(err)
			}
			fc := bluelamp.SystemContext(b.Context(), "alpha", "bench")
			n := 0
			for b.Loop() {
				imp := &bluelamp.RecordImport{}
				for i := range bluelamp.MaxImportRows {
					imp.Persons = append(imp.Persons, &bluelamp.Person{Reference: fmt.Sprintf("P%d-%d", n, i), Surname: fmt.Sprintf("Name%d", i),
						Forenames: "Pat", Markers: []bluelamp.Marker{{Code: "VI", Date: "2029-01-01", Source: "PNC"}}})
				}
				n++
				if _, err := s.ImportRecords(fc, imp, false); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(bluelamp.MaxImportRows), "records/op")
		})
	}
}

// TestDemoRecords seeds the demo force's records, twice (a second seed
// replaces the same records), and checks them as an officer would.
func TestDemoRecords(t *testing.T) {
	s := newTestStore(t, sqliteDSN(t), nil)
	if err := s.CreateForce(bluelamp.SystemContext(t.Context(), "", "test"), &bluelamp.Force{ID: demo.ForceID, Name: "Wessex"}); err != nil {
		t.Fatal(err)
	}
	sys := bluelamp.SystemContext(t.Context(), demo.ForceID, "demo")
	for range 2 {
		if err := demo.SeedRecords(sys, s); err != nil {
			t.Fatal(err)
		}
	}
	officer := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: 1, Username: "pc", ForceID: demo.ForceID,
		Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}})
	j := bluelamp.Justification{Reason: "STOP"}
	ps, total, err := s.FindPersons(officer, bluelamp.PersonFilter{Surname: "stannidge"}, j)
	if err != nil || total != 1 || ps[0].Markers[0].Code != "VI" || ps[0].Version != 2 {
		t.Fatalf("Stannidge: %d found, %v: %+v", total, err, ps)
	}
	codes := map[bluelamp.MarkerCode]bool{}
	all, _, err := s.FindPersons(officer, bluelamp.PersonFilter{Surname: "*"}, j)
	if err == nil {
		t.Fatalf("a search for every surname was allowed: %d", len(all))
	}
	for _, name := range []string{"Stannidge", "Coggan", "Fray", "Poorgrass", "Cuxsom", "Whittle", "Kovač", "Tangs"} {
		ps, _, err := s.FindPersons(officer, bluelamp.PersonFilter{Surname: name}, j)
		if err != nil || len(ps) != 1 {
			t.Fatalf("%s: %v %v", name, ps, err)
		}
		for _, m := range ps[0].Markers {
			codes[m.Code] = true
		}
	}
	for _, c := range []bluelamp.MarkerCode{"VI", "WE", "FI", "MH"} {
		if !codes[c] {
			t.Errorf("no demo person has a %s marker", c)
		}
	}
	for vrm, want := range map[string]bluelamp.MarkerCode{"WX73KZT": "STOLEN", "A123BCD": "NO_INSURANCE"} {
		vs, _, err := s.FindVehicles(officer, bluelamp.VehicleFilter{VRM: vrm}, j)
		if err != nil || len(vs) != 1 || vs[0].Markers[0].Code != want || vs[0].Keeper == nil {
			t.Fatalf("%s: %+v %v", vrm, vs, err)
		}
	}
	// The places nearest the middle of Casterbridge, nearest first.
	ls, total, err := s.FindLocationRecords(officer, bluelamp.LocationRecordFilter{Near: &bluelamp.Position{Lat: 50.7155, Lon: -2.4372}, RadiusM: 2000}, j)
	if err != nil || total != 2 || ls[0].Markers[0].Code != "VI" {
		t.Fatalf("places near Casterbridge: %d %+v %v", total, ls, err)
	}
}
