package sim

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

func testConfig(t *testing.T, profile string) Config {
	t.Helper()
	cfg, err := ProfileConfig(profile, time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target, cfg.OperatorToken = "http://127.0.0.1:1", "x"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// firstCalls is the first n calls of every force of cfg's world.
func firstCalls(cfg Config, n int) [][]Call {
	w := Generate(cfg)
	out := make([][]Call, len(w.Forces))
	for i, f := range w.Forces {
		g := newCalls(cfg, f)
		for range n {
			out[i] = append(out[i], g.Next())
		}
	}
	return out
}

func TestSameSeedSameCalls(t *testing.T) {
	cfg := testConfig(t, "national")
	cfg.MajorEvery = time.Hour // majors in the sequence too
	a, b := firstCalls(cfg, 200), firstCalls(cfg, 200)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different calls")
	}
	cfg.Seed = 2
	if c := firstCalls(cfg, 200); reflect.DeepEqual(a, c) {
		t.Fatal("a different seed gave the same calls")
	}
}

func TestSameSeedSameWorld(t *testing.T) {
	cfg := testConfig(t, "national")
	a, b := Generate(cfg), Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different worlds")
	}
	if a.Units() != cfg.Units || len(a.Forces) != cfg.Forces {
		t.Fatalf("world has %d units in %d forces, want %d in %d", a.Units(), len(a.Forces), cfg.Units, cfg.Forces)
	}
	biggest, smallest := 0, math.MaxInt
	ids := map[bluelamp.ForceID]bool{}
	for _, f := range a.Forces {
		if ids[f.ID] || !f.ID.Valid() {
			t.Fatalf("force id %q repeated or invalid", f.ID)
		}
		ids[f.ID] = true
		biggest, smallest = max(biggest, len(f.Units)), min(smallest, len(f.Units))
		settings := bluelamp.DefaultForceSettings()
		settings.Area = f.Area
		if err := settings.Validate(); err != nil {
			t.Fatalf("force %s: its settings would be refused: %v", f.ID, err)
		}
		signs := map[string]bool{}
		for _, u := range f.Units {
			unit := bluelamp.Unit{CallSign: u.CallSign, Type: u.Type, StationID: 1, Crew: u.Crew}
			if err := unit.Validate(); err != nil || signs[u.CallSign] {
				t.Fatalf("force %s unit %s refused or repeated: %v", f.ID, u.CallSign, err)
			}
			signs[u.CallSign] = true
			if !f.Area.Contains(bluelamp.Position{Lat: u.Beat[0], Lon: u.Beat[1]}) {
				t.Fatalf("unit %s patrols outside its force", u.CallSign)
			}
		}
	}
	// UK forces differ many times over in size (DOMAIN 1.1).
	if biggest < 5*smallest {
		t.Errorf("forces range only %d to %d units", smallest, biggest)
	}
}

// TestCallRate counts a simulated week of one force's calls: the total
// matches the profile's daily contacts, calls peak in the early evening
// and fall away before dawn, and weekends are busier.
func TestCallRate(t *testing.T) {
	cfg := testConfig(t, "national")
	cfg.Forces, cfg.Units, cfg.DailyContacts, cfg.MajorEvery = 1, 1000, 2000, 0
	cfg.Start = time.Date(2026, 6, 1, 0, 0, 0, 0, london()) // a Monday
	w := Generate(cfg)
	g := newCalls(cfg, w.Forces[0])
	var byHour [24]int
	days := map[time.Weekday]int{}
	total, dups, immediate := 0, 0, 0
	end := cfg.Start.AddDate(0, 0, 7)
	for c := g.Next(); c.At.Before(end); c = g.Next() {
		total++
		byHour[c.At.In(london()).Hour()]++
		days[c.At.In(london()).Weekday()]++
		if !c.First {
			dups++
		}
		if c.First && c.Grade == bluelamp.GradeImmediate {
			immediate++
		}
		if !w.Forces[0].Area.Contains(bluelamp.Position{Lat: c.Lat, Lon: c.Lon}) {
			t.Fatalf("call %d is outside the force", c.Seq)
		}
	}
	// June runs above the yearly mean (monthWeights); allow for that and
	// for chance (±5 %: some 15,000 calls).
	want := 7 * cfg.DailyContacts * monthWeights[5]
	if math.Abs(float64(total)-want) > 0.05*want {
		t.Errorf("%d calls in a week, want about %.0f", total, want)
	}
	if byHour[17] < 3*byHour[5] {
		t.Errorf("17:00 has %d calls and 05:00 %d: want a strong evening peak", byHour[17], byHour[5])
	}
	if days[time.Saturday] <= days[time.Tuesday] {
		t.Errorf("Saturday %d calls, Tuesday %d: want weekends busier", days[time.Saturday], days[time.Tuesday])
	}
	if share := float64(dups) / float64(total); share < 0.05 || share > 0.3 {
		t.Errorf("%.0f %% of calls are duplicates", share*100)
	}
	if share := float64(immediate) / float64(total-dups); share < 0.1 || share > 0.35 {
		t.Errorf("%.0f %% of incidents are IMMEDIATE", share*100)
	}
}

func TestPeakNight(t *testing.T) {
	nye := time.Date(2026, 12, 31, 23, 30, 0, 0, london())
	if r := demand(nye, true) / demand(nye, false); math.Abs(r-2.3) > 1e-9 {
		t.Errorf("New Year's Eve is %.2f× an ordinary night, want 2.3×", r)
	}
	// Mean 1 over an ordinary week.
	var sum float64
	start := time.Date(2026, 10, 5, 0, 30, 0, 0, london())
	for h := range 24 * 7 {
		sum += demand(start.Add(time.Duration(h)*time.Hour), false)
	}
	if mean := sum / (24 * 7) / monthWeights[9]; math.Abs(mean-1) > 0.05 {
		t.Errorf("an ordinary week's mean demand is %.3f, want about 1", mean)
	}
}

func TestDuplicatesFollowTheirFirstCall(t *testing.T) {
	cfg := testConfig(t, "demo")
	cfg.Forces, cfg.Units, cfg.MajorEvery = 1, 200, 2*time.Hour
	w := Generate(cfg)
	g := newCalls(cfg, w.Forces[0])
	first := map[int]Call{}
	majors := 0
	var last time.Time
	for range 3000 {
		c := g.Next()
		if c.At.Before(last) {
			t.Fatalf("call %d comes before the one before it", c.Seq)
		}
		last = c.At
		if c.First {
			first[c.Happening] = c
			if c.Major {
				majors++
			}
			continue
		}
		f, ok := first[c.Happening]
		if !ok || f.Category != c.Category || !c.At.After(f.At) || metres(f.Lat, f.Lon, c.Lat, c.Lon) > 81 {
			t.Fatalf("duplicate call %d does not follow its first call: %+v then %+v", c.Seq, f, c)
		}
	}
	if majors == 0 {
		t.Error("no major incident in 3,000 calls with one every 2 hours")
	}
}

func TestMotion(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := motion{from: [2]float64{51, -1}, to: [2]float64{51.01, -0.99}, start: t0, speed: 10}
	ns, ew := m.legs()
	if math.Abs(ns-1113.2) > 1 || math.Abs(ew-700.6) > 1 {
		t.Fatalf("legs %.1f and %.1f m", ns, ew)
	}
	if got, want := m.arrival(), t0.Add(time.Duration((ns+ew)/10*float64(time.Second))); !got.Equal(want) {
		t.Fatalf("arrives %s, want %s", got, want)
	}
	p, v, h := m.at(t0.Add(50 * time.Second)) // 500 m north
	if math.Abs(p[0]-(51+500/111_320.0)) > 1e-9 || p[1] != -1 || v != 10 || h != 0 {
		t.Fatalf("after 50 s: %v %v %v", p, v, h)
	}
	p, _, h = m.at(t0.Add(150 * time.Second)) // on the east leg
	if p[0] != 51.01 || p[1] <= -1 || p[1] >= -0.99 || h != 90 {
		t.Fatalf("after 150 s: %v heading %v", p, h)
	}
	if p, v, _ := m.at(t0.Add(time.Hour)); p != m.to || v != 0 {
		t.Fatalf("after arrival: %v moving %v", p, v)
	}
	m.patrol, m.block = 2, 100
	after := m.arrival()
	if p, v, _ := m.at(after.Add(200 * time.Second)); math.Abs(metres(p[0], p[1], m.to[0], m.to[1])) > 0.01 || v != 2 {
		t.Fatalf("a patrol round the block (400 m at 2 m/s) ends where it began: %v", p)
	}
}

func TestParseMetrics(t *testing.T) {
	text := "# HELP process_cpu_seconds_total x\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n" +
		"process_resident_memory_bytes 1.2e+08\ngo_goroutines 42\ngo_memstats_heap_inuse_bytes 3e+07\nbluelamp_x{a=\"b\"} 1\n"
	r, err := parseMetrics(strings.NewReader(text))
	if err != nil || r.cpu != 12.5 || r.rss != 1.2e8 || r.goroutines != 42 || r.heap != 3e7 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := parseMetrics(strings.NewReader("garbage\n")); err == nil {
		t.Fatal("no figures, no error")
	}
}

// TestOnlyTheTarget: the client sends nothing anywhere but its target,
// whatever path it is given, and follows no redirect away.
func TestOnlyTheTarget(t *testing.T) {
	other := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { other++ }))
	defer elsewhere.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/x", http.StatusFound)
	}))
	defer target.Close()
	base, _ := url.Parse(target.URL)
	c := newClient(base, newTransport(4), time.Second, nil, nil, "test")
	for _, p := range []string{elsewhere.URL + "/api", "//" + strings.TrimPrefix(elsewhere.URL, "http://") + "/api"} {
		if err := c.call(t.Context(), "", "GET", p, nil, nil, time.Time{}); err == nil || !strings.Contains(err.Error(), "only paths") {
			t.Errorf("%s: %v", p, err)
		}
	}
	if err := c.call(t.Context(), "", "GET", "/api/v1/me", nil, nil, time.Time{}); !isStatus(err, http.StatusFound) {
		t.Errorf("a redirect was not refused: %v", err)
	}
	if other != 0 {
		t.Fatalf("%d requests reached another server", other)
	}
}

func TestValidate(t *testing.T) {
	cfg := testConfig(t, "demo")
	cfg.Target, cfg.Rate, cfg.OperatorToken, cfg.Admin = "ftp://x", 0, "", Credentials{}
	err := cfg.Validate()
	for _, want := range []string{"--target", "--rate", "--operator-token"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no complaint about %s: %v", want, err)
		}
	}
	if _, err := ProfileConfig("busy", time.Now()); err == nil {
		t.Error("an unknown profile was accepted")
	}
}
