package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp/internal/demo"
)

// binary is the bluelamp binary built once for the end-to-end tests.
var binary struct {
	once sync.Once
	path string
	err  error
}

func buildBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "bluelamp-e2e")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "bluelamp")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// server is a bluelamp serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	done   chan error
}

var listenLine = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs bluelamp serve with args and waits until it prints its URL.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(buildBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "BLUELAMP_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.url = <-urls:
	case err := <-s.done:
		t.Fatalf("bluelamp serve exited: %v\n%s", err, s.stderr)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("bluelamp serve did not start\n%s", s.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("bluelamp serve after SIGTERM: %v\n%s", err, s.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("bluelamp serve did not stop on SIGTERM\n%s", s.stderr)
	}
}

func signInClient(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	body := fmt.Sprintf(`{"username":%q,"password":%q}`, username, demo.Password)
	res, err := c.Post(base+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in %s: %d", username, res.StatusCode)
	}
	return c
}

type note struct {
	Seq     int64
	Payload struct{ Text string }
}

// readLog returns every log note in the force's log, by text.
func readLog(t *testing.T, c *http.Client, base string) map[string]int64 {
	t.Helper()
	notes := map[string]int64{}
	after := int64(0)
	for {
		res, err := c.Get(fmt.Sprintf("%s/api/v1/log?after=%d&limit=5000", base, after))
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Events []struct {
				Seq     int64
				Type    string
				Payload json.RawMessage
			}
			Next, Head int64
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			if e.Type == "log.note" {
				var p struct{ Text string }
				json.Unmarshal(e.Payload, &p)
				notes[p.Text] = e.Seq
			}
		}
		if page.Next >= page.Head || page.Next == after {
			return notes
		}
		after = page.Next
	}
}

// TestKillDuringWrites kills the server with SIGKILL in the middle of a
// burst of concurrent writes, restarts it, and proves every write that was
// acknowledged is there and every hash chain verifies.
func TestKillDuringWrites(t *testing.T) {
	for _, engine := range engines(t) {
		t.Run(engine.name, func(t *testing.T) {
			args := append([]string{"--demo"}, engine.args...)
			srv := startServer(t, args...)
			c := signInClient(t, srv.url, "demo.controller")

			var mu sync.Mutex
			acked := map[string]int64{} // text → seq, for every 201 received
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			started := make(chan struct{})
			var startOnce sync.Once
			for w := range 16 {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil; i++ {
						text := fmt.Sprintf("writer %d note %d", w, i)
						req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+"/api/v1/log/notes", strings.NewReader(fmt.Sprintf(`{"text":%q}`, text)))
						req.Header.Set("Content-Type", "application/json")
						res, err := c.Do(req)
						if err != nil {
							return // the server died: this write was never acknowledged
						}
						var n note
						err = json.NewDecoder(res.Body).Decode(&n)
						res.Body.Close()
						if res.StatusCode == http.StatusCreated && err == nil {
							mu.Lock()
							acked[text] = n.Seq
							if len(acked) == 1000 {
								startOnce.Do(func() { close(started) })
							}
							mu.Unlock()
						}
					}
				})
			}
			select {
			case <-started:
			case <-time.After(60 * time.Second):
				t.Fatal("the writers made no progress")
			}
			srv.kill(t)
			cancel()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			t.Logf("%d writes acknowledged before SIGKILL", len(acked))

			srv = startServer(t, args...)
			c = signInClient(t, srv.url, "demo.controller")
			stored := readLog(t, c, srv.url)
			for text, seq := range acked {
				if got, ok := stored[text]; !ok || got != seq {
					t.Fatalf("acknowledged write %q (seq %d) lost or moved after SIGKILL (found seq %d, %v)", text, seq, got, ok)
				}
			}
			srv.stop(t)
			out, err := exec.Command(buildBinary(t), append([]string{"verify"}, engine.dbArgs...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("verify after SIGKILL: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "chains verified") {
				t.Fatalf("verify output: %s", out)
			}
		})
	}
}
