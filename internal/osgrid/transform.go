package osgrid

import (
	"fmt"
	"math"
)

// The formulas and constants below are from the Ordnance Survey's "A Guide to
// coordinate systems in Great Britain": Annex A (ellipsoids, National Grid),
// Annex B (geodetic to Cartesian and back), section 6.6 and equation (3)
// (Helmert transformation) and Annex C (Transverse Mercator).

type ellipsoid struct {
	a, b float64 // semi-major and semi-minor axes, metres
	e2   float64 // eccentricity squared, (a²-b²)/a²
}

func newEllipsoid(a, b float64) ellipsoid {
	return ellipsoid{a: a, b: b, e2: (a*a - b*b) / (a * a)}
}

var (
	airy1830 = newEllipsoid(6377563.396, 6356256.909)  // OSGB36
	grs80    = newEllipsoid(6378137.000, 6356752.3141) // ETRS89, which WGS84 matches here to under a metre
)

// The National Grid's Transverse Mercator projection.
const (
	f0    = 0.9996012717 // scale factor on the central meridian
	phi0  = 49 * math.Pi / 180
	lam0  = -2 * math.Pi / 180
	e0    = 400000.0
	north = -100000.0 // N0, the northing of the true origin
)

// helmert is a 7-parameter transformation: translations in metres, scale
// in parts per million, rotations in seconds of arc.
type helmert struct {
	tx, ty, tz, s, rx, ry, rz float64
}

// etrs89ToOSGB36 is the OS's published approximate transformation from
// ETRS89 (WGS84) to OSGB36, "error up to 3.5 m (95%)".
var etrs89ToOSGB36 = helmert{
	tx: -446.448, ty: 125.157, tz: -542.060,
	s:  20.4894,
	rx: -0.1502, ry: -0.2470, rz: -0.8421,
}

func (h helmert) apply(x, y, z float64) (float64, float64, float64) {
	const arcsec = math.Pi / (180 * 3600)
	s := 1 + h.s*1e-6
	rx, ry, rz := h.rx*arcsec, h.ry*arcsec, h.rz*arcsec
	return h.tx + s*x - rz*y + ry*z,
		h.ty + rz*x + s*y - rx*z,
		h.tz - ry*x + rx*y + s*z
}

// toCartesian converts geodetic latitude and longitude (radians) at height
// zero on el to Earth-centred Cartesian coordinates.
func (el ellipsoid) toCartesian(phi, lam float64) (x, y, z float64) {
	sin, cos := math.Sincos(phi)
	nu := el.a / math.Sqrt(1-el.e2*sin*sin)
	return nu * cos * math.Cos(lam), nu * cos * math.Sin(lam), (1 - el.e2) * nu * sin
}

// toGeodetic converts Cartesian coordinates to latitude and longitude
// (radians) on el, dropping the height.
func (el ellipsoid) toGeodetic(x, y, z float64) (phi, lam float64) {
	p := math.Hypot(x, y)
	phi = math.Atan2(z, p*(1-el.e2))
	for range 10 {
		sin := math.Sin(phi)
		nu := el.a / math.Sqrt(1-el.e2*sin*sin)
		next := math.Atan2(z+el.e2*nu*sin, p)
		done := math.Abs(next-phi) < 1e-14
		phi = next
		if done {
			break
		}
	}
	return phi, math.Atan2(y, x)
}

// meridianArc is M in Annex C: the distance along the central meridian from
// the true origin's latitude to phi, scaled by f0.
func meridianArc(phi float64) float64 {
	a, b := airy1830.a, airy1830.b
	n := (a - b) / (a + b)
	n2, n3 := n*n, n*n*n
	dp, sp := phi-phi0, phi+phi0
	return b * f0 * ((1+n+5.0/4*n2+5.0/4*n3)*dp -
		(3*n+3*n2+21.0/8*n3)*math.Sin(dp)*math.Cos(sp) +
		(15.0/8*n2+15.0/8*n3)*math.Sin(2*dp)*math.Cos(2*sp) -
		35.0/24*n3*math.Sin(3*dp)*math.Cos(3*sp))
}

// project is Annex C.1: OSGB36 latitude and longitude (radians) to grid.
func project(phi, lam float64) GridRef {
	a, e2 := airy1830.a, airy1830.e2
	sin, cos := math.Sincos(phi)
	tan2 := (sin / cos) * (sin / cos)
	tan4 := tan2 * tan2
	w := 1 - e2*sin*sin
	nu := a * f0 / math.Sqrt(w)
	rho := a * f0 * (1 - e2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1
	cos3, cos5 := cos*cos*cos, cos*cos*cos*cos*cos

	i := meridianArc(phi) + north
	ii := nu / 2 * sin * cos
	iii := nu / 24 * sin * cos3 * (5 - tan2 + 9*eta2)
	iiia := nu / 720 * sin * cos5 * (61 - 58*tan2 + tan4)
	iv := nu * cos
	v := nu / 6 * cos3 * (nu/rho - tan2)
	vi := nu / 120 * cos5 * (5 - 18*tan2 + tan4 + 14*eta2 - 58*tan2*eta2)

	d := lam - lam0
	d2 := d * d
	return GridRef{
		Easting:  e0 + d*(iv+d2*(v+d2*vi)),
		Northing: i + d2*(ii+d2*(iii+d2*iiia)),
	}
}

// unproject is the inverse of project: grid to OSGB36 latitude and
// longitude (radians). The Annex C.2 series (unprojectSeries) and the C.1
// series are each truncated, so they disagree by up to about 1.5 mm at the
// grid's far corners; one or two corrections by the C.2 series make unproject
// the exact inverse of project, and so ToWGS84 that of FromWGS84.
func unproject(g GridRef) (phi, lam float64) {
	tphi, tlam := unprojectSeries(g)
	phi, lam = tphi, tlam
	for range 5 {
		p, l := unprojectSeries(project(phi, lam))
		dphi, dlam := tphi-p, tlam-l
		phi += dphi
		lam += dlam
		if math.Abs(dphi) < 1e-12 && math.Abs(dlam) < 1e-12 {
			break
		}
	}
	return phi, lam
}

// unprojectSeries is Annex C.2: grid to OSGB36 latitude and longitude
// (radians).
func unprojectSeries(g GridRef) (phi, lam float64) {
	a, e2 := airy1830.a, airy1830.e2
	phi = (g.Northing-north)/(a*f0) + phi0
	// The guide iterates until the residual is under 0.01 mm; the cap only
	// guards against a non-finite input, which never converges.
	for range 100 {
		r := g.Northing - north - meridianArc(phi)
		if math.Abs(r) < 1e-5 {
			break
		}
		phi += r / (a * f0)
	}
	sin, cos := math.Sincos(phi)
	sec := 1 / cos
	tan := sin / cos
	tan2 := tan * tan
	tan4, tan6 := tan2*tan2, tan2*tan2*tan2
	w := 1 - e2*sin*sin
	nu := a * f0 / math.Sqrt(w)
	rho := a * f0 * (1 - e2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1
	nu3, nu5, nu7 := nu*nu*nu, nu*nu*nu*nu*nu, nu*nu*nu*nu*nu*nu*nu

	vii := tan / (2 * rho * nu)
	viii := tan / (24 * rho * nu3) * (5 + 3*tan2 + eta2 - 9*tan2*eta2)
	ix := tan / (720 * rho * nu5) * (61 + 90*tan2 + 45*tan4)
	x := sec / nu
	xi := sec / (6 * nu3) * (nu/rho + 2*tan2)
	xii := sec / (120 * nu5) * (5 + 28*tan2 + 24*tan4)
	xiia := sec / (5040 * nu7) * (61 + 662*tan2 + 1320*tan4 + 720*tan6)

	d := g.Easting - e0
	d2 := d * d
	return phi - d2*(vii-d2*(viii-d2*ix)),
		lam0 + d*(x-d2*(xi-d2*(xii-d2*xiia)))
}

// wgs84ToOSGB36 moves a WGS84 position (radians, on the ellipsoid) to
// OSGB36 latitude and longitude (radians) by the Helmert transformation.
func wgs84ToOSGB36(phi, lam float64) (float64, float64) {
	return airy1830.toGeodetic(etrs89ToOSGB36.apply(grs80.toCartesian(phi, lam)))
}

// FromWGS84 returns the National Grid position of a WGS84 latitude and
// longitude in decimal degrees. The error, wrapping ErrOutsideGrid, is for a
// position off the grid (outside 0 to MaxEasting, 0 to MaxNorthing) or not a
// finite latitude and longitude. Accuracy is a few metres; see the package
// documentation.
func FromWGS84(lat, lon float64) (GridRef, error) {
	// The box is generous around the grid (its corners are within 49.7°N to
	// 61.5°N, 9.5°W to 3.7°E); outside it the projection series are far from
	// their range and could fold a distant point back onto the grid.
	if !(lat >= 45 && lat <= 65 && lon >= -15 && lon <= 10) {
		return GridRef{}, fmt.Errorf("latitude %g, longitude %g: %w", lat, lon, ErrOutsideGrid)
	}
	g := project(wgs84ToOSGB36(lat*math.Pi/180, lon*math.Pi/180))
	if !(g.Easting >= 0 && g.Easting < MaxEasting && g.Northing >= 0 && g.Northing < MaxNorthing) {
		return GridRef{}, fmt.Errorf("latitude %g, longitude %g: %w", lat, lon, ErrOutsideGrid)
	}
	return g, nil
}

// ToWGS84 returns the WGS84 latitude and longitude, in decimal degrees, of a
// National Grid position. It is the inverse of FromWGS84, solved by
// iteration, so FromWGS84(ToWGS84(g)) returns g to well under a millimetre.
// It does not check g against the grid's extent: a position just off the
// grid converts by the same formulas, with accuracy that falls off with
// distance from Great Britain. A non-finite g gives NaN.
func ToWGS84(g GridRef) (lat, lon float64) {
	if math.IsNaN(g.Easting+g.Northing) || math.IsInf(g.Easting+g.Northing, 0) {
		return math.NaN(), math.NaN()
	}
	tphi, tlam := unproject(g)
	// The Helmert shift is near enough a translation in latitude and
	// longitude (about 100 m) that correcting by the residual shrinks the
	// error by a factor of about 10⁻⁴ each time: once a step is under
	// 10⁻¹² radians (6 µm), what is left is far below a micrometre.
	phi, lam := tphi, tlam
	for range 10 {
		p, l := wgs84ToOSGB36(phi, lam)
		dphi, dlam := tphi-p, tlam-l
		phi += dphi
		lam += dlam
		if math.Abs(dphi) < 1e-12 && math.Abs(dlam) < 1e-12 {
			break
		}
	}
	return phi * 180 / math.Pi, lam * 180 / math.Pi
}
