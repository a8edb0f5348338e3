// Package demo seeds a fictional force, Wessex Constabulary, into an empty
// database: stations in Hardy's towns, units with call signs, officers with
// collar numbers, and a user for every role. Nothing here is real.
package demo

import (
	"context"
	"fmt"
	"math"

	"github.com/bluelamp/bluelamp"
)

// ForceID is the demo force.
const ForceID bluelamp.ForceID = "wessex"

// Password is every demo user's password. It is printed at start-up: the
// demo is for trying bluelamp, never for real data.
const Password = "bluelamp-demo"

// AdminUsername is the demo force admin: the in-process simulator signs
// in as it to drive the demo force.
const AdminUsername = "demo.admin"

// SignIn is one demo user, as printed for the person trying bluelamp.
type SignIn struct {
	Username string
	Role     bluelamp.Role
}

// Store is what seeding needs.
type Store interface {
	CreateForce(ctx context.Context, f *bluelamp.Force) error
	FindForces(ctx context.Context) ([]*bluelamp.Force, error)
	CreateStation(ctx context.Context, s *bluelamp.Station) error
	CreateUnit(ctx context.Context, u *bluelamp.Unit) error
	SaveForceSettings(ctx context.Context, fs *bluelamp.ForceSettings) error
	CreateOfficer(ctx context.Context, o *bluelamp.Officer) error
	CreateUser(ctx context.Context, u *bluelamp.User, passwordHash string) error
	CreatePartner(ctx context.Context, p *bluelamp.Partner) error
	RecordImporter
}

type station struct {
	code, name string
	lat, lon   float64
}

var stations = []station{
	{"CB", "Casterbridge", 50.7155, -2.4372},
	{"BM", "Budmouth", 50.6144, -2.4573},
	{"ML", "Melchester", 51.0693, -1.7944},
	{"SB", "Sandbourne", 50.7200, -1.8795},
	{"SH", "Shaston", 51.0050, -2.1980},
}

// unit is a demo unit: its crew by collar number, its skills, and whether
// it starts the shift on duty.
type unit struct {
	callSign, typ, station string
	crew                   []string
	skills                 []bluelamp.Skill
	offDuty                bool
}

var units = []unit{
	{"CB11", "response car", "CB", []string{"1041", "1203"}, []bluelamp.Skill{"TASER", "FIRST_AID"}, false},
	{"CB12", "response car", "CB", []string{"1322"}, []bluelamp.Skill{"TASER"}, false},
	{"CB14", "response van", "CB", []string{"2230"}, nil, true},
	{"CB51", "neighbourhood foot patrol", "CB", []string{"5012"}, nil, false},
	{"BM11", "response car", "BM", []string{"1455"}, []bluelamp.Skill{"TASER"}, false},
	{"BM12", "response car", "BM", []string{"1502"}, nil, false},
	{"BM51", "neighbourhood foot patrol", "BM", []string{"1618"}, nil, false},
	{"ML11", "response car", "ML", []string{"1733"}, []bluelamp.Skill{"TASER", "FIRST_AID"}, false},
	{"ML12", "response car", "ML", []string{"1846"}, nil, false},
	{"ML14", "response van", "ML", []string{"1790"}, []bluelamp.Skill{"PSU_L2"}, false},
	{"ML51", "neighbourhood foot patrol", "ML", []string{"5047"}, nil, false},
	{"SB11", "response car", "SB", []string{"1921"}, []bluelamp.Skill{"TASER"}, false},
	{"SB12", "response car", "SB", []string{"1977"}, nil, false},
	{"SB51", "neighbourhood foot patrol", "SB", nil, nil, true},
	{"SH11", "response car", "SH", []string{"2101", "2166"}, []bluelamp.Skill{"FIRST_AID"}, false},
	{"SH51", "neighbourhood foot patrol", "SH", nil, nil, true},
	{"RP21", "roads policing car", "CB", []string{"1187"}, []bluelamp.Skill{"ADVANCED_DRIVER", "PURSUIT", "TPAC"}, false},
	{"RP22", "roads policing car", "ML", nil, []bluelamp.Skill{"ADVANCED_DRIVER", "PURSUIT"}, false},
	{"AR31", "armed response vehicle", "CB", []string{"2034"}, []bluelamp.Skill{"AFO", "ARVO", "TASER", "FIRST_AID"}, false},
	{"AR32", "armed response vehicle", "SB", nil, []bluelamp.Skill{"AFO", "ARVO", "TASER"}, false},
	{"DG41", "dog unit", "ML", nil, []bluelamp.Skill{"DOG_GENERAL"}, false},
}

// area is Wessex: a boundary around Dorset, Wiltshire and the New Forest,
// and its towns as urban areas, where the tighter targets apply.
var area = bluelamp.Area{
	Boundary: [][2]float64{
		{-2.96, 50.70}, {-2.50, 50.56}, {-1.95, 50.57}, {-1.50, 50.70}, {-1.30, 50.85}, {-1.40, 51.20},
		{-1.60, 51.45}, {-2.10, 51.50}, {-2.40, 51.30}, {-2.70, 51.10}, {-2.96, 50.95}, {-2.96, 50.70},
	},
	Urban: []bluelamp.UrbanArea{
		{Name: "Casterbridge", Centre: bluelamp.Position{Lat: 50.7155, Lon: -2.4372}, RadiusM: 3000},
		{Name: "Budmouth", Centre: bluelamp.Position{Lat: 50.6144, Lon: -2.4573}, RadiusM: 4000},
		{Name: "Melchester", Centre: bluelamp.Position{Lat: 51.0693, Lon: -1.7944}, RadiusM: 4000},
		{Name: "Sandbourne", Centre: bluelamp.Position{Lat: 50.7200, Lon: -1.8795}, RadiusM: 7000},
		{Name: "Shaston", Centre: bluelamp.Position{Lat: 51.0050, Lon: -2.1980}, RadiusM: 2000},
		{Name: "Kingsbere", Centre: bluelamp.Position{Lat: 50.9890, Lon: -1.4970}, RadiusM: 3000},
	},
}

type officer struct{ collar, name, rank, station string }

var officers = []officer{
	{"1041", "Gabriel Oak", "Police Constable", "CB"}, {"1187", "Bathsheba Everdene", "Police Sergeant", "CB"},
	{"1203", "Diggory Venn", "Police Constable", "CB"}, {"1322", "Thomasin Yeobright", "Police Constable", "CB"},
	{"1455", "Giles Winterborne", "Police Constable", "BM"}, {"1502", "Grace Melbury", "Police Constable", "BM"},
	{"1618", "Marty South", "Police Constable", "BM"}, {"1733", "Jude Fawley", "Police Constable", "ML"},
	{"1790", "Sue Bridehead", "Police Sergeant", "ML"}, {"1846", "Richard Phillotson", "Police Constable", "ML"},
	{"1921", "Tess Durbeyfield", "Police Constable", "SB"}, {"1977", "Angel Clare", "Police Constable", "SB"},
	{"2034", "Michael Henchard", "Inspector", "CB"}, {"2101", "Elizabeth-Jane Newson", "Police Constable", "SH"},
	{"2166", "Donald Farfrae", "Police Constable", "SH"}, {"2230", "Clym Yeobright", "Police Constable", "CB"},
	{"5012", "Fancy Day", "PCSO", "CB"}, {"5047", "Dick Dewy", "PCSO", "ML"},
}

// users is one demo user for every role.
var users = []struct {
	username, name, collar string
	role                   bluelamp.Role
}{
	{"demo.callhandler", "Arabella Donn", "", bluelamp.RoleCallHandler},
	{"demo.controller", "Fanny Robin", "", bluelamp.RoleController},
	{"demo.supervisor", "Michael Henchard", "2034", bluelamp.RoleSupervisor},
	{"demo.response", "Gabriel Oak", "1041", bluelamp.RoleResponseOfficer},
	{"demo.neighbourhood", "Fancy Day", "5012", bluelamp.RoleNeighbourhoodOfficer},
	{"demo.analyst", "Eustacia Vye", "", bluelamp.RoleAnalyst},
	{AdminUsername, "Frank Troy", "", bluelamp.RoleForceAdmin},
	{"demo.auditor", "William Boldwood", "", bluelamp.RoleAuditor},
	{"demo.partner", "Lucetta Templeman", "", bluelamp.RolePartnerAgency},
}

// SignIns lists the demo users.
func SignIns() []SignIn {
	out := make([]SignIn, len(users))
	for i, u := range users {
		out[i] = SignIn{Username: u.username, Role: u.role}
	}
	return out
}

// Seed creates the demo force unless it exists, and reports whether it did.
// hash turns Password into a stored hash.
func Seed(ctx context.Context, s Store, hash func(string) (string, error)) (bool, error) {
	dctx := bluelamp.SystemContext(ctx, "", "demo")
	forces, err := s.FindForces(dctx)
	if err != nil {
		return false, fmt.Errorf("list forces: %w", err)
	}
	for _, f := range forces {
		if f.ID == ForceID {
			return false, nil
		}
	}
	if err := s.CreateForce(dctx, &bluelamp.Force{ID: ForceID, Name: "Wessex Constabulary"}); err != nil {
		return false, fmt.Errorf("create demo force: %w", err)
	}
	fctx := bluelamp.SystemContext(ctx, ForceID, "demo")
	fs := bluelamp.DefaultForceSettings()
	fs.Area = area
	if err := s.SaveForceSettings(fctx, fs); err != nil {
		return false, fmt.Errorf("save demo settings: %w", err)
	}
	ids := map[string]bluelamp.StationID{}
	pos := map[string]bluelamp.Position{}
	for _, st := range stations {
		s2 := &bluelamp.Station{Code: st.code, Name: st.name + " Police Station", Lat: st.lat, Lon: st.lon}
		if err := s.CreateStation(fctx, s2); err != nil {
			return false, fmt.Errorf("create station %s: %w", st.code, err)
		}
		ids[st.code], pos[st.code] = s2.ID, bluelamp.Position{Lat: st.lat, Lon: st.lon}
	}
	for i, u := range units {
		du := &bluelamp.Unit{CallSign: u.callSign, Type: u.typ, StationID: ids[u.station], Crew: u.crew, State: bluelamp.StateAvailable}
		for _, k := range u.skills {
			du.Skills = append(du.Skills, bluelamp.UnitSkill{Skill: k})
		}
		if u.offDuty {
			du.State = bluelamp.StateOffDuty
		} else {
			// On patrol a little way from the station, each in its own
			// direction, so the map and the nearest-unit ranking differ.
			p := pos[u.station]
			angle := float64(i) * 2.399963 // the golden angle spreads them evenly
			du.Position = &bluelamp.Position{Lat: p.Lat + 0.012*math.Sin(angle), Lon: p.Lon + 0.018*math.Cos(angle)}
		}
		if err := s.CreateUnit(fctx, du); err != nil {
			return false, fmt.Errorf("create unit %s: %w", u.callSign, err)
		}
	}
	for _, o := range officers {
		if err := s.CreateOfficer(fctx, &bluelamp.Officer{CollarNumber: o.collar, Name: o.name, Rank: o.rank, StationID: ids[o.station]}); err != nil {
			return false, fmt.Errorf("create officer %s: %w", o.collar, err)
		}
	}
	if err := SeedRecords(fctx, s); err != nil {
		return false, err
	}
	// A partner to send safeguarding referrals to. It takes them by email,
	// so they are delivered once bluelamp has a mail server (--smtp-addr);
	// until then each delivery says why it is waiting.
	mash := &bluelamp.Partner{Name: "Wessex Multi-Agency Safeguarding Hub", Email: "mash@wessex-council.example",
		Accepts: []bluelamp.ReferralType{bluelamp.ReferralChildAtRisk, bluelamp.ReferralAdultAtRisk, bluelamp.ReferralDomesticAbuse,
			bluelamp.ReferralMentalHealth, bluelamp.ReferralMissingPerson}}
	if err := s.CreatePartner(fctx, mash); err != nil {
		return false, fmt.Errorf("create demo partner: %w", err)
	}
	h, err := hash(Password)
	if err != nil {
		return false, fmt.Errorf("hash demo password: %w", err)
	}
	for _, u := range users {
		// One hash for all: argon2id salts differ per hash, but the demo
		// password is public anyway, and this keeps start-up fast.
		if err := s.CreateUser(fctx, &bluelamp.User{Username: u.username, DisplayName: u.name, CollarNumber: u.collar,
			Email: u.username + "@wessex.police.example", Roles: []bluelamp.Role{u.role}}, h); err != nil {
			return false, fmt.Errorf("create user %s: %w", u.username, err)
		}
	}
	return true, nil
}
