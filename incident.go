package bluelamp

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// IncidentID identifies an Incident within its force.
type IncidentID int64

// IncidentStatus is whether an incident is open.
type IncidentStatus string

const (
	IncidentOpen   IncidentStatus = "OPEN"
	IncidentClosed IncidentStatus = "CLOSED"
)

// Resourcing is how far an open incident's deployment has got: the
// controller's view of it, kept by the store as units move.
type Resourcing string

const (
	ResourcingAwaiting Resourcing = "AWAITING" // no unit assigned
	ResourcingAssigned Resourcing = "ASSIGNED" // assigned, none yet moving
	ResourcingEnRoute  Resourcing = "EN_ROUTE"
	ResourcingAtScene  Resourcing = "AT_SCENE"
	ResourcingCleared  Resourcing = "CLEARED" // every unit has left; awaiting a result
)

// Incident is the command-and-control log of something the force is dealing
// with (DESIGN names): opened on first-contact information, graded, resourced
// and closed, every change an event.
type Incident struct {
	ID       IncidentID `json:"id"`
	ForceID  ForceID    `json:"force"`
	Number   string     `json:"number"`    // the force's daily serial, e.g. "1234/27NOV26"
	GlobalID string     `json:"global_id"` // UUIDv7, unique across forces

	ReceivedAt time.Time `json:"received_at"` // call received: the first contact
	OpenedAt   time.Time `json:"opened_at"`
	OpenedBy   string    `json:"opened_by"`
	Channel    Channel   `json:"channel"` // method of reporting of the first contact

	Category       Category       `json:"category"`
	Qualifiers     []Qualifier    `json:"qualifiers"`
	Classification Classification `json:"classification"`
	Summary        string         `json:"summary"`
	Location       Location       `json:"location"`

	Grade            Grade     `json:"grade"`
	GradedAt         time.Time `json:"graded_at"`
	OriginalGrade    Grade     `json:"original_grade"`
	OriginalGradedAt time.Time `json:"original_graded_at"`
	RequiredSkills   []Skill   `json:"required_skills"`

	Status            IncidentStatus `json:"status"`
	Resourcing        Resourcing     `json:"resourcing"`
	FirstDispatchedAt *time.Time     `json:"first_dispatched_at,omitempty"`
	FirstArrivedAt    *time.Time     `json:"first_arrived_at,omitempty"`
	Breaches          []ClockBasis   `json:"breaches"` // attendance targets recorded as breached

	Major       *MajorIncident `json:"major,omitempty"`         // set when declared a major incident
	MajorLinkID IncidentID     `json:"major_link_id,omitempty"` // the major incident this one is linked to

	ClosedAt *time.Time `json:"closed_at,omitempty"`
	ClosedBy string     `json:"closed_by,omitempty"`
	Closing  *Closing   `json:"closing,omitempty"`

	Clocks      []Clock       `json:"clocks,omitempty"` // attendance clocks, computed when read through the API
	THRIVE      *THRIVE       `json:"thrive,omitempty"` // the latest assessment
	Assignments []*Assignment `json:"assignments,omitempty"`
	Contacts    []string      `json:"contacts,omitempty"` // contact references, oldest first
}

// MaxSummary is the longest incident summary accepted.
const MaxSummary = 200

// Validate checks an incident as opened, with its location checked against
// area, and records every fault at once.
func (inc *Incident) Validate(area *Area) error {
	fields := map[string]string{}
	inc.validate(area, fields)
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

func (inc *Incident) validate(area *Area, fields map[string]string) {
	if !inc.Category.Valid() {
		fields["category"] = "unknown NSIR category " + quoteShort(string(inc.Category))
	}
	if !validQualifiers(inc.Qualifiers) {
		fields["qualifiers"] = "unknown or repeated qualifier"
	}
	if inc.Classification == "" {
		inc.Classification = ClassOfficial
	}
	if !inc.Classification.Valid() {
		fields["classification"] = "must be OFFICIAL or OFFICIAL-SENSITIVE"
	}
	if !inc.Grade.Valid() {
		fields["grade"] = "must be one of IMMEDIATE, PRIORITY, STANDARD, SCHEDULED, RESOLVED_WITHOUT_DEPLOYMENT"
	}
	inc.Summary = strings.TrimSpace(inc.Summary)
	switch {
	case !utf8.ValidString(inc.Summary) || len(inc.Summary) > MaxSummary:
		fields["summary"] = "must be text of at most 200 bytes"
	case inc.Summary == "":
		fields["summary"] = "is required"
	}
	if !inc.Channel.Valid() {
		fields["channel"] = "unknown channel " + quoteShort(string(inc.Channel))
	}
	for i, s := range inc.RequiredSkills {
		if !validSkillCode(s) || slices.Contains(inc.RequiredSkills[:i], s) {
			fields["required_skills"] = "unknown or repeated skill " + quoteShort(string(s))
		}
	}
	inc.Location.validate(area, "location.", fields)
}

// Closing is how an incident was closed: the closing NSIR category, which
// may differ from the opening one, qualifiers and the result (DOMAIN 2.5).
type Closing struct {
	Category       Category    `json:"category"`
	Qualifiers     []Qualifier `json:"qualifiers"`
	Result         Result      `json:"result"`
	CrimeReference string      `json:"crime_reference,omitempty"` // with CRIME_RECORDED
	Partner        string      `json:"partner,omitempty"`         // with REFERRED_TO_PARTNER or TRANSFERRED
	DuplicateOf    string      `json:"duplicate_of,omitempty"`    // incident number, with DUPLICATE
	Note           string      `json:"note,omitempty"`
}

// Validate reports every problem with c at once.
func (c *Closing) Validate() error {
	fields := map[string]string{}
	if !c.Category.Valid() {
		fields["category"] = "unknown NSIR category " + quoteShort(string(c.Category))
	}
	if !validQualifiers(c.Qualifiers) {
		fields["qualifiers"] = "unknown or repeated qualifier"
	}
	if !c.Result.Valid() {
		fields["result"] = "unknown result " + quoteShort(string(c.Result))
	}
	short := func(name, v string, required bool, why string) {
		v = strings.TrimSpace(v)
		switch {
		case !utf8.ValidString(v) || len(v) > 100:
			fields[name] = "must be text of at most 100 bytes"
		case required && v == "":
			fields[name] = why
		}
	}
	short("crime_reference", c.CrimeReference, c.Result == ResultCrimeRecorded, "is required when a crime is recorded")
	short("partner", c.Partner, c.Result == ResultReferredToPartner || c.Result == ResultTransferred, "is required when referring or transferring")
	short("duplicate_of", c.DuplicateOf, c.Result == ResultDuplicate, "is required for a duplicate: the incident number it duplicates")
	if !utf8.ValidString(c.Note) || len(c.Note) > 4000 {
		fields["note"] = "must be text of at most 4000 bytes"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// LogEntryKind is what a line of an incident log records.
type LogEntryKind string

const (
	LogOpened     LogEntryKind = "OPENED"
	LogContact    LogEntryKind = "CONTACT"
	LogNote       LogEntryKind = "NOTE"
	LogCorrection LogEntryKind = "CORRECTION"
	LogGraded     LogEntryKind = "GRADED"
	LogAssessed   LogEntryKind = "ASSESSED"
	LogAssigned   LogEntryKind = "ASSIGNED"
	LogStatus     LogEntryKind = "STATUS"
	LogStoodDown  LogEntryKind = "STOOD_DOWN"
	LogBreach     LogEntryKind = "BREACH"
	LogMajor      LogEntryKind = "MAJOR"
	LogMETHANE    LogEntryKind = "METHANE"
	LogLinked     LogEntryKind = "LINKED"
	LogClosed     LogEntryKind = "CLOSED"
	LogImported   LogEntryKind = "IMPORTED"
	LogExported   LogEntryKind = "EXPORTED"
)

// LogEntry is one line of an incident log: append-only, attributed and tied
// to the force-log event that made it. A correction is a new entry naming
// the one it corrects.
type LogEntry struct {
	ID         int64        `json:"id"`
	IncidentID IncidentID   `json:"incident_id"`
	EventSeq   int64        `json:"event_seq"`
	Time       time.Time    `json:"time"`
	Actor      string       `json:"actor"`
	Kind       LogEntryKind `json:"kind"`
	Text       string       `json:"text"`
	Corrects   int64        `json:"corrects,omitempty"`
}

// MaxLogText is the longest log entry text accepted.
const MaxLogText = 4000

// ValidLogText returns a KindInvalid error naming "text" unless s is
// non-empty valid text within MaxLogText.
func ValidLogText(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || !utf8.ValidString(s) || len(s) > MaxLogText {
		return InvalidFields(map[string]string{"text": "is required, at most 4000 bytes"})
	}
	return nil
}

// IncidentFilter selects incidents. Nil fields do not filter.
type IncidentFilter struct {
	Status  *IncidentStatus
	Grade   *Grade
	MajorID *IncidentID // linked to this major incident
	Since   *time.Time  // received (the call) at or after
	Limit   int         // default 100, at most 10000
	Offset  int
}

// DuplicateCandidate is an incident that may be the same as one being
// opened: related category, near in place and time (DOMAIN 2.5).
type DuplicateCandidate struct {
	Incident     *Incident `json:"incident"`
	Distance     float64   `json:"distance_m"`
	Age          Duration  `json:"age"`
	SameCategory bool      `json:"same_category"`
	Score        float64   `json:"score"` // lower is more likely the same
}

// DuplicateScore ranks a candidate: distance as a share of the radius plus
// age as a share of the window, less a half for the same category.
func DuplicateScore(distance, radius float64, age, window time.Duration, sameCategory bool) float64 {
	s := distance/radius + float64(age)/float64(window)
	if sameCategory {
		s -= 0.5
	}
	return s
}

// MajorIncident is the declaration of a major incident on an incident
// (JESIP, DOMAIN 3.6).
type MajorIncident struct {
	Name       string    `json:"name"`
	DeclaredAt time.Time `json:"declared_at"`
	DeclaredBy string    `json:"declared_by"`
	Reason     string    `json:"reason"`
}

// METHANE is a structured M/ETHANE report from a scene (JESIP, DOMAIN 3.6).
// Each report is a new version; none is changed.
type METHANE struct {
	Version    int       `json:"version"`
	ReportedAt time.Time `json:"reported_at"`
	ReportedBy string    `json:"reported_by"`

	MajorIncident     bool       `json:"major_incident"` // M: declared (or anticipated)
	ExactLocation     string     `json:"exact_location"`
	TypeOfIncident    string     `json:"type_of_incident"`
	Hazards           string     `json:"hazards"`
	Access            string     `json:"access"`
	Casualties        Casualties `json:"casualties"`
	EmergencyServices string     `json:"emergency_services"` // present and required
}

// Casualties is the N of M/ETHANE.
type Casualties struct {
	Number      int    `json:"number"`
	Description string `json:"description,omitempty"` // type and severity
}

// Validate reports every problem with m at once. Every element is required:
// a partial M/ETHANE says "unknown" in words.
func (m *METHANE) Validate() error {
	fields := map[string]string{}
	for name, v := range map[string]string{
		"exact_location": m.ExactLocation, "type_of_incident": m.TypeOfIncident, "hazards": m.Hazards,
		"access": m.Access, "emergency_services": m.EmergencyServices,
	} {
		v = strings.TrimSpace(v)
		if v == "" || !utf8.ValidString(v) || len(v) > 2000 {
			fields[name] = "is required (at most 2000 bytes); write \"unknown\" if it is"
		}
	}
	if m.Casualties.Number < 0 || m.Casualties.Number > 100000 {
		fields["casualties.number"] = "must be between 0 and 100000"
	}
	if !utf8.ValidString(m.Casualties.Description) || len(m.Casualties.Description) > 2000 {
		fields["casualties.description"] = "must be text of at most 2000 bytes"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// MajorIncidentView is everything under a declared major incident: the
// incident, the incidents linked to it, its M/ETHANE reports and every unit
// committed to any of them.
type MajorIncidentView struct {
	Incident *Incident     `json:"incident"`
	Linked   []*Incident   `json:"linked"`
	METHANE  []*METHANE    `json:"methane"`
	Units    []*Assignment `json:"units"` // open assignments across all of them
}

// Change is the payload of every command-and-control event: the records as
// they stand after the change, so a console applies it without a fetch, and
// the incident-log lines it wrote.
type Change struct {
	Incident   *Incident      `json:"incident,omitempty"`
	Unit       *Unit          `json:"unit,omitempty"`
	Units      []*Unit        `json:"units,omitempty"` // units released by the change
	Assignment *Assignment    `json:"assignment,omitempty"`
	Diverted   *Incident      `json:"diverted,omitempty"` // the incident a diverted unit left
	Entries    []*LogEntry    `json:"entries,omitempty"`
	THRIVE     *THRIVE        `json:"thrive,omitempty"`
	METHANE    *METHANE       `json:"methane,omitempty"`
	Message    string         `json:"message,omitempty"` // a status message code's meaning
	Officer    string         `json:"officer,omitempty"` // the collar number of an officer booking on or off
	Settings   *ForceSettings `json:"settings,omitempty"`
}
