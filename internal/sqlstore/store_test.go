package sqlstore

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

// engine is a database engine the tests run on.
type engine struct {
	name string
	// dsn returns the address of a fresh, empty database for one test.
	dsn func(t testing.TB) string
}

// engines returns SQLite always and PostgreSQL when storetest.PostgresEnv is set.
func engines() []engine {
	es := []engine{{name: "sqlite", dsn: sqliteDSN}}
	if base := storetest.PostgresURL(); base != "" {
		es = append(es, engine{name: "postgres", dsn: func(t testing.TB) string { return storetest.PostgresDSN(t, base) }})
	}
	return es
}

// sqliteDSN returns the path of a new database file in t's temp dir.
func sqliteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "bluelamp.db")
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
		configure := func(s *Store) {
			if o.Now != nil {
				s.Now = o.Now
			}
		}
		dsn := e.dsn(t)
		s := newTestStore(t, dsn, configure)
		node := func(t *testing.T) bluelamp.Store { return newTestStore(t, dsn, configure) }
		return storetest.Opened{Store: s, DB: s.DB(), Engine: s.Engine(), Node: node}
	}
}

func TestStore(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			e.dsn(t) // fails once, here, if the engine is unusable
			storetest.Run(t, opener(e))
		})
	}
	if storetest.PostgresURL() == "" {
		t.Logf("PostgreSQL not tested: set %s to a URL to test it", storetest.PostgresEnv)
	}
}
