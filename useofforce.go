package bluelamp

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EventUseOfForceRecorded records an officer's use-of-force form.
const EventUseOfForceRecorded EventType = "use_of_force.recorded"

func init() {
	registerEventTypes(map[EventType]EventTypeInfo{
		EventUseOfForceRecorded: {Audience: operations, Personal: true},
	})
}

// The codes of the NPCC use-of-force form, as the Home Office statistics
// publish its categories (DOMAIN 4.3).
var (
	// UseOfForceLocationTypes are where force was used.
	UseOfForceLocationTypes = []CodeInfo{
		{"STREET", "Street or highway"},
		{"DWELLING", "Dwelling"},
		{"RETAIL", "Retail premises"},
		{"LICENSED_PREMISES", "Licensed premises"},
		{"POLICE_VEHICLE", "Police vehicle"},
		{"CUSTODY", "Custody block"},
		{"HOSPITAL", "Hospital (A&E or other)"},
		{"MENTAL_HEALTH_SETTING", "Mental health setting"},
		{"AMBULANCE", "Ambulance"},
		{"PUBLIC_TRANSPORT", "Public transport"},
		{"SPORTS_EVENT", "Sports or event stadium"},
		{"OPEN_GROUND", "Open ground (park, car park, field)"},
		{"OTHER", "Other"},
	}
	// BodyWornVideoStates say whether the officer's body-worn video recorded.
	BodyWornVideoStates = []CodeInfo{
		{"RECORDING", "Worn and recording"},
		{"WORN_NOT_RECORDING", "Worn, not recording"},
		{"NOT_WORN", "Not worn"},
	}
	// UseOfForceAgeBands are the subject's perceived age band.
	UseOfForceAgeBands = []CodeInfo{
		{"UNDER_11", "Under 11"}, {"11_17", "11 to 17"}, {"18_34", "18 to 34"}, {"35_49", "35 to 49"},
		{"50_64", "50 to 64"}, {"65_PLUS", "65 and over"}, {"UNKNOWN", "Unknown"},
	}
	// Tactics are what the officer used, each recorded with whether it was
	// effective; CED (TASER), irritant spray, batons, firearms and dogs by
	// how far each went.
	Tactics = []CodeInfo{
		{"TACTICAL_COMMUNICATIONS", "Tactical communications"},
		{"HANDCUFFING_COMPLIANT", "Handcuffing (compliant)"},
		{"HANDCUFFING_NON_COMPLIANT", "Handcuffing (non-compliant)"},
		{"GROUND_RESTRAINT", "Ground restraint"},
		{"UNARMED_SKILLS", "Unarmed skills"},
		{"LIMB_BODY_RESTRAINTS", "Limb or body restraints"},
		{"SPIT_AND_BITE_GUARD", "Spit and bite guard"},
		{"IRRITANT_SPRAY_DRAWN", "Irritant spray: drawn"},
		{"IRRITANT_SPRAY_USED", "Irritant spray: used"},
		{"BATON_DRAWN", "Baton: drawn"},
		{"BATON_USED", "Baton: used"},
		{"SHIELD", "Shield"},
		{"CED_DRAWN", "CED (TASER): drawn"},
		{"CED_AIMED", "CED (TASER): aimed"},
		{"CED_ARCED", "CED (TASER): arced"},
		{"CED_RED_DOT", "CED (TASER): red-dotted"},
		{"CED_DRIVE_STUN", "CED (TASER): drive-stun"},
		{"CED_FIRED", "CED (TASER): fired"},
		{"AEP", "Attenuating energy projectile (AEP)"},
		{"FIREARM_AIMED", "Firearm: aimed"},
		{"FIREARM_FIRED", "Firearm: fired"},
		{"DOG_DEPLOYED", "Police dog: deployed"},
		{"DOG_BITE", "Police dog: bite"},
		{"IMPROVISED", "Improvised"},
		{"OTHER", "Other"},
	}
	// ImpactFactors are what bore on the officer's decision.
	ImpactFactors = []CodeInfo{
		{"ALCOHOL", "Alcohol"}, {"DRUGS", "Drugs"}, {"MENTAL_HEALTH", "Mental health"},
		{"SIZE_GENDER_BUILD", "Size, gender or build"}, {"PRIOR_KNOWLEDGE", "Prior knowledge"},
		{"POSSESSION_OF_WEAPON", "Possession of a weapon"}, {"ACUTE_BEHAVIOURAL_DISORDER", "Acute behavioural disorder"},
		{"CROWD", "Crowd"}, {"OTHER", "Other"},
	}
	// UseOfForceReasons are why force was used.
	UseOfForceReasons = []CodeInfo{
		{"PROTECT_SELF", "Protect self"}, {"PROTECT_PUBLIC", "Protect the public"}, {"PROTECT_SUBJECT", "Protect the subject"},
		{"PROTECT_OTHER_OFFICERS", "Protect other officers"}, {"PREVENT_OFFENCE", "Prevent an offence"},
		{"SECURE_EVIDENCE", "Secure evidence"}, {"EFFECT_SEARCH", "Effect a search"}, {"EFFECT_ARREST", "Effect an arrest"},
		{"METHOD_OF_ENTRY", "Method of entry"}, {"PREVENT_ESCAPE", "Prevent escape"},
		{"REMOVE_TO_PLACE_OF_SAFETY", "Remove to a place of safety"}, {"OTHER", "Other"},
	}
	// UseOfForceOutcomes are what happened to the subject.
	UseOfForceOutcomes = []CodeInfo{
		{"ARRESTED", "Arrested"}, {"DETAINED_MENTAL_HEALTH_ACT", "Detained under the Mental Health Act"},
		{"HOSPITALISED", "Hospitalised"}, {"MADE_OFF", "Made off or escaped"}, {"OTHER", "Other"},
	}
	// InjuryLevels grade an injury to the subject or the officer.
	InjuryLevels = []CodeInfo{{"NONE", "None"}, {"MINOR", "Minor"}, {"SEVERE", "Severe"}, {"DEATH", "Death"}}
	// UseOfForceGenders are the subject's perceived gender.
	UseOfForceGenders = []CodeInfo{{"MALE", "Male"}, {"FEMALE", "Female"}, {"OTHER", "Other"}, {"UNKNOWN", "Unknown"}}
)

// TacticUse is one tactic and whether it was effective.
type TacticUse struct {
	Tactic    string `json:"tactic"`
	Effective bool   `json:"effective"`
	Detail    string `json:"detail,omitempty"` // required for IMPROVISED and OTHER
}

// UseOfForceSubject is the person force was used on, as the officer
// perceived them. Personal data, and health is sensitive processing.
type UseOfForceSubject struct {
	AgeBand                 string `json:"age_band"`
	Gender                  string `json:"gender"`
	Ethnicity               string `json:"ethnicity"` // officer-perceived IC code
	PhysicalHealthCondition bool   `json:"physical_health_condition"`
	MentalHealthCondition   bool   `json:"mental_health_condition"`
}

// UseOfForceDetails is what an officer records about their use of force.
type UseOfForceDetails struct {
	OccurredAt        time.Time         `json:"occurred_at"`
	LocationType      string            `json:"location_type"`
	Planned           bool              `json:"planned"`
	BodyWornVideo     string            `json:"body_worn_video"`
	Subject           UseOfForceSubject `json:"subject"`
	Tactics           []TacticUse       `json:"tactics"`
	ImpactFactors     []string          `json:"impact_factors"`
	Reasons           []string          `json:"reasons"`
	Outcomes          []string          `json:"outcomes"`
	SubjectInjury     string            `json:"subject_injury"`
	OfficerInjury     string            `json:"officer_injury"`
	MedicalAssistance bool              `json:"medical_assistance"` // medical assistance was given to the subject
	OfficerAssaulted  bool              `json:"officer_assaulted"`
	Narrative         string            `json:"narrative,omitempty"`
}

// UseOfForce is one officer's use-of-force form (the NPCC form, DOMAIN
// 4.3): each officer who used force files their own, so an incident may
// have several, but never two from one officer. Personal data.
type UseOfForce struct {
	FormRecord
	FormHeader
	UseOfForceDetails
	Location Location `json:"location"`
}

// Validate checks u as received at now and reports every fault by field:
// known codes only, at least one tactic and at least one reason.
func (u *UseOfForce) Validate(now time.Time) error {
	fields := map[string]string{}
	u.FormHeader.validate(now, fields)
	d := &u.UseOfForceDetails
	checkTime(d.OccurredAt, now, "occurred_at", fields)
	code := func(list []CodeInfo, v, name string) {
		if !knownCode(list, v) {
			fields[name] = "unknown code " + quoteShort(v) + "; one of " + codeList(list)
		}
	}
	code(UseOfForceLocationTypes, d.LocationType, "location_type")
	code(BodyWornVideoStates, d.BodyWornVideo, "body_worn_video")
	code(UseOfForceAgeBands, d.Subject.AgeBand, "subject.age_band")
	code(UseOfForceGenders, d.Subject.Gender, "subject.gender")
	code(OfficerDefinedEthnicities, d.Subject.Ethnicity, "subject.ethnicity")
	code(InjuryLevels, d.SubjectInjury, "subject_injury")
	code(InjuryLevels, d.OfficerInjury, "officer_injury")
	if len(d.Tactics) == 0 {
		fields["tactics"] = "record at least one tactic, with whether it was effective"
	}
	for i := range d.Tactics {
		t := &d.Tactics[i]
		name := fmt.Sprintf("tactics[%d]", i)
		switch {
		case !knownCode(Tactics, t.Tactic):
			fields[name+".tactic"] = "unknown tactic " + quoteShort(t.Tactic) + "; see GET /api/v1/forms/codes"
		case slices.ContainsFunc(d.Tactics[:i], func(o TacticUse) bool { return o.Tactic == t.Tactic }):
			fields[name+".tactic"] = "is recorded twice"
		}
		checkText(&t.Detail, 500, t.Tactic == "IMPROVISED" || t.Tactic == "OTHER", name+".detail", fields)
	}
	codes := func(list []CodeInfo, vs []string, name string, required bool) {
		if required && len(vs) == 0 {
			fields[name] = "give at least one of " + codeList(list)
		}
		for i, v := range vs {
			if !knownCode(list, v) || slices.Contains(vs[:i], v) {
				fields[name] = "unknown or repeated code " + quoteShort(v)
			}
		}
	}
	codes(ImpactFactors, d.ImpactFactors, "impact_factors", false)
	codes(UseOfForceReasons, d.Reasons, "reasons", true)
	codes(UseOfForceOutcomes, d.Outcomes, "outcomes", true)
	checkText(&d.Narrative, MaxAccount, false, "narrative", fields)
	u.Location.validate(nil, "location.", fields)
	return formErr(fields)
}

// codeList names a list's codes for a message.
func codeList(list []CodeInfo) string {
	codes := make([]string, len(list))
	for i, c := range list {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}

// Label is a one-line summary of u that names no one.
func (u *UseOfForce) Label() string {
	return fmt.Sprintf("Use of force: %d tactic(s), subject injury %s", len(u.Tactics), strings.ToLower(u.SubjectInjury))
}
