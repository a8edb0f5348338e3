package httpapi

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/bluelamp/bluelamp"
)

// frameCache holds the SSE frames of recent events: every stream of a force
// sends the same bytes for an event, so it is encoded once, not once per
// console (1,000 consoles make encoding the main cost of fan-out).
type frameCache struct {
	// mu guards frames and order.
	mu     sync.Mutex
	frames map[frameKey][]byte
	order  []frameKey // oldest first, for eviction
}

type frameKey struct {
	force bluelamp.ForceID
	seq   int64
}

// frameCacheSize bounds the cache; a stream catching up from further back
// encodes its own frames.
const frameCacheSize = 4096

// frame returns e's SSE frame, with personal payloads redacted (DPA 2018
// s.62: personal data is never broadcast).
func (c *frameCache) frame(e *bluelamp.Event) ([]byte, error) {
	k := frameKey{e.ForceID, e.Seq}
	c.mu.Lock()
	f, ok := c.frames[k]
	c.mu.Unlock()
	if ok {
		return f, nil
	}
	data, err := json.Marshal(e.Redacted())
	if err != nil {
		return nil, err
	}
	// Domain events carry no "event:" field, so EventSource.onmessage
	// receives them all; clients dispatch on the type inside.
	f = fmt.Appendf(nil, "id: %d\ndata: %s\n\n", e.Seq, data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frames == nil {
		c.frames = make(map[frameKey][]byte, frameCacheSize)
	}
	if _, ok := c.frames[k]; !ok {
		if len(c.order) >= frameCacheSize {
			delete(c.frames, c.order[0])
			c.order = c.order[1:]
		}
		c.frames[k] = f
		c.order = append(c.order, k)
	}
	return f, nil
}
