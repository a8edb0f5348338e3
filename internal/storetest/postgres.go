package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the schema admin connection
)

// PostgresEnv names the environment variable holding the PostgreSQL URL the
// tests use; .ci/run always sets it.
const PostgresEnv = "BLUELAMP_TEST_POSTGRES"

// PostgresURL returns the URL in PostgresEnv, or "" when it is not set.
func PostgresURL() string { return os.Getenv(PostgresEnv) }

// PostgresDSN creates a schema with a random name in the database at base
// and returns base with search_path set to it, which pgx sends as a runtime
// parameter, so every connection sees only that schema: each test gets an
// empty database. It drops the schema in t.Cleanup, and fails t (never
// skips) when PostgreSQL is unusable.
func PostgresDSN(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("%s is set but PostgreSQL is unusable: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
