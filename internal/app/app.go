// Package app wires bluelamp together: configuration in, every dependency
// built and opened in order, closed in reverse. End-to-end tests use it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/attendance"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/avl"
	"github.com/bluelamp/bluelamp/internal/console"
	"github.com/bluelamp/bluelamp/internal/demo"
	"github.com/bluelamp/bluelamp/internal/dispatch"
	"github.com/bluelamp/bluelamp/internal/exhibit"
	"github.com/bluelamp/bluelamp/internal/httpapi"
	"github.com/bluelamp/bluelamp/internal/live"
	"github.com/bluelamp/bluelamp/internal/metrics"
	"github.com/bluelamp/bluelamp/internal/natsbus"
	"github.com/bluelamp/bluelamp/internal/officerapp"
	"github.com/bluelamp/bluelamp/internal/referral"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// Main is a running bluelamp node.
type Main struct {
	Config  Config
	Logger  *slog.Logger
	Version string

	Store *sqlstore.Store
	Bus   *natsbus.Bus
	Relay *natsbus.Relay
	Hub   *live.Hub
	// Dispatch is the in-memory dispatch index, fed by the hub.
	Dispatch *dispatch.Service
	// Attendance records breached attendance targets.
	Attendance *attendance.Watcher
	// Tracker takes position reports; Feed streams them to consoles;
	// Pruner deletes position history past retention.
	Tracker *avl.Tracker
	Feed    *avl.Feed
	Pruner  *avl.Pruner
	Auth    *auth.Authenticator
	Metrics *metrics.Metrics
	Seeded  bool // Open seeded the demo force

	// Exhibits keeps exhibits' files; Referrals delivers safeguarding
	// referrals from the store's outbox.
	Exhibits  *exhibit.Files
	Referrals *referral.Deliverer

	// Heartbeat overrides how often idle live streams send a keep-alive and
	// re-check their caller's session (tests shorten it).
	Heartbeat time.Duration

	stopPositions func() // ends taking other nodes' positions

	ln       net.Listener
	server   *http.Server
	serveErr chan error
}

// NewMain returns a Main with cfg.
func NewMain(cfg Config, logger *slog.Logger, version string) *Main {
	return &Main{Config: cfg, Logger: logger, Version: version}
}

// Open builds and starts everything: store, bus, relay, hub, HTTP. On
// failure it closes what it opened.
func (m *Main) Open(ctx context.Context) (err error) {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	m.Metrics = metrics.New()

	// Build the store, bus and relay first, so the commit hook is in place
	// before the store opens; then open them in dependency order.
	m.Store = sqlstore.New(m.Config.DatabaseDSN())
	m.Store.Logger = m.Logger
	m.Store.Migrate = sqlstore.MigrateIfEmpty
	if m.Config.Migrate {
		m.Store.Migrate = sqlstore.MigrateAlways
	}
	m.Bus = natsbus.New(m.Config.NATSURL)
	m.Bus.Logger = m.Logger
	m.Relay = natsbus.NewRelay(m.Store, m.Store, m.Bus)
	m.Relay.Logger = m.Logger
	m.Dispatch = dispatch.NewService(m.Store)
	m.Dispatch.Logger = m.Logger
	m.Feed = avl.NewFeed(time.Second)
	m.Tracker = avl.NewTracker(m.Store)
	m.Tracker.Logger, m.Tracker.Mover, m.Tracker.Feed = m.Logger, m.Dispatch, m.Feed
	m.Store.OnCommit = func(events []*bluelamp.Event) {
		m.Metrics.EventsCommitted(len(events))
		m.Relay.Notify()
		// This node's own commits reach its dispatch index before the
		// writer is answered; other nodes' arrive through the hub.
		for _, e := range events {
			m.Dispatch.Apply(e)
			m.Tracker.Apply(e)
		}
	}
	if err := m.Store.Open(); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	if err := m.Bus.Open(); err != nil {
		return fmt.Errorf("open bus: %w", err)
	}
	if err := m.Relay.Open(); err != nil {
		return fmt.Errorf("open outbox relay: %w", err)
	}
	m.Hub = live.NewHub(m.Bus, m.Store)
	m.Hub.Logger = m.Logger
	m.Hub.OnEvent = func(e *bluelamp.Event) {
		m.Dispatch.Apply(e)
		m.Tracker.Apply(e)
	}
	if err := m.Hub.Open(); err != nil {
		return fmt.Errorf("open live hub: %w", err)
	}
	// Loaded after the hub has fixed the point it delivers from, so no
	// event falls between the two.
	if err := m.Dispatch.Open(ctx); err != nil {
		return fmt.Errorf("load dispatch index: %w", err)
	}
	m.registerMetrics()
	if err := m.sharePositions(); err != nil {
		return err
	}

	if m.Config.Demo {
		if m.Seeded, err = demo.Seed(ctx, m.Store, auth.HashPassword); err != nil {
			return fmt.Errorf("seed demo force: %w", err)
		}
	}
	m.Attendance = attendance.NewWatcher(m.Store)
	m.Attendance.Logger = m.Logger
	if err := m.Attendance.Open(); err != nil {
		return fmt.Errorf("open attendance watcher: %w", err)
	}
	m.Feed.Start()
	m.Pruner = avl.NewPruner(m.Store)
	m.Pruner.Logger = m.Logger
	m.Pruner.Open()
	if err := m.openEvidence(); err != nil {
		return err
	}
	return m.openHTTP()
}

// openEvidence opens the exhibit files and starts the referral deliverer,
// which picks up any delivery left pending by a stop or a crash.
func (m *Main) openEvidence() error {
	m.Exhibits = exhibit.New(m.Config.ExhibitDirectory())
	m.Exhibits.MaxBytes, _ = exhibit.ParseSize(m.Config.ExhibitMaxSize) // checked by Validate
	m.Exhibits.Logger = m.Logger
	if err := m.Exhibits.Open(); err != nil {
		return fmt.Errorf("open exhibit files: %w", err)
	}
	m.Referrals = referral.NewDeliverer(m.Store)
	m.Referrals.Logger = m.Logger
	if m.Config.SMTPAddr != "" {
		m.Referrals.SMTP = &referral.SMTP{Addr: m.Config.SMTPAddr, From: m.Config.SMTPFrom}
	} else {
		m.Logger.Warn("no SMTP server configured (--smtp-addr): referrals to partners reached by email will fail")
	}
	if err := m.Referrals.Open(); err != nil {
		return fmt.Errorf("open referral deliverer: %w", err)
	}
	return nil
}

func (m *Main) registerMetrics() {
	m.Metrics.GaugeFunc("bluelamp_bus_connected", "1 when this node is connected to the bus.", func() float64 {
		if m.Bus.Connected() {
			return 1
		}
		return 0
	})
	m.Metrics.GaugeFunc("bluelamp_outbox_lag_events", "Committed events not yet published to the bus, all forces.", func() float64 {
		var lag int64
		for _, l := range m.Relay.Stats().Lag {
			lag += l
		}
		return float64(lag)
	})
	m.Metrics.GaugeFunc("bluelamp_outbox_leader", "1 when this node holds the outbox lease and publishes committed events.", func() float64 {
		if m.Relay.Stats().Leader {
			return 1
		}
		return 0
	})
	m.Metrics.CounterFunc("bluelamp_outbox_published_total", "Events the outbox relay has published to the bus.", func() float64 {
		return float64(m.Relay.Stats().Published)
	})
	m.Metrics.CounterFunc("bluelamp_outbox_failures_total", "Failed attempts to publish to the bus (retried with backoff).", func() float64 {
		return float64(m.Relay.Stats().Failures)
	})
	m.Metrics.CounterFunc("bluelamp_live_refilled_total", "Events the live hub read from the store to fill gaps the bus left.", func() float64 {
		return float64(m.Hub.Stats().Refilled)
	})
	m.Metrics.GaugeFunc("bluelamp_live_clients", "Clients connected to the live event stream.", func() float64 {
		return float64(m.Hub.Stats().Clients)
	})
	m.Metrics.CounterFunc("bluelamp_live_slow_clients_total", "Live clients cut off for falling behind.", func() float64 {
		return float64(m.Hub.Stats().CutOff)
	})
}

func (m *Main) openHTTP() error {
	m.Auth = auth.New(m.Store)
	m.Auth.SessionTTL = m.Config.SessionTTL
	m.Auth.SecureCookies = strings.HasPrefix(m.Config.PublicURL, "https://")
	m.Auth.OperatorToken = m.Config.OperatorToken

	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	public := m.PublicURL()

	var oidc *auth.OIDC
	if m.Config.OIDC.Issuer != "" {
		oidc = &auth.OIDC{Issuer: m.Config.OIDC.Issuer, ClientID: m.Config.OIDC.ClientID, ClientSecret: m.Config.OIDC.ClientSecret,
			Claim: m.Config.OIDC.Claim, RedirectURL: public + "/auth/oidc/callback"}
	}
	api := &httpapi.Server{
		Store: m.Store, Auth: m.Auth, Stream: m.Hub, Logger: m.Logger, Version: m.Version,
		Ready: m.ready, Metrics: m.Metrics.Handler(), Observe: m.Metrics.ObserveRequest, Heartbeat: m.Heartbeat,
		Dispatch: m.Dispatch, Evidence: httpapi.Evidence{Files: m.Exhibits, Notify: m.Referrals.Notify},
		Tracker: m.Tracker, Feed: m.Feed,
	}
	con := &console.Console{Store: m.Store, Auth: m.Auth, OIDC: oidc, Logger: m.Logger, Version: m.Version,
		TileURL: m.Config.TileURL, TileAttribution: m.Config.TileAttribution}
	officer := &officerapp.App{Logger: m.Logger, Version: m.Version}
	apiHandler, conHandler := api.Handler(), con.Handler()
	root := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/readyz", "/metrics"} {
		root.Handle(p, apiHandler)
	}
	root.Handle(officerapp.Prefix, officer.Handler())
	root.Handle("/", conHandler)

	m.server = &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.server.Serve(ln) }()
	return nil
}

// sharePositions passes the fixes this node accepts to the other nodes and
// takes theirs, over the bus, for every node's dispatch index and consoles.
func (m *Main) sharePositions() error {
	node := natsbus.NewNodeID()
	m.Tracker.Share = func(force bluelamp.ForceID, reports []bluelamp.PositionReport) {
		if err := m.Bus.SharePositions(node, force, reports); err != nil {
			m.Logger.Warn("share positions with other nodes", "force", force, "error", err)
		}
	}
	stop, err := m.Bus.SubscribePositions(node, m.Tracker.Observe)
	if err != nil {
		return fmt.Errorf("take other nodes' positions: %w", err)
	}
	m.stopPositions = stop
	return nil
}

// ready reports whether the database answers and the bus is connected.
func (m *Main) ready(ctx context.Context) error {
	if err := m.Store.Ping(ctx); err != nil {
		return err
	}
	if !m.Bus.Connected() {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "bus_unavailable", Message: "the bus is not connected"}
	}
	return nil
}

// URL returns the address the server listens on, e.g. http://127.0.0.1:8080.
func (m *Main) URL() string {
	if m.ln == nil {
		return ""
	}
	return "http://" + m.ln.Addr().String()
}

// PublicURL returns the configured public URL, or URL.
func (m *Main) PublicURL() string {
	if m.Config.PublicURL != "" {
		return strings.TrimRight(m.Config.PublicURL, "/")
	}
	return m.URL()
}

// Wait returns when the HTTP server stops by itself (an error) or ctx ends.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.serveErr:
		return err
	}
}

// Close shuts down gracefully, in reverse order of Open: in-flight requests
// finish (live streams are ended), the outbox drains to the bus, the bus
// closes, then the database.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		// Live streams never finish by themselves: close the hub first so
		// they end and Shutdown can complete.
		if m.Hub != nil {
			errs = append(errs, m.Hub.Close())
			m.Hub = nil
		}
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		}
		cancel()
		m.server = nil
	}
	if m.Referrals != nil {
		errs = append(errs, m.Referrals.Close())
	}
	if m.Attendance != nil {
		errs = append(errs, m.Attendance.Close())
	}
	if m.Pruner != nil {
		errs = append(errs, m.Pruner.Close())
	}
	if m.stopPositions != nil {
		m.stopPositions()
	}
	if m.Feed != nil {
		m.Feed.Stop()
	}
	if m.Dispatch != nil {
		errs = append(errs, m.Dispatch.Close())
	}
	if m.Hub != nil {
		errs = append(errs, m.Hub.Close())
	}
	if m.Relay != nil {
		errs = append(errs, m.Relay.Close())
	}
	if m.Bus != nil {
		errs = append(errs, m.Bus.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}
