package eido

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata golden files and the embedded schema")

const schemaFile = "schema/eido-sta-021.1b.schema.json"

// TestSchemaUpToDate regenerates the embedded schema from NENA's files in
// ../shared and checks it is what the binary carries.
func TestSchemaUpToDate(t *testing.T) {
	dir, err := sharedEIDO()
	if err != nil {
		t.Skip(err)
	}
	got, err := generateSchema(filepath.Join(dir, "Schema"), "openapi-STA-021.1b.yaml", "EmergencyIncidentDataObjectType")
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, schemaJSON) {
		t.Fatalf("%s is not what the generator makes from %s; run go test -update", schemaFile, dir)
	}
}

// samples returns NENA's sample EIDO documents from ../shared.
func samples(t testing.TB) map[string][]byte {
	t.Helper()
	dir, err := sharedEIDO()
	if err != nil {
		t.Skip(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "Samples", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples in %s: %v", dir, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

func TestValidateSamples(t *testing.T) {
	t.Parallel()
	for name, doc := range samples(t) {
		t.Run(name, func(t *testing.T) {
			if err := Validate(doc); err != nil {
				t.Fatalf("official sample fails: %v %v", err, fieldsOf(err))
			}
		})
	}
}

func fieldsOf(err error) map[string]string {
	if e, ok := errors.AsType[*bluelamp.Error](err); ok {
		return e.Fields
	}
	return nil
}

// TestValidateBroken breaks a valid document in the ways a sender might
// and checks each failure names the place.
func TestValidateBroken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		doc    string
		fields map[string]string
	}{{
		name:   "ErrMissingID",
		doc:    `{"lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"},"eidoVersion":"1.0","issuingElementIdentification":"x","agencyComponent":[]}`,
		fields: map[string]string{"/$id": "is required"},
	}, {
		name:   "ErrWrongVersion",
		doc:    `{"$id":"urn:emergency:uid:incidentid:0:a.example","lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"},"eidoVersion":"2.0","issuingElementIdentification":"x","agencyComponent":[]}`,
		fields: map[string]string{"/eidoVersion": "must be one of 1.0"},
	}, {
		name: "ErrIncidentTypeMissing",
		doc: `{"$id":"urn:emergency:uid:incidentid:0:a.example","lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"},"eidoVersion":"1.0","issuingElementIdentification":"x","agencyComponent":[],
			"incidentComponent":{"$id":"i","lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"}}}`,
		fields: map[string]string{"/incidentComponent/incidentTypeCommonRegistryText": "is required"},
	}, {
		name: "ErrBadDirectionAndType",
		doc: `{"$id":"urn:emergency:uid:incidentid:0:a.example","lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"},"eidoVersion":"1.0","issuingElementIdentification":"x","agencyComponent":[],
			"callComponent":[{"$id":"c","lastUpdateTimeStamp":"2026-11-27T10:00:00Z","updatedByAgencyReference":{"$ref":"a.example"},"standardPrimaryCallType":"emergency","direction":"sideways","callStartTimestamp":"2026-11-27T10:00:00Z","callStateRegistryText":7}]}`,
		fields: map[string]string{
			"/callComponent/0/direction":             "must be one of incoming, outgoing, internal",
			"/callComponent/0/callStateRegistryText": "must be string, not number",
		},
	}, {
		name:   "ErrNotAnObject",
		doc:    `[1, 2]`,
		fields: map[string]string{"": "must be object, not array"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := Validate([]byte(tc.doc))
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok || e.Kind != bluelamp.KindInvalid || e.Code != errInvalid {
				t.Fatalf("Validate = %v, want KindInvalid %s", err, errInvalid)
			}
			if diff := cmp.Diff(tc.fields, e.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		doc  []byte
		kind bluelamp.Kind
	}{
		{"ErrTooLarge", bytes.Repeat([]byte(" "), MaxDocument+1), bluelamp.KindTooLarge},
		{"ErrTooDeep", bytes.Repeat([]byte("["), maxDepth+1), bluelamp.KindInvalid},
		{"ErrNotJSON", []byte(`{"$id": `), bluelamp.KindInvalid},
		{"ErrTrailing", []byte(`{} {}`), bluelamp.KindInvalid},
		{"ErrEmpty", nil, bluelamp.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := bluelamp.KindOf(Validate(tc.doc)); got != tc.kind {
				t.Fatalf("KindOf(Validate) = %q, want %q", got, tc.kind)
			}
		})
	}
}

// TestSchemaCombinators checks the embedded schema combines subschemas
// only with allOf, which validate relies on to treat formats as
// annotations by ignoring format failures.
func TestSchemaCombinators(t *testing.T) {
	t.Parallel()
	for _, kw := range []string{`"anyOf"`, `"oneOf"`, `"not"`} {
		if bytes.Contains(schemaJSON, []byte(kw+":")) {
			t.Errorf("embedded schema uses %s; validate must then compile a second schema without format assertions", kw)
		}
	}
}

// TestValidateFormats checks formats are annotations on import (NENA's UTC
// sample needs it) but assertions on what Export writes.
func TestValidateFormats(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"$id":"urn:emergency:uid:incidentid:0:a.example","lastUpdateTimeStamp":"2026-11-27T10:00:00","updatedByAgencyReference":{"$ref":"a.example"},"eidoVersion":"1.0","issuingElementIdentification":"x","agencyComponent":[]}`)
	if err := Validate(doc); err != nil {
		t.Errorf("Validate = %v, want formats not asserted", err)
	}
	if err := validateOwn(doc); err == nil || !strings.Contains(err.Error(), "/lastUpdateTimeStamp:must be a valid date-time") {
		t.Errorf("validateOwn = %v, want the date-time format failure", err)
	}
}
