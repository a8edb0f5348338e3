// Package sqlstore is the bluelamp store on database/sql, for SQLite
// (modernc.org/sqlite, pure Go, WAL) and PostgreSQL (pgx). Every public method
// is one transaction; every write goes through a group-commit writer that
// commits a batch of callers' transactions with one fsync.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

var _ bluelamp.Store = (*Store)(nil)

// Store implements every bluelamp store contract on one database.
type Store struct {
	DSN string // a file path or file: URL for SQLite, postgres:// URL for PostgreSQL

	// Optional settings, set before Open.
	Now       func() time.Time
	Logger    *slog.Logger
	OpTimeout time.Duration                  // bound on any one database call; past it the store is unavailable
	MaxBatch  int                            // most writes committed together
	OnCommit  func(events []*bluelamp.Event) // called after each commit with the events it made durable
	Migrate   MigrateMode                    // what Open does with a schema older than the binary's
	ReadConns int                            // SQLite read pool size
	TraceSQL  func(query string)             // when set, told every statement as its engine gets it

	// Set by Open: the schema version found, and the migrations it applied.
	SchemaBefore int
	Applied      []int

	d       *dialect
	wdb     *sql.DB // writes: one connection on SQLite
	rdb     *sql.DB // reads
	writes  chan *writeReq
	bulk    chan *writeReq // position reports: committed apart, after waiting interactive writes
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool

	// leaseMu guards leaseConn, the session holding the outbox lease.
	leaseMu   sync.Mutex
	leaseConn *sql.Conn
}

// New returns a Store for dsn with defaults set.
func New(dsn string) *Store {
	return &Store{
		DSN:       dsn,
		Now:       time.Now,
		Logger:    slog.Default(),
		OpTimeout: 5 * time.Second,
		MaxBatch:  256,
		ReadConns: 4,
	}
}

// Engine returns "sqlite" or "postgres" for dsn.
func Engine(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "postgres"
	}
	return "sqlite"
}

// Open connects, checks (or, with AutoMigrate on an empty database, applies)
// the schema, and starts the writer. It fails with KindUnavailable when the
// database cannot be reached and KindInvalid when its schema is older or newer
// than this binary.
func (s *Store) Open() error {
	s.d = newDialect(Engine(s.DSN))
	s.d.trace = s.TraceSQL
	var err error
	if s.d.name == "postgres" {
		err = s.openPostgres()
	} else {
		err = s.openSQLite()
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*s.OpTimeout)
	defer cancel()
	if err := s.checkSchema(ctx); err != nil {
		s.wdb.Close()
		s.rdb.Close()
		return err
	}
	wctx, wcancel := context.WithCancel(context.Background())
	s.cancel = wcancel
	s.writes = make(chan *writeReq, 4*s.MaxBatch)
	s.bulk = make(chan *writeReq, 4*s.MaxBatch)
	s.wg.Go(func() { s.writer(wctx) })
	return nil
}

func (s *Store) openSQLite() error {
	path := strings.TrimPrefix(s.DSN, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("create database directory: %w", err)
		}
	}
	// synchronous(FULL): a commit is on disk before it is acknowledged, so
	// kill -9 or power loss loses nothing a caller was told was saved.
	pragmas := "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	var err error
	if s.wdb, err = sql.Open("sqlite", u+"?"+pragmas+"&_txlock=immediate"); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetConnMaxIdleTime(0)
	if s.rdb, err = sql.Open("sqlite", u+"?"+pragmas+"&_pragma=query_only(1)"); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	s.rdb.SetMaxOpenConns(s.ReadConns)
	s.rdb.SetMaxIdleConns(s.ReadConns)
	ctx, cancel := context.WithTimeout(context.Background(), s.OpTimeout)
	defer cancel()
	if err := s.wdb.PingContext(ctx); err != nil {
		s.wdb.Close()
		s.rdb.Close()
		return s.d.translate(err, "database")
	}
	return nil
}

func (s *Store) openPostgres() error {
	db, err := sql.Open("pgx", s.DSN)
	if err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Message: "the PostgreSQL URL is not valid", Err: err}
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), s.OpTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return s.d.translate(err, "database")
	}
	s.wdb, s.rdb = db, db
	return nil
}

// Engine returns "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name }

// Close stops the writer after it has committed what it holds, then closes
// the database.
func (s *Store) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	if s.writes != nil {
		close(s.writes)
		close(s.bulk)
	}
	s.closeMu.Unlock()
	s.wg.Wait()
	if s.cancel != nil {
		s.cancel()
	}
	if s.writes == nil {
		return nil // never opened, or Open failed and closed the database itself
	}
	s.releaseOutboxLease()
	err := s.wdb.Close()
	if s.rdb != s.wdb {
		if rerr := s.rdb.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping reports whether the database answers within OpTimeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.OpTimeout)
	defer cancel()
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return s.d.translate(err, "database")
	}
	return nil
}

// DB returns the write handle, for tests that tamper with the database.
func (s *Store) DB() *sql.DB { return s.wdb }

// micros converts a time to the stored form.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts the stored form to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}
