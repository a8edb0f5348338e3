package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sseFrame is one server-sent event.
type sseFrame struct {
	id    string
	event string
	data  string
}

// openStream connects to the event stream, resuming after lastID when it is
// not empty, and returns a channel of frames that closes with the stream.
func openStream(t *testing.T, ctx context.Context, c *http.Client, base, lastID string) <-chan sseFrame {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	sc := *c
	sc.Timeout = 0 // a stream has no deadline
	res, err := sc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	frames := make(chan sseFrame, 1024)
	go func() {
		defer close(frames)
		defer res.Body.Close()
		r := bufio.NewReader(res.Body)
		var f sseFrame
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\n")
			switch {
			case line == "":
				if f.data != "" || f.event != "" {
					frames <- f
				}
				f = sseFrame{}
			case strings.HasPrefix(line, "id: "):
				f.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				f.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				f.data = line[6:]
			}
		}
	}()
	return frames
}

func postNote(t *testing.T, c *http.Client, base, text string) int64 {
	t.Helper()
	res, err := c.Post(base+"/api/v1/log/notes", "application/json", strings.NewReader(fmt.Sprintf(`{"text":%q}`, text)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var n note
	if err := json.NewDecoder(res.Body).Decode(&n); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("post note: %d %v", res.StatusCode, err)
	}
	return n.Seq
}

// nextNote waits for the next log.note frame.
func nextNote(t *testing.T, frames <-chan sseFrame) (int64, string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("stream closed")
			}
			if f.event != "" {
				continue
			}
			var e struct {
				Seq     int64
				Type    string
				Payload struct{ Text string }
			}
			if err := json.Unmarshal([]byte(f.data), &e); err != nil {
				t.Fatalf("frame %q: %v", f.data, err)
			}
			if strconv.FormatInt(e.Seq, 10) != f.id {
				t.Fatalf("frame id %s does not match seq %d", f.id, e.Seq)
			}
			if e.Type == "log.note" {
				return e.Seq, e.Payload.Text
			}
		case <-timeout:
			t.Fatal("no event within 20s")
		}
	}
}

// TestStreamResumesAcrossRestart follows the live stream, restarts the
// server (gracefully) while more is written, and resumes with Last-Event-ID:
// every event arrives exactly once, in order.
func TestStreamResumesAcrossRestart(t *testing.T) {
	for _, engine := range engines(t) {
		t.Run(engine.name, func(t *testing.T) {
			args := append([]string{"--demo"}, engine.args...)
			srv := startServer(t, args...)
			c := signInClient(t, srv.url, "demo.controller")
			ctx, cancel := context.WithCancel(t.Context())
			frames := openStream(t, ctx, c, srv.url, "")
			if f := <-frames; f.event != "ready" {
				t.Fatalf("first frame %+v, want ready", f)
			}
			var last int64
			for i := range 5 {
				seq := postNote(t, c, srv.url, fmt.Sprintf("before %d", i))
				got, text := nextNote(t, frames)
				if got != seq || text != fmt.Sprintf("before %d", i) {
					t.Fatalf("live: got %d %q, want %d", got, text, seq)
				}
				last = got
			}
			srv.stop(t)
			cancel()
			for range frames {
			}

			srv = startServer(t, args...)
			c = signInClient(t, srv.url, "demo.controller")
			var want []int64
			for i := range 5 {
				want = append(want, postNote(t, c, srv.url, fmt.Sprintf("while away %d", i)))
			}
			frames = openStream(t, t.Context(), c, srv.url, strconv.FormatInt(last, 10))
			<-frames // ready
			for i := range 5 {
				want = append(want, postNote(t, c, srv.url, fmt.Sprintf("after %d", i)))
			}
			for _, w := range want {
				got, text := nextNote(t, frames)
				if got != w {
					t.Fatalf("resumed stream: got seq %d (%q), want %d", got, text, w)
				}
			}
			// Nothing else arrived in between: the next event is a sentinel.
			sentinel := postNote(t, c, srv.url, "sentinel")
			if got, text := nextNote(t, frames); got != sentinel {
				t.Fatalf("after the resumed events: got seq %d (%q), want the sentinel %d", got, text, sentinel)
			}
		})
	}
}
