package bluelamp

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Officers' forms (issue 4): StopSearch (PACE Code A), CrimeReport (NCRS),
// NotebookEntry and UseOfForce. What every form shares is here, beside the
// first of them; each form's own rules are in its file.

// FormKind names a kind of officer form.
type FormKind string

const (
	FormStopSearch    FormKind = "STOP_SEARCH"
	FormCrimeReport   FormKind = "CRIME_REPORT"
	FormNotebookEntry FormKind = "NOTEBOOK_ENTRY"
	FormUseOfForce    FormKind = "USE_OF_FORCE"
)

// FormKinds lists every FormKind.
var FormKinds = []FormKind{FormStopSearch, FormCrimeReport, FormNotebookEntry, FormUseOfForce}

// Valid reports whether k is one of FormKinds.
func (k FormKind) Valid() bool { return slices.Contains(FormKinds, k) }

// FormID identifies a form of any kind within its force.
type FormID int64

// FormRecord is what the store sets on every form it records, from the
// signed-in officer and its own clock; what a client sends for these is
// never read.
type FormRecord struct {
	ID             FormID         `json:"id"`
	ForceID        ForceID        `json:"force"`
	Kind           FormKind       `json:"kind"`
	OfficerID      UserID         `json:"officer_id"`    // the user who filed it
	CollarNumber   string         `json:"collar_number"` // the officer's, from their user account
	RecordedAt     time.Time      `json:"recorded_at"`   // server time of receipt
	Classification Classification `json:"classification"`
	Incident       string         `json:"incident_number,omitempty"` // of IncidentID
}

// FormHeader is what the officer's device gives with every form.
type FormHeader struct {
	// ClientID is the device's own id for the form (a UUID), unique in the
	// force: the app matches its queued forms to recorded ones by it.
	ClientID   string     `json:"client_id,omitempty"`
	IncidentID IncidentID `json:"incident_id,omitempty"` // the incident the form belongs to, if any
	// TakenAt is when the device says the form was completed; it may reach
	// the server later, after a spell with no signal.
	TakenAt time.Time `json:"taken_at"`
}

// Bounds on a device's times. MaxClockSkew allows for a phone clock a
// little ahead of the server's; MaxFormAge is how long a form may wait on a
// device before it is refused as implausible.
const (
	MaxClockSkew = 5 * time.Minute
	MaxFormAge   = 30 * 24 * time.Hour
)

var (
	uuidPattern   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	uuidV4Pattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// validate checks the header as received at now, naming faults in fields.
// The client id is kept in lower case.
func (h *FormHeader) validate(now time.Time, fields map[string]string) {
	h.ClientID = strings.ToLower(strings.TrimSpace(h.ClientID))
	if h.ClientID != "" && !uuidPattern.MatchString(h.ClientID) {
		fields["client_id"] = "must be a UUID such as 0b7c2f4e-1a6d-4c2b-9f1e-5d3a8c7b6e21"
	}
	if h.IncidentID < 0 {
		fields["incident_id"] = "must be an incident id"
	}
	checkTime(h.TakenAt, now, "taken_at", fields)
}

// checkTime refuses a device time that is missing, ahead of now by more than
// MaxClockSkew, or older than MaxFormAge.
func checkTime(t, now time.Time, name string, fields map[string]string) {
	switch {
	case t.IsZero():
		fields[name] = "is required: the time on the device, e.g. 2026-11-27T14:05:00Z"
	case t.After(now.Add(MaxClockSkew)):
		fields[name] = "is in the future: check the device's clock"
	case t.Before(now.Add(-MaxFormAge)):
		fields[name] = fmt.Sprintf("is more than %d days ago: a form that old cannot be recorded from a device", int(MaxFormAge.Hours()/24))
	}
}

// checkText trims *s and records a fault unless it is valid text of at most
// max bytes, and present when required.
func checkText(s *string, max int, required bool, name string, fields map[string]string) {
	*s = strings.TrimSpace(*s)
	switch {
	case !utf8.ValidString(*s) || len(*s) > max:
		fields[name] = "must be text of at most " + itoa(max) + " bytes"
	case required && *s == "":
		fields[name] = "is required"
	}
}

// checkDate checks an optional calendar date of birth (YYYY-MM-DD): not in
// the future and not more than 120 years ago.
func checkDate(s *string, now time.Time, name string, fields map[string]string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	d, err := time.Parse(time.DateOnly, *s)
	switch {
	case err != nil:
		fields[name] = "must be a date such as 1990-04-23"
	case d.After(now):
		fields[name] = "is in the future"
	case d.Before(now.AddDate(-120, 0, 0)):
		fields[name] = "is more than 120 years ago"
	}
}

// checkEmail checks an optional plain email address.
func checkEmail(s *string, name string, fields map[string]string) {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		return
	}
	if a, err := mail.ParseAddress(*s); err != nil || a.Address != *s || len(*s) > 254 {
		fields[name] = "must be a plain email address"
	}
}

// formErr returns InvalidFields(fields), or nil when there are none.
func formErr(fields map[string]string) error {
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// FormSummary is a form as lists show it: who filed what, when, and for
// which incident, with a one-line label. It holds nothing about the people
// the form is about, so lists need no justification and are not audited;
// the form itself is read only through an audited consultation.
type FormSummary struct {
	FormRecord
	FormHeader
	Reference string `json:"reference,omitempty"` // the stop-search receipt, the crime number, "PNB 17"
	Label     string `json:"label"`
	// A crime report's recording decision: when it is due (NCRS: within 24
	// hours of the report), what it was, and whether it came late.
	DecisionDue  *time.Time        `json:"decision_due,omitempty"`
	Decision     CrimeDecisionKind `json:"decision,omitempty"`
	DecisionLate bool              `json:"decision_late,omitempty"`
}

// FormFilter selects forms of the caller's force; a nil field means any.
type FormFilter struct {
	Kind       *FormKind
	OfficerID  *UserID
	Collar     *string // the filing officer's collar number
	IncidentID *IncidentID
	Offset     int
	Limit      int
}

// ErrNoCollarNumber refuses a form from a user with no collar number: every
// form names the officer who made it (PACE Code A 4.3; the pocket notebook).
var ErrNoCollarNumber = &Error{Kind: KindForbidden, Code: "no_collar_number",
	Message: "your account has no collar number, so it cannot file officer forms; ask your force admin to add it"}

// FormStore holds officers' forms. Every form is filed by the signed-in
// user, whose collar number it records (ErrNoCollarNumber without one), and
// is stored as an event of a Personal type with a read table, its
// recording audited as an s.62 collection. A form is never changed: what
// follows it (a recording decision, an outcome, a review, a request for a
// record) is its own event. Reading a whole form back is a consultation
// needing a justification; an officer's own notebook needs none, but is
// audited all the same. A client id is unique in the force (KindConflict).
type FormStore interface {
	// CreateStopSearch records a PACE Code A search and sets its receipt
	// reference (StopSearchReference of its client id, which it requires).
	CreateStopSearch(ctx context.Context, s *StopSearch) error
	// FindStopSearchByID returns a stop-search with any requests for it.
	FindStopSearchByID(ctx context.Context, id FormID, j Justification) (*StopSearch, error)
	// FindStopSearchReceipt returns the receipt for a reference, to the
	// deployment-wide system actor only (the public receipt page): it holds
	// nothing about the person searched. KindNotFound for none.
	FindStopSearchReceipt(ctx context.Context, reference string) (*StopSearchReceipt, error)
	// RequestStopSearchRecord records the searched person's request for the
	// full record, for the force to fulfil; deployment-wide system actor
	// only. KindConflict (request_period_ended) once the period of
	// StopSearch.RequestUntil is over; KindRateLimited past
	// MaxRecordRequests for one search.
	RequestStopSearchRecord(ctx context.Context, reference string, r *StopSearchRecordRequest) error

	// CreateCrimeReport records a crime report and starts its 24-hour
	// recording-decision clock.
	CreateCrimeReport(ctx context.Context, c *CrimeReport) error
	// FindCrimeReportByID returns a crime report with its decision and
	// outcome.
	FindCrimeReportByID(ctx context.Context, id FormID, j Justification) (*CrimeReport, error)
	// DecideCrimeReport records the crime-recording decision, filling in
	// d's crime number (for RECORDED), time, decider and lateness.
	// KindConflict (already_decided) if it was made before.
	DecideCrimeReport(ctx context.Context, id FormID, d *CrimeDecision) error
	// RecordCrimeOutcome records a Home Office outcome of a recorded crime;
	// KindConflict (not_recorded) before it is recorded as a crime.
	RecordCrimeOutcome(ctx context.Context, id FormID, o *CrimeOutcome) error
	// FindCrimeReportsAwaitingDecision returns the force's crime reports
	// with no decision, the earliest due (the most overdue) first.
	FindCrimeReportsAwaitingDecision(ctx context.Context) ([]*FormSummary, error)

	// CreateNotebookEntry adds an entry to the signed-in officer's pocket
	// notebook, numbering it next in the same transaction, so numbers have
	// no gaps however many arrive at once. A correction names the earlier
	// entry of the same officer it corrects.
	CreateNotebookEntry(ctx context.Context, e *NotebookEntry) error
	// FindNotebook returns entries of an officer's notebook, newest first,
	// with their corrections and reviews. With f.Collar nil it is the
	// caller's own, and j may be nil; another officer's needs j
	// (ErrJustificationRequired). KindNotFound for an unknown collar number.
	FindNotebook(ctx context.Context, f NotebookFilter, j *Justification) (*Notebook, error)
	// ExportNotebook returns a range of a notebook, oldest first, for
	// disclosure, with its digest, and records the export as an event
	// carrying the digest so a copy can be checked against the log.
	ExportNotebook(ctx context.Context, f NotebookFilter, j Justification) (*Notebook, error)
	// ReviewNotebook records a supervisor's review of a range of another
	// officer's entries.
	ReviewNotebook(ctx context.Context, r *NotebookReview) error

	// CreateUseOfForce records the signed-in officer's use-of-force form;
	// KindConflict (already_filed) for their second form for one incident.
	CreateUseOfForce(ctx context.Context, u *UseOfForce) error
	// FindUseOfForceByID returns a use-of-force form.
	FindUseOfForceByID(ctx context.Context, id FormID, j Justification) (*UseOfForce, error)

	// FindForms returns summaries of the force's forms, newest first, and
	// the total before paging; KindNotFound for an incident filter naming
	// no incident of the force.
	FindForms(ctx context.Context, f FormFilter) ([]*FormSummary, int, error)
}

// Event types of stop and search.
const (
	EventStopSearchRecorded  EventType = "stop_search.recorded"
	EventStopSearchRequested EventType = "stop_search.record_requested"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventStopSearchRecorded:  {Audience: operations, Personal: true},
		EventStopSearchRequested: {Audience: operations, Personal: true},
	})
}

// SearchType is what was searched, in data.police.uk's words.
type SearchType string

const (
	SearchPerson           SearchType = "Person search"
	SearchVehicle          SearchType = "Vehicle search"
	SearchPersonAndVehicle SearchType = "Person and Vehicle search"
)

// SearchTypes lists every SearchType.
var SearchTypes = []SearchType{SearchPerson, SearchVehicle, SearchPersonAndVehicle}

// Valid reports whether t is one of SearchTypes.
func (t SearchType) Valid() bool { return slices.Contains(SearchTypes, t) }

// Vehicle reports whether t searches a vehicle.
func (t SearchType) Vehicle() bool { return t == SearchVehicle || t == SearchPersonAndVehicle }

// CodeInfo is one code of a fixed national list with its label.
type CodeInfo struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// SelfDefinedEthnicities are the 18+1 self-defined ethnicity codes (the
// 2011 Census categories and "not stated"), each labelled as data.police.uk
// publishes it (DOMAIN 4.1).
var SelfDefinedEthnicities = []CodeInfo{
	{"A1", "Asian/Asian British - Indian"},
	{"A2", "Asian/Asian British - Pakistani"},
	{"A3", "Asian/Asian British - Bangladeshi"},
	{"A4", "Asian/Asian British - Chinese"},
	{"A9", "Asian/Asian British - Any other Asian background"},
	{"B1", "Black/African/Caribbean/Black British - Caribbean"},
	{"B2", "Black/African/Caribbean/Black British - African"},
	{"B9", "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background"},
	{"M1", "Mixed/Multiple ethnic groups - White and Black Caribbean"},
	{"M2", "Mixed/Multiple ethnic groups - White and Black African"},
	{"M3", "Mixed/Multiple ethnic groups - White and Asian"},
	{"M9", "Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background"},
	{"W1", "White - English/Welsh/Scottish/Northern Irish/British"},
	{"W2", "White - Irish"},
	{"W3", "White - Gypsy or Irish Traveller"},
	{"W9", "White - Any other White background"},
	{"O1", "Other ethnic group - Arab"},
	{"O9", "Other ethnic group - Any other ethnic group"},
	{"NS", "Other ethnic group - Not stated"},
}

// OfficerDefinedEthnicities are the IC codes for the ethnicity an officer
// perceives, each with the group data.police.uk publishes for it.
var OfficerDefinedEthnicities = []CodeInfo{
	{"IC1", "White - North European"},
	{"IC2", "White - South European"},
	{"IC3", "Black"},
	{"IC4", "Asian"},
	{"IC5", "Chinese, Japanese or other South East Asian"},
	{"IC6", "Arab or North African"},
	{"IC9", "Unknown"},
}

// OfficerEthnicityPublished maps an IC code to data.police.uk's
// officer_defined_ethnicity value.
var OfficerEthnicityPublished = map[string]string{
	"IC1": "White", "IC2": "White", "IC3": "Black", "IC4": "Asian", "IC5": "Asian", "IC6": "Other", "IC9": "",
}

func knownCode(list []CodeInfo, code string) bool {
	return slices.ContainsFunc(list, func(c CodeInfo) bool { return c.Code == code })
}

// Genders and AgeRanges are the values data.police.uk publishes.
var (
	Genders   = []string{"Male", "Female", "Other"}
	AgeRanges = []string{"under 10", "10-17", "18-24", "25-34", "over 34"}
)

// Legislation is a search power, spelt as data.police.uk publishes it.
type Legislation string

// LegislationInfo describes one search power.
type LegislationInfo struct {
	Code Legislation `json:"code"`
	// Suspicion is set for powers that need reasonable grounds for
	// suspicion, which must be recorded; the others (CJPOA 1994 s.60,
	// Terrorism Act 2000 s.47A) need an authorisation instead.
	Suspicion bool `json:"suspicion"`
	Terrorism bool `json:"terrorism"` // Terrorism Act 2000: the officer's name may be withheld
	Vehicle   bool `json:"vehicle"`   // a power to search vehicles only
}

// Legislations lists the search powers. The strings are data.police.uk's;
// the Terrorism Act ones follow the same pattern.
var Legislations = []LegislationInfo{
	{Code: "Police and Criminal Evidence Act 1984 (section 1)", Suspicion: true},
	{Code: "Misuse of Drugs Act 1971 (section 23)", Suspicion: true},
	{Code: "Firearms Act 1968 (section 47)", Suspicion: true},
	{Code: "Criminal Justice and Public Order Act 1994 (section 60)"},
	{Code: "Terrorism Act 2000 (section 43)", Suspicion: true, Terrorism: true},
	{Code: "Terrorism Act 2000 (section 43A)", Suspicion: true, Terrorism: true, Vehicle: true},
	{Code: "Terrorism Act 2000 (section 47A)", Terrorism: true},
	{Code: "Psychoactive Substances Act 2016 (s36(2))", Suspicion: true},
	{Code: "Psychoactive Substances Act 2016 (s37(2))", Suspicion: true, Vehicle: true},
	{Code: "Criminal Justice Act 1988 (section 139B)", Suspicion: true},
	{Code: "Police and Criminal Evidence Act 1984 (section 6)", Suspicion: true},
	{Code: "Crossbows Act 1987 (section 4)", Suspicion: true},
	{Code: "Wildlife and Countryside Act 1981 (section 19)", Suspicion: true},
	{Code: "Aviation Security Act 1982 (section 27(1))", Suspicion: true},
	{Code: "Poaching Prevention Act 1862 (section 2)", Suspicion: true},
	{Code: "Protection of Badgers Act 1992 (section 11)", Suspicion: true},
	{Code: "Deer Act 1991 (section 12)", Suspicion: true},
	{Code: "Conservation of Seals Act 1970 (section 4)", Suspicion: true},
	{Code: "Public Stores Act 1875 (section 6)", Suspicion: true},
	{Code: "Customs and Excise Management Act 1979 (section 163)", Suspicion: true, Vehicle: true},
}

// Info returns l's entry in Legislations and whether it is there.
func (l Legislation) Info() (LegislationInfo, bool) {
	i := slices.IndexFunc(Legislations, func(li LegislationInfo) bool { return li.Code == l })
	if i < 0 {
		return LegislationInfo{}, false
	}
	return Legislations[i], true
}

// ObjectsOfSearch are what a search looks for, as data.police.uk publishes them.
var ObjectsOfSearch = []string{
	"Controlled drugs", "Offensive weapons", "Stolen goods", "Article for use in theft",
	"Articles for use in criminal damage", "Firearms", "Anything to threaten or harm anyone", "Crossbows",
	"Evidence of offences under the Act", "Fireworks", "Psychoactive substances", "Game or poaching equipment",
	"Evidence of wildlife offences", "Goods on which duty has not been paid etc.", "Seals or hunting equipment",
}

// SearchOutcome is what came of a search, as data.police.uk publishes it.
type SearchOutcome string

const (
	OutcomeNoFurtherAction SearchOutcome = "A no further action disposal"
	OutcomeArrest          SearchOutcome = "Arrest"
)

// SearchOutcomes lists every SearchOutcome.
var SearchOutcomes = []SearchOutcome{
	OutcomeNoFurtherAction, OutcomeArrest, "Summons / charged by post", "Community resolution",
	"Caution (simple or conditional)", "Penalty Notice for Disorder", "Khat or Cannabis warning",
}

// NameWithheld is why a stop-search record gives the officer's number but
// not their name (PACE Code A 4.3).
type NameWithheld string

const (
	WithheldTerrorism NameWithheld = "TERRORISM" // enquiries linked to terrorism
	WithheldRisk      NameWithheld = "RISK"      // naming the officer might put them in danger
)

// Authorisation is the authorisation behind a no-suspicion search (CJPOA
// 1994 s.60, Terrorism Act 2000 s.47A): who gave it, and that it was given.
type Authorisation struct {
	AuthorisingOfficer string `json:"authorising_officer"` // rank and name or number, e.g. "Insp 4021 KHAN"
	Reference          string `json:"reference,omitempty"` // the force's reference for the authorisation
	Given              bool   `json:"given"`               // the officer confirms it was in force
}

// SearchedPerson is the searched person's name, address and date of birth:
// an officer may ask for them but cannot require them, and there is no power
// to detain to get them (PACE Code A 4.2). Each may be left empty.
type SearchedPerson struct {
	Name        string `json:"name,omitempty"`
	Address     string `json:"address,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
}

// StopSearchDetails is what an officer records about a search (PACE Code A
// 4.3, DOMAIN 4.1), the published fields spelt as data.police.uk spells them.
type StopSearchDetails struct {
	Type       SearchType `json:"type"`
	SearchedAt time.Time  `json:"searched_at"`
	// DetainedAt is when the person or vehicle was first detained, when
	// that was earlier than the search.
	DetainedAt *time.Time `json:"detained_at,omitempty"`
	// InvolvedPerson is whether a person was searched or present: always
	// for a person search; for a vehicle search, whether anyone was with it.
	InvolvedPerson bool `json:"involved_person"`

	SelfDefinedEthnicity    string `json:"self_defined_ethnicity,omitempty"`    // 18+1 code; NS when the person declines
	OfficerDefinedEthnicity string `json:"officer_defined_ethnicity,omitempty"` // IC code; IC9 when unknown
	Gender                  string `json:"gender,omitempty"`
	AgeRange                string `json:"age_range,omitempty"`

	Legislation    Legislation    `json:"legislation"`
	Grounds        string         `json:"grounds,omitempty"`       // required for a power that needs suspicion
	Authorisation  *Authorisation `json:"authorisation,omitempty"` // required for a no-suspicion power
	ObjectOfSearch string         `json:"object_of_search"`
	OperationName  string         `json:"operation_name,omitempty"`

	Outcome                        SearchOutcome  `json:"outcome"`
	OutcomeLinkedToObjectOfSearch  bool           `json:"outcome_linked_to_object_of_search"`
	RemovalOfMoreThanOuterClothing bool           `json:"removal_of_more_than_outer_clothing"`
	InjuryOrDamage                 bool           `json:"injury_or_damage"`
	InjuryOrDamageDetails          string         `json:"injury_or_damage_details,omitempty"`
	VehicleRegistration            string         `json:"vehicle_registration,omitempty"` // required for a vehicle search
	Person                         SearchedPerson `json:"person"`                         // asked, not required
	MadeAtTheTime                  bool           `json:"made_at_the_time"`
	NotMadeAtTheTimeReason         string         `json:"not_made_at_the_time_reason,omitempty"`
	OfficerNameWithheld            NameWithheld   `json:"officer_name_withheld,omitempty"`
}

// StopSearch is the record of a search of a person or vehicle without
// arrest. It is personal data (and self-defined ethnicity is sensitive
// processing, DPA 2018 s.35), read only through an audited consultation.
type StopSearch struct {
	FormRecord
	FormHeader
	// Reference is the receipt reference, StopSearchReference(ClientID),
	// which the device can show before the form reaches the server.
	Reference string `json:"reference"`
	StopSearchDetails
	Location         Location  `json:"location"`                    // where the search took place
	DetainedLocation *Location `json:"detained_location,omitempty"` // where first detained, if elsewhere
	OfficerName      string    `json:"officer_name,omitempty"`      // from the user account, unless withheld
	// RequestUntil is the last moment the person may ask for the full
	// record: 3 months after the search, 12 if they were arrested.
	RequestUntil time.Time                  `json:"request_until"`
	Requests     []*StopSearchRecordRequest `json:"requests,omitempty"` // requests for the record so far, when read
}

// Limits on stop-search text.
const (
	MaxGrounds      = 2000
	MinGroundsWords = 4
	MinGroundsBytes = 20
)

var registrationPattern = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)

// Validate checks s as received at now and reports every fault by its
// field. It normalises as it goes: text trimmed, the registration upper
// case without spaces, and involved_person set for person searches.
func (s *StopSearch) Validate(now time.Time) error {
	fields := map[string]string{}
	s.FormHeader.validate(now, fields)
	if s.ClientID == "" {
		fields["client_id"] = "is required: the receipt reference is made from it"
	} else if _, ok := fields["client_id"]; !ok && !uuidV4Pattern.MatchString(s.ClientID) {
		fields["client_id"] = "must be a random (version 4) UUID, as crypto.randomUUID() makes"
	}
	d := &s.StopSearchDetails
	if !d.Type.Valid() {
		fields["type"] = "must be one of: Person search, Vehicle search, Person and Vehicle search"
	}
	checkTime(d.SearchedAt, now, "searched_at", fields)
	if _, bad := fields["searched_at"]; !bad && !s.TakenAt.IsZero() && s.TakenAt.Before(d.SearchedAt.Add(-MaxClockSkew)) {
		fields["taken_at"] = "is before the search"
	}
	if d.DetainedAt != nil && (d.DetainedAt.After(d.SearchedAt) || d.SearchedAt.Sub(*d.DetainedAt) > 24*time.Hour) {
		fields["detained_at"] = "must be before the search and within a day of it"
	}
	s.Location.validate(nil, "location.", fields)
	if s.DetainedLocation != nil {
		s.DetainedLocation.validate(nil, "detained_location.", fields)
	}

	if d.Type != SearchVehicle {
		d.InvolvedPerson = true
	}
	if d.InvolvedPerson {
		if !knownCode(SelfDefinedEthnicities, d.SelfDefinedEthnicity) {
			fields["self_defined_ethnicity"] = "must be one of the 18+1 codes (A1–A4, A9, B1, B2, B9, M1–M3, M9, W1–W3, W9, O1, O9), or NS if the person does not say"
		}
		if !knownCode(OfficerDefinedEthnicities, d.OfficerDefinedEthnicity) {
			fields["officer_defined_ethnicity"] = "must be one of IC1–IC6, or IC9 if unknown"
		}
		if !slices.Contains(Genders, d.Gender) {
			fields["gender"] = "must be Male, Female or Other"
		}
		if !slices.Contains(AgeRanges, d.AgeRange) {
			fields["age_range"] = "must be one of: under 10, 10-17, 18-24, 25-34, over 34"
		}
	} else {
		for name, v := range map[string]string{"self_defined_ethnicity": d.SelfDefinedEthnicity, "officer_defined_ethnicity": d.OfficerDefinedEthnicity,
			"gender": d.Gender, "age_range": d.AgeRange, "person.name": d.Person.Name, "person.address": d.Person.Address,
			"person.date_of_birth": d.Person.DateOfBirth} {
			if strings.TrimSpace(v) != "" {
				fields[name] = "must be empty when no person was involved"
			}
		}
	}

	li, ok := d.Legislation.Info()
	switch {
	case !ok:
		fields["legislation"] = "unknown power " + quoteShort(string(d.Legislation)) + "; see GET /api/v1/forms/codes"
	case li.Vehicle && !d.Type.Vehicle():
		fields["legislation"] = "is a power to search vehicles only"
	}
	checkText(&d.Grounds, MaxGrounds, false, "grounds", fields)
	if _, bad := fields["grounds"]; !bad && ok && li.Suspicion {
		if msg := groundsFault(d.Grounds, d.ObjectOfSearch); msg != "" {
			fields["grounds"] = msg
		}
	}
	if ok && !li.Suspicion {
		a := d.Authorisation
		switch {
		case a == nil:
			fields["authorisation"] = "is required for a search without suspicion: who authorised it, and that it was given"
		default:
			checkText(&a.AuthorisingOfficer, 200, true, "authorisation.authorising_officer", fields)
			checkText(&a.Reference, 100, false, "authorisation.reference", fields)
			if !a.Given {
				fields["authorisation.given"] = "must be true: the search is lawful only under an authorisation in force"
			}
		}
	} else if d.Authorisation != nil {
		fields["authorisation"] = "is only for a search without suspicion (s.60 or s.47A)"
	}
	if !slices.Contains(ObjectsOfSearch, d.ObjectOfSearch) {
		fields["object_of_search"] = "unknown object of search " + quoteShort(d.ObjectOfSearch) + "; see GET /api/v1/forms/codes"
	}
	checkText(&d.OperationName, 200, false, "operation_name", fields)

	if !slices.Contains(SearchOutcomes, d.Outcome) {
		fields["outcome"] = "unknown outcome " + quoteShort(string(d.Outcome)) + "; see GET /api/v1/forms/codes"
	} else if d.Outcome == OutcomeNoFurtherAction && d.OutcomeLinkedToObjectOfSearch {
		fields["outcome_linked_to_object_of_search"] = "must be false for a no further action disposal"
	}
	checkText(&d.InjuryOrDamageDetails, 2000, d.InjuryOrDamage, "injury_or_damage_details", fields)
	if !d.InjuryOrDamage && d.InjuryOrDamageDetails != "" {
		fields["injury_or_damage_details"] = "must be empty unless injury_or_damage is true"
	}
	d.VehicleRegistration = strings.ToUpper(strings.Join(strings.Fields(d.VehicleRegistration), ""))
	switch {
	case d.Type.Vehicle() && !registrationPattern.MatchString(d.VehicleRegistration):
		fields["vehicle_registration"] = "is required for a vehicle search: 1 to 10 letters and digits"
	case !d.Type.Vehicle() && d.VehicleRegistration != "":
		fields["vehicle_registration"] = "is only for a vehicle search"
	}
	if d.InvolvedPerson {
		checkText(&d.Person.Name, 200, false, "person.name", fields)
		checkText(&d.Person.Address, MaxAddress, false, "person.address", fields)
		checkDate(&d.Person.DateOfBirth, now, "person.date_of_birth", fields)
	}
	checkText(&d.NotMadeAtTheTimeReason, 2000, false, "not_made_at_the_time_reason", fields)
	if _, bad := fields["not_made_at_the_time_reason"]; !bad {
		switch {
		case !d.MadeAtTheTime && d.NotMadeAtTheTimeReason == "":
			fields["not_made_at_the_time_reason"] = "is required when the record was not made at the time (PACE Code A 4.1): say why that was wholly impracticable"
		case d.MadeAtTheTime && d.NotMadeAtTheTimeReason != "":
			fields["not_made_at_the_time_reason"] = "must be empty when the record was made at the time"
		}
	}
	switch d.OfficerNameWithheld {
	case "", WithheldRisk:
	case WithheldTerrorism:
		if ok && !li.Terrorism {
			fields["officer_name_withheld"] = "TERRORISM applies only to a Terrorism Act 2000 search; use RISK if naming you would put you in danger"
		}
	default:
		fields["officer_name_withheld"] = "must be TERRORISM or RISK, or left out"
	}
	return formErr(fields)
}

// groundsFault says why grounds for suspicion are not substantive, or "":
// Code A 3.8 and 4.6 want grounds that say why this person was suspected,
// so a few words, or the object of the search repeated, will not do.
func groundsFault(grounds, object string) string {
	g := strings.ToLower(grounds)
	switch {
	case g == "":
		return "are required for a power that needs reasonable suspicion (PACE Code A 4.6): say why you suspected this person"
	case len(strings.Fields(g)) < MinGroundsWords || len(g) < MinGroundsBytes:
		return fmt.Sprintf("must say why you suspected this person, in at least %d words", MinGroundsWords)
	case strings.Trim(g, " .") == strings.ToLower(object) || slices.Contains(vagueGrounds, strings.Trim(g, " .!")):
		return "must say what you saw or knew that made you suspect this person, not only what you were looking for"
	}
	return ""
}

// vagueGrounds are phrases that are never grounds on their own.
var vagueGrounds = []string{
	"acting suspiciously in the area", "acting in a suspicious manner", "known to police for drugs",
	"high crime area, acting suspiciously", "suspected of carrying drugs", "suspected of carrying a weapon",
}

// StopSearchReference returns the receipt reference of the stop-search
// whose device id is clientID, a version 4 (random) UUID, or "" when
// clientID is not one. The phone computes the same reference before the
// form reaches the server. The algorithm, to mirror in JavaScript:
//
//  1. Lower-case the UUID, remove its hyphens, and read the last 16 hex
//     digits (bytes 8–15, which hold the variant and 62 random bits) as a
//     big-endian unsigned 64-bit integer n: BigInt("0x" + hex.slice(16)).
//  2. Keep its low 60 bits: n & (2n**60n - 1n).
//  3. Write them as 12 Crockford base32 digits, most significant first, 5
//     bits each, from the alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ.
//  4. The reference is "SS-" and the digits in three groups of four:
//     "SS-" + d[0:4] + "-" + d[4:8] + "-" + d[8:12].
//
// Sixty random bits make references that cannot be guessed or enumerated
// through the public receipt page.
func StopSearchReference(clientID string) string {
	clientID = strings.ToLower(clientID)
	if !uuidV4Pattern.MatchString(clientID) {
		return ""
	}
	b, _ := hex.DecodeString(strings.ReplaceAll(clientID, "-", ""))
	n := binary.BigEndian.Uint64(b[8:]) & (1<<60 - 1)
	var d [12]byte
	for i := 11; i >= 0; i-- {
		d[i] = crockford[n&31]
		n >>= 5
	}
	return "SS-" + string(d[0:4]) + "-" + string(d[4:8]) + "-" + string(d[8:12])
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ParseStopSearchReference reads a reference as a person may type it (any
// case, with or without the SS- prefix and hyphens, spaces, O for 0 and
// I or L for 1, as Crockford base32 allows) and returns it in the form
// StopSearchReference gives, or false when it cannot be one.
func ParseStopSearchReference(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var d []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(crockford, byte(r)) < 0 {
			return "", false
		}
		d = append(d, byte(r))
	}
	// The prefix is optional, and S is a digit too: twelve characters are
	// the digits, fourteen the prefix and the digits.
	if len(d) == 14 && string(d[:2]) == "SS" {
		d = d[2:]
	}
	if len(d) != 12 {
		return "", false
	}
	return "SS-" + string(d[0:4]) + "-" + string(d[4:8]) + "-" + string(d[8:12]), true
}

// RequestPeriodEnd returns the last moment the person searched
// may ask for the full record: 3 months on, or 12 if the search ended in
// arrest (DOMAIN 4.1).
func (d *StopSearchDetails) RequestPeriodEnd() time.Time {
	if d.Outcome == OutcomeArrest {
		return d.SearchedAt.AddDate(1, 0, 0)
	}
	return d.SearchedAt.AddDate(0, 3, 0)
}

// StopSearchReceipt is what the searched person is given (PACE Code A
// 4.10A): the reference, when and where, the officer's number (and name
// unless withheld), the power used, and how to get the full record. It
// holds nothing about the person searched, so it is served publicly by
// its reference.
type StopSearchReceipt struct {
	Reference    string      `json:"reference"`
	ForceID      ForceID     `json:"force"`
	ForceName    string      `json:"force_name"`
	SearchedAt   time.Time   `json:"searched_at"`
	Place        string      `json:"place"`
	CollarNumber string      `json:"collar_number"`
	OfficerName  string      `json:"officer_name,omitempty"`
	Legislation  Legislation `json:"legislation"`
	RequestUntil time.Time   `json:"request_until"`
	HowToObtain  string      `json:"how_to_obtain"`
}

// Receipt returns s's receipt for force.
func (s *StopSearch) Receipt(force *Force) *StopSearchReceipt {
	place := s.Location.Address
	if place == "" && s.Location.Position != nil {
		// About 100 m: where, not who.
		place = fmt.Sprintf("near %.3f, %.3f", s.Location.Position.Lat, s.Location.Position.Lon)
	}
	return &StopSearchReceipt{
		Reference: s.Reference, ForceID: force.ID, ForceName: force.Name, SearchedAt: s.SearchedAt, Place: place,
		CollarNumber: s.CollarNumber, OfficerName: s.OfficerName, Legislation: s.Legislation, RequestUntil: s.RequestUntil,
		HowToObtain: fmt.Sprintf("You can ask %s for the full record of this search until %s: quote reference %s at a police station, "+
			"or ask online at /api/v1/public/stop-search/%s/requests with an email or postal address to send it to.",
			force.Name, s.RequestUntil.Format("2 January 2006"), s.Reference, s.Reference),
	}
}

// Label is a one-line summary of s that names no one.
func (s *StopSearch) Label() string {
	return fmt.Sprintf("%s %s under %s: %s", s.Type, s.Reference, s.Legislation, s.Outcome)
}

// MaxRecordRequests bounds the requests for one stop-search record, so the
// public route cannot be used to flood a force.
const MaxRecordRequests = 5

// StopSearchRecordRequest is the searched person asking for the full
// record, with where to send it: personal data, recorded as a collection.
type StopSearchRecordRequest struct {
	Name          string    `json:"name,omitempty"`
	Email         string    `json:"email,omitempty"`
	PostalAddress string    `json:"postal_address,omitempty"`
	RequestedAt   time.Time `json:"requested_at"` // set by the store
}

// Validate reports every fault of r: it needs an email or a postal address.
func (r *StopSearchRecordRequest) Validate() error {
	fields := map[string]string{}
	checkText(&r.Name, 200, false, "name", fields)
	checkEmail(&r.Email, "email", fields)
	checkText(&r.PostalAddress, MaxAddress, false, "postal_address", fields)
	if _, bad := fields["email"]; !bad && r.Email == "" && r.PostalAddress == "" {
		fields["email"] = "give an email or a postal address to send the record to"
	}
	return formErr(fields)
}
