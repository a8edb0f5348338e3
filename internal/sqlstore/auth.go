package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// FindCredential returns the credential for a username or email address.
func (s *Store) FindCredential(ctx context.Context, name string, byEmail bool) (*bluelamp.Credential, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, err
	}
	col := "username"
	if byEmail {
		col = "email"
	}
	var c bluelamp.Credential
	err = s.readAs(ctx, a, func(t *tx) error {
		var locked sql.NullInt64
		err := t.queryRow("SELECT id, force_id, username, password_hash, disabled, failed_sign_ins, locked_until FROM users WHERE "+col+" = ?", name).
			Scan(&c.UserID, &c.ForceID, &c.Username, &c.PasswordHash, &c.Disabled, &c.FailedSignIns, &locked)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "no such user")
		}
		c.LockedUntil = timePtr(locked)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// signInContext returns ctx acting as bluelamp's sign-in service inside the
// credential's force.
func signInContext(ctx context.Context, force bluelamp.ForceID) context.Context {
	return bluelamp.SystemContext(ctx, force, "sign-in")
}

// RecordSignInFailure counts a failed sign-in and locks the user when the
// policy says so, in one UPDATE: every failure is counted even when guesses
// arrive at several nodes at once, and a lock in force is never shortened.
func (s *Store) RecordSignInFailure(ctx context.Context, c *bluelamp.Credential, p bluelamp.LockPolicy) error {
	if _, err := deploymentActor(ctx); err != nil {
		return err
	}
	return s.write(signInContext(ctx, c.ForceID), func(t *tx) error {
		now := micros(t.now)
		after := int64(p.After)
		if after <= 0 {
			after = 1 << 30 // never: the column is a 32-bit integer on PostgreSQL
		}
		// Right-hand sides see the row as it was: "expired" means a lock
		// that has run out, which starts the count again.
		var failed int
		var locked sql.NullInt64
		err := t.queryRow(`UPDATE users SET
			failed_sign_ins = CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failed_sign_ins + 1 END,
			locked_until = CASE
				WHEN locked_until IS NOT NULL AND locked_until > ? THEN locked_until
				WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1 ELSE failed_sign_ins + 1 END) >= ? THEN ?
				ELSE NULL END
			WHERE id = ? AND force_id = ? RETURNING failed_sign_ins, locked_until`,
			now, now, now, after, micros(t.now.Add(p.For)), c.UserID, c.ForceID).Scan(&failed, &locked)
		if errors.Is(err, sql.ErrNoRows) {
			return bluelamp.Errorf(bluelamp.KindNotFound, "user not found")
		}
		if err != nil {
			return fmt.Errorf("count sign-in failure: %w", err)
		}
		wasLocked := c.LockedUntil != nil && c.LockedUntil.After(t.now)
		c.FailedSignIns, c.LockedUntil = failed, timePtr(locked)
		ref := subject("user", c.UserID)
		if _, err := t.appendEvent(bluelamp.EventUserSignInFailed, ref, bluelamp.ClassOfficial, map[string]any{"user_id": c.UserID, "failed_sign_ins": failed}); err != nil {
			return err
		}
		if c.LockedUntil != nil && !wasLocked && c.LockedUntil.After(t.now) {
			_, err := t.appendEvent(bluelamp.EventUserLocked, ref, bluelamp.ClassOfficial, map[string]any{"user_id": c.UserID, "until": c.LockedUntil.UTC()})
			return err
		}
		return nil
	})
}

// CreateSession records a successful sign-in as the signing-in user.
func (s *Store) CreateSession(ctx context.Context, sess *bluelamp.Session) error {
	if _, err := deploymentActor(ctx); err != nil {
		return err
	}
	return s.write(signInContext(ctx, sess.ForceID), func(t *tx) error {
		var username string
		if err := t.queryRow("SELECT username FROM users WHERE id = ? AND force_id = ?", sess.UserID, sess.ForceID).Scan(&username); err != nil {
			return fmt.Errorf("load user for session: %w", err)
		}
		t.actor = &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: sess.UserID, Username: username, ForceID: sess.ForceID, SessionID: sess.ID}
		sess.CreatedAt = t.now
		if _, err := t.exec("INSERT INTO sessions (id, secret_hash, user_id, force_id, method, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			sess.ID, sess.SecretHash, sess.UserID, sess.ForceID, sess.Method, micros(sess.CreatedAt), micros(sess.ExpiresAt)); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		if _, err := t.exec("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = ?", sess.UserID); err != nil {
			return fmt.Errorf("clear sign-in failures: %w", err)
		}
		_, err := t.appendEvent(bluelamp.EventUserSignedIn, subject("user", sess.UserID), bluelamp.ClassOfficial,
			map[string]any{"user_id": sess.UserID, "session_id": sess.ID, "method": sess.Method, "expires_at": sess.ExpiresAt.UTC()})
		return err
	})
}

// FindSessionActor returns the actor for a live session.
func (s *Store) FindSessionActor(ctx context.Context, secretHash []byte) (*bluelamp.Actor, *bluelamp.Session, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var actor bluelamp.Actor
	var sess bluelamp.Session
	err = s.readAs(ctx, a, func(t *tx) error {
		var roles string
		var created, expires int64
		err := t.queryRow(`SELECT s.id, s.user_id, s.force_id, s.method, s.created_at, s.expires_at, u.username, u.roles
			FROM sessions s JOIN users u ON u.id = s.user_id AND u.force_id = s.force_id
			WHERE s.secret_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND NOT u.disabled`, secretHash, micros(t.now)).
			Scan(&sess.ID, &sess.UserID, &sess.ForceID, &sess.Method, &created, &expires, &actor.Username, &roles)
		if errors.Is(err, sql.ErrNoRows) {
			return &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "session_expired", Message: "your session has ended; sign in again"}
		}
		if err != nil {
			return fmt.Errorf("find session: %w", err)
		}
		sess.CreatedAt, sess.ExpiresAt = fromMicros(created), fromMicros(expires)
		actor.Kind, actor.UserID, actor.ForceID, actor.Roles, actor.SessionID = bluelamp.ActorUser, sess.UserID, sess.ForceID, parseRoles(roles), sess.ID
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &actor, &sess, nil
}

// EndSession signs the caller's session out.
func (s *Store) EndSession(ctx context.Context, id string) error {
	return s.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE sessions SET ended_at = ? WHERE id = ? AND force_id = ? AND user_id = ? AND ended_at IS NULL",
			micros(t.now), id, t.force(), t.actor.UserID)
		if err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "session not found")
		}
		_, err = t.appendEvent(bluelamp.EventUserSignedOut, subject("user", t.actor.UserID), bluelamp.ClassOfficial,
			map[string]any{"user_id": t.actor.UserID, "session_id": id})
		return err
	})
}

// FindTokenActor returns the actor for a live API token.
func (s *Store) FindTokenActor(ctx context.Context, secretHash []byte) (*bluelamp.Actor, error) {
	a, err := deploymentActor(ctx)
	if err != nil {
		return nil, err
	}
	var actor bluelamp.Actor
	err = s.readAs(ctx, a, func(t *tx) error {
		var roles string
		err := t.queryRow(`SELECT tk.id, tk.user_id, tk.force_id, u.username, u.roles
			FROM tokens tk JOIN users u ON u.id = tk.user_id AND u.force_id = tk.force_id
			WHERE tk.secret_hash = ? AND tk.revoked_at IS NULL AND (tk.expires_at IS NULL OR tk.expires_at > ?) AND NOT u.disabled`,
			secretHash, micros(t.now)).Scan(&actor.SessionID, &actor.UserID, &actor.ForceID, &actor.Username, &roles)
		if errors.Is(err, sql.ErrNoRows) {
			return &bluelamp.Error{Kind: bluelamp.KindUnauthenticated, Code: "bad_token", Message: "the API token is unknown, expired or revoked"}
		}
		if err != nil {
			return fmt.Errorf("find token: %w", err)
		}
		actor.Kind, actor.Roles = bluelamp.ActorToken, parseRoles(roles)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &actor, nil
}

// CreateToken issues an API token for a user of the caller's force.
func (s *Store) CreateToken(ctx context.Context, tk *bluelamp.Token) error {
	fields := map[string]string{}
	if tk.Name == "" || len(tk.Name) > 100 {
		fields["name"] = "is required (at most 100 characters)"
	}
	if len(tk.SecretHash) != 32 || tk.ID == "" {
		fields["secret"] = "must be generated by bluelamp"
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	return s.write(ctx, func(t *tx) error {
		if _, err := t.loadUser(tk.UserID); err != nil {
			return err
		}
		tk.ForceID, tk.CreatedAt = t.force(), t.now
		if tk.ExpiresAt != nil && !tk.ExpiresAt.After(t.now) {
			return bluelamp.InvalidFields(map[string]string{"expires_at": "must be in the future"})
		}
		if _, err := t.exec("INSERT INTO tokens (id, secret_hash, user_id, force_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			tk.ID, tk.SecretHash, tk.UserID, tk.ForceID, tk.Name, micros(tk.CreatedAt), nullMicros(tk.ExpiresAt)); err != nil {
			return s.d.translate(err, "token")
		}
		_, err := t.appendEvent(bluelamp.EventTokenCreated, subject("token", tk.ID), bluelamp.ClassOfficial, tk)
		return err
	})
}

// RevokeToken revokes a token of the caller's force.
func (s *Store) RevokeToken(ctx context.Context, id bluelamp.TokenID) error {
	return s.write(ctx, func(t *tx) error {
		res, err := t.exec("UPDATE tokens SET revoked_at = ? WHERE id = ? AND force_id = ? AND revoked_at IS NULL", micros(t.now), id, t.force())
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bluelamp.Errorf(bluelamp.KindNotFound, "token %s not found or already revoked", id)
		}
		_, err = t.appendEvent(bluelamp.EventTokenRevoked, subject("token", id), bluelamp.ClassOfficial, map[string]any{"token_id": id})
		return err
	})
}

// FindTokens lists the caller's force's tokens.
func (s *Store) FindTokens(ctx context.Context) ([]*bluelamp.Token, error) {
	var out []*bluelamp.Token
	err := s.read(ctx, func(t *tx) (err error) {
		out, err = queryAll(t, func(sc interface{ Scan(...any) error }) (*bluelamp.Token, error) {
			var tk bluelamp.Token
			var created int64
			var expires, revoked sql.NullInt64
			if err := sc.Scan(&tk.ID, &tk.UserID, &tk.ForceID, &tk.Name, &created, &expires, &revoked); err != nil {
				return nil, err
			}
			tk.CreatedAt, tk.ExpiresAt, tk.RevokedAt = fromMicros(created), timePtr(expires), timePtr(revoked)
			return &tk, nil
		}, "SELECT id, user_id, force_id, name, created_at, expires_at, revoked_at FROM tokens WHERE force_id = ? ORDER BY created_at, id", t.force())
		return err
	})
	return out, err
}
