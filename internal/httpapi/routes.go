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

	// Command and control (issue 3): call handlers take contacts and open
	// incidents, controllers dispatch, supervisors re-grade, close and
	// declare major incidents.
	contactTaker   = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleSupervisor}
	contactReader  = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleAuditor}
	incidentWriter = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor}
	dispatcher     = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor}
	supervisor     = []bluelamp.Role{bluelamp.RoleSupervisor}
	sceneReporter  = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer}
	unitEditor     = []bluelamp.Role{bluelamp.RoleSupervisor, bluelamp.RoleForceAdmin}
	unitReporter   = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer}

	// Exhibits and safeguarding referrals (issue 4): officers and
	// supervisors log exhibits and make referrals; controllers also read
	// exhibits linked to incidents; force admins configure partners, whose
	// own users only acknowledge referrals.
	evidenceWriter = []bluelamp.Role{bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleSupervisor}
	exhibitReader  = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer}
	partnerReader  = []bluelamp.Role{bluelamp.RoleForceAdmin, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer}
	partnerAgency  = []bluelamp.Role{bluelamp.RolePartnerAgency}

	// The connected officer (issue 4): officers book on to units, and
	// write to the log of the jobs their unit is assigned to.
	officer          = []bluelamp.Role{bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleSupervisor}
	positionReporter = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer,
		bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleForceAdmin}
	trackReader = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleAuditor}
	logAdder    = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer}

	// Officers' forms (issue 4): officers and supervisors file them;
	// those who work incidents read them with a justification; supervisors
	// decide crime recording and review notebooks, which auditors may read.
	formWriter     = []bluelamp.Role{bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleSupervisor}
	formReader     = []bluelamp.Role{bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer, bluelamp.RoleAuditor}
	notebookReader = []bluelamp.Role{bluelamp.RoleSupervisor, bluelamp.RoleAuditor}

	// Record checks (issue 4): the people who check a person, vehicle or
	// place before or at a job; not partner agencies.
	recordChecker = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor,
		bluelamp.RoleResponseOfficer, bluelamp.RoleNeighbourhoodOfficer}
)

// osmandParams are the OsmAnd protocol's parameters.
var osmandParams = []string{"id", "deviceid", "lat", "lon", "location", "timestamp", "speed", "bearing", "heading", "altitude",
	"accuracy", "hdop", "batt", "charge", "driverUniqueId"}

// table is every route, who may call it and the query parameters it takes
// (any other is refused): the one place authorisation is
// declared. A route with public false and nil roles is open to any
// signed-in user (it shows them only their own data); an operator route
// only to the deployment's operator, who is no user of any force.
func (s *Server) table() []route {
	checks := s.newRecordChecks() // per-user limit on record checks (ratelimit.go)
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

		{pattern: "GET /api/v1/forces", operator: true, handle: s.handleForceList},
		{pattern: "POST /api/v1/forces", operator: true, handle: s.handleForceCreate},

		{pattern: "GET /api/v1/stations", roles: staff, handle: s.handleStations},
		{pattern: "POST /api/v1/stations", roles: admin, handle: s.handleStationCreate},
		{pattern: "GET /api/v1/officers", roles: officerReader, handle: s.handleOfficers},

		{pattern: "GET /api/v1/settings", roles: staff, handle: s.handleSettingsGet},
		{pattern: "PUT /api/v1/settings", roles: admin, handle: s.handleSettingsPut},
		{pattern: "GET /api/v1/codes", roles: staff, handle: s.handleCodes},

		{pattern: "POST /api/v1/contacts", roles: contactTaker, handle: s.handleContactCreate},
		{pattern: "GET /api/v1/duplicates", roles: incidentWriter, query: []string{"lat", "lon", "grid_ref", "category"}, handle: s.handleDuplicatePreview},
		{pattern: "GET /api/v1/incidents", roles: staff, query: []string{"status", "grade", "major_id", "since", "offset", "limit"}, handle: s.handleIncidentList},
		{pattern: "POST /api/v1/incidents", roles: incidentWriter, handle: s.handleIncidentCreate},
		{pattern: "GET /api/v1/incidents/{id}", roles: staff, handle: s.handleIncidentGet},
		{pattern: "GET /api/v1/incidents/{id}/contacts", roles: contactReader, handle: s.handleIncidentContacts},
		{pattern: "GET /api/v1/incidents/{id}/log", roles: staff, handle: s.handleIncidentLog},
		{pattern: "POST /api/v1/incidents/{id}/log", roles: logAdder, handle: s.handleIncidentLogAdd},
		{pattern: "GET /api/v1/incidents/{id}/assessments", roles: staff, handle: s.handleAssessments},
		{pattern: "POST /api/v1/incidents/{id}/assessments", roles: incidentWriter, handle: s.handleAssess},
		{pattern: "POST /api/v1/incidents/{id}/grade", roles: supervisor, handle: s.handleGrade},
		{pattern: "POST /api/v1/incidents/{id}/close", roles: supervisor, handle: s.handleClose},
		{pattern: "GET /api/v1/incidents/{id}/duplicates", roles: staff, handle: s.handleIncidentDuplicates},
		{pattern: "GET /api/v1/incidents/{id}/recommendations", roles: dispatcher, query: []string{"limit"}, handle: s.handleRecommendations},
		{pattern: "POST /api/v1/incidents/{id}/assignments", roles: dispatcher, handle: s.handleAssign},
		{pattern: "POST /api/v1/incidents/{id}/assignments/{unit_id}/stand-down", roles: dispatcher, handle: s.handleStandDown},
		{pattern: "POST /api/v1/incidents/{id}/major", roles: supervisor, handle: s.handleMajorDeclare},
		{pattern: "GET /api/v1/incidents/{id}/major", roles: staff, handle: s.handleMajorView},
		{pattern: "POST /api/v1/incidents/{id}/methane", roles: sceneReporter, handle: s.handleMETHANE},
		{pattern: "POST /api/v1/incidents/{id}/link", roles: dispatcher, handle: s.handleLink},
		{pattern: "GET /api/v1/incidents/{id}/eido", roles: staff, handle: s.handleEIDOExport},
		{pattern: "POST /api/v1/incidents/eido", roles: incidentWriter, handle: s.handleEIDOImport},

		{pattern: "GET /api/v1/me/unit", roles: officer, handle: s.handleMyUnit},
		{pattern: "POST /api/v1/me/unit", roles: officer, handle: s.handleBookOn},
		{pattern: "DELETE /api/v1/me/unit", roles: officer, handle: s.handleBookOff},

		{pattern: "GET /api/v1/forms", roles: formReader, query: append([]string{"kind"}, formListQuery...), handle: s.handleFormList("")},
		{pattern: "GET /api/v1/forms/codes", roles: staff, handle: s.handleFormCodes},
		{pattern: "GET /api/v1/incidents/{id}/forms", roles: staff, query: []string{"offset", "limit"}, handle: s.handleIncidentForms},
		{pattern: "POST /api/v1/stop-searches", roles: formWriter, handle: s.handleStopSearchCreate},
		{pattern: "GET /api/v1/stop-searches", roles: formReader, query: formListQuery, handle: s.handleFormList(bluelamp.FormStopSearch)},
		{pattern: "GET /api/v1/stop-searches/{id}", roles: formReader, handle: s.handleStopSearchGet},
		{pattern: "GET /api/v1/public/stop-search/{reference}", public: true, handle: s.handleStopSearchReceipt},
		{pattern: "POST /api/v1/public/stop-search/{reference}/requests", public: true, handle: s.handleStopSearchRecordRequest},
		{pattern: "POST /api/v1/crime-reports", roles: formWriter, handle: s.handleCrimeReportCreate},
		{pattern: "GET /api/v1/crime-reports", roles: formReader, query: formListQuery, handle: s.handleFormList(bluelamp.FormCrimeReport)},
		{pattern: "GET /api/v1/crime-reports/awaiting-decision", roles: supervisor, handle: s.handleCrimeAwaitingDecision},
		{pattern: "GET /api/v1/crime-reports/{id}", roles: formReader, handle: s.handleCrimeReportGet},
		{pattern: "POST /api/v1/crime-reports/{id}/decision", roles: supervisor, handle: s.handleCrimeDecision},
		{pattern: "POST /api/v1/crime-reports/{id}/outcome", roles: supervisor, handle: s.handleCrimeOutcome},
		{pattern: "POST /api/v1/use-of-force", roles: formWriter, handle: s.handleUseOfForceCreate},
		{pattern: "GET /api/v1/use-of-force", roles: formReader, query: formListQuery, handle: s.handleFormList(bluelamp.FormUseOfForce)},
		{pattern: "GET /api/v1/use-of-force/{id}", roles: formReader, handle: s.handleUseOfForceGet},
		{pattern: "POST /api/v1/notebook", roles: formWriter, handle: s.handleNotebookAdd},
		{pattern: "GET /api/v1/notebook", roles: formWriter, query: []string{"from", "to", "limit"}, handle: s.handleNotebook},
		{pattern: "GET /api/v1/notebook/export", roles: formWriter, query: []string{"from", "to"}, handle: s.handleNotebookExport},
		{pattern: "GET /api/v1/notebook/{number}", roles: formWriter, handle: s.handleNotebookEntry},
		{pattern: "PUT /api/v1/notebook/{number}", handle: s.handleNotebookChange},
		{pattern: "PATCH /api/v1/notebook/{number}", handle: s.handleNotebookChange},
		{pattern: "DELETE /api/v1/notebook/{number}", handle: s.handleNotebookChange},
		{pattern: "POST /api/v1/notebook/{number}/review", roles: supervisor, handle: s.handleNotebookReview},
		{pattern: "GET /api/v1/officers/{collar}/notebook", roles: notebookReader, query: []string{"from", "to", "limit"}, handle: s.handleOfficerNotebook},
		{pattern: "GET /api/v1/officers/{collar}/notebook/export", roles: notebookReader, query: []string{"from", "to"}, handle: s.handleNotebookExport},

		{pattern: "POST /api/v1/exhibits", roles: evidenceWriter, maxBody: s.exhibitUploadLimit(), handle: s.handleExhibitCreate},
		{pattern: "GET /api/v1/exhibits", roles: exhibitReader, query: []string{"incident_id", "produced_by", "offset", "limit"}, handle: s.handleExhibitList},
		{pattern: "GET /api/v1/exhibits/{id}", roles: exhibitReader, handle: s.handleExhibitGet},
		{pattern: "GET /api/v1/exhibits/{id}/content", roles: exhibitReader, handle: s.handleExhibitContent},
		{pattern: "POST /api/v1/exhibits/{id}/custody", roles: evidenceWriter, handle: s.handleExhibitCustody},
		{pattern: "GET /api/v1/referral-types", handle: s.handleReferralTypes},
		{pattern: "GET /api/v1/partners", roles: partnerReader, handle: s.handlePartnerList},
		{pattern: "POST /api/v1/partners", roles: admin, handle: s.handlePartnerCreate},
		{pattern: "POST /api/v1/referrals", roles: evidenceWriter, handle: s.handleReferralCreate},
		{pattern: "GET /api/v1/referrals", roles: evidenceWriter, query: []string{"incident_id", "mine", "offset", "limit"}, handle: s.handleReferralList},
		{pattern: "GET /api/v1/referrals/{id}", roles: evidenceWriter, handle: s.handleReferralGet},
		{pattern: "POST /api/v1/referrals/{id}/acknowledgement", roles: partnerAgency, handle: s.handleReferralAck},

		{pattern: "GET /api/v1/persons", roles: recordChecker, query: []string{"surname", "forename", "dob", "offset", "limit"}, handle: checks.guard(s.handlePersonSearch)},
		{pattern: "GET /api/v1/persons/{id}", roles: recordChecker, handle: checks.guard(s.handlePersonGet)},
		{pattern: "GET /api/v1/vehicles", roles: recordChecker, query: []string{"vrm", "offset", "limit"}, handle: checks.guard(s.handleVehicleSearch)},
		{pattern: "GET /api/v1/vehicles/{id}", roles: recordChecker, handle: checks.guard(s.handleVehicleGet)},
		{pattern: "GET /api/v1/locations", roles: recordChecker, query: []string{"q", "lat", "lon", "radius", "offset", "limit"}, handle: checks.guard(s.handleLocationSearch)},
		{pattern: "GET /api/v1/locations/{id}", roles: recordChecker, handle: checks.guard(s.handleLocationGet)},
		{pattern: "POST /api/v1/records/import", roles: admin, query: []string{"kind", "dry_run"}, maxBody: MaxImportBody, handle: s.handleRecordImport},

		{pattern: "POST /api/v1/positions", roles: positionReporter, handle: s.handlePositions},
		{pattern: "GET /api/v1/positions/osmand", roles: positionReporter, basicAuth: true, query: osmandParams, handle: s.handleOsmAnd},
		{pattern: "POST /api/v1/positions/osmand", roles: positionReporter, basicAuth: true, query: osmandParams, handle: s.handleOsmAnd},
		{pattern: "GET /api/v1/positions/live", roles: staff, query: []string{"bbox"}, handle: s.handlePositionStream},
		{pattern: "GET /api/v1/units/{id}/track", roles: trackReader, query: []string{"from", "to", "limit"}, handle: s.handleTrack},
		{pattern: "GET /api/v1/geofences", roles: staff, handle: s.handleGeofences},
		{pattern: "POST /api/v1/geofences", roles: supervisor, handle: s.handleGeofenceCreate},
		{pattern: "DELETE /api/v1/geofences/{id}", roles: supervisor, handle: s.handleGeofenceArchive},

		{pattern: "GET /api/v1/units", roles: staff, handle: s.handleUnits},
		{pattern: "POST /api/v1/units", roles: unitEditor, handle: s.handleUnitCreate},
		{pattern: "POST /api/v1/units/import", roles: admin, maxBody: MaxUnitImportBody, handle: s.handleUnitImport},
		{pattern: "GET /api/v1/units/{id}", roles: staff, handle: s.handleUnitGet},
		{pattern: "PATCH /api/v1/units/{id}", roles: unitEditor, handle: s.handleUnitUpdate},
		{pattern: "POST /api/v1/units/{id}/status", roles: unitReporter, handle: s.handleUnitStatus},
		{pattern: "POST /api/v1/units/{id}/position", roles: unitReporter, handle: s.handleUnitPosition},

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
