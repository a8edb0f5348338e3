package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

// The fuzz targets' seeds are in testdata/fuzz/<target>/: real requests,
// and the malformed ones each decoder must refuse cleanly (DESIGN §10).

// fuzzRequestTypes returns a new value of every request type the handlers
// decode.
func fuzzRequestTypes() []any {
	return []any{
		new(signInRequest), new(userCreateRequest), new(setPasswordRequest),
		new(changePasswordRequest), new(tokenCreateRequest), new(logNoteRequest),
		new(contactCreateRequest), new(incidentCreateRequest), new(thriveRequest), new(logEntryRequest),
		new(gradeRequest), new(bluelamp.Closing), new(majorDeclareRequest), new(methaneRequest), new(linkRequest),
		new(assignRequest), new(standDownRequest), new(unitUpdateRequest), new(unitStatusRequest), new(positionRequest),
		new(bluelamp.ForceSettings), new(forceCreateRequest), new(stationCreateRequest), new(unitCreateRequest),
	}
}

// fuzzDecodeCodes are the codes decodeBody may give.
var fuzzDecodeCodes = []string{"bad_utf8", "bad_json", "invalid_fields", "unknown_field"}

// FuzzDecodeBody decodes arbitrary bodies into every request type: it must
// never panic, accept only one valid JSON value of valid UTF-8, and refuse
// anything else with a KindInvalid error whose code and message say what is
// wrong.
func FuzzDecodeBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v := range fuzzRequestTypes() {
			err := decodeBody(body, v)
			name := reflect.TypeOf(v).Elem().Name()
			if err == nil {
				if !utf8.Valid(body) || !json.Valid(body) {
					t.Fatalf("%s: accepted a body that is not one valid JSON value: %q", name, body)
				}
				// What was accepted encodes and decodes back the same.
				again, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("%s: re-encode %+v: %v", name, v, err)
				}
				w := reflect.New(reflect.TypeOf(v).Elem()).Interface()
				if err := decodeBody(again, w); err != nil {
					t.Fatalf("%s: its own encoding %s is refused: %v", name, again, err)
				}
				// An empty list and an absent one mean the same.
				if diff := cmp.Diff(v, w, cmpopts.EquateEmpty(), cmp.AllowUnexported(incidentCreateRequest{})); diff != "" {
					t.Fatalf("%s: %s decodes differently from %q (-first +again):\n%s", name, again, body, diff)
				}
				continue
			}
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok {
				t.Fatalf("%s: error %T %v is not a *bluelamp.Error", name, err, err)
			}
			if e.Kind != bluelamp.KindInvalid && e.Kind != bluelamp.KindTooLarge {
				t.Fatalf("%s: error kind %s, want invalid or too_large: %v", name, e.Kind, err)
			}
			if !slices.Contains(fuzzDecodeCodes, e.Code) || e.Message == "" {
				t.Fatalf("%s: code %q message %q", name, e.Code, e.Message)
			}
			if (e.Code == "invalid_fields" || e.Code == "unknown_field") && len(e.Fields) == 0 {
				t.Fatalf("%s: %s names no field", name, e.Code)
			}
		}
	})
}

// FuzzJustification reads arbitrary justification headers: it must never
// panic, and either accept a known reason with text and reference in bounds
// or refuse with justification_required or invalid_fields naming the header.
func FuzzJustification(f *testing.F) {
	f.Fuzz(func(t *testing.T, reason, text, incident string) {
		r := &http.Request{Header: http.Header{}}
		for name, v := range map[string]string{HeaderReason: reason, HeaderJustification: text, HeaderIncident: incident} {
			if v != "" {
				r.Header.Set(name, v)
			}
		}
		j, err := justification(r)
		if err == nil {
			i := slices.IndexFunc(bluelamp.DefaultReasonCodes, func(c bluelamp.ReasonCodeInfo) bool { return c.Code == j.Reason })
			switch {
			case i < 0:
				t.Fatalf("accepted unknown reason %q", j.Reason)
			case bluelamp.DefaultReasonCodes[i].TextRequired && j.Text == "":
				t.Fatalf("accepted reason %s without the text it needs", j.Reason)
			case !utf8.ValidString(j.Text) || len(j.Text) > 1000 || j.Text != strings.TrimSpace(j.Text):
				t.Fatalf("accepted text %q", j.Text)
			case len(j.IncidentRef) > 64 || j.IncidentRef != strings.TrimSpace(incident):
				t.Fatalf("accepted incident %q", j.IncidentRef)
			case !strings.EqualFold(strings.TrimSpace(reason), string(j.Reason)):
				t.Fatalf("reason %q read as %q", reason, j.Reason)
			}
			return
		}
		e, ok := errors.AsType[*bluelamp.Error](err)
		if !ok || e.Kind != bluelamp.KindInvalid {
			t.Fatalf("error %T %v, want a KindInvalid *bluelamp.Error", err, err)
		}
		switch e.Code {
		case "justification_required":
			if strings.TrimSpace(reason) != "" {
				t.Fatalf("justification_required with reason %q", reason)
			}
		case "invalid_fields":
			if len(e.Fields) == 0 {
				t.Fatal("invalid_fields names no field")
			}
			for k := range e.Fields {
				if k != "reason" && k != "justification" && k != "incident_ref" {
					t.Fatalf("invalid field %q", k)
				}
			}
		default:
			t.Fatalf("code %q", e.Code)
		}
	})
}

// FuzzQuery runs the query helpers on arbitrary query strings: each returns
// a value in bounds or a KindInvalid error naming its parameter.
func FuzzQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw) // a real request's query parses the same, errors and all

		invalid := func(err error, name string) {
			t.Helper()
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok || e.Kind != bluelamp.KindInvalid || e.Code != "invalid_fields" || e.Fields[name] == "" {
				t.Fatalf("%s: error %v, want invalid_fields naming it", name, err)
			}
		}
		for _, p := range []struct {
			name        string
			def, lo, hi int
		}{
			{"limit", 100, 1, 1000},
			{"offset", 0, 0, 1 << 30},
			{"after", 0, 0, 1 << 62},
		} {
			n, err := queryInt(q, p.name, p.def, p.lo, p.hi)
			v := q.Get(p.name)
			switch {
			case err != nil:
				invalid(err, p.name)
				if m, perr := strconv.Atoi(v); v == "" || (perr == nil && m >= p.lo && m <= p.hi) {
					t.Fatalf("%s=%q refused: %v", p.name, v, err)
				}
			case v == "" && n != p.def:
				t.Fatalf("%s absent gave %d, want default %d", p.name, n, p.def)
			case v != "":
				if m, perr := strconv.Atoi(v); perr != nil || m != n || n < p.lo || n > p.hi {
					t.Fatalf("%s=%q gave %d", p.name, v, n)
				}
			}
		}

		for _, name := range []string{"from", "to"} {
			tm, err := queryTime(q, name)
			v := q.Get(name)
			switch {
			case err != nil:
				invalid(err, name)
			case v == "" && tm != nil:
				t.Fatalf("%s absent gave %v", name, tm)
			case v != "" && tm == nil:
				t.Fatalf("%s=%q gave no time", name, v)
			case tm != nil:
				if _, err := time.Parse(time.RFC3339, tm.Format(time.RFC3339Nano)); err != nil {
					t.Fatalf("%s=%q gave %v, which does not format back: %v", name, v, tm, err)
				}
			}
		}

		allowed := []string{"user", "subject", "action", "from", "to", "offset", "limit"}
		err := checkQuery(q, allowed...)
		var unknown []string
		for k := range q {
			if !slices.Contains(allowed, k) {
				unknown = append(unknown, k)
			}
		}
		switch {
		case len(unknown) == 0 && err != nil:
			t.Fatalf("checkQuery refused only known parameters %q: %v", raw, err)
		case len(unknown) > 0 && err == nil:
			t.Fatalf("checkQuery accepted unknown %q", unknown)
		case err != nil:
			e, _ := errors.AsType[*bluelamp.Error](err)
			if e == nil || e.Kind != bluelamp.KindInvalid || len(e.Fields) != 1 {
				t.Fatalf("checkQuery error %v", err)
			}
			for k := range e.Fields {
				if !slices.Contains(unknown, k) {
					t.Fatalf("checkQuery named %q, not one of %q", k, unknown)
				}
			}
		}
	})
}

// fuzzServer is a real API over a real store with credentials of several
// kinds, made once per fuzz target and engine.
type fuzzServer struct {
	engine  string
	h       http.Handler
	cookie  *http.Cookie
	admin   string // token secrets
	partner string
}

// fuzzStreamer sends the caller's visible events after the position, then
// ends, as a stream would on shutdown.
type fuzzStreamer struct{ store bluelamp.Store }

func (s fuzzStreamer) StreamBatches(ctx context.Context, actor *bluelamp.Actor, after int64, send func(*bluelamp.Event) error, idle func() error) error {
	events, err := s.store.FindEvents(bluelamp.NewContext(ctx, actor), bluelamp.EventFilter{After: after, Limit: 20})
	if err != nil {
		return err
	}
	for _, e := range events {
		if e.VisibleTo(actor) {
			if err := send(e); err != nil {
				return err
			}
		}
	}
	return idle()
}

// fuzzServers returns a server over SQLite and, when BLUELAMP_TEST_POSTGRES
// holds a DSN, one over a fresh PostgreSQL schema: every input goes to each.
func fuzzServers(f *testing.F) []*fuzzServer {
	f.Helper()
	servers := []*fuzzServer{fuzzNewServer(f, "sqlite", filepath.Join(f.TempDir(), "fuzz.db"))}
	if dsn := os.Getenv("BLUELAMP_TEST_POSTGRES"); dsn != "" {
		servers = append(servers, fuzzNewServer(f, "postgres", fuzzPostgresSchema(f, dsn)))
	}
	return servers
}

// fuzzPostgresSchema creates an empty schema, drops it when the fuzz target
// ends, and returns dsn pointing at it.
func fuzzPostgresSchema(f *testing.F, dsn string) string {
	f.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		f.Fatalf("BLUELAMP_TEST_POSTGRES: %v", err)
	}
	f.Cleanup(func() { db.Close() })
	schema := "fuzz_" + strings.ToLower(rand.Text()[:12])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		f.Fatalf("PostgreSQL at BLUELAMP_TEST_POSTGRES is not usable: %v", err)
	}
	f.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		f.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func fuzzNewServer(f *testing.F, engine, dsn string) *fuzzServer {
	f.Helper()
	s, admin := oaNewStore(f, dsn)
	ctx := bluelamp.SystemContext(context.Background(), "oa", "fuzz")
	st := &bluelamp.Station{Code: "KX", Name: "King's Cross", Lat: 51.53, Lon: -0.12}
	if err := s.CreateStation(ctx, st); err != nil {
		f.Fatal(err)
	}
	if err := s.CreateOfficer(ctx, &bluelamp.Officer{CollarNumber: "PC1", Name: "Pat", Rank: "PC", StationID: st.ID}); err != nil {
		f.Fatal(err)
	}
	// Command and control: unit 1 available, incident 1 opened by contact 1.
	if err := s.CreateUnit(ctx, &bluelamp.Unit{CallSign: "KX11", Type: "response car", StationID: st.ID, State: bluelamp.StateAvailable,
		Position: &bluelamp.Position{Lat: 51.53, Lon: -0.12}}); err != nil {
		f.Fatal(err)
	}
	inc := &bluelamp.Incident{Category: "ALARM", Grade: bluelamp.GradeStandard, Summary: "alarm sounding", Location: bluelamp.Location{Address: "1 Euston Road"}}
	if err := s.CreateContact(ctx, &bluelamp.Contact{Channel: bluelamp.ChannelNonEmergency, Account: "an alarm is sounding",
		Location: bluelamp.Location{Address: "1 Euston Road", Position: &bluelamp.Position{Lat: 51.53, Lon: -0.125}}}, inc); err != nil {
		f.Fatal(err)
	}
	partner := &bluelamp.User{Username: "partner", DisplayName: "Partner", Roles: []bluelamp.Role{bluelamp.RolePartnerAgency}}
	if err := s.CreateUser(ctx, partner, ""); err != nil {
		f.Fatal(err)
	}
	token := func(u bluelamp.UserID) string {
		tk, secret := auth.NewToken(u, "fuzz", nil)
		if err := s.CreateToken(ctx, tk); err != nil {
			f.Fatal(err)
		}
		return secret
	}
	srv := &Server{Store: s, Auth: auth.New(s), Stream: fuzzStreamer{s}, Logger: slog.New(slog.DiscardHandler), Heartbeat: time.Hour,
		Ready: func(context.Context) error { return nil }, Dispatch: testRecommender{s}}
	fs := &fuzzServer{engine: engine, h: srv.Handler(), admin: token(admin.ID), partner: token(partner.ID)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(`{"username":"admin","password":"`+oaPassword+`"}`))
	req.Header.Set("Content-Type", "application/json")
	fs.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		fs.cookie = c
	}
	if rec.Code != http.StatusOK || fs.cookie == nil {
		f.Fatalf("sign in: %d %s", rec.Code, rec.Body)
	}
	return fs
}

// fuzzHeaderValue reports whether v could arrive as a header value: net/http
// refuses control characters other than tab.
func fuzzHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f })
}

func fuzzToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}

// FuzzServeHTTP sends arbitrary requests through the real handler, over
// each engine: no answer may be a 500, every error must be a problem
// document with a code, and every exchange must match the OpenAPI document
// (oaValidate).
func FuzzServeHTTP(f *testing.F) {
	servers := fuzzServers(f)
	f.Fuzz(func(t *testing.T, method, target, contentType string, body []byte, who uint8, reason, justification, headerName, headerValue string) {
		if !fuzzToken(method) || !fuzzHeaderValue(contentType) || !fuzzHeaderValue(reason) || !fuzzHeaderValue(justification) ||
			!fuzzHeaderValue(headerValue) || (headerName != "" && !fuzzToken(headerName)) {
			return // net/http would refuse the request before any handler
		}
		u, err := url.ParseRequestURI(target)
		if err != nil || strings.ContainsFunc(target, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return
		}
		for _, fs := range servers {
			r := (&http.Request{
				Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{}, Host: "bluelamp.test", RemoteAddr: "192.0.2.1:1234",
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
			}).WithContext(t.Context())
			if u.Host != "" {
				r.Host = u.Host
			}
			for name, v := range map[string]string{"Content-Type": contentType, HeaderReason: reason, HeaderJustification: justification} {
				if v != "" {
					r.Header.Set(name, v)
				}
			}
			if headerName != "" {
				r.Header.Add(headerName, headerValue)
			}
			switch who % 4 {
			case 1:
				r.AddCookie(fs.cookie)
			case 2:
				r.Header.Set("Authorization", "Bearer "+fs.admin)
			case 3:
				r.Header.Set("Authorization", "Bearer "+fs.partner)
			}
			w := httptest.NewRecorder()
			fs.h.ServeHTTP(w, r)
			r.Body = io.NopCloser(bytes.NewReader(body))
			fuzzCheckResponse(t, fs.engine, r, body, w)
		}
	})
}

// fuzzCheckResponse checks one answer of FuzzServeHTTP.
func fuzzCheckResponse(t *testing.T, engine string, r *http.Request, body []byte, w *httptest.ResponseRecorder) {
	t.Helper()
	status, ct := w.Code, w.Header().Get("Content-Type")
	what := fmt.Sprintf("%s: %s %s → %d", engine, r.Method, r.RequestURI, status)
	if status >= 500 && status != http.StatusServiceUnavailable {
		t.Fatalf("%s: %s", what, w.Body)
	}
	if err := oaValidate(r, status, w.Header(), w.Body.Bytes()); err != nil {
		t.Fatalf("%s does not match openapi.json: %v\n%s", what, err, w.Body)
	}
	if status < 400 {
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/json" && !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: invalid JSON %q", what, w.Body)
		}
		return
	}
	if ct != "application/problem+json" {
		t.Fatalf("%s with content type %q: %s", what, ct, w.Body)
	}
	// An import's refusal also lists its bad rows (oaValidate checked them).
	var withRows struct {
		Problem
		Rows json.RawMessage `json:"rows"`
	}
	dec := json.NewDecoder(w.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&withRows); err != nil {
		t.Fatalf("%s: not a problem: %v", what, err)
	}
	p := withRows.Problem
	if (withRows.Rows != nil) != (p.Code == "invalid_rows") {
		t.Fatalf("%s: problem %s with rows %s", what, p.Code, withRows.Rows)
	}
	if p.Code == "" || p.Status != status || p.Type != ProblemType(p.Code) || p.Detail == "" || p.RequestID == "" {
		t.Fatalf("%s: problem %+v", what, p)
	}
}
