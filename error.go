// Package bluelamp is the domain language of the bluelamp connected-policing
// platform: entities, typed identifiers and codes, store and bus contracts,
// and the error type every layer speaks. It imports only the standard library.
package bluelamp

import (
	"errors"
	"fmt"
)

// Kind classifies an Error for callers and for the HTTP layer, which maps each
// Kind to one status code. The list is append-only: a Kind's string is part of
// the API (it appears as the problem+json "code").
type Kind string

const (
	KindInvalid         Kind = "invalid"
	KindNotFound        Kind = "not_found"
	KindConflict        Kind = "conflict"
	KindForbidden       Kind = "forbidden"
	KindUnauthenticated Kind = "unauthenticated"
	KindUnavailable     Kind = "unavailable"
	KindTooLarge        Kind = "too_large"
	KindRateLimited     Kind = "rate_limited"
	KindLocked          Kind = "locked"
	KindInternal        Kind = "internal"
)

// Error is the one error type of the domain. Message is safe to show to an
// officer or the public; Err is the cause and goes only to logs. Fields names
// the request fields at fault, each with a short message.
type Error struct {
	Kind    Kind
	Code    string // stable machine-readable detail code, e.g. "justification_required"; defaults to Kind
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match two Errors of the same Kind and Code, so sentinels
// declared as *Error values work after wrapping and re-creation.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && t.CodeOrKind() == e.CodeOrKind()
}

// CodeOrKind returns Code when set and the Kind's string otherwise.
func (e *Error) CodeOrKind() string {
	if e.Code != "" {
		return e.Code
	}
	return string(e.Kind)
}

// Errorf returns an *Error of kind k whose message is formatted from format.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields returns a KindInvalid error naming each field at fault.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_fields", Message: "one or more fields are invalid", Fields: fields}
}

// KindOf returns the Kind of the first *Error in err's chain, or KindInternal
// when there is none. A nil error has no kind and returns "".
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return KindInternal
}

// MessageOf returns the safe message of the first *Error in err's chain, or a
// generic message for anything else.
func MessageOf(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Kind != KindInternal {
		return e.Message
	}
	return "an internal error occurred"
}

// Sentinels that callers branch on.
var (
	ErrNoActor               = &Error{Kind: KindUnauthenticated, Code: "no_actor", Message: "no signed-in user"}
	ErrJustificationRequired = &Error{Kind: KindInvalid, Code: "justification_required", Message: "a justification (reason code) is required to read personal data"}
	ErrOtherForce            = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
)

// itoa formats n for messages without importing strconv everywhere.
func itoa(n int) string { return fmt.Sprint(n) }

// quoteShort quotes s for a message, cut to 40 bytes so hostile input does
// not fill the response.
func quoteShort(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return fmt.Sprintf("%q", s)
}
