package sqlstore

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestGoldenSQL runs every store method once or more, with every filter,
// and compares the SQL each engine received with testdata/sql/ENGINE.sql,
// so a reviewer sees exactly what each engine runs. `go test -update`
// rewrites the files.
func TestGoldenSQL(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]bool{}
			space := regexp.MustCompile(`\s+`)
			s := newTestStore(t, e.dsn(t), func(s *Store) {
				s.TraceSQL = func(q string) {
					mu.Lock()
					defer mu.Unlock()
					seen[strings.TrimSpace(space.ReplaceAllString(q, " "))] = true
				}
			})
			goldenWorkload(t, s)
			mu.Lock()
			got := strings.Join(slices.Sorted(func(yield func(string) bool) {
				for q := range seen {
					if !yield(q) {
						return
					}
				}
			}), ";\n") + ";\n"
			mu.Unlock()
			path := filepath.Join("testdata", "sql", e.name+".sql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(want) != got {
				t.Errorf("the SQL sent to %s differs from %s; review it and run go test -update.\ngot:\n%s", e.name, path, got)
			}
		})
	}
}

// goldenWorkload calls every store method, with each filter, once.
func goldenWorkload(t *testing.T, s *Store) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	dep := bluelamp.SystemContext(t.Context(), "", "golden")
	fc := bluelamp.SystemContext(t.Context(), "golden", "golden")
	j := bluelamp.Justification{Reason: "AUDIT", Text: "golden"}
	must(s.CreateForce(dep, &bluelamp.Force{ID: "golden", Name: "Golden"}))
	_, err := s.FindForces(dep)
	must(err)
	_, err = s.FindForces(fc)
	must(err)
	_, err = s.FindForceByID(fc, "golden")
	must(err)
	st := &bluelamp.Station{Code: "G", Name: "Golden", Lat: 51, Lon: -1}
	must(s.CreateStation(fc, st))
	_, err = s.FindStations(fc)
	must(err)
	must(s.CreateUnit(fc, &bluelamp.Unit{CallSign: "G1", Type: "car", StationID: st.ID}))
	_, err = s.FindUnits(fc)
	must(err)
	must(s.CreateOfficer(fc, &bluelamp.Officer{CollarNumber: "1", Name: "O", Rank: "PC", StationID: st.ID}))
	_, err = s.FindOfficers(fc, j)
	must(err)
	u := &bluelamp.User{Username: "gold", DisplayName: "Gold", Email: "gold@example.com", Roles: []bluelamp.Role{bluelamp.RoleAuditor}}
	must(s.CreateUser(fc, u, "hash"))
	_, err = s.FindUserByID(fc, u.ID, j)
	must(err)
	_, _, err = s.FindUsers(fc, bluelamp.UserFilter{}, j)
	must(err)
	_, _, err = s.FindUsers(fc, bluelamp.UserFilter{Username: new("gold"), Role: new(bluelamp.RoleAuditor), Disabled: new(false)}, j)
	must(err)
	uc := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: u.Username, ForceID: "golden", Roles: u.Roles})
	_, err = s.FindSelf(uc)
	must(err)
	must(s.GrantRole(fc, u.ID, bluelamp.RoleAnalyst))
	must(s.RevokeRole(fc, u.ID, bluelamp.RoleAnalyst))
	must(s.SetUserPassword(fc, u.ID, "hash2"))
	c, err := s.FindCredential(dep, "gold", false)
	must(err)
	_, err = s.FindCredential(dep, "gold@example.com", true)
	must(err)
	must(s.RecordSignInFailure(dep, c, bluelamp.LockPolicy{After: 5, For: time.Minute}))
	sess := &bluelamp.Session{ID: "ses_golden", UserID: u.ID, ForceID: "golden", SecretHash: []byte("0123456789abcdef0123456789abcdef"), Method: "password", ExpiresAt: time.Now().Add(time.Hour)}
	must(s.CreateSession(dep, sess))
	_, _, err = s.FindSessionActor(dep, sess.SecretHash)
	must(err)
	sc := bluelamp.NewContext(t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: u.Username, ForceID: "golden", SessionID: sess.ID})
	must(s.EndSession(sc, sess.ID))
	tk := &bluelamp.Token{ID: "tok_golden", UserID: u.ID, Name: "golden", SecretHash: []byte("abcdef0123456789abcdef0123456789")}
	must(s.CreateToken(fc, tk))
	_, err = s.FindTokenActor(dep, tk.SecretHash)
	must(err)
	_, err = s.FindTokens(fc)
	must(err)
	must(s.RevokeToken(fc, tk.ID))
	must(s.DisableUser(fc, u.ID))
	must(s.EnableUser(fc, u.ID))
	_, err = s.AppendEvent(fc, bluelamp.EventLogNote, "incident/1", bluelamp.ClassOfficial, map[string]string{"text": "golden"})
	must(err)
	_, err = s.FindEvents(fc, bluelamp.EventFilter{})
	must(err)
	_, err = s.FindEvents(fc, bluelamp.EventFilter{Justification: &j})
	must(err)
	_, err = s.FindHead(fc)
	must(err)
	_, err = s.FindHeads(dep)
	must(err)
	now := time.Now()
	_, _, err = s.FindAuditRecords(fc, bluelamp.AuditFilter{}, j)
	must(err)
	_, _, err = s.FindAuditRecords(fc, bluelamp.AuditFilter{ActorID: new(u.ID), Subject: new("user/1"), Action: new(bluelamp.AuditConsultation),
		From: new(now.Add(-time.Hour)), To: new(now)}, j)
	must(err)
	must(s.SaveOutboxCursors(dep, map[bluelamp.ForceID]int64{"golden": 1}))
	_, err = s.FindOutboxCursors(dep)
	must(err)
	_, err = s.HoldOutboxLease(dep)
	must(err)
	_, err = s.VerifyChains(dep)
	must(err)
	must(s.Ping(t.Context()))
}
