package osgrid

import (
	"errors"
	"math"
	"strings"
	"testing"
)

var parseTests = []struct {
	name      string
	in        string
	want      GridRef
	precision float64
}{
	{"TenDigitsSpaced", "SU 37230 15650", GridRef{437230.5, 115650.5}, 1},
	{"TenDigitsRunTogether", "SU3723015650", GridRef{437230.5, 115650.5}, 1},
	{"SurroundingSpace", "  SU 37230 15650\t", GridRef{437230.5, 115650.5}, 1},
	{"EightDigits", "SU 3723 1565", GridRef{437235, 115655}, 10},
	{"SixDigitsLowerCase", "su 372 156", GridRef{437250, 115650}, 100},
	{"MixedCase", "sU372156", GridRef{437250, 115650}, 100},
	{"FourDigits", "SU 37 15", GridRef{437500, 115500}, 1000},
	{"TwoDigits", "SU37", GridRef{435000, 175000}, 10000},
	{"FarNorth", "HP 40000 12000", GridRef{440000.5, 1212000.5}, 1},
	{"FarEast", "TG 51409 13177", GridRef{651409.5, 313177.5}, 1},
	{"SeaSquareAtFalseOrigin", "SV 00000 00000", GridRef{0.5, 0.5}, 1},
	{"NorthEastCorner", "JM 99999 99999", GridRef{699999.5, 1299999.5}, 1},
	{"NumericComma", "437230, 115650", GridRef{437230, 115650}, 0},
	{"NumericNoSpace", "437230,115650", GridRef{437230, 115650}, 0},
	{"NumericSpace", "437230 115650", GridRef{437230, 115650}, 0},
	{"NumericDecimals", "437230.25 , 115650.75", GridRef{437230.25, 115650.75}, 0},
	{"NumericOrigin", "0, 0", GridRef{0, 0}, 0},
	{"NumericNearLimits", "699999.9, 1299999.9", GridRef{699999.9, 1299999.9}, 0},
}

var parseErrorTests = []struct {
	name   string
	in     string
	reason string
}{
	{"Empty", "", "is empty"},
	{"OnlySpace", " \t ", "is empty"},
	{"HalvesDiffer", "SZ 1234 567", "the two halves must have the same number of digits"},
	{"OddDigits", "SU372", "has 3 digits; it needs an even number (2, 4, 6, 8 or 10)"},
	{"NonDigit", "SU 3723X 15650", `unexpected character 'X': after the letters only digits may follow`},
	{"NonASCIIDigit", "SU ３７２ 156", `unexpected character '３': after the letters only digits may follow`},
	{"CommaInLettersForm", "SU 372, 156", `unexpected character ',': after the letters only digits may follow`},
	{"ThreeGroups", "SU 372 156 1", "has 3 groups of digits; give at most two (easting and northing)"},
	{"TooManyDigitsSpaced", "SU 372301 156501", "has 12 digits; at most 10 are allowed"},
	{"TooManyDigits", "SU372301156501", "has 12 digits; at most 10 are allowed"},
	{"LetterI", "SI 37230 15650", "the letter I is not used in grid references"},
	{"LetterIFirst", "iu 372 156", "the letter I is not used in grid references"},
	{"LettersWestOfGrid", "AA 12345 12345", "grid letters AA are outside the National Grid"},
	{"LettersEastOfGrid", "TK 123 456", "grid letters TK are outside the National Grid"},
	{"LettersNorthOfGrid", "HE 123 456", "grid letters HE are outside the National Grid"},
	{"LettersOnly", "SU", "grid letters SU must be followed by digits"},
	{"OneLetter", "S 372 156", "must start with two grid letters, such as SU"},
	{"LetterThenDigit", "S1 2345", "must start with two grid letters, such as SU"},
	{"Symbol", "#SU 372 156", `must start with two grid letters (such as SU) or an easting in metres, not '#'`},
	{"NumericOneNumber", "437230", "the numeric form is an easting and a northing in metres, such as 437230, 115650"},
	{"NumericThreeNumbers", "437230, 115650, 12", "the numeric form is an easting and a northing in metres, such as 437230, 115650"},
	{"NumericThreeNumbersSpaced", "437230 115650 12", "the numeric form is an easting and a northing in metres, such as 437230, 115650"},
	{"NumericMissingNorthing", "437230,", "the numeric form is an easting and a northing in metres, such as 437230, 115650"},
	{"NumericExponent", "4.3723e5, 115650", `easting "4.3723e5" is not a number of metres`},
	{"NumericNaN", "437230, NaN", `northing "NaN" is not a number of metres`},
	{"NumericLetters", "437230, SU", `northing "SU" is not a number of metres`},
	{"NumericTrailingPoint", "437230., 115650", `easting "437230." is not a number of metres`},
	{"EastingTooLarge", "700000, 115650", "easting 700000 is outside the National Grid (0 to 700000)"},
	{"EastingNegative", "-1, 115650", "easting -1 is outside the National Grid (0 to 700000)"},
	{"NorthingTooLarge", "437230, 1300000", "northing 1300000 is outside the National Grid (0 to 1300000)"},
	{"TooLong", "SU " + strings.Repeat("1", 70), "is longer than 64 characters"},
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, precision, err := ParseWithPrecision(tt.in)
			if err != nil {
				t.Fatalf("ParseWithPrecision(%q): %v", tt.in, err)
			}
			if got != tt.want || precision != tt.precision {
				t.Errorf("ParseWithPrecision(%q) = %v, %v, %v; want %v, %v, %v",
					tt.in, got.Easting, got.Northing, precision, tt.want.Easting, tt.want.Northing, tt.precision)
			}
			if g, err := Parse(tt.in); err != nil || g != got {
				t.Errorf("Parse(%q) = %v, %v; want %v, nil", tt.in, g, err, got)
			}
		})
	}
}

func TestParseError(t *testing.T) {
	t.Parallel()
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Parse(tt.in)
			pe, ok := errors.AsType[*ParseError](err)
			if !ok {
				t.Fatalf("Parse(%q) = %v, %v; want a *ParseError", tt.in, g, err)
			}
			if got, want := pe.Reason, tt.reason; got != want {
				t.Errorf("Parse(%q) reason = %q, want %q", tt.in, got, want)
			}
			if got, want := pe.Input, tt.in; got != want {
				t.Errorf("Parse(%q) input = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"OK", "SZ 1234 567", `grid reference "SZ 1234 567": the two halves must have the same number of digits`},
		{"LongInputCut", strings.Repeat("x", 40), `grid reference "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…": grid letters XX are outside the National Grid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tt.in)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	g := GridRef{437230.5, 115650.5}
	tests := []struct {
		name   string
		g      GridRef
		digits int
		want   string
	}{
		{"Ten", g, 10, "SU 37230 15650"},
		{"Eight", g, 8, "SU 3723 1565"},
		{"Six", g, 6, "SU 372 156"},
		{"Four", g, 4, "SU 37 15"},
		{"Two", g, 2, "SU 3 1"},
		{"OddRoundsDown", g, 7, "SU 372 156"},
		{"TooFewDigits", g, 0, "SU 3 1"},
		{"TooManyDigits", g, 12, "SU 37230 15650"},
		{"TruncatesNotRounds", GridRef{437239.99, 115659.99}, 8, "SU 3723 1565"},
		{"LeadingZeros", GridRef{400012, 100003}, 10, "SU 00012 00003"},
		{"FarNorth", GridRef{440000, 1212000}, 10, "HP 40000 12000"},
		{"FalseOrigin", GridRef{0, 0}, 10, "SV 00000 00000"},
		{"NorthEastCorner", GridRef{699999.9, 1299999.9}, 10, "JM 99999 99999"},
		{"OffGridEast", GridRef{812345, 100000}, 10, "812345, 100000"},
		{"OffGridSouth", GridRef{437230, -5}, 10, "437230, -5"},
		{"OffGridNaN", GridRef{math.NaN(), 0}, 10, "NaN, 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.g, tt.digits); got != tt.want {
				t.Errorf("Format(%v, %v, %d) = %q, want %q", tt.g.Easting, tt.g.Northing, tt.digits, got, tt.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	t.Parallel()
	if got, want := (GridRef{437230.5, 115650.5}).String(), "SU 37230 15650"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestLettersEverySquare checks that Format and Parse letter all 91 of the
// grid's 100 km squares the same way.
func TestLettersEverySquare(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for e := range MaxEasting / 100000 {
		for n := range MaxNorthing / 100000 {
			g := GridRef{float64(e)*100000 + 50000, float64(n)*100000 + 50000}
			s := Format(g, 2)
			if seen[s[:2]] {
				t.Errorf("square %d, %d: letters %s used twice", e, n, s[:2])
			}
			seen[s[:2]] = true
			back, err := Parse(s)
			if err != nil || back != (GridRef{g.Easting + 5000, g.Northing + 5000}) {
				t.Errorf("Parse(Format(%v)) = %v, %v; want the centre of square %q", g, back, err, s)
			}
		}
	}
}

// TestFormatParseRoundTrip checks that formatting a parsed reference to its
// own precision gives a reference that parses to the same point.
func TestFormatParseRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			checkReparse(t, tt.in)
		})
	}
}

// checkReparse parses s and, if that succeeds, checks that the result
// formats and parses back to within the reference's precision.
func checkReparse(t *testing.T, s string) {
	t.Helper()
	g, precision, err := ParseWithPrecision(s)
	if err != nil {
		return
	}
	if precision > 0 {
		digits := 2 * (5 - int(math.Round(math.Log10(precision))))
		back, p, err := ParseWithPrecision(Format(g, digits))
		if err != nil || back != g || p != precision {
			t.Errorf("%q: Parse(Format(g, %d) = %q) = %v, %v, %v; want %v, %v",
				s, digits, Format(g, digits), back, p, err, g, precision)
		}
	}
	ten := g.String()
	back, err := Parse(ten)
	if err != nil {
		t.Fatalf("%q: Parse(String() = %q): %v", s, ten, err)
	}
	// A 10-digit reference names the 1 m square holding g, and parses to
	// its centre, so it is within 0.5 m of g in each axis.
	if math.Abs(back.Easting-g.Easting) > 0.5 || math.Abs(back.Northing-g.Northing) > 0.5 {
		t.Errorf("%q: Parse(String() = %q) = %v, %v; want within 0.5 m of %v, %v",
			s, ten, back.Easting, back.Northing, g.Easting, g.Northing)
	}
}

// FuzzParse checks that Parse never panics, that every error is a
// *ParseError with a reason, and that whatever parses formats and parses
// back to within its precision. Seeds: the table tests here and
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	for _, tt := range parseErrorTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _, err := ParseWithPrecision(s)
		if err != nil {
			pe, ok := errors.AsType[*ParseError](err)
			if !ok || pe.Reason == "" || pe.Input != s {
				t.Fatalf("ParseWithPrecision(%q) error = %#v; want a *ParseError with a reason", s, err)
			}
			return
		}
		checkReparse(t, s)
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("SU 37230 15650"); err != nil {
			b.Fatal(err)
		}
	}
}
