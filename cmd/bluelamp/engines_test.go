package main

import (
	"testing"

	"github.com/bluelamp/bluelamp/internal/storetest"
)

// engine is one database the end-to-end tests run against.
type engine struct {
	name   string
	args   []string // serve flags
	dbArgs []string // flags for the other commands
}

// engines returns SQLite, and PostgreSQL when BLUELAMP_TEST_POSTGRES is set;
// each with a fresh, empty database.
func engines(t *testing.T) []engine {
	t.Helper()
	dir := t.TempDir()
	es := []engine{{name: "sqlite", args: []string{"--data-dir", dir}, dbArgs: []string{"--data-dir", dir}}}
	if dsn := storetest.PostgresURL(); dsn != "" {
		u := storetest.PostgresDSN(t, dsn)
		es = append(es, engine{name: "postgres", args: []string{"--database", u}, dbArgs: []string{"--database", u}})
	}
	return es
}
