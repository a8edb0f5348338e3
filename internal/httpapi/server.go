// Package httpapi is bluelamp's JSON API under /api/v1, with health,
// readiness and metrics endpoints and the OpenAPI 3.1 document. Every route,
// with the roles that may call it, is in one table (routes.go) and is
// authorised in one place (ServeHTTP).
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/avl"
)

// Streamer delivers a force's events to one live client from a position.
type Streamer interface {
	// StreamBatches sends events through send and calls idle whenever it
	// has sent some and has nothing more waiting (live.Hub).
	StreamBatches(ctx context.Context, actor *bluelamp.Actor, after int64, send func(*bluelamp.Event) error, idle func() error) error
}

// Recommender recommends units for an incident: available units with the
// skills it needs, nearest by estimated time of arrival first, and for an
// IMMEDIATE incident also committed units that could be diverted. It acts
// for the actor in ctx.
type Recommender interface {
	Recommend(ctx context.Context, inc *bluelamp.Incident, limit int) ([]*bluelamp.Recommendation, error)
}

// Server serves the API. Set the fields, then call Handler.
type Server struct {
	Store   bluelamp.Store
	Auth    *auth.Authenticator
	Stream  Streamer
	Logger  *slog.Logger
	Version string

	// Dispatch recommends units; without it recommendations answer 503.
	Dispatch Recommender
	// Tracker takes position reports and Feed streams them to consoles;
	// without them the position routes answer 503.
	Tracker *avl.Tracker
	Feed    *avl.Feed
	// Evidence holds exhibits' files and wakes the referral deliverer.
	Evidence Evidence
	// Now is the clock attendance clocks are read against; time.Now when nil.
	Now func() time.Time

	Ready   func(ctx context.Context) error // nil error when the database and bus are ready
	Metrics http.Handler                    // Prometheus exposition, served at /metrics
	// Observe is told of every request: its route pattern, status and duration.
	Observe func(pattern string, status int, d time.Duration)
	// Heartbeat is how often an idle event stream sends a comment and
	// re-checks that its caller is still signed in.
	Heartbeat time.Duration

	frames frameCache // SSE frames of recent events, shared by every stream
	mux    *http.ServeMux
	routes []route
	cop    *http.CrossOriginProtection
}

// Handler builds the router and returns the API's handler. Mount it at "/"
// or under a mux that sends /api/, /healthz, /readyz and /metrics to it.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Heartbeat == 0 {
		s.Heartbeat = 15 * time.Second
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.routes = s.table()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.pattern, rt)
	}
	s.cop = http.NewCrossOriginProtection()
	return s
}

// Routes returns every route pattern, for the test that the OpenAPI document
// lists exactly these.
func (s *Server) Routes() []string {
	if s.routes == nil {
		s.routes = s.table()
	}
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.pattern
	}
	return out
}

// route is one row of the authorisation table.
type route struct {
	pattern string
	public  bool // no sign-in needed
	// operator: only the deployment's operator may call it, with the
	// operator token; no user may, and the token is good nowhere else.
	operator bool
	roles    []bluelamp.Role // who may call it; nil with public false means any signed-in user
	query    []string        // the query parameters it takes
	maxBody  int64           // the largest body it takes; MaxBody when 0
	// basicAuth takes an API token as the password of HTTP Basic auth,
	// for trackers that can put credentials only in a URL.
	basicAuth bool
	handle    func(w http.ResponseWriter, r *http.Request) error
	s         *Server
}

// ServeHTTP runs a matched route's handler and writes its error as a problem.
func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := rt.handle(w, r); err != nil {
		if rp, ok := replayOf(err); ok {
			rt.s.writeReplay(w, r, rp)
			return
		}
		writeProblem(w, r, rt.s.Logger, err)
	}
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	sessionKey
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func sessionFrom(ctx context.Context) *bluelamp.Session {
	s, _ := ctx.Value(sessionKey).(*bluelamp.Session)
	return s
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status written, for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP is the single entry: request id, panic recovery, routing with
// problem+json 404/405, authentication, authorisation against the route
// table, logging and metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		id = newRequestID()
	}
	ctx := context.WithValue(r.Context(), requestIDKey, id)
	r = r.WithContext(ctx)
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set("X-Request-ID", id)
	sw.Header().Set("X-Content-Type-Options", "nosniff")

	_, pattern := s.mux.Handler(r)
	defer func() {
		if p := recover(); p != nil {
			s.Logger.ErrorContext(ctx, "panic", "request_id", id, "path", r.URL.Path, "panic", p)
			if sw.status == 0 {
				writeProblem(sw, r, s.Logger, &bluelamp.Error{Kind: bluelamp.KindInternal, Message: "panic"})
			}
		}
		d := time.Since(start)
		if pattern == "" {
			pattern = "unmatched"
		}
		if s.Observe != nil {
			s.Observe(pattern, sw.status, d)
		}
		// Paths and ids only: never bodies, headers or query values, which
		// may hold personal data.
		s.Logger.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("route", pattern), slog.Int("status", sw.status), slog.Duration("duration", d))
	}()

	if pattern == "" {
		s.unmatched(sw, r)
		return
	}
	// CSRF: a browser's unsafe request from another origin is refused
	// before anything else (bearer-token clients send no such headers).
	if err := s.cop.Check(r); err != nil {
		writeProblem(sw, r, s.Logger, &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "cross_origin",
			Message: "this request came from another site and is refused; use bluelamp's own pages or an API token"})
		return
	}
	rt := s.routeFor(pattern)
	if rt.basicAuth {
		basicAsBearer(r)
	}
	if rt.operator {
		actor, err := s.Auth.Operator(r)
		if err != nil {
			writeProblem(sw, r, s.Logger, err)
			return
		}
		ctx = bluelamp.NewContext(ctx, actor)
		r = r.WithContext(ctx)
	} else if !rt.public {
		actor, sess, err := s.Auth.Request(r)
		if err != nil {
			writeProblem(sw, r, s.Logger, err)
			return
		}
		if rt.roles != nil && !actor.HasRole(rt.roles...) {
			writeProblem(sw, r, s.Logger, &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "role_required",
				Message: "your role may not do this; it needs one of: " + roleNames(rt.roles)})
			return
		}
		ctx = bluelamp.NewContext(ctx, actor)
		ctx = context.WithValue(ctx, sessionKey, sess)
		r = r.WithContext(ctx)
	}
	if err := checkQuery(r.URL.Query(), rt.query...); err != nil {
		writeProblem(sw, r, s.Logger, err)
		return
	}
	limit := int64(MaxBody)
	if rt.maxBody > 0 {
		limit = rt.maxBody
	}
	r.Body = http.MaxBytesReader(sw, r.Body, limit)
	op, answer, r, err := clientOp(sw, r)
	if err != nil {
		writeProblem(sw, r, s.Logger, err)
		return
	}
	if op == nil {
		// The mux, not the handler Handler returned, sets the path values.
		s.mux.ServeHTTP(sw, r)
		return
	}
	s.mux.ServeHTTP(answer, r)
	s.saveAnswer(r.Context(), op, answer)
}

func (s *Server) routeFor(pattern string) route {
	i := slices.IndexFunc(s.routes, func(rt route) bool { return rt.pattern == pattern })
	return s.routes[i]
}

// unmatched answers 405 with Allow when another method matches the path,
// and 404 otherwise.
func (s *Server) unmatched(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := s.mux.Handler(r2); p != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, r, s.Logger, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeMethodNotAllowed,
			Message: r.Method + " is not allowed here; use " + strings.Join(allow, " or ")})
		return
	}
	writeProblem(w, r, s.Logger, &bluelamp.Error{Kind: bluelamp.KindNotFound, Code: "no_route", Message: "there is no such endpoint"})
}

func roleNames(roles []bluelamp.Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
