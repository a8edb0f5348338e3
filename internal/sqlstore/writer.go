package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/bluelamp/bluelamp"
)

// writeReq is one caller's write transaction waiting for the writer.
type writeReq struct {
	ctx    context.Context
	fn     func(*tx) error
	done   chan error
	weight int // rows a bulk write adds, to bound a bulk commit's size
}

// maxBulkWeight bounds the rows of one bulk commit: a commit of position
// reports holds the writer, and anything a person typed that arrives
// meanwhile waits for it.
const maxBulkWeight = 4000

// tx is one caller's share of a write batch, or a read transaction. It
// carries the actor, their force and the time fixed when the batch began.
type tx struct {
	s     *Store
	q     *sql.Tx
	ctx   context.Context
	actor *bluelamp.Actor
	now   time.Time

	heads  map[bluelamp.ForceID]*head // heads loaded in this batch (write only)
	events []*bluelamp.Event          // events appended by this caller
	stmts  map[string]*sql.Stmt       // statements prepared in this batch, shared by its txs (SQLite writes only)
	cached *bluelamp.ForceSettings    // the force's settings, once read
	taken  time.Time                  // when the device says the action was taken; zero for now
	note   string                     // added to the log lines record writes: the device's time
}

// when is the time an action took place: the device's, when it queued the
// action offline and the time passed the checks (takenAt), else now.
func (t *tx) when() time.Time {
	if t.taken.IsZero() {
		return t.now
	}
	return t.taken
}

// takenAt checks a device's time for an action against now: not in the
// future (beyond a small skew, which is trimmed to now) nor older than
// MaxTakenAtAge. It returns the time to record and a note for the log, or
// zero and "" when the device gave none or it is within seconds of now.
func (t *tx) takenAt(ctx context.Context) (time.Time, string, error) {
	at, ok := bluelamp.TakenAt(ctx)
	if !ok {
		return time.Time{}, "", nil
	}
	switch {
	case at.After(t.now.Add(bluelamp.PositionClockSkew)):
		return time.Time{}, "", bluelamp.InvalidFields(map[string]string{"taken_at": "is in the future; check the device's clock"})
	case at.Before(t.now.Add(-bluelamp.MaxTakenAtAge)):
		return time.Time{}, "", bluelamp.InvalidFields(map[string]string{"taken_at": "is more than 24 hours ago: the action is too old to record as taken then"})
	case t.now.Sub(at) < 5*time.Second:
		return time.Time{}, "", nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	return at, " (on the device at " + at.Format("15:04:05") + ", sent when it had signal)", nil
}

// head is a force's chain heads as the batch sees them.
type head struct {
	eventSeq  int64
	eventHash bluelamp.Hash
	auditSeq  int64
	auditHash bluelamp.Hash
	dirty     bool
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	if t.stmts == nil {
		return t.q.ExecContext(t.ctx, t.s.d.rebind(query), args...)
	}
	// modernc.org/sqlite parses every statement it is given: a batch
	// prepares each of its statements once instead of once a request.
	st, ok := t.stmts[query]
	if !ok {
		query := t.s.d.rebind(query) // the same text on SQLite; rebinding traces it
		var err error
		if st, err = t.q.PrepareContext(t.ctx, query); err != nil {
			return nil, err
		}
		t.stmts[query] = st
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	return t.q.QueryContext(t.ctx, t.s.d.rebind(query), args...)
}

func (t *tx) queryRow(query string, args ...any) *sql.Row {
	return t.q.QueryRowContext(t.ctx, t.s.d.rebind(query), args...)
}

// insertID runs an INSERT … RETURNING id and returns the id.
func (t *tx) insertID(query string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// force returns the actor's force; methods call it first.
func (t *tx) force() bluelamp.ForceID { return t.actor.ForceID }

// write runs fn as a write transaction for the actor in ctx, batched with
// other callers' writes into one commit. It returns when the batch is
// durable (or failed), or when ctx ends first. fn may run more than once
// (when another write in its batch fails), so it must change nothing but
// the database through t and its own results.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	if _, err := bluelamp.ForceActor(ctx); err != nil {
		return err
	}
	return s.writeAs(ctx, fn)
}

// writeAs is write without the force check, for deployment-wide actors.
func (s *Store) writeAs(ctx context.Context, fn func(*tx) error) error {
	wait, err := s.queue(ctx, fn)
	if err != nil {
		return err
	}
	return wait()
}

// queue queues fn for the writer and returns at once; wait reports when
// its batch is durable (or failed), or when ctx ends first. Writes are
// committed in the order they are queued.
func (s *Store) queue(ctx context.Context, fn func(*tx) error) (wait func() error, err error) {
	return s.enqueue(ctx, fn, 0)
}

// queueBulk is queue for machine-made writes in volume (position reports,
// weight rows each): they commit in their own batches, of at most
// maxBulkWeight rows, and only when no other write is waiting. Bulk writes
// keep their order among themselves.
func (s *Store) queueBulk(ctx context.Context, weight int, fn func(*tx) error) (wait func() error, err error) {
	return s.enqueue(ctx, fn, max(1, weight))
}

func (s *Store) enqueue(ctx context.Context, fn func(*tx) error, weight int) (wait func() error, err error) {
	if bluelamp.ActorFrom(ctx) == nil {
		return nil, bluelamp.ErrNoActor
	}
	fn, op := claimingOp(ctx, fn)
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1), weight: weight}
	lane := s.writes
	if weight > 0 {
		lane = s.bulk
	}
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil, &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "shutting_down", Message: "bluelamp is shutting down; try again shortly"}
	}
	timer := time.NewTimer(s.OpTimeout)
	defer timer.Stop()
	select {
	case lane <- req:
		s.closeMu.Unlock()
	case <-timer.C:
		s.closeMu.Unlock()
		return nil, unavailable(errors.New("write queue full"))
	case <-ctx.Done():
		s.closeMu.Unlock()
		return nil, ctx.Err()
	}
	// Once queued, the write may commit, so the caller waits for its
	// answer even when ctx ends: the writer may be running fn, which sets
	// the caller's results, and returning early would race with it. The
	// wait is bounded: a batch that has not begun skips a request whose
	// ctx has ended, and a batch runs under OpTimeout.
	return func() error {
		err := <-req.done
		if err == nil && op != nil {
			op.MarkClaimed()
		}
		return err
	}, nil
}

// writer commits batches of queued writes until both queues are closed.
// What people do goes first: a waiting interactive write is always taken
// before bulk writes, and the two are never committed together, so a call
// handler's contact waits at most for the bulk commit already under way.
func (s *Store) writer(ctx context.Context) {
	batch := make([]*writeReq, 0, s.MaxBatch)
	writes, bulk := s.writes, s.bulk
	var carry *writeReq // a bulk write that would have overfilled the last bulk commit
	for writes != nil || bulk != nil || carry != nil {
		req, from, ok := s.next(writes, bulk, carry)
		if !ok {
			if from == writes {
				writes = nil
			} else {
				bulk = nil
			}
			continue
		}
		if req == carry {
			carry = nil
		}
		batch = append(batch[:0], req)
		weight := req.weight
	fill:
		for len(batch) < s.MaxBatch && weight < maxBulkWeight {
			select {
			case r, ok := <-from:
				if !ok {
					break fill // closed: the next round sees it
				}
				if r.weight > 0 && weight+r.weight > maxBulkWeight {
					carry = r
					break fill
				}
				batch = append(batch, r)
				weight += r.weight
			default:
				break fill
			}
		}
		s.commitBatch(ctx, batch)
	}
}

// next takes the next write, interactive before bulk (carry, then the bulk
// queue), and says which queue it came from; ok is false when that queue
// is closed. A nil queue is one already closed.
func (s *Store) next(writes, bulk chan *writeReq, carry *writeReq) (req *writeReq, from chan *writeReq, ok bool) {
	select {
	case req, ok = <-writes:
		return req, writes, ok
	default:
	}
	if carry != nil {
		return carry, bulk, true
	}
	select {
	case req, ok = <-writes:
		return req, writes, ok
	case req, ok = <-bulk:
		return req, bulk, ok
	}
}

// commitBatch commits batch in one transaction. Requests rarely fail, and a
// savepoint costs PostgreSQL two round trips a request, so it first runs the
// requests straight through; only if one fails does it roll back and run them
// again, each in a savepoint so a failing request rolls back alone.
func (s *Store) commitBatch(ctx context.Context, batch []*writeReq) {
	// Each request locks its force's log head. Run in force order, every
	// node's batches take the heads in the same order, so two nodes sharing
	// PostgreSQL cannot deadlock across forces. The sort is stable: one
	// force's writes keep the order they arrived in.
	slices.SortStableFunc(batch, func(a, b *writeReq) int { return cmp.Compare(forceOf(a.ctx), forceOf(b.ctx)) })
	ctx, cancel := context.WithTimeout(ctx, s.OpTimeout)
	defer cancel()
	if !s.runBatch(ctx, batch, false) {
		s.runBatch(ctx, batch, true)
	}
}

// forceOf is the force a write acts in; "" for the deployment actor.
func forceOf(ctx context.Context) bluelamp.ForceID {
	if a := bluelamp.ActorFrom(ctx); a != nil {
		return a.ForceID
	}
	return ""
}

// runBatch runs batch in one transaction, each request in a savepoint when
// savepoints is set, commits, and answers every request. Without savepoints,
// when a request of a batch of several fails, it rolls back, answers no one
// and returns false.
func (s *Store) runBatch(ctx context.Context, batch []*writeReq, savepoints bool) bool {
	results := make([]error, len(batch))
	var txs []*tx
	fail := func(err error) bool {
		for i, r := range batch {
			if results[i] == nil {
				results[i] = err
			}
			r.done <- s.d.translate(results[i], "record")
		}
		return true
	}
	q, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer q.Rollback()
	now := s.Now().UTC().Truncate(time.Microsecond)
	heads := map[bluelamp.ForceID]*head{}
	var stmts map[string]*sql.Stmt
	if s.d.name == "sqlite" {
		stmts = map[string]*sql.Stmt{}
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		t := &tx{s: s, q: q, ctx: ctx, actor: bluelamp.ActorFrom(r.ctx), now: now, heads: heads, stmts: stmts}
		if !savepoints {
			if results[i] = r.fn(t); results[i] != nil {
				if len(batch) > 1 {
					return false
				}
				return fail(results[i])
			}
			txs = append(txs, t)
			continue
		}
		saved := snapshot(heads)
		if _, err := q.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			return fail(err)
		}
		if results[i] = r.fn(t); results[i] != nil {
			if _, err := q.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
				return fail(err)
			}
			clear(heads)
			maps.Copy(heads, saved)
		} else {
			txs = append(txs, t)
		}
		if _, err := q.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
			return fail(err)
		}
	}
	if err := s.saveHeads(ctx, q, heads); err != nil {
		return fail(err)
	}
	if err := q.Commit(); err != nil {
		return fail(err)
	}
	// OnCommit hears of the events before their writers are answered, so
	// a caller that goes on to read an in-process index sees its own write.
	if s.OnCommit != nil {
		var events []*bluelamp.Event
		for _, t := range txs {
			events = append(events, t.events...)
		}
		if len(events) > 0 {
			s.OnCommit(events)
		}
	}
	for i, r := range batch {
		r.done <- s.d.translate(results[i], "record")
	}
	return true
}

func snapshot(heads map[bluelamp.ForceID]*head) map[bluelamp.ForceID]*head {
	c := make(map[bluelamp.ForceID]*head, len(heads))
	for k, v := range heads {
		h := *v
		c[k] = &h
	}
	return c
}

// loadHead returns force's heads for this batch, locking the row on
// PostgreSQL so another node's appends to the same force wait for this commit.
func (t *tx) loadHead(force bluelamp.ForceID) (*head, error) {
	if h, ok := t.heads[force]; ok {
		return h, nil
	}
	h := &head{}
	var eventHash, auditHash []byte
	err := t.queryRow("SELECT event_seq, event_hash, audit_seq, audit_hash FROM force_heads WHERE force_id = ?"+t.s.d.forUpdate, force).
		Scan(&h.eventSeq, &eventHash, &h.auditSeq, &auditHash)
	h.eventHash, h.auditHash = eventHash, auditHash
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bluelamp.Errorf(bluelamp.KindNotFound, "force %s not found", force)
	}
	if err != nil {
		return nil, fmt.Errorf("load head of %s: %w", force, err)
	}
	t.heads[force] = h
	return h, nil
}

func (s *Store) saveHeads(ctx context.Context, q *sql.Tx, heads map[bluelamp.ForceID]*head) error {
	for force, h := range heads {
		if !h.dirty {
			continue
		}
		if _, err := q.ExecContext(ctx, s.d.rebind("UPDATE force_heads SET event_seq = ?, event_hash = ?, audit_seq = ?, audit_hash = ? WHERE force_id = ?"),
			h.eventSeq, []byte(h.eventHash), h.auditSeq, []byte(h.auditHash), force); err != nil {
			return fmt.Errorf("save head of %s: %w", force, err)
		}
	}
	return nil
}

// read runs fn in a read-only transaction for the force-scoped actor in ctx.
func (s *Store) read(ctx context.Context, fn func(*tx) error) error {
	a, err := bluelamp.ForceActor(ctx)
	if err != nil {
		return err
	}
	return s.readAs(ctx, a, fn)
}

func (s *Store) readAs(ctx context.Context, a *bluelamp.Actor, fn func(*tx) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.OpTimeout)
	defer cancel()
	q, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.d.name == "postgres"})
	if err != nil {
		return s.d.translate(err, "record")
	}
	defer q.Rollback()
	t := &tx{s: s, q: q, ctx: ctx, actor: a, now: s.Now().UTC().Truncate(time.Microsecond)}
	if err := fn(t); err != nil {
		return s.d.translate(err, "record")
	}
	return s.d.translate(q.Commit(), "record")
}

// queryAll runs q and scans every row with scan, closing the rows before it
// returns: PostgreSQL cannot run the next statement of a transaction while
// rows are open.
func queryAll[T any](t *tx, scan func(interface{ Scan(...any) error }) (T, error), q string, args ...any) ([]T, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
