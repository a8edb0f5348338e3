package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/storetest"
	"github.com/nats-io/nats-server/v2/server"
)

// TestTwoNodes runs two nodes on one PostgreSQL database and one external
// NATS server, as a force runs several: a note written through one node
// reaches a live client of the other, exactly once, and both chains verify.
func TestTwoNodes(t *testing.T) {
	base := storetest.PostgresURL()
	if base == "" {
		t.Skip(storetest.PostgresEnv + " is not set")
	}
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	dsn := storetest.PostgresDSN(t, base)
	var nodes []*Main
	for i := range 2 {
		cfg := DefaultConfig()
		cfg.Addr, cfg.Database, cfg.NATSURL, cfg.Demo = "127.0.0.1:0", dsn, ns.ClientURL(), i == 0
		m := NewMain(cfg, slog.New(slog.DiscardHandler), fmt.Sprintf("node-%d", i))
		if err := m.Open(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		nodes = append(nodes, m)
	}
	writer := apiClient(t, nodes[0].URL(), "demo.supervisor")
	reader := apiClient(t, nodes[1].URL(), "demo.controller")
	lines := streamLines(t, reader, nodes[1].URL())
	waitLine(t, lines, "event: ready")
	for i := range 5 {
		res, err := writer.Post(nodes[0].URL()+"/api/v1/log/notes", "application/json", strings.NewReader(fmt.Sprintf(`{"text":"from node 0, note %d"}`, i)))
		if err != nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("note: %v %v", res, err)
		}
		res.Body.Close()
	}
	seen := map[string]int{}
	timeout := time.After(20 * time.Second)
	for len(seen) < 5 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("stream closed")
			}
			for i := range 5 {
				if strings.Contains(l, fmt.Sprintf("from node 0, note %d", i)) {
					seen[fmt.Sprint(i)]++
				}
			}
		case <-timeout:
			t.Fatalf("node 1's client saw %v of node 0's 5 notes", seen)
		}
	}
	// Both relays publish every event; the hub delivers each once. A
	// sentinel proves nothing else came in between.
	res, err := writer.Post(nodes[0].URL()+"/api/v1/log/notes", "application/json", strings.NewReader(`{"text":"sentinel"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("sentinel: %v %v", res, err)
	}
	res.Body.Close()
	for {
		l, ok := <-lines
		if !ok {
			t.Fatal("stream closed")
		}
		if strings.Contains(l, "sentinel") {
			break
		}
		if strings.Contains(l, "from node 0") {
			t.Fatalf("a note was delivered twice: %s", l)
		}
	}
	// A session opened on node 0 is good on node 1: sessions live in the
	// shared database (cookies are not scoped by port).
	res, err = writer.Get(nodes[1].URL() + "/api/v1/me")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("node 0's session on node 1: %v %v", res, err)
	}
	res.Body.Close()

	// A position taken by node 0 reaches node 1's consoles (and its
	// dispatch index) over the bus.
	var units struct {
		Units []struct {
			ID int64 `json:"id"`
		}
	}
	res, err = writer.Get(nodes[0].URL() + "/api/v1/units")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(res.Body).Decode(&units); err != nil || len(units.Units) == 0 {
		t.Fatalf("units: %v", err)
	}
	res.Body.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", nodes[1].URL()+"/api/v1/positions/live", nil)
	live, err := reader.Do(req)
	if err != nil || live.StatusCode != http.StatusOK {
		t.Fatalf("live positions on node 1: %v %v", live, err)
	}
	defer live.Body.Close()
	frames := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(live.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			frames <- sc.Text()
		}
	}()
	unit := units.Units[0].ID
	fix := fmt.Sprintf(`{"positions":[{"unit_id":%d,"lat":50.9123,"lon":-1.8123,"at":%q}]}`, unit, time.Now().UTC().Format(time.RFC3339Nano))
	res, err = writer.Post(nodes[0].URL()+"/api/v1/positions", "application/json", strings.NewReader(fix))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("position on node 0: %v %v", res, err)
	}
	res.Body.Close()
	want := fmt.Sprintf(`"unit_id":%d,"lat":50.9123`, unit)
	for deadline := time.After(10 * time.Second); ; {
		select {
		case l := <-frames:
			if !strings.Contains(l, want) {
				continue
			}
		case <-deadline:
			t.Fatal("node 1's console did not get node 0's position")
		}
		break
	}

	// One relay publishes; the other stands by, and takes over when the
	// publishing node stops.
	var leader, standby *Main
	for _, n := range nodes {
		if n.Relay.Stats().Leader {
			leader = n
		} else {
			standby = n
		}
	}
	if leader == nil || standby == nil {
		t.Fatalf("leaders: node 0 %v, node 1 %v; want exactly one", nodes[0].Relay.Stats().Leader, nodes[1].Relay.Stats().Leader)
	}
	if err := leader.Close(); err != nil {
		t.Fatal(err)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !standby.Relay.Stats().Leader {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("the standby relay did not take over")
		}
	}
	c := apiClient(t, standby.URL(), "demo.controller")
	lines = streamLines(t, c, standby.URL())
	waitLine(t, lines, "event: ready")
	res, err = c.Post(standby.URL()+"/api/v1/log/notes", "application/json", strings.NewReader(`{"text":"after the handover"}`))
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("note after the handover: %v %v", res, err)
	}
	res.Body.Close()
	waitLine(t, lines, "after the handover")
}
