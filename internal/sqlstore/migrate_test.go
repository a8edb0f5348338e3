package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

func TestMigrationsNumberedAlike(t *testing.T) {
	names := map[string][]string{}
	for _, engine := range []string{"sqlite", "postgres"} {
		ms, err := Migrations(engine)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Fatalf("no %s migrations", engine)
		}
		for i, m := range ms {
			if m.Version != i+1 {
				t.Errorf("%s migration %d is numbered %d: versions must run 1, 2, 3… with no gaps", engine, i+1, m.Version)
			}
			names[engine] = append(names[engine], m.Name)
		}
	}
	if diff := cmp.Diff(names["sqlite"], names["postgres"]); diff != "" {
		t.Errorf("migrations differ between engines (-sqlite +postgres):\n%s", diff)
	}
}

// openStore opens a store on dsn with mode and returns it with Open's error.
func openStore(t *testing.T, dsn string, mode MigrateMode) (*Store, error) {
	t.Helper()
	s := New(dsn)
	s.Migrate = mode
	s.Logger = slog.New(slog.DiscardHandler)
	err := s.Open()
	if err == nil {
		t.Cleanup(func() { s.Close() })
	}
	return s, err
}

// wantCode fails t unless err is an *bluelamp.Error of kind and code.
func wantCode(t *testing.T, err error, kind bluelamp.Kind, code string) {
	t.Helper()
	e, ok := errors.AsType[*bluelamp.Error](err)
	if !ok || e.Kind != kind || e.Code != code {
		t.Fatalf("got %v, want a %s error with code %s", err, kind, code)
	}
}

// latest returns the version of the binary's newest migration.
func latest(t *testing.T, engine string) int {
	t.Helper()
	ms, err := Migrations(engine)
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].Version
}

func TestOpenSchema(t *testing.T) {
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			t.Run("ErrSchemaOld", func(t *testing.T) {
				t.Parallel()
				_, err := openStore(t, e.dsn(t), MigrateNever)
				wantCode(t, err, bluelamp.KindInvalid, "schema_old")
			})
			t.Run("OKMigrateIfEmpty", func(t *testing.T) {
				t.Parallel()
				dsn := e.dsn(t)
				s, err := openStore(t, dsn, MigrateIfEmpty)
				if err != nil {
					t.Fatal(err)
				}
				v, err := s.SchemaVersion(t.Context())
				if err != nil || v != latest(t, e.name) {
					t.Fatalf("schema version = %d, %v; want %d", v, err, latest(t, e.name))
				}
				s.Close()
				// Once migrated, the database opens without migrating.
				if _, err := openStore(t, dsn, MigrateNever); err != nil {
					t.Fatalf("reopen a current schema: %v", err)
				}
			})
			t.Run("ErrSchemaNew", func(t *testing.T) {
				t.Parallel()
				dsn := e.dsn(t)
				s, err := openStore(t, dsn, MigrateIfEmpty)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.DB().ExecContext(t.Context(), s.d.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', 0)"),
					latest(t, e.name)+1); err != nil {
					t.Fatal(err)
				}
				s.Close()
				for _, mode := range []MigrateMode{MigrateNever, MigrateIfEmpty, MigrateAlways} {
					_, err := openStore(t, dsn, mode)
					wantCode(t, err, bluelamp.KindInvalid, "schema_new")
				}
			})
		})
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	s := New("postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	s.OpTimeout = time.Second
	err := s.Open()
	if bluelamp.KindOf(err) != bluelamp.KindUnavailable {
		s.Close()
		t.Fatalf("got %v, want KindUnavailable", err)
	}
}

// TestSQLiteLocked holds SQLite's write lock from another connection, as
// another process might, and checks that a write gives up with
// KindUnavailable within the store's OpTimeout instead of hanging.
func TestSQLiteLocked(t *testing.T) {
	t.Parallel()
	const opTimeout = 250 * time.Millisecond
	path := filepath.Join(t.TempDir(), "bluelamp.db")
	// The short budget is set once the store is open: applying every
	// migration on a loaded machine may take longer than one operation's.
	s := newTestStore(t, path, nil)
	s.OpTimeout = opTimeout
	ctx := bluelamp.SystemContext(t.Context(), "", "test")
	if err := s.CreateForce(ctx, &bluelamp.Force{ID: "alpha", Name: "Alpha"}); err != nil {
		t.Fatal(err)
	}

	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	fctx := bluelamp.SystemContext(t.Context(), "alpha", "test")
	began := time.Now()
	_, err = s.AppendEvent(fctx, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]string{"text": "blocked"})
	took := time.Since(began)
	if bluelamp.KindOf(err) != bluelamp.KindUnavailable {
		t.Errorf("got %v, want KindUnavailable", err)
	}
	// SQLite's own busy timeout is 5s: failing well before it shows the
	// store gave up at its OpTimeout, with slack for a loaded machine.
	if took > opTimeout+time.Second {
		t.Errorf("a write blocked by another connection took %v to fail, want about OpTimeout (%v)", took, opTimeout)
	}

	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(fctx, bluelamp.EventLogNote, "", bluelamp.ClassOfficial, map[string]string{"text": "unblocked"}); err != nil {
		t.Fatalf("append once the lock is gone: %v", err)
	}
	h, err := s.FindHead(fctx)
	if err != nil || h.Seq != 2 {
		t.Fatalf("head = %+v, %v; want seq 2", h, err)
	}
}
