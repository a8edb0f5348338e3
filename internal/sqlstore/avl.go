package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// rowsPerInsert is how many breadcrumbs one INSERT carries: few statements
// a batch, each well under SQLite's limit of bound parameters.
const rowsPerInsert = 100

// insertSQL returns a multi-row statement of n rows of cols columns.
func insertSQL(head, tail string, n, cols int) string {
	var b strings.Builder
	b.WriteString(head)
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	for k := range n {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

// QueuePositions queues a batch of position reports for the writer.
func (s *Store) QueuePositions(ctx context.Context, b *bluelamp.PositionBatch) (func() error, error) {
	if _, err := bluelamp.ForceActor(ctx); err != nil {
		return nil, err
	}
	return s.queueBulk(ctx, len(b.Reports)+len(b.Older), func(t *tx) error {
		if err := t.findHeld(b); err != nil {
			return err
		}
		if err := t.insertPositions(b.Reports); err != nil {
			return err
		}
		if err := t.upsertLastFixes(b.Reports); err != nil {
			return err
		}
		for _, c := range b.Crossings {
			typ := bluelamp.EventGeofenceLeft
			if c.Entered {
				typ = bluelamp.EventGeofenceEntered
			}
			if _, err := t.appendEvent(typ, subject("unit", c.UnitID), bluelamp.ClassOfficial, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// findHeld sets b.Held: which of b.Older the force already holds.
func (t *tx) findHeld(b *bluelamp.PositionBatch) error {
	b.Held = make([]bool, len(b.Older))
	for k, r := range b.Older {
		var one int
		err := t.queryRow("SELECT 1 FROM positions WHERE force_id = ? AND unit_id = ? AND at = ?", t.force(), r.UnitID, micros(r.At)).Scan(&one)
		switch {
		case err == nil:
			b.Held[k] = true
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up breadcrumb: %w", err)
		}
	}
	return nil
}

// insertPositions writes breadcrumbs, skipping any already held.
func (t *tx) insertPositions(rs []bluelamp.PositionReport) error {
	if t.s.d.name == "postgres" {
		return t.insertPositionsArrays(rs)
	}
	const cols = 10
	args := make([]any, 0, cols*min(len(rs), rowsPerInsert))
	for len(rs) > 0 {
		chunk := rs[:min(len(rs), rowsPerInsert)]
		rs = rs[len(chunk):]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, t.force(), r.UnitID, micros(r.At), r.Lat, r.Lon, r.Accuracy, r.Speed, r.Heading, r.Source, micros(t.now))
		}
		q := insertSQL("INSERT INTO positions (force_id, unit_id, at, lat, lon, accuracy, speed, heading, source, received_at) VALUES ",
			" ON CONFLICT (force_id, unit_id, at) DO NOTHING", len(chunk), cols)
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("insert breadcrumbs: %w", err)
		}
	}
	return nil
}

// insertPositionsArrays writes breadcrumbs on PostgreSQL in one
// statement, the columns sent as arrays: one round trip a batch, where rows
// of bound values cost one for every hundred fixes.
func (t *tx) insertPositionsArrays(rs []bluelamp.PositionReport) error {
	n := len(rs)
	if n == 0 {
		return nil
	}
	units, ats := make([]int64, n), make([]int64, n)
	lats, lons, accs := make([]float64, n), make([]float64, n), make([]float64, n)
	speeds, headings := make([]*float64, n), make([]*float64, n)
	sources := make([]string, n)
	for k, r := range rs {
		units[k], ats[k], lats[k], lons[k], accs[k] = int64(r.UnitID), micros(r.At), r.Lat, r.Lon, r.Accuracy
		speeds[k], headings[k], sources[k] = r.Speed, r.Heading, r.Source
	}
	_, err := t.exec(`INSERT INTO positions (force_id, unit_id, at, lat, lon, accuracy, speed, heading, source, received_at)
		SELECT ?, u, a, la, lo, ac, sp, hd, so, ? FROM unnest(?::bigint[], ?::bigint[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::float8[], ?::text[])
		AS f (u, a, la, lo, ac, sp, hd, so)
		ON CONFLICT (force_id, unit_id, at) DO NOTHING`,
		t.force(), micros(t.now), units, ats, lats, lons, accs, speeds, headings, sources)
	if err != nil {
		return fmt.Errorf("insert breadcrumbs: %w", err)
	}
	return nil
}

// upsertLastFixes moves each unit's newest fix forward, never back.
func (t *tx) upsertLastFixes(rs []bluelamp.PositionReport) error {
	newest := map[bluelamp.UnitID]int{}
	for k, r := range rs {
		if j, ok := newest[r.UnitID]; !ok || r.At.After(rs[j].At) {
			newest[r.UnitID] = k
		}
	}
	const cols = 5
	idx := make([]int, 0, len(newest))
	for _, k := range newest {
		idx = append(idx, k)
	}
	if t.s.d.name == "postgres" && len(idx) > 0 {
		// One statement, columns as arrays (see insertPositionsArrays);
		// each unit once, as ON CONFLICT DO UPDATE needs.
		units, ats := make([]int64, len(idx)), make([]int64, len(idx))
		lats, lons := make([]float64, len(idx)), make([]float64, len(idx))
		for j, k := range idx {
			r := &rs[k]
			units[j], ats[j], lats[j], lons[j] = int64(r.UnitID), micros(r.At), r.Lat, r.Lon
		}
		_, err := t.exec(`INSERT INTO unit_positions (force_id, unit_id, at, lat, lon)
			SELECT ?, u, a, la, lo FROM unnest(?::bigint[], ?::bigint[], ?::float8[], ?::float8[]) AS f (u, a, la, lo)
			ON CONFLICT (force_id, unit_id) DO UPDATE SET at = excluded.at, lat = excluded.lat, lon = excluded.lon
			WHERE excluded.at > unit_positions.at`, t.force(), units, ats, lats, lons)
		if err != nil {
			return fmt.Errorf("move last fixes: %w", err)
		}
		return nil
	}
	args := make([]any, 0, cols*min(len(idx), rowsPerInsert))
	for len(idx) > 0 {
		chunk := idx[:min(len(idx), rowsPerInsert)]
		idx = idx[len(chunk):]
		args = args[:0]
		for _, k := range chunk {
			r := &rs[k]
			args = append(args, t.force(), r.UnitID, micros(r.At), r.Lat, r.Lon)
		}
		q := insertSQL("INSERT INTO unit_positions (force_id, unit_id, at, lat, lon) VALUES ",
			` ON CONFLICT (force_id, unit_id) DO UPDATE SET at = excluded.at, lat = excluded.lat, lon = excluded.lon
			WHERE excluded.at > unit_positions.at`, len(chunk), cols)
		if _, err := t.exec(q, args...); err != nil {
			return fmt.Errorf("move last fixes: %w", err)
		}
	}
	return nil
}

// FindTrack returns a unit's breadcrumbs in [from, to), oldest first.
func (s *Store) FindTrack(ctx context.Context, unit bluelamp.UnitID, from, to time.Time, limit int, j bluelamp.Justification) ([]bluelamp.PositionReport, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 10_000)
	var out []bluelamp.PositionReport
	err := s.write(ctx, func(t *tx) error {
		u, err := t.unit(unit)
		if err != nil {
			return err
		}
		rows, err := t.query(`SELECT at, lat, lon, accuracy, speed, heading, source FROM positions
			WHERE force_id = ? AND unit_id = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?`, t.force(), unit, micros(from), micros(to), limit)
		if err != nil {
			return fmt.Errorf("load track: %w", err)
		}
		defer rows.Close()
		out = []bluelamp.PositionReport{}
		for rows.Next() {
			r := bluelamp.PositionReport{UnitID: unit}
			var at int64
			var speed, heading sql.NullFloat64
			if err := rows.Scan(&at, &r.Lat, &r.Lon, &r.Accuracy, &speed, &heading, &r.Source); err != nil {
				return fmt.Errorf("scan breadcrumb: %w", err)
			}
			r.At = fromMicros(at)
			if speed.Valid {
				r.Speed = &speed.Float64
			}
			if heading.Valid {
				r.Heading = &heading.Float64
			}
			out = append(out, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		// The data subjects are the unit's officers, named by collar number
		// (its crew now: who drove it earlier is in the booking events).
		subjects := []string{subject("unit", unit)}
		for _, c := range u.Crew {
			subjects = append(subjects, subject("officer", c))
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "unit.track", j: j,
			records: []string{subject("unit", unit)}, subjects: subjects})
	})
	return result(out, err)
}

// pruneUnitsPerWrite bounds how long one prune write holds the writer.
const pruneUnitsPerWrite = 200

// PrunePositions deletes breadcrumbs past the force's retention.
func (s *Store) PrunePositions(ctx context.Context) (int, error) {
	var units []bluelamp.UnitID
	var cutoff time.Time
	err := s.read(ctx, func(t *tx) error {
		fs, err := t.settings()
		if err != nil {
			return err
		}
		cutoff = t.now.Add(-fs.Retention())
		units, err = queryAll(t, func(sc interface{ Scan(...any) error }) (bluelamp.UnitID, error) {
			var id bluelamp.UnitID
			return id, sc.Scan(&id)
		}, "SELECT id FROM units WHERE force_id = ? ORDER BY id", t.force())
		return err
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for len(units) > 0 {
		chunk := units[:min(len(units), pruneUnitsPerWrite)]
		units = units[len(chunk):]
		n := 0
		err := s.write(ctx, func(t *tx) error {
			n = 0
			for _, id := range chunk {
				res, err := t.exec("DELETE FROM positions WHERE force_id = ? AND unit_id = ? AND at < ?", t.force(), id, micros(cutoff))
				if err != nil {
					return fmt.Errorf("prune breadcrumbs: %w", err)
				}
				d, err := res.RowsAffected()
				if err != nil {
					return err
				}
				n += int(d)
			}
			if n == 0 {
				return nil
			}
			// Deletion happens only by retention, and is itself recorded.
			_, err := t.appendEvent(bluelamp.EventPositionsPruned, "positions", bluelamp.ClassOfficial,
				map[string]any{"before": cutoff, "deleted": n, "units": len(chunk)})
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// CreateGeofence adds a zone drawn by a supervisor.
func (s *Store) CreateGeofence(ctx context.Context, g *bluelamp.Geofence) error {
	g.Kind = bluelamp.GeofenceZone
	if err := g.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		id, err := t.insertID("INSERT INTO geofences (force_id, name, boundary, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
			t.force(), g.Name, jsonText(g.Boundary), t.actor.Name(), micros(t.now))
		if err != nil {
			return fmt.Errorf("insert geofence: %w", err)
		}
		g.ID, g.CreatedBy, g.CreatedAt = bluelamp.GeofenceID(id), t.actor.Name(), t.now
		_, err = t.appendEvent(bluelamp.EventGeofenceCreated, subject("geofence", id), bluelamp.ClassOfficial, g)
		return err
	})
}

// FindGeofences returns the force's zones in the order drawn.
func (s *Store) FindGeofences(ctx context.Context) ([]*bluelamp.Geofence, error) {
	var out []*bluelamp.Geofence
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Geofence, error) {
			g := &bluelamp.Geofence{Kind: bluelamp.GeofenceZone}
			var boundary string
			var at int64
			if err := sc.Scan(&g.ID, &g.Name, &boundary, &g.CreatedBy, &at); err != nil {
				return nil, fmt.Errorf("scan geofence: %w", err)
			}
			g.CreatedAt = fromMicros(at)
			g.Boundary, err = fromJSON[[][2]float64](boundary, "boundary")
			return g, err
		}, "SELECT id, name, boundary, created_by, created_at FROM geofences WHERE force_id = ? AND archived_at IS NULL ORDER BY id", t.force())
		return err
	})
	if out == nil && err == nil {
		out = []*bluelamp.Geofence{}
	}
	return result(out, err)
}

// ArchiveGeofence retires a zone.
func (s *Store) ArchiveGeofence(ctx context.Context, id bluelamp.GeofenceID) error {
	return s.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE geofences SET archived_at = ? WHERE force_id = ? AND id = ? AND archived_at IS NULL", micros(t.now), t.force(), id)
		if err != nil {
			return fmt.Errorf("archive geofence: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "geofence %d not found", id)
		}
		_, err = t.appendEvent(bluelamp.EventGeofenceArchived, subject("geofence", id), bluelamp.ClassOfficial, map[string]any{"id": id})
		return err
	})
}
