package demo

import (
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// RecordImporter is what seeding the demo records needs.
type RecordImporter interface {
	ImportRecords(ctx context.Context, imp *bluelamp.RecordImport, dryRun bool) (*bluelamp.ImportResult, error)
}

func mk(code bluelamp.MarkerCode, date bluelamp.Date, source, detail string) bluelamp.Marker {
	return bluelamp.Marker{Code: code, Date: date, Source: source, Detail: detail}
}

func at(lat, lon float64) *bluelamp.Position { return &bluelamp.Position{Lat: lat, Lon: lon} }

// demoRecords are the demo force's person, vehicle and location records:
// Hardy's people in Hardy's towns, with the markers an officer might meet.
// Every one is fictional.
func demoRecords() *bluelamp.RecordImport {
	return &bluelamp.RecordImport{
		Persons: []*bluelamp.Person{
			{Reference: "WX-P-0001", Surname: "Stannidge", Forenames: "Jopp", DateOfBirth: "1969-04-11", Sex: bluelamp.SexMale,
				Aliases:     []bluelamp.PersonName{{Surname: "Jopp", Forenames: "Joshua"}},
				Addresses:   []bluelamp.PersonAddress{{Address: "Mixen Lane, Casterbridge", Postcode: "DT1 1AB"}},
				Description: "Tall, heavy build; scar over left eye",
				Markers: []bluelamp.Marker{mk("VI", "2024-03-01", "PNC", "assaulted officer at arrest"),
					mk("WE", "2023-11-20", "Wessex intelligence", "known to carry a lock knife")}},
			{Reference: "WX-P-0002", Surname: "Coggan", Forenames: "Lydia", DateOfBirth: "1990-07-30", Sex: bluelamp.SexFemale,
				Addresses:  []bluelamp.PersonAddress{{Address: "4 Durnover Green, Casterbridge", Postcode: "DT1 2XY"}},
				Vulnerable: true, Vulnerability: "Learning disability: speak slowly and check understanding",
				Markers: []bluelamp.Marker{{Code: "MH", Severity: bluelamp.LevelHigh, Date: "2025-01-15", Source: "Wessex MASH",
					Detail: "in crisis twice this year; responds well to female officers"}}},
			{Reference: "WX-P-0003", Surname: "Fray", Forenames: "Henery", DateOfBirth: "1975-12-01", Sex: bluelamp.SexMale,
				Aliases:   []bluelamp.PersonName{{Surname: "Fry", Forenames: "Henry"}},
				Addresses: []bluelamp.PersonAddress{{Address: "Weatherbury Farm, Weatherbury", Postcode: "DT2 8QQ"}},
				Markers: []bluelamp.Marker{{Code: "FI", Date: "2026-05-05", Source: "Wessex firearms licensing",
					Detail: "shotgun certificate revoked; weapons not recovered", ReviewDate: "2027-05-05"}}},
			{Reference: "WX-P-0004", Surname: "Poorgrass", Forenames: "Joseph", DateOfBirth: "1988-02-29", Sex: bluelamp.SexMale,
				Addresses: []bluelamp.PersonAddress{{Address: "2 Mill Street, Budmouth", Postcode: "DT4 7QP"}},
				Markers: []bluelamp.Marker{mk("SU", "2026-09-12", "Wessex control room", "threatened to jump from Budmouth quay"),
					mk("SH", "2026-09-12", "Wessex MASH", "")}},
			{Reference: "WX-P-0005", Surname: "Cuxsom", Forenames: "Susan", DateOfBirth: "1958-06-21", Sex: bluelamp.SexFemale,
				Addresses: []bluelamp.PersonAddress{{Address: "3 Mixen Lane, Casterbridge", Postcode: "DT1 1AB"}},
				Markers: []bluelamp.Marker{{Code: "DA", Severity: bluelamp.LevelHigh, Date: "2026-02-14", Source: "DASH Casterbridge",
					Detail: "high risk victim; MARAC referral made"}}},
			{Reference: "WX-P-0006", Surname: "Whittle", Forenames: "Abel", DateOfBirth: "1996-10-03", Sex: bluelamp.SexMale,
				Addresses: []bluelamp.PersonAddress{{Address: "Back Street, Casterbridge", Postcode: "DT1 1HH"}}},
			{Reference: "WX-P-0007", Surname: "Kovač", Forenames: "Marta", DateOfBirth: "1984-02-02", Sex: bluelamp.SexFemale,
				Interpreter: true, Language: "Croatian",
				Addresses: []bluelamp.PersonAddress{{Address: "12 Castle Street, Melchester", Postcode: "SP1 3TT"}}},
			{Reference: "WX-P-0008", Surname: "Tangs", Forenames: "Timothy", DateOfBirth: "1979-08-08", Sex: bluelamp.SexMale,
				Addresses: []bluelamp.PersonAddress{{Address: "The Pines, Sandbourne", Postcode: "BH1 3AA"}},
				Markers: []bluelamp.Marker{mk("WANTED", "2026-11-20", "PNC", "failed to appear, Melchester Crown Court"),
					mk("DR", "2025-04-01", "PNC", "supplies class A"), mk("ES", "2019-06-06", "PNC", "")}},
		},
		Vehicles: []*bluelamp.Vehicle{
			{Reference: "WX-V-0001", VRM: "WX73 KZT", Make: "Ford", Model: "Transit", Colour: "White", KeeperRef: "WX-P-0001",
				Markers: []bluelamp.Marker{mk("STOLEN", "2026-11-01", "PNC", "taken from Durnover yard")}},
			{Reference: "WX-V-0002", VRM: "A123 BCD", Make: "Vauxhall", Model: "Corsa", Colour: "Red", KeeperRef: "WX-P-0006",
				Markers: []bluelamp.Marker{mk("NO_INSURANCE", "2026-10-20", "MID", ""), mk("NO_MOT", "2026-09-30", "DVSA", "")}},
			{Reference: "WX-V-0003", VRM: "HY19 WXB", Make: "Land Rover", Model: "Defender", Colour: "Green", KeeperRef: "WX-P-0003",
				Markers: []bluelamp.Marker{mk("ANPR", "2026-11-02", "Wessex intelligence", "of interest to the rural crime team")}},
			{Reference: "WX-V-0004", VRM: "BD65 MNO", Make: "Toyota", Model: "Prius", Colour: "Silver", KeeperRef: "WX-P-0007"},
		},
		Locations: []*bluelamp.LocationRecord{
			{Reference: "WX-L-0001", Address: "Mixen Lane, Casterbridge", Postcode: "DT1 1AB", Position: at(50.7139, -2.4310),
				Description: "Terrace; rear access via the alley",
				Markers: []bluelamp.Marker{mk("DOGS", "2025-08-08", "PC 1203", "two large dogs loose in the yard"),
					{Code: "DA", Severity: bluelamp.LevelHigh, Date: "2026-02-14", Source: "DASH Casterbridge", Detail: "high risk victim at number 3"}}},
			{Reference: "WX-L-0002", Address: "Weatherbury Farm, Weatherbury", Postcode: "DT2 8QQ", Position: at(50.7340, -2.3390),
				Markers: []bluelamp.Marker{mk("FI", "2026-05-05", "Wessex firearms licensing", "shotguns believed on site"),
					mk("OFFICER_SAFETY", "2026-05-06", "PC 1041", "occupant hostile to police; attend in pairs")}},
			{Reference: "WX-L-0003", Address: "The Three Mariners, High Street, Casterbridge", Postcode: "DT1 1UJ", Position: at(50.7158, -2.4365),
				Markers: []bluelamp.Marker{mk("VI", "2026-08-30", "Wessex licensing", "repeated disorder at closing time")}},
			{Reference: "WX-L-0004", Address: "Budmouth Quay, Budmouth", Postcode: "DT4 8AA", Position: at(50.6080, -2.4540), Description: "Harbour office"},
			{Reference: "WX-L-0005", Address: "Old Manor House, Shaston", Postcode: "SP7 8AB", Position: at(51.0055, -2.1975),
				Markers: []bluelamp.Marker{mk("CO", "2026-10-10", "UKHSA", "resident with TB: masks if entering")}},
		},
	}
}

// SeedRecords imports the demo force's person, vehicle and location
// records, as the system actor in ctx. The import is by reference, so
// running it again replaces the same records.
func SeedRecords(ctx context.Context, s RecordImporter) error {
	if _, err := s.ImportRecords(ctx, demoRecords(), false); err != nil {
		return fmt.Errorf("seed demo records: %w", err)
	}
	return nil
}
