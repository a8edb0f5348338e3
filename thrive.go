package bluelamp

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Level is a three-point rating used throughout THRIVE.
type Level string

const (
	LevelHigh   Level = "HIGH"
	LevelMedium Level = "MEDIUM"
	LevelLow    Level = "LOW"
)

// Valid reports whether l is HIGH, MEDIUM or LOW.
func (l Level) Valid() bool { return l == LevelHigh || l == LevelMedium || l == LevelLow }

// HarmTypes are the kinds of harm a THRIVE assessment names (DOMAIN 2.3).
var HarmTypes = []string{"PHYSICAL", "PSYCHOLOGICAL", "SEXUAL", "FINANCIAL", "PROPERTY", "COMMUNITY"}

// VulnerabilityFactors are the factors a THRIVE assessment names (DOMAIN 2.3, 2.7).
var VulnerabilityFactors = []string{
	"CHILD", "OLDER_PERSON", "MENTAL_HEALTH", "DISABILITY", "DOMESTIC_ABUSE", "REPEAT_VICTIM",
	"ALCOHOL_OR_DRUGS", "COMMUNICATION_NEEDS", "ISOLATION", "EXPLOITATION", "OTHER",
}

// THRIVE is one risk assessment of an incident (DOMAIN 2.3): Threat, Harm,
// Risk, Investigation, Vulnerability, Engagement, with the THRIVE+ elements
// Prevention and Intervention. Each re-assessment is a new Version; none is
// ever changed.
type THRIVE struct {
	Version    int       `json:"version"`
	AssessedAt time.Time `json:"assessed_at"`
	AssessedBy string    `json:"assessed_by"`

	Threat        Threat        `json:"threat"`
	Harm          Harm          `json:"harm"`
	Risk          Risk          `json:"risk"`
	Investigation Investigation `json:"investigation"`
	Vulnerability Vulnerability `json:"vulnerability"`
	Engagement    Engagement    `json:"engagement"`
	Prevention    string        `json:"prevention,omitempty"`   // crime prevention advice given
	Intervention  string        `json:"intervention,omitempty"` // safeguarding or intervention action taken

	Grade     Grade  `json:"grade"`     // the grade this assessment supports
	Rationale string `json:"rationale"` // why, in the assessor's words
}

// Threat is who or what is threatened and what could happen.
type Threat struct {
	Parties        []string `json:"parties,omitempty"` // e.g. "caller", "child at address"
	Description    string   `json:"description"`
	Subjects       string   `json:"subjects,omitempty"` // identity, capability, intent of anyone posing it
	TimeSinceEvent string   `json:"time_since_event,omitempty"`
}

// Harm is how bad it would be if the threat were realised.
type Harm struct {
	Types    []string `json:"types,omitempty"` // from HarmTypes
	Severity Level    `json:"severity"`
}

// Risk is how likely the harm is, including before officers arrive.
type Risk struct {
	Likelihood  Level  `json:"likelihood"`
	Rating      Level  `json:"rating"`
	InterimRisk string `json:"interim_risk,omitempty"`
}

// Investigation is the enquiry needed and the evidence at risk.
type Investigation struct {
	LinesOfEnquiry      string `json:"lines_of_enquiry,omitempty"`
	SceneAdviceGiven    bool   `json:"scene_advice_given"`
	SceneAdvice         string `json:"scene_advice,omitempty"`
	ForensicOpportunity bool   `json:"forensic_opportunity"`
}

// Vulnerability is whether anyone cannot protect themselves.
type Vulnerability struct {
	Parties            []string `json:"parties,omitempty"`
	Factors            []string `json:"factors,omitempty"` // from VulnerabilityFactors
	SafeguardingNeeded bool     `json:"safeguarding_needed"`
}

// Engagement is what the caller needs and how they will be kept informed.
type Engagement struct {
	CallerNeeds      string `json:"caller_needs,omitempty"`
	UpdatePreference string `json:"update_preference,omitempty"`
	ReferralOffered  bool   `json:"referral_offered"`
}

// Vulnerable reports whether the assessment found anyone vulnerable.
func (t *THRIVE) Vulnerable() bool {
	return t != nil && (len(t.Vulnerability.Factors) > 0 || t.Vulnerability.SafeguardingNeeded)
}

// Validate checks every element and records faults under prefix
// ("thrive."). Threat, harm severity, risk likelihood and rating, grade and
// rationale are required: they are what the grade rests on.
func (t *THRIVE) validate(prefix string, fields map[string]string) {
	text := func(name, s string, max int, required bool) {
		switch {
		case !utf8.ValidString(s) || len(s) > max:
			fields[prefix+name] = "must be text of at most " + itoa(max) + " bytes"
		case required && strings.TrimSpace(s) == "":
			fields[prefix+name] = "is required"
		}
	}
	list := func(name string, vs []string, allowed []string) {
		for i, v := range vs {
			if (allowed != nil && !slices.Contains(allowed, v)) || slices.Contains(vs[:i], v) || len(v) > 200 || v == "" {
				fields[prefix+name] = "unknown or repeated value " + quoteShort(v)
				return
			}
		}
		if len(vs) > 20 {
			fields[prefix+name] = "at most 20 entries"
		}
	}
	text("threat.description", t.Threat.Description, 2000, true)
	list("threat.parties", t.Threat.Parties, nil)
	text("threat.subjects", t.Threat.Subjects, 2000, false)
	text("threat.time_since_event", t.Threat.TimeSinceEvent, 200, false)
	list("harm.types", t.Harm.Types, HarmTypes)
	if !t.Harm.Severity.Valid() {
		fields[prefix+"harm.severity"] = "must be HIGH, MEDIUM or LOW"
	}
	if !t.Risk.Likelihood.Valid() {
		fields[prefix+"risk.likelihood"] = "must be HIGH, MEDIUM or LOW"
	}
	if !t.Risk.Rating.Valid() {
		fields[prefix+"risk.rating"] = "must be HIGH, MEDIUM or LOW"
	}
	text("risk.interim_risk", t.Risk.InterimRisk, 2000, false)
	text("investigation.lines_of_enquiry", t.Investigation.LinesOfEnquiry, 2000, false)
	text("investigation.scene_advice", t.Investigation.SceneAdvice, 2000, t.Investigation.SceneAdviceGiven)
	list("vulnerability.parties", t.Vulnerability.Parties, nil)
	list("vulnerability.factors", t.Vulnerability.Factors, VulnerabilityFactors)
	text("engagement.caller_needs", t.Engagement.CallerNeeds, 2000, false)
	text("engagement.update_preference", t.Engagement.UpdatePreference, 200, false)
	text("prevention", t.Prevention, 2000, false)
	text("intervention", t.Intervention, 2000, false)
	if !t.Grade.Valid() {
		fields[prefix+"grade"] = "must be one of IMMEDIATE, PRIORITY, STANDARD, SCHEDULED, RESOLVED_WITHOUT_DEPLOYMENT"
	}
	text("rationale", t.Rationale, 2000, true)
}

// Validate reports every problem with t at once.
func (t *THRIVE) Validate() error {
	fields := map[string]string{}
	t.validate("", fields)
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}
