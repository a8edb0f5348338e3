// Package sim is bluelamp's simulator: it makes forces live for demos,
// training and load tests. It drives a running bluelamp only through its
// public HTTP API and event stream, as call handlers, controllers,
// supervisors, officers' terminals and vehicle trackers do, and measures
// what it sees. Calls arrive as a time-of-day and day-of-week profile;
// controllers dispatch by the recommendation; units drive at road speeds
// along a generated street grid, report their positions, move through
// their statuses and clear; supervisors close the jobs.
package sim

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Sim is one run.
type Sim struct {
	cfg    Config
	base   *url.URL
	tr     *http.Transport
	rec    *recorder
	sem    chan struct{}
	anon   *client // no credentials: the base others are made from
	world  *World
	ids    []*identities // per force
	forces []*forceRun
	log    io.Writer

	startReal time.Time // when measuring began
	startSim  time.Time

	server   []ServerSample
	self     []SelfSample
	mu       sync.Mutex // guards server, self and stopping
	stopping bool       // no new work starts
	wg       sync.WaitGroup
	inflight sync.WaitGroup // work spawned by agents
}

// New prepares a run of cfg, logging progress to log.
func New(cfg Config, log io.Writer) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	base, _ := url.Parse(cfg.Target)
	s := &Sim{cfg: cfg, base: base, rec: newRecorder(), sem: make(chan struct{}, cfg.Concurrency), log: log}
	s.tr = newTransport(cfg.Concurrency)
	s.anon = newClient(base, s.tr, cfg.Timeout, s.rec, s.sem, "")
	return s, nil
}

func (s *Sim) logf(format string, args ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, "simulate: "+format+"\n", args...)
	}
}

// Run sets the world up on the target, drives it until the duration ends
// or ctx does, and returns what it measured.
func (s *Sim) Run(ctx context.Context) (*Results, error) {
	setup := time.Now()
	if err := s.setUp(ctx); err != nil {
		return nil, err
	}
	took := time.Since(setup)
	s.logf("set up %s in %s", s.world, took.Round(time.Millisecond))

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	s.startReal, s.startSim = time.Now(), s.cfg.Start
	if err := s.firstFixes(ctx); err != nil {
		return nil, fmt.Errorf("first positions: %w", err)
	}
	if err := s.startStreams(runCtx); err != nil {
		return nil, err
	}
	// The simulated clock starts now, where the units' patrols begin.
	s.startReal = time.Now()
	s.rec.begin(s.startReal)
	s.logf("running %s from simulated %s at %g×, %s", s.cfg.Profile, s.startSim.Format("Mon 2 Jan 15:04 MST"), s.cfg.Acceleration, durationText(s.cfg.Duration))
	for _, fr := range s.forces {
		s.wg.Go(func() { fr.callLoop(runCtx) })
		s.wg.Go(func() { fr.trackerLoop(runCtx) })
	}
	s.wg.Go(func() { s.monitor(runCtx) })

	if s.cfg.Duration > 0 {
		select {
		case <-time.After(s.cfg.Duration):
		case <-ctx.Done():
		}
	} else {
		<-ctx.Done()
	}
	end := time.Now()
	stop()
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.wg.Wait()
	s.inflight.Wait()
	s.tr.CloseIdleConnections()
	return s.results(end, took), nil
}

func durationText(d time.Duration) string {
	if d == 0 {
		return "until stopped"
	}
	return "for " + d.String()
}

// setUp builds the world: generated and provisioned, or discovered.
func (s *Sim) setUp(ctx context.Context) error {
	if s.cfg.OperatorToken != "" {
		s.world = Generate(s.cfg)
		s.ids = make([]*identities, len(s.world.Forces))
		if err := s.provision(ctx, s.world); err != nil {
			return err
		}
	} else {
		w, err := s.discover(ctx)
		if err != nil {
			return err
		}
		s.world = w
	}
	for _, f := range s.world.Forces {
		s.forces = append(s.forces, s.newForceRun(f, s.ids[f.Index]))
	}
	return s.bringOnDuty(ctx)
}

// clock converts between real and simulated time.
func (s *Sim) simAt(real time.Time) time.Time {
	return s.startSim.Add(time.Duration(float64(real.Sub(s.startReal)) * s.cfg.Acceleration))
}

func (s *Sim) realAt(sim time.Time) time.Time {
	return s.startReal.Add(time.Duration(float64(sim.Sub(s.startSim)) / s.cfg.Acceleration))
}

// realDelay is how long a simulated span takes on the wall clock.
func (s *Sim) realDelay(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.cfg.Acceleration)
}

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}
