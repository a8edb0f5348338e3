package natsbus

import (
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func TestFixesRoundTrip(t *testing.T) {
	speed, heading := 12.5, 271.0
	in := []bluelamp.PositionReport{
		{UnitID: 7, Lat: 50.9049, Lon: -1.4043, Accuracy: 8, Speed: &speed, Heading: &heading, At: time.Date(2026, 11, 27, 22, 0, 1, 123456000, time.UTC)},
		{UnitID: 1 << 40, Lat: -0.5, Lon: 179.9, At: time.Date(2026, 11, 27, 22, 0, 2, 0, time.UTC)},
	}
	node := NewNodeID()
	buf := append([]byte{}, node[:]...)
	for _, r := range in {
		buf = appendFix(buf, &r)
	}
	from, out, err := decodeFixes(buf)
	if err != nil || from != node {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip (-sent +received):\n%s", diff)
	}
	if _, _, err := decodeFixes(buf[:len(buf)-1]); err == nil {
		t.Error("a truncated batch decoded")
	}
}

func FuzzDecodeFixes(f *testing.F) {
	f.Add(make([]byte, nodeIDSize+fixSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, out, err := decodeFixes(b)
		if err == nil && len(out) != (len(b)-nodeIDSize)/fixSize {
			t.Fatalf("%d fixes from %d bytes", len(out), len(b))
		}
	})
}

// TestSharePositions shares a batch between two subscribers of one bus,
// each skipping its own.
func TestSharePositions(t *testing.T) {
	b := New("")
	if err := b.Open(); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a, c := NewNodeID(), NewNodeID()
	got := make(chan []bluelamp.PositionReport, 2)
	stop, err := b.SubscribePositions(a, func(force bluelamp.ForceID, rs []bluelamp.PositionReport) {
		if force != "wessex" {
			t.Errorf("force %q", force)
		}
		got <- rs
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	fix := []bluelamp.PositionReport{{UnitID: 3, Lat: 51, Lon: -2, At: time.Now().UTC().Truncate(time.Microsecond)}}
	if err := b.SharePositions(a, "wessex", fix); err != nil { // its own: skipped
		t.Fatal(err)
	}
	if err := b.SharePositions(c, "wessex", fix); err != nil {
		t.Fatal(err)
	}
	select {
	case rs := <-got:
		if len(rs) != 1 || rs[0].UnitID != 3 {
			t.Errorf("received %+v", rs)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no batch")
	}
	select {
	case rs := <-got:
		t.Errorf("a node received its own batch: %+v", rs)
	case <-time.After(200 * time.Millisecond):
	}
}
