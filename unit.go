package bluelamp

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// UnitID identifies a Unit within its force.
type UnitID int64

// Unit is a deployable resource. Its call sign is a per-shift label, not a
// key (DOMAIN 3.3).
type Unit struct {
	ID        UnitID      `json:"id"`
	ForceID   ForceID     `json:"force"`
	CallSign  string      `json:"call_sign"`
	Type      string      `json:"type"` // e.g. "response car", "dog unit"
	StationID StationID   `json:"station_id"`
	Crew      []string    `json:"crew"`   // officers' collar numbers
	Skills    []UnitSkill `json:"skills"` // capabilities, with accreditation expiry

	State      UnitState  `json:"state"`
	StatusCode string     `json:"status_code"` // the force's radio code last sent
	StatusAt   time.Time  `json:"status_at"`
	IncidentID IncidentID `json:"incident_id,omitempty"` // the job it is committed to
	Incident   string     `json:"incident_number,omitempty"`
	Position   *Position  `json:"position,omitempty"` // last known
	PositionAt *time.Time `json:"position_at,omitempty"`
	// DeviceID names the vehicle tracker that reports the unit's position,
	// as the tracker sends it (e.g. its IMEI); empty if none.
	DeviceID string `json:"device_id,omitempty"`
}

var devicePattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Validate reports every problem with u at once.
func (u *Unit) Validate() error {
	fields := map[string]string{}
	if u.CallSign == "" || len(u.CallSign) > 16 {
		fields["call_sign"] = "is required (at most 16 characters)"
	}
	if u.Type == "" || len(u.Type) > 64 {
		fields["type"] = "is required (at most 64 characters)"
	}
	if u.StationID <= 0 {
		fields["station_id"] = "is required"
	}
	for i, c := range u.Crew {
		if !collarPattern.MatchString(c) || slices.Contains(u.Crew[:i], c) {
			fields["crew"] = "collar numbers must be 1 to 10 upper-case letters and digits, each once"
		}
	}
	if u.DeviceID != "" && !devicePattern.MatchString(u.DeviceID) {
		fields["device_id"] = "must be 1 to 64 letters, digits, dots, colons, hyphens or underscores"
	}
	if len(u.Crew) > 30 {
		fields["crew"] = "at most 30 officers"
	}
	for i, s := range u.Skills {
		if !validSkillCode(s.Skill) || slices.ContainsFunc(u.Skills[:i], func(o UnitSkill) bool { return o.Skill == s.Skill }) {
			fields["skills"] = "unknown or repeated skill " + quoteShort(string(s.Skill))
		}
	}
	if u.State != "" && !u.State.Valid() {
		fields["state"] = "unknown state " + quoteShort(string(u.State))
	}
	if u.Position != nil && !u.Position.Valid() {
		fields["position"] = "latitude must be within ±90 and longitude within ±180"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// MaxUnitImport is the most units one CreateUnits may hold.
const MaxUnitImport = 2000

// UnitRowError is what is wrong with one unit of an import.
type UnitRowError struct {
	Row      int               `json:"row"` // the unit's place in the import, from 1
	CallSign string            `json:"call_sign,omitempty"`
	Errors   map[string]string `json:"errors"` // each field at fault, with a short message
}

// UnitImportError refuses an import of units for the rows it names, in
// row order; nothing of the import was written. Its kind is KindInvalid.
type UnitImportError struct {
	Rows []UnitRowError
}

func (e *UnitImportError) Error() string {
	return fmt.Sprintf("unit import refused: %d bad rows", len(e.Rows))
}

// Unwrap makes KindOf report KindInvalid with code invalid_rows.
func (e *UnitImportError) Unwrap() error {
	return &Error{Kind: KindInvalid, Code: "invalid_rows",
		Message: fmt.Sprintf("%d units are invalid; none was created", len(e.Rows))}
}

// HasSkills reports whether u holds every skill in need, unexpired at now
// (accreditations lapse, DOMAIN 3.4).
func (u *Unit) HasSkills(need []Skill, now time.Time) bool {
	for _, s := range need {
		if !slices.ContainsFunc(u.Skills, func(h UnitSkill) bool {
			return h.Skill == s && (h.Expires == nil || h.Expires.After(now))
		}) {
			return false
		}
	}
	return true
}

// UnitState is the canonical state a force's status code maps to (DOMAIN 3.2).
type UnitState string

const (
	StateEmergency           UnitState = "EMERGENCY" // overrides everything
	StateOnDuty              UnitState = "ON_DUTY"
	StateAvailable           UnitState = "AVAILABLE"
	StateAvailableStandby    UnitState = "AVAILABLE_STANDBY"
	StateRefreshment         UnitState = "REFRESHMENT"
	StateAssigned            UnitState = "ASSIGNED" // allocated, not yet moving
	StateEnRoute             UnitState = "EN_ROUTE"
	StateAtScene             UnitState = "AT_SCENE"
	StateCommittedDeployable UnitState = "COMMITTED_DEPLOYABLE"
	StateUnavailable         UnitState = "UNAVAILABLE"
	StatePrisoner            UnitState = "PRISONER"
	StateAtCourt             UnitState = "AT_COURT"
	StateOffDuty             UnitState = "OFF_DUTY"
)

// UnitStates lists every UnitState in the order the unit board groups them.
var UnitStates = []UnitState{
	StateEmergency, StateAvailable, StateAvailableStandby, StateOnDuty, StateAssigned, StateEnRoute,
	StateAtScene, StateCommittedDeployable, StateRefreshment, StatePrisoner, StateAtCourt,
	StateUnavailable, StateOffDuty,
}

// Valid reports whether s is in UnitStates.
func (s UnitState) Valid() bool { return slices.Contains(UnitStates, s) }

// Available reports whether a unit in state s can be sent to any job.
func (s UnitState) Available() bool { return s == StateAvailable || s == StateAvailableStandby }

// Committed reports whether a unit in state s is tied to an incident.
func (s UnitState) Committed() bool {
	return s == StateAssigned || s == StateEnRoute || s == StateAtScene || s == StateCommittedDeployable
}

// Label is the state as the unit board shows it.
func (s UnitState) Label() string {
	switch s {
	case StateEmergency:
		return "EMERGENCY"
	case StateOnDuty:
		return "On duty"
	case StateAvailable:
		return "Available"
	case StateAvailableStandby:
		return "Available – standby"
	case StateRefreshment:
		return "Refreshments"
	case StateAssigned:
		return "Assigned"
	case StateEnRoute:
		return "En route"
	case StateAtScene:
		return "At scene"
	case StateCommittedDeployable:
		return "Committed – deployable"
	case StateUnavailable:
		return "Unavailable"
	case StatePrisoner:
		return "Prisoner escort"
	case StateAtCourt:
		return "At court"
	case StateOffDuty:
		return "Off duty"
	}
	return string(s)
}

// StatusCode is one entry of a force's radio status code table. A code with
// no State is a message (e.g. "call back"), logged but not a change of state.
type StatusCode struct {
	Code  string    `json:"code"`
	Label string    `json:"label"`
	State UnitState `json:"state,omitempty"`
}

// Skill is a capability a unit has and an incident may need (DOMAIN 3.4).
// Forces list theirs in settings; codes are upper-case.
type Skill string

var skillPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,31}$`)

func validSkillCode(s Skill) bool { return skillPattern.MatchString(string(s)) }

// SkillInfo describes one skill in a force's list.
type SkillInfo struct {
	Code  Skill  `json:"code"`
	Label string `json:"label"`
}

// UnitSkill is a skill a unit holds, with the date its accreditation lapses.
type UnitSkill struct {
	Skill   Skill      `json:"skill"`
	Expires *time.Time `json:"expires,omitempty"`
}

// AssignmentID identifies an Assignment within its force.
type AssignmentID int64

// AssignmentState is where a unit stands on one job.
type AssignmentState string

const (
	AssignmentAssigned  AssignmentState = "ASSIGNED"
	AssignmentEnRoute   AssignmentState = "EN_ROUTE"
	AssignmentAtScene   AssignmentState = "AT_SCENE"
	AssignmentCleared   AssignmentState = "CLEARED"    // finished at the job
	AssignmentStoodDown AssignmentState = "STOOD_DOWN" // released before finishing
	AssignmentDiverted  AssignmentState = "DIVERTED"   // taken to a more urgent job
)

// Open reports whether the assignment still commits its unit.
func (s AssignmentState) Open() bool {
	return s == AssignmentAssigned || s == AssignmentEnRoute || s == AssignmentAtScene
}

// Assignment is a unit sent to an incident.
type Assignment struct {
	ID           AssignmentID    `json:"id"`
	IncidentID   IncidentID      `json:"incident_id"`
	Incident     string          `json:"incident_number"`
	UnitID       UnitID          `json:"unit_id"`
	CallSign     string          `json:"call_sign"`
	State        AssignmentState `json:"state"`
	AssignedAt   time.Time       `json:"assigned_at"`
	AssignedBy   string          `json:"assigned_by"`
	EnRouteAt    *time.Time      `json:"en_route_at,omitempty"`
	AtSceneAt    *time.Time      `json:"at_scene_at,omitempty"`
	EndedAt      *time.Time      `json:"ended_at,omitempty"`
	DivertedFrom string          `json:"diverted_from,omitempty"` // incident number the unit was taken from
}

// Recommendation is a unit the dispatch index suggests for an incident,
// nearest by estimated time of arrival first.
type Recommendation struct {
	Unit      *Unit    `json:"unit"`
	DistanceM float64  `json:"distance_m"`
	ETA       Duration `json:"eta"`
	// Diversion is set for a committed-but-deployable unit offered for an
	// IMMEDIATE incident: sending it takes it from its current job.
	Diversion bool `json:"diversion"`
	// Stale is set when the unit's last position is older than the force's
	// PositionStaleAfter: its distance and ETA are from where it was.
	Stale bool `json:"stale"`
}
