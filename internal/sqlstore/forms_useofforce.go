package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bluelamp/bluelamp"
)

// CreateUseOfForce records the signed-in officer's use-of-force form: one
// per officer per incident.
func (s *Store) CreateUseOfForce(ctx context.Context, u *bluelamp.UseOfForce) error {
	if err := u.Validate(s.Now().UTC()); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		if u.IncidentID != 0 {
			if err := t.lock(); err != nil {
				return err
			}
			officer, err := t.filer()
			if err != nil {
				return err
			}
			var id bluelamp.FormID
			var number string
			err = t.queryRow(`SELECT f.id, COALESCE(i.number, '') FROM forms f LEFT JOIN incidents i ON i.force_id = f.force_id AND i.id = f.incident_id
				WHERE f.force_id = ? AND f.kind = ? AND f.incident_id = ? AND f.officer_id = ?`,
				t.force(), bluelamp.FormUseOfForce, u.IncidentID, officer.ID).Scan(&id, &number)
			switch {
			case err == nil:
				return &bluelamp.Error{Kind: bluelamp.KindConflict, Code: "already_filed",
					Message: fmt.Sprintf("you already filed use-of-force form %d for incident %s: each officer files one form per incident", id, number),
					Fields:  map[string]string{"incident_id": "already has your use-of-force form"}}
			case !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("check use-of-force forms: %w", err)
			}
		}
		if _, err := t.newForm(bluelamp.FormUseOfForce, &u.FormRecord, &u.FormHeader, bluelamp.ClassOfficial); err != nil {
			return err
		}
		u.OccurredAt = u.OccurredAt.UTC().Truncate(time.Microsecond)
		_, err := t.formRecorded(&u.FormRecord, bluelamp.EventUseOfForceRecorded, "", u.Label(), u,
			bluelamp.Justification{Reason: "INCIDENT", Text: "use of force recorded"}, nil)
		return err
	})
}

// FindUseOfForceByID returns a use-of-force form, audited as a consultation.
func (s *Store) FindUseOfForceByID(ctx context.Context, id bluelamp.FormID, j bluelamp.Justification) (*bluelamp.UseOfForce, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var out *bluelamp.UseOfForce
	err := s.write(ctx, func(t *tx) error {
		var u bluelamp.UseOfForce
		if err := t.loadForm(id, bluelamp.FormUseOfForce, &u); err != nil {
			return err
		}
		out = &u
		return t.consulted(&u.FormRecord, j, nil)
	})
	return result(out, err)
}
