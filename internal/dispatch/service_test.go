package dispatch_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/dispatch"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// newServiceEnv opens a real SQLite store with one force and a station,
// and a Service that hears every committed event as the live hub would
// hand them over.
func newServiceEnv(t *testing.T) (*sqlstore.Store, *dispatch.Service, context.Context, bluelamp.StationID) {
	t.Helper()
	s := sqlstore.New(filepath.Join(t.TempDir(), "bluelamp.db"))
	s.Migrate = sqlstore.MigrateIfEmpty
	svc := dispatch.NewService(s)
	s.OnCommit = func(events []*bluelamp.Event) {
		for _, e := range events {
			svc.Apply(e)
		}
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	if err := s.CreateForce(bluelamp.SystemContext(ctx, "", "test"), &bluelamp.Force{ID: "wessex", Name: "Wessex"}); err != nil {
		t.Fatal(err)
	}
	fctx := bluelamp.SystemContext(ctx, "wessex", "test")
	st := &bluelamp.Station{Code: "CB", Name: "Casterbridge", Lat: 50.7155, Lon: -2.4372}
	if err := s.CreateStation(fctx, st); err != nil {
		t.Fatal(err)
	}
	if err := svc.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return s, svc, fctx, st.ID
}

func mustUnit(t *testing.T, s *sqlstore.Store, ctx context.Context, station bluelamp.StationID, callSign string, lat, lon float64, skills ...bluelamp.Skill) *bluelamp.Unit {
	t.Helper()
	u := &bluelamp.Unit{CallSign: callSign, Type: "response car", StationID: station, State: bluelamp.StateAvailable,
		Position: &bluelamp.Position{Lat: lat, Lon: lon}}
	for _, k := range skills {
		u.Skills = append(u.Skills, bluelamp.UnitSkill{Skill: k})
	}
	if err := s.CreateUnit(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

func mustIncident(t *testing.T, s *sqlstore.Store, ctx context.Context, g bluelamp.Grade, skills ...bluelamp.Skill) *bluelamp.Incident {
	t.Helper()
	inc := &bluelamp.Incident{Category: "CONCERN_FOR_SAFETY", Grade: g, Summary: "test", Channel: bluelamp.ChannelEmergency,
		RequiredSkills: skills, Location: bluelamp.Location{Position: &bluelamp.Position{Lat: 50.7155, Lon: -2.4372}}}
	if err := s.CreateIncident(ctx, inc); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindIncidentByID(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func callSigns(recs []*bluelamp.Recommendation) []string {
	var out []string
	for _, r := range recs {
		s := r.Unit.CallSign
		if r.Diversion {
			s += " (divert)"
		}
		out = append(out, s)
	}
	return out
}

func recommend(t *testing.T, s *sqlstore.Store, svc *dispatch.Service, ctx context.Context, id bluelamp.IncidentID) []string {
	t.Helper()
	inc, err := s.FindIncidentByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := svc.Recommend(ctx, inc, 5)
	if err != nil {
		t.Fatal(err)
	}
	return callSigns(recs)
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestServiceFollowsTheLog(t *testing.T) {
	s, svc, ctx, station := newServiceEnv(t)
	near := mustUnit(t, s, ctx, station, "CB11", 50.716, -2.437)
	mid := mustUnit(t, s, ctx, station, "CB12", 50.73, -2.44, "TASER")
	far := mustUnit(t, s, ctx, station, "AR31", 50.80, -2.50, "ARVO", "TASER")

	priority := mustIncident(t, s, ctx, bluelamp.GradePriority)
	if got, want := recommend(t, s, svc, ctx, priority.ID), []string{"CB11", "CB12", "AR31"}; !equal(got, want) {
		t.Fatalf("recommendations = %v, want %v", got, want)
	}
	armed := mustIncident(t, s, ctx, bluelamp.GradePriority, "ARVO")
	if got, want := recommend(t, s, svc, ctx, armed.ID), []string{"AR31"}; !equal(got, want) {
		t.Fatalf("needing ARVO: %v, want %v", got, want)
	}

	// Assigning the nearest takes it out of every other recommendation,
	// and out of its own incident's.
	if _, err := s.AssignUnit(ctx, priority.ID, near.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, want := recommend(t, s, svc, ctx, priority.ID), []string{"CB12", "AR31"}; !equal(got, want) {
		t.Fatalf("after assigning CB11: %v, want %v", got, want)
	}
	// An IMMEDIATE incident may divert CB11 from the PRIORITY job.
	immediate := mustIncident(t, s, ctx, bluelamp.GradeImmediate)
	if got, want := recommend(t, s, svc, ctx, immediate.ID), []string{"CB11 (divert)", "CB12", "AR31"}; !equal(got, want) {
		t.Fatalf("for IMMEDIATE: %v, want %v", got, want)
	}
	// Upgrading the PRIORITY job to IMMEDIATE makes CB11 no longer divertible.
	if _, err := s.GradeIncident(ctx, priority.ID, bluelamp.GradeImmediate, "weapon seen"); err != nil {
		t.Fatal(err)
	}
	if got, want := recommend(t, s, svc, ctx, immediate.ID), []string{"CB12", "AR31"}; !equal(got, want) {
		t.Fatalf("after the upgrade: %v, want %v", got, want)
	}
	// Status and position changes move units between partitions.
	if _, err := s.SetUnitStatus(ctx, mid.ID, "4"); err != nil { // refreshments
		t.Fatal(err)
	}
	if _, err := s.SetUnitPosition(ctx, far.ID, bluelamp.Position{Lat: 50.7156, Lon: -2.4373}); err != nil {
		t.Fatal(err)
	}
	if got, want := recommend(t, s, svc, ctx, immediate.ID), []string{"AR31"}; !equal(got, want) {
		t.Fatalf("after refreshments and a move: %v, want %v", got, want)
	}
	// Closing the job frees its unit.
	if _, err := s.CloseIncident(ctx, priority.ID, &bluelamp.Closing{Category: "CONCERN_FOR_SAFETY", Result: bluelamp.ResultNoTrace}); err != nil {
		t.Fatal(err)
	}
	if got, want := recommend(t, s, svc, ctx, immediate.ID), []string{"AR31", "CB11"}; !equal(got, want) {
		t.Fatalf("after closing: %v, want %v", got, want)
	}
}

func TestServiceSkillExpiryAndReload(t *testing.T) {
	s, svc, ctx, station := newServiceEnv(t)
	past := time.Now().Add(-time.Hour)
	u := &bluelamp.Unit{CallSign: "AR31", Type: "armed response vehicle", StationID: station, State: bluelamp.StateAvailable,
		Position: &bluelamp.Position{Lat: 50.72, Lon: -2.44}, Skills: []bluelamp.UnitSkill{{Skill: "ARVO", Expires: &past}}}
	if err := s.CreateUnit(ctx, u); err != nil {
		t.Fatal(err)
	}
	armed := mustIncident(t, s, ctx, bluelamp.GradeImmediate, "ARVO")
	if got := recommend(t, s, svc, ctx, armed.ID); len(got) != 0 {
		t.Fatalf("a lapsed accreditation is recommended: %v", got)
	}
	future := time.Now().Add(24 * time.Hour)
	if _, err := s.UpdateUnit(ctx, u.ID, bluelamp.UnitUpdate{Skills: &[]bluelamp.UnitSkill{{Skill: "ARVO", Expires: &future}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := recommend(t, s, svc, ctx, armed.ID), []string{"AR31"}; !equal(got, want) {
		t.Fatalf("after renewal: %v, want %v", got, want)
	}
	// A service opened later builds the same view from the store alone.
	fresh := dispatch.NewService(s)
	if err := fresh.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, want := recommend(t, s, fresh, ctx, armed.ID), []string{"AR31"}; !equal(got, want) {
		t.Fatalf("reloaded: %v, want %v", got, want)
	}
}

func TestServiceForceBoundary(t *testing.T) {
	s, svc, ctx, station := newServiceEnv(t)
	mustUnit(t, s, ctx, station, "CB11", 50.716, -2.437)
	inc := mustIncident(t, s, ctx, bluelamp.GradeImmediate)
	other := bluelamp.SystemContext(t.Context(), "dorset", "test")
	if _, err := svc.Recommend(other, inc, 5); bluelamp.KindOf(err) != bluelamp.KindNotFound {
		t.Fatalf("another force's incident: err = %v, want not found", err)
	}
	if _, err := svc.Recommend(t.Context(), inc, 5); bluelamp.KindOf(err) != bluelamp.KindUnauthenticated {
		t.Fatalf("no actor: err = %v, want unauthenticated", err)
	}
}

func TestServiceIgnoresOlderNews(t *testing.T) {
	s, svc, ctx, station := newServiceEnv(t)
	u := mustUnit(t, s, ctx, station, "CB11", 50.716, -2.437)
	priority := mustIncident(t, s, ctx, bluelamp.GradePriority)
	if _, err := s.AssignUnit(ctx, priority.ID, u.ID, false); err != nil {
		t.Fatal(err)
	}
	assigned, err := s.FindHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetUnitStatus(ctx, u.ID, "6"); err != nil { // at scene: not divertible
		t.Fatal(err)
	}
	immediate := mustIncident(t, s, ctx, bluelamp.GradeImmediate)
	if got := recommend(t, s, svc, ctx, immediate.ID); len(got) != 0 {
		t.Fatalf("a unit at scene is recommended: %v", got)
	}
	// The hub delivers the assignment late, after this node's own feed
	// has applied the newer status: the older snapshot must not win.
	events, err := s.FindEvents(ctx, bluelamp.EventFilter{After: assigned.Seq - 1, Limit: 1})
	if err != nil || len(events) != 1 || events[0].Type != bluelamp.EventUnitAssigned {
		t.Fatalf("FindEvents = %v, %v; want the assignment", events, err)
	}
	svc.Apply(events[0])
	if got := recommend(t, s, svc, ctx, immediate.ID); len(got) != 0 {
		t.Fatalf("after a late, older event: %v, want none", got)
	}
}
