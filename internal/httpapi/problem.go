package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/bluelamp/bluelamp"
)

// Problem is an RFC 9457 problem details document. Code is stable and
// machine-readable; Detail is safe to show a person.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Code      string            `json:"code"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    map[string]string `json:"errors,omitempty"`
}

// statusOf is the only mapping from a domain error to an HTTP status.
func statusOf(e *bluelamp.Error) int {
	switch e.Code {
	case codeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	switch e.Kind {
	case bluelamp.KindInvalid:
		return http.StatusBadRequest
	case bluelamp.KindNotFound:
		return http.StatusNotFound
	case bluelamp.KindConflict:
		return http.StatusConflict
	case bluelamp.KindForbidden:
		return http.StatusForbidden
	case bluelamp.KindUnauthenticated:
		return http.StatusUnauthorized
	case bluelamp.KindLocked:
		return http.StatusLocked
	case bluelamp.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case bluelamp.KindRateLimited:
		return http.StatusTooManyRequests
	case bluelamp.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

const (
	codeUnsupportedMedia = "unsupported_media_type"
	codeMethodNotAllowed = "method_not_allowed"
)

// ProblemType returns the type URI of a problem code.
func ProblemType(code string) string { return "urn:bluelamp:problem:" + code }

// writeProblem writes err as problem+json. Internal errors are logged in full
// and shown only as a generic detail with the request id.
func writeProblem(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e, ok := errors.AsType[*bluelamp.Error](err)
	switch {
	case !ok && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		// The caller went away or ran out of time: not a fault of ours.
		log.DebugContext(r.Context(), "request ended early", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", err)
		e = &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "request_ended", Message: "the request ended before it was answered; try again"}
	case !ok || e.Kind == bluelamp.KindInternal:
		log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", err)
		e = &bluelamp.Error{Kind: bluelamp.KindInternal, Message: "an internal error occurred; quote the request id to support"}
	case e.Kind == bluelamp.KindUnavailable && e.Err != nil:
		log.WarnContext(r.Context(), "unavailable", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", e.Err)
	}
	status := statusOf(e)
	p := Problem{
		Type:      ProblemType(e.CodeOrKind()),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    e.Message,
		Code:      e.CodeOrKind(),
		Instance:  r.URL.Path,
		RequestID: requestID(r.Context()),
		Errors:    e.Fields,
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	switch status {
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "5")
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="bluelamp"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
