package live

import (
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// Stream sends actor's force's events after sequence after, in order, then
// each new event as it is committed, until ctx ends. It subscribes before it
// reads the store, and skips what it has already sent, so the client misses
// nothing and gets nothing twice, across a reconnect or a server restart when
// after is the client's Last-Event-ID. Events the actor may not see
// (Event.VisibleTo) are skipped but still count as passed.
//
// send is called from Stream's goroutine, one event at a time; it must not
// modify the event, which other clients share. Stream returns send's error
// as it is; ctx.Err() when ctx ends; ErrSlowClient when the client fell more
// than Buffer events behind and was cut off (it should reconnect with the
// last sequence it received); ErrClosed when the hub closes; ErrAhead when
// after is past the end of the log; ErrNoActor or KindForbidden without an
// actor of a force; and the store's errors.
func (h *Hub) Stream(ctx context.Context, actor *bluelamp.Actor, after int64, send func(*bluelamp.Event) error) error {
	return h.StreamBatches(ctx, actor, after, send, nil)
}

// StreamBatches is Stream with idle, when not nil, called each time the
// stream has sent something and has nothing more waiting: a client that
// buffers its writes flushes them there, so events committed together
// (a contact, its incident and its log line) leave in one write rather
// than one each. An error from idle ends the stream, as send's does.
func (h *Hub) StreamBatches(ctx context.Context, actor *bluelamp.Actor, after int64, send func(*bluelamp.Event) error, idle func() error) error {
	actx := bluelamp.NewContext(ctx, actor)
	if _, err := bluelamp.ForceActor(actx); err != nil {
		return err
	}
	if after < 0 {
		return bluelamp.InvalidFields(map[string]string{"last_event_id": "must be a sequence number, 0 or more"})
	}
	c, err := h.subscribe(actor.ForceID)
	if err != nil {
		return err
	}
	defer h.unsubscribe(actor.ForceID, c)
	// Everything after the head read now comes through c: the hub has
	// delivered nothing past it yet and delivers in order from here on.
	head, err := h.Events.FindHead(actx)
	if err != nil {
		return fmt.Errorf("find head: %w", err)
	}
	if after > head.Seq {
		return ErrAhead
	}
	st := &stream{h: h, ctx: actx, actor: actor, pos: after, send: send}
	if err := st.catchUp(head.Seq); err != nil {
		return err
	}
	for {
		if st.unflushed && len(c.ch) == 0 && idle != nil {
			if err := idle(); err != nil {
				return err
			}
			st.unflushed = false
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-c.ch:
			if !ok {
				return c.reason
			}
			if e.Seq <= st.pos {
				continue
			}
			// The hub refills gaps itself; one it could not refill is
			// filled here, for this client alone.
			if e.Seq > st.pos+1 {
				if err := st.catchUp(e.Seq - 1); err != nil {
					return err
				}
			}
			if err := st.deliver(e); err != nil {
				return err
			}
		}
	}
}

// stream is one Stream call's position.
type stream struct {
	h     *Hub
	ctx   context.Context // carries the actor, so reads are scoped to their force
	actor *bluelamp.Actor
	pos   int64 // last sequence sent or skipped
	send  func(*bluelamp.Event) error
	// unflushed is set when something was sent since idle was last called.
	unflushed bool
}

// catchUp sends the store's events after pos up to and including to.
func (st *stream) catchUp(to int64) error {
	for st.pos < to {
		page, err := st.h.Events.FindEvents(st.ctx, bluelamp.EventFilter{After: st.pos, Limit: int(min(int64(st.h.PageSize), to-st.pos))})
		if err != nil {
			return fmt.Errorf("read events after %d: %w", st.pos, err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, e := range page {
			if e.Seq > to {
				return nil
			}
			if err := st.deliver(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliver sends e if the actor may see it, and moves past it either way.
func (st *stream) deliver(e *bluelamp.Event) error {
	if e.VisibleTo(st.actor) {
		if err := st.send(e); err != nil {
			return err
		}
		st.unflushed = true
	}
	st.pos = e.Seq
	return nil
}
