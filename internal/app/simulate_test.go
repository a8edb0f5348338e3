package app

import (
	"context"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/bluelamp/bluelamp/internal/sim"
)

// TestSimulatedControlRoom is what a newcomer sees from 'bluelamp serve
// --demo --simulate': the controller's console comes alive on its own —
// calls in the queue, units sent and moving — with no errors on either
// side.
func TestSimulatedControlRoom(t *testing.T) {
	m := startDemo(t)
	cfg, err := sim.ProfileConfig("demo", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target, cfg.Admin = m.URL(), sim.Credentials{Username: demo.AdminUsername, Password: demo.Password}
	cfg.Acceleration = 10 // a minute of the shift every six seconds
	s, err := sim.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan *sim.Results, 1)
	go func() {
		r, err := s.Run(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()

	ctl := newSession(t, m.URL(), "simulated", "demo.controller")
	ctl.open("/control")
	ctl.wait(`document.querySelectorAll("#queue-body tr").length > 0`, "the simulator's calls in the queue")
	ctl.wait(`document.querySelector('#board section[data-state="EN_ROUTE"] li, #board section[data-state="AT_SCENE"] li') !== null`,
		"a unit sent by the simulated controller, en route or at scene")
	ctl.wait(`document.querySelectorAll(".unit-pin").length >= 10`, "units on the map")
	ctl.shot("simulated-control-room")
	if errs := ctl.errors(); errs != "" {
		t.Errorf("page errors:\n%s", errs)
	}

	cancel()
	r := <-done
	if r == nil {
		t.Fatal("no results")
	}
	if r.Counts.Calls == 0 || r.Counts.Assignments == 0 || r.Counts.PositionFixes == 0 {
		t.Errorf("the simulator did too little: %+v", r.Counts)
	}
	for _, e := range r.Errors {
		t.Errorf("error: %s %s ×%d: %s", e.Op, e.Kind, e.Count, e.Example)
	}
	if broken := r.Consistent(); len(broken) > 0 {
		t.Errorf("counts do not add up: %v", broken)
	}
}
