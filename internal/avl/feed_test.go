package avl

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

type wireFix struct {
	UnitID bluelamp.UnitID `json:"unit_id"`
	Lat    float64         `json:"lat"`
	Lon    float64         `json:"lon"`
	At     time.Time       `json:"at"`
}

// subscribe starts a subscriber and returns its frames as they come.
func subscribe(t *testing.T, f *Feed, box Box) <-chan []wireFix {
	t.Helper()
	ch := make(chan []wireFix, 16)
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	go f.Subscribe(ctx, "alpha", box, func(b []byte) error {
		var fixes []wireFix
		if err := json.Unmarshal(b, &fixes); err != nil {
			t.Errorf("frame is not JSON: %s", b)
		}
		ch <- fixes
		return nil
	})
	return ch
}

func next(t *testing.T, ch <-chan []wireFix) []wireFix {
	t.Helper()
	select {
	case fx := <-ch:
		return fx
	case <-time.After(5 * time.Second):
		t.Fatal("no frame")
		return nil
	}
}

func TestFeedThinsAndFilters(t *testing.T) {
	f := NewFeed(time.Hour) // ticked by hand
	at := t0
	rep := func(unit bluelamp.UnitID, lat, lon float64) bluelamp.PositionReport {
		at = at.Add(time.Second)
		return bluelamp.PositionReport{UnitID: unit, Lat: lat, Lon: lon, At: at}
	}
	f.Update("alpha", []bluelamp.PositionReport{rep(1, 50.5, -1.5)})
	f.Tick()
	here := subscribe(t, f, Box{MinLat: 50.4, MinLon: -1.6, MaxLat: 50.6, MaxLon: -1.4})
	all := subscribe(t, f, World)
	if snap := next(t, here); len(snap) != 1 || snap[0].UnitID != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	next(t, all)
	// Ten fixes of unit 1 in a tick reach a console as its last one; unit 2,
	// outside the box (but in a bin it meets), reaches only the other.
	for k := range 10 {
		f.Update("alpha", []bluelamp.PositionReport{rep(1, 50.5+float64(k)*0.001, -1.5)})
	}
	f.Update("alpha", []bluelamp.PositionReport{rep(2, 50.65, -1.45)})
	f.Tick()
	got := next(t, here)
	if len(got) != 1 || got[0].UnitID != 1 || got[0].Lat != 50.509 {
		t.Errorf("thinned frame %+v", got)
	}
	if got := next(t, all); len(got) != 2 {
		t.Errorf("world frame %+v", got)
	}
	// An older fix than the one held changes nothing.
	f.Update("alpha", []bluelamp.PositionReport{{UnitID: 1, Lat: 1, Lon: 1, At: t0}})
	f.Tick()
	select {
	case fx := <-here:
		t.Errorf("frame for a stale fix: %+v", fx)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestFeedLaggingConsoleGetsSnapshot(t *testing.T) {
	f := NewFeed(time.Hour)
	block := make(chan struct{})
	got := make(chan []wireFix, 16)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first := true
	go f.Subscribe(ctx, "alpha", World, func(b []byte) error {
		if first {
			first = false
			<-block // a slow console
		}
		var fixes []wireFix
		json.Unmarshal(b, &fixes)
		got <- fixes
		return nil
	})
	time.Sleep(20 * time.Millisecond)
	for k := range 3 {
		f.Update("alpha", []bluelamp.PositionReport{{UnitID: bluelamp.UnitID(k + 1), Lat: 50, Lon: -1, At: t0}})
		f.Tick()
	}
	close(block)
	next(t, got) // the empty snapshot it was slow to send
	// It missed ticks, so it is sent every unit afresh.
	if fx := next(t, got); len(fx) != 3 {
		t.Errorf("after lagging: %+v", fx)
	}
}
