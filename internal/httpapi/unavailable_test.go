package httpapi

import (
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/bluelamp/bluelamp/internal/storetest"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// TestDatabaseLocked holds SQLite's write lock from another connection and
// expects writes to fail with 503 and Retry-After, not hang; once the lock
// goes, writes work again.
func TestDatabaseLocked(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "locked.db")
	s := sqlstore.New(path)
	s.Migrate = sqlstore.MigrateIfEmpty
	s.OpTimeout = time.Second
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &apiEnv{t: t, store: s, srv: &Server{Store: s, Auth: auth.New(s), Logger: slog.New(slog.DiscardHandler)}}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "ctl", bluelamp.RoleController)
	c := e.signIn("ctl")

	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	res := c.do("POST", "/api/v1/log/notes", `{"text":"while locked"}`)
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || res.problemCode(t) != "database_unavailable" {
		t.Fatalf("write while locked: %d %v %s", res.status, res.header, res.body)
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if res := c.do("POST", "/api/v1/log/notes", `{"text":"after the lock"}`); res.status != http.StatusCreated {
		t.Fatalf("write after the lock: %d %s", res.status, res.body)
	}
}

// proxy is a TCP proxy that can cut every connection, to take PostgreSQL
// away from the store without stopping the shared server.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn // guarded by mu
	down   bool       // guarded by mu
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut(true) })
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { io.Copy(u, c); u.Close() }()
		go func() { io.Copy(c, u); c.Close() }()
	}
}

// cut closes every connection and, while down, refuses new ones.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestDatabaseGone takes PostgreSQL away mid-run and expects 503 with
// Retry-After on reads and writes and from /readyz, never a hang or a 500;
// when it returns, so does service.
func TestDatabaseGone(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL()
	if dsn == "" {
		t.Skip("BLUELAMP_TEST_POSTGRES is not set")
	}
	u, err := url.Parse(storetest.PostgresDSN(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	s := sqlstore.New(u.String())
	s.Migrate = sqlstore.MigrateIfEmpty
	s.OpTimeout = 2 * time.Second
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	srv := &Server{Store: s, Auth: auth.New(s), Logger: slog.New(slog.DiscardHandler), Ready: s.Ping}
	e := &apiEnv{t: t, store: s, srv: srv, ts: httptest.NewServer(srv.Handler())}
	t.Cleanup(e.ts.Close)
	e.mustCreateForce("alpha")
	e.mustCreateUser("alpha", "ctl", bluelamp.RoleController)
	c := e.signIn("ctl")

	p.cut(true)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/v1/log/notes", `{"text":"while gone"}`},
		{"GET", "/api/v1/log", ""},
		{"GET", "/readyz", ""},
	} {
		var body any
		if r.body != "" {
			body = r.body
		}
		res := c.do(r.method, r.path, body)
		if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" {
			t.Fatalf("%s %s while the database is gone: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	p.cut(false)
	if res := c.do("POST", "/api/v1/log/notes", `{"text":"back again"}`); res.status != http.StatusCreated {
		t.Fatalf("write after the database returned: %d %s", res.status, res.body)
	}
}
