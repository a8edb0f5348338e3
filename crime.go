package bluelamp

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Event types of crime reports.
const (
	EventCrimeReported        EventType = "crime_report.recorded"
	EventCrimeDecided         EventType = "crime_report.decided"
	EventCrimeOutcomeRecorded EventType = "crime_report.outcome_recorded"
)

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventCrimeReported:        {Audience: operations, Personal: true},
		EventCrimeDecided:         {Audience: operations, Personal: true}, // its reason may name people
		EventCrimeOutcomeRecorded: {Audience: operations, Personal: true},
	})
}

// OffenceGroup is a Home Office notifiable offence group.
type OffenceGroup string

const (
	GroupViolence       OffenceGroup = "VIOLENCE_AGAINST_THE_PERSON"
	GroupSexual         OffenceGroup = "SEXUAL_OFFENCES"
	GroupRobbery        OffenceGroup = "ROBBERY"
	GroupTheft          OffenceGroup = "THEFT_OFFENCES"
	GroupDamage         OffenceGroup = "CRIMINAL_DAMAGE_AND_ARSON"
	GroupDrugs          OffenceGroup = "DRUG_OFFENCES"
	GroupWeapons        OffenceGroup = "POSSESSION_OF_WEAPONS"
	GroupPublicOrder    OffenceGroup = "PUBLIC_ORDER_OFFENCES"
	GroupAgainstSociety OffenceGroup = "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY"
	GroupFraud          OffenceGroup = "FRAUD_OFFENCES"
)

// Offence is a notifiable offence classification.
type Offence string

// OffenceInfo describes one classification.
type OffenceInfo struct {
	Code  Offence      `json:"code"`
	Group OffenceGroup `json:"group"`
	Label string       `json:"label"`
	// HOCode is the Home Office offence classification number where it is
	// well known (e.g. 8N, 105A); confirm against the current Home Office
	// Crime Recording Rules before relying on it.
	HOCode string `json:"ho_code,omitempty"`
	// PoliceUK is the data.police.uk crime category it is published under.
	PoliceUK string `json:"police_uk"`
	// Sensitive marks offences whose reports are OFFICIAL-SENSITIVE.
	Sensitive bool `json:"sensitive"`
}

// Offences is the classification list, by Home Office offence group
// (DOMAIN 4.4).
var Offences = []OffenceInfo{
	{"MURDER", GroupViolence, "Murder", "1", "violent-crime", true},
	{"MANSLAUGHTER", GroupViolence, "Manslaughter", "", "violent-crime", true},
	{"ATTEMPTED_MURDER", GroupViolence, "Attempted murder", "2", "violent-crime", true},
	{"DEATH_BY_DRIVING", GroupViolence, "Death or serious injury by unlawful driving", "", "violent-crime", false},
	{"GBH_WITH_INTENT", GroupViolence, "Wounding or causing grievous bodily harm with intent", "", "violent-crime", false},
	{"ASSAULT_WITH_INJURY", GroupViolence, "Assault with injury", "8N", "violent-crime", false},
	{"ASSAULT_WITHOUT_INJURY", GroupViolence, "Assault without injury", "105A", "violent-crime", false},
	{"ASSAULT_EMERGENCY_WORKER", GroupViolence, "Assault on an emergency worker", "", "violent-crime", false},
	{"THREATS_TO_KILL", GroupViolence, "Threats to kill", "", "violent-crime", false},
	{"HARASSMENT", GroupViolence, "Harassment", "8L", "violent-crime", false},
	{"STALKING", GroupViolence, "Stalking", "8Q", "violent-crime", true},
	{"CONTROLLING_BEHAVIOUR", GroupViolence, "Controlling or coercive behaviour", "8U", "violent-crime", true},
	{"MALICIOUS_COMMUNICATIONS", GroupViolence, "Malicious communications", "", "violent-crime", false},
	{"RAPE_16_PLUS", GroupSexual, "Rape of a person aged 16 or over", "", "violent-crime", true},
	{"RAPE_UNDER_16", GroupSexual, "Rape of a child under 16", "", "violent-crime", true},
	{"SEXUAL_ASSAULT", GroupSexual, "Sexual assault", "", "violent-crime", true},
	{"SEXUAL_ACTIVITY_CHILD", GroupSexual, "Sexual activity involving a child", "", "violent-crime", true},
	{"EXPOSURE_VOYEURISM", GroupSexual, "Exposure and voyeurism", "", "violent-crime", true},
	{"OTHER_SEXUAL", GroupSexual, "Other sexual offence", "", "violent-crime", true},
	{"ROBBERY_BUSINESS", GroupRobbery, "Robbery of business property", "34A", "robbery", false},
	{"ROBBERY_PERSONAL", GroupRobbery, "Robbery of personal property", "34B", "robbery", false},
	{"BURGLARY_RESIDENTIAL", GroupTheft, "Burglary – residential", "28E", "burglary", false},
	{"BURGLARY_BUSINESS", GroupTheft, "Burglary – business and community", "30C", "burglary", false},
	{"THEFT_OF_VEHICLE", GroupTheft, "Theft or unauthorised taking of a motor vehicle", "48", "vehicle-crime", false},
	{"THEFT_FROM_VEHICLE", GroupTheft, "Theft from a vehicle", "45", "vehicle-crime", false},
	{"VEHICLE_INTERFERENCE", GroupTheft, "Interfering with a motor vehicle", "126", "vehicle-crime", false},
	{"THEFT_FROM_PERSON", GroupTheft, "Theft from the person", "39", "theft-from-the-person", false},
	{"BICYCLE_THEFT", GroupTheft, "Theft or unauthorised taking of a pedal cycle", "44", "bicycle-theft", false},
	{"SHOPLIFTING", GroupTheft, "Shoplifting", "46", "shoplifting", false},
	{"OTHER_THEFT", GroupTheft, "Other theft", "49", "other-theft", false},
	{"HANDLING_STOLEN_GOODS", GroupTheft, "Handling stolen goods", "", "other-theft", false},
	{"ARSON_ENDANGERING_LIFE", GroupDamage, "Arson endangering life", "56A", "criminal-damage-arson", false},
	{"ARSON_NOT_ENDANGERING_LIFE", GroupDamage, "Arson not endangering life", "56B", "criminal-damage-arson", false},
	{"DAMAGE_DWELLING", GroupDamage, "Criminal damage to a dwelling", "58A", "criminal-damage-arson", false},
	{"DAMAGE_OTHER_BUILDING", GroupDamage, "Criminal damage to a building other than a dwelling", "58B", "criminal-damage-arson", false},
	{"DAMAGE_VEHICLE", GroupDamage, "Criminal damage to a vehicle", "58C", "criminal-damage-arson", false},
	{"DAMAGE_OTHER", GroupDamage, "Other criminal damage", "58D", "criminal-damage-arson", false},
	{"DRUG_TRAFFICKING", GroupDrugs, "Trafficking in controlled drugs", "92A", "drugs", false},
	{"DRUG_POSSESSION", GroupDrugs, "Possession of controlled drugs (excluding cannabis)", "92D", "drugs", false},
	{"CANNABIS_POSSESSION", GroupDrugs, "Possession of cannabis", "92E", "drugs", false},
	{"OTHER_DRUG", GroupDrugs, "Other drug offence", "", "drugs", false},
	{"FIREARM_POSSESSION", GroupWeapons, "Possession of a firearm", "", "possession-of-weapons", false},
	{"BLADE_POSSESSION", GroupWeapons, "Possession of an article with a blade or point", "", "possession-of-weapons", false},
	{"OFFENSIVE_WEAPON_POSSESSION", GroupWeapons, "Possession of an offensive weapon", "", "possession-of-weapons", false},
	{"OTHER_WEAPONS", GroupWeapons, "Other weapons offence", "", "possession-of-weapons", false},
	{"VIOLENT_DISORDER", GroupPublicOrder, "Violent disorder", "62A", "public-order", false},
	{"PUBLIC_FEAR_ALARM_DISTRESS", GroupPublicOrder, "Public fear, alarm or distress", "", "public-order", false},
	{"AGGRAVATED_PUBLIC_ORDER", GroupPublicOrder, "Racially or religiously aggravated public fear, alarm or distress", "", "public-order", false},
	{"OTHER_PUBLIC_ORDER", GroupPublicOrder, "Other public order offence", "", "public-order", false},
	{"MODERN_SLAVERY", GroupAgainstSociety, "Modern slavery", "", "other-crime", true},
	{"PERVERTING_JUSTICE", GroupAgainstSociety, "Perverting the course of justice", "", "other-crime", false},
	{"OBSCENE_PUBLICATIONS", GroupAgainstSociety, "Obscene publications and indecent images", "", "other-crime", true},
	{"OTHER_AGAINST_SOCIETY", GroupAgainstSociety, "Other crime against society", "", "other-crime", false},
	{"FRAUD", GroupFraud, "Fraud (reported to Action Fraud)", "", "other-crime", false},
	{"COMPUTER_MISUSE", GroupFraud, "Computer misuse", "", "other-crime", false},
}

// Info returns o's entry in Offences and whether it is there.
func (o Offence) Info() (OffenceInfo, bool) {
	i := slices.IndexFunc(Offences, func(oi OffenceInfo) bool { return oi.Code == o })
	if i < 0 {
		return OffenceInfo{}, false
	}
	return Offences[i], true
}

// CrimeFlag is a Home Office crime flag.
type CrimeFlag string

const (
	FlagDomesticAbuse CrimeFlag = "DOMESTIC_ABUSE"
	FlagHate          CrimeFlag = "HATE_CRIME"
	FlagKnife         CrimeFlag = "KNIFE"  // knife or sharp instrument
	FlagOnline        CrimeFlag = "ONLINE" // online or cyber-enabled
	FlagAlcohol       CrimeFlag = "ALCOHOL"
	FlagChildAbuse    CrimeFlag = "CHILD_SEXUAL_ABUSE_EXPLOITATION"
	FlagModernSlavery CrimeFlag = "MODERN_SLAVERY"
	FlagHonourBased   CrimeFlag = "HONOUR_BASED_ABUSE"
)

// CrimeFlags lists every CrimeFlag; the sensitive ones make a report
// OFFICIAL-SENSITIVE.
var CrimeFlags = []CrimeFlag{FlagDomesticAbuse, FlagHate, FlagKnife, FlagOnline, FlagAlcohol, FlagChildAbuse, FlagModernSlavery, FlagHonourBased}

var sensitiveFlags = []CrimeFlag{FlagDomesticAbuse, FlagChildAbuse, FlagModernSlavery, FlagHonourBased}

// HateStrands are the five monitored hate crime strands.
var HateStrands = []string{"RACE", "RELIGION", "SEXUAL_ORIENTATION", "DISABILITY", "TRANSGENDER"}

// PersonDetails is a person named on a form: a link to a Person record or
// details given inline. Personal data.
type PersonDetails struct {
	PersonRef    string `json:"person_ref,omitempty"` // a Person record, e.g. "person/12"
	Name         string `json:"name,omitempty"`
	Organisation string `json:"organisation,omitempty"` // when the victim is a business or body
	DateOfBirth  string `json:"date_of_birth,omitempty"`
	Address      string `json:"address,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Email        string `json:"email,omitempty"`
	Description  string `json:"description,omitempty"` // of someone not identified
}

var personRefPattern = regexp.MustCompile(`^person/[1-9][0-9]{0,18}$`)

// validate checks p under prefix (e.g. "victim."). A person_ref, a name or
// an organisation identifies it; with description set, a description of
// someone not identified is enough too.
func (p *PersonDetails) validate(now time.Time, prefix string, description bool, fields map[string]string) {
	p.PersonRef = strings.TrimSpace(p.PersonRef)
	if p.PersonRef != "" && !personRefPattern.MatchString(p.PersonRef) {
		fields[prefix+"person_ref"] = "must link a Person record, e.g. person/12"
	}
	checkText(&p.Name, 200, false, prefix+"name", fields)
	checkText(&p.Organisation, 200, false, prefix+"organisation", fields)
	checkDate(&p.DateOfBirth, now, prefix+"date_of_birth", fields)
	checkText(&p.Address, MaxAddress, false, prefix+"address", fields)
	checkEmail(&p.Email, prefix+"email", fields)
	p.Phone = strings.TrimSpace(p.Phone)
	if p.Phone != "" && !phonePattern.MatchString(p.Phone) {
		fields[prefix+"phone"] = "must be a telephone number of digits, spaces, brackets and hyphens"
	}
	checkText(&p.Description, 2000, false, prefix+"description", fields)
	switch {
	case p.PersonRef != "" || p.Name != "" || p.Organisation != "":
	case description && p.Description != "":
	case description:
		fields[prefix+"name"] = "give a person_ref, a name or a description"
	default:
		fields[prefix+"name"] = "give a person_ref, a name or an organisation"
	}
}

// refs returns the Person record p links, for the audit trail.
func (p *PersonDetails) refs() []string {
	if p.PersonRef == "" {
		return nil
	}
	return []string{p.PersonRef}
}

// CrimeReportDetails is what an officer records about a reported crime.
type CrimeReportDetails struct {
	Offence       Offence         `json:"offence"` // the officer's proposed classification
	Flags         []CrimeFlag     `json:"flags"`
	HateStrands   []string        `json:"hate_strands,omitempty"` // with the HATE_CRIME flag
	ReportedAt    time.Time       `json:"reported_at"`            // when the report reached the police: starts the NCRS clock
	CommittedFrom *time.Time      `json:"committed_from,omitempty"`
	CommittedTo   *time.Time      `json:"committed_to,omitempty"`
	Victim        PersonDetails   `json:"victim"`
	Suspects      []PersonDetails `json:"suspects"`
	Summary       string          `json:"summary"` // what happened
	ModusOperandi string          `json:"modus_operandi,omitempty"`
}

// NCRSDecisionWindow is how long the crime-recording decision may take
// from the report (DOMAIN 4.4).
const NCRSDecisionWindow = 24 * time.Hour

// CrimeReport is a report of a crime: personal data, read only through an
// audited consultation.
type CrimeReport struct {
	FormRecord
	FormHeader
	CrimeReportDetails
	Location    Location       `json:"location"`     // where the crime happened
	DecisionDue time.Time      `json:"decision_due"` // ReportedAt + 24 hours
	Decision    *CrimeDecision `json:"decision,omitempty"`
	Outcome     *CrimeOutcome  `json:"outcome,omitempty"`
}

// Validate checks c as received at now and reports every fault by field.
func (c *CrimeReport) Validate(now time.Time) error {
	fields := map[string]string{}
	c.FormHeader.validate(now, fields)
	d := &c.CrimeReportDetails
	if _, ok := d.Offence.Info(); !ok {
		fields["offence"] = "unknown offence " + quoteShort(string(d.Offence)) + "; see GET /api/v1/forms/codes"
	}
	for i, f := range d.Flags {
		if !slices.Contains(CrimeFlags, f) || slices.Contains(d.Flags[:i], f) {
			fields["flags"] = "unknown or repeated flag " + quoteShort(string(f))
		}
	}
	hate := slices.Contains(d.Flags, FlagHate)
	for i, s := range d.HateStrands {
		if !slices.Contains(HateStrands, s) || slices.Contains(d.HateStrands[:i], s) {
			fields["hate_strands"] = "unknown or repeated strand " + quoteShort(s)
		}
	}
	switch {
	case hate && len(d.HateStrands) == 0:
		fields["hate_strands"] = "name at least one strand of a hate crime: " + strings.Join(HateStrands, ", ")
	case !hate && len(d.HateStrands) > 0:
		fields["hate_strands"] = "are only for a report flagged HATE_CRIME"
	}
	checkTime(d.ReportedAt, now, "reported_at", fields)
	if d.CommittedFrom != nil && d.CommittedFrom.After(now.Add(MaxClockSkew)) {
		fields["committed_from"] = "is in the future"
	}
	if d.CommittedTo != nil && (d.CommittedTo.After(now.Add(MaxClockSkew)) || d.CommittedFrom != nil && d.CommittedTo.Before(*d.CommittedFrom)) {
		fields["committed_to"] = "must be after committed_from and not in the future"
	}
	d.Victim.validate(now, "victim.", false, fields)
	if len(d.Suspects) > 50 {
		fields["suspects"] = "at most 50 suspects"
	} else {
		for i := range d.Suspects {
			d.Suspects[i].validate(now, fmt.Sprintf("suspects[%d].", i), true, fields)
		}
	}
	checkText(&d.Summary, MaxAccount, true, "summary", fields)
	checkText(&d.ModusOperandi, 2000, false, "modus_operandi", fields)
	c.Location.validate(nil, "location.", fields)
	return formErr(fields)
}

// Sensitive reports whether c is OFFICIAL-SENSITIVE: a sexual or other
// sensitive offence, or a domestic abuse, child abuse, modern slavery or
// honour-based abuse flag.
func (c *CrimeReport) Sensitive() bool {
	if oi, _ := c.Offence.Info(); oi.Sensitive {
		return true
	}
	return slices.ContainsFunc(c.Flags, func(f CrimeFlag) bool { return slices.Contains(sensitiveFlags, f) })
}

// PersonRefs returns the Person records the report links, for the audit trail.
func (c *CrimeReport) PersonRefs() []string {
	refs := c.Victim.refs()
	for i := range c.Suspects {
		refs = append(refs, c.Suspects[i].refs()...)
	}
	return refs
}

// Label is a one-line summary of c that names no one.
func (c *CrimeReport) Label() string {
	oi, _ := c.Offence.Info()
	return "Crime report: " + oi.Label
}

// CrimeDecisionKind is the crime-recording decision.
type CrimeDecisionKind string

const (
	DecisionRecorded    CrimeDecisionKind = "RECORDED"    // a crime: recorded and numbered
	DecisionNotCrime    CrimeDecisionKind = "NOT_CRIME"   // no notifiable crime, with the reason
	DecisionTransferred CrimeDecisionKind = "TRANSFERRED" // for another force or body to record
)

// CrimeDecisionKinds lists every CrimeDecisionKind.
var CrimeDecisionKinds = []CrimeDecisionKind{DecisionRecorded, DecisionNotCrime, DecisionTransferred}

// CrimeDecision is a supervisor's crime-recording decision (NCRS): made
// within 24 hours of the report, or recorded as late.
type CrimeDecision struct {
	Decision      CrimeDecisionKind `json:"decision"`
	Offence       Offence           `json:"offence,omitempty"`        // the confirmed classification, for RECORDED
	Reason        string            `json:"reason,omitempty"`         // for NOT_CRIME and TRANSFERRED
	TransferredTo string            `json:"transferred_to,omitempty"` // the force or body, for TRANSFERRED

	CrimeNumber string    `json:"crime_number,omitempty"` // set by the store for RECORDED, e.g. "CR/0000123/26"
	DecidedAt   time.Time `json:"decided_at"`
	DecidedBy   string    `json:"decided_by"`
	Late        bool      `json:"late"` // made after the report's decision was due
}

// Validate reports every fault of d's decision fields.
func (d *CrimeDecision) Validate() error {
	fields := map[string]string{}
	switch d.Decision {
	case DecisionRecorded:
		if _, ok := d.Offence.Info(); !ok {
			fields["offence"] = "a RECORDED decision confirms the classification: an offence from GET /api/v1/forms/codes"
		}
	case DecisionNotCrime, DecisionTransferred:
		if d.Offence != "" {
			fields["offence"] = "is only for a RECORDED decision"
		}
	default:
		fields["decision"] = "must be RECORDED, NOT_CRIME or TRANSFERRED"
	}
	checkText(&d.Reason, 2000, d.Decision == DecisionNotCrime || d.Decision == DecisionTransferred, "reason", fields)
	checkText(&d.TransferredTo, 200, d.Decision == DecisionTransferred, "transferred_to", fields)
	if d.Decision != DecisionTransferred && d.TransferredTo != "" {
		fields["transferred_to"] = "is only for a TRANSFERRED decision"
	}
	return formErr(fields)
}

// CrimeNumber formats a force's crime number: its serial in the year of
// recording, e.g. "CR/0000123/26".
func CrimeNumber(serial int, year int) string {
	return fmt.Sprintf("CR/%07d/%02d", serial, year%100)
}

// OutcomeTypes are the Home Office outcome types 1–22 (DOMAIN 4.4), by
// number; index 0 is unused.
var OutcomeTypes = []string{
	"",
	"Charged or summonsed",
	"Youth caution",
	"Adult caution",
	"Taken into consideration",
	"Offender died",
	"Penalty Notice for Disorder",
	"Cannabis or khat warning",
	"Community resolution",
	"Prosecution not in the public interest (CPS)",
	"Formal action not in the public interest (police)",
	"Prosecution prevented: suspect under the age of criminal responsibility",
	"Prosecution prevented: suspect too ill",
	"Prosecution prevented: victim or key witness dead or too ill",
	"Evidential difficulties: suspect not identified, victim does not support action",
	"Evidential difficulties: suspect identified, victim supports action",
	"Evidential difficulties: victim does not support (or withdraws support from) action",
	"Prosecution time limit expired",
	"Investigation complete: no suspect identified",
	"National Fraud Intelligence Bureau filed",
	"Action undertaken by another body or agency",
	"Further investigation not in the public interest (police decision)",
	"Diversionary, educational or intervention activity; no further action in the public interest",
}

// CrimeOutcome is a Home Office outcome recorded for a recorded crime.
type CrimeOutcome struct {
	Type       int       `json:"type"` // 1–22
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"` // set by the store
	RecordedBy string    `json:"recorded_by"` // set by the store
}

// Validate reports every fault of o's type and note.
func (o *CrimeOutcome) Validate() error {
	fields := map[string]string{}
	if o.Type < 1 || o.Type >= len(OutcomeTypes) {
		fields["type"] = "must be a Home Office outcome type from 1 to 22"
	}
	checkText(&o.Note, 2000, false, "note", fields)
	return formErr(fields)
}
