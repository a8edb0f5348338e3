package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkIncidentToConsoles measures issue 3's live goal: from a call
// handler's POST /api/v1/contacts opening an IMMEDIATE incident to the
// incident.opened frame reaching the last of 1,000 controller consoles
// connected to GET /api/v1/events over real HTTP (goal: p99 ≤ 100 ms). The
// whole path is in it: HTTP, validation, the SQLite commit, the outbox
// relay, the embedded NATS server, the live hub, each stream's SSE write,
// TCP and the client's read.
func BenchmarkIncidentToConsoles(b *testing.B) {
	consoles := int64(1000)
	if v := os.Getenv("BLUELAMP_BENCH_CONSOLES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		consoles = int64(n)
	}
	cfg := DefaultConfig()
	cfg.Addr, cfg.DataDir, cfg.Demo = "127.0.0.1:0", b.TempDir(), true
	m := NewMain(cfg, slog.New(slog.DiscardHandler), "bench")
	if err := m.Open(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })

	handler := benchSignIn(b, m.URL(), "demo.callhandler")
	controller := benchSignIn(b, m.URL(), "demo.controller")
	controller.Transport = &http.Transport{MaxIdleConnsPerHost: int(consoles)}

	var (
		received atomic.Int64
		done     = make(chan time.Time, 1)
		ready    sync.WaitGroup
	)
	ready.Add(int(consoles))
	for range consoles {
		go func() {
			req, _ := http.NewRequestWithContext(b.Context(), "GET", m.URL()+"/api/v1/events", nil)
			res, err := controller.Do(req)
			if err != nil {
				ready.Done()
				b.Error(err)
				return
			}
			defer res.Body.Close()
			// Read in large chunks and look for the marker, keeping the
			// tail of each chunk in case a marker straddles two: the
			// clients share the benchmark's two cores with the server, so
			// they should cost as little as a browser's would cost it.
			readyMark, openedMark := []byte("event: ready"), []byte(`"type":"incident.opened"`)
			buf := make([]byte, 64<<10)
			carry := 0
			isReady := false
			for {
				n, err := res.Body.Read(buf[carry:])
				if n > 0 {
					chunk := buf[:carry+n]
					if !isReady && bytes.Contains(chunk, readyMark) {
						isReady = true
						ready.Done()
					}
					for c := bytes.Count(chunk, openedMark); c > 0; c-- {
						if received.Add(1) == consoles {
							done <- time.Now()
						}
					}
					// The tail is shorter than a marker, so no marker is
					// counted twice.
					keep := min(len(openedMark)-1, len(chunk))
					copy(buf, chunk[len(chunk)-keep:])
					carry = keep
				}
				if err != nil {
					return
				}
			}
		}()
	}
	ready.Wait()

	body := `{"channel":"999","caller":{"name":"","number":"","callback":false,"anonymous":true},
		"location":{"address":"High West Street, Casterbridge","position":{"lat":50.7150,"lon":-2.4380}},
		"account":"Fight in the street","incident":{"category":"CRIME_VIOLENCE","grade":"IMMEDIATE","summary":"Fight",
		"thrive":{"threat":{"description":"Fight in progress"},"harm":{"severity":"HIGH"},"risk":{"likelihood":"HIGH","rating":"HIGH"},
		"grade":"IMMEDIATE","rationale":"violence in progress"}}}`
	var lat []time.Duration
	for b.Loop() {
		received.Store(0)
		start := time.Now()
		res, err := handler.Post(m.URL()+"/api/v1/contacts", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if res.StatusCode != http.StatusCreated {
			msg, _ := io.ReadAll(res.Body)
			b.Fatalf("create contact: %d %s", res.StatusCode, msg)
		}
		res.Body.Close()
		select {
		case at := <-done:
			lat = append(lat, at.Sub(start))
		case <-time.After(10 * time.Second):
			b.Fatalf("only %d of %d consoles saw the incident", received.Load(), consoles)
		}
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

// benchSignIn returns a client holding a session for a demo user.
func benchSignIn(b *testing.B, base, username string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	body, _ := json.Marshal(map[string]string{"username": username, "password": "bluelamp-demo"})
	res, err := c.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("sign in %s: %v %v", username, res, err)
	}
	res.Body.Close()
	return c
}
