package natsbus

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/nats-io/nats.go"
)

// PositionPrefix starts the subjects nodes share accepted position fixes
// on, one per force. Fixes are not events: the node that took them has
// written them; the others only need them for their dispatch index and
// consoles, so they travel best-effort, without the outbox.
const PositionPrefix = "bluelamp.positions."

// fixSize is one fix on the wire: unit, time (Unix µs), lat, lon,
// accuracy, speed, heading, and which of speed and heading are set.
const fixSize = 8*7 + 1

// positionMsg is a batch on the wire: the sender's node id, then fixes.
const nodeIDSize = 16

// SharePositions publishes a force's accepted fixes for the other nodes.
// It does not wait: a fix lost on the way is corrected by the unit's next.
func (b *Bus) SharePositions(node [nodeIDSize]byte, force bluelamp.ForceID, reports []bluelamp.PositionReport) error {
	if b.nc == nil {
		return bluelamp.Errorf(bluelamp.KindUnavailable, "the bus is not open")
	}
	buf := make([]byte, 0, nodeIDSize+fixSize*len(reports))
	buf = append(buf, node[:]...)
	for _, r := range reports {
		buf = appendFix(buf, &r)
	}
	return b.nc.Publish(PositionPrefix+string(force), buf)
}

// SubscribePositions calls fn with each batch of fixes another node shares
// (batches from node itself are skipped), one call at a time. After stop
// returns, fn is not called again.
func (b *Bus) SubscribePositions(node [nodeIDSize]byte, fn func(bluelamp.ForceID, []bluelamp.PositionReport)) (stop func(), err error) {
	if b.nc == nil {
		return nil, bluelamp.Errorf(bluelamp.KindUnavailable, "the bus is not open")
	}
	var mu sync.Mutex
	stopped := false
	sub, err := b.nc.Subscribe(PositionPrefix+"*", func(m *nats.Msg) {
		force := bluelamp.ForceID(strings.TrimPrefix(m.Subject, PositionPrefix))
		from, reports, err := decodeFixes(m.Data)
		if err != nil || !force.Valid() {
			b.Logger.Warn("bus message is not a batch of positions", "subject", m.Subject)
			return
		}
		if from == node {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			fn(force, reports)
		}
	})
	if err != nil {
		return nil, unavailable(err)
	}
	return func() {
		_ = sub.Unsubscribe()
		mu.Lock()
		stopped = true
		mu.Unlock()
	}, nil
}

// NewNodeID returns a random id for this node's shared batches.
func NewNodeID() [nodeIDSize]byte {
	var id [nodeIDSize]byte
	_, _ = rand.Read(id[:])
	return id
}

func appendFix(b []byte, r *bluelamp.PositionReport) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, uint64(r.UnitID))
	b = le.AppendUint64(b, uint64(r.At.UnixMicro()))
	b = le.AppendUint64(b, math.Float64bits(r.Lat))
	b = le.AppendUint64(b, math.Float64bits(r.Lon))
	b = le.AppendUint64(b, math.Float64bits(r.Accuracy))
	var flags byte
	var speed, heading float64
	if r.Speed != nil {
		flags |= 1
		speed = *r.Speed
	}
	if r.Heading != nil {
		flags |= 2
		heading = *r.Heading
	}
	b = le.AppendUint64(b, math.Float64bits(speed))
	b = le.AppendUint64(b, math.Float64bits(heading))
	return append(b, flags)
}

func decodeFixes(b []byte) ([nodeIDSize]byte, []bluelamp.PositionReport, error) {
	var node [nodeIDSize]byte
	if len(b) < nodeIDSize || (len(b)-nodeIDSize)%fixSize != 0 {
		return node, nil, errors.New("not a batch of fixes")
	}
	copy(node[:], b)
	b = b[nodeIDSize:]
	le := binary.LittleEndian
	out := make([]bluelamp.PositionReport, 0, len(b)/fixSize)
	for ; len(b) >= fixSize; b = b[fixSize:] {
		f := func(k int) float64 { return math.Float64frombits(le.Uint64(b[8*k:])) }
		r := bluelamp.PositionReport{UnitID: bluelamp.UnitID(le.Uint64(b)), At: time.UnixMicro(int64(le.Uint64(b[8:]))).UTC(),
			Lat: f(2), Lon: f(3), Accuracy: f(4)}
		if b[56]&1 != 0 {
			s := f(5)
			r.Speed = &s
		}
		if b[56]&2 != 0 {
			h := f(6)
			r.Heading = &h
		}
		out = append(out, r)
	}
	return node, out, nil
}
