package httpapi

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/bluelamp/bluelamp"
)

// errSlowPath sends a positions body the fast decoder does not handle to
// the general decoder, which gives the standard error for a bad one.
var errSlowPath = errors.New("positions: take the general decoder")

// decodePositionsFast decodes a well-formed positions batch without
// reflection: the AVL hot path, where the general decoder's cost per fix
// was most of the request's. It accepts exactly the documented shape —
// {"positions":[{...}, ...]} with the PositionIn members, each at most
// once, numbers as JSON numbers, strings without escapes — and answers
// errSlowPath for anything else, well-formed or not; it never decides a
// body is bad. The fuzz test checks that whatever it accepts, the general
// decoder accepts as the same value.
func decodePositionsFast(b []byte) (positionsRequest, error) {
	d := &fastDec{b: b}
	req := positionsRequest{Positions: []positionIn{}}
	if !d.lit('{') || !d.key("positions") || !d.lit(':') || !d.lit('[') {
		return req, errSlowPath
	}
	if !d.peek(']') {
		for {
			p, ok := d.position()
			if !ok {
				return req, errSlowPath
			}
			req.Positions = append(req.Positions, p)
			if d.lit(',') {
				continue
			}
			break
		}
	}
	if !d.lit(']') || !d.lit('}') {
		return req, errSlowPath
	}
	d.ws()
	if d.i != len(d.b) {
		return req, errSlowPath
	}
	return req, nil
}

type fastDec struct {
	b []byte
	i int
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// lit consumes c after any white space.
func (d *fastDec) lit(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *fastDec) peek(c byte) bool {
	d.ws()
	return d.i < len(d.b) && d.b[d.i] == c
}

// str reads a string without escapes or control characters.
func (d *fastDec) str() ([]byte, bool) {
	if !d.lit('"') {
		return nil, false
	}
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false // escapes and non-ASCII: the general decoder's
		}
		d.i++
	}
	return nil, false
}

func (d *fastDec) key(want string) bool {
	s, ok := d.str()
	return ok && string(s) == want
}

// number reads a JSON number's text.
func (d *fastDec) number() ([]byte, bool) {
	d.ws()
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		n := 0
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	first := d.i
	n := digits()
	if n == 0 || (n > 1 && d.b[first] == '0') {
		return nil, false
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	return d.b[start:d.i], true
}

func (d *fastDec) float() (float64, bool) {
	t, ok := d.number()
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(t), 64)
	return f, err == nil
}

// optFloat reads a number or null.
func (d *fastDec) optFloat() (*float64, bool) {
	d.ws()
	if bytes.HasPrefix(d.b[d.i:], []byte("null")) {
		d.i += 4
		return nil, true
	}
	f, ok := d.float()
	return &f, ok
}

// position reads one report object.
func (d *fastDec) position() (positionIn, bool) {
	var p positionIn
	if !d.lit('{') {
		return p, false
	}
	var seen [7]bool
	if d.lit('}') {
		return p, true
	}
	for {
		k, ok := d.str()
		if !ok || !d.lit(':') {
			return p, false
		}
		var slot int
		switch string(k) {
		case "unit_id":
			t, ok := d.number()
			if !ok {
				return p, false
			}
			n, err := strconv.ParseInt(string(t), 10, 64)
			if err != nil {
				return p, false // a fraction or exponent: the general decoder's
			}
			p.UnitID, slot = bluelamp.UnitID(n), 0
		case "lat":
			p.Lat, ok = d.float()
			slot = 1
		case "lon":
			p.Lon, ok = d.float()
			slot = 2
		case "accuracy":
			p.Accuracy, ok = d.float()
			slot = 3
		case "speed":
			p.Speed, ok = d.optFloat()
			slot = 4
		case "heading":
			p.Heading, ok = d.optFloat()
			slot = 5
		case "at":
			var s []byte
			if s, ok = d.str(); ok {
				var err error
				p.At, err = time.Parse(time.RFC3339, string(s))
				ok = err == nil
			}
			slot = 6
		default:
			return p, false
		}
		if !ok || seen[slot] {
			return p, false
		}
		seen[slot] = true
		if d.lit(',') {
			continue
		}
		return p, d.lit('}')
	}
}
