package eido

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// An EIDO location is a PIDF-LO document (RFC 4119, RFC 5491) as a string.
// bluelamp writes one tuple whose location-info holds the position as a
// GML point in WGS84 (EPSG:4326, latitude first) and the address text as a
// civic address (RFC 5139). RFC 5139 has no element for a whole address,
// so the text goes in LOC ("additional location information"), with
// country GB; the same text is the location's description.

const (
	nsPIDF  = "urn:ietf:params:xml:ns:pidf"
	nsGP    = "urn:ietf:params:xml:ns:pidf:geopriv10"
	nsGML   = "http://www.opengis.net/gml"
	nsCivic = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
)

// pidf writes l as a PIDF-LO document for entity.
func pidf(entity string, l bluelamp.Location) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<presence xmlns="` + nsPIDF + `" xmlns:gp="` + nsGP + `" xmlns:gml="` + nsGML + `" xmlns:ca="` + nsCivic + `" entity="`)
	xmlEscape(&b, entity)
	b.WriteString(`"><tuple id="incident"><status><gp:geopriv><gp:location-info>`)
	if p := l.Position; p != nil {
		b.WriteString(`<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>`)
		b.WriteString(strconv.FormatFloat(p.Lat, 'f', -1, 64) + " " + strconv.FormatFloat(p.Lon, 'f', -1, 64))
		b.WriteString(`</gml:pos></gml:Point>`)
	}
	if l.Address != "" {
		b.WriteString(`<ca:civicAddress xml:lang="en-GB"><ca:country>GB</ca:country><ca:LOC>`)
		xmlEscape(&b, l.Address)
		b.WriteString(`</ca:LOC></ca:civicAddress>`)
	}
	b.WriteString(`</gp:location-info><gp:usage-rules/><gp:method>Manual</gp:method></gp:geopriv></status></tuple></presence>`)
	return b.String()
}

func xmlEscape(b *strings.Builder, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// civicOrder is the order RFC 5139 civic address elements are joined in
// to make address text: name, street line, extra detail, then the
// administrative areas from smallest to country.
var civicOrder = []string{"NAM", "street", "LOC", "A6", "A5", "A4", "A3", "A2", "A1", "PC", "country"}

var streetParts = []string{"HNO", "HNS", "PRD", "RD", "STS", "POD"}

// parsePIDF reads the first GML position and the first civic address of a
// PIDF-LO document. A position that is not a WGS84 latitude and longitude
// is an error; a document with neither gives neither.
func parsePIDF(doc string) (string, *bluelamp.Position, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	var pos *bluelamp.Position
	civic := map[string]string{}
	inCivic, civicDone := false, false
	var field string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", nil, errors.New("PIDF-LO is not well-formed XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == nsGML && t.Name.Local == "pos" && pos == nil:
				field = "pos"
			case t.Name.Space == nsCivic && t.Name.Local == "civicAddress" && !civicDone:
				inCivic = true
			case inCivic:
				field = t.Name.Local
			default:
				continue
			}
			text.Reset()
		case xml.CharData:
			if field != "" && text.Len() < MaxDocument {
				text.Write(t)
			}
		case xml.EndElement:
			switch {
			case field == "pos" && t.Name.Local == "pos":
				p, err := parsePos(text.String())
				if err != nil {
					return "", nil, err
				}
				pos = &p
			case inCivic && t.Name.Local == "civicAddress":
				inCivic, civicDone = false, true
			case inCivic && field == t.Name.Local:
				if v := strings.Join(strings.Fields(text.String()), " "); v != "" {
					civic[field] = v
				}
			}
			field = ""
		}
	}
	var street []string
	for _, k := range streetParts {
		if v := civic[k]; v != "" {
			street = append(street, v)
		}
	}
	civic["street"] = strings.Join(street, " ")
	var parts []string
	for _, k := range civicOrder {
		if v := civic[k]; v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, ", "), pos, nil
}

// parsePos reads a GML pos in EPSG:4326 order: latitude, longitude and an
// optional altitude.
func parsePos(s string) (bluelamp.Position, error) {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return bluelamp.Position{}, errors.New("gml:pos is not a latitude and longitude")
	}
	lat, err1 := strconv.ParseFloat(f[0], 64)
	lon, err2 := strconv.ParseFloat(f[1], 64)
	p := bluelamp.Position{Lat: lat, Lon: lon}
	if err1 != nil || err2 != nil || !p.Valid() {
		return bluelamp.Position{}, errors.New("gml:pos is not a WGS84 latitude (±90) and longitude (±180)")
	}
	return p, nil
}
