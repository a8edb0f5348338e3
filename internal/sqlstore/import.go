package sqlstore

import (
	"context"
	"fmt"

	"github.com/bluelamp/bluelamp"
)

// maxImportNotes bounds the log lines one hand-over may bring.
const maxImportNotes = 1000

// ImportIncident opens an incident with the log lines it was handed over
// with, in one transaction.
func (s *Store) ImportIncident(ctx context.Context, inc *bluelamp.Incident, notes []string) error {
	if len(notes) > maxImportNotes {
		return bluelamp.InvalidFields(map[string]string{"notes": fmt.Sprintf("at most %d log lines may be imported", maxImportNotes)})
	}
	for _, n := range notes {
		if err := bluelamp.ValidLogText(n); err != nil {
			return bluelamp.InvalidFields(map[string]string{"notes": "each imported log line must be text of 1 to 4000 bytes"})
		}
	}
	return s.write(ctx, func(t *tx) error {
		fs, err := t.settings()
		if err != nil {
			return err
		}
		if err := validateNew(inc, fs); err != nil {
			return err
		}
		if err := t.insertIncident(inc, fs); err != nil {
			return err
		}
		if len(notes) == 0 {
			return nil
		}
		lines := make([]logLine, len(notes))
		for i, n := range notes {
			lines[i] = logLine{inc.ID, bluelamp.LogImported, n, 0}
		}
		full, err := t.full(inc)
		if err != nil {
			return err
		}
		_, err = t.record(bluelamp.EventIncidentLogged, inc, lines, bluelamp.Change{Incident: full})
		return err
	})
}
