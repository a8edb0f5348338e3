package httpapi

import (
	"github.com/bluelamp/bluelamp"
)

// Role sets used in the table.
var (
	staff = []bluelamp.Role{
		bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer,
		bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleAnalyst, bluelamp.RoleForceAdmin, bluelamp.RoleAuditor,
	}
	admin         = []bluelamp.Role{bluelamp.RoleForceAdmin}
	adminAuditor  = []bluelamp.Role{bluelamp.RoleForceAdmin, bluelamp.RoleAuditor}
	auditor       = []bluelamp.Role{bluelamp.RoleAuditor}
	officerReader = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleForceAdmin, bluelamp.RoleAuditor}
	logWriter     = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleForceAdmin}
)

// table is every route, who may call it and the query parameters it takes
// (any other is refused): the one place authorisation is
// declared. A route with public false and nil roles is open to any
// signed-in user (it shows them only their own data).
func (s *Server) table() []route {
	rs := []route{
		{pattern: "GET /healthz", public: true, handle: s.handleHealth},
		{pattern: "GET /readyz", public: true, handle: s.handleReady},
		{pattern: "GET /metrics", public: true, handle: s.handleMetrics},
		{pattern: "GET /api/openapi.json", public: true, handle: s.handleOpenAPI},

		{pattern: "POST /api/v1/session", public: true, handle: s.handleSignIn},
		{pattern: "DELETE /api/v1/session", handle: s.handleSignOut},
		{pattern: "GET /api/v1/me", handle: s.handleMe},
		{pattern: "PUT /api/v1/me/password", handle: s.handleChangeOwnPassword},
		{pattern: "GET /api/v1/force", handle: s.handleForce},
		{pattern: "GET /api/v1/reason-codes", handle: s.handleReasonCodes},

		{pattern: "GET /api/v1/stations", roles: staff, handle: s.handleStations},
		{pattern: "GET /api/v1/units", roles: staff, handle: s.handleUnits},
		{pattern: "GET /api/v1/officers", roles: officerReader, handle: s.handleOfficers},

		{pattern: "GET /api/v1/users", roles: adminAuditor, query: []string{"username", "role", "disabled", "offset", "limit"}, handle: s.handleUserList},
		{pattern: "POST /api/v1/users", roles: admin, handle: s.handleUserCreate},
		{pattern: "GET /api/v1/users/{id}", roles: adminAuditor, handle: s.handleUserGet},
		{pattern: "POST /api/v1/users/{id}/disable", roles: admin, handle: s.handleUserDisable},
		{pattern: "POST /api/v1/users/{id}/enable", roles: admin, handle: s.handleUserEnable},
		{pattern: "PUT /api/v1/users/{id}/password", roles: admin, handle: s.handleUserPassword},
		{pattern: "PUT /api/v1/users/{id}/roles/{role}", roles: admin, handle: s.handleRoleGrant},
		{pattern: "DELETE /api/v1/users/{id}/roles/{role}", roles: admin, handle: s.handleRoleRevoke},

		{pattern: "GET /api/v1/tokens", roles: admin, handle: s.handleTokenList},
		{pattern: "POST /api/v1/tokens", roles: admin, handle: s.handleTokenCreate},
		{pattern: "DELETE /api/v1/tokens/{id}", roles: admin, handle: s.handleTokenRevoke},

		{pattern: "GET /api/v1/events", query: []string{"after"}, handle: s.handleEventStream},
		{pattern: "GET /api/v1/log", query: []string{"after", "limit"}, handle: s.handleLog},
		{pattern: "POST /api/v1/log/notes", roles: logWriter, handle: s.handleLogNote},

		{pattern: "GET /api/v1/audit", roles: auditor, query: []string{"user", "subject", "action", "from", "to", "offset", "limit"}, handle: s.handleAudit},
		{pattern: "GET /api/v1/verify", roles: adminAuditor, handle: s.handleVerify},
	}
	for i := range rs {
		rs[i].s = s
	}
	return rs
}
