package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bluelamp/bluelamp"
)

// consoles is how many live streams each force has open.
func (s *Sim) consoles(f *Force) int {
	if s.cfg.Consoles > 0 {
		return s.cfg.Consoles
	}
	return max(1, len(f.Units)/1000)
}

// startStreams opens every force's console streams and waits until each
// is live. The first console of each force is its controller's: it acts
// on what arrives. The others only watch, as other consoles in the room do.
func (s *Sim) startStreams(ctx context.Context) error {
	ready := make(chan error, 64)
	n := 0
	for _, fr := range s.forces {
		for i := range s.consoles(fr.f) {
			n++
			st := &stream{fr: fr, act: i == 0, c: fr.ids.controller}
			s.wg.Go(func() { st.run(ctx, ready) })
		}
	}
	deadline := time.After(30 * time.Second)
	for range n {
		select {
		case err := <-ready:
			if err != nil {
				return err
			}
		case <-deadline:
			return errors.New("console streams did not open within 30 s")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.logf("%d console streams open", n)
	return nil
}

// stream is one console's GET /api/v1/events.
type stream struct {
	fr    *forceRun
	act   bool // the controller's: dispatch and units follow from it
	c     *client
	after int64 // last sequence seen, to resume from
}

// run reads the stream until ctx ends, resuming where it left off after
// a dropped connection.
func (st *stream) run(ctx context.Context, ready chan<- error) {
	first := true
	for ctx.Err() == nil {
		err := st.read(ctx, func() {
			if first {
				first = false
				ready <- nil
			}
		})
		if ctx.Err() != nil {
			return
		}
		if first {
			ready <- fmt.Errorf("open the event stream of %s: %w", st.fr.f.ID, err)
			return
		}
		st.fr.s.rec.count(func(k *Counts) { k.StreamReconnects++ })
		st.fr.s.logf("stream of %s dropped (%v); resuming after %d", st.fr.f.ID, err, st.after)
		sleepUntil(ctx, time.Now().Add(time.Second))
	}
}

// frame is the part of an event a console reads.
type frame struct {
	Seq     int64              `json:"seq"`
	Time    time.Time          `json:"time"`
	Type    bluelamp.EventType `json:"type"`
	Payload json.RawMessage    `json:"payload"`
}

func (st *stream) read(ctx context.Context, live func()) error {
	req, err := http.NewRequestWithContext(ctx, "GET", st.c.base.JoinPath("/api/v1/events").String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+st.c.bearer)
	req.Header.Set("Accept", "text/event-stream")
	if st.after > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(st.after, 10))
	}
	// No client timeout: a stream is long-lived.
	res, err := (&http.Client{Transport: st.fr.s.tr, CheckRedirect: st.c.http.CheckRedirect}).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	br := bufio.NewReaderSize(res.Body, 64<<10)
	var event string
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long payload: gather the whole line.
			rest, err2 := br.ReadBytes('\n')
			line, err = append(append([]byte(nil), line...), rest...), err2
		}
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			event = ""
		case bytes.HasPrefix(line, []byte("event: ")):
			event = string(line[7:])
			if event == "ready" {
				live()
			}
		case bytes.HasPrefix(line, []byte("data: ")) && event == "":
			st.event(ctx, line[6:])
		}
	}
}

// event measures one event's delivery and, on the controller's console,
// acts on it.
func (st *stream) event(ctx context.Context, data []byte) {
	now := time.Now()
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		return
	}
	st.after = max(st.after, f.Seq)
	s := st.fr.s
	s.rec.record(OpEventDelivery, f.Time, f.Time, now, "", "")
	s.rec.count(func(k *Counts) { k.EventsReceived++ })
	if !st.act || !s.rec.measuring() {
		return
	}
	var p struct {
		Incident   *bluelamp.Incident
		Assignment *bluelamp.Assignment
		Unit       *bluelamp.Unit
	}
	switch f.Type {
	case bluelamp.EventIncidentOpened, bluelamp.EventUnitAssigned, bluelamp.EventUnitStoodDown:
		if json.Unmarshal(f.Payload, &p) != nil || p.Incident == nil {
			return
		}
	default:
		return
	}
	fr := st.fr
	switch f.Type {
	case bluelamp.EventIncidentOpened:
		fr.mu.Lock()
		ir := fr.incident(p.Incident.ID)
		ir.seen = true
		fr.plan(ctx, ir)
		fr.mu.Unlock()
	case bluelamp.EventUnitAssigned:
		if p.Assignment == nil || p.Incident.Location.Position == nil {
			return
		}
		pos := p.Incident.Location.Position
		fr.s.spawn(ctx, func(ctx context.Context) {
			fr.assigned(ctx, p.Assignment.UnitID, p.Incident.ID, [2]float64{pos.Lat, pos.Lon})
		})
	case bluelamp.EventUnitStoodDown:
		if p.Unit != nil {
			fr.stoodDown(p.Unit.ID, p.Incident.ID)
		}
	}
}
