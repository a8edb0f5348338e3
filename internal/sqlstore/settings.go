package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bluelamp/bluelamp"
)

// FindForceSettings returns the caller's force's settings or the defaults.
func (s *Store) FindForceSettings(ctx context.Context) (*bluelamp.ForceSettings, error) {
	var out *bluelamp.ForceSettings
	err := s.read(ctx, func(t *tx) error {
		var err error
		out, err = t.settings()
		return err
	})
	return result(out, err)
}

// SaveForceSettings replaces the caller's force's settings.
func (s *Store) SaveForceSettings(ctx context.Context, fs *bluelamp.ForceSettings) error {
	if err := fs.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error { return t.saveSettings(fs) })
}

// saveSettings replaces the force's settings, which the caller validated.
func (t *tx) saveSettings(fs *bluelamp.ForceSettings) error {
	// The head before the settings row, the order every write takes,
	// since a batch may hold both.
	if err := t.lock(); err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO force_settings (force_id, settings, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (force_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
		t.force(), jsonText(fs), micros(t.now)); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	t.cached = fs
	_, err := t.appendEvent(bluelamp.EventSettingsChanged, subject("force", t.force()), bluelamp.ClassOfficial, bluelamp.Change{Settings: fs})
	return err
}

// settings returns the force's settings, read once per transaction.
func (t *tx) settings() (*bluelamp.ForceSettings, error) {
	if t.cached != nil {
		return t.cached, nil
	}
	var text string
	err := t.queryRow("SELECT settings FROM force_settings WHERE force_id = ?", t.force()).Scan(&text)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.cached = bluelamp.DefaultForceSettings()
	case err != nil:
		return nil, fmt.Errorf("load settings: %w", err)
	default:
		var fs bluelamp.ForceSettings
		if err := json.Unmarshal([]byte(text), &fs); err != nil {
			return nil, fmt.Errorf("decode settings: %w", err)
		}
		t.cached = &fs
	}
	return t.cached, nil
}

// nextSerial returns the next daily serial of kind ("incident", "contact")
// for the force's local day at now. The upsert takes the row lock, so
// nodes sharing a database never issue the same number.
func (t *tx) nextSerial(kind string, loc *time.Location) (int, time.Time, error) {
	day := t.now.In(loc)
	var n int
	err := t.queryRow(`INSERT INTO daily_serials (force_id, kind, day, last) VALUES (?, ?, ?, 1)
		ON CONFLICT (force_id, kind, day) DO UPDATE SET last = daily_serials.last + 1 RETURNING last`,
		t.force(), kind, day.Format(time.DateOnly)).Scan(&n)
	if err != nil {
		return 0, day, fmt.Errorf("next %s serial: %w", kind, err)
	}
	return n, day, nil
}

// lock takes the force's log head for the rest of the transaction. Command
// and control writes read state and then change it (is the unit still
// free?); on PostgreSQL the head row lock makes those per-force writes run
// one at a time across nodes, so the check still holds at commit.
func (t *tx) lock() error {
	_, err := t.loadHead(t.force())
	return err
}

// result returns v, or v's zero value when err is set. A write's fn may run
// more than once (a batch that fails is run again, each request in a
// savepoint), so a result set by a run that was rolled back must not reach
// a caller whose final run failed.
func result[T any](v T, err error) (T, error) {
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// jsonText encodes v for a TEXT column; the types stored this way always
// encode.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return string(b)
}

// fromJSON decodes a TEXT column written by jsonText.
func fromJSON[T any](text string, what string) (T, error) {
	var v T
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return v, fmt.Errorf("decode %s: %w", what, err)
	}
	return v, nil
}
