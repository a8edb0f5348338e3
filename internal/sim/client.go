package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// client speaks to the target as one user or integration. It takes paths,
// never URLs, and follows no redirect: the simulator sends to nothing but
// its target.
type client struct {
	base   *url.URL
	http   *http.Client
	bearer string
	rec    *recorder
	sem    chan struct{} // shared: bounds requests in flight
	queued *atomic.Int64 // shared: requests waiting for a place in sem
	who    string        // for messages
}

// errBacklog is a request the simulator did not send because too many
// were already waiting: the target (or the simulator) cannot keep up.
var errBacklog = errors.New("not sent: the simulator's backlog is full (the target is not keeping up)")

// apiError is a refused request: the problem+json the server sent.
type apiError struct {
	Status int
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Title  string `json:"title"`
}

func (e *apiError) Error() string {
	msg := e.Detail
	if msg == "" {
		msg = e.Title
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, msg)
}

// isStatus reports whether err is the server refusing with status.
func isStatus(err error, status int) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Status == status
}

// newTransport is shared by every client of a run.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // never via a proxy: straight to the target
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
	}
}

func newClient(base *url.URL, tr http.RoundTripper, timeout time.Duration, rec *recorder, sem chan struct{}, who string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, rec: rec, sem: sem, queued: new(atomic.Int64), who: who, http: &http.Client{
		Transport: tr, Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// with returns a copy of c sending bearer.
func (c *client) with(bearer, who string) *client {
	d := *c
	d.bearer, d.who = bearer, who
	return &d
}

// call sends one request and decodes a 2xx JSON answer into out. With op
// set it is measured from intended (zero: from now). headers are extra
// request headers, in pairs.
func (c *client) call(ctx context.Context, op, method, path string, body, out any, intended time.Time, headers ...string) error {
	if intended.IsZero() {
		intended = time.Now()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	if c.sem != nil {
		// Waiting requests are bounded too, or a target that stops
		// answering would grow the backlog without limit. One not sent
		// counts as an error, timed from its intended start.
		if c.queued.Add(1) > int64(20*cap(c.sem)) {
			c.queued.Add(-1)
			if op != "" && c.rec != nil {
				c.rec.record(op, intended, time.Now(), time.Now(), "not sent: backlog full", errBacklog.Error())
			}
			return errBacklog
		}
		select {
		case c.sem <- struct{}{}:
			c.queued.Add(-1)
		case <-ctx.Done():
			c.queued.Add(-1)
			return ctx.Err()
		}
		defer func() { <-c.sem }()
	}
	sent := time.Now()
	err := c.send(ctx, method, path, rd, out, headers)
	done := time.Now()
	if op != "" && c.rec != nil && !errors.Is(err, context.Canceled) {
		kind, msg := errorKind(err)
		c.rec.record(op, intended, sent, done, kind, msg)
	}
	return err
}

func (c *client) send(ctx context.Context, method, path string, body io.Reader, out any, headers []string) error {
	u := *c.base
	ref, err := url.Parse(path)
	if err != nil || ref.IsAbs() || ref.Host != "" {
		return fmt.Errorf("refusing to send to %q: only paths on the target", path)
	}
	u.Path, u.RawQuery = strings.TrimSuffix(c.base.Path, "/")+ref.Path, ref.RawQuery
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	req.Header.Set("User-Agent", "bluelamp-simulate")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		ae := &apiError{Status: res.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		if json.Unmarshal(b, ae) != nil || (ae.Detail == "" && ae.Title == "") {
			ae.Detail = strings.TrimSpace(truncate(string(b), 200))
		}
		return ae
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// errorKind names an error for the report, by status and code or by
// transport failure.
func errorKind(err error) (kind, message string) {
	if err == nil {
		return "", ""
	}
	var ae *apiError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		return strings.TrimSpace(fmt.Sprintf("http %d %s", ae.Status, ae.Code)), ae.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout", err.Error()
	default:
		return "connection", err.Error()
	}
}
