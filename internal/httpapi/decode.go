package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
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
	if err != nil {
		return bodyError(err)
	}
	return decodeBody(body, v)
}

// bodyError explains why a request body could not be read.
func bodyError(err error) error {
	if e, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return &bluelamp.Error{Kind: bluelamp.KindTooLarge, Code: "body_too_large", Message: fmt.Sprintf("the request body is over the %d-byte limit", e.Limit)}
	}
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_body", Message: "the request body could not be read", Err: err}
}

// decodeBody decodes one strict JSON value; it is what the fuzz tests drive.
func decodeBody(body []byte, v any) error {
	if !utf8.Valid(body) {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_utf8", Message: "the request body is not valid UTF-8"}
	}
	if string(bytes.TrimSpace(body)) == "null" {
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body must be a JSON object, not null"}
	}
	// Checked first, so an unknown member is named by its whole path.
	if err := exactKeys(body, v); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
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
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && e.Kind == bluelamp.KindInvalid {
		// A value's own UnmarshalText refused it (a duration, say); its
		// message says what was wrong, though encoding/json does not say where.
		return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "bad_json", Message: "the request body holds a bad value: " + e.Message}
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
// ignored, as encoding/json allows: {"USERNAME":…} is an unknown field. It
// checks nested objects too, naming a fault by its path ("caller.NAME",
// "grades[2].lable").
func exactKeys(body []byte, v any) error {
	return exactKeysOf(body, reflect.TypeOf(v), "")
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// hasObjects reports whether a JSON value of type t can hold objects that
// decode into struct fields: exactKeys has nothing to check otherwise.
func hasObjects(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		return true
	case reflect.Slice, reflect.Array:
		return hasObjects(t.Elem())
	}
	return false
}

func exactKeysOf(raw []byte, t reflect.Type, path string) error {
	if !hasObjects(t) {
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil // not an array: Decode has already judged it
		}
		for i, item := range items {
			if err := exactKeysOf(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil // not an object: Decode has already judged it
	}
	known := jsonFields(t)
	for k, v := range obj {
		name := k
		if path != "" {
			name = path + "." + k
		}
		ft, ok := known[k]
		if !ok {
			return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: "unknown_field", Message: "the request body has a field this endpoint does not take",
				Fields: map[string]string{name: "is not a known field (names are case-sensitive)"}}
		}
		// encoding/json reads null as "leave it alone", which for text, a
		// number or an object would pass unseen as its zero value; null
		// means absent only for an optional value or a list.
		if string(v) == "null" && !nullable(ft) {
			return bluelamp.InvalidFields(map[string]string{name: "must not be null; leave it out instead"})
		}
		if err := exactKeysOf(v, ft, name); err != nil {
			return err
		}
	}
	return nil
}

// nullable reports whether a member of type t may be null: an optional
// value (a pointer), a list or a map.
func nullable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

// jsonFields returns the JSON member names of struct type t, as
// encoding/json reads them, with their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-":
			continue
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			maps.Copy(out, jsonFields(f.Type))
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// cleanStrings refuses text fields holding NUL or other control characters
// (tab and newlines aside), at any depth: no person types them, and
// PostgreSQL cannot store NUL.
func cleanStrings(v any) error {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil
	}
	return cleanValue(rv, "")
}

// cleanValue checks the strings in v, naming a fault by its member path;
// the strings of a list are named by the list.
func cleanValue(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return cleanValue(v.Elem(), path)
	case reflect.String:
		if !cleanText(v.String()) {
			return bluelamp.InvalidFields(map[string]string{path: "must not contain control characters such as NUL"})
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := cleanValue(v.Index(i), path); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := cleanValue(it.Key(), path); err != nil {
				return err
			}
			if err := cleanValue(it.Value(), path); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			ft := v.Type().Field(i)
			name, _, _ := strings.Cut(ft.Tag.Get("json"), ",")
			switch {
			case ft.Tag.Get("json") == "-" || (!ft.IsExported() && !ft.Anonymous):
				continue
			case ft.Anonymous && name == "":
				name = path
			case path != "":
				name = path + "." + name
			}
			if err := cleanValue(v.Field(i), name); err != nil {
				return err
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
