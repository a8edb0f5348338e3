package bluelamp

import (
	"net/mail"
	"regexp"
	"slices"
	"time"
)

// UserID identifies a User across the deployment.
type UserID int64

// Role is what a User may do. Roles are a fixed national set; forces grant them.
type Role string

const (
	RoleCallHandler          Role = "call_handler"
	RoleController           Role = "controller"
	RoleSupervisor           Role = "supervisor"
	RoleResponseOfficer      Role = "response_officer"
	RoleNeighbourhoodOfficer Role = "neighbourhood_officer"
	RoleAnalyst              Role = "analyst"
	RoleForceAdmin           Role = "force_admin"
	RoleAuditor              Role = "auditor"
	RolePartnerAgency        Role = "partner_agency"
)

// Roles lists every Role, in the order the UI shows them.
var Roles = []Role{
	RoleCallHandler, RoleController, RoleSupervisor, RoleResponseOfficer,
	RoleNeighbourhoodOfficer, RoleAnalyst, RoleForceAdmin, RoleAuditor, RolePartnerAgency,
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Label is the role's name as people say it.
func (r Role) Label() string {
	switch r {
	case RoleCallHandler:
		return "Call handler"
	case RoleController:
		return "Controller"
	case RoleSupervisor:
		return "Supervisor"
	case RoleResponseOfficer:
		return "Response officer"
	case RoleNeighbourhoodOfficer:
		return "Neighbourhood officer"
	case RoleAnalyst:
		return "Analyst"
	case RoleForceAdmin:
		return "Force admin"
	case RoleAuditor:
		return "Auditor"
	case RolePartnerAgency:
		return "Partner agency"
	}
	return string(r)
}

// User is someone who signs in. A user belongs to exactly one force.
type User struct {
	ID           UserID     `json:"id"`
	ForceID      ForceID    `json:"force"`
	Username     string     `json:"username"`
	DisplayName  string     `json:"display_name"`
	Email        string     `json:"email,omitempty"`
	CollarNumber string     `json:"collar_number,omitempty"` // when the user is an Officer
	Roles        []Role     `json:"roles"`
	Disabled     bool       `json:"disabled"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Usernames are deployment-wide unique sign-in names.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// ValidUsername reports whether s is a well-formed username.
func ValidUsername(s string) bool { return usernamePattern.MatchString(s) }

// Validate reports every problem with u at once.
func (u *User) Validate() error {
	fields := map[string]string{}
	if !ValidUsername(u.Username) {
		fields["username"] = "must be 2 to 64 lower-case letters, digits, dots, hyphens or underscores"
	}
	if u.DisplayName == "" || len(u.DisplayName) > 200 {
		fields["display_name"] = "is required (at most 200 characters)"
	}
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
			fields["email"] = "must be a plain email address"
		}
	}
	if u.CollarNumber != "" && !collarPattern.MatchString(u.CollarNumber) {
		fields["collar_number"] = "must be 1 to 10 upper-case letters and digits"
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			fields["roles"] = "unknown role " + string(r)
		}
	}
	if len(fields) > 0 {
		return InvalidFields(fields)
	}
	return nil
}

// UserFilter selects users; a nil pointer field means "any".
type UserFilter struct {
	Username *string
	Role     *Role
	Disabled *bool
	Offset   int
	Limit    int
}

// Credential is what sign-in needs to know about a user: it never leaves the
// auth layer.
type Credential struct {
	UserID         UserID
	ForceID        ForceID
	Username       string
	PasswordHash   string // argon2id PHC string; empty when the user signs in only by OIDC
	Disabled       bool
	FailedSignIns  int
	LockedUntil    *time.Time
	ForceSuspended bool
}

// Session is a signed-in browser session. The secret is held only by the
// browser; the store keeps its SHA-256.
type Session struct {
	ID         string    `json:"id"`
	UserID     UserID    `json:"user_id"`
	ForceID    ForceID   `json:"force"`
	SecretHash []byte    `json:"-"`
	Method     string    `json:"method"` // "password" or "oidc"
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// TokenID identifies an API bearer token.
type TokenID string

// Token is an API bearer token for an integration. It acts as its user, with
// that user's roles; the store keeps only the SHA-256 of its secret.
type Token struct {
	ID         TokenID    `json:"id"`
	UserID     UserID     `json:"user_id"`
	ForceID    ForceID    `json:"force"`
	Name       string     `json:"name"`
	SecretHash []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// LockPolicy says when failed sign-ins lock an account: after After failures
// in a row (zero: never), for For.
type LockPolicy struct {
	After int
	For   time.Duration
}
