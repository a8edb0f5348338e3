package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/bluelamp/bluelamp"
)

// OperatorName attributes what the deployment's operator does over the
// API in events and audit records.
const OperatorName = "operator"

// MinOperatorTokenLen is the shortest operator token accepted: it is a
// password that is never locked out, so it must be long enough not to guess.
const MinOperatorTokenLen = 32

// Refusals of the operator routes.
var (
	ErrOperatorOff = &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "operator_api_off",
		Message: "the operator API is off: start bluelamp with --operator-token (or BLUELAMP_OPERATOR_TOKEN) to use it"}
	ErrOperatorRequired = &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "operator_required",
		Message: "only the deployment's operator may do this: send the operator token as Authorization: Bearer"}
)

// Operator returns the deployment-wide system actor, attributed as
// OperatorName, when r carries the operator token as "Authorization:
// Bearer"; ErrOperatorOff when no operator token is set, and
// ErrOperatorRequired for any other caller, signed-in users included.
// The token is the deployment operator's credential: it acts across
// forces, so it is accepted only where a route asks for the operator.
func (a *Authenticator) Operator(r *http.Request) (*bluelamp.Actor, error) {
	if a.OperatorToken == "" {
		return nil, ErrOperatorOff
	}
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !sameSecret(strings.TrimSpace(secret), a.OperatorToken) {
		return nil, ErrOperatorRequired
	}
	return &bluelamp.Actor{Kind: bluelamp.ActorSystem, Username: OperatorName}, nil
}

// sameSecret compares two secrets in constant time. Their SHA-256s are
// compared, so the time does not reveal the length either.
func sameSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}
