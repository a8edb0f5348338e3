package bluelamp

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Event types of exhibits: every handling of an exhibit is an event, so the
// force's log is its chain of custody (DESIGN §1).
const (
	EventExhibitProduced        EventType = "exhibit.produced"
	EventExhibitHandled         EventType = "exhibit.handled"
	EventExhibitIntegrityFailed EventType = "exhibit.integrity_failed"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		// Descriptions, places and recipients may name people.
		EventExhibitProduced: {Audience: operations, Personal: true},
		EventExhibitHandled:  {Audience: operations, Personal: true},
		// A stored file no longer matching its recorded hash is a security
		// event: who must know is the force's admins and auditors.
		EventExhibitIntegrityFailed: {Audience: []Role{RoleSupervisor, RoleForceAdmin, RoleAuditor}},
	})
}

// ExhibitID identifies an Exhibit within its force.
type ExhibitID int64

// ExhibitOrigin says how an exhibit came into police hands.
type ExhibitOrigin string

const (
	ExhibitSeized   ExhibitOrigin = "SEIZED"   // taken by the officer
	ExhibitProduced ExhibitOrigin = "PRODUCED" // handed to the officer by someone, e.g. CCTV from a shop
)

// Valid reports whether o is SEIZED or PRODUCED.
func (o ExhibitOrigin) Valid() bool { return o == ExhibitSeized || o == ExhibitProduced }

// CustodyAction is one kind of handling in an exhibit's chain of custody.
type CustodyAction string

const (
	CustodySeized     CustodyAction = "SEIZED"   // the first entry of a seized exhibit
	CustodyProduced   CustodyAction = "PRODUCED" // the first entry of a produced exhibit
	CustodyReceived   CustodyAction = "RECEIVED_INTO_STORE"
	CustodyMoved      CustodyAction = "MOVED"
	CustodyExamined   CustodyAction = "EXAMINED"
	CustodyHandedOver CustodyAction = "HANDED_OVER" // to another person or organisation, e.g. a forensic lab
	CustodyReturned   CustodyAction = "RETURNED"    // to its owner: the end of the chain
	CustodyDestroyed  CustodyAction = "DESTROYED"   // the end of the chain
)

// CustodyActions lists the handlings that may be recorded after an
// exhibit's first entry, in the order the app offers them.
var CustodyActions = []CustodyAction{CustodyReceived, CustodyMoved, CustodyExamined, CustodyHandedOver, CustodyReturned, CustodyDestroyed}

// ExhibitState is where an exhibit is in its life, after its last handling.
type ExhibitState string

const (
	ExhibitHeld       ExhibitState = "HELD" // with the officer who seized it or had it produced
	ExhibitInStore    ExhibitState = "IN_STORE"
	ExhibitHandedOver ExhibitState = "HANDED_OVER"
	ExhibitReturned   ExhibitState = "RETURNED"
	ExhibitDestroyed  ExhibitState = "DESTROYED"
)

// Final reports whether no handling may follow s.
func (s ExhibitState) Final() bool { return s == ExhibitReturned || s == ExhibitDestroyed }

// Exhibit is a photo or file an officer seized or had produced, kept
// content-addressed by its SHA-256, with its chain of custody. Its
// description, place and file are personal data: every read is an audited
// consultation (DPA 2018 s.62).
type Exhibit struct {
	ID      ExhibitID `json:"id"`
	ForceID ForceID   `json:"force"`
	// Reference is the producing officer's initials and their own running
	// number, the way exhibits are labelled in court: "JS/3".
	Reference   string        `json:"reference"`
	Origin      ExhibitOrigin `json:"origin"`
	Description string        `json:"description"`
	SeizedAt    time.Time     `json:"seized_at"`   // when it was seized or produced
	SeizedFrom  string        `json:"seized_from"` // where: an address or a description of the place
	Position    *Position     `json:"position,omitempty"`
	// ProducedBy is the collar number of the officer who seized it or had it
	// produced: the signed-in user who logged it.
	ProducedBy   string     `json:"produced_by"`
	ProducerName string     `json:"producer_name"`
	IncidentID   IncidentID `json:"incident_id,omitempty"`
	Incident     string     `json:"incident_number,omitempty"`

	SHA256      Hash   `json:"sha256"` // of the file as received, re-checked on every download
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"` // as found in the file's first bytes
	Filename    string `json:"filename"`     // as the device named it

	State     ExhibitState `json:"state"`
	Custodian string       `json:"custodian"` // who holds it after its last handling
	HeldAt    string       `json:"held_at"`   // where it is after its last handling
	CreatedAt time.Time    `json:"created_at"`
	// Custody is the chain of custody, oldest first; FindExhibitByID fills it.
	Custody []*CustodyEntry `json:"custody,omitempty"`
}

// CustodyEntry is one handling of an exhibit: who, when, where.
type CustodyEntry struct {
	ID        int64         `json:"id"`
	ExhibitID ExhibitID     `json:"exhibit_id"`
	Action    CustodyAction `json:"action"`
	At        time.Time     `json:"at"`
	By        string        `json:"by"`        // the user who recorded it
	ByCollar  string        `json:"by_collar"` // their collar number, when they have one
	Location  string        `json:"location"`
	Recipient string        `json:"recipient,omitempty"` // who received it, when handed over or returned
	Notes     string        `json:"notes,omitempty"`
}

// Limits on exhibit text.
const (
	MaxExhibitDescription = 2000
	MaxExhibitPlace       = 500
	MaxExhibitFilename    = 255
	MaxCustodyNotes       = 2000
	// ExhibitBackdate is how long after the fact a seizure or handling may
	// be logged: a device offline for a shift still gets its record in.
	ExhibitBackdate = 72 * time.Hour
)

// Validate checks what the officer gave about e, cleaning its text, and
// reports every fault at once. The file's hash, size and type are the
// store's to check.
func (e *Exhibit) Validate() error {
	fields := map[string]string{}
	if !e.Origin.Valid() {
		fields["origin"] = "must be SEIZED or PRODUCED"
	}
	e.Description = strings.TrimSpace(e.Description)
	switch {
	case !evidenceText(e.Description) || len(e.Description) > MaxExhibitDescription:
		fields["description"] = "must be text of at most 2000 bytes"
	case e.Description == "":
		fields["description"] = "is required: what the exhibit is"
	}
	e.SeizedFrom = strings.TrimSpace(e.SeizedFrom)
	switch {
	case !evidenceText(e.SeizedFrom) || len(e.SeizedFrom) > MaxExhibitPlace:
		fields["seized_from"] = "must be text of at most 500 bytes"
	case e.SeizedFrom == "":
		fields["seized_from"] = "is required: where it was seized or produced"
	}
	if e.Position != nil && !e.Position.Valid() {
		fields["position"] = "latitude must be within ±90 and longitude within ±180"
	}
	if e.IncidentID < 0 {
		fields["incident_id"] = "must be an incident id"
	}
	e.Filename = CleanFilename(e.Filename)
	if len(e.Filename) > MaxExhibitFilename {
		fields["filename"] = "must be at most 255 bytes"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// CleanFilename returns the last element of a device's file name (some
// browsers send a whole path), without control characters; "" if none is
// left.
func CleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// Validate checks a handling to be recorded, cleaning its text, and reports
// every fault at once: RECEIVED_INTO_STORE and MOVED need a location,
// HANDED_OVER and RETURNED a recipient, EXAMINED and DESTROYED notes.
func (c *CustodyEntry) Validate() error {
	fields := map[string]string{}
	c.Location = strings.TrimSpace(c.Location)
	c.Recipient = strings.TrimSpace(c.Recipient)
	c.Notes = strings.TrimSpace(c.Notes)
	if !slices.Contains(CustodyActions, c.Action) {
		fields["action"] = "must be one of RECEIVED_INTO_STORE, MOVED, EXAMINED, HANDED_OVER, RETURNED, DESTROYED"
	}
	if !evidenceText(c.Location) || len(c.Location) > MaxExhibitPlace {
		fields["location"] = "must be text of at most 500 bytes"
	} else if c.Location == "" && (c.Action == CustodyReceived || c.Action == CustodyMoved) {
		fields["location"] = "is required: where the exhibit now is"
	}
	if !evidenceText(c.Recipient) || len(c.Recipient) > MaxExhibitPlace {
		fields["recipient"] = "must be text of at most 500 bytes"
	} else if c.Recipient == "" && (c.Action == CustodyHandedOver || c.Action == CustodyReturned) {
		fields["recipient"] = "is required: the person or organisation who received it"
	} else if c.Recipient != "" && c.Action != CustodyHandedOver && c.Action != CustodyReturned {
		fields["recipient"] = "is only for HANDED_OVER and RETURNED"
	}
	if !evidenceText(c.Notes) || len(c.Notes) > MaxCustodyNotes {
		fields["notes"] = "must be text of at most 2000 bytes"
	} else if c.Notes == "" && c.Action == CustodyExamined {
		fields["notes"] = "is required: who examined it and how"
	} else if c.Notes == "" && c.Action == CustodyDestroyed {
		fields["notes"] = "is required: the authority for and the method of destruction"
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// Apply moves an exhibit in state s, held by custodian at place, through
// handling c, returning where it is after; KindConflict if its chain has
// ended or the handling does not fit (received into the store it is in).
func (c *CustodyEntry) Apply(s ExhibitState, custodian, place string) (ExhibitState, string, string, error) {
	if s.Final() {
		return s, custodian, place, &Error{Kind: KindConflict, Code: "custody_ended",
			Message: "the exhibit was " + strings.ToLower(string(s)) + ": its chain of custody has ended"}
	}
	if c.Location != "" {
		place = c.Location
	}
	switch c.Action {
	case CustodyReceived:
		if s == ExhibitInStore {
			return s, custodian, place, &Error{Kind: KindConflict, Code: "already_in_store",
				Message: "the exhibit is already in the store; record a move within it as MOVED"}
		}
		return ExhibitInStore, "property store", place, nil
	case CustodyHandedOver:
		return ExhibitHandedOver, c.Recipient, place, nil
	case CustodyReturned:
		return ExhibitReturned, c.Recipient, place, nil
	case CustodyDestroyed:
		return ExhibitDestroyed, "", place, nil
	}
	return s, custodian, place, nil
}

// ExhibitChange is the payload of exhibit.produced and exhibit.handled: the
// exhibit as it stands after the handling, and the handling.
type ExhibitChange struct {
	Exhibit *Exhibit      `json:"exhibit"`
	Custody *CustodyEntry `json:"custody"`
}

// ExhibitIntegrityFailure is the payload of exhibit.integrity_failed.
type ExhibitIntegrityFailure struct {
	ExhibitID ExhibitID `json:"exhibit_id"`
	Reference string    `json:"reference"`
	Want      Hash      `json:"want"` // the SHA-256 recorded on receipt
	Got       Hash      `json:"got"`  // what the stored file hashes to now; empty if it is missing
}

// ExhibitFilter selects exhibits of the caller's force; nil means any.
type ExhibitFilter struct {
	IncidentID *IncidentID
	ProducedBy *string // a collar number
	Offset     int
	Limit      int
}

// ExhibitStore holds exhibits and their chains of custody. The files
// themselves are kept outside the database, content-addressed by SHA-256
// (internal/exhibit); the store holds what the file must hash to.
type ExhibitStore interface {
	// CreateExhibit records an exhibit whose file is already stored,
	// produced by the signed-in user in ctx (KindForbidden for another kind
	// of actor; KindInvalid if they have no collar number), with its first
	// custody entry (SEIZED or PRODUCED). It gives the exhibit its reference
	// (the officer's initials and running number) and audits the collection.
	// KindNotFound naming incident_id if the incident is not the force's.
	CreateExhibit(ctx context.Context, e *Exhibit) error
	// FindExhibitByID returns an exhibit with its chain of custody, audited
	// as a consultation; ErrJustificationRequired without a reason.
	FindExhibitByID(ctx context.Context, id ExhibitID, j Justification) (*Exhibit, error)
	// FindExhibits returns exhibits, newest first, and the total before
	// paging, audited as a consultation.
	FindExhibits(ctx context.Context, f ExhibitFilter, j Justification) ([]*Exhibit, int, error)
	// RecordCustody records a handling of an exhibit and returns it with
	// its chain; KindConflict if its chain has ended, KindInvalid if c.At
	// is before its last handling.
	RecordCustody(ctx context.Context, id ExhibitID, c *CustodyEntry) (*Exhibit, error)
	// ViewExhibitContent returns the exhibit whose file is about to be
	// shown, auditing the viewing as a consultation.
	ViewExhibitContent(ctx context.Context, id ExhibitID, j Justification) (*Exhibit, error)
	// RecordExhibitIntegrityFailure logs that an exhibit's stored file no
	// longer hashes to its recorded SHA-256 (got is what it hashes to now,
	// nil if the file is missing).
	RecordExhibitIntegrityFailure(ctx context.Context, id ExhibitID, got Hash) error
}

// ErrExhibitIntegrity is the answer when an exhibit's stored file no longer
// matches its recorded SHA-256: the file is not served, and the failure is
// logged. It is the one server-side fault the API names, since a person
// must act on it.
var ErrExhibitIntegrity = &Error{Kind: KindUnavailable, Code: "integrity_failure",
	Message: "the exhibit's stored file no longer matches the SHA-256 recorded when it was received; it is not served, and the failure has been logged for the force's auditors"}

var initialsWord = regexp.MustCompile(`[\p{L}]+`)

// ExhibitInitials returns the initials an officer labels exhibits with:
// the first letter of each word of their name, upper-case, at most four
// (e.g. "Gabriel Oak" → "GO"); "X" for a name with no letters.
func ExhibitInitials(name string) string {
	var b strings.Builder
	for _, w := range initialsWord.FindAllString(name, -1) {
		r, _ := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		if utf8.RuneCountInString(b.String()) == 4 {
			break
		}
	}
	if b.Len() == 0 {
		return "X"
	}
	return b.String()
}

// ExhibitReference formats an exhibit reference, e.g. "JS/3".
func ExhibitReference(initials string, n int) string { return initials + "/" + itoa(n) }

// evidenceText reports whether s is valid UTF-8 without control characters
// other than tab, newline and carriage return.
func evidenceText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}
