package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp/internal/sim"
)

type simulateCommand struct {
	env
	cfg    sim.Config
	start  string
	report string
	goals  bool
}

// profileArg finds --profile before the flags are parsed: the profile
// sets every other flag's default.
func profileArg(args []string, getenv func(string) string) string {
	for i, a := range args {
		a = strings.TrimLeft(a, "-")
		if v, ok := strings.CutPrefix(a, "profile="); ok {
			return v
		}
		if a == "profile" && i+1 < len(args) {
			return args[i+1]
		}
	}
	if v := getenv("BLUELAMP_PROFILE"); v != "" {
		return v
	}
	return "demo"
}

func (c *simulateCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "simulate", "simulate --target URL [flags]", `
Make forces live: drive a running bluelamp through its public API and event
stream as call handlers, controllers, supervisors, officers' terminals and
vehicle trackers do, and measure it. With --operator-token it creates
synthetic forces (stations, units, users) over the API; with --username and
--password of a force admin it drives that existing force instead.

Profiles set every default: demo (one small force, real time), national
(45 forces, 150,000 units, national call volumes from the busiest hour of
an ordinary Friday) and peak (national at New Year's Eve rates). At the end
it prints a table and writes a Markdown report with SVG charts.`)
	profile := profileArg(args, c.getenv)
	def, err := sim.ProfileConfig(profile, time.Now())
	if err != nil {
		fmt.Fprintf(c.stderr, "bluelamp simulate: %v\n", err)
		return errUsage
	}
	c.cfg = def
	fs.stringVar(&c.cfg.Profile, "profile", profile, "demo, national or peak: sets the defaults below")
	fs.stringVar(&c.cfg.Target, "target", "http://127.0.0.1:8080", "the bluelamp to drive; nothing else is ever sent to")
	fs.stringVar(&c.cfg.OperatorToken, "operator-token", "", "the target's operator token: create synthetic forces over the API")
	fs.stringVar(&c.cfg.Admin.Username, "username", "", "instead: a force admin of an existing force to drive")
	fs.stringVar(&c.cfg.Admin.Password, "password", "", "that admin's password")
	numberVar(fs, &c.cfg.Forces, "forces", def.Forces, "synthetic forces")
	numberVar(fs, &c.cfg.Units, "units", def.Units, "synthetic units across all forces")
	numberVar(fs, &c.cfg.OnDutyShare, "on-duty", def.OnDutyShare, "share of units on duty, reporting positions")
	numberVar(fs, &c.cfg.DailyContacts, "daily-contacts", def.DailyContacts, "contacts a day across all forces at rate 1")
	numberVar(fs, &c.cfg.Rate, "rate", def.Rate, "call-rate multiplier")
	numberVar(fs, &c.cfg.Acceleration, "accel", def.Acceleration, "time acceleration: simulated seconds per real second (144 runs a day in 10 minutes)")
	fs.durationVar(&c.cfg.Duration, "duration", def.Duration, "how long to run, wall clock (0: until interrupted)")
	numberVar(fs, &c.cfg.Seed, "seed", def.Seed, "same seed, same world and same calls")
	fs.stringVar(&c.start, "start", "", "the simulated clock's start, e.g. 2026-12-31T21:00 (London time); its hour and day set the call rate (default: the profile's)")
	numberVar(fs, &c.cfg.OverrideShare, "overrides", def.OverrideShare, "share of dispatches where the controller overrides the first recommendation")
	fs.durationVar(&c.cfg.MajorEvery, "major-every", def.MajorEvery, "mean simulated time between major incidents (0: none)")
	fs.durationVar(&c.cfg.MovingEvery, "position-every", def.MovingEvery, "how often a moving unit's tracker reports")
	fs.durationVar(&c.cfg.IdleEvery, "idle-position-every", def.IdleEvery, "how often a stationary unit's tracker reports")
	numberVar(fs, &c.cfg.Consoles, "consoles", def.Consoles, "live console streams per force (0: one per 1,000 units)")
	numberVar(fs, &c.cfg.Concurrency, "concurrency", def.Concurrency, "most requests in flight")
	fs.durationVar(&c.cfg.Timeout, "timeout", def.Timeout, "per request")
	fs.stringVar(&c.report, "report", "", "directory for the Markdown report, charts and results.json (default simulate-PROFILE-TIME)")
	fs.boolVar(&c.goals, "check-goals", false, "exit 1 unless the run meets its goals (zero errors and the p99 goals)")
	if err := fs.parse(args, 0); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, n := range []string{"units", "daily-contacts"} {
		set[n] = set[n] || c.getenv(envName(n)) != ""
	}
	if set["units"] && !set["daily-contacts"] && def.Units > 0 {
		// Demand follows the size of the world: fewer units, fewer calls.
		c.cfg.DailyContacts = def.DailyContacts * float64(c.cfg.Units) / float64(def.Units)
	}
	if c.start != "" {
		t, err := sim.ParseStart(c.start)
		if err != nil {
			fmt.Fprintf(c.stderr, "bluelamp simulate: --start %v\n", err)
			return errUsage
		}
		c.cfg.Start = t
	}
	c.cfg.Peak = c.cfg.Peak || c.cfg.Profile == "peak"
	if err := c.cfg.Validate(); err != nil {
		fmt.Fprintf(c.stderr, "bluelamp simulate: %v\n", err)
		return errUsage
	}
	return nil
}

func (c *simulateCommand) Run(ctx context.Context) error {
	s, err := sim.New(c.cfg, c.stderr)
	if err != nil {
		return err
	}
	r, err := s.Run(ctx)
	if err != nil {
		return err
	}
	if err := r.WriteTable(c.stdout); err != nil {
		return err
	}
	dir := c.report
	if dir == "" {
		dir = fmt.Sprintf("simulate-%s-%s", c.cfg.Profile, r.Started.Format("20060102-150405"))
	}
	md, err := r.WriteReport(dir)
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	abs, _ := filepath.Abs(md)
	fmt.Fprintf(c.stdout, "\nReport: %s\n", abs)
	if broken := r.Consistent(); len(broken) > 0 {
		fmt.Fprintf(c.stderr, "bluelamp simulate: the report's counts do not add up: %s\n", strings.Join(broken, "; "))
		return errSilent
	}
	if c.goals {
		for _, g := range r.CheckGoals(sim.DefaultGoals()) {
			if !g.Met {
				fmt.Fprintf(c.stderr, "bluelamp simulate: goal not met: %s (%s)\n", g.Name, g.Measured())
				return errSilent
			}
		}
	}
	return nil
}

func (c *simulateCommand) Close() error { return nil }
