package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp/internal/app"
	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/bluelamp/bluelamp/internal/sim"
)

type serveCommand struct {
	env
	cfg      app.Config
	simulate bool
	main     *app.Main
}

func (c *serveCommand) ParseFlags(args []string) error {
	fs := newFlagSet(c.env, "serve", "serve [flags]", `
Run bluelamp. With no flags it listens on 127.0.0.1:8080 and keeps
everything in ./bluelamp-data: an embedded SQLite database and an in-process
NATS bus, so nothing else needs installing. An empty database is migrated;
an older one is refused until 'bluelamp migrate' (or --migrate) is run.`)
	def := app.DefaultConfig()
	c.cfg = def
	fs.stringVar(&c.cfg.Addr, "addr", def.Addr, "listen address; port 0 picks a free port and prints it")
	fs.stringVar(&c.cfg.DataDir, "data-dir", def.DataDir, "directory for the embedded SQLite database")
	fs.stringVar(&c.cfg.Database, "database", "", "PostgreSQL URL (postgres://user@host/db); empty for the embedded SQLite")
	fs.stringVar(&c.cfg.NATSURL, "nats-url", "", "external NATS URL (nats://host:4222); empty for the in-process bus")
	fs.stringVar(&c.cfg.TileURL, "tile-url", "", "map tile server URL template for the console map, e.g. https://tile.example/{z}/{x}/{y}.png (default none: the map works offline)")
	fs.stringVar(&c.cfg.TileAttribution, "tile-attribution", "", "the credit the tile server's licence asks for, shown on the map")
	fs.stringVar(&c.cfg.PublicURL, "public-url", "", "the URL people reach bluelamp at; https:// turns on secure cookies (default http://ADDR)")
	fs.boolVar(&c.cfg.Demo, "demo", false, "seed the fictional Wessex Constabulary into an empty database and print its sign-ins")
	fs.boolVar(&c.simulate, "simulate", false, "with --demo: run the simulator in-process against the demo force, so the control room is alive from the start")
	fs.boolVar(&c.cfg.Migrate, "migrate", false, "migrate an older database schema at start-up")
	fs.stringVar(&c.cfg.LogLevel, "log-level", def.LogLevel, "debug, info, warn or error")
	fs.stringVar(&c.cfg.ExhibitDir, "exhibit-dir", "", "directory for exhibit files (default DATA-DIR/exhibits)")
	fs.stringVar(&c.cfg.ExhibitMaxSize, "exhibit-max-size", def.ExhibitMaxSize, "the largest exhibit file accepted, e.g. 25MiB")
	fs.stringVar(&c.cfg.SMTPAddr, "smtp-addr", "", "SMTP server (host:port) safeguarding referrals are emailed through; STARTTLS is required unless it is on this machine")
	fs.stringVar(&c.cfg.SMTPFrom, "smtp-from", "", "the sender address of referral emails")
	fs.durationVar(&c.cfg.ShutdownTimeout, "shutdown-timeout", def.ShutdownTimeout, "how long in-flight requests get to finish on SIGTERM")
	fs.durationVar(&c.cfg.SessionTTL, "session-ttl", def.SessionTTL, "how long a sign-in lasts")
	fs.stringVar(&c.cfg.OperatorToken, "operator-token", "", "the deployment operator's secret, at least 32 characters: sent as a bearer token it may create forces over the API; empty turns that off (prefer the environment variable: flags show in ps)")
	fs.stringVar(&c.cfg.OIDC.Issuer, "oidc-issuer", "", "OIDC issuer URL for staff sign-in; empty turns OIDC off")
	fs.stringVar(&c.cfg.OIDC.ClientID, "oidc-client-id", "", "OIDC client id")
	fs.stringVar(&c.cfg.OIDC.ClientSecret, "oidc-client-secret", "", "OIDC client secret")
	fs.stringVar(&c.cfg.OIDC.Claim, "oidc-claim", def.OIDC.Claim, "ID-token claim matched to users: email matches their email, any other claim their username")
	if err := fs.parse(args, 0); err != nil {
		return err
	}
	if err := c.cfg.Validate(); err != nil {
		fmt.Fprintf(c.stderr, "bluelamp serve: %v\n", err)
		return errUsage
	}
	if c.simulate && !c.cfg.Demo {
		fmt.Fprintln(c.stderr, "bluelamp serve: --simulate drives the demo force: give --demo too (or run 'bluelamp simulate' against any bluelamp)")
		return errUsage
	}
	return nil
}

func (c *serveCommand) Run(ctx context.Context) error {
	logger := slog.New(slog.NewJSONHandler(c.stderr, &slog.HandlerOptions{Level: logLevel(c.cfg.LogLevel)}))
	c.main = app.NewMain(c.cfg, logger, version)
	if err := c.main.Open(ctx); err != nil {
		return err
	}
	c.printBanner()
	logger.Info("bluelamp ready", "url", c.main.URL(), "database", c.main.Store.Engine(), "version", version)
	stopSim := func() {}
	if c.simulate {
		stopSim = c.startSimulator(ctx, logger)
	}
	err := c.main.Wait(ctx)
	stopSim()
	logger.Info("shutting down")
	if cerr := c.main.Close(); err == nil {
		err = cerr
	}
	c.main = nil
	if err == nil {
		logger.Info("stopped")
	}
	return err
}

func (c *serveCommand) printBanner() {
	fmt.Fprintf(c.stdout, "bluelamp %s listening on %s\n", version, c.main.URL())
	if !c.cfg.Demo {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nDemo force: Wessex Constabulary (fictional). Open %s and sign in as:\n", c.main.PublicURL())
	for _, s := range demo.SignIns() {
		fmt.Fprintf(&b, "  %-20s %s\n", s.Username, s.Role.Label())
	}
	fmt.Fprintf(&b, "Every demo user's password is %q. Never put real data in a demo.\n", demo.Password)
	fmt.Fprint(c.stdout, b.String())
}

// startSimulator drives the demo force from inside the process, through
// the server's own HTTP API as any client would, until stopped.
func (c *serveCommand) startSimulator(ctx context.Context, logger *slog.Logger) (stop func()) {
	cfg, err := sim.ProfileConfig("demo", time.Now())
	if err != nil {
		logger.Error("simulator", "err", err)
		return func() {}
	}
	cfg.Target = c.main.URL()
	cfg.Admin = sim.Credentials{Username: demo.AdminUsername, Password: demo.Password}
	s, err := sim.New(cfg, slogWriter{logger})
	if err != nil {
		logger.Error("simulator", "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := s.Run(ctx); err != nil && ctx.Err() == nil {
			logger.Error("simulator stopped", "err", err)
		}
	}()
	fmt.Fprintln(c.stdout, "The simulator is running the demo force: calls arrive, controllers dispatch and units move.")
	return func() {
		cancel()
		<-done
	}
}

// slogWriter logs each line written to it.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Info(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (c *serveCommand) Close() error {
	if c.main != nil {
		return c.main.Close()
	}
	return nil
}

func logLevel(s string) slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(s))
	return l
}
