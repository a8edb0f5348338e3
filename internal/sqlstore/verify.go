package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// VerifyChains checks every force's event log and audit trail for the
// deployment actor, or the caller's own force's for anyone else. It streams
// each chain, so memory stays flat however long the log.
func (s *Store) VerifyChains(ctx context.Context) ([]bluelamp.ChainReport, error) {
	a := bluelamp.ActorFrom(ctx)
	if a == nil {
		return nil, bluelamp.ErrNoActor
	}
	forces, err := s.FindForces(ctx)
	if err != nil {
		return nil, err
	}
	var reports []bluelamp.ChainReport
	for _, f := range forces {
		for _, c := range []bluelamp.Chain{bluelamp.ChainEvents, bluelamp.ChainAudit} {
			r, err := s.verifyChain(ctx, f.ID, c)
			if err != nil {
				return reports, fmt.Errorf("verify %s %s: %w", f.ID, c, err)
			}
			reports = append(reports, r)
		}
	}
	return reports, nil
}

func (s *Store) verifyChain(ctx context.Context, force bluelamp.ForceID, c bluelamp.Chain) (bluelamp.ChainReport, error) {
	report := bluelamp.ChainReport{ForceID: force, Chain: c}
	// One read transaction sees the head and the chain at the same instant.
	q, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.d.name == "postgres", Isolation: isolation(s.d.name)})
	if err != nil {
		return report, s.d.translate(err, "database")
	}
	defer q.Rollback()
	head := bluelamp.Head{ForceID: force}
	var hash []byte
	headCols, query, link := "event_seq, event_hash", "SELECT "+eventColumns+" FROM events WHERE force_id = ? ORDER BY seq", eventLink
	if c == bluelamp.ChainAudit {
		headCols, query, link = "audit_seq, audit_hash", "SELECT "+auditColumns+" FROM audit_records a WHERE a.force_id = ? ORDER BY a.seq", auditLink
	}
	if err := q.QueryRowContext(ctx, s.d.rebind("SELECT "+headCols+" FROM force_heads WHERE force_id = ?"), force).Scan(&head.Seq, &hash); err != nil {
		return report, fmt.Errorf("load head: %w", err)
	}
	head.Hash = hash
	rows, err := q.QueryContext(ctx, s.d.rebind(query), force)
	if err != nil {
		return report, fmt.Errorf("query chain: %w", err)
	}
	defer rows.Close()
	var last bluelamp.Hash
	next := func() (*bluelamp.ChainLink, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		l, err := link(rows)
		if l != nil {
			last = l.Hash
		}
		return l, err
	}
	report.Count, report.Problem, err = bluelamp.ChainVerify(head, next)
	report.Head = last
	return report, err
}

func isolation(engine string) sql.IsolationLevel {
	if engine == "postgres" {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault
}

func eventLink(rows *sql.Rows) (*bluelamp.ChainLink, error) {
	e, err := scanEvent(rows)
	if err != nil {
		return nil, fmt.Errorf("scan event: %w", err)
	}
	return bluelamp.EventLink(e), nil
}

func auditLink(rows *sql.Rows) (*bluelamp.ChainLink, error) {
	r, err := scanAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("scan audit record: %w", err)
	}
	return bluelamp.AuditLink(r), nil
}
