package bluelamp

import "slices"

// Category is an incident category under the National Standard for
// Incident Recording (NSIR 2011, DOMAIN 2.6): a fixed national list. An
// incident opens on one category and may close on another.
type Category string

// CategoryGroup is the NSIR chapter a category belongs to. Categories in
// the same group are "related" when looking for duplicates.
type CategoryGroup string

const (
	GroupCrime     CategoryGroup = "CRIME"
	GroupASB       CategoryGroup = "ASB"
	GroupTransport CategoryGroup = "TRANSPORT"
	GroupSafety    CategoryGroup = "PUBLIC_SAFETY_WELFARE"
	GroupAdmin     CategoryGroup = "ADMINISTRATION"
)

// CategoryInfo describes one category.
type CategoryInfo struct {
	Code  Category      `json:"code"`
	Group CategoryGroup `json:"group"`
	Label string        `json:"label"`
}

// Categories is the NSIR category list bluelamp records against: the three
// ASB impact categories of April 2011, the transport, public safety and
// welfare and administration categories in common use, and crime-related
// reports by broad Home Office offence group (they follow crime recording,
// DOMAIN 4.4). DOMAIN 2.6 notes the exact NICL wording still needs checking
// against the NSIR PDF; the codes are ours and stable.
var Categories = []CategoryInfo{
	{"CRIME_VIOLENCE", GroupCrime, "Violence against the person"},
	{"CRIME_SEXUAL", GroupCrime, "Sexual offence"},
	{"CRIME_ROBBERY", GroupCrime, "Robbery"},
	{"CRIME_BURGLARY", GroupCrime, "Burglary"},
	{"CRIME_VEHICLE", GroupCrime, "Vehicle offence"},
	{"CRIME_THEFT", GroupCrime, "Theft"},
	{"CRIME_CRIMINAL_DAMAGE", GroupCrime, "Criminal damage and arson"},
	{"CRIME_DRUGS", GroupCrime, "Drug offence"},
	{"CRIME_WEAPONS", GroupCrime, "Possession of weapons"},
	{"CRIME_PUBLIC_ORDER", GroupCrime, "Public order offence"},
	{"CRIME_FRAUD", GroupCrime, "Fraud or computer misuse"},
	{"CRIME_OTHER", GroupCrime, "Other crime"},
	{"ASB_PERSONAL", GroupASB, "ASB – personal"},
	{"ASB_NUISANCE", GroupASB, "ASB – nuisance"},
	{"ASB_ENVIRONMENTAL", GroupASB, "ASB – environmental"},
	{"RTC_DAMAGE_ONLY", GroupTransport, "Road traffic collision – damage only"},
	{"RTC_INJURY", GroupTransport, "Road traffic collision – injury"},
	{"RTC_FATAL", GroupTransport, "Road traffic collision – fatal"},
	{"ROAD_RELATED_OFFENCE", GroupTransport, "Road related offence"},
	{"HIGHWAY_DISRUPTION", GroupTransport, "Highway disruption"},
	{"AIR_RAIL_MARINE", GroupTransport, "Air, rail or marine incident"},
	{"CONCERN_FOR_SAFETY", GroupSafety, "Concern for safety"},
	{"MISSING_PERSON", GroupSafety, "Missing person"},
	{"ABSENT_PERSON", GroupSafety, "Absent person"},
	{"SUDDEN_DEATH", GroupSafety, "Sudden death"},
	{"COLLAPSE_ILLNESS_INJURY", GroupSafety, "Collapse, illness, injury or trapped"},
	{"DOMESTIC_INCIDENT", GroupSafety, "Domestic incident"},
	{"CIVIL_DISPUTE", GroupSafety, "Civil dispute"},
	{"SUSPICIOUS_CIRCUMSTANCES", GroupSafety, "Suspicious circumstances"},
	{"SUSPICIOUS_PACKAGE", GroupSafety, "Suspicious package or object"},
	{"ALARM", GroupSafety, "Alarm"},
	{"ANIMALS", GroupSafety, "Animals or wildlife"},
	{"INSECURE_PREMISES", GroupSafety, "Insecure premises or vehicle"},
	{"FIRE", GroupSafety, "Fire"},
	{"INDUSTRIAL_INCIDENT", GroupSafety, "Industrial incident or accident"},
	{"NATURAL_DISASTER", GroupSafety, "Natural disaster or severe weather"},
	{"PROTEST", GroupSafety, "Protest or demonstration"},
	{"ABANDONED_CALL", GroupSafety, "Abandoned or silent 999 call"},
	{"AWOL_ABSCONDER", GroupSafety, "AWOL, absconder or bail matter"},
	{"FOUND_PERSON", GroupSafety, "Found or lost person"},
	{"DUPLICATE", GroupAdmin, "Duplicate"},
	{"POLICE_GENERATED", GroupAdmin, "Police generated"},
	{"PRE_PLANNED_EVENT", GroupAdmin, "Pre-planned event"},
	{"MESSAGE", GroupAdmin, "Message or direct contact"},
	{"LOST_FOUND_PROPERTY", GroupAdmin, "Lost or found property"},
	{"OTHER_ADMIN", GroupAdmin, "Other administration"},
}

// Info returns c's entry in Categories, and false if c is unknown.
func (c Category) Info() (CategoryInfo, bool) {
	i := slices.IndexFunc(Categories, func(ci CategoryInfo) bool { return ci.Code == c })
	if i < 0 {
		return CategoryInfo{}, false
	}
	return Categories[i], true
}

// Valid reports whether c is in Categories.
func (c Category) Valid() bool { _, ok := c.Info(); return ok }

// Related reports whether c and d are the same category or in the same group.
func (c Category) Related(d Category) bool {
	ci, ok1 := c.Info()
	di, ok2 := d.Info()
	return ok1 && ok2 && ci.Group == di.Group
}

// Qualifier is an NSIR qualifier: a flag that can attach to any incident.
type Qualifier string

// QualifierInfo describes one qualifier.
type QualifierInfo struct {
	Code  Qualifier `json:"code"`
	Label string    `json:"label"`
}

// Qualifiers is the list of NSIR qualifiers bluelamp records (DOMAIN 2.6).
var Qualifiers = []QualifierInfo{
	{"DOMESTIC_ABUSE", "Domestic abuse"},
	{"ALCOHOL", "Alcohol related"},
	{"DRUGS", "Drugs related"},
	{"MENTAL_HEALTH", "Mental health"},
	{"HATE", "Hate related"},
	{"REPEAT_VICTIM", "Repeat victim"},
	{"VULNERABLE_VICTIM", "Vulnerable victim"},
	{"CHILD", "Child related"},
	{"FIREARMS", "Firearms involved"},
	{"WEAPONS", "Other weapons involved"},
	{"NIGHT_TIME_ECONOMY", "Night-time economy"},
}

// Valid reports whether q is in Qualifiers.
func (q Qualifier) Valid() bool {
	return slices.ContainsFunc(Qualifiers, func(qi QualifierInfo) bool { return qi.Code == q })
}

// Result is how an incident was disposed of when it closed (DOMAIN 2.5).
type Result string

const (
	ResultCrimeRecorded     Result = "CRIME_RECORDED" // needs a crime reference
	ResultAdviceGiven       Result = "ADVICE_GIVEN"
	ResultReferredToPartner Result = "REFERRED_TO_PARTNER" // needs the partner
	ResultNoTrace           Result = "NO_TRACE"
	ResultDuplicate         Result = "DUPLICATE"   // needs the incident it duplicates
	ResultResolved          Result = "RESOLVED"    // dealt with, no further police action
	ResultTransferred       Result = "TRANSFERRED" // handed to another force or agency
)

// ResultInfo describes one Result.
type ResultInfo struct {
	Code  Result `json:"code"`
	Label string `json:"label"`
}

// Results lists every Result.
var Results = []ResultInfo{
	{ResultCrimeRecorded, "Crime recorded"},
	{ResultAdviceGiven, "Advice given"},
	{ResultReferredToPartner, "Referred to partner agency"},
	{ResultNoTrace, "No trace"},
	{ResultDuplicate, "Duplicate"},
	{ResultResolved, "Resolved, no further police action"},
	{ResultTransferred, "Transferred to another force or agency"},
}

// Valid reports whether r is in Results.
func (r Result) Valid() bool {
	return slices.ContainsFunc(Results, func(ri ResultInfo) bool { return ri.Code == r })
}

// validQualifiers checks a qualifier list: known codes, no repeats.
func validQualifiers(qs []Qualifier) bool {
	for i, q := range qs {
		if !q.Valid() || slices.Contains(qs[:i], q) {
			return false
		}
	}
	return true
}
