package bluelamp

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// ClientOp is one action taken on a device (an officer's phone, often with
// no signal), named by a key the device chose when the action was taken. The
// device may send it any number of times until it hears an answer; the
// store applies it at most once, by claiming the key in the same transaction
// as the action's first write.
type ClientOp struct {
	Key string
	// RequestHash returns a digest of the request as received; a key sent
	// again with a different request is refused rather than replayed.
	RequestHash func() []byte
	claimed     atomic.Bool
}

// Claimed reports whether the op's key has been claimed by a committed write.
func (op *ClientOp) Claimed() bool { return op.claimed.Load() }

// MarkClaimed records that a committed write claimed the op's key, so the
// request's later writes (saving its answer) do not claim it again.
func (op *ClientOp) MarkClaimed() { op.claimed.Store(true) }

type clientOpKey struct{}

// WithClientOp returns ctx carrying op.
func WithClientOp(ctx context.Context, op *ClientOp) context.Context {
	return context.WithValue(ctx, clientOpKey{}, op)
}

// ClientOpFrom returns the op in ctx, or nil.
func ClientOpFrom(ctx context.Context) *ClientOp {
	op, _ := ctx.Value(clientOpKey{}).(*ClientOp)
	return op
}

// Replayed is the error of a write whose op was applied before. It carries
// the first answer when it was saved, so the device hears what it would
// have heard; it changes nothing.
type Replayed struct {
	Key       string
	AppliedAt time.Time
	Status    int    // the first answer's HTTP status, 0 if not saved
	Body      []byte // the first answer's body
}

func (r *Replayed) Error() string {
	return fmt.Sprintf("operation %s was already applied at %s", r.Key, r.AppliedAt.Format(time.RFC3339))
}

type takenAtKey struct{}

// MaxTakenAtAge is how old a device's time for an action may be: an action
// queued on a phone longer than this is refused rather than backdated.
const MaxTakenAtAge = 24 * time.Hour

// WithTakenAt returns ctx carrying the time a device says an action was
// taken, for an action it queued while it had no signal. Stores record it
// beside their own time; they never take it for their own.
func WithTakenAt(ctx context.Context, at time.Time) context.Context {
	return context.WithValue(ctx, takenAtKey{}, at)
}

// TakenAt returns the device's time for the action in ctx, if it gave one.
func TakenAt(ctx context.Context) (time.Time, bool) {
	at, ok := ctx.Value(takenAtKey{}).(time.Time)
	return at, ok && !at.IsZero()
}

// ClientOpStore keeps the answers of applied ops.
type ClientOpStore interface {
	// SaveClientOpAnswer records the answer given to an applied op, for
	// replays of it; an op never claimed has nothing to record.
	SaveClientOpAnswer(ctx context.Context, key string, status int, body []byte) error
	// FindClientOpAnswer returns an applied op with its answer (Status 0
	// while the answer is not yet saved); KindNotFound if never applied.
	FindClientOpAnswer(ctx context.Context, key string) (*Replayed, error)
}
