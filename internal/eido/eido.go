// Package eido reads and writes NENA Emergency Incident Data Objects
// (EIDO, NENA-STA-021.1b-2022, eidoVersion "1.0"): the JSON document public
// safety systems exchange to hand an incident from one agency to another.
//
// Export writes an incident as an EIDO; Import and Decode turn an EIDO from
// any sender into an incident to open. Both check documents against the
// standard's schema, embedded in this package as JSON Schema (schema/,
// see schema/SOURCE.md), so the binary validates without the source tree.
//
// EIDO 1.0 has a place for most of an incident: its tracking identifier,
// type, status, priority, location (as PIDF-LO), notes, agents, units and
// disposition. What it has no place for (NSIR qualifiers, the security
// classification, a major incident declaration, grid reference and the
// closing details) bluelamp writes into one "details" note of "key: value"
// lines, readable by the receiving operator and read back exactly by
// bluelamp. The summary travels as its own note.
package eido

import (
	"encoding/json"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Agency is the agency an EIDO is sent by: the force exporting it.
type Agency struct {
	ForceID bluelamp.ForceID
	Name    string // e.g. "Wessex Police"
	// Domain is the agency's NG9-1-1 Agency Identifier, a domain name such
	// as "wessex.police.uk". It builds every identifier in the document:
	// the incident tracking identifier, agents ("name@domain"), units
	// ("unit7@domain") and data components.
	Domain string
}

// MaxDocument is the largest EIDO document Import, Decode and Validate
// accept, in bytes.
const MaxDocument = 1 << 20

// maxDepth is the deepest nesting of JSON arrays and objects accepted. The
// deepest EIDO 1.0 structure (a NIEM person) is about 30 levels.
const maxDepth = 64

// The EIDO 1.0 data components bluelamp reads and writes, as
// NENA-STA-021.1b's OpenAPI schema names them. Components and members it
// neither writes nor reads (persons, vehicles, alarms, merges, links,
// additional data) are ignored on import.

type reference struct {
	Ref string `json:"$ref"`
}

type prologue struct {
	ID              string     `json:"$id"`
	LastUpdate      string     `json:"lastUpdateTimeStamp"`
	UpdatedByAgency reference  `json:"updatedByAgencyReference"`
	UpdatedByAgent  *reference `json:"updatedByAgentReference,omitempty"`
}

type document struct {
	prologue
	EIDOVersion    string             `json:"eidoVersion"`
	IssuingElement string             `json:"issuingElementIdentification"`
	Incident       *incidentComponent `json:"incidentComponent,omitempty"`
	Calls          []callComponent    `json:"callComponent,omitempty"`
	Dispatches     []dispatch         `json:"dispatchComponent,omitempty"`
	Agencies       []agency           `json:"agencyComponent"`
	Agents         []agent            `json:"agentComponent,omitempty"`
	Notes          []note             `json:"notesComponent,omitempty"`
	Locations      []location         `json:"locationComponent,omitempty"`
	Resources      []resource         `json:"emergencyResourceComponent,omitempty"`
	Context        *jsonLDContext     `json:"@context,omitempty"`
}

type jsonLDContext struct {
	Vocabulary string `json:"@vocab"`
}

type incidentComponent struct {
	prologue
	TypeInternalCode string        `json:"incidentTypeInternalCode,omitempty"`
	TypeInternalText string        `json:"incidentTypeInternalText,omitempty"`
	TypeCommon       string        `json:"incidentTypeCommonRegistryText"`
	StatusInternal   []string      `json:"incidentStatusInternalText,omitempty"`
	StatusCommon     []string      `json:"incidentStatusCommonRegistryText,omitempty"`
	InternalID       string        `json:"internalIncidentId,omitempty"`
	Agents           []reference   `json:"agentReference,omitempty"`
	Locations        []reference   `json:"locationReference,omitempty"`
	Documents        []string      `json:"documentIdentification,omitempty"`
	ReportNumberType string        `json:"reportNumberType,omitempty"`
	PriorityInternal string        `json:"incidentPriorityInternalText,omitempty"`
	PriorityCommon   json.Number   `json:"incidentCommonPriorityNumber,omitempty"`
	Dispositions     []disposition `json:"dispositionComponent,omitempty"`
	Notes            []reference   `json:"notesReference,omitempty"`
}

type disposition struct {
	prologue
	Code        string `json:"dispositionCommonRegistryCode"`
	Primary     *bool  `json:"dispositionPrimaryIndicator,omitempty"`
	Category    string `json:"dispositionCategoryText,omitempty"`
	Description string `json:"dispositionDescriptionText,omitempty"`
}

type callComponent struct {
	prologue
	PrimaryType string      `json:"standardPrimaryCallType"`
	LocalType   string      `json:"localCallType,omitempty"`
	Direction   string      `json:"direction"`
	Start       string      `json:"callStartTimestamp"`
	State       string      `json:"callStateRegistryText"`
	Agents      []reference `json:"agentReference,omitempty"`
	Locations   []reference `json:"locationReference,omitempty"`
}

type dispatch struct {
	prologue
	Agency    *reference  `json:"agencyReference,omitempty"`
	Agent     *reference  `json:"agentReference,omitempty"`
	Resources []reference `json:"emergencyResourceReference,omitempty"`
}

type agency struct {
	prologue
	JCard  string   `json:"agencyJcard,omitempty"`
	Roles  []string `json:"agencyRoleDescriptionRegistryText"`
	Owning *bool    `json:"incidentOwningAgencyIndicator,omitempty"`
	Types  []string `json:"agencyType"`
}

type agent struct {
	prologue
	JCard  string    `json:"agentJcard,omitempty"`
	Roles  []string  `json:"agentRoleRegistryText"`
	Agency reference `json:"agencyReference"`
}

type note struct {
	prologue
	Comments string     `json:"notesActionComments"`
	Agent    *reference `json:"agentReference,omitempty"`
}

type location struct {
	prologue
	Type        string `json:"locationTypeDescriptionRegistryText"`
	ByValue     string `json:"locationByValue,omitempty"`
	Description string `json:"locationDescriptionText,omitempty"`
}

type resource struct {
	prologue
	TypeCommon      string      `json:"emergencyResourceTypeCommonRegistryText"`
	Attributes      []string    `json:"resourceAttributeRegistryText"`
	Name            string      `json:"emergencyResourceName,omitempty"`
	PrimaryStatus   string      `json:"primaryUnitStatusRegistryText"`
	SecondaryStatus []string    `json:"secondaryUnitStatusRegistryText"`
	StatusInternal  []string    `json:"unitStatusInternal,omitempty"`
	Agents          []reference `json:"agentReference"`
}

// timestamp writes t as the W3C date-time NENA-STA-010 asks for, in UTC.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// parseTimestamp reads an RFC 3339 date-time; a time with no zone is not
// one (NENA-STA-010 requires the zone) and is refused.
func parseTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
