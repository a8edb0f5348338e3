package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/storetest"
)

const (
	provisionToken    = "an-operator-token-of-more-than-32-characters"
	provisionPassword = "a-long-enough-password"
)

// provisionCaller calls one bluelamp over HTTP as one caller: a session
// (in its cookie jar) or a bearer token.
type provisionCaller struct {
	t     *testing.T
	base  string
	hc    *http.Client
	token string
}

// call sends body as JSON and decodes a 2xx answer into out; it returns
// the status, and logs the body of any other.
func (c *provisionCaller) call(method, path string, body, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if res.StatusCode >= 300 {
		c.t.Logf("%s %s: %d %s", method, path, res.StatusCode, b)
	} else if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

// must is call that fails the test unless the status is want.
func (c *provisionCaller) must(want int, method, path string, body, out any) {
	c.t.Helper()
	if got := c.call(method, path, body, out); got != want {
		c.t.Fatalf("%s %s: got %d, want %d", method, path, got, want)
	}
}

func (c *provisionCaller) signIn(username string) *provisionCaller {
	c.t.Helper()
	jar, _ := cookiejar.New(nil)
	s := &provisionCaller{t: c.t, base: c.base, hc: &http.Client{Jar: jar}}
	s.must(http.StatusOK, "POST", "/api/v1/session", map[string]string{"username": username, "password": provisionPassword}, nil)
	return s
}

// TestProvisionedUnitIsRecommended sets a force up over HTTP alone, on a
// running node, and proves units created over the API join the live
// dispatch index as the demo's do: once available with a position, they
// are recommended for an incident. The index is loaded before the units
// exist, so they can reach it only through the events of their commits.
func TestProvisionedUnitIsRecommended(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testProvisionedUnitIsRecommended(t, "")
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		base := storetest.PostgresURL()
		if base == "" {
			t.Skip(storetest.PostgresEnv + " is not set")
		}
		testProvisionedUnitIsRecommended(t, storetest.PostgresDSN(t, base))
	})
}

func testProvisionedUnitIsRecommended(t *testing.T, database string) {
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Database, cfg.OperatorToken = "127.0.0.1:0", t.TempDir(), database, provisionToken
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "test")
	if err := m.Open(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })

	op := &provisionCaller{t: t, base: m.URL(), hc: &http.Client{}, token: provisionToken}
	op.must(http.StatusCreated, "POST", "/api/v1/forces", map[string]any{"id": "alpha", "name": "Alpha Constabulary",
		"admin": map[string]any{"username": "alpha.admin", "name": "Alpha Admin", "password": provisionPassword}}, nil)
	admin := op.signIn("alpha.admin")
	admin.must(http.StatusCreated, "POST", "/api/v1/users", map[string]any{"username": "alpha.sup", "display_name": "Alpha Supervisor",
		"roles": []string{"supervisor"}, "password": provisionPassword}, nil)
	sup := op.signIn("alpha.sup")

	here := map[string]float64{"lat": 51.5074, "lon": -0.1278}
	var inc struct {
		ID int64 `json:"id"`
	}
	sup.must(http.StatusCreated, "POST", "/api/v1/incidents", map[string]any{
		"channel": "OFFICER_GENERATED", "category": "CRIME_VIOLENCE", "grade": "IMMEDIATE", "summary": "fight in the street",
		"location": map[string]any{"address": "Trafalgar Square", "position": here},
		"thrive": map[string]any{"threat": map[string]any{"description": "fight"}, "harm": map[string]any{"severity": "HIGH"},
			"risk": map[string]any{"likelihood": "HIGH", "rating": "HIGH"}, "grade": "IMMEDIATE", "rationale": "violence in progress"},
	}, &inc)
	recommendations := func() []*bluelamp.Recommendation {
		var out struct{ Recommendations []*bluelamp.Recommendation }
		sup.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations", inc.ID), nil, &out)
		return out.Recommendations
	}
	if got := recommendations(); len(got) != 0 {
		t.Fatalf("before any unit exists: %d recommendations", len(got))
	}

	var st bluelamp.Station
	admin.must(http.StatusCreated, "POST", "/api/v1/stations", map[string]any{"code": "CX", "name": "Charing Cross", "lat": 51.509, "lon": -0.125}, &st)
	var imported struct{ Units []*bluelamp.Unit }
	admin.must(http.StatusCreated, "POST", "/api/v1/units/import", map[string]any{"units": []map[string]any{
		{"call_sign": "CX11", "type": "response car", "station_id": st.ID},
		{"call_sign": "CX12", "type": "response car", "station_id": st.ID}, // stays off duty
	}}, &imported)
	var single bluelamp.Unit
	admin.must(http.StatusCreated, "POST", "/api/v1/units", map[string]any{"call_sign": "CX13", "type": "response car", "station_id": st.ID}, &single)

	near, far := imported.Units[0], &single
	now := time.Now().UTC()
	for i, u := range []*bluelamp.Unit{near, imported.Units[1], far} {
		if u != imported.Units[1] {
			sup.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/units/%d/status", u.ID), map[string]string{"code": "2"}, nil)
		}
		var took struct {
			Accepted int `json:"accepted"`
		}
		sup.must(http.StatusOK, "POST", "/api/v1/positions", map[string]any{"positions": []map[string]any{
			{"unit_id": u.ID, "lat": 51.5074 + 0.002*float64(i+1), "lon": -0.1278, "at": now.Format(time.RFC3339Nano)}}}, &took)
		if took.Accepted != 1 {
			t.Fatalf("position of %s not taken: %+v", u.CallSign, took)
		}
	}
	got := recommendations()
	var ids []bluelamp.UnitID
	for _, r := range got {
		ids = append(ids, r.Unit.ID)
	}
	if len(got) != 2 || got[0].Unit.ID != near.ID || got[1].Unit.ID != far.ID || got[0].DistanceM <= 0 || got[0].Stale {
		t.Fatalf("recommended %v, want the imported %d then the single %d, nearest first: %+v", ids, near.ID, far.ID, got)
	}
}
