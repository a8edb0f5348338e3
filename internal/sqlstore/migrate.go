package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/bluelamp/bluelamp"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations for engine, in order.
func Migrations(engine string) ([]Migration, error) {
	dir := path.Join("migrations", engine)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationsFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)`

// SchemaVersion returns the highest applied migration, 0 for an empty
// database. It only reads, so it works for a read-only database role.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var n int
	if err := s.wdb.QueryRowContext(ctx, s.d.rebind(s.d.hasTable), "schema_migrations").Scan(&n); err != nil {
		return 0, s.d.translate(err, "schema")
	}
	if n == 0 {
		return 0, nil
	}
	var v int
	if err := s.wdb.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, s.d.translate(err, "schema")
	}
	return v, nil
}

// ApplyMigrations applies every migration not yet applied, each in its own
// transaction, and returns the versions it applied.
func (s *Store) ApplyMigrations(ctx context.Context) ([]int, error) {
	ms, err := Migrations(s.d.name)
	if err != nil {
		return nil, err
	}
	if _, err := s.wdb.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, s.d.translate(err, "schema")
	}
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if err := s.applyMigration(ctx, m); err != nil {
			return applied, err
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

func (s *Store) applyMigration(ctx context.Context, m Migration) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return s.d.translate(err, "schema")
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("apply migration %04d_%s: %w", m.Version, m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.Version, m.Name, micros(s.Now())); err != nil {
		return fmt.Errorf("record migration %04d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migration %04d: %w", m.Version, err)
	}
	return nil
}

// MigrateMode says what Open does with a schema older than the binary's.
type MigrateMode int

const (
	MigrateNever   MigrateMode = iota // refuse it: `bluelamp migrate` is explicit
	MigrateIfEmpty                    // migrate an empty database, refuse an old one
	MigrateAlways                     // migrate it
)

// checkSchema migrates as s.Migrate allows and refuses any database whose
// schema is not then exactly this binary's.
func (s *Store) checkSchema(ctx context.Context) error {
	ms, err := Migrations(s.d.name)
	if err != nil {
		return err
	}
	want := ms[len(ms)-1].Version
	got, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	s.SchemaBefore = got
	if got < want && (s.Migrate == MigrateAlways || s.Migrate == MigrateIfEmpty && got == 0) {
		applied, err := s.ApplyMigrations(ctx)
		s.Applied = applied
		return err
	}
	switch {
	case got < want:
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "schema_old",
			Message: fmt.Sprintf("the database schema is at version %d and this binary needs %d: run `bluelamp migrate`", got, want)}
	case got > want:
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "schema_new",
			Message: fmt.Sprintf("the database schema is at version %d, newer than this binary's %d: upgrade bluelamp", got, want)}
	}
	return nil
}
