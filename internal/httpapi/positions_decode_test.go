package httpapi

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePositionsFast checks the fast positions decoder against the
// general one: whatever the fast one accepts, the general one accepts as
// the same value. (What it declines goes to the general one anyway.)
func FuzzDecodePositionsFast(f *testing.F) {
	for _, s := range []string{
		`{"positions":[{"unit_id":7,"lat":50.9049,"lon":-1.4043,"accuracy":8,"speed":11.2,"heading":90,"at":"2026-11-27T22:00:01.5Z"}]}`,
		`{"positions":[{"unit_id":7,"lat":50.9,"lon":-1.4,"at":"2026-11-27T22:00:01Z"},{"unit_id":8,"lat":-0,"lon":1e-3,"speed":null,"heading":null,"at":"2026-11-27T23:00:01+01:00"}]}`,
		` { "positions" : [ ] } `,
		`{"positions":[{}]}`,
		`{"positions":[{"unit_id":1.5}]}`,
		`{"positions":[{"unit_id":1,"unit_id":2}]}`,
		`{"positions":[{"lat":01}]}`,
		`{"positions":[{"at":"2026-11-27T22:00:01\u005a"}]}`,
		`{"positions":[{"lat":1e400}]}`,
		`{"positions":[{"lat":NaN}]}`,
		`{"positions":[{"extra":1}]}`,
		`{"positions":[]}trailing`,
		`{"positions":[{"at":"2026-11-27T22:00:01,5Z"}]}`,
		`{"positions":[{"at":"2026-11-27T22:00:01+24:00"}]}`,
		`{"positions":[{"at":"2026-11-27t22:00:01z"}]}`,
		`{"positions":[{"at":"2026-11-27T22:00:01.Z"}]}`,
		`{"positions":[{"at":"2026-11-27T24:00:00Z"}]}`,
		`{"positions":[{"at":"2026-11-27T22:00:01+0100"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, err := decodePositionsFast(body)
		if err != nil {
			return
		}
		var slow positionsRequest
		if err := decodeBody(body, &slow); err != nil {
			t.Fatalf("fast decoder accepted what the general one refuses (%v): %q", err, body)
		}
		if diff := cmp.Diff(slow, fast); diff != "" {
			t.Fatalf("decoders disagree on %q (-general +fast):\n%s", body, diff)
		}
	})
}

func TestDecodePositionsFastTakesTheUsualBatch(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"positions":[`)
	for k := range 500 {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"unit_id":12,"lat":50.904912,"lon":-1.404311,"accuracy":8,"speed":11.2,"heading":271,"at":"2026-11-27T22:00:01.123456Z"}`)
	}
	b.WriteString(`]}`)
	req, err := decodePositionsFast([]byte(b.String()))
	if err != nil || len(req.Positions) != 500 || req.Positions[499].Lat != 50.904912 || *req.Positions[0].Heading != 271 {
		t.Fatalf("fast decoder: %v, %d reports", err, len(req.Positions))
	}
}

func BenchmarkDecodePositions(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"positions":[`)
	for k := range 500 {
		if k > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`{"unit_id":12,"lat":50.904912,"lon":-1.404311,"accuracy":8,"speed":11.2,"heading":271,"at":"2026-11-27T22:00:01.123456Z"}`)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodePositionsFast(body); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/fix")
	})
	b.Run("general", func(b *testing.B) {
		for b.Loop() {
			var req positionsRequest
			if err := decodeBody(body, &req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/fix")
	})
}
