package bluelamp

import (
	"context"
	"slices"
)

// ActorKind says what sort of party is acting.
type ActorKind string

const (
	ActorUser   ActorKind = "user"   // a person signed in with a password or OIDC
	ActorToken  ActorKind = "token"  // an integration using an API bearer token
	ActorSystem ActorKind = "system" // bluelamp itself or an operator at the command line
)

// Actor is who is acting: every store method takes the force and the
// attribution of its events and audit records from the Actor in the context,
// never from its arguments (DESIGN §2).
type Actor struct {
	Kind      ActorKind
	UserID    UserID  // zero for system actors
	Username  string  // for attribution; never personal data beyond the sign-in name
	ForceID   ForceID // empty only for the deployment-wide system actor
	Roles     []Role
	SessionID string // session or token id, for s.62 "device/session"
	// Unit is the unit an officer is booked on to, when the caller looked
	// it up (a live stream does, at its start): OFFICIAL-SENSITIVE events
	// about that unit and its job reach the officer working it.
	Unit UnitID
}

// HasRole reports whether the actor holds any of roles.
func (a *Actor) HasRole(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// Name is the attribution written into events and audit records.
func (a *Actor) Name() string {
	switch {
	case a.Username != "":
		return a.Username
	case a.Kind == ActorSystem:
		return "system"
	default:
		return string(a.Kind)
	}
}

type actorKey struct{}

// NewContext returns a context carrying a.
func NewContext(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// SystemContext returns ctx carrying a system actor acting for force (or for
// the whole deployment when force is empty) under the given name, e.g.
// "cli:user-add" or "outbox".
func SystemContext(ctx context.Context, force ForceID, name string) context.Context {
	return NewContext(ctx, &Actor{Kind: ActorSystem, Username: name, ForceID: force})
}

// ForceActor returns the actor in ctx if it is scoped to a force, and
// ErrNoActor or a KindForbidden error otherwise.
func ForceActor(ctx context.Context) (*Actor, error) {
	a := ActorFrom(ctx)
	if a == nil {
		return nil, ErrNoActor
	}
	if a.ForceID == "" {
		return nil, Errorf(KindForbidden, "this action needs an actor scoped to a force")
	}
	return a, nil
}
