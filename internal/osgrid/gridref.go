// Package osgrid reads and writes Ordnance Survey National Grid references
// and converts between OSGB36 National Grid eastings/northings and WGS84
// latitude/longitude.
//
// # Grid references
//
// Parse accepts the letters form ("SU 37230 15650", "SU3723015650",
// "su 372 156", "SU37": two grid letters then 2, 4, 6, 8 or 10 digits, spaces
// optional) and the numeric form ("437230, 115650" or "437230 115650":
// easting then northing in metres, decimals allowed). The grid is the
// 700 km by 1300 km rectangle of the National Grid; any letter pair inside it
// parses, including squares with no land at all (such as JM, east of
// Shetland), because a position at sea is still a position. Letter pairs
// outside the rectangle, and any pair with an I, are refused.
//
// # Accuracy
//
// The projection is the OS's Transverse Mercator on the Airy 1830 ellipsoid,
// with the series formulas of "A Guide to coordinate systems in Great
// Britain" (Ordnance Survey), which reproduce the guide's worked example to
// under 1 mm. The datum change is NOT OSTN15: OSTN15 needs the OS's 1 km
// shift grid (about 15 MB), and no licensed copy of it can be had from the
// package registries this project builds from. The datum change is the OS's
// published 7-parameter Helmert transformation from ETRS89 to OSGB36, whose
// error the OS states as up to 3.5 m (95%). Measured against the 40 OSTN15
// test points the OS publishes (TP01 to TP40, from the Scilly Isles to
// Shetland, given in ETRS89), the horizontal error is:
//
//	WGS84 to grid (FromWGS84): mean 1.94 m, max 4.94 m
//	grid to WGS84 (ToWGS84):   mean 1.94 m, max 4.93 m
//
// 36 of the 40 points are within 3.3 m; the four beyond 4 m are at the far
// south-west and north-west (TP01 and TP02 in the Scilly Isles and west
// Cornwall, TP31 and TP32 at St Kilda and the Flannan Isles), where the
// single Helmert fits OSGB36 worst. WGS84 is taken to be ETRS89, as the OS
// does for this transformation; the two drift apart by about 2.5 cm a year
// with the European plate and are under a metre apart in the 2020s, which
// adds to the figures above for a position from a current GPS fix.
// Positions for dispatch are therefore good to a few metres, not to the
// centimetre; survey-grade work needs OSTN15. ToWGS84 is the exact inverse of
// FromWGS84, so a round trip between the two returns the grid reference it
// started from to well under 1 mm.
package osgrid

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The National Grid's extent in metres: eastings run over [0, MaxEasting)
// and northings over [0, MaxNorthing).
const (
	MaxEasting  = 700000
	MaxNorthing = 1300000
)

// maxInput is the longest string Parse looks at; the longest sensible
// reference ("437230.123456, 1115650.123456") is well under it.
const maxInput = 64

// GridRef is a position on the OSGB36 National Grid: easting and northing in
// metres from the grid's false origin, south-west of the Scilly Isles. The
// zero value is the false origin itself.
type GridRef struct {
	Easting, Northing float64
}

// ParseError is the only error Parse and ParseWithPrecision return: Input is
// the text as given and Reason says what is wrong with it, in words fit to
// show the person who typed it (the HTTP layer reports it against the field
// that held the reference).
type ParseError struct {
	Input  string
	Reason string
}

// Error returns `grid reference "INPUT": REASON`, with INPUT cut short if it
// is long.
func (e *ParseError) Error() string {
	in := e.Input
	if utf8.RuneCountInString(in) > 32 {
		in = string([]rune(in)[:32]) + "…"
	}
	return fmt.Sprintf("grid reference %q: %s", in, e.Reason)
}

// ErrOutsideGrid is returned (wrapped) by FromWGS84 for a position that is
// not on the National Grid, or is not a finite latitude and longitude.
var ErrOutsideGrid = errors.New("position is outside the National Grid")

// Parse reads a grid reference in the letters or numeric form (see the
// package documentation). A letters reference of fewer than 10 digits names a
// square, not a point, and Parse returns the centre of that square: "SU37"
// is the 10 km square whose south-west corner is 430000, 170000, and Parse
// returns 435000, 175000. Even a 10-digit reference names a 1 m square, so
// "SU 37230 15650" is 437230.5, 115650.5. The numeric form is returned as
// given. Every error is a *ParseError.
func Parse(s string) (GridRef, error) {
	g, _, err := ParseWithPrecision(s)
	return g, err
}

// ParseWithPrecision is Parse that also returns the size in metres of the
// square the reference names (1 for 10 digits, 10 for 8, 100 for 6, 1000 for
// 4, 10000 for 2), so that callers can show how precise a position is; g is
// the centre of that square, so the true position is within precision/2 of
// g in each axis. For the numeric form precision is 0: the reference is a
// point. Every error is a *ParseError.
func ParseWithPrecision(s string) (g GridRef, precision float64, err error) {
	fail := func(format string, args ...any) (GridRef, float64, error) {
		return GridRef{}, 0, &ParseError{Input: s, Reason: fmt.Sprintf(format, args...)}
	}
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return fail("is empty")
	case len(t) > maxInput:
		return fail("is longer than %d characters", maxInput)
	case isLetter(t[0]):
		return parseLetters(t, fail)
	case isDigit(t[0]) || t[0] == '-' || t[0] == '.':
		return parseNumeric(t, fail)
	}
	r, _ := utf8.DecodeRuneInString(t)
	return fail("must start with two grid letters (such as SU) or an easting in metres, not %q", r)
}

type failFunc func(format string, args ...any) (GridRef, float64, error)

func parseLetters(t string, fail failFunc) (GridRef, float64, error) {
	if len(t) < 2 || !isLetter(t[1]) {
		return fail("must start with two grid letters, such as SU")
	}
	letters := strings.ToUpper(t[:2])
	if strings.Contains(letters, "I") {
		return fail("the letter I is not used in grid references")
	}
	e100, n100, ok := squareOf(letters)
	if !ok {
		return fail("grid letters %s are outside the National Grid", letters)
	}

	groups := strings.Fields(t[2:])
	for _, grp := range groups {
		for _, r := range grp {
			if r < '0' || r > '9' {
				return fail("unexpected character %q: after the letters only digits may follow", r)
			}
		}
	}
	var east, north string
	switch len(groups) {
	case 0:
		return fail("grid letters %s must be followed by digits", letters)
	case 1:
		d := groups[0]
		if len(d)%2 != 0 {
			return fail("has %d digits; it needs an even number (2, 4, 6, 8 or 10)", len(d))
		}
		east, north = d[:len(d)/2], d[len(d)/2:]
	case 2:
		east, north = groups[0], groups[1]
		if len(east) != len(north) {
			return fail("the two halves must have the same number of digits")
		}
	default:
		return fail("has %d groups of digits; give at most two (easting and northing)", len(groups))
	}
	if len(east) > 5 {
		return fail("has %d digits; at most 10 are allowed", 2*len(east))
	}

	size := math.Pow10(5 - len(east))
	ev, _ := strconv.Atoi(east)
	nv, _ := strconv.Atoi(north)
	g := GridRef{
		Easting:  float64(e100)*100000 + float64(ev)*size + size/2,
		Northing: float64(n100)*100000 + float64(nv)*size + size/2,
	}
	return g, size, nil
}

func parseNumeric(t string, fail failFunc) (GridRef, float64, error) {
	var fields []string
	if before, after, found := strings.Cut(t, ","); found {
		fields = []string{strings.TrimSpace(before), strings.TrimSpace(after)}
	} else {
		fields = strings.Fields(t)
	}
	if len(fields) != 2 || fields[0] == "" || fields[1] == "" || strings.ContainsFunc(fields[1], isSpaceOrComma) {
		return fail("the numeric form is an easting and a northing in metres, such as 437230, 115650")
	}
	e, ok := metres(fields[0])
	if !ok {
		return fail("easting %q is not a number of metres", fields[0])
	}
	n, ok := metres(fields[1])
	if !ok {
		return fail("northing %q is not a number of metres", fields[1])
	}
	if !(e >= 0 && e < MaxEasting) {
		return fail("easting %s is outside the National Grid (0 to %d)", fields[0], MaxEasting)
	}
	if !(n >= 0 && n < MaxNorthing) {
		return fail("northing %s is outside the National Grid (0 to %d)", fields[1], MaxNorthing)
	}
	return GridRef{Easting: e, Northing: n}, 0, nil
}

// metres parses a plain decimal such as "437230" or "-12.5". It refuses the
// other spellings strconv.ParseFloat allows (exponents, hex, Inf, NaN,
// underscores), which no one means as a grid position.
func metres(s string) (float64, bool) {
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(digits, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isSpaceOrComma(r rune) bool { return r == ',' || r == ' ' || r == '\t' }
func isDigit(c byte) bool        { return c >= '0' && c <= '9' }
func isLetter(c byte) bool       { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }

// letterIndex numbers the grid alphabet, A to Z without I, from 0 to 24.
func letterIndex(c byte) int {
	i := int(c - 'A')
	if c > 'I' {
		i--
	}
	return i
}

// squareOf returns the 100 km square, counted from the false origin, that
// upper-case letters name. The first letter picks a 500 km square and the
// second a 100 km square within it, each from a 5 by 5 block lettered
// left to right, top to bottom; the false origin is the south-west corner of
// square SV, which is why the first letter's block is offset.
func squareOf(letters string) (e100, n100 int, ok bool) {
	l1, l2 := letterIndex(letters[0]), letterIndex(letters[1])
	e100 = ((l1-2)%5)*5 + l2%5
	n100 = (19 - (l1/5)*5) - l2/5
	// (l1-2)%5 is negative for A and B, which lie west of the grid.
	ok = l1 >= 2 && e100 >= 0 && e100 < MaxEasting/100000 && n100 >= 0 && n100 < MaxNorthing/100000
	return e100, n100, ok
}

// lettersOf is the inverse of squareOf for a square on the grid.
func lettersOf(e100, n100 int) string {
	l1 := (19-n100)/5*5 + (e100/5 + 2)
	l2 := (19-n100)%5*5 + e100%5
	const alphabet = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
	return string([]byte{alphabet[l1], alphabet[l2]})
}

// String returns g as a 10-digit letters reference, "SU 37230 15650";
// Format(g, 10).
func (g GridRef) String() string { return Format(g, 10) }

// Format returns g as a letters reference with the given number of digits,
// "SU 37230 15650" for 10 and "SU 372 156" for 6. Digits are truncated, not
// rounded, so the reference names the square that contains g, as OS
// references always do. digits is one of 2, 4, 6, 8 or 10; an odd number is
// taken as the even number below it, and anything outside 2 to 10 as the
// nearer of those. A g off the grid (see MaxEasting, MaxNorthing) has no
// letters, and Format returns it in the numeric form to the metre,
// "812345, 100000", which Parse rejects with a reason.
func Format(g GridRef, digits int) string {
	digits = max(2, min(10, digits)) / 2 * 2
	if !(g.Easting >= 0 && g.Easting < MaxEasting && g.Northing >= 0 && g.Northing < MaxNorthing) {
		return fmt.Sprintf("%.0f, %.0f", g.Easting, g.Northing)
	}
	e, n := int(math.Floor(g.Easting)), int(math.Floor(g.Northing))
	half := digits / 2
	size := int(math.Pow10(5 - half))
	return fmt.Sprintf("%s %0*d %0*d", lettersOf(e/100000, n/100000),
		half, e%100000/size, half, n%100000/size)
}
