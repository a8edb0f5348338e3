package bluelamp

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Record checks (DOMAIN 2.7, 4.6): Person, Vehicle and Location records,
// each with warning Markers, searched and viewed only with a justification,
// every look audited as a consultation (DPA 2018 s.62).

// RecordKind names a kind of record a check can find.
type RecordKind string

const (
	RecordPerson   RecordKind = "person"
	RecordVehicle  RecordKind = "vehicle"
	RecordLocation RecordKind = "location"
)

// Valid reports whether k is a record kind.
func (k RecordKind) Valid() bool {
	return k == RecordPerson || k == RecordVehicle || k == RecordLocation
}

// Date is a calendar date with no time of day or zone, written YYYY-MM-DD:
// a date of birth, or the day a marker was recorded. Dates in this form
// sort as text in date order.
type Date string

// Valid reports whether d is a real date written YYYY-MM-DD.
func (d Date) Valid() bool {
	t, err := time.Parse(time.DateOnly, string(d))
	return err == nil && t.Format(time.DateOnly) == string(d)
}

// DateOf returns the date t falls on in t's own location.
func DateOf(t time.Time) Date { return Date(t.Format(time.DateOnly)) }

// Sex is a person's sex as police national systems record it.
type Sex string

const (
	SexMale    Sex = "M"
	SexFemale  Sex = "F"
	SexUnknown Sex = "U" // not known or not stated
)

// Valid reports whether s is M, F or U.
func (s Sex) Valid() bool { return s == SexMale || s == SexFemale || s == SexUnknown }

// MarkerCode is the code of a warning Marker.
type MarkerCode string

// MarkerCodeInfo describes one marker code: its label, the records it may
// be put on, and its default severity and officer-safety flag.
type MarkerCodeInfo struct {
	Code          MarkerCode   `json:"code"`
	Label         string       `json:"label"`
	Kinds         []RecordKind `json:"kinds"`
	Severity      Level        `json:"severity"`
	OfficerSafety bool         `json:"officer_safety"`
}

var (
	onPeople      = []RecordKind{RecordPerson}
	onPlaces      = []RecordKind{RecordLocation}
	onVehicles    = []RecordKind{RecordVehicle}
	onPeoplePlace = []RecordKind{RecordPerson, RecordLocation}
	onAll         = []RecordKind{RecordPerson, RecordVehicle, RecordLocation}
)

// MarkerCodes is the national list of marker codes: the PNC-style warning
// signals on people (DOMAIN 4.6), the address markers of DOMAIN 2.7, and
// the vehicle reports a vehicle check shows.
var MarkerCodes = []MarkerCodeInfo{
	{"FI", "Firearms", onAll, LevelHigh, true},
	{"WE", "Weapons", onAll, LevelHigh, true},
	{"EX", "Explosives", onAll, LevelHigh, true},
	{"VI", "Violent", onPeoplePlace, LevelHigh, true},
	{"ES", "Escaper", onPeople, LevelMedium, true},
	{"CO", "Contagious", onPeoplePlace, LevelMedium, true},
	{"DR", "Drugs", onAll, LevelMedium, true},
	{"MH", "Mental health", onPeople, LevelMedium, false},
	{"SU", "Suicidal", onPeople, LevelHigh, false},
	{"SH", "Self harm", onPeople, LevelMedium, false},
	{"AG", "Alleges (makes allegations against officers)", onPeople, LevelLow, false},
	{"IM", "Impersonates", onPeople, LevelLow, false},
	{"WANTED", "Wanted", onPeople, LevelHigh, false},
	{"MISSING", "Missing person", onPeople, LevelHigh, false},
	// DA carries the DASH risk level as its severity: LOW is standard risk,
	// HIGH goes to MARAC (DOMAIN 2.7).
	{"DA", "Domestic abuse risk (DASH)", onPeoplePlace, LevelMedium, false},
	{"DOGS", "Dangerous dogs", onPlaces, LevelMedium, true},
	{"OFFICER_SAFETY", "Officer safety risk", onPlaces, LevelHigh, true},
	{"STOLEN", "Reported stolen", onVehicles, LevelHigh, false},
	{"NO_INSURANCE", "No insurance (MID)", onVehicles, LevelMedium, false},
	{"NO_MOT", "No current MOT", onVehicles, LevelLow, false},
	{"NO_TAX", "Not taxed", onVehicles, LevelLow, false},
	{"ANPR", "ANPR interest", onVehicles, LevelMedium, false},
}

// Info returns the code's entry in MarkerCodes, and false if it has none.
func (c MarkerCode) Info() (MarkerCodeInfo, bool) {
	i := slices.IndexFunc(MarkerCodes, func(m MarkerCodeInfo) bool { return m.Code == c })
	if i < 0 {
		return MarkerCodeInfo{}, false
	}
	return MarkerCodes[i], true
}

// Marker is a warning marker on a record: what an officer must know before
// anything else about the person, vehicle or place (DOMAIN 2.7, 4.6).
type Marker struct {
	Code          MarkerCode `json:"code"`
	Label         string     `json:"label"`          // set from the code
	Severity      Level      `json:"severity"`       // the code's default when not given
	OfficerSafety bool       `json:"officer_safety"` // set when the code is an officer-safety one
	Detail        string     `json:"detail,omitempty"`
	Date          Date       `json:"date"`                  // when it was recorded
	Source        string     `json:"source"`                // who or what recorded it, e.g. "PNC"
	ReviewDate    Date       `json:"review_date,omitempty"` // when it must be reviewed
}

// Limits on record text.
const (
	MaxMarkers     = 50
	MaxNameText    = 100
	MaxDescription = 2000
	MaxMarkerText  = 1000
	MaxAliases     = 20
	MaxAddresses   = 20
)

func (m *Marker) validate(kind RecordKind, prefix string, fields map[string]string) {
	info, ok := m.Code.Info()
	switch {
	case !ok:
		fields[prefix+"code"] = "unknown marker code " + quoteShort(string(m.Code))
	case !slices.Contains(info.Kinds, kind):
		fields[prefix+"code"] = "marker " + string(m.Code) + " does not go on a " + string(kind) + " record"
	default:
		m.Label = info.Label
		if m.Severity == "" {
			m.Severity = info.Severity
		}
		m.OfficerSafety = m.OfficerSafety || info.OfficerSafety
	}
	if !m.Severity.Valid() && m.Severity != "" {
		fields[prefix+"severity"] = "must be HIGH, MEDIUM or LOW"
	}
	m.Detail = strings.TrimSpace(m.Detail)
	if !cleanField(m.Detail, MaxMarkerText) {
		fields[prefix+"detail"] = "must be text of at most 1000 bytes"
	}
	m.Source = strings.TrimSpace(m.Source)
	if m.Source == "" || !cleanField(m.Source, 200) {
		fields[prefix+"source"] = "is required: who or what recorded the marker (at most 200 bytes)"
	}
	if !m.Date.Valid() {
		fields[prefix+"date"] = "is required, as YYYY-MM-DD"
	}
	if m.ReviewDate != "" && (!m.ReviewDate.Valid() || m.ReviewDate < m.Date) {
		fields[prefix+"review_date"] = "must be a date (YYYY-MM-DD) on or after the marker's date"
	}
}

func validateMarkers(ms []Marker, kind RecordKind, fields map[string]string) {
	if len(ms) > MaxMarkers {
		fields["markers"] = "at most 50 markers"
		return
	}
	for i := range ms {
		ms[i].validate(kind, fmt.Sprintf("markers[%d].", i), fields)
	}
	SortMarkers(ms)
}

var severityRank = map[Level]int{LevelHigh: 0, LevelMedium: 1, LevelLow: 2}

// SortMarkers puts markers in the order an officer must read them: highest
// severity first, officer-safety markers first within a severity, then the
// most recent, then by code.
func SortMarkers(ms []Marker) {
	slices.SortStableFunc(ms, func(a, b Marker) int {
		if c := cmp.Compare(severityRank[a.Severity], severityRank[b.Severity]); c != 0 {
			return c
		}
		if a.OfficerSafety != b.OfficerSafety {
			if a.OfficerSafety {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Date, a.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
}

// referencePattern is a record's reference in its source system: a PNC ID
// such as "01/123456X" or an import's own key.
var referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/._:-]{0,63}$`)

// ValidReference reports whether s is a well-formed record reference.
func ValidReference(s string) bool { return referencePattern.MatchString(s) }

func validateReference(ref string, fields map[string]string) {
	if ref != "" && !ValidReference(ref) {
		fields["reference"] = "must be 1 to 64 letters, digits and / . _ : -, starting with a letter or digit"
	}
}

// cleanField reports whether s is valid UTF-8 of at most max bytes.
func cleanField(s string, max int) bool { return utf8.ValidString(s) && len(s) <= max }

// PersonID identifies a Person record within its force.
type PersonID int64

// PersonName is a name a person is known by.
type PersonName struct {
	Surname   string `json:"surname"`
	Forenames string `json:"forenames,omitempty"`
}

// PersonAddress is an address a person is linked to.
type PersonAddress struct {
	Address  string `json:"address"`
	Postcode string `json:"postcode,omitempty"`
}

// Person is a person record: a nominal. Markers come first, as a check
// shows them first.
type Person struct {
	Markers       []Marker        `json:"markers"`
	ID            PersonID        `json:"id"`
	ForceID       ForceID         `json:"force"`
	Reference     string          `json:"reference,omitempty"` // the source system's id, unique in the force
	Surname       string          `json:"surname"`
	Forenames     string          `json:"forenames"`
	Aliases       []PersonName    `json:"aliases"` // other names used; searches find them too
	DateOfBirth   Date            `json:"date_of_birth,omitempty"`
	Sex           Sex             `json:"sex"`
	Addresses     []PersonAddress `json:"addresses"`
	Description   string          `json:"description,omitempty"` // appearance and identifying features
	Vulnerable    bool            `json:"vulnerable"`
	Vulnerability string          `json:"vulnerability,omitempty"` // why, when vulnerable
	Interpreter   bool            `json:"interpreter"`             // needs an interpreter or communication help
	Language      string          `json:"language,omitempty"`
	Version       int             `json:"version"` // 1 when created, one more at each update
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// Validate cleans p and reports every problem with it at once, checking
// dates of birth against today.
func (p *Person) Validate(today Date) error {
	fields := map[string]string{}
	validateReference(p.Reference, fields)
	p.Surname, p.Forenames = strings.TrimSpace(p.Surname), strings.TrimSpace(p.Forenames)
	validateName(PersonName{p.Surname, p.Forenames}, "", fields)
	if len(p.Aliases) > MaxAliases {
		fields["aliases"] = "at most 20 other names"
	} else {
		for i := range p.Aliases {
			a := &p.Aliases[i]
			a.Surname, a.Forenames = strings.TrimSpace(a.Surname), strings.TrimSpace(a.Forenames)
			validateName(*a, fmt.Sprintf("aliases[%d].", i), fields)
		}
	}
	if p.DateOfBirth != "" && (!p.DateOfBirth.Valid() || p.DateOfBirth < "1900-01-01" || p.DateOfBirth > today) {
		fields["date_of_birth"] = "must be a date (YYYY-MM-DD) from 1900 to today"
	}
	if p.Sex == "" {
		p.Sex = SexUnknown
	}
	if !p.Sex.Valid() {
		fields["sex"] = "must be M, F or U (not known)"
	}
	if len(p.Addresses) > MaxAddresses {
		fields["addresses"] = "at most 20 addresses"
	} else {
		for i := range p.Addresses {
			a := &p.Addresses[i]
			prefix := fmt.Sprintf("addresses[%d].", i)
			a.Address = strings.TrimSpace(a.Address)
			if a.Address == "" || !cleanField(a.Address, MaxAddress) {
				fields[prefix+"address"] = "is required (at most 500 bytes)"
			}
			validatePostcode(&a.Postcode, prefix+"postcode", fields)
		}
	}
	p.Description, p.Vulnerability, p.Language = strings.TrimSpace(p.Description), strings.TrimSpace(p.Vulnerability), strings.TrimSpace(p.Language)
	if !cleanField(p.Description, MaxDescription) {
		fields["description"] = "must be text of at most 2000 bytes"
	}
	if !cleanField(p.Vulnerability, 500) {
		fields["vulnerability"] = "must be text of at most 500 bytes"
	} else if p.Vulnerability != "" && !p.Vulnerable {
		fields["vulnerability"] = "is given only for a person marked vulnerable"
	}
	if !cleanField(p.Language, 64) {
		fields["language"] = "must be text of at most 64 bytes"
	}
	validateMarkers(p.Markers, RecordPerson, fields)
	p.Aliases, p.Addresses, p.Markers = nonNilList(p.Aliases), nonNilList(p.Addresses), nonNilList(p.Markers)
	return fieldsError(fields)
}

func validateName(n PersonName, prefix string, fields map[string]string) {
	if !cleanField(n.Surname, MaxNameText) || NameKey(n.Surname) == "" {
		fields[prefix+"surname"] = "is required: a name with at least one letter (at most 100 bytes)"
	}
	if !cleanField(n.Forenames, 2*MaxNameText) {
		fields[prefix+"forenames"] = "must be text of at most 200 bytes"
	}
}

// Names returns every name p is known by, its own first.
func (p *Person) Names() []PersonName {
	return append([]PersonName{{p.Surname, p.Forenames}}, p.Aliases...)
}

// NameKey reduces a name to the form searches match: upper-case letters
// only, so "O'Brien", "o brien" and "OBRIEN" are one name, as are
// "Smith-Jones" and "SMITH JONES".
func NameKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// VehicleID identifies a Vehicle record within its force.
type VehicleID int64

// Vehicle is a vehicle record, found by its registration mark (VRM).
type Vehicle struct {
	Markers   []Marker  `json:"markers"`
	ID        VehicleID `json:"id"`
	ForceID   ForceID   `json:"force"`
	Reference string    `json:"reference,omitempty"`
	VRM       string    `json:"vrm"` // normalised: upper case, no spaces
	Make      string    `json:"make,omitempty"`
	Model     string    `json:"model,omitempty"`
	Colour    string    `json:"colour,omitempty"`
	KeeperID  PersonID  `json:"keeper_id,omitempty"`  // the registered keeper's person record
	KeeperRef string    `json:"keeper_ref,omitempty"` // that record's reference
	// Keeper is the keeper's record, markers first, when a check returns
	// the vehicle: a check of a car is a check of who is likely in it.
	Keeper    *Person   `json:"keeper,omitempty"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate cleans v and reports every problem with it at once.
func (v *Vehicle) Validate() error {
	fields := map[string]string{}
	validateReference(v.Reference, fields)
	vrm, err := NormaliseVRM(v.VRM)
	if err != nil {
		fields["vrm"] = MessageOf(err)
	}
	v.VRM = vrm
	v.Make, v.Model, v.Colour = strings.TrimSpace(v.Make), strings.TrimSpace(v.Model), strings.TrimSpace(v.Colour)
	for name, s := range map[string]string{"make": v.Make, "model": v.Model, "colour": v.Colour} {
		if !cleanField(s, 64) {
			fields[name] = "must be text of at most 64 bytes"
		}
	}
	if v.KeeperID < 0 {
		fields["keeper_id"] = "must be a person record's id"
	}
	if v.KeeperRef != "" && !ValidReference(v.KeeperRef) {
		fields["keeper_ref"] = "must be a person record's reference"
	}
	validateMarkers(v.Markers, RecordVehicle, fields)
	v.Markers, v.Keeper = nonNilList(v.Markers), nil
	return fieldsError(fields)
}

// UK registration marks (VRMs), normalised: current (AB51ABC), prefix
// (A123BCD), suffix (ABC123D), and dateless marks (1 to 3 letters and 1 to
// 4 digits either way round, e.g. ABC1234, 1234AB, as Northern Ireland
// still issues). Personalised marks are issued in these same forms. The
// letters I, Q and Z never begin a current mark, nor I, O, Q, U or Z a
// prefix one.
var vrmPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^[A-HJ-PR-Y][A-HJ-PR-Z][0-9]{2}[A-HJ-PR-Z]{3}$`),
	regexp.MustCompile(`^[A-HJ-NPR-TV-Y][0-9]{1,3}[A-Z]{3}$`),
	regexp.MustCompile(`^[A-Z]{3}[0-9]{1,3}[A-Z]$`),
	regexp.MustCompile(`^[A-Z]{1,3}[0-9]{1,4}$`),
	regexp.MustCompile(`^[0-9]{1,4}[A-Z]{1,3}$`),
}

// ErrBadVRM is returned for text that is not a UK registration mark.
var ErrBadVRM = &Error{Kind: KindInvalid, Code: "bad_vrm",
	Message: "must be a UK registration mark, e.g. AB51 ABC, A123 BCD, ABC 123D or 1234 AB"}

// NormaliseVRM returns a registration mark in upper case without spaces or
// hyphens, or ErrBadVRM when it is not in a UK format.
func NormaliseVRM(s string) (string, error) {
	vrm := vrmKey(s)
	if vrm == "" || len(vrm) > 7 {
		return "", ErrBadVRM
	}
	for _, p := range vrmPatterns {
		if p.MatchString(vrm) {
			return vrm, nil
		}
	}
	return "", ErrBadVRM
}

func vrmKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r > unicode.MaxASCII:
			return "" // no lookalike letters
		default:
			b.WriteRune(r)
		}
		if b.Len() > 16 {
			return ""
		}
	}
	return b.String()
}

// VRMSearch is a parsed vehicle search: an exact normalised mark, or a
// partial one where * stands for any run of characters and ? for one.
type VRMSearch struct {
	VRM      string // the normalised mark, or the pattern in upper case
	Wildcard bool
	Prefix   string // the literal characters before the first wildcard
}

// ParseVRMSearch parses what an officer typed to search for a vehicle. A
// partial mark must name at least two characters; a full one must be in a
// UK format.
func ParseVRMSearch(s string) (VRMSearch, error) {
	if !strings.ContainsAny(s, "*?") {
		vrm, err := NormaliseVRM(s)
		return VRMSearch{VRM: vrm}, err
	}
	key, literal := vrmKey(s), 0
	for _, r := range key {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			literal++
		case r == '*', r == '?':
		default:
			key = ""
		}
	}
	for strings.Contains(key, "**") {
		key = strings.ReplaceAll(key, "**", "*")
	}
	if key == "" || literal < 2 || literal > 7 || len(key) > 12 {
		return VRMSearch{}, &Error{Kind: KindInvalid, Code: "bad_vrm",
			Message: "a partial registration uses letters, digits, * (any characters) and ? (one character), and names at least two characters"}
	}
	prefix, _, _ := strings.Cut(key, "*")
	prefix, _, _ = strings.Cut(prefix, "?")
	return VRMSearch{VRM: key, Wildcard: true, Prefix: prefix}, nil
}

// LocationRecordID identifies a Location record within its force.
type LocationRecordID int64

// LocationRecord is a Location record: an address with its warning
// markers (the DESIGN Names' "Location" as a record; Location itself is
// where an incident is).
type LocationRecord struct {
	Markers     []Marker         `json:"markers"`
	ID          LocationRecordID `json:"id"`
	ForceID     ForceID          `json:"force"`
	Reference   string           `json:"reference,omitempty"`
	Address     string           `json:"address"`
	Postcode    string           `json:"postcode,omitempty"`
	Position    *Position        `json:"position,omitempty"`
	Description string           `json:"description,omitempty"` // e.g. access, layout, who lives there
	Distance    *float64         `json:"distance_m,omitempty"`  // from the searched position, in metres
	Version     int              `json:"version"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
}

// Validate cleans l and reports every problem with it at once.
func (l *LocationRecord) Validate() error {
	fields := map[string]string{}
	validateReference(l.Reference, fields)
	l.Address = strings.TrimSpace(l.Address)
	if l.Address == "" || !cleanField(l.Address, MaxAddress) {
		fields["address"] = "is required (at most 500 bytes)"
	}
	validatePostcode(&l.Postcode, "postcode", fields)
	if l.Position != nil && !l.Position.Valid() {
		fields["position"] = "latitude must be within ±90 and longitude within ±180"
	}
	l.Description = strings.TrimSpace(l.Description)
	if !cleanField(l.Description, MaxDescription) {
		fields["description"] = "must be text of at most 2000 bytes"
	}
	validateMarkers(l.Markers, RecordLocation, fields)
	l.Markers, l.Distance = nonNilList(l.Markers), nil
	return fieldsError(fields)
}

var (
	postcodePattern = regexp.MustCompile(`^(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA)$`)
	outwardPattern  = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]?$`)
)

// NormalisePostcode returns a UK postcode in upper case with one space
// before its inward code ("so142ab" → "SO14 2AB"), and false when s is not
// one.
func NormalisePostcode(s string) (string, bool) {
	k := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if len(k) < 5 || len(k) > 7 {
		return "", false
	}
	pc := k[:len(k)-3] + " " + k[len(k)-3:]
	return pc, postcodePattern.MatchString(pc)
}

// OutwardCode returns s as a postcode's outward code ("so14" → "SO14"), and
// false when it is not one.
func OutwardCode(s string) (string, bool) {
	k := strings.ToUpper(strings.TrimSpace(s))
	return k, outwardPattern.MatchString(k)
}

func validatePostcode(pc *string, field string, fields map[string]string) {
	if strings.TrimSpace(*pc) == "" {
		*pc = ""
		return
	}
	n, ok := NormalisePostcode(*pc)
	if !ok {
		fields[field] = "must be a UK postcode, e.g. DT1 1AA"
		return
	}
	*pc = n
}

func fieldsError(fields map[string]string) error {
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

func nonNilList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Search bounds.
const (
	DefaultRecordLimit = 50
	MaxRecordLimit     = 200
	DefaultRadiusM     = 100
	MaxRadiusM         = 2000
)

// PersonFilter is a person search: a surname (exact, or a prefix ending in
// *) and optionally the start of the forenames and a date of birth.
// Aliases are searched as well as the names people are recorded under.
type PersonFilter struct {
	Surname     string
	Forename    string
	DateOfBirth *Date
	Offset      int
	Limit       int
}

// Validate reports every problem with f at once.
func (f *PersonFilter) Validate() error {
	fields := map[string]string{}
	surname, prefix := strings.CutSuffix(strings.TrimSpace(f.Surname), "*")
	switch key := NameKey(surname); {
	case !cleanField(f.Surname, MaxNameText) || strings.Contains(surname, "*"):
		fields["surname"] = "must be a name, or the start of one ending in *"
	case key == "":
		fields["surname"] = "is required: a surname, or at least its first two letters followed by *"
	case prefix && utf8.RuneCountInString(key) < 2:
		fields["surname"] = "a partial surname needs at least two letters before the *"
	}
	if !cleanField(f.Forename, MaxNameText) || strings.Contains(f.Forename, "*") {
		fields["forename"] = "must be the start of a forename"
	}
	if f.DateOfBirth != nil && !f.DateOfBirth.Valid() {
		fields["dob"] = "must be a date, YYYY-MM-DD"
	}
	validatePage(f.Offset, f.Limit, fields)
	return fieldsError(fields)
}

// SurnameKey returns the surname searched for and whether it is a prefix.
func (f *PersonFilter) SurnameKey() (string, bool) {
	surname, prefix := strings.CutSuffix(strings.TrimSpace(f.Surname), "*")
	return NameKey(surname), prefix
}

// VehicleFilter is a vehicle search by registration mark, exact or partial
// (see ParseVRMSearch).
type VehicleFilter struct {
	VRM    string
	Offset int
	Limit  int
}

// LocationRecordFilter is a location search: by address words or a
// postcode (Query), or within RadiusM metres of Near, or both.
type LocationRecordFilter struct {
	Query   string
	Near    *Position
	RadiusM float64 // DefaultRadiusM when zero
	Offset  int
	Limit   int
}

// Validate reports every problem with f at once.
func (f *LocationRecordFilter) Validate() error {
	fields := map[string]string{}
	f.Query = strings.TrimSpace(f.Query)
	if !cleanField(f.Query, MaxAddress) {
		fields["q"] = "must be text of at most 500 bytes"
	}
	if f.Query == "" && f.Near == nil {
		fields["q"] = "give address words or a postcode (q), or a position (lat and lon), or both"
	}
	if f.Near != nil && !f.Near.Valid() {
		fields["lat"] = "latitude must be within ±90 and longitude within ±180"
	}
	if f.RadiusM == 0 {
		f.RadiusM = DefaultRadiusM
	}
	if !(f.RadiusM > 0 && f.RadiusM <= MaxRadiusM) {
		fields["radius"] = fmt.Sprintf("must be more than 0 and at most %d metres", MaxRadiusM)
	}
	validatePage(f.Offset, f.Limit, fields)
	return fieldsError(fields)
}

func validatePage(offset, limit int, fields map[string]string) {
	if offset < 0 {
		fields["offset"] = "must not be negative"
	}
	if limit < 0 || limit > MaxRecordLimit {
		fields["limit"] = fmt.Sprintf("must be from 1 to %d", MaxRecordLimit)
	}
}

// MaxImportRows is the most records one import may hold.
const MaxImportRows = 2000

// RecordImport is a batch of records to create or update together: all of
// them or none. A record whose reference is already the force's replaces
// that record; every record of an import must have a reference, so an
// import can be sent again safely. A vehicle's keeper is named by its
// person record's reference (KeeperRef), in this import or already held.
type RecordImport struct {
	Persons   []*Person
	Vehicles  []*Vehicle
	Locations []*LocationRecord
	// Rows are the rows each record came from, per kind and in order, for
	// RowError; when a kind has none, a record's row is its place in its
	// list, from 1.
	Rows map[RecordKind][]int
}

// Len returns the number of records in the import.
func (imp *RecordImport) Len() int { return len(imp.Persons) + len(imp.Vehicles) + len(imp.Locations) }

// Row returns the row of the i-th record of kind.
func (imp *RecordImport) Row(kind RecordKind, i int) int {
	if rows := imp.Rows[kind]; i < len(rows) {
		return rows[i]
	}
	return i + 1
}

// RowError is what is wrong with one row of an import.
type RowError struct {
	Kind      RecordKind        `json:"kind"`
	Row       int               `json:"row"`
	Reference string            `json:"reference,omitempty"`
	Errors    map[string]string `json:"errors"` // each field at fault, with a short message
}

// ImportError refuses an import for the rows it names; nothing of the
// import was written. Its kind is KindInvalid.
type ImportError struct {
	Rows []RowError
}

func (e *ImportError) Error() string { return fmt.Sprintf("import refused: %d bad rows", len(e.Rows)) }

// Unwrap makes KindOf report KindInvalid with code invalid_rows.
func (e *ImportError) Unwrap() error {
	return &Error{Kind: KindInvalid, Code: "invalid_rows",
		Message: fmt.Sprintf("%d rows are invalid; nothing was imported", len(e.Rows))}
}

// ImportCounts are what an import did, or would do, to one kind of record.
type ImportCounts struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ImportResult is what an import did, or with DryRun would have done.
type ImportResult struct {
	DryRun    bool         `json:"dry_run"`
	Persons   ImportCounts `json:"persons"`
	Vehicles  ImportCounts `json:"vehicles"`
	Locations ImportCounts `json:"locations"`
}

// RecordStore holds Person, Vehicle and Location records (DOMAIN 2.7, 4.6).
// They are personal data: every search and view takes a justification
// (ErrJustificationRequired without a reason) and is audited as a
// consultation naming the records returned; every create, update and import
// is audited as a collection or alteration (DPA 2018 s.62). Markers come
// back sorted by SortMarkers.
type RecordStore interface {
	// CreatePerson adds a person record; KindConflict if its reference is
	// taken in the force.
	CreatePerson(ctx context.Context, p *Person) error
	// UpdatePerson replaces the person record p.ID, keeping its reference
	// when p has none; KindConflict if p.Version is set and is not the
	// stored version.
	UpdatePerson(ctx context.Context, p *Person) error
	// CreateVehicle adds a vehicle record; KindConflict if its VRM or
	// reference is taken in the force; KindInvalid if its keeper is not a
	// person record of the force.
	CreateVehicle(ctx context.Context, v *Vehicle) error
	// UpdateVehicle replaces the vehicle record v.ID, as UpdatePerson.
	UpdateVehicle(ctx context.Context, v *Vehicle) error
	// CreateLocationRecord adds a location record; KindConflict if its
	// reference is taken in the force.
	CreateLocationRecord(ctx context.Context, l *LocationRecord) error
	// UpdateLocationRecord replaces the location record l.ID, as UpdatePerson.
	UpdateLocationRecord(ctx context.Context, l *LocationRecord) error
	// ImportRecords checks every record of imp, and unless dryRun writes
	// them all in one transaction. An *ImportError names every bad row;
	// then nothing is written.
	ImportRecords(ctx context.Context, imp *RecordImport, dryRun bool) (*ImportResult, error)
	// FindPersons searches person records by name, and returns a page of
	// them by name and the total found.
	FindPersons(ctx context.Context, f PersonFilter, j Justification) ([]*Person, int, error)
	// FindPersonByID returns one person record.
	FindPersonByID(ctx context.Context, id PersonID, j Justification) (*Person, error)
	// FindVehicles searches vehicle records by registration mark, each
	// with its keeper's record.
	FindVehicles(ctx context.Context, f VehicleFilter, j Justification) ([]*Vehicle, int, error)
	// FindVehicleByID returns one vehicle record with its keeper's record.
	FindVehicleByID(ctx context.Context, id VehicleID, j Justification) (*Vehicle, error)
	// FindLocationRecords searches location records by address words or
	// postcode, or near a position (nearest first, with Distance set).
	FindLocationRecords(ctx context.Context, f LocationRecordFilter, j Justification) ([]*LocationRecord, int, error)
	// FindLocationRecordByID returns one location record.
	FindLocationRecordByID(ctx context.Context, id LocationRecordID, j Justification) (*LocationRecord, error)
}

// Event types of record checks.
const (
	EventPersonCreated   EventType = "person.created"
	EventPersonUpdated   EventType = "person.updated"
	EventVehicleCreated  EventType = "vehicle.created"
	EventVehicleUpdated  EventType = "vehicle.updated"
	EventLocationCreated EventType = "location.created"
	EventLocationUpdated EventType = "location.updated"
	EventRecordsImported EventType = "records.imported"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventPersonCreated:   {Audience: operations, Personal: true},
		EventPersonUpdated:   {Audience: operations, Personal: true},
		EventVehicleCreated:  {Audience: operations, Personal: true},
		EventVehicleUpdated:  {Audience: operations, Personal: true},
		EventLocationCreated: {Audience: operations, Personal: true},
		EventLocationUpdated: {Audience: operations, Personal: true},
		EventRecordsImported: {Audience: operations},
	})
}
