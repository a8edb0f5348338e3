package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bluelamp/bluelamp"
)

const userColumns = "id, force_id, username, display_name, email, collar_number, roles, disabled, locked_until, created_at"

// scanUser scans userColumns, then any extra columns into extra.
func scanUser(sc interface{ Scan(...any) error }, extra ...any) (*bluelamp.User, error) {
	var u bluelamp.User
	var email sql.NullString
	var roles string
	var locked sql.NullInt64
	var created int64
	if err := sc.Scan(append([]any{&u.ID, &u.ForceID, &u.Username, &u.DisplayName, &email, &u.CollarNumber, &roles, &u.Disabled, &locked, &created}, extra...)...); err != nil {
		return nil, err
	}
	u.Email, u.Roles, u.LockedUntil, u.CreatedAt = email.String, parseRoles(roles), timePtr(locked), fromMicros(created)
	return &u, nil
}

// loadUser returns a user of the caller's force, KindNotFound otherwise.
func (t *tx) loadUser(id bluelamp.UserID) (*bluelamp.User, error) {
	u, err := scanUser(t.queryRow("SELECT "+userColumns+" FROM users WHERE id = ? AND force_id = ?", id, t.force()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bluelamp.Errorf(bluelamp.KindNotFound, "user %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load user %d: %w", id, err)
	}
	return u, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateUser adds a user to the caller's force: a collection of personal data.
func (s *Store) CreateUser(ctx context.Context, u *bluelamp.User, passwordHash string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	normaliseUser(u)
	return s.write(ctx, func(t *tx) error { return t.insertUser(u, passwordHash) })
}

// normaliseUser puts u's roles and email in their stored form.
func normaliseUser(u *bluelamp.User) {
	if u.Roles == nil {
		u.Roles = []bluelamp.Role{}
	}
	// The caller's slice is theirs: sort a copy. Emails are kept lower-case
	// so sign-in by email (OIDC) matches however the provider spells them.
	u.Roles = append([]bluelamp.Role{}, slices.Compact(slices.Sorted(slices.Values(u.Roles)))...)
	u.Email = strings.ToLower(u.Email)
}

// insertUser adds u, validated and normalised, to the force: a collection
// of personal data, audited.
func (t *tx) insertUser(u *bluelamp.User, passwordHash string) error {
	id, err := t.insertID(`INSERT INTO users (force_id, username, display_name, email, collar_number, roles, password_hash, disabled, failed_sign_ins, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, 0, ?)`,
		t.force(), u.Username, u.DisplayName, nullString(u.Email), u.CollarNumber, roleList(u.Roles), passwordHash, micros(t.now))
	if err != nil {
		return t.s.d.translate(err, "a user with that username or email")
	}
	u.ID, u.ForceID, u.CreatedAt, u.Disabled = bluelamp.UserID(id), t.force(), t.now, false
	ref := subject("user", id)
	if _, err := t.appendEvent(bluelamp.EventUserCreated, ref, bluelamp.ClassOfficial, u); err != nil {
		return err
	}
	return t.audit(auditEntry{action: bluelamp.AuditCollection, what: "user.create", records: []string{ref}, subjects: []string{ref},
		j: bluelamp.Justification{Reason: "ADMIN", Text: "user account created"}})
}

// FindUserByID returns a user of the caller's force, audited as a consultation.
func (s *Store) FindUserByID(ctx context.Context, id bluelamp.UserID, j bluelamp.Justification) (*bluelamp.User, error) {
	if err := j.Validate(); err != nil {
		return nil, err
	}
	var u *bluelamp.User
	err := s.write(ctx, func(t *tx) (err error) {
		if u, err = t.loadUser(id); err != nil {
			return err
		}
		ref := subject("user", id)
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "user.view", records: []string{ref}, subjects: []string{ref}, j: j})
	})
	return u, err
}

// FindUsers returns users of the caller's force, audited as a consultation.
func (s *Store) FindUsers(ctx context.Context, f bluelamp.UserFilter, j bluelamp.Justification) ([]*bluelamp.User, int, error) {
	if err := j.Validate(); err != nil {
		return nil, 0, err
	}
	var users []*bluelamp.User
	var total int
	err := s.write(ctx, func(t *tx) (err error) {
		where, args := []string{"force_id = ?"}, []any{t.force()}
		if f.Username != nil {
			where, args = append(where, "username = ?"), append(args, *f.Username)
		}
		if f.Role != nil {
			// Roles hold "_", a LIKE wildcard: escape it.
			where, args = append(where, `(' ' || roles || ' ') LIKE ? ESCAPE '\'`), append(args, "% "+strings.ReplaceAll(string(*f.Role), "_", `\_`)+" %")
		}
		if f.Disabled != nil {
			where, args = append(where, "disabled = ?"), append(args, *f.Disabled)
		}
		q := "SELECT " + userColumns + ", COUNT(*) OVER () FROM users WHERE " + joinAnd(where) + " ORDER BY username LIMIT ? OFFSET ?"
		users, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.User, error) {
			return scanUser(sc, &total)
		}, q, append(args, pageLimit(f.Limit), max(f.Offset, 0))...)
		if err != nil {
			return fmt.Errorf("query users: %w", err)
		}
		if total, err = t.totalPastEnd(total, len(users), f.Offset, "users", where, args); err != nil {
			return err
		}
		refs := make([]string, len(users))
		for i, u := range users {
			refs[i] = subject("user", u.ID)
		}
		return t.audit(auditEntry{action: bluelamp.AuditConsultation, what: "user.list", records: refs, subjects: refs, j: j})
	})
	return users, total, err
}

// FindSelf returns the calling user's own record.
func (s *Store) FindSelf(ctx context.Context) (*bluelamp.User, error) {
	var u *bluelamp.User
	err := s.read(ctx, func(t *tx) (err error) {
		if t.actor.UserID == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "this actor has no user record")
		}
		u, err = t.loadUser(t.actor.UserID)
		return err
	})
	return u, err
}

// errNoChange tells changeUser that the change is already in place.
var errNoChange = errors.New("no change")

// changeUser runs change on a user of the caller's force and records it as
// one event and an s.62 alteration.
func (s *Store) changeUser(ctx context.Context, id bluelamp.UserID, typ bluelamp.EventType, payload map[string]any,
	change func(t *tx, u *bluelamp.User) error) error {
	return s.write(ctx, func(t *tx) error {
		u, err := t.loadUser(id)
		if err != nil {
			return err
		}
		if err := change(t, u); errors.Is(err, errNoChange) {
			return nil
		} else if err != nil {
			return err
		}
		ref := subject("user", id)
		payload["user_id"] = id
		if _, err := t.appendEvent(typ, ref, bluelamp.ClassOfficial, payload); err != nil {
			return err
		}
		return t.audit(auditEntry{action: bluelamp.AuditAlteration, what: string(typ), records: []string{ref}, subjects: []string{ref},
			j: bluelamp.Justification{Reason: "ADMIN", Text: string(typ)}})
	})
}

func (t *tx) endSessions(id bluelamp.UserID) error {
	_, err := t.exec("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", micros(t.now), id)
	return err
}

// DisableUser stops a user signing in and ends their sessions and tokens.
func (s *Store) DisableUser(ctx context.Context, id bluelamp.UserID) error {
	return s.changeUser(ctx, id, bluelamp.EventUserDisabled, map[string]any{}, func(t *tx, u *bluelamp.User) error {
		if _, err := t.exec("UPDATE users SET disabled = TRUE WHERE id = ?", id); err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		// Ended, not merely suspended: enabling the user again must not
		// bring back tokens issued before they were disabled.
		if _, err := t.exec("UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", micros(t.now), id); err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		return t.endSessions(id)
	})
}

// EnableUser lets a disabled or locked-out user sign in again.
func (s *Store) EnableUser(ctx context.Context, id bluelamp.UserID) error {
	return s.changeUser(ctx, id, bluelamp.EventUserEnabled, map[string]any{}, func(t *tx, u *bluelamp.User) error {
		_, err := t.exec("UPDATE users SET disabled = FALSE, failed_sign_ins = 0, locked_until = NULL WHERE id = ?", id)
		return err
	})
}

// SetUserPassword replaces a user's password hash and ends their sessions.
func (s *Store) SetUserPassword(ctx context.Context, id bluelamp.UserID, passwordHash string) error {
	return s.changeUser(ctx, id, bluelamp.EventUserPasswordSet, map[string]any{}, func(t *tx, u *bluelamp.User) error {
		if _, err := t.exec("UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL WHERE id = ?", passwordHash, id); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		return t.endSessions(id)
	})
}

// GrantRole gives a user a role.
func (s *Store) GrantRole(ctx context.Context, id bluelamp.UserID, r bluelamp.Role) error {
	return s.setRole(ctx, id, r, true)
}

// RevokeRole removes a role from a user.
func (s *Store) RevokeRole(ctx context.Context, id bluelamp.UserID, r bluelamp.Role) error {
	return s.setRole(ctx, id, r, false)
}

func (s *Store) setRole(ctx context.Context, id bluelamp.UserID, r bluelamp.Role, grant bool) error {
	if !r.Valid() {
		return bluelamp.InvalidFields(map[string]string{"role": "unknown role " + string(r)})
	}
	typ := bluelamp.EventUserRoleRevoked
	if grant {
		typ = bluelamp.EventUserRoleGranted
	}
	return s.changeUser(ctx, id, typ, map[string]any{"role": r}, func(t *tx, u *bluelamp.User) error {
		if slices.Contains(u.Roles, r) == grant {
			return errNoChange
		}
		roles := slices.DeleteFunc(slices.Clone(u.Roles), func(x bluelamp.Role) bool { return x == r })
		if grant {
			roles = append(roles, r)
		}
		slices.Sort(roles)
		_, err := t.exec("UPDATE users SET roles = ? WHERE id = ?", roleList(roles), id)
		return err
	})
}
