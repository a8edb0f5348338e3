package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/bluelamp/bluelamp"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds every difference between the two engines: SQL is written
// once, with ? placeholders, in the subset both accept.
type dialect struct {
	name      string // "sqlite" or "postgres"
	forUpdate string // row-lock suffix for the force head read
	hasTable  string // counts the tables named ? in the current schema

	trace func(query string) // Store.TraceSQL: told every statement as the engine gets it

	mu sync.Mutex
	// rebound caches each query text rewritten for this engine; guarded by mu.
	rebound map[string]string
}

func newDialect(name string) *dialect {
	d := &dialect{name: name, rebound: map[string]string{},
		hasTable: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?"}
	if name == "postgres" {
		d.forUpdate = " FOR UPDATE"
		d.hasTable = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	}
	return d
}

// rebind rewrites ? placeholders to $1, $2… for PostgreSQL, leaving quoted
// text alone.
func (d *dialect) rebind(q string) string {
	if d.trace != nil {
		defer func() { d.trace(d.rebindUntraced(q)) }()
	}
	return d.rebindUntraced(q)
}

func (d *dialect) rebindUntraced(q string) string {
	if d.name != "postgres" {
		return q
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.rebound[q]; ok {
		return r
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
			b.WriteByte(c)
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	d.rebound[q] = b.String()
	return d.rebound[q]
}

// translate maps a driver error to a domain error by its code, never its text.
func (d *dialect) translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*bluelamp.Error](err); ok {
		return err
	}
	if _, ok := errors.AsType[*bluelamp.Replayed](err); ok {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: what + " not found", Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, sql.ErrConnDone):
		return unavailable(err)
	}
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Message: what + " already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &bluelamp.Error{Kind: bluelamp.KindInvalid, Message: what + " refers to a record that does not exist", Err: err}
		}
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL:
			return unavailable(err)
		}
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case e.Code == "23505":
			return &bluelamp.Error{Kind: bluelamp.KindConflict, Message: what + " already exists", Err: err}
		case e.Code == "22021" || e.Code == "22P05":
			// character_not_in_repertoire, untranslatable_character: NUL or
			// bad UTF-8 that got past the edge
			return &bluelamp.Error{Kind: bluelamp.KindInvalid, Message: "text holds a character that cannot be stored", Err: err}
		case e.Code == "23503":
			return &bluelamp.Error{Kind: bluelamp.KindInvalid, Message: what + " refers to a record that does not exist", Err: err}
		case strings.HasPrefix(e.Code, "08"), strings.HasPrefix(e.Code, "53"), strings.HasPrefix(e.Code, "57"),
			e.Code == "40001", e.Code == "40P01", e.Code == "55P03":
			// connection exceptions, insufficient resources (disk full), operator
			// intervention (shutdown), serialization failures and lock timeouts
			return unavailable(err)
		}
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return unavailable(err)
	}
	// The connection went away under us: closed, cut mid-read, or refused
	// before anything was sent.
	if errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.EOF) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return unavailable(err)
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return unavailable(err)
	}
	return err
}

func unavailable(err error) error {
	return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "database_unavailable",
		Message: "the database is unavailable; try again shortly", Err: err}
}
