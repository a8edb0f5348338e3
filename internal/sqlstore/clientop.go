package sqlstore

import (
	"bytes"
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// claimingOp wraps fn so that, when ctx carries a device's op not yet
// claimed, fn's transaction first claims the op's key. A key claimed before
// makes the write a replay: it fails with *bluelamp.Replayed and changes
// nothing. The claim commits or rolls back with fn's writes, so an op is
// applied exactly when its key is claimed.
func claimingOp(ctx context.Context, fn func(*tx) error) (func(*tx) error, *bluelamp.ClientOp) {
	op := bluelamp.ClientOpFrom(ctx)
	a := bluelamp.ActorFrom(ctx)
	if op == nil || op.Claimed() || a == nil || a.UserID == 0 || a.ForceID == "" {
		return fn, nil
	}
	return func(t *tx) error {
		if err := t.claimOp(op); err != nil {
			return err
		}
		return fn(t)
	}, op
}

func (t *tx) claimOp(op *bluelamp.ClientOp) error {
	var hash []byte
	if op.RequestHash != nil {
		hash = op.RequestHash()
	}
	res, err := t.exec(`INSERT INTO client_ops (force_id, user_id, op_key, request_hash, applied_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (force_id, user_id, op_key) DO NOTHING`, t.force(), t.actor.UserID, op.Key, hash, micros(t.now))
	if err != nil {
		return fmt.Errorf("claim op: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var first []byte
	var applied int64
	rp := &bluelamp.Replayed{Key: op.Key}
	if err := t.queryRow("SELECT request_hash, applied_at, status, answer FROM client_ops WHERE force_id = ? AND user_id = ? AND op_key = ?",
		t.force(), t.actor.UserID, op.Key).Scan(&first, &applied, &rp.Status, &rp.Body); err != nil {
		return fmt.Errorf("load claimed op: %w", err)
	}
	if !bytes.Equal(first, hash) {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "idempotency_key_reused",
			Message: "this Idempotency-Key was used before for a different request; give each action its own key"}
	}
	rp.AppliedAt = fromMicros(applied)
	return rp
}

// SaveClientOpAnswer records the answer given to an applied op.
func (s *Store) SaveClientOpAnswer(ctx context.Context, key string, status int, body []byte) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.exec("UPDATE client_ops SET status = ?, answer = ? WHERE force_id = ? AND user_id = ? AND op_key = ?",
			status, body, t.force(), t.actor.UserID, key)
		return err
	})
}

// FindClientOpAnswer returns an applied op and its answer.
func (s *Store) FindClientOpAnswer(ctx context.Context, key string) (*bluelamp.Replayed, error) {
	var out *bluelamp.Replayed
	err := s.read(ctx, func(t *tx) error {
		var applied int64
		rp := &bluelamp.Replayed{Key: key}
		if err := t.queryRow("SELECT applied_at, status, answer FROM client_ops WHERE force_id = ? AND user_id = ? AND op_key = ?",
			t.force(), t.actor.UserID, key).Scan(&applied, &rp.Status, &rp.Body); err != nil {
			return err
		}
		rp.AppliedAt = fromMicros(applied)
		out = rp
		return nil
	})
	return result(out, err)
}
