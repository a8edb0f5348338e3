package app

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/exhibit"
	"github.com/bluelamp/bluelamp/internal/referral"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// Config is everything bluelamp serve can be told.
type Config struct {
	Addr      string // listen address; port 0 picks a free port
	DataDir   string // where the embedded database lives
	Database  string // "" for SQLite in DataDir, or a postgres:// URL
	NATSURL   string // "" for the embedded bus, or nats://…
	PublicURL string // the URL people use; https:// turns on secure cookies. Default http://Addr
	Demo      bool   // seed the demo force into an empty database
	Migrate   bool   // migrate an older schema at start-up (an empty one is always migrated)
	LogLevel  string // debug, info, warn, error

	// TileURL is the console map's tile server, a Leaflet URL template
	// ("https://tile.example/{z}/{x}/{y}.png"); empty draws the map with
	// no tiles, which works offline.
	TileURL         string
	TileAttribution string // the credit the tile server's licence asks for

	// Exhibits and safeguarding referrals (issue 4).
	ExhibitDir     string // where exhibit files are kept; DataDir/exhibits when empty
	ExhibitMaxSize string // the largest exhibit file accepted, e.g. "25MiB"
	SMTPAddr       string // host:port of the SMTP server referrals are emailed through; empty: none
	SMTPFrom       string // the sender of referral emails

	ShutdownTimeout time.Duration // how long in-flight requests get to finish
	SessionTTL      time.Duration

	// OperatorToken is the deployment operator's secret: sent as a bearer
	// token it may provision forces over the API (docs/OPERATOR.md). Empty
	// turns the operator API off.
	OperatorToken string

	OIDC OIDCConfig
}

// OIDCConfig configures staff sign-in through an identity provider.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Claim        string // ID-token claim matched to users: "email" (default) matches email, anything else the username
}

// DefaultConfig returns the zero-setup configuration.
func DefaultConfig() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./bluelamp-data",
		LogLevel:        "info",
		ExhibitMaxSize:  "25MiB",
		ShutdownTimeout: 20 * time.Second,
		SessionTTL:      12 * time.Hour,
		OIDC:            OIDCConfig{Claim: "email"},
	}
}

// DatabaseDSN returns the database to open: the PostgreSQL URL, or the
// SQLite file in the data directory.
func (c Config) DatabaseDSN() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "bluelamp.db")
}

// ExhibitDirectory returns where exhibit files are kept.
func (c Config) ExhibitDirectory() string {
	if c.ExhibitDir != "" {
		return c.ExhibitDir
	}
	return filepath.Join(c.DataDir, "exhibits")
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var problems []string
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("--addr %q is not host:port", c.Addr))
	}
	if c.Database == "" && c.DataDir == "" {
		problems = append(problems, "--data-dir is required when --database is not set")
	}
	if c.Database != "" && sqlstore.Engine(c.Database) != "postgres" {
		problems = append(problems, "--database must be a postgres:// URL (leave it empty for the embedded SQLite)")
	}
	if c.NATSURL != "" && !strings.HasPrefix(c.NATSURL, "nats://") && !strings.HasPrefix(c.NATSURL, "tls://") {
		problems = append(problems, "--nats-url must start with nats:// or tls://")
	}
	if c.TileURL != "" {
		if u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a").Replace(c.TileURL)); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, "--tile-url must be an http:// or https:// URL template with {z}, {x} and {y}")
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			problems = append(problems, "--public-url must be an http:// or https:// URL")
		}
	}
	if c.ExhibitDir == "" && c.DataDir == "" {
		problems = append(problems, "--exhibit-dir is required when --data-dir is empty")
	}
	if _, err := exhibit.ParseSize(c.ExhibitMaxSize); err != nil {
		problems = append(problems, "--exhibit-max-size: "+err.Error())
	}
	if c.SMTPAddr != "" || c.SMTPFrom != "" {
		if err := referral.CheckAddress(c.SMTPAddr, c.SMTPFrom); err != nil {
			problems = append(problems, "--smtp-addr and --smtp-from: "+err.Error())
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, "--log-level must be debug, info, warn or error")
	}
	if c.ShutdownTimeout <= 0 {
		problems = append(problems, "--shutdown-timeout must be positive")
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 7*24*time.Hour {
		problems = append(problems, "--session-ttl must be between 1m and 168h")
	}
	if c.OperatorToken != "" && len(c.OperatorToken) < auth.MinOperatorTokenLen {
		problems = append(problems, fmt.Sprintf("--operator-token must be at least %d characters (e.g. from openssl rand -hex 32)", auth.MinOperatorTokenLen))
	}
	if c.OIDC.Issuer != "" {
		if u, err := url.Parse(c.OIDC.Issuer); err != nil || u.Host == "" {
			problems = append(problems, "--oidc-issuer must be a URL")
		}
		if c.OIDC.ClientID == "" {
			problems = append(problems, "--oidc-client-id is required with --oidc-issuer")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}
