package bluelamp

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestNormaliseVRM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"Current", "AB51 ABC", "AB51ABC"},
		{"CurrentLowerCase", " ab51abc ", "AB51ABC"},
		{"CurrentHyphen", "AB51-ABC", "AB51ABC"},
		{"CurrentSeptember", "YX70 ZZA", "YX70ZZA"},
		{"Prefix", "A123 BCD", "A123BCD"},
		{"PrefixOneDigit", "K1 ABC", "K1ABC"},
		{"Suffix", "ABC 123D", "ABC123D"},
		{"SuffixOneDigit", "ABC 1D", "ABC1D"},
		{"DatelessLettersFirst", "MR 1", "MR1"},
		{"DatelessFourDigits", "ABC 1234", "ABC1234"},
		{"DatelessDigitsFirst", "1234 AB", "1234AB"},
		{"NorthernIreland", "BIG 5678", "BIG5678"},
		{"Personalised", "B16 TOM", "B16TOM"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormaliseVRM(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("NormaliseVRM(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	for _, in := range []string{
		"", "   ", "ABCDEFGH", "AB51ABCD", "IB51ABC", "QB51ABC", "ZB51ABC", // current marks never start I, Q or Z
		"AB51IBC", "I123ABC", "O123ABC", "AB.51ABC", "AB51ÄBC", "ＡB51ABC", "12345AB", "ABCD123", "A1B2C3",
		"AB51 ABC\x00", strings.Repeat("A", 100),
	} {
		if got, err := NormaliseVRM(in); !errors.Is(err, ErrBadVRM) {
			t.Errorf("NormaliseVRM(%q) = %q, %v; want ErrBadVRM", in, got, err)
		}
	}
}

func TestParseVRMSearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want VRMSearch
	}{
		{"ab51 abc", VRMSearch{VRM: "AB51ABC"}},
		{"ab51 ab?", VRMSearch{VRM: "AB51AB?", Wildcard: true, Prefix: "AB51AB"}},
		{"AB51*", VRMSearch{VRM: "AB51*", Wildcard: true, Prefix: "AB51"}},
		{"*ABC", VRMSearch{VRM: "*ABC", Wildcard: true}},
		{"?B51**ABC", VRMSearch{VRM: "?B51*ABC", Wildcard: true}},
	}
	for _, tc := range tests {
		got, err := ParseVRMSearch(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseVRMSearch(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "*", "A*", "??", "A?*", "AB%*", "AB_*", "AB51*ABC*DEFG", "ÄB*", "NOT A PLATE"} {
		if got, err := ParseVRMSearch(in); KindOf(err) != KindInvalid {
			t.Errorf("ParseVRMSearch(%q) = %+v, %v; want KindInvalid", in, got, err)
		}
	}
}

// FuzzNormaliseVRM checks that whatever is typed, a mark that is accepted
// is normalised (upper case letters and digits, at most 7), normalising it
// again changes nothing, and a search for it finds exactly it.
func FuzzNormaliseVRM(f *testing.F) {
	for _, s := range []string{"AB51 ABC", "a123bcd", "ABC 123D", "1234 AB", "MR 1", "AB51*", "?B51ABC", "", "\xff", "ab-51-abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vrm, err := NormaliseVRM(s)
		if err != nil {
			if vrm != "" || !errors.Is(err, ErrBadVRM) {
				t.Fatalf("NormaliseVRM(%q) = %q, %v", s, vrm, err)
			}
		} else {
			if len(vrm) == 0 || len(vrm) > 7 || strings.Trim(vrm, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
				t.Fatalf("NormaliseVRM(%q) = %q: not a normalised mark", s, vrm)
			}
			if again, err := NormaliseVRM(vrm); err != nil || again != vrm {
				t.Fatalf("NormaliseVRM(%q) = %q, %v; not idempotent", vrm, again, err)
			}
			if search, err := ParseVRMSearch(s); err != nil || search.Wildcard || search.VRM != vrm {
				t.Fatalf("ParseVRMSearch(%q) = %+v, %v; want exactly %q", s, search, err, vrm)
			}
		}
		search, err := ParseVRMSearch(s)
		if err == nil && search.Wildcard {
			if !strings.HasPrefix(search.VRM, search.Prefix) || strings.ContainsAny(search.Prefix, "*?") ||
				strings.Trim(search.VRM, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*?") != "" || strings.Contains(search.VRM, "**") {
				t.Fatalf("ParseVRMSearch(%q) = %+v", s, search)
			}
		}
	})
}

func TestNormalisePostcode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"dt1 1aa": "DT1 1AA", "DT11AA": "DT1 1AA", " sp1  2ab ": "SP1 2AB", "EC1A1BB": "EC1A 1BB",
		"W1A 0AX": "W1A 0AX", "M1 1AE": "M1 1AE", "gir0aa": "GIR 0AA"} {
		if got, ok := NormalisePostcode(in); !ok || got != want {
			t.Errorf("NormalisePostcode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "DT1", "1DT 1AA", "DT1 1A", "DTT1 1AA", "DT1 AAA", "DT1-1AA", "DT1 1AA X"} {
		if got, ok := NormalisePostcode(in); ok {
			t.Errorf("NormalisePostcode(%q) = %q; want refused", in, got)
		}
	}
	for in, want := range map[string]bool{"dt1": true, "EC1A": true, "M1": true, "SO14": true, "DT1 1AA": false, "High": false, "1DT": false} {
		if _, ok := OutwardCode(in); ok != want {
			t.Errorf("OutwardCode(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

func TestNameKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"O'Brien": "OBRIEN", "o brien": "OBRIEN", "Smith-Jones": "SMITHJONES", "Zoë": "ZOË",
		"  ": "", "123": "", "Mc Donald.": "MCDONALD"} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	for d, want := range map[Date]bool{"2024-02-29": true, "2023-02-29": false, "2024-2-9": false, "24-02-09": false, "": false,
		"2024-02-09T00:00:00Z": false, "1900-01-01": true} {
		if got := d.Valid(); got != want {
			t.Errorf("Date(%q).Valid() = %v, want %v", d, got, want)
		}
	}
}

func TestSortMarkers(t *testing.T) {
	t.Parallel()
	ms := []Marker{
		{Code: "AG", Severity: LevelLow, Date: "2029-01-01"},
		{Code: "MH", Severity: LevelMedium, Date: "2029-01-01"},
		{Code: "SU", Severity: LevelHigh, Date: "2029-01-01"},
		{Code: "FI", Severity: LevelHigh, OfficerSafety: true, Date: "2020-01-01"},
		{Code: "WE", Severity: LevelHigh, OfficerSafety: true, Date: "2029-06-01"},
		{Code: "DR", Severity: LevelMedium, OfficerSafety: true, Date: "2010-01-01"},
	}
	SortMarkers(ms)
	var got []MarkerCode
	for _, m := range ms {
		got = append(got, m.Code)
	}
	// Severity, then officer safety, then the newest first.
	if diff := cmp.Diff([]MarkerCode{"WE", "FI", "SU", "DR", "MH", "AG"}, got); diff != "" {
		t.Fatalf("order (-want +got):\n%s", diff)
	}
}

func TestMarkerCodes(t *testing.T) {
	t.Parallel()
	seen := map[MarkerCode]bool{}
	for _, m := range MarkerCodes {
		if seen[m.Code] || m.Label == "" || !m.Severity.Valid() || len(m.Kinds) == 0 {
			t.Errorf("marker code %+v: repeated, unlabelled, or with no severity or kinds", m)
		}
		seen[m.Code] = true
	}
	// The PNC warning signals DOMAIN 4.6 and the brief name are all there.
	for _, c := range []MarkerCode{"FI", "WE", "VI", "ES", "DR", "MH", "SU", "SH", "CO", "AG", "IM", "EX", "DOGS", "OFFICER_SAFETY", "DA",
		"STOLEN", "NO_INSURANCE", "NO_MOT", "ANPR"} {
		if !seen[c] {
			t.Errorf("no marker code %s", c)
		}
	}
}

func TestPersonValidate(t *testing.T) {
	t.Parallel()
	today := Date("2030-03-04")
	tests := []struct {
		name   string
		p      Person
		fields []string
	}{
		{"OK", Person{Surname: "Oak", Forenames: "Gabriel", DateOfBirth: "1990-01-01",
			Markers: []Marker{{Code: "VI", Date: "2029-01-01", Source: "PNC"}}}, nil},
		{"NoSurname", Person{Forenames: "Gabriel"}, []string{"surname"}},
		{"SurnameNoLetters", Person{Surname: "--- 42"}, []string{"surname"}},
		{"Future", Person{Surname: "Oak", DateOfBirth: "2030-03-05"}, []string{"date_of_birth"}},
		{"BadDate", Person{Surname: "Oak", DateOfBirth: "01/02/1990"}, []string{"date_of_birth"}},
		{"BadSex", Person{Surname: "Oak", Sex: "Q"}, []string{"sex"}},
		{"VulnerabilityNotVulnerable", Person{Surname: "Oak", Vulnerability: "dementia"}, []string{"vulnerability"}},
		{"BadAlias", Person{Surname: "Oak", Aliases: []PersonName{{Forenames: "G"}}}, []string{"aliases[0].surname"}},
		{"BadReference", Person{Surname: "Oak", Reference: "has space"}, []string{"reference"}},
		{"LongDescription", Person{Surname: "Oak", Description: strings.Repeat("x", MaxDescription+1)}, []string{"description"}},
		{"BadUTF8", Person{Surname: "Oak\xff"}, []string{"surname"}},
		{"VehicleMarker", Person{Surname: "Oak", Markers: []Marker{{Code: "STOLEN", Date: "2029-01-01", Source: "PNC"}}}, []string{"markers[0].code"}},
		{"MarkerNoDateOrSource", Person{Surname: "Oak", Markers: []Marker{{Code: "VI"}}}, []string{"markers[0].date", "markers[0].source"}},
		{"MarkerReviewBefore", Person{Surname: "Oak", Markers: []Marker{{Code: "VI", Date: "2029-01-01", ReviewDate: "2028-01-01", Source: "PNC"}}},
			[]string{"markers[0].review_date"}},
		{"MarkerBadSeverity", Person{Surname: "Oak", Markers: []Marker{{Code: "VI", Severity: "EXTREME", Date: "2029-01-01", Source: "PNC"}}},
			[]string{"markers[0].severity"}},
		{"TooManyMarkers", Person{Surname: "Oak", Markers: make([]Marker, MaxMarkers+1)}, []string{"markers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate(today)
			var got []string
			if e, ok := errors.AsType[*Error](err); ok {
				for k := range e.Fields {
					got = append(got, k)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			slices.Sort(tc.fields)
			if diff := cmp.Diff(tc.fields, got); diff != "" {
				t.Fatalf("fields (-want +got):\n%s", diff)
			}
		})
	}
	// Validation fills the marker from its code and defaults the sex.
	p := Person{Surname: "Oak", Markers: []Marker{{Code: "MH", Date: "2029-01-01", Source: "PNC", Severity: LevelHigh}, {Code: "FI", Date: "2029-01-01", Source: "PNC"}}}
	if err := p.Validate(today); err != nil {
		t.Fatal(err)
	}
	if p.Sex != SexUnknown || p.Markers[0].Code != "FI" || p.Markers[0].Label != "Firearms" || !p.Markers[0].OfficerSafety ||
		p.Markers[1].Severity != LevelHigh || p.Aliases == nil || p.Addresses == nil {
		t.Fatalf("validated person = %+v", p)
	}
}

func TestLocationRecordFilterValidate(t *testing.T) {
	t.Parallel()
	f := LocationRecordFilter{Near: &Position{Lat: 50.7, Lon: -2.4}}
	if err := f.Validate(); err != nil || f.RadiusM != DefaultRadiusM {
		t.Fatalf("Validate = %v, radius %g", err, f.RadiusM)
	}
	for _, f := range []LocationRecordFilter{{}, {Query: "x", RadiusM: -1}, {Query: "x", Limit: MaxRecordLimit + 1}, {Near: &Position{Lat: 99}},
		{Query: strings.Repeat("x", MaxAddress+1)}} {
		if err := f.Validate(); KindOf(err) != KindInvalid {
			t.Errorf("Validate(%+v) = %v; want KindInvalid", f, err)
		}
	}
}

func TestImportError(t *testing.T) {
	t.Parallel()
	err := error(&ImportError{Rows: []RowError{{Kind: RecordPerson, Row: 2, Errors: map[string]string{"surname": "is required"}}}})
	e, ok := errors.AsType[*Error](err)
	if KindOf(err) != KindInvalid || !ok || e.Code != "invalid_rows" || !utf8.ValidString(err.Error()) {
		t.Fatalf("ImportError kind %s, %+v", KindOf(err), e)
	}
}
