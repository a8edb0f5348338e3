package bluelamp

import (
	"context"
)

// Every store method takes its force, and the attribution of what it writes,
// from the Actor in ctx. Without one it returns ErrNoActor. A record of
// another force is reported as KindNotFound, exactly as a missing one is, so
// nothing about another force leaks (DESIGN §2). Every method that changes
// state appends its events and audit records in the same transaction.

// ForceStore holds forces.
type ForceStore interface {
	// CreateForce creates a force and the head of its log. Only a
	// deployment-wide system actor may call it (KindForbidden otherwise);
	// KindConflict if the id is taken.
	CreateForce(ctx context.Context, f *Force) error
	// FindForces returns every force to a deployment-wide system actor and
	// the caller's own force to anyone else.
	FindForces(ctx context.Context) ([]*Force, error)
	// FindForceByID returns the caller's force if id is it, KindNotFound otherwise.
	FindForceByID(ctx context.Context, id ForceID) (*Force, error)
	// ProvisionForce creates p.Force, saves p.Settings (DefaultForceSettings
	// when nil) and creates p.Admin with the force_admin role and
	// p.PasswordHash, in one transaction: all of it or nothing. Its events
	// are attributed to the caller. Only a deployment-wide system actor may
	// call it (KindForbidden otherwise). KindInvalid names every field at
	// fault as ForceProvision.Validate does (admin.password when there is
	// no hash); KindConflict names id when the force exists, or
	// admin.username when a user anywhere in the deployment has it.
	ProvisionForce(ctx context.Context, p *ForceProvision) error
}

// StationStore holds stations.
type StationStore interface {
	// CreateStation adds a station to the caller's force; KindConflict if its
	// code is taken.
	CreateStation(ctx context.Context, s *Station) error
	// FindStations returns the caller's force's stations by code.
	FindStations(ctx context.Context) ([]*Station, error)
}

// UnitStore holds units and their status.
type UnitStore interface {
	// CreateUnit adds a unit to the caller's force; KindInvalid if its
	// station is not the force's or a skill is not in the force's list. A
	// unit with no State starts OFF_DUTY.
	CreateUnit(ctx context.Context, u *Unit) error
	// CreateUnits adds units to the caller's force in one transaction, each
	// as CreateUnit does, recording the same unit.created event: all of them
	// or none. It takes 1 to MaxUnitImport units (KindInvalid for none,
	// KindTooLarge code too_many_rows for more). A *UnitImportError names
	// every bad unit and each field at fault, the checks CreateUnit makes
	// and a call sign or device id repeated in the import or already the
	// force's; then nothing is written.
	CreateUnits(ctx context.Context, units []*Unit) error
	// FindUnits returns the caller's force's units by call sign.
	FindUnits(ctx context.Context) ([]*Unit, error)
	// FindUnitByID returns one unit; KindNotFound if not the force's.
	FindUnitByID(ctx context.Context, id UnitID) (*Unit, error)
	// UpdateUnit changes a unit's call sign (a per-shift label), crew and
	// skills; nil fields are left alone.
	UpdateUnit(ctx context.Context, id UnitID, upd UnitUpdate) (*Unit, error)
	// SetUnitStatus records a radio status code from the force's table.
	// A code that maps to a state moves the unit and its open assignment
	// (EN_ROUTE and AT_SCENE need one; AVAILABLE clears it; OFF_DUTY is
	// refused while it has one). A message code is logged on the unit's
	// job and changes nothing. KindInvalid for an unknown code.
	SetUnitStatus(ctx context.Context, id UnitID, code string) (*Unit, error)
	// SetUnitPosition records a unit's last known position.
	SetUnitPosition(ctx context.Context, id UnitID, p Position) (*Unit, error)
}

// UnitUpdate is a change to a unit's shift details.
type UnitUpdate struct {
	CallSign *string
	Crew     *[]string
	Skills   *[]UnitSkill
	DeviceID *string
}

// SettingsStore holds each force's command-and-control settings.
type SettingsStore interface {
	// FindForceSettings returns the caller's force's settings, or
	// DefaultForceSettings if it has never saved any.
	FindForceSettings(ctx context.Context) (*ForceSettings, error)
	// SaveForceSettings validates and replaces the caller's force's settings.
	SaveForceSettings(ctx context.Context, s *ForceSettings) error
}

// ContactStore holds contacts: one communication from the public each.
// Callers' details are personal data (DPA 2018 s.62).
type ContactStore interface {
	// CreateContact records a contact (audited as a collection), runs the
	// repeat and vulnerability checks into c.Checks, gives it a reference,
	// and either opens open as a new incident from it or, when open is nil,
	// links it to the open incident c.IncidentID (KindConflict if that is
	// closed). open.THRIVE, when given, becomes assessment version 1.
	CreateContact(ctx context.Context, c *Contact, open *Incident) error
	// FindContacts returns an incident's contacts, oldest first, audited as
	// a consultation; ErrJustificationRequired without a reason.
	FindContacts(ctx context.Context, incident IncidentID, j Justification) ([]*Contact, error)
}

// IncidentStore holds incidents and their logs.
type IncidentStore interface {
	// CreateIncident opens an incident with no contact (officer-generated
	// or imported): numbered, graded, logged.
	CreateIncident(ctx context.Context, inc *Incident) error
	// ImportIncident opens an incident handed over by another system (an
	// EIDO document) together with the log lines it brought, in one
	// transaction: all of it or nothing.
	ImportIncident(ctx context.Context, inc *Incident, notes []string) error
	// FindIncidentByID returns an incident with its latest THRIVE, its
	// assignments and its contacts' references.
	FindIncidentByID(ctx context.Context, id IncidentID) (*Incident, error)
	// FindIncidentByNumber returns an incident by its daily-serial number.
	FindIncidentByNumber(ctx context.Context, number string) (*Incident, error)
	// FindIncidents returns incidents in queue order (grade, then oldest
	// first) and the total before paging.
	FindIncidents(ctx context.Context, f IncidentFilter) ([]*Incident, int, error)
	// FindIncidentLog returns an incident's log, oldest first.
	FindIncidentLog(ctx context.Context, id IncidentID) ([]*LogEntry, error)
	// FindAssessments returns every THRIVE version of an incident, oldest first.
	FindAssessments(ctx context.Context, id IncidentID) ([]*THRIVE, error)
	// FindDuplicates returns open or recently closed incidents of a related
	// category within the force's duplicate radius and window of inc,
	// most likely first. inc need not be saved; it is excluded if it is.
	FindDuplicates(ctx context.Context, inc *Incident) ([]*DuplicateCandidate, error)
	// AddLogEntry appends a note to an open or closed incident's log; with
	// corrects set, it is a correction of that entry (which must be the
	// incident's).
	AddLogEntry(ctx context.Context, id IncidentID, text string, corrects int64) (*LogEntry, error)
	// GradeIncident re-grades an open incident; reason is required. Both
	// the original grade and time and the new ones are kept.
	GradeIncident(ctx context.Context, id IncidentID, g Grade, reason string) (*Incident, error)
	// AssessIncident adds a THRIVE version (a re-THRIVE); it does not
	// change the grade.
	AssessIncident(ctx context.Context, id IncidentID, t *THRIVE) (*Incident, error)
	// CloseIncident closes an open incident, standing down any units still
	// assigned; KindConflict if it is already closed.
	CloseIncident(ctx context.Context, id IncidentID, c *Closing) (*Incident, error)
	// RecordBreach records that an attendance target was breached; it
	// reports false (and writes nothing) if that breach is already recorded.
	RecordBreach(ctx context.Context, id IncidentID, basis ClockBasis) (bool, error)
	// DeclareMajorIncident declares an open incident a major incident.
	DeclareMajorIncident(ctx context.Context, id IncidentID, m *MajorIncident) (*Incident, error)
	// ReportMETHANE adds an M/ETHANE report to an open incident: ETHANE
	// before a major incident is declared, M/ETHANE after.
	ReportMETHANE(ctx context.Context, id IncidentID, m *METHANE) error
	// LinkIncident links an incident to a declared major incident.
	LinkIncident(ctx context.Context, id, major IncidentID) (*Incident, error)
	// FindMajorIncident returns a major incident with everything under it.
	FindMajorIncident(ctx context.Context, id IncidentID) (*MajorIncidentView, error)
}

// DispatchStore sends units to incidents.
type DispatchStore interface {
	// AssignUnit sends a unit to an open incident. The unit must be
	// available or, with divert, committed to a less urgent incident than
	// this IMMEDIATE one (its old assignment ends as DIVERTED). Of two
	// controllers assigning the same unit at once exactly one wins; the
	// other gets KindConflict saying where the unit went.
	AssignUnit(ctx context.Context, incident IncidentID, unit UnitID, divert bool) (*Assignment, error)
	// StandDownUnit releases a unit from an incident; the unit becomes
	// available.
	StandDownUnit(ctx context.Context, incident IncidentID, unit UnitID, reason string) error
}

// OfficerStore holds officers: personal data, audited under s.62.
type OfficerStore interface {
	// CreateOfficer adds an officer (audited as a collection); KindConflict
	// if the collar number is taken in the force.
	CreateOfficer(ctx context.Context, o *Officer) error
	// FindOfficers returns the caller's force's officers, audited as a
	// consultation; ErrJustificationRequired without a reason.
	FindOfficers(ctx context.Context, j Justification) ([]*Officer, error)
}

// UserStore holds users.
type UserStore interface {
	// CreateUser adds a user to the caller's force with an argon2id password
	// hash (empty for OIDC-only users); KindConflict if the username or email
	// is taken anywhere in the deployment.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// FindUserByID returns a user of the caller's force, audited as a
	// consultation; ErrJustificationRequired without a reason.
	FindUserByID(ctx context.Context, id UserID, j Justification) (*User, error)
	// FindUsers returns users of the caller's force and the total before
	// paging, audited as a consultation.
	FindUsers(ctx context.Context, f UserFilter, j Justification) ([]*User, int, error)
	// FindSelf returns the calling user's own record. A person reading their
	// own account is not a consultation of someone else's data.
	FindSelf(ctx context.Context) (*User, error)
	// DisableUser stops a user signing in and ends their sessions and tokens.
	DisableUser(ctx context.Context, id UserID) error
	// EnableUser lets a disabled or locked-out user sign in again.
	EnableUser(ctx context.Context, id UserID) error
	// SetUserPassword replaces a user's password hash, ends their sessions
	// and clears any lock-out.
	SetUserPassword(ctx context.Context, id UserID, passwordHash string) error
	// GrantRole gives a user a role; granting a held role is a no-op.
	GrantRole(ctx context.Context, id UserID, r Role) error
	// RevokeRole removes a role; revoking an unheld role is a no-op.
	RevokeRole(ctx context.Context, id UserID, r Role) error
}

// AuthStore is what sign-in needs before there is a signed-in user. Lookups
// by credential take a deployment-wide system actor; the rest act on the
// credential's own force.
type AuthStore interface {
	// FindCredential returns the credential for a username or, when byEmail,
	// an email address; KindNotFound if none.
	FindCredential(ctx context.Context, name string, byEmail bool) (*Credential, error)
	// RecordSignInFailure counts a failed sign-in atomically, so guesses
	// spread across nodes are all counted, and locks the user for p.For when
	// the count reaches p.After. A lock that has run out starts the count
	// again. It sets c.FailedSignIns and c.LockedUntil to the new values.
	RecordSignInFailure(ctx context.Context, c *Credential, p LockPolicy) error
	// CreateSession records a successful sign-in and clears failures.
	CreateSession(ctx context.Context, s *Session) error
	// FindSessionActor returns the actor and session for a session secret's
	// hash; KindUnauthenticated if unknown, expired, ended or the user is disabled.
	FindSessionActor(ctx context.Context, secretHash []byte) (*Actor, *Session, error)
	// EndSession signs a session out.
	EndSession(ctx context.Context, id string) error
	// FindTokenActor returns the actor for an API token secret's hash;
	// KindUnauthenticated if unknown, expired, revoked or the user is disabled.
	FindTokenActor(ctx context.Context, secretHash []byte) (*Actor, error)
}

// TokenStore holds API bearer tokens.
type TokenStore interface {
	// CreateToken issues a token for a user of the caller's force.
	CreateToken(ctx context.Context, t *Token) error
	// RevokeToken revokes a token of the caller's force.
	RevokeToken(ctx context.Context, id TokenID) error
	// FindTokens lists the caller's force's tokens (never their secrets).
	FindTokens(ctx context.Context) ([]*Token, error)
}

// EventStore reads a force's log and appends log-only events.
type EventStore interface {
	// AppendEvent appends an event of a type registered as Direct; other
	// types are appended only by the method that changes their read table
	// (KindInvalid otherwise).
	AppendEvent(ctx context.Context, t EventType, subject string, c Classification, payload any) (*Event, error)
	// FindEvents returns the caller's force's events after f.After, in order.
	FindEvents(ctx context.Context, f EventFilter) ([]*Event, error)
	// FindHead returns the caller's force's last event sequence and hash.
	FindHead(ctx context.Context) (Head, error)
	// FindHeads returns every force's head to a deployment-wide system actor.
	FindHeads(ctx context.Context) ([]Head, error)
}

// AuditStore reads the s.62 audit trail.
type AuditStore interface {
	// FindAuditRecords returns the caller's force's audit records and the
	// total before paging. The query is itself audited as a consultation.
	FindAuditRecords(ctx context.Context, f AuditFilter, j Justification) ([]*AuditRecord, int, error)
}

// OutboxStore keeps how far the outbox relay has published each force's log
// to the bus. Only the deployment-wide system actor may call it.
type OutboxStore interface {
	// FindOutboxCursors returns the last published sequence of every force.
	FindOutboxCursors(ctx context.Context) (map[ForceID]int64, error)
	// SaveOutboxCursors records published sequences; a cursor never moves back.
	SaveOutboxCursors(ctx context.Context, cursors map[ForceID]int64) error
	// HoldOutboxLease reports whether this store holds the deployment's
	// outbox lease, taking it when it is free. Only the holder's relay
	// publishes, so nodes sharing a database do not each publish every
	// event. The lease lives with a database session: when its holder dies,
	// another node takes it at its next call. An engine that serves one
	// node (SQLite) always holds it.
	HoldOutboxLease(ctx context.Context) (bool, error)
}

// ChainVerifier checks hash chains.
type ChainVerifier interface {
	// VerifyChains checks every force's event log and audit trail (for a
	// deployment-wide system actor) or the caller's own force's.
	VerifyChains(ctx context.Context) ([]ChainReport, error)
}

// Store is every store contract; sqlstore.Store satisfies it on SQLite and
// PostgreSQL.
type Store interface {
	ForceStore
	StationStore
	UnitStore
	SettingsStore
	ContactStore
	IncidentStore
	DispatchStore
	ShiftStore
	ClientOpStore
	PositionStore
	ExhibitStore
	ReferralStore
	FormStore
	OfficerStore
	UserStore
	AuthStore
	TokenStore
	EventStore
	AuditStore
	OutboxStore
	ChainVerifier
	RecordStore
	// Ping reports whether the database answers; KindUnavailable if not.
	Ping(ctx context.Context) error
}
