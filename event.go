package bluelamp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Classification is the Government Security Classifications marking of a
// record or event (DOMAIN 5.1). bluelamp targets OFFICIAL and OFFICIAL-SENSITIVE;
// SECRET and above need accredited infrastructure and are refused.
type Classification string

const (
	ClassOfficial          Classification = "OFFICIAL"
	ClassOfficialSensitive Classification = "OFFICIAL-SENSITIVE"
)

// Valid reports whether c is a classification bluelamp may hold.
func (c Classification) Valid() bool { return c == ClassOfficial || c == ClassOfficialSensitive }

// EventType names what happened, as "noun.past_verb".
type EventType string

// Event types of the spine. Later capabilities add their own beside their code.
const (
	EventForceCreated     EventType = "force.created"
	EventStationCreated   EventType = "station.created"
	EventUnitCreated      EventType = "unit.created"
	EventOfficerCreated   EventType = "officer.created"
	EventUserCreated      EventType = "user.created"
	EventUserDisabled     EventType = "user.disabled"
	EventUserEnabled      EventType = "user.enabled"
	EventUserPasswordSet  EventType = "user.password_set"
	EventUserRoleGranted  EventType = "user.role_granted"
	EventUserRoleRevoked  EventType = "user.role_revoked"
	EventUserSignedIn     EventType = "user.signed_in"
	EventUserSignedOut    EventType = "user.signed_out"
	EventUserSignInFailed EventType = "user.sign_in_failed"
	EventUserLocked       EventType = "user.locked"
	EventTokenCreated     EventType = "token.created"
	EventTokenRevoked     EventType = "token.revoked"
	EventLogNote          EventType = "log.note"

	EventSettingsChanged   EventType = "force.settings_changed"
	EventContactCreated    EventType = "contact.created"
	EventIncidentOpened    EventType = "incident.opened"
	EventIncidentLogged    EventType = "incident.logged"
	EventIncidentGraded    EventType = "incident.graded"
	EventIncidentAssessed  EventType = "incident.assessed"
	EventIncidentClosed    EventType = "incident.closed"
	EventIncidentBreached  EventType = "incident.breached"
	EventIncidentMajor     EventType = "incident.major_declared"
	EventIncidentMETHANE   EventType = "incident.methane_reported"
	EventIncidentLinked    EventType = "incident.linked"
	EventUnitUpdated       EventType = "unit.updated"
	EventUnitStatusChanged EventType = "unit.status_changed"
	EventUnitMoved         EventType = "unit.moved"
	EventUnitAssigned      EventType = "unit.assigned"
	EventUnitStoodDown     EventType = "unit.stood_down"
)

// EventTypeInfo says who may see events of a type on the live stream and in
// the log API, and whether callers may append it directly (a type with a read
// table is appended only by the store method that changes that table).
type EventTypeInfo struct {
	Audience []Role
	Direct   bool
	// Personal marks a type whose payload holds personal data: people see
	// it only through an audited read (DPA 2018 s.62); elsewhere it is
	// redacted.
	Personal bool
}

var (
	everyone = Roles
	admins   = []Role{RoleForceAdmin, RoleAuditor}
	// operations are everyone who works incidents: not partner agencies,
	// who see only what an agreement shares.
	operations = []Role{RoleCallHandler, RoleController, RoleSupervisor, RoleResponseOfficer,
		RoleNeighbourhoodOfficer, RoleAnalyst, RoleForceAdmin, RoleAuditor}
)

// eventTypes is the registry of known event types. An unknown type is shown
// only to force admins and auditors.
var eventTypes = map[EventType]EventTypeInfo{
	EventForceCreated:     {Audience: everyone},
	EventStationCreated:   {Audience: everyone},
	EventUnitCreated:      {Audience: everyone},
	EventOfficerCreated:   {Audience: []Role{RoleForceAdmin, RoleAuditor, RoleSupervisor}, Personal: true},
	EventUserCreated:      {Audience: admins, Personal: true},
	EventUserDisabled:     {Audience: admins},
	EventUserEnabled:      {Audience: admins},
	EventUserPasswordSet:  {Audience: admins},
	EventUserRoleGranted:  {Audience: admins},
	EventUserRoleRevoked:  {Audience: admins},
	EventUserSignedIn:     {Audience: admins},
	EventUserSignedOut:    {Audience: admins},
	EventUserSignInFailed: {Audience: admins},
	EventUserLocked:       {Audience: admins},
	EventTokenCreated:     {Audience: admins},
	EventTokenRevoked:     {Audience: admins},
	EventLogNote:          {Audience: []Role{RoleController, RoleSupervisor, RoleForceAdmin, RoleAuditor}, Direct: true},

	EventSettingsChanged:   {Audience: everyone},
	EventContactCreated:    {Audience: operations, Personal: true},
	EventIncidentOpened:    {Audience: operations},
	EventIncidentLogged:    {Audience: operations},
	EventIncidentGraded:    {Audience: operations},
	EventIncidentAssessed:  {Audience: operations},
	EventIncidentClosed:    {Audience: operations},
	EventIncidentBreached:  {Audience: operations},
	EventIncidentMajor:     {Audience: operations},
	EventIncidentMETHANE:   {Audience: operations},
	EventIncidentLinked:    {Audience: operations},
	EventUnitUpdated:       {Audience: operations},
	EventUnitStatusChanged: {Audience: operations},
	EventUnitMoved:         {Audience: operations},
	EventUnitAssigned:      {Audience: operations},
	EventUnitStoodDown:     {Audience: operations},
}

// registerEventTypes adds a capability's event types to the registry. Each
// capability calls it from an init function in its own file; registering a
// type twice is a programming error.
func registerEventTypes(m map[EventType]EventTypeInfo) {
	for t, info := range m {
		if _, dup := eventTypes[t]; dup {
			panic("bluelamp: event type " + string(t) + " registered twice")
		}
		eventTypes[t] = info
	}
}

// Info returns the registry entry for t.
func (t EventType) Info() EventTypeInfo {
	if info, ok := eventTypes[t]; ok {
		return info
	}
	return EventTypeInfo{Audience: admins}
}

// needToKnow are the roles that may see OFFICIAL-SENSITIVE events of a type
// whose audience they are in; other roles see only OFFICIAL events.
var needToKnow = []Role{RoleSupervisor, RoleForceAdmin, RoleAuditor, RoleController}

// VisibleTo reports whether a may see e: a system actor of e's force sees
// everything; a person needs a role in the type's audience and, for an
// OFFICIAL-SENSITIVE event, a need-to-know role in that audience.
func (e *Event) VisibleTo(a *Actor) bool {
	if a == nil || a.ForceID != e.ForceID {
		return false
	}
	if a.Kind == ActorSystem {
		return true
	}
	inAudience := false
	for _, r := range a.Roles {
		if !slices.Contains(e.Type.Info().Audience, r) {
			continue
		}
		if e.Classification == ClassOfficial || slices.Contains(needToKnow, r) {
			return true
		}
		inAudience = true
	}
	// An officer needs to know about their own unit and the job it is on,
	// however sensitive: that is the job they are walking into.
	return inAudience && a.Unit != 0 && e.about(a.Unit)
}

// about reports whether e's payload (a Change) is about unit u: the unit
// itself, its assignment, or an incident it is assigned to.
func (e *Event) about(u UnitID) bool {
	var c Change
	if json.Unmarshal(e.Payload, &c) != nil {
		return false
	}
	if (c.Unit != nil && c.Unit.ID == u) || (c.Assignment != nil && c.Assignment.UnitID == u) {
		return true
	}
	for _, x := range c.Units {
		if x.ID == u {
			return true
		}
	}
	for _, inc := range []*Incident{c.Incident, c.Diverted} {
		if inc == nil {
			continue
		}
		for _, as := range inc.Assignments {
			if as.UnitID == u && as.State.Open() {
				return true
			}
		}
	}
	return false
}

// Event is one entry in a force's log: the record (DESIGN §1).
type Event struct {
	ForceID        ForceID         `json:"force"`
	Seq            int64           `json:"seq"`
	ID             string          `json:"id"` // UUIDv7, for reference outside the force
	Time           time.Time       `json:"time"`
	ActorKind      ActorKind       `json:"actor_kind"`
	ActorID        UserID          `json:"actor_id,omitempty"`
	Actor          string          `json:"actor"`
	Type           EventType       `json:"type"`
	Subject        string          `json:"subject"` // e.g. "user/12"
	Classification Classification  `json:"classification"`
	Payload        json.RawMessage `json:"payload"`
	PrevHash       Hash            `json:"prev_hash"`
	Hash           Hash            `json:"hash"`
}

// Hash is a SHA-256 digest, shown as hex.
type Hash []byte

// String returns h as lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h) }

// MarshalText encodes h as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(h)), nil }

// UnmarshalText decodes hex into h.
func (h *Hash) UnmarshalText(b []byte) error {
	d, err := hex.DecodeString(string(b))
	if err != nil {
		return err
	}
	*h = d
	return nil
}

// Canonical returns the encoding of e that the chain hashes: every field but
// the hashes, each length-prefixed, in a fixed order, times in UTC
// microseconds. The payload is hashed as stored, byte for byte.
func (e *Event) Canonical() []byte {
	var b []byte
	b = appendField(b, "event/v1")
	b = appendField(b, string(e.ForceID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = appendField(b, e.ID)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Time.UnixMicro()))
	b = appendField(b, string(e.ActorKind))
	b = binary.BigEndian.AppendUint64(b, uint64(e.ActorID))
	b = appendField(b, e.Actor)
	b = appendField(b, string(e.Type))
	b = appendField(b, e.Subject)
	b = appendField(b, string(e.Classification))
	b = appendField(b, string(e.Payload))
	return b
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// ChainHash returns SHA-256(prev ‖ canonical).
func ChainHash(prev Hash, canonical []byte) Hash {
	h := sha256.New()
	h.Write(prev)
	h.Write(canonical)
	return h.Sum(nil)
}

// Seal sets e.PrevHash to prev and e.Hash to the chain hash over them.
func (e *Event) Seal(prev Hash) {
	e.PrevHash = prev
	e.Hash = ChainHash(prev, e.Canonical())
}

// NewEventID returns a UUIDv7 (RFC 9562): time-ordered, so ids sort by creation.
func NewEventID(now time.Time) string {
	var u [16]byte
	_, _ = rand.Read(u[6:])
	ms := uint64(now.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// EventFilter selects events of the caller's force.
type EventFilter struct {
	After int64 // only events with Seq > After
	Limit int   // at most this many; zero means the store's default
	// Justification, when set, returns the payloads of Personal event types
	// to a person and audits the read as a consultation; without it they
	// are redacted. bluelamp's own system actors always get them whole.
	Justification *Justification
}

// redactedPayload replaces a Personal payload shown without a justification.
var redactedPayload = json.RawMessage(`{"redacted":"personal data: read the log with a justification to see it"}`)

// Redacted returns e with its payload replaced when its type is Personal,
// and e itself otherwise. The hashes are kept, so a redacted event can be
// matched to the record but not verified from the copy.
func (e *Event) Redacted() *Event {
	if !e.Type.Info().Personal {
		return e
	}
	c := *e
	c.Payload = redactedPayload
	return &c
}

// Head is the last event of a force's log.
type Head struct {
	ForceID ForceID `json:"force"`
	Seq     int64   `json:"seq"`
	Hash    Hash    `json:"hash"`
}
