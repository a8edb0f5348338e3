package main

import (
	"context"
	"fmt"
	"os"
	"os/user"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/app"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// dbFlags are the flags every command that opens the database takes.
type dbFlags struct {
	dataDir  string
	database string
}

func (d *dbFlags) register(fs *flagSet) {
	def := app.DefaultConfig()
	fs.stringVar(&d.dataDir, "data-dir", def.DataDir, "directory for the embedded SQLite database")
	fs.stringVar(&d.database, "database", "", "PostgreSQL URL (postgres://…); empty for the embedded SQLite in --data-dir")
}

func (d *dbFlags) config() app.Config {
	c := app.DefaultConfig()
	c.DataDir, c.Database = d.dataDir, d.database
	return c
}

// openStore opens the database for an administration command. An empty
// database is migrated, as serve would.
func (d *dbFlags) openStore(mode sqlstore.MigrateMode) (*sqlstore.Store, error) {
	c := d.config()
	if c.Database != "" && sqlstore.Engine(c.Database) != "postgres" {
		return nil, fmt.Errorf("--database must be a postgres:// URL")
	}
	s := sqlstore.New(c.DatabaseDSN())
	s.Migrate = mode
	if err := s.Open(); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// operator names the person at the command line, for event attribution.
func operator() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return "cli:" + name + "@" + host
}

// cliContext acts as the operator for force (or the deployment when empty).
func cliContext(ctx context.Context, force bluelamp.ForceID) context.Context {
	return bluelamp.SystemContext(ctx, force, operator())
}

// cliJustification is the s.62 justification for reads made by an operator.
func cliJustification(what string) bluelamp.Justification {
	return bluelamp.Justification{Reason: "ADMIN", Text: "bluelamp " + what + " (command line)"}
}
