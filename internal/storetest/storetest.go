// Package storetest is the contract suite every bluelamp.Store engine must
// pass (STYLE §9): Run walks every method of the store through its OK path,
// its refusals (no actor, another force, a force-scoped actor calling a
// deployment-only method), its validation and conflict errors, its events and
// s.62 audit records, group commit under concurrency, and tampering with the
// hash chains behind the store's back.
//
// Each test opens its own store, so tests share no rows and run in parallel.
package storetest

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Options are the settings a test needs on a store before it opens.
type Options struct {
	Now func() time.Time // the store's clock; nil means the engine's default
}

// Opened is a store one test opened, with the database beneath it so tamper
// tests can change rows behind the store's back.
type Opened struct {
	Store  bluelamp.Store
	DB     *sql.DB // the store's own database handle
	Engine string  // "sqlite" or "postgres": tamper SQL uses ? or $n placeholders to match
	// Node opens another store on the same database, as a second node of
	// the deployment would, on the same clock, and closes it in t.Cleanup.
	// Nil when the engine cannot be shared.
	Node func(t *testing.T) bluelamp.Store
}

// Opener opens a fresh, migrated, empty store for t, with o applied before it
// opens, and closes it (and removes what it created) in t.Cleanup. It fails t
// rather than skipping when it cannot.
type Opener func(t *testing.T, o Options) Opened

// Run runs the whole contract suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Run("CreateForce", func(t *testing.T) { testCreateForce(t, open) })
	t.Run("FindForces", func(t *testing.T) { testFindForces(t, open) })
	t.Run("FindForceByID", func(t *testing.T) { testFindForceByID(t, open) })
	t.Run("ProvisionForce", func(t *testing.T) { testProvisionForce(t, open) })
	t.Run("CreateStation", func(t *testing.T) { testCreateStation(t, open) })
	t.Run("FindStations", func(t *testing.T) { testFindStations(t, open) })
	t.Run("CreateUnit", func(t *testing.T) { testCreateUnit(t, open) })
	t.Run("FindUnits", func(t *testing.T) { testFindUnits(t, open) })
	t.Run("CreateUnits", func(t *testing.T) { testCreateUnits(t, open) })
	t.Run("CreateOfficer", func(t *testing.T) { testCreateOfficer(t, open) })
	t.Run("FindOfficers", func(t *testing.T) { testFindOfficers(t, open) })
	t.Run("CreateUser", func(t *testing.T) { testCreateUser(t, open) })
	t.Run("FindUserByID", func(t *testing.T) { testFindUserByID(t, open) })
	t.Run("FindUsers", func(t *testing.T) { testFindUsers(t, open) })
	t.Run("FindSelf", func(t *testing.T) { testFindSelf(t, open) })
	t.Run("DisableUser", func(t *testing.T) { testDisableUser(t, open) })
	t.Run("EnableUser", func(t *testing.T) { testEnableUser(t, open) })
	t.Run("SetUserPassword", func(t *testing.T) { testSetUserPassword(t, open) })
	t.Run("GrantRole", func(t *testing.T) { testGrantRole(t, open) })
	t.Run("RevokeRole", func(t *testing.T) { testRevokeRole(t, open) })
	t.Run("FindCredential", func(t *testing.T) { testFindCredential(t, open) })
	t.Run("RecordSignInFailure", func(t *testing.T) { testRecordSignInFailure(t, open) })
	t.Run("CreateSession", func(t *testing.T) { testCreateSession(t, open) })
	t.Run("FindSessionActor", func(t *testing.T) { testFindSessionActor(t, open) })
	t.Run("EndSession", func(t *testing.T) { testEndSession(t, open) })
	t.Run("FindTokenActor", func(t *testing.T) { testFindTokenActor(t, open) })
	t.Run("CreateToken", func(t *testing.T) { testCreateToken(t, open) })
	t.Run("RevokeToken", func(t *testing.T) { testRevokeToken(t, open) })
	t.Run("FindTokens", func(t *testing.T) { testFindTokens(t, open) })
	t.Run("AppendEvent", func(t *testing.T) { testAppendEvent(t, open) })
	t.Run("FindEvents", func(t *testing.T) { testFindEvents(t, open) })
	t.Run("FindHead", func(t *testing.T) { testFindHead(t, open) })
	t.Run("FindHeads", func(t *testing.T) { testFindHeads(t, open) })
	t.Run("FindAuditRecords", func(t *testing.T) { testFindAuditRecords(t, open) })
	t.Run("FindOutboxCursors", func(t *testing.T) { testFindOutboxCursors(t, open) })
	t.Run("SaveOutboxCursors", func(t *testing.T) { testSaveOutboxCursors(t, open) })
	t.Run("HoldOutboxLease", func(t *testing.T) { testHoldOutboxLease(t, open) })
	t.Run("VerifyChains", func(t *testing.T) { testVerifyChains(t, open) })
	t.Run("Ping", func(t *testing.T) { testPing(t, open) })
	t.Run("BookOn", func(t *testing.T) { testBookOn(t, open) })
	t.Run("BookOff", func(t *testing.T) { testBookOff(t, open) })
	t.Run("ClientOps", func(t *testing.T) { testClientOps(t, open) })
	t.Run("DeviceTime", func(t *testing.T) { testDeviceTime(t, open) })
	t.Run("QueuePositions", func(t *testing.T) { testQueuePositions(t, open) })
	t.Run("FindTrack", func(t *testing.T) { testFindTrack(t, open) })
	t.Run("PrunePositions", func(t *testing.T) { testPrunePositions(t, open) })
	t.Run("Geofences", func(t *testing.T) { testGeofences(t, open) })
	t.Run("FindForceSettings", func(t *testing.T) { testFindForceSettings(t, open) })
	t.Run("SaveForceSettings", func(t *testing.T) { testSaveForceSettings(t, open) })
	t.Run("CreateContact", func(t *testing.T) { testCreateContact(t, open) })
	t.Run("FindContacts", func(t *testing.T) { testFindContacts(t, open) })
	t.Run("CreateIncident", func(t *testing.T) { testCreateIncident(t, open) })
	t.Run("FindIncidentByID", func(t *testing.T) { testFindIncidentByID(t, open) })
	t.Run("FindIncidentByNumber", func(t *testing.T) { testFindIncidentByNumber(t, open) })
	t.Run("FindIncidents", func(t *testing.T) { testFindIncidents(t, open) })
	t.Run("FindIncidentLog", func(t *testing.T) { testFindIncidentLog(t, open) })
	t.Run("FindDuplicates", func(t *testing.T) { testFindDuplicates(t, open) })
	t.Run("AddLogEntry", func(t *testing.T) { testAddLogEntry(t, open) })
	t.Run("GradeIncident", func(t *testing.T) { testGradeIncident(t, open) })
	t.Run("AssessIncident", func(t *testing.T) { testAssessIncident(t, open) })
	t.Run("CloseIncident", func(t *testing.T) { testCloseIncident(t, open) })
	t.Run("RecordBreach", func(t *testing.T) { testRecordBreach(t, open) })
	t.Run("DeclareMajorIncident", func(t *testing.T) { testDeclareMajorIncident(t, open) })
	t.Run("ReportMETHANE", func(t *testing.T) { testReportMETHANE(t, open) })
	t.Run("LinkIncident", func(t *testing.T) { testLinkIncident(t, open) })
	t.Run("FindMajorIncident", func(t *testing.T) { testFindMajorIncident(t, open) })
	t.Run("CreateUnitSkills", func(t *testing.T) { testCreateUnitSkills(t, open) })
	t.Run("FindUnitByID", func(t *testing.T) { testFindUnitByID(t, open) })
	t.Run("UpdateUnit", func(t *testing.T) { testUpdateUnit(t, open) })
	t.Run("SetUnitStatus", func(t *testing.T) { testSetUnitStatus(t, open) })
	t.Run("SetUnitPosition", func(t *testing.T) { testSetUnitPosition(t, open) })
	t.Run("AssignUnit", func(t *testing.T) { testAssignUnit(t, open) })
	t.Run("StandDownUnit", func(t *testing.T) { testStandDownUnit(t, open) })
	t.Run("CreatePerson", func(t *testing.T) { testCreatePerson(t, open) })
	t.Run("UpdatePerson", func(t *testing.T) { testUpdatePerson(t, open) })
	t.Run("FindPersons", func(t *testing.T) { testFindPersons(t, open) })
	t.Run("FindPersonByID", func(t *testing.T) { testFindPersonByID(t, open) })
	t.Run("CreateVehicle", func(t *testing.T) { testCreateVehicle(t, open) })
	t.Run("UpdateVehicle", func(t *testing.T) { testUpdateVehicle(t, open) })
	t.Run("FindVehicles", func(t *testing.T) { testFindVehicles(t, open) })
	t.Run("CreateLocationRecord", func(t *testing.T) { testCreateLocationRecord(t, open) })
	t.Run("UpdateLocationRecord", func(t *testing.T) { testUpdateLocationRecord(t, open) })
	t.Run("FindLocationRecords", func(t *testing.T) { testFindLocationRecords(t, open) })
	t.Run("ImportRecords", func(t *testing.T) { testImportRecords(t, open) })
	t.Run("CADNodes", func(t *testing.T) { testCADNodes(t, open) })
	t.Run("CrossForceNodes", func(t *testing.T) { testCrossForceNodes(t, open) })
	t.Run("CADNoActor", func(t *testing.T) { testCADNoActor(t, open) })
	t.Run("CreateExhibit", func(t *testing.T) { testCreateExhibit(t, open) })
	t.Run("FindExhibits", func(t *testing.T) { testFindExhibits(t, open) })
	t.Run("RecordCustody", func(t *testing.T) { testRecordCustody(t, open) })
	t.Run("RecordExhibitIntegrityFailure", func(t *testing.T) { testRecordExhibitIntegrityFailure(t, open) })
	t.Run("CreatePartner", func(t *testing.T) { testCreatePartner(t, open) })
	t.Run("CreateReferral", func(t *testing.T) { testCreateReferral(t, open) })
	t.Run("FindReferrals", func(t *testing.T) { testFindReferrals(t, open) })
	t.Run("Deliveries", func(t *testing.T) { testDeliveries(t, open) })
	t.Run("AcknowledgeReferral", func(t *testing.T) { testAcknowledgeReferral(t, open) })
	t.Run("GroupCommit", func(t *testing.T) { testGroupCommit(t, open) })
	t.Run("Atomic", func(t *testing.T) { testAtomic(t, open) })
	t.Run("Tamper", func(t *testing.T) { testTamper(t, open) })
	t.Run("Forms", func(t *testing.T) { testForms(t, open) })
}

// start is the fixed time every test's clock starts at.
var start = time.Date(2030, time.March, 4, 9, 30, 0, 123456000, time.UTC)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	// now is the current time; guarded by mu.
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is one test's store, clock and helpers. Its helpers fail the test
// that created it, so call them only from that test's goroutine.
type fixture struct {
	t *testing.T
	Opened
	clock *clock
}

// setup marks t parallel and opens a fresh store on a fixed clock.
func setup(t *testing.T, open Opener) *fixture {
	t.Helper()
	t.Parallel()
	c := &clock{now: start}
	return &fixture{t: t, Opened: open(t, Options{Now: c.Now}), clock: c}
}

// Justifications used across the suite.
var (
	consult  = bluelamp.Justification{Reason: "INVESTIGATION", IncidentRef: "INC-2030-0001"}
	auditing = bluelamp.Justification{Reason: "AUDIT", Text: "storetest checks the trail"}
)

// deployment returns a context acting as the deployment-wide system actor.
func (f *fixture) deployment() context.Context {
	return bluelamp.SystemContext(f.t.Context(), "", "storetest")
}

// system returns a context acting as bluelamp inside force.
func (f *fixture) system(force bluelamp.ForceID) context.Context {
	return bluelamp.SystemContext(f.t.Context(), force, "storetest")
}

// as returns a context acting as the signed-in user u.
func (f *fixture) as(u *bluelamp.User) context.Context {
	return bluelamp.NewContext(f.t.Context(), &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: u.Username,
		ForceID: u.ForceID, Roles: u.Roles, SessionID: "session-" + u.Username})
}

// rebind rewrites ? placeholders for the engine, for tamper SQL.
func (f *fixture) rebind(q string) string {
	if f.Engine != "postgres" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// exec runs tamper SQL on the raw database.
func (f *fixture) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.DB.ExecContext(f.t.Context(), f.rebind(q), args...); err != nil {
		f.t.Fatalf("exec %q: %v", q, err)
	}
}

// wantKind fails t unless err is a bluelamp error of kind k.
func wantKind(t testing.TB, err error, k bluelamp.Kind) {
	t.Helper()
	if got := bluelamp.KindOf(err); got != k {
		t.Fatalf("got error %v (kind %q), want kind %q", err, got, k)
	}
}

// wantFields fails t unless err is KindInvalid naming exactly fields.
func wantFields(t testing.TB, err error, fields ...string) {
	t.Helper()
	wantKind(t, err, bluelamp.KindInvalid)
	e, _ := errors.AsType[*bluelamp.Error](err)
	got := make(map[string]bool, len(e.Fields))
	for k := range e.Fields {
		got[k] = true
	}
	want := make(map[string]bool, len(fields))
	for _, k := range fields {
		want[k] = true
	}
	if len(got) != len(want) {
		t.Fatalf("error %v names fields %v, want %v", err, e.Fields, fields)
	}
	for k := range want {
		if !got[k] {
			t.Fatalf("error %v names fields %v, want %v", err, e.Fields, fields)
		}
	}
}

// wantNoActor fails t unless err is ErrNoActor.
func wantNoActor(t testing.TB, err error) {
	t.Helper()
	wantKind(t, err, bluelamp.KindUnauthenticated)
	if !errors.Is(err, bluelamp.ErrNoActor) {
		t.Fatalf("got %v, want ErrNoActor", err)
	}
}

// ok fails t if err is not nil.
func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
