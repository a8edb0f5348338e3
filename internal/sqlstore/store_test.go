package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/storetest"
)

// postgresEnv names the variable holding a PostgreSQL URL to test against,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When it is
// set the database must answer: an unreachable one fails the tests.
const postgresEnv = "BLUELAMP_TEST_POSTGRES"

// engine is a database engine the tests run on.
type engine struct {
	name string
	// dsn returns the address of a fresh, empty database for one test.
	dsn func(t testing.TB) string
}

// engines returns SQLite always and PostgreSQL when postgresEnv is set.
func engines() []engine {
	es := []engine{{name: "sqlite", dsn: sqliteDSN}}
	if base := os.Getenv(postgresEnv); base != "" {
		es = append(es, engine{name: "postgres", dsn: func(t testing.TB) string { return postgresDSN(t, base) }})
	}
	return es
}

// sqliteDSN returns the path of a new database file in t's temp dir.
func sqliteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "bluelamp.db")
}

// postgresDSN creates a schema with a random name in the database at base
// and returns base with search_path set to it, which pgx sends as a runtime
// parameter, so every connection of the store sees only that schema. It
// drops the schema in t.Cleanup.
func postgresDSN(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("%s is set but PostgreSQL is unusable: %v", postgresEnv, err)
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
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// newTestStore opens a store on dsn, migrating an empty database, with
// configure applied before Open, and closes it in t.Cleanup.
func newTestStore(t testing.TB, dsn string, configure func(*Store)) *Store {
	t.Helper()
	s := New(dsn)
	s.Migrate = MigrateIfEmpty
	s.Logger = slog.New(slog.DiscardHandler)
	if configure != nil {
		configure(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("open %s store: %v", Engine(dsn), err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// opener returns a storetest.Opener of fresh stores on e.
func opener(e engine) storetest.Opener {
	return func(t *testing.T, o storetest.Options) storetest.Opened {
		s := newTestStore(t, e.dsn(t), func(s *Store) {
			if o.Now != nil {
				s.Now = o.Now
			}
		})
		return storetest.Opened{Store: s, DB: s.DB(), Engine: s.Engine()}
	}
}

func TestStore(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			e.dsn(t) // fails once, here, if the engine is unusable
			storetest.Run(t, opener(e))
		})
	}
	if os.Getenv(postgresEnv) == "" {
		t.Logf("PostgreSQL not tested: set %s to a URL to test it", postgresEnv)
	}
}
