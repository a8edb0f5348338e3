package bluelamp

import (
	"slices"
	"time"
)

// ForceSettings is one force's command-and-control configuration: the
// things DOMAIN says vary by force (grades, targets, status codes, skills,
// geography) and the windows its automatic checks use. National standards
// (NSIR categories, canonical grades and states) are code, not settings.
type ForceSettings struct {
	TimeZone    string         `json:"time_zone"` // IANA zone for daily incident serials, e.g. "Europe/London"
	Grades      []GradeSetting `json:"grades"`
	StatusCodes []StatusCode   `json:"status_codes"`
	Skills      []SkillInfo    `json:"skills"`
	Area        Area           `json:"area"`

	RepeatWindow     Duration `json:"repeat_window"`      // how far back repeat-caller and location checks look
	RepeatRadiusM    float64  `json:"repeat_radius_m"`    // same place, for repeat-location checks
	DuplicateWindow  Duration `json:"duplicate_window"`   // how far back duplicate suggestions look
	DuplicateRadiusM float64  `json:"duplicate_radius_m"` // and how far around

	RoadFactor float64 `json:"road_factor"` // road distance over straight-line distance, for ETAs
	SpeedKPH   float64 `json:"speed_kph"`   // average blue-light road speed, for ETAs
	// TypeSpeedKPH overrides SpeedKPH by unit type, e.g. a foot patrol walks.
	TypeSpeedKPH map[string]float64 `json:"type_speed_kph,omitempty"`

	// PositionStaleAfter is how long a unit's last position report stays
	// live; older, it is shown as stale. PositionRetention is how long
	// position history (breadcrumbs) is kept. Zero means the default.
	PositionStaleAfter Duration `json:"position_stale_after,omitempty"`
	PositionRetention  Duration `json:"position_retention,omitempty"`
}

// Defaults for the position settings.
const (
	DefaultPositionStaleAfter = 2 * time.Minute
	DefaultPositionRetention  = 90 * 24 * time.Hour
)

// StaleAfter returns PositionStaleAfter or its default.
func (s *ForceSettings) StaleAfter() time.Duration {
	if s.PositionStaleAfter <= 0 {
		return DefaultPositionStaleAfter
	}
	return time.Duration(s.PositionStaleAfter)
}

// Retention returns PositionRetention or its default.
func (s *ForceSettings) Retention() time.Duration {
	if s.PositionRetention <= 0 {
		return DefaultPositionRetention
	}
	return time.Duration(s.PositionRetention)
}

// DefaultForceSettings returns the settings a force starts with: the NCHS
// five-grade model with the 2026 White Paper's 15/20-minute top target, the
// Police Scotland national status codes, and the skills of DOMAIN 3.4.
func DefaultForceSettings() *ForceSettings {
	m := func(d time.Duration) Duration { return Duration(d) }
	return &ForceSettings{
		TimeZone: "Europe/London",
		Grades: []GradeSetting{
			{Grade: GradeImmediate, Code: "G1", Label: "Immediate", UrbanTarget: m(15 * time.Minute), RuralTarget: m(20 * time.Minute), WarnBefore: m(3 * time.Minute)},
			{Grade: GradePriority, Code: "G2", Label: "Priority", UrbanTarget: m(time.Hour), RuralTarget: m(time.Hour), WarnBefore: m(10 * time.Minute)},
			{Grade: GradeStandard, Code: "G3", Label: "Standard", UrbanTarget: m(4 * time.Hour), RuralTarget: m(4 * time.Hour), WarnBefore: m(30 * time.Minute)},
			{Grade: GradeScheduled, Code: "G4", Label: "Scheduled", UrbanTarget: m(48 * time.Hour), RuralTarget: m(48 * time.Hour), WarnBefore: m(2 * time.Hour)},
			{Grade: GradeResolvedWithoutDeployment, Code: "G5", Label: "Resolution without deployment"},
		},
		StatusCodes: []StatusCode{
			{"0", "Emergency – officer needs urgent assistance", StateEmergency},
			{"1", "On duty", StateOnDuty},
			{"2", "Available – on patrol", StateAvailable},
			{"3", "Available – on standby", StateAvailableStandby},
			{"4", "Refreshments", StateRefreshment},
			{"5", "En route to incident", StateEnRoute},
			{"6", "At scene", StateAtScene},
			{"7", "Committed but deployable", StateCommittedDeployable},
			{"8", "Unavailable", StateUnavailable},
			{"9", "Prisoner escort", StatePrisoner},
			{"10", "At court", StateAtCourt},
			{"11", "Off duty", StateOffDuty},
			{"12", "Confidential – request private contact", ""},
			{"13", "Call back", ""},
			{"14", "Urgent call back", ""},
			{"15", "Received", ""},
			{"16", "Repeat", ""},
			{"A", "Assigned", StateAssigned},
		},
		Skills: []SkillInfo{
			{"AFO", "Authorised firearms officer"}, {"ARVO", "Armed response vehicle officer"},
			{"SFO", "Specialist firearms officer"}, {"CTSFO", "Counter-terrorist SFO"},
			{"TASER", "TASER (CED) trained"}, {"DOG_GENERAL", "General purpose dog"},
			{"DOG_SEARCH", "Specialist search dog"}, {"ADVANCED_DRIVER", "Advanced driver"},
			{"PURSUIT", "Pursuit trained"}, {"TPAC", "Tactical pursuit and containment"},
			{"MOTORCYCLE", "Police motorcyclist"}, {"PSU_L1", "Public order level 1"},
			{"PSU_L2", "Public order level 2"}, {"PO_MEDIC", "Public order medic"},
			{"MOE", "Method of entry"}, {"POLSA", "Police search adviser"}, {"SEARCH", "Search trained"},
			{"NEGOTIATOR", "Negotiator"}, {"FLO", "Family liaison officer"}, {"CBRN", "CBRN trained"},
			{"DRONE", "Drone pilot"}, {"INTERPRETER", "Interpreter"}, {"DETECTIVE", "Detective"},
			{"STO", "Specially trained officer (sexual offences)"}, {"FIRST_AID", "Enhanced first aid"},
		},
		RepeatWindow:     Duration(28 * 24 * time.Hour),
		RepeatRadiusM:    50,
		DuplicateWindow:  Duration(2 * time.Hour),
		DuplicateRadiusM: 500,
		RoadFactor:       1.4,
		SpeedKPH:         48,
		TypeSpeedKPH:     map[string]float64{"neighbourhood foot patrol": 5, "neighbourhood cycle patrol": 15},
	}
}

// Validate reports every problem with s at once.
func (s *ForceSettings) Validate() error {
	fields := map[string]string{}
	if d := time.Duration(s.PositionStaleAfter); d != 0 && (d < 10*time.Second || d > time.Hour) {
		fields["position_stale_after"] = "must be between 10s and 1h (or absent for the default, 2m)"
	}
	if d := time.Duration(s.PositionRetention); d != 0 && (d < 24*time.Hour || d > 7*365*24*time.Hour) {
		fields["position_retention"] = "must be between 24h and 7 years (or absent for the default, 90 days)"
	}
	// "" and "Local" load, as UTC and as the server's zone; neither is a
	// force's zone, and daily serials must not depend on the server.
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		fields["time_zone"] = "must be an IANA time zone such as Europe/London"
	}
	for _, g := range Grades {
		if !slices.ContainsFunc(s.Grades, func(gs GradeSetting) bool { return gs.Grade == g }) {
			fields["grades"] = "must set every canonical grade; missing " + string(g)
		}
	}
	for i, g := range s.Grades {
		if !g.Grade.Valid() || slices.ContainsFunc(s.Grades[:i], func(o GradeSetting) bool { return o.Grade == g.Grade }) {
			fields["grades"] = "unknown or repeated grade " + quoteShort(string(g.Grade))
		}
		if g.Label == "" || g.Code == "" || len(g.Label) > 64 || len(g.Code) > 8 {
			fields["grades"] = "every grade needs a code (at most 8) and a label (at most 64)"
		}
		if g.UrbanTarget < 0 || g.RuralTarget < 0 || g.DispatchTarget < 0 || g.WarnBefore < 0 {
			fields["grades"] = "targets must not be negative"
		}
	}
	for i, c := range s.StatusCodes {
		if c.Code == "" || len(c.Code) > 8 || c.Label == "" || (c.State != "" && !c.State.Valid()) ||
			slices.ContainsFunc(s.StatusCodes[:i], func(o StatusCode) bool { return o.Code == c.Code }) {
			fields["status_codes"] = "each code needs a unique code, a label and a known state (or none for a message); fault at " + quoteShort(c.Code)
		}
	}
	for _, st := range UnitStates {
		if !slices.ContainsFunc(s.StatusCodes, func(c StatusCode) bool { return c.State == st }) {
			fields["status_codes"] = "every canonical state needs a code; missing " + string(st)
		}
	}
	for i, k := range s.Skills {
		if !validSkillCode(k.Code) || k.Label == "" || slices.ContainsFunc(s.Skills[:i], func(o SkillInfo) bool { return o.Code == k.Code }) {
			fields["skills"] = "each skill needs a unique upper-case code and a label; fault at " + quoteShort(string(k.Code))
		}
	}
	if n := len(s.Area.Boundary); n != 0 && (n < 4 || s.Area.Boundary[0] != s.Area.Boundary[n-1]) {
		fields["area.boundary"] = "must be a closed ring of at least four [lon, lat] points"
	}
	for _, p := range s.Area.Boundary {
		if !(Position{Lat: p[1], Lon: p[0]}).Valid() {
			fields["area.boundary"] = "points must be [lon, lat] within ±180 and ±90"
		}
	}
	for _, u := range s.Area.Urban {
		// A town with no radius, or one at an impossible place, would
		// silently make everywhere rural.
		if u.Name == "" || len(u.Name) > 100 || !u.Centre.Valid() || !(u.RadiusM > 0 && u.RadiusM <= 100_000) {
			fields["area.urban"] = "each urban area needs a name, a valid centre and a radius of up to 100 km; fault at " + quoteShort(u.Name)
		}
	}
	if s.RepeatWindow <= 0 || s.DuplicateWindow <= 0 || s.RepeatRadiusM <= 0 || s.DuplicateRadiusM <= 0 {
		fields["windows"] = "repeat and duplicate windows and radii must be positive"
	}
	if s.RoadFactor < 1 || s.RoadFactor > 5 || s.SpeedKPH <= 0 || s.SpeedKPH > 300 {
		fields["road_factor"] = "road factor must be 1 to 5 and speed 1 to 300 km/h"
	}
	for typ, v := range s.TypeSpeedKPH {
		if typ == "" || len(typ) > 64 || !(v > 0 && v <= 300) {
			fields["type_speed_kph"] = "each unit type needs a speed of 1 to 300 km/h"
		}
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// Grade returns the setting for g; the zero GradeSetting if g is unset.
func (s *ForceSettings) Grade(g Grade) GradeSetting {
	if i := slices.IndexFunc(s.Grades, func(gs GradeSetting) bool { return gs.Grade == g }); i >= 0 {
		return s.Grades[i]
	}
	return GradeSetting{Grade: g, Code: string(g), Label: string(g)}
}

// Status returns the force's entry for a radio code, and false if unknown.
func (s *ForceSettings) Status(code string) (StatusCode, bool) {
	if i := slices.IndexFunc(s.StatusCodes, func(c StatusCode) bool { return c.Code == code }); i >= 0 {
		return s.StatusCodes[i], true
	}
	return StatusCode{}, false
}

// CodeFor returns the force's first code that maps to state.
func (s *ForceSettings) CodeFor(state UnitState) string {
	if i := slices.IndexFunc(s.StatusCodes, func(c StatusCode) bool { return c.State == state }); i >= 0 {
		return s.StatusCodes[i].Code
	}
	return string(state)
}

// HasSkill reports whether k is in the force's skill list.
func (s *ForceSettings) HasSkill(k Skill) bool {
	return slices.ContainsFunc(s.Skills, func(o SkillInfo) bool { return o.Code == k })
}

// Location returns the force's time zone, UTC if it cannot be loaded.
func (s *ForceSettings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// IncidentNumber formats a daily serial in the force's form, e.g.
// "1234/27NOV26" for serial 1234 on 27 November 2026.
func IncidentNumber(serial int, day time.Time) string {
	return itoa(serial) + "/" + dayStamp(day)
}

// ContactReference formats a contact's daily serial, e.g. "C-27NOV26-0042".
func ContactReference(serial int, day time.Time) string {
	n := itoa(serial)
	for len(n) < 4 {
		n = "0" + n
	}
	return "C-" + dayStamp(day) + "-" + n
}

func dayStamp(day time.Time) string {
	months := [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	d, y := itoa(day.Day()), itoa(day.Year()%100)
	if len(d) < 2 {
		d = "0" + d
	}
	if len(y) < 2 {
		y = "0" + y
	}
	return d + months[day.Month()-1] + y
}
