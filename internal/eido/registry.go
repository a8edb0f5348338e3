package eido

import (
	"errors"
	"math"
	"strconv"

	"github.com/bluelamp/bluelamp"
)

// The mappings between bluelamp's national codes and the registries of
// NENA-STA-021.1b section 3. Every EIDO value written here is checked
// against the registries extracted from the standard (registry_test.go).

// incidentTypes maps each NSIR category to the closest "Incident Type –
// Common" code (APCO ANS 2.103.2-2019). The category itself travels as the
// incident's internal type code, so bluelamp reads it back exactly.
var incidentTypes = map[bluelamp.Category]string{
	"CRIME_VIOLENCE":           "ASSAULT",
	"CRIME_SEXUAL":             "SEXOFFNS",
	"CRIME_ROBBERY":            "ROBBERY",
	"CRIME_BURGLARY":           "BURGLARY",
	"CRIME_VEHICLE":            "VEHSTLN",
	"CRIME_THEFT":              "LARCENY",
	"CRIME_CRIMINAL_DAMAGE":    "VANDAL",
	"CRIME_DRUGS":              "DRUGS",
	"CRIME_WEAPONS":            "WEAPON",
	"CRIME_PUBLIC_ORDER":       "DISORD",
	"CRIME_FRAUD":              "FRAUD",
	"CRIME_OTHER":              "INVEST",
	"ASB_PERSONAL":             "HARR",
	"ASB_NUISANCE":             "DISORD",
	"ASB_ENVIRONMENTAL":        "DMPX",
	"RTC_DAMAGE_ONLY":          "MVA",
	"RTC_INJURY":               "MVAINJY",
	"RTC_FATAL":                "MVAINJY",
	"ROAD_RELATED_OFFENCE":     "CRIMTRAF",
	"HIGHWAY_DISRUPTION":       "THAZ",
	"AIR_RAIL_MARINE":          "NCRTRANS",
	"CONCERN_FOR_SAFETY":       "WELFARE",
	"MISSING_PERSON":           "PERMISS",
	"ABSENT_PERSON":            "PERMISS",
	"SUDDEN_DEATH":             "DEATH",
	"COLLAPSE_ILLNESS_INJURY":  "SICK",
	"DOMESTIC_INCIDENT":        "DVNA",
	"CIVIL_DISPUTE":            "CDX",
	"SUSPICIOUS_CIRCUMSTANCES": "SUSP",
	"SUSPICIOUS_PACKAGE":       "BOMB",
	"ALARM":                    "ALRU",
	"ANIMALS":                  "ANIMAL",
	"INSECURE_PREMISES":        "OPEN",
	"FIRE":                     "FUNK",
	"INDUSTRIAL_INCIDENT":      "ACCIND",
	"NATURAL_DISASTER":         "HAZ",
	"PROTEST":                  "CU2",
	"ABANDONED_CALL":           "911H",
	"AWOL_ABSCONDER":           "ESCAPE",
	"FOUND_PERSON":             "PERFND",
	"DUPLICATE":                "ADMIN",
	"POLICE_GENERATED":         "ADMIN",
	"PRE_PLANNED_EVENT":        "STDBY",
	"MESSAGE":                  "INFO",
	"LOST_FOUND_PROPERTY":      "PROPLOST",
	"OTHER_ADMIN":              "ADMIN",
}

// categories maps "Incident Type – Common" codes to the NSIR category a UK
// control room would open them under, for documents from systems that do
// not send a bluelamp category. Codes not listed open as OTHER_ADMIN with
// the EIDO type in the summary.
var categories = map[string]bluelamp.Category{
	"ASSAULT": "CRIME_VIOLENCE", "FIGHT": "CRIME_VIOLENCE", "STABBING": "CRIME_VIOLENCE",
	"SHOOT": "CRIME_VIOLENCE", "HOMICIDE": "CRIME_VIOLENCE", "FAS": "CRIME_VIOLENCE",
	"FASX": "CRIME_VIOLENCE", "NCRASLTWF": "CRIME_VIOLENCE", "DVA": "CRIME_VIOLENCE",
	"THREATS": "CRIME_VIOLENCE", "ABUSE": "CRIME_VIOLENCE", "HOSTAGE": "CRIME_VIOLENCE",
	"ACTSHOOT": "CRIME_WEAPONS", "WEAPON": "CRIME_WEAPONS",
	"ABDUCTF": "CRIME_OTHER", "ABDUCTNF": "CRIME_OTHER", "EXTORT": "CRIME_OTHER",
	"STKX": "CRIME_OTHER", "INVEST": "CRIME_OTHER", "NCIC": "CRIME_OTHER", "PERWANT": "CRIME_OTHER",
	"HATE": "CRIME_PUBLIC_ORDER", "DISORD": "CRIME_PUBLIC_ORDER", "CRWD": "CRIME_PUBLIC_ORDER",
	"CU1":      "CRIME_PUBLIC_ORDER",
	"SEXOFFNS": "CRIME_SEXUAL", "INDECENT": "CRIME_SEXUAL",
	"ROBBERY": "CRIME_ROBBERY", "CARJACK": "CRIME_ROBBERY",
	"BURGLARY": "CRIME_BURGLARY",
	"VEHSTLN":  "CRIME_VEHICLE",
	"LARCENY":  "CRIME_THEFT", "SHOPLIFT": "CRIME_THEFT", "PROPSTLN": "CRIME_THEFT",
	"VANDAL": "CRIME_CRIMINAL_DAMAGE", "FARSON": "CRIME_CRIMINAL_DAMAGE",
	"DRUGS": "CRIME_DRUGS", "DRUGPAR": "CRIME_DRUGS",
	"FRAUD": "CRIME_FRAUD", "CNTRFT": "CRIME_FRAUD", "INTERNET": "CRIME_FRAUD",
	"CRIMPS": "CRIME_FRAUD", "IMP": "CRIME_FRAUD",
	"HARR": "ASB_PERSONAL", "NOISE": "ASB_NUISANCE", "FIREWRKS": "ASB_NUISANCE",
	"DMPX": "ASB_ENVIRONMENTAL",
	"MVA":  "RTC_DAMAGE_ONLY", "MVCP": "RTC_DAMAGE_ONLY", "MVAHR": "RTC_DAMAGE_ONLY",
	"MVAINJY":  "RTC_INJURY",
	"CRIMTRAF": "ROAD_RELATED_OFFENCE", "DUI": "ROAD_RELATED_OFFENCE", "RECKDRV": "ROAD_RELATED_OFFENCE",
	"ELUDING": "ROAD_RELATED_OFFENCE", "PURSUIT": "ROAD_RELATED_OFFENCE",
	"THAZ": "HIGHWAY_DISRUPTION", "DISVEH": "HIGHWAY_DISRUPTION", "VEHABND": "HIGHWAY_DISRUPTION",
	"NCRTRANS": "AIR_RAIL_MARINE", "AIR": "AIR_RAIL_MARINE", "AIRINC": "AIR_RAIL_MARINE",
	"TRAIN": "AIR_RAIL_MARINE", "TRAINDRL": "AIR_RAIL_MARINE", "MISBOATR": "AIR_RAIL_MARINE",
	"WELFARE": "CONCERN_FOR_SAFETY", "SUICTHRT": "CONCERN_FOR_SAFETY", "SUICIDE": "CONCERN_FOR_SAFETY",
	"MNTL": "CONCERN_FOR_SAFETY", "MTLV": "CONCERN_FOR_SAFETY", "EDP": "CONCERN_FOR_SAFETY",
	"SLMP": "CONCERN_FOR_SAFETY", "SCRM": "CONCERN_FOR_SAFETY", "NEGLECT": "CONCERN_FOR_SAFETY",
	"PERMISS": "MISSING_PERSON", "RUNAWAY": "MISSING_PERSON",
	"DEATH": "SUDDEN_DEATH",
	"SICK":  "COLLAPSE_ILLNESS_INJURY", "PERUNCON": "COLLAPSE_ILLNESS_INJURY", "FALL": "COLLAPSE_ILLNESS_INJURY",
	"TRAUMA": "COLLAPSE_ILLNESS_INJURY", "CARDIAC": "COLLAPSE_ILLNESS_INJURY", "OD": "COLLAPSE_ILLNESS_INJURY",
	"ENTRAP": "COLLAPSE_ILLNESS_INJURY", "XTRICATE": "COLLAPSE_ILLNESS_INJURY", "DROWN": "COLLAPSE_ILLNESS_INJURY",
	"DVNA": "DOMESTIC_INCIDENT", "FAM": "DOMESTIC_INCIDENT",
	"CDX": "CIVIL_DISPUTE", "CIVIL": "CIVIL_DISPUTE", "CUST": "CIVIL_DISPUTE", "REPO": "CIVIL_DISPUTE",
	"SUSP": "SUSPICIOUS_CIRCUMSTANCES", "PERSUSP": "SUSPICIOUS_CIRCUMSTANCES",
	"VEHSUSP": "SUSPICIOUS_CIRCUMSTANCES", "PROW": "SUSPICIOUS_CIRCUMSTANCES",
	"BOMB": "SUSPICIOUS_PACKAGE",
	"ALRU": "ALARM", "ALMA": "ALARM", "ALMB": "ALARM", "ALMH": "ALARM", "ALMR": "ALARM",
	"ALRBA": "ALARM", "ALRBS": "ALARM", "ALRPANA": "ALARM", "ALRPANS": "ALARM",
	"ALRROBA": "ALARM", "ALRROBS": "ALARM", "ALRVEH": "ALARM",
	"ANIMAL": "ANIMALS", "BITE": "ANIMALS", "WILDLIFE": "ANIMALS",
	"OPEN": "INSECURE_PREMISES",
	"FUNK": "FIRE", "FOTHER": "FIRE", "FSTRU": "FIRE", "FAPT": "FIRE", "FVEH": "FIRE",
	"FBRUSH": "FIRE", "FTRASH": "FIRE", "FSMOKE": "FIRE", "EXPLOS": "FIRE",
	"ACCIND": "INDUSTRIAL_INCIDENT", "HAZMAT": "INDUSTRIAL_INCIDENT", "CHEMICAL": "INDUSTRIAL_INCIDENT",
	"GASLEAK": "INDUSTRIAL_INCIDENT",
	"HAZ":     "NATURAL_DISASTER", "WATER": "NATURAL_DISASTER",
	"CU2": "PROTEST", "CU3": "PROTEST", "CIVDIS": "PROTEST",
	"911H": "ABANDONED_CALL", "911OPN": "ABANDONED_CALL",
	"ESCAPE": "AWOL_ABSCONDER", "ORDERV": "AWOL_ABSCONDER",
	"PERFND":   "FOUND_PERSON",
	"PROPLOST": "LOST_FOUND_PROPERTY", "PROPFND": "LOST_FOUND_PROPERTY",
	"STDBY": "PRE_PLANNED_EVENT",
	"INFO":  "MESSAGE", "DEATHNTF": "MESSAGE",
	"ADMIN": "OTHER_ADMIN", "NONEMERG": "OTHER_ADMIN",
	"MAJORINC": "OTHER_ADMIN", "MCI": "OTHER_ADMIN",
}

// Incident Status – Common registry values bluelamp writes.
const (
	statusActive            = "Active"
	statusCancelled         = "Cancelled"
	statusClosed            = "Closed"
	statusResourcesAssigned = "ResourcesAssigned"
	statusResourcesEnroute  = "ResourcesEnroute"
	statusResourcesOnscene  = "ResourcesOnscene"
)

// statusMajor is the internal status code that marks a declared major
// incident: EIDO 1.0 has no common status or element for it.
const statusMajor = "MAJOR_INCIDENT"

// incidentStatuses returns the common statuses of inc: open or closed, and
// how far an open incident's resourcing has got.
func incidentStatuses(inc *bluelamp.Incident) []string {
	if inc.Status == bluelamp.IncidentClosed {
		return []string{statusClosed}
	}
	out := []string{statusActive}
	switch inc.Resourcing {
	case bluelamp.ResourcingAssigned:
		out = append(out, statusResourcesAssigned)
	case bluelamp.ResourcingEnRoute:
		out = append(out, statusResourcesEnroute)
	case bluelamp.ResourcingAtScene:
		out = append(out, statusResourcesOnscene)
	}
	return out
}

// priorities gives each grade its "Common Priority" (0 lowest to 10
// highest, NENA-STA-021.1b 2.8). The canonical grade travels as the
// internal priority text.
var priorities = map[bluelamp.Grade]int{
	bluelamp.GradeImmediate:                 10,
	bluelamp.GradePriority:                  8,
	bluelamp.GradeStandard:                  5,
	bluelamp.GradeScheduled:                 3,
	bluelamp.GradeResolvedWithoutDeployment: 1,
}

// gradeForPriority reads a common priority number written by any system:
// 9–10 IMMEDIATE, 7–8 PRIORITY, 4–6 STANDARD, 2–3 SCHEDULED, 0–1
// RESOLVED_WITHOUT_DEPLOYMENT. It reports false for text that is not a
// number; numbers outside 0–10, however large, count as the nearest end.
func gradeForPriority(n string) (bluelamp.Grade, bool) {
	f, err := strconv.ParseFloat(n, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
		return "", false
	}
	switch {
	case f >= 8.5:
		return bluelamp.GradeImmediate, true
	case f >= 6.5:
		return bluelamp.GradePriority, true
	case f >= 3.5:
		return bluelamp.GradeStandard, true
	case f >= 1.5:
		return bluelamp.GradeScheduled, true
	default:
		return bluelamp.GradeResolvedWithoutDeployment, true
	}
}

// dispositions maps each closing result to a "Common Disposition Codes"
// value. The result itself travels as the disposition's category text.
var dispositions = map[bluelamp.Result]string{
	bluelamp.ResultCrimeRecorded:     "01", // Report Taken
	bluelamp.ResultAdviceGiven:       "18", // Assignment Completed/Settled By Contact
	bluelamp.ResultReferredToPartner: "15", // Referred to partner agency
	bluelamp.ResultNoTrace:           "14", // Gone On Arrival/Unable To Locate
	bluelamp.ResultDuplicate:         "22", // Cancelled - Duplicate Call
	bluelamp.ResultResolved:          "02", // No Report Taken
	bluelamp.ResultTransferred:       "15", // Referred to partner agency
}

// results maps disposition codes from other systems to the closing result
// nearest in meaning; codes not listed give no closing.
var results = map[string]bluelamp.Result{
	"02": bluelamp.ResultResolved,
	"05": bluelamp.ResultAdviceGiven,
	"13": bluelamp.ResultAdviceGiven,
	"14": bluelamp.ResultNoTrace,
	"18": bluelamp.ResultAdviceGiven,
	"38": bluelamp.ResultNoTrace,
}

// unitStatus is a resource's status in the two unit status registries.
type unitStatus struct {
	Primary   string   // Primary Unit Status–Common
	Secondary []string // Secondary Unit Status–Common
}

// unitStatuses maps every canonical unit state (DOMAIN 3.2) to the unit
// status registries. Only AVAILABLE and AVAILABLE_STANDBY may be sent to
// any job, and COMMITTED_DEPLOYABLE is exactly the registry's
// "ConditionallyAvailable"; everything else is "NotAvailable".
var unitStatuses = map[bluelamp.UnitState]unitStatus{
	bluelamp.StateEmergency:           {"NotAvailable", []string{}},
	bluelamp.StateOnDuty:              {"NotAvailable", []string{"OnDuty"}},
	bluelamp.StateAvailable:           {"Available", []string{"InService"}},
	bluelamp.StateAvailableStandby:    {"Available", []string{"Station"}},
	bluelamp.StateRefreshment:         {"NotAvailable", []string{"Break"}},
	bluelamp.StateAssigned:            {"NotAvailable", []string{"Assigned"}},
	bluelamp.StateEnRoute:             {"NotAvailable", []string{"EnRoute"}},
	bluelamp.StateAtScene:             {"NotAvailable", []string{"OnScene"}},
	bluelamp.StateCommittedDeployable: {"ConditionallyAvailable", []string{}},
	bluelamp.StateUnavailable:         {"NotAvailable", []string{"OutofService"}},
	bluelamp.StatePrisoner:            {"NotAvailable", []string{"Transporting"}},
	bluelamp.StateAtCourt:             {"NotAvailable", []string{"Court"}},
	bluelamp.StateOffDuty:             {"NotAvailable", []string{"OffDuty"}},
}

// assignmentStatus is a unit's status on this incident as its assignment
// shows it. An open assignment is the unit's canonical state; an ended one
// says how the unit left: cleared or stood down units become available
// (the store makes them so), a diverted one is committed elsewhere.
func assignmentStatus(s bluelamp.AssignmentState) (unitStatus, bluelamp.UnitState) {
	switch s {
	case bluelamp.AssignmentAssigned:
		return unitStatuses[bluelamp.StateAssigned], bluelamp.StateAssigned
	case bluelamp.AssignmentEnRoute:
		return unitStatuses[bluelamp.StateEnRoute], bluelamp.StateEnRoute
	case bluelamp.AssignmentAtScene:
		return unitStatuses[bluelamp.StateAtScene], bluelamp.StateAtScene
	case bluelamp.AssignmentCleared:
		return unitStatus{"Available", []string{"Cleared"}}, bluelamp.StateAvailable
	case bluelamp.AssignmentStoodDown:
		return unitStatus{"Available", []string{"AssignmentCancelled"}}, bluelamp.StateAvailable
	default: // DIVERTED
		return unitStatus{"NotAvailable", []string{"AssignmentCancelled"}}, ""
	}
}

// resourceType is the "Emergency Resource Type–Common" of every unit
// bluelamp exports: Export is given assignments, which do not carry the
// unit's type.
const resourceType = "PatrolUnit"

// Call types (NENA-STA-010 LogEvent CallTypes, primary), directions and
// call states bluelamp writes.
const (
	callEmergency    = "emergency"
	callNonEmergency = "nonEmergency"
	callEnded        = "callEnd"
	directionIn      = "incoming"
	directionLocal   = "internal" // caller and recipient both within the sender
)

// callType returns the primary call type and direction of a channel.
func callType(c bluelamp.Channel) (string, string) {
	direction := directionIn
	if c == bluelamp.ChannelOfficer {
		direction = directionLocal
	}
	for _, ci := range bluelamp.Channels {
		if ci.Code == c && ci.Emergency {
			return callEmergency, direction
		}
	}
	return callNonEmergency, direction
}

// Agency Role, Location Type and Report Number Type registry values and
// agent roles (NENA-STA-010 Agent Roles) bluelamp writes.
const (
	roleCallReceiving  = "CallReceiving"
	roleDispatching    = "Dispatching"
	agentCallTaking    = "Call Taking"
	agentDispatching   = "Dispatching"
	locationIncident   = "CurrentIncident"
	reportNew          = "New"
	agencyTypePolice   = "police" // IANA urn:emergency:service:responder.police
	eidoVersion        = "1.0"
	jsonLDVocabulary   = "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"
	dataComponentURN   = "urn:emergency:uid:eidodatacomponent:"
	incidentIDURN      = "urn:emergency:uid:incidentid:"
	callIDURN          = "urn:emergency:uid:callid:"
	issuingElementName = "bluelamp"
)

// locationPreference orders location types when choosing where an
// imported incident is: the incident's own location first, then where the
// caller is, then anything else.
var locationPreference = []string{"CurrentIncident", "InitialIncident", "Investigation", "Caller", "Other", "Staging", "RoutingLocation"}
