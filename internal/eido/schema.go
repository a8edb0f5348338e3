package eido

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bluelamp/bluelamp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Standard names the EIDO standard and schema this package implements.
const Standard = "NENA-STA-021.1b-2022"

// schemaJSON is NENA-STA-021.1b's EmergencyIncidentDataObjectType and every
// component it reaches, translated to JSON Schema draft-04 (see
// schema/SOURCE.md and generateSchema in schemagen_test.go).
//
//go:embed schema/eido-sta-021.1b.schema.json
var schemaJSON []byte

const schemaURL = "urn:bluelamp:eido:sta-021.1b.schema.json"

// rootDef is the definition an EIDO document must match.
const rootDef = "eido.EmergencyIncidentDataObjectType"

// compiled is the schema, compiled once on first use and never changed.
var compiled = sync.OnceValues(compileSchema)

// compileSchema compiles the embedded schema with every format asserted.
// It takes most of a second of CPU (many under the race detector), once
// per process: the validator's compiler searches its work list linearly,
// and NIEM's person, organization and justice types form one cycle of 332
// definitions that must be compiled together.
func compileSchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("read embedded EIDO schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("add embedded EIDO schema: %w", err)
	}
	sch, err := c.Compile(schemaURL + "#/definitions/" + rootDef)
	if err != nil {
		return nil, fmt.Errorf("compile embedded EIDO schema: %w", err)
	}
	return sch, nil
}

// errInvalid is the Code of every error about an EIDO document that cannot
// be read: not JSON, not valid against the schema, or not usable as an
// incident.
const errInvalid = "eido_invalid"

// maxFieldErrors bounds the fields an invalid document reports.
const maxFieldErrors = 20

// Validate checks doc against the EIDO schema as Import does. It returns
// nil, a KindTooLarge error for a document over MaxDocument, or a
// KindInvalid error with Code "eido_invalid" whose Fields are keyed by the
// JSON pointer of each failing place (e.g. "/incidentComponent/
// incidentTypeCommonRegistryText") with a short message. Anyone may call
// it; it never panics.
func Validate(doc []byte) error {
	_, err := validate(doc)
	return err
}

// validate checks doc against the schema and returns it decoded as the
// validator reads JSON. Formats (date-time, uri) are treated as
// annotations: OpenAPI 3.0 leaves format checking to tools, and NENA's own
// sample (UTC edition) has a person's timestamp with no zone. Import
// parses every timestamp it uses itself. Because EIDO 1.0 combines schemas
// only with allOf (TestSchemaCombinators), a document passes with formats
// as annotations exactly when its only failures are format failures.
func validate(doc []byte) (any, error) {
	if len(doc) > MaxDocument {
		return nil, &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "eido_too_large",
			Message: fmt.Sprintf("an EIDO document may be at most %d bytes; this one is %d", MaxDocument, len(doc))}
	}
	if err := checkDepth(doc); err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid, Message: "the EIDO document is not JSON", Err: err}
	}
	s, err := compiled()
	if err != nil {
		return nil, err
	}
	if err := s.Validate(v); err != nil && !onlyFormats(err) {
		return nil, schemaError(err, false)
	}
	return v, nil
}

// validateOwn checks a document Export wrote, formats included. Failure is
// a bug in Export, reported as an internal error naming the first place.
func validateOwn(doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("re-read exported EIDO: %w", err)
	}
	s, err := compiled()
	if err != nil {
		return err
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("exported EIDO fails %s: %v: %w", Standard, schemaError(err, true).Fields, err)
	}
	return nil
}

// schemaError turns a validation failure into a KindInvalid error naming
// each failing instance location, format failures only if formats count.
func schemaError(err error, formats bool) *bluelamp.Error {
	fields := map[string]string{}
	if ve, ok := errors.AsType[*jsonschema.ValidationError](err); ok {
		collectFields(ve, fields, formats)
	}
	if len(fields) == 0 {
		fields[""] = "does not match the schema"
	}
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid,
		Message: "the EIDO document does not match the " + Standard + " schema", Fields: fields, Err: err}
}

// collectFields records the leaves of a validation error tree, the errors
// that say what is wrong where, keeping the first maxFieldErrors places in
// pointer order.
func collectFields(ve *jsonschema.ValidationError, fields map[string]string, formats bool) {
	type field struct{ ptr, msg string }
	var all []field
	for _, e := range leaves(ve) {
		ptr := jsonPointer(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				all = append(all, field{ptr + "/" + escapePointer(m), "is required"})
			}
		case *kind.Type:
			all = append(all, field{ptr, "must be " + strings.Join(k.Want, " or ") + ", not " + k.Got})
		case *kind.Enum:
			var want []string
			for _, w := range k.Want {
				want = append(want, fmt.Sprint(w))
			}
			all = append(all, field{ptr, "must be one of " + quoteCut(strings.Join(want, ", "), 120)})
		case *kind.Format:
			if formats {
				all = append(all, field{ptr, "must be a valid " + k.Want})
			}
		default:
			all = append(all, field{ptr, "fails the schema's " + strings.Join(e.ErrorKind.KeywordPath(), "/") + " rule"})
		}
	}
	slices.SortStableFunc(all, func(a, b field) int { return strings.Compare(a.ptr, b.ptr) })
	for _, f := range all {
		if len(fields) == maxFieldErrors {
			return
		}
		if _, ok := fields[f.ptr]; !ok {
			fields[f.ptr] = f.msg
		}
	}
}

// leaves returns the errors of a validation error tree that say what is
// wrong where: those with no causes.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// onlyFormats reports whether every failure in err is a format failure.
func onlyFormats(err error) bool {
	ve, ok := errors.AsType[*jsonschema.ValidationError](err)
	if !ok {
		return false
	}
	for _, e := range leaves(ve) {
		if _, ok := e.ErrorKind.(*kind.Format); !ok {
			return false
		}
	}
	return true
}

// jsonPointer writes tokens as an RFC 6901 pointer; the document itself
// is "".
func jsonPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePointer(t))
	}
	return b.String()
}

func escapePointer(t string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(t)
}

// quoteCut cuts s to n bytes at a rune boundary, marking the cut.
func quoteCut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// checkDepth refuses JSON nested deeper than maxDepth before anything
// recursive reads it. It scans bytes only; syntax is checked later.
func checkDepth(doc []byte) error {
	depth, inString, escaped := 0, false, false
	for i, c := range doc {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > maxDepth {
				return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: errInvalid,
					Message: "the EIDO document is nested more than " + strconv.Itoa(maxDepth) + " levels deep (at byte " + strconv.Itoa(i) + ")"}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
