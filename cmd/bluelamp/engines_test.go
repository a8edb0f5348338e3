package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
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
	if dsn := os.Getenv("BLUELAMP_TEST_POSTGRES"); dsn != "" {
		u := freshSchema(t, dsn)
		es = append(es, engine{name: "postgres", args: []string{"--database", u}, dbArgs: []string{"--database", u}})
	}
	return es
}

// freshSchema creates an empty schema, drops it when the test ends, and
// returns dsn pointing at it. An unreachable server fails the test.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("BLUELAMP_TEST_POSTGRES: %v", err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("PostgreSQL at BLUELAMP_TEST_POSTGRES is not usable: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
