package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
)

// handleEventStream streams the caller's force's events they may see as
// Server-Sent Events. Each event's id is its sequence number, so a browser's
// EventSource resumes with Last-Event-ID after any drop, missing nothing and
// receiving nothing twice. A client without a position starts at the head.
// The first frame is always a "ready" event carrying the position the stream
// starts from; an "error" event with a code precedes a server-side close.
func (s *Server) handleEventStream(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	pos := r.Header.Get("Last-Event-ID")
	if pos == "" {
		pos = q.Get("after")
	}
	after := int64(-1)
	if pos != "" {
		n, err := strconv.ParseInt(pos, 10, 64)
		if err != nil || n < 0 {
			return bluelamp.InvalidFields(map[string]string{"after": "Last-Event-ID or after must be a sequence number (0 or more)"})
		}
		after = n
	}
	if s.Stream == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "stream_unavailable", Message: "the live stream is not running"}
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	actor := s.withUnit(ctx, bluelamp.ActorFrom(ctx))
	if after < 0 {
		h, err := s.Store.FindHead(ctx)
		if err != nil {
			return err
		}
		after = h.Seq
	}

	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	// mu guards writes to w: events and heartbeats come from two goroutines.
	var mu sync.Mutex
	// send buffers a frame; flush sends what is buffered. A client that
	// cannot take a write in 10 s is gone: the write fails rather than
	// holding this goroutine.
	send := func(frame []byte) error {
		mu.Lock()
		defer mu.Unlock()
		_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		_, err := w.Write(frame)
		return err
	}
	flush := func() error {
		mu.Lock()
		defer mu.Unlock()
		_ = rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return rc.Flush()
	}
	write := func(frame []byte) error {
		if err := send(frame); err != nil {
			return err
		}
		return flush()
	}
	ready, _ := json.Marshal(map[string]int64{"head": after})
	if err := write(fmt.Appendf(nil, "retry: 2000\nid: %d\nevent: ready\ndata: %s\n\n", after, ready)); err != nil {
		return nil
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { s.heartbeat(ctx, cancel, r, write) })

	// Events committed together leave in one write: the hub says when the
	// stream has nothing more waiting.
	err := s.Stream.StreamBatches(ctx, actor, after, func(e *bluelamp.Event) error {
		// Personal data is never broadcast: read it from the log with a
		// justification (DPA 2018 s.62).
		f, err := s.frames.frame(e)
		if err != nil {
			return err
		}
		return send(f)
	}, flush)
	if err != nil && ctx.Err() == nil {
		code := "stream_error"
		if e, ok := errors.AsType[*bluelamp.Error](err); ok {
			code = e.CodeOrKind()
		}
		s.Logger.InfoContext(ctx, "event stream ended", "request_id", requestID(ctx), "reason", code)
		_ = write(fmt.Appendf(nil, "event: error\ndata: {\"code\":%q}\n\n", code))
	}
	return nil
}

// heartbeat keeps an idle stream open through proxies and ends it when the
// caller's session or token stops being valid (signed out, disabled, expired).
func (s *Server) heartbeat(ctx context.Context, cancel context.CancelFunc, r *http.Request, write func([]byte) error) {
	t := time.NewTicker(s.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := s.Auth.Request(r.WithContext(ctx)); err != nil && bluelamp.KindOf(err) != bluelamp.KindUnavailable {
				_ = write([]byte("event: error\ndata: {\"code\":\"signed_out\"}\n\n"))
				cancel()
				return
			}
			if err := write([]byte(": keep-alive\n\n")); err != nil {
				cancel()
				return
			}
		}
	}
}

type logPage struct {
	Events []*bluelamp.Event `json:"events"`
	Next   int64             `json:"next"` // pass as after for the next page
	Head   int64             `json:"head"`
}

// handleLog pages through the caller's force's log, showing only the events
// the caller may see. Personal payloads are redacted unless the request
// carries a justification, which audits the read.
func (s *Server) handleLog(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	after, err := queryInt(q, "after", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := queryInt(q, "limit", 500, 1, 5000)
	if err != nil {
		return err
	}
	f := bluelamp.EventFilter{After: int64(after), Limit: limit}
	if r.Header.Get(HeaderReason) != "" {
		j, err := justification(r)
		if err != nil {
			return err
		}
		f.Justification = &j
	}
	events, err := s.Store.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	head, err := s.Store.FindHead(r.Context())
	if err != nil {
		return err
	}
	actor := s.withUnit(r.Context(), bluelamp.ActorFrom(r.Context()))
	page := logPage{Events: []*bluelamp.Event{}, Next: int64(after), Head: head.Seq}
	for _, e := range events {
		if e.VisibleTo(actor) {
			page.Events = append(page.Events, e)
		}
		page.Next = e.Seq
	}
	return writeJSON(w, http.StatusOK, page)
}

type logNoteRequest struct {
	Subject        string                  `json:"subject"`
	Classification bluelamp.Classification `json:"classification"`
	Text           string                  `json:"text"`
}

// handleLogNote appends a free-text note to the force log.
func (s *Server) handleLogNote(w http.ResponseWriter, r *http.Request) error {
	var req logNoteRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Classification == "" {
		req.Classification = bluelamp.ClassOfficial
	}
	text := strings.TrimSpace(req.Text)
	if text == "" || utf8.RuneCountInString(text) > 4000 {
		return bluelamp.InvalidFields(map[string]string{"text": "is required (at most 4000 characters)"})
	}
	e, err := s.Store.AppendEvent(r.Context(), bluelamp.EventLogNote, req.Subject, req.Classification, map[string]string{"text": text})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}
