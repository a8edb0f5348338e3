package bluelamp

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"time"
)

// formNow is the server clock of the form validator tests.
var formNow = time.Date(2026, time.November, 27, 14, 0, 0, 0, time.UTC)

// validStopSearch returns a person search that passes Validate at formNow.
func validStopSearch() *StopSearch {
	return &StopSearch{
		FormHeader: FormHeader{ClientID: "0b7c2f4e-1a6d-4c2b-9f1e-5d3a8c7b6e21", TakenAt: formNow.Add(-time.Minute)},
		StopSearchDetails: StopSearchDetails{
			Type: SearchPerson, SearchedAt: formNow.Add(-10 * time.Minute),
			SelfDefinedEthnicity: "B2", OfficerDefinedEthnicity: "IC3", Gender: "Female", AgeRange: "25-34",
			Legislation: "Police and Criminal Evidence Act 1984 (section 1)", ObjectOfSearch: "Stolen goods",
			Grounds: "Matched the description of the shoplifter given by store security ten minutes earlier",
			Outcome: OutcomeArrest, OutcomeLinkedToObjectOfSearch: true,
			MadeAtTheTime: true,
		},
		Location: Location{Address: "Above Bar Street, Southampton"},
	}
}

// faultsOf returns the field names an error names, sorted.
func faultsOf(err error) []string {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		return nil
	}
	return slices.Sorted(maps.Keys(e.Fields))
}

func TestStopSearchValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(s *StopSearch)
		want   []string
	}{
		{"OK", func(*StopSearch) {}, nil},
		{"OKVehicleWithDriver", func(s *StopSearch) {
			s.Type, s.VehicleRegistration, s.Legislation = SearchPersonAndVehicle, " ab12  cde ", "Misuse of Drugs Act 1971 (section 23)"
		}, nil},
		{"OKUnattendedVehicle", func(s *StopSearch) {
			s.Type, s.InvolvedPerson, s.VehicleRegistration = SearchVehicle, false, "AB12CDE"
			s.SelfDefinedEthnicity, s.OfficerDefinedEthnicity, s.Gender, s.AgeRange = "", "", "", ""
		}, nil},
		{"OKNoSuspicionAuthorised", func(s *StopSearch) {
			s.Legislation, s.Grounds = "Criminal Justice and Public Order Act 1994 (section 60)", ""
			s.Authorisation = &Authorisation{AuthorisingOfficer: "Insp 3010 KHAN", Given: true}
		}, nil},
		{"OKTerrorismNameWithheld", func(s *StopSearch) {
			s.Legislation, s.Grounds, s.OfficerNameWithheld = "Terrorism Act 2000 (section 47A)", "", WithheldTerrorism
			s.Authorisation = &Authorisation{AuthorisingOfficer: "ACC 12", Given: true}
		}, nil},
		{"OKNotAtTheTime", func(s *StopSearch) {
			s.MadeAtTheTime, s.NotMadeAtTheTimeReason = false, "Crowd turned hostile; recorded at the station"
		}, nil},
		{"OKPersonDetailsDeclined", func(s *StopSearch) { s.SelfDefinedEthnicity, s.Person = "NS", SearchedPerson{} }, nil},
		{"ErrEverythingMissing", func(s *StopSearch) { *s = StopSearch{} },
			[]string{"age_range", "client_id", "gender", "legislation", "location.address", "not_made_at_the_time_reason", "object_of_search",
				"officer_defined_ethnicity", "outcome", "searched_at", "self_defined_ethnicity", "taken_at", "type"}},
		{"ErrClientIDNotV4", func(s *StopSearch) { s.ClientID = "0190f2a4-7c1e-7abc-8def-0123456789ab" }, []string{"client_id"}},
		{"ErrClientIDMalformed", func(s *StopSearch) { s.ClientID = "my-phone-1" }, []string{"client_id"}},
		{"ErrFutureTakenAt", func(s *StopSearch) { s.TakenAt = formNow.Add(MaxClockSkew + time.Second) }, []string{"taken_at"}},
		{"OKSkewedTakenAt", func(s *StopSearch) { s.TakenAt = formNow.Add(MaxClockSkew) }, nil},
		{"ErrAncientSearch", func(s *StopSearch) { s.SearchedAt = formNow.Add(-MaxFormAge - time.Hour) }, []string{"searched_at"}},
		{"ErrTakenBeforeSearch", func(s *StopSearch) { s.TakenAt = s.SearchedAt.Add(-time.Hour) }, []string{"taken_at"}},
		{"ErrDetainedAfterSearch", func(s *StopSearch) { s.DetainedAt = new(s.SearchedAt.Add(time.Minute)) }, []string{"detained_at"}},
		{"ErrUnknownCodes", func(s *StopSearch) {
			s.SelfDefinedEthnicity, s.OfficerDefinedEthnicity, s.Gender, s.AgeRange = "White British", "IC7", "M", "35-44"
		}, []string{"age_range", "gender", "officer_defined_ethnicity", "self_defined_ethnicity"}},
		{"ErrPersonDetailsWithoutPerson", func(s *StopSearch) {
			s.Type, s.InvolvedPerson, s.VehicleRegistration = SearchVehicle, false, "AB12CDE"
			s.Person.Name = "Someone"
		}, []string{"age_range", "gender", "officer_defined_ethnicity", "person.name", "self_defined_ethnicity"}},
		{"ErrNoGrounds", func(s *StopSearch) { s.Grounds = "" }, []string{"grounds"}},
		{"ErrThinGrounds", func(s *StopSearch) { s.Grounds = "suspicious" }, []string{"grounds"}},
		{"ErrVagueGrounds", func(s *StopSearch) { s.Grounds = "Acting suspiciously in the area." }, []string{"grounds"}},
		{"ErrGroundsRepeatObject", func(s *StopSearch) {
			s.ObjectOfSearch, s.Grounds = "Evidence of offences under the Act", "evidence of offences under the act"
		}, []string{"grounds"}},
		{"ErrNoAuthorisation", func(s *StopSearch) { s.Legislation = "Criminal Justice and Public Order Act 1994 (section 60)" }, []string{"authorisation"}},
		{"ErrAuthorisationNotGiven", func(s *StopSearch) {
			s.Legislation, s.Authorisation = "Criminal Justice and Public Order Act 1994 (section 60)", &Authorisation{}
		}, []string{"authorisation.authorising_officer", "authorisation.given"}},
		{"ErrAuthorisationForSuspicion", func(s *StopSearch) { s.Authorisation = &Authorisation{AuthorisingOfficer: "Insp", Given: true} }, []string{"authorisation"}},
		{"ErrVehiclePowerOnPerson", func(s *StopSearch) { s.Legislation = "Terrorism Act 2000 (section 43A)" }, []string{"legislation"}},
		{"ErrTerrorismWithheldOtherPower", func(s *StopSearch) { s.OfficerNameWithheld = WithheldTerrorism }, []string{"officer_name_withheld"}},
		{"ErrUnknownWithheld", func(s *StopSearch) { s.OfficerNameWithheld = "SHY" }, []string{"officer_name_withheld"}},
		{"ErrNFALinked", func(s *StopSearch) { s.Outcome = OutcomeNoFurtherAction }, []string{"outcome_linked_to_object_of_search"}},
		{"ErrInjuryWithoutDetails", func(s *StopSearch) { s.InjuryOrDamage = true }, []string{"injury_or_damage_details"}},
		{"ErrDetailsWithoutInjury", func(s *StopSearch) { s.InjuryOrDamageDetails = "graze" }, []string{"injury_or_damage_details"}},
		{"ErrVehicleNoRegistration", func(s *StopSearch) { s.Type = SearchPersonAndVehicle }, []string{"vehicle_registration"}},
		{"ErrRegistrationOnPerson", func(s *StopSearch) { s.VehicleRegistration = "AB12CDE" }, []string{"vehicle_registration"}},
		{"ErrReasonWhenMadeAtTime", func(s *StopSearch) { s.NotMadeAtTheTimeReason = "because" }, []string{"not_made_at_the_time_reason"}},
		{"ErrFutureBirth", func(s *StopSearch) { s.Person.DateOfBirth = "2030-01-01" }, []string{"person.date_of_birth"}},
		{"ErrBadBirth", func(s *StopSearch) { s.Person.DateOfBirth = "23/04/1990" }, []string{"person.date_of_birth"}},
		{"ErrLongName", func(s *StopSearch) { s.Person.Name = strings.Repeat("x", 201) }, []string{"person.name"}},
		{"ErrBadUTF8", func(s *StopSearch) { s.Grounds = "seen \xff passing a package to a known dealer" }, []string{"grounds"}},
		{"ErrImpossiblePosition", func(s *StopSearch) { s.Location = Location{Position: &Position{Lat: 91}} }, []string{"location.position"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := validStopSearch()
			tc.change(s)
			err := s.Validate(formNow)
			if got := faultsOf(err); !slices.Equal(got, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("Validate = %v, faults %v; want %v", err, got, tc.want)
			}
			if err != nil && KindOf(err) != KindInvalid {
				t.Fatalf("kind %s", KindOf(err))
			}
		})
	}
}

// TestStopSearchValidateProperty builds random search records from the
// codes and some rubbish, and checks that whatever Validate accepts keeps
// PACE Code A's rules, and that it never panics.
func TestStopSearchValidateProperty(t *testing.T) {
	t.Parallel()
	pick := func(r *rand.Rand, vs ...string) string { return vs[r.IntN(len(vs))] }
	legs := make([]string, 0, len(Legislations)+1)
	for _, l := range Legislations {
		legs = append(legs, string(l.Code))
	}
	legs = append(legs, "Witchcraft Act 1735")
	prop := func(seed uint64) bool {
		r := rand.New(rand.NewPCG(seed, seed>>1))
		s := validStopSearch()
		s.Type = SearchType(pick(r, string(SearchPerson), string(SearchVehicle), string(SearchPersonAndVehicle), "Dog search"))
		s.InvolvedPerson = r.IntN(2) == 0
		s.SelfDefinedEthnicity = pick(r, "", "W1", "NS", "A9", "ZZ")
		s.OfficerDefinedEthnicity = pick(r, "", "IC1", "IC9", "IC0")
		s.Gender, s.AgeRange = pick(r, "", "Male", "Other", "male"), pick(r, "", "10-17", "over 34", "40")
		s.Legislation = Legislation(pick(r, legs...))
		s.Grounds = pick(r, "", "drugs", "seen passing small wraps to two people outside the station", "acting suspiciously in the area")
		if r.IntN(2) == 0 {
			s.Authorisation = &Authorisation{AuthorisingOfficer: pick(r, "", "Supt 1"), Given: r.IntN(2) == 0}
		}
		s.ObjectOfSearch = pick(r, append(slices.Clone(ObjectsOfSearch), "Unicorns")...)
		s.Outcome = SearchOutcome(pick(r, string(OutcomeNoFurtherAction), string(OutcomeArrest), "Told off"))
		s.OutcomeLinkedToObjectOfSearch = r.IntN(2) == 0
		s.VehicleRegistration = pick(r, "", "AB12 CDE", "!!")
		s.MadeAtTheTime = r.IntN(2) == 0
		s.NotMadeAtTheTimeReason = pick(r, "", "disorder at the scene")
		s.OfficerNameWithheld = NameWithheld(pick(r, "", "RISK", "TERRORISM", "SHY"))
		if s.Validate(formNow) != nil {
			return true
		}
		li, known := s.Legislation.Info()
		switch {
		case !known || !s.Type.Valid() || !slices.Contains(SearchOutcomes, s.Outcome):
			return false
		case li.Suspicion && (groundsFault(s.Grounds, s.ObjectOfSearch) != "" || s.Authorisation != nil):
			return false
		case !li.Suspicion && (s.Authorisation == nil || !s.Authorisation.Given || s.Authorisation.AuthorisingOfficer == ""):
			return false
		case s.Type.Vehicle() != registrationPattern.MatchString(s.VehicleRegistration):
			return false
		case s.Type != SearchVehicle && !s.InvolvedPerson:
			return false
		case s.InvolvedPerson && (!knownCode(SelfDefinedEthnicities, s.SelfDefinedEthnicity) || !knownCode(OfficerDefinedEthnicities, s.OfficerDefinedEthnicity)):
			return false
		case !s.MadeAtTheTime && s.NotMadeAtTheTimeReason == "":
			return false
		case s.Outcome == OutcomeNoFurtherAction && s.OutcomeLinkedToObjectOfSearch:
			return false
		case s.OfficerNameWithheld == WithheldTerrorism && !li.Terrorism:
			return false
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}

var stopSearchRefPattern = regexp.MustCompile(`^SS-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestStopSearchReference(t *testing.T) {
	t.Parallel()
	// Worked by hand from the algorithm in the doc comment, as the
	// JavaScript mirror computes it.
	tests := []struct{ id, want string }{
		{"0b7c2f4e-1a6d-4c2b-9f1e-5d3a8c7b6e21", "SS-Y7JX-7A67-PVH1"},
		{"0B7C2F4E-1A6D-4C2B-9F1E-5D3A8C7B6E21", "SS-Y7JX-7A67-PVH1"},
		{"00000001-0000-4000-8000-00005eed0001", "SS-0000-01FE-T001"},
		{"ffffffff-ffff-4fff-bfff-ffffffffffff", "SS-ZZZZ-ZZZZ-ZZZZ"},
		{"0190f2a4-7c1e-7abc-8def-0123456789ab", ""}, // version 7: its leading bits are a clock
		{"0b7c2f4e1a6d4c2b9f1e5d3a8c7b6e21", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := StopSearchReference(tc.id); got != tc.want {
			t.Errorf("StopSearchReference(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
	// Any random UUID makes a well-formed reference that reads back as
	// itself, and different ids make different references.
	seen := map[string]string{}
	prop := func(b [16]byte) bool {
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
		ref := StopSearchReference(id)
		back, ok := ParseStopSearchReference(strings.ToLower(strings.ReplaceAll(ref, "-", " ")))
		if prev, dup := seen[ref]; dup && prev != id {
			return false
		}
		seen[ref] = id
		return stopSearchRefPattern.MatchString(ref) && ok && back == ref
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 2000}); err != nil {
		t.Fatal(err)
	}
}

func TestParseStopSearchReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"SS-Y7JX-7A67-PVH1", "SS-Y7JX-7A67-PVH1", true},
		{"ss-y7jx-7a67-pvh1", "SS-Y7JX-7A67-PVH1", true},
		{" y7jx 7a67 pvh1 ", "SS-Y7JX-7A67-PVH1", true},
		{"Y7JX7A67PVHl", "SS-Y7JX-7A67-PVH1", true}, // l read as 1
		{"SS-O000-0000-000I", "SS-0000-0000-0001", true},
		{"SS-Y7JX-7A67-PVH", "", false},
		{"SS-Y7JX-7A67-PVH1X", "", false},
		{"SS-U7JX-7A67-PVH1", "", false}, // U is not Crockford
		{"SS-Y7JX-7A67-PVH£", "", false},
		{"SS-Y7JX-7A67-PVH1" + strings.Repeat(" ", 60), "", false},
		{"", "", false},
		{"{reference}", "", false},
	}
	for _, tc := range tests {
		got, ok := ParseStopSearchReference(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseStopSearchReference(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseStopSearchReference(f *testing.F) {
	for _, s := range []string{"SS-Y7JX-7A67-PVH1", "ss y7jx 7a67 pvhl", "SS-", "SS-0000-0000-000O", "\xff\xfe", "SSSS-1111-2222-3333"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ref, ok := ParseStopSearchReference(s)
		if !ok {
			if ref != "" {
				t.Fatalf("refused %q but returned %q", s, ref)
			}
			return
		}
		if !stopSearchRefPattern.MatchString(ref) {
			t.Fatalf("%q parsed to malformed %q", s, ref)
		}
		if again, ok := ParseStopSearchReference(ref); !ok || again != ref {
			t.Fatalf("%q does not read back as itself: %q, %v", ref, again, ok)
		}
	})
}

func TestStopSearchReceiptAndPeriod(t *testing.T) {
	t.Parallel()
	s := validStopSearch()
	s.Reference, s.CollarNumber, s.OfficerName = StopSearchReference(s.ClientID), "4021", "PC Jones"
	if got, want := s.RequestPeriodEnd(), s.SearchedAt.AddDate(1, 0, 0); !got.Equal(want) {
		t.Errorf("after an arrest the record may be asked for until %v, want %v", got, want)
	}
	s.Outcome, s.OutcomeLinkedToObjectOfSearch = OutcomeNoFurtherAction, false
	s.RequestUntil = s.RequestPeriodEnd()
	if want := s.SearchedAt.AddDate(0, 3, 0); !s.RequestUntil.Equal(want) {
		t.Errorf("the record may be asked for until %v, want %v", s.RequestUntil, want)
	}
	r := s.Receipt(&Force{ID: "hampshire", Name: "Hampshire and Isle of Wight Constabulary"})
	if r.Reference != s.Reference || r.Place != "Above Bar Street, Southampton" || r.CollarNumber != "4021" || r.Legislation != s.Legislation ||
		!strings.Contains(r.HowToObtain, "27 February 2027") || !strings.Contains(r.HowToObtain, s.Reference) {
		t.Errorf("receipt = %+v", r)
	}
	s.Location = Location{Position: &Position{Lat: 50.90491234, Lon: -1.40431234}}
	if got := s.Receipt(&Force{}).Place; got != "near 50.905, -1.404" {
		t.Errorf("place from a position = %q", got)
	}
}

func TestStopSearchRecordRequestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    StopSearchRecordRequest
		want []string
	}{
		{"OKEmail", StopSearchRecordRequest{Email: "sam@example.org"}, nil},
		{"OKPost", StopSearchRecordRequest{Name: "Sam", PostalAddress: "1 High Street, Southampton"}, nil},
		{"ErrNeither", StopSearchRecordRequest{Name: "Sam"}, []string{"email"}},
		{"ErrBadEmail", StopSearchRecordRequest{Email: "Sam <sam@example.org>"}, []string{"email"}},
		{"ErrLongAddress", StopSearchRecordRequest{PostalAddress: strings.Repeat("a", 501)}, []string{"postal_address"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := faultsOf(tc.r.Validate()); !slices.Equal(got, tc.want) {
				t.Fatalf("faults %v, want %v", got, tc.want)
			}
		})
	}
}
