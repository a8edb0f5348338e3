package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// FindOutboxCursors returns the last published sequence of every force.
func (s *Store) FindOutboxCursors(ctx context.Context) (map[bluelamp.ForceID]int64, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, err
	}
	cursors := map[bluelamp.ForceID]int64{}
	err = s.readAs(ctx, a, func(t *tx) error {
		rows, err := t.query("SELECT force_id, published_seq FROM outbox_cursors")
		if err != nil {
			return fmt.Errorf("query outbox cursors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f bluelamp.ForceID
			var seq int64
			if err := rows.Scan(&f, &seq); err != nil {
				return fmt.Errorf("scan outbox cursor: %w", err)
			}
			cursors[f] = seq
		}
		return rows.Err()
	})
	return cursors, err
}

// SaveOutboxCursors records published sequences, never moving one back.
func (s *Store) SaveOutboxCursors(ctx context.Context, cursors map[bluelamp.ForceID]int64) error {
	if _, err := deploymentActor(ctx); err != nil {
		return err
	}
	return s.writeAs(ctx, func(t *tx) error {
		for _, f := range slices.Sorted(maps.Keys(cursors)) {
			if _, err := t.exec("UPDATE outbox_cursors SET published_seq = ? WHERE force_id = ? AND published_seq < ?", cursors[f], f, cursors[f]); err != nil {
				return fmt.Errorf("save outbox cursor of %s: %w", f, err)
			}
		}
		return nil
	})
}

// outboxLeaseClass is the first half of the PostgreSQL advisory lock that is
// the outbox lease ("blue" in ASCII); the second is a hash of the schema, so
// deployments in different schemas of one database do not share a lease.
const outboxLeaseClass int32 = 0x626c7565

// HoldOutboxLease reports whether this store holds the outbox lease. On
// PostgreSQL it is a session advisory lock on a connection kept for it;
// while that connection answers, the lock is held.
func (s *Store) HoldOutboxLease(ctx context.Context) (bool, error) {
	if _, err := deploymentActor(ctx); err != nil {
		return false, err
	}
	if s.d.name != "postgres" {
		return true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.OpTimeout)
	defer cancel()
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if s.leaseConn != nil {
		if err := s.leaseConn.PingContext(ctx); err == nil {
			return true, nil
		}
		// The session is gone, and the lock with it.
		s.leaseConn.Close()
		s.leaseConn = nil
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return false, s.d.translate(err, "outbox lease")
	}
	var got bool
	if err := conn.QueryRowContext(ctx, s.d.rebind("SELECT pg_try_advisory_lock(?, hashtext(current_schema()))"), outboxLeaseClass).Scan(&got); err != nil {
		conn.Close()
		return false, s.d.translate(err, "outbox lease")
	}
	if !got {
		conn.Close()
		return false, nil
	}
	s.leaseConn = conn
	return true, nil
}

// releaseOutboxLease gives the lease up at once, so another node can take
// it without waiting for this session to end. (Closing a sql.Conn only
// returns it to the pool: the session, and a lock it holds, live on.)
func (s *Store) releaseOutboxLease() {
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	if s.leaseConn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.OpTimeout)
	defer cancel()
	if _, err := s.leaseConn.ExecContext(ctx, s.d.rebind("SELECT pg_advisory_unlock_all()")); err != nil {
		s.Logger.Warn("outbox lease not released; it goes when the session ends", "err", err)
	}
	s.leaseConn.Close()
	s.leaseConn = nil
}
