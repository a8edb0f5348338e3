package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/bluelamp/bluelamp"
)

// CreateForce creates a force, its chain heads and its first event.
func (s *Store) CreateForce(ctx context.Context, f *bluelamp.Force) error {
	a, err := deploymentActor(ctx)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	return s.writeAs(inForce(ctx, a, f.ID), func(t *tx) error { return t.insertForce(f) })
}

// inForce returns ctx with the deployment actor a acting inside force, so
// the force's first events are attributed to a.
func inForce(ctx context.Context, a *bluelamp.Actor, force bluelamp.ForceID) context.Context {
	return bluelamp.NewContext(ctx, &bluelamp.Actor{Kind: a.Kind, Username: a.Username, ForceID: force})
}

// insertForce creates f, its chain heads, its outbox cursor and its first
// event. The transaction's actor acts inside f.
func (t *tx) insertForce(f *bluelamp.Force) error {
	if _, err := t.exec("INSERT INTO forces (id, name, created_at) VALUES (?, ?, ?)", f.ID, f.Name, micros(t.now)); err != nil {
		return t.s.d.translate(err, "force "+string(f.ID))
	}
	if _, err := t.exec("INSERT INTO force_heads (force_id, event_seq, audit_seq) VALUES (?, 0, 0)", f.ID); err != nil {
		return fmt.Errorf("create head: %w", err)
	}
	if _, err := t.exec("INSERT INTO outbox_cursors (force_id, published_seq) VALUES (?, 0)", f.ID); err != nil {
		return fmt.Errorf("create outbox cursor: %w", err)
	}
	_, err := t.appendEvent(bluelamp.EventForceCreated, subject("force", f.ID), bluelamp.ClassOfficial, f)
	return err
}

// ProvisionForce creates a force with its settings and its first force
// admin in one transaction.
func (s *Store) ProvisionForce(ctx context.Context, p *bluelamp.ForceProvision) error {
	a, err := deploymentActor(ctx)
	if err != nil {
		return err
	}
	if p.Settings == nil {
		p.Settings = bluelamp.DefaultForceSettings()
	}
	if !slices.Contains(p.Admin.Roles, bluelamp.RoleForceAdmin) {
		p.Admin.Roles = append(slices.Clone(p.Admin.Roles), bluelamp.RoleForceAdmin)
	}
	normaliseUser(&p.Admin)
	err = p.Validate()
	if p.PasswordHash == "" {
		fields := map[string]string{"admin.password": "is required: the force admin signs in with it"}
		if e, ok := errors.AsType[*bluelamp.Error](err); ok {
			maps.Copy(fields, e.Fields)
		}
		err = bluelamp.InvalidFields(fields)
	}
	if err != nil {
		return err
	}
	return s.writeAs(inForce(ctx, a, p.Force.ID), func(t *tx) error {
		if err := t.insertForce(&p.Force); err != nil {
			return conflictOn(err, "id", "is taken by another force")
		}
		if err := t.saveSettings(p.Settings); err != nil {
			return err
		}
		return conflictOn(t.insertUser(&p.Admin, p.PasswordHash), "admin.username", "is taken by another user of this deployment")
	})
}

// conflictOn names field in err when it is a conflict, so the caller
// knows which of several things it sent is taken.
func conflictOn(err error, field, msg string) error {
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && e.Kind == bluelamp.KindConflict {
		return &bluelamp.Error{Kind: e.Kind, Code: e.Code, Message: e.Message, Fields: map[string]string{field: msg}, Err: e.Err}
	}
	return err
}

// FindForces returns every force to the deployment actor, else the caller's.
func (s *Store) FindForces(ctx context.Context) ([]*bluelamp.Force, error) {
	a := bluelamp.ActorFrom(ctx)
	if a == nil {
		return nil, bluelamp.ErrNoActor
	}
	var forces []*bluelamp.Force
	err := s.readAs(ctx, a, func(t *tx) error {
		q, args := "SELECT id, name FROM forces ORDER BY id", []any{}
		if a.ForceID != "" || a.Kind != bluelamp.ActorSystem {
			q, args = "SELECT id, name FROM forces WHERE id = ? ORDER BY id", []any{a.ForceID}
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return fmt.Errorf("query forces: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var f bluelamp.Force
			if err := rows.Scan(&f.ID, &f.Name); err != nil {
				return fmt.Errorf("scan force: %w", err)
			}
			forces = append(forces, &f)
		}
		return rows.Err()
	})
	return forces, err
}

// FindForceByID returns the caller's own force.
func (s *Store) FindForceByID(ctx context.Context, id bluelamp.ForceID) (*bluelamp.Force, error) {
	var f bluelamp.Force
	err := s.read(ctx, func(t *tx) error {
		if id != t.force() {
			return bluelamp.Errorf(bluelamp.KindNotFound, "force not found")
		}
		err := t.queryRow("SELECT id, name FROM forces WHERE id = ?", id).Scan(&f.ID, &f.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "force not found")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// CreateStation adds a station to the caller's force.
func (s *Store) CreateStation(ctx context.Context, st *bluelamp.Station) error {
	if err := st.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		id, err := t.insertID("INSERT INTO stations (force_id, code, name, lat, lon) VALUES (?, ?, ?, ?, ?)",
			t.force(), st.Code, st.Name, st.Lat, st.Lon)
		if err != nil {
			return s.d.translate(err, "station "+st.Code)
		}
		st.ID, st.ForceID = bluelamp.StationID(id), t.force()
		_, err = t.appendEvent(bluelamp.EventStationCreated, subject("station", id), bluelamp.ClassOfficial, st)
		return err
	})
}

// FindStations returns the caller's force's stations by code.
func (s *Store) FindStations(ctx context.Context) ([]*bluelamp.Station, error) {
	var out []*bluelamp.Station
	err := s.read(ctx, func(t *tx) error {
		rows, err := t.query("SELECT id, force_id, code, name, lat, lon FROM stations WHERE force_id = ? ORDER BY code", t.force())
		if err != nil {
			return fmt.Errorf("query stations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var st bluelamp.Station
			if err := rows.Scan(&st.ID, &st.ForceID, &st.Code, &st.Name, &st.Lat, &st.Lon); err != nil {
				return fmt.Errorf("scan station: %w", err)
			}
			out = append(out, &st)
		}
		return rows.Err()
	})
	return out, err
}

// checkStation returns KindInvalid unless station belongs to the caller's
// force, so a unit or officer can never be attached to another force.
func (t *tx) checkStation(id bluelamp.StationID) error {
	var n int
	if err := t.queryRow("SELECT COUNT(*) FROM stations WHERE id = ? AND force_id = ?", id, t.force()).Scan(&n); err != nil {
		return fmt.Errorf("check station: %w", err)
	}
	if n == 0 {
		return bluelamp.InvalidFields(map[string]string{"station_id": "no such station in this force"})
	}
	return nil
}

// CreateOfficer adds an officer to the caller's force: a collection of
// personal data, audited.
func (s *Store) CreateOfficer(ctx context.Context, o *bluelamp.Officer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.checkStation(o.StationID); err != nil {
			return err
		}
		id, err := t.insertID("INSERT INTO officers (force_id, collar_number, name, rank, station_id) VALUES (?, ?, ?, ?, ?)",
			t.force(), o.CollarNumber, o.Name, o.Rank, o.StationID)
		if err != nil {
			return s.d.translate(err, "officer "+o.CollarNumber)
		}
		o.ID, o.ForceID = bluelamp.OfficerID(id), t.force()
		ref := subject("officer", id)
		if _, err := t.appendEvent(bluelamp.EventOfficerCreated, ref, bluelamp.ClassOfficial, o); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "officer.create", records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "ADMIN", Text: "officer record created"}})
	})
}

func scanOfficer(sc interface{ Scan(...any) error }) (*bluelamp.Officer, error) {
	var o bluelamp.Officer
	err := sc.Scan(&o.ID, &o.ForceID, &o.CollarNumber, &o.Name, &o.Rank, &o.StationID)
	return &o, err
}

// FindOfficers returns the caller's force's officers by collar number,
// audited as a consultation.
func (s *Store) FindOfficers(ctx context.Context, j bluelamp.Justification) ([]*bluelamp.Officer, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out []*bluelamp.Officer
	err := s.write(ctx, func(t *tx) (err error) {
		out, err = queryAll(t, scanOfficer, "SELECT id, force_id, collar_number, name, rank, station_id FROM officers WHERE force_id = ? ORDER BY collar_number", t.force())
		if err != nil {
			return fmt.Errorf("query officers: %w", err)
		}
		refs := make([]string, len(out))
		for i, o := range out {
			refs[i] = subject("officer", o.ID)
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "officer.list", records: refs, subjects: refs, j: j})
	})
	return out, err
}
