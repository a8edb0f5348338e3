package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bluelamp/bluelamp"
)

// MaxBody is the documented limit on a request body.
const MaxBody = 1 << 20

// decodeJSON reads r's body into v strictly: JSON content type, at most
// MaxBody bytes, valid UTF-8, no unknown fields, exactly one value.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeUnsupportedMedia, Message: "send the body as Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("the request body is over the %d-byte limit", MaxBody)}
	}
	if err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_body", Message: "the request body could not be read", Err: err}
	}
	return decodeBody(body, v)
}

// decodeBody decodes one strict JSON value; it is what the fuzz tests drive.
func decodeBody(body []byte, v any) error {
	if !utf8.Valid(body) {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_utf8", Message: "the request body is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if err := exactKeys(body, v); err != nil {
		return err
	}
	if err := cleanStrings(v); err != nil {
		return err
	}
	if dec.More() {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body holds more than one JSON value"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body has data after the JSON value"}
	}
	return nil
}

func jsonError(err error) error {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "invalid_fields", Message: "one or more fields have the wrong type",
			Fields: map[string]string{field: "must be " + jsonTypeName(te.Type.Kind().String())}}
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: fmt.Sprintf("the request body is not valid JSON (at byte %d)", se.Offset)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body is empty or cut short"}
	}
	// encoding/json reports an unknown field only as text; this is the one
	// place we read an error's text, to name the field for the caller.
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "unknown_field", Message: "the request body has a field this endpoint does not take",
			Fields: map[string]string{strings.Trim(f, `"`): "is not a known field"}}
	}
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body is not what this endpoint takes", Err: err}
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return "a number"
	}
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// pathID parses the named path value as a positive integer id.
func pathID[T ~int64](r *http.Request, name string) (T, error) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, bluelamp.InvalidFields(map[string]string{name: "must be a positive whole number"})
	}
	return T(n), nil
}

// Headers that carry the justification for reading personal data (DPA 2018
// s.62). Text may be percent-encoded to carry any UTF-8.
const (
	HeaderReason        = "Bluelamp-Reason"
	HeaderJustification = "Bluelamp-Justification"
	HeaderIncident      = "Bluelamp-Incident"
)

var reasonPattern = regexp.MustCompile(`^[A-Za-z_]{1,32}$`)

// justification reads the justification headers and validates them.
func justification(r *http.Request) (bluelamp.Justification, error) {
	text := r.Header.Get(HeaderJustification)
	if strings.Contains(text, "%") {
		t, err := url.PathUnescape(text)
		if err != nil {
			return bluelamp.Justification{}, bluelamp.InvalidFields(map[string]string{"justification": "is not valid percent-encoding"})
		}
		text = t
	}
	reason := strings.TrimSpace(r.Header.Get(HeaderReason))
	if !reasonPattern.MatchString(reason) && reason != "" {
		return bluelamp.Justification{}, bluelamp.InvalidFields(map[string]string{"reason": "must be a reason code from GET /api/v1/reason-codes"})
	}
	j := bluelamp.Justification{
		Reason:      bluelamp.ReasonCode(strings.ToUpper(reason)),
		Text:        strings.TrimSpace(text),
		IncidentRef: strings.TrimSpace(r.Header.Get(HeaderIncident)),
	}
	if !cleanText(j.Text) {
		return j, bluelamp.InvalidFields(map[string]string{"justification": "must be valid UTF-8 text without control characters"})
	}
	if !cleanText(j.IncidentRef) {
		return j, bluelamp.InvalidFields(map[string]string{"incident_ref": "must be valid UTF-8 text without control characters"})
	}
	return j, j.Validate()
}

// query helpers: each returns a KindInvalid error naming the parameter.

func queryInt(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, bluelamp.InvalidFields(map[string]string{name: fmt.Sprintf("must be a whole number from %d to %d", lo, hi)})
	}
	return n, nil
}

func queryTime(q url.Values, name string) (*time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, bluelamp.InvalidFields(map[string]string{name: "must be an RFC 3339 time, e.g. 2026-11-27T08:00:00Z"})
	}
	return &t, nil
}

// checkQuery refuses query parameters the endpoint does not take, and
// values that are not clean text.
func checkQuery(q url.Values, allowed ...string) error {
	for k, vs := range q {
		for _, v := range vs {
			if !cleanText(v) {
				return bluelamp.InvalidFields(map[string]string{k: "must be valid UTF-8 text without control characters"})
			}
		}
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return bluelamp.InvalidFields(map[string]string{k: "is not a parameter this endpoint takes"})
		}
	}
	return nil
}

// exactKeys refuses object keys that match a field only when case is
// ignored, as encoding/json allows: {"USERNAME":…} is an unknown field.
func exactKeys(body []byte, v any) error {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return nil // not an object: Decode has already judged it
	}
	known := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		known[name] = true
	}
	for k := range obj {
		if !known[k] {
			return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "unknown_field", Message: "the request body has a field this endpoint does not take",
				Fields: map[string]string{k: "is not a known field (names are case-sensitive)"}}
		}
	}
	return nil
}

// cleanStrings refuses text fields holding NUL or other control characters
// (tab and newlines aside): no person types them, and PostgreSQL cannot
// store NUL.
func cleanStrings(v any) error {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil
	}
	for i := range rv.NumField() {
		f, ft := rv.Field(i), rv.Type().Field(i)
		name, _, _ := strings.Cut(ft.Tag.Get("json"), ",")
		var texts []string
		switch {
		case f.Kind() == reflect.String:
			texts = []string{f.String()}
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
			for j := range f.Len() {
				texts = append(texts, f.Index(j).String())
			}
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
			texts = []string{f.Elem().String()}
		}
		for _, t := range texts {
			if !cleanText(t) {
				return bluelamp.InvalidFields(map[string]string{name: "must not contain control characters such as NUL"})
			}
		}
	}
	return nil
}

// cleanText reports whether s is valid UTF-8 without control characters
// other than tab, newline and carriage return.
func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return false
		}
	}
	return true
}
