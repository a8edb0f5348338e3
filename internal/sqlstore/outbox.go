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
