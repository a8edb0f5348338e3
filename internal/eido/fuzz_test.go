package eido

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bluelamp/bluelamp"
)

// FuzzImport feeds Import NENA's samples (from ../shared, when present),
// Export's golden outputs and a few fragments. Import must never panic,
// and must return either an incident CreateIncident would accept or a
// 4xx error, never both and never neither.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if dir, err := sharedEIDO(); err == nil {
		more, _ := filepath.Glob(filepath.Join(dir, "Samples", "*.json"))
		files = append(files, more...)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `[[[[`, `{"$id":1}`, `"\u0000"`} {
		f.Add([]byte(s))
	}
	// Compile the schema before fuzzing starts: it takes seconds under
	// coverage instrumentation, which the fuzzer would take for a hang.
	if _, err := compiled(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		inc, log, err := Import(doc)
		if err != nil {
			if inc != nil || log != nil {
				t.Fatalf("Import returned an incident with error %v", err)
			}
			if k := bluelamp.KindOf(err); k != bluelamp.KindInvalid && k != bluelamp.KindTooLarge {
				t.Fatalf("Import error has kind %s: %v", k, err)
			}
			return
		}
		if inc == nil || len(log) == 0 || log[0].Kind != bluelamp.LogImported {
			t.Fatalf("Import = %v, %v, nil: want an incident and its provenance line", inc, log)
		}
		if err := inc.Validate(nil); err != nil {
			t.Fatalf("imported incident fails Validate: %v", err)
		}
		for _, e := range log {
			if err := bluelamp.ValidLogText(NoteText(e)); err != nil {
				t.Fatalf("log entry cannot be logged: %v", err)
			}
		}
	})
}
