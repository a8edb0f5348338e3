package sqlstore

import (
	"context"
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
	must(s.CreateUnits(fc, []*bluelamp.Unit{{CallSign: "GI1", Type: "car", StationID: st.ID}, {CallSign: "GI2", Type: "car", StationID: st.ID}}))
	must(s.ProvisionForce(dep, &bluelamp.ForceProvision{Force: bluelamp.Force{ID: "provisioned", Name: "Provisioned"},
		Admin: bluelamp.User{Username: "provisioned.admin", DisplayName: "Admin"}, PasswordHash: "hash"}))
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
	goldenCAD(t, s, fc, st.ID, j)
	goldenOfficer(t, s, fc, st.ID)
	goldenEvidence(t, s, j)
	goldenRecords(t, s, fc, j)
	goldenForms(t, s)
}

// goldenCAD runs every command-and-control method, so their SQL is golden
// too.
func goldenCAD(t *testing.T, s *Store, fc context.Context, station bluelamp.StationID, j bluelamp.Justification) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fs, err := s.FindForceSettings(fc)
	must(err)
	must(s.SaveForceSettings(fc, fs))
	at := &bluelamp.Position{Lat: 51, Lon: -1}
	u := &bluelamp.Unit{CallSign: "G2", Type: "car", StationID: station, State: bluelamp.StateAvailable, Position: at,
		Skills: []bluelamp.UnitSkill{{Skill: "TASER"}}}
	must(s.CreateUnit(fc, u))
	_, err = s.FindUnitByID(fc, u.ID)
	must(err)
	_, err = s.UpdateUnit(fc, u.ID, bluelamp.UnitUpdate{CallSign: new("G3")})
	must(err)
	_, err = s.SetUnitPosition(fc, u.ID, *at)
	must(err)
	thrive := &bluelamp.THRIVE{Threat: bluelamp.Threat{Description: "t"}, Harm: bluelamp.Harm{Severity: bluelamp.LevelHigh},
		Risk: bluelamp.Risk{Likelihood: bluelamp.LevelHigh, Rating: bluelamp.LevelHigh}, Grade: bluelamp.GradeImmediate, Rationale: "r"}
	inc := &bluelamp.Incident{Category: "CRIME_VIOLENCE", Grade: bluelamp.GradeImmediate, Summary: "s", THRIVE: thrive,
		Location: bluelamp.Location{Address: "1 High St", Position: at}}
	c := &bluelamp.Contact{Channel: bluelamp.ChannelEmergency, Caller: bluelamp.Caller{Name: "C", Number: "07700 900123"},
		Location: bluelamp.Location{Address: "1 High St", Position: at}, Account: "a"}
	must(s.CreateContact(fc, c, inc))
	must(s.CreateContact(fc, &bluelamp.Contact{Channel: bluelamp.ChannelNonEmergency, Account: "again", IncidentID: inc.ID,
		Caller: bluelamp.Caller{Number: "07700 900123"}, Location: bluelamp.Location{Address: "1 High St"}}, nil))
	_, err = s.FindContacts(fc, inc.ID, j)
	must(err)
	other := &bluelamp.Incident{Category: "CRIME_ROBBERY", Grade: bluelamp.GradePriority, Summary: "o", Channel: bluelamp.ChannelOfficer,
		Location: bluelamp.Location{Position: at}}
	must(s.CreateIncident(fc, other))
	must(s.ImportIncident(fc, &bluelamp.Incident{Category: "FIRE", Grade: bluelamp.GradeStandard, Summary: "i", Channel: bluelamp.ChannelPartner,
		Location: bluelamp.Location{Address: "x"}}, []string{"note"}))
	_, err = s.FindIncidentByID(fc, inc.ID)
	must(err)
	_, err = s.FindIncidentByNumber(fc, inc.Number)
	must(err)
	_, _, err = s.FindIncidents(fc, bluelamp.IncidentFilter{})
	must(err)
	_, _, err = s.FindIncidents(fc, bluelamp.IncidentFilter{Status: new(bluelamp.IncidentOpen), Grade: new(bluelamp.GradeImmediate),
		MajorID: new(inc.ID), Since: new(time.Now().Add(-time.Hour)), Offset: 5})
	must(err)
	_, err = s.FindIncidentLog(fc, inc.ID)
	must(err)
	_, err = s.FindAssessments(fc, inc.ID)
	must(err)
	_, err = s.FindDuplicates(fc, other)
	must(err)
	e, err := s.AddLogEntry(fc, inc.ID, "note", 0)
	must(err)
	_, err = s.AddLogEntry(fc, inc.ID, "correction", e.ID)
	must(err)
	_, err = s.AssessIncident(fc, inc.ID, thrive)
	must(err)
	_, err = s.GradeIncident(fc, other.ID, bluelamp.GradeStandard, "why")
	must(err)
	_, err = s.AssignUnit(fc, other.ID, u.ID, false)
	must(err)
	_, err = s.AssignUnit(fc, inc.ID, u.ID, true)
	must(err)
	_, err = s.SetUnitStatus(fc, u.ID, "5")
	must(err)
	_, err = s.SetUnitStatus(fc, u.ID, "6")
	must(err)
	_, err = s.SetUnitStatus(fc, u.ID, "13")
	must(err)
	_, err = s.SetUnitStatus(fc, u.ID, "2")
	must(err)
	_, err = s.AssignUnit(fc, inc.ID, u.ID, false)
	must(err)
	must(s.StandDownUnit(fc, inc.ID, u.ID, "not needed"))
	_, err = s.RecordBreach(fc, inc.ID, bluelamp.ClockFromCall)
	must(err)
	_, err = s.DeclareMajorIncident(fc, inc.ID, &bluelamp.MajorIncident{Name: "Op Golden", Reason: "r"})
	must(err)
	must(s.ReportMETHANE(fc, inc.ID, &bluelamp.METHANE{ExactLocation: "e", TypeOfIncident: "t", Hazards: "h", Access: "a", EmergencyServices: "s"}))
	_, err = s.LinkIncident(fc, other.ID, inc.ID)
	must(err)
	_, err = s.FindMajorIncident(fc, inc.ID)
	must(err)
	_, err = s.CloseIncident(fc, other.ID, &bluelamp.Closing{Category: "DUPLICATE", Result: bluelamp.ResultDuplicate, DuplicateOf: inc.Number})
	must(err)
}
