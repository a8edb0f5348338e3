package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/go-cmp/cmp"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
)

// oaSpec is the embedded OpenAPI document, loaded, validated and routed.
type oaSpec struct {
	doc    *openapi3.T
	router routers.Router
}

// oaLoad loads the document once per test binary.
var oaLoad = sync.OnceValues(func() (*oaSpec, error) {
	openapi3filter.RegisterBodyDecoder("application/problem+json", openapi3filter.JSONBodyDecoder)
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(OpenAPIDocument())
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("validate openapi.json: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.json: %w", err)
	}
	return &oaSpec{doc: doc, router: router}, nil
})

func oaDoc(t testing.TB) *openapi3.T {
	t.Helper()
	spec, err := oaLoad()
	if err != nil {
		t.Fatal(err)
	}
	return spec.doc
}

// oaOperations returns every operation of the document as "METHOD path".
func oaOperations(doc *openapi3.T) map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPIRoutesMatch checks that the document is a valid OpenAPI 3.1
// document listing exactly the routes the server serves.
func TestOpenAPIRoutesMatch(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	if got, want := doc.OpenAPI, "3.1.0"; got != want {
		t.Fatalf("openapi = %q, want %q", got, want)
	}
	documented := slices.Sorted(maps.Keys(oaOperations(doc)))
	served := (&Server{}).Routes()
	slices.Sort(served)
	var missing, extra []string
	for _, r := range served {
		if !slices.Contains(documented, r) {
			missing = append(missing, r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(served, d) {
			extra = append(extra, d)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes and document differ:\nserved but not documented: %q\ndocumented but not served: %q", missing, extra)
	}
}

// TestOpenAPIOperations checks each operation's own promises: an id, a
// summary, a description naming the roles of the route table, the security
// the table implies, the justification headers on personal-data reads, and
// the problems every operation of its kind can give.
func TestOpenAPIOperations(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	ops := oaOperations(doc)
	ids := map[string]string{}
	for _, rt := range (&Server{}).table() {
		op := ops[rt.pattern]
		if op == nil {
			continue // TestOpenAPIRoutesMatch reports it
		}
		t.Run(rt.pattern, func(t *testing.T) {
			if op.OperationID == "" || op.Summary == "" || op.Description == "" {
				t.Errorf("operationId %q, summary %q, description %q: all are required", op.OperationID, op.Summary, op.Description)
			}
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("operationId %q also used by %s", op.OperationID, prev)
			}
			ids[op.OperationID] = rt.pattern

			// Roles: x-bluelamp-roles and the description follow the table.
			var want any = "signed-in"
			var sentence string
			switch {
			case rt.public:
				want, sentence = "public", "Public: no sign-in needed."
			case rt.operator:
				want, sentence = "operator", "Operator only: send the operator token as `Authorization: Bearer`; no user may call it."
			case rt.roles != nil:
				names := make([]any, len(rt.roles))
				for i, r := range rt.roles {
					names[i] = string(r)
				}
				want, sentence = names, "Roles: "+roleNames(rt.roles)+"."
			default:
				sentence = "Roles: any signed-in user"
			}
			if diff := cmp.Diff(want, op.Extensions["x-bluelamp-roles"]); diff != "" {
				t.Errorf("x-bluelamp-roles differs from the route table (-table +document):\n%s", diff)
			}
			if !strings.Contains(op.Description, sentence) {
				t.Errorf("description does not say %q", sentence)
			}

			// Security: public routes need none; operator routes the operator
			// token alone; the rest take the document's.
			if public := op.Security != nil && len(*op.Security) == 0; public != rt.public {
				t.Errorf("operation security says public = %v; the table says %v", public, rt.public)
			}
			operatorOnly := op.Security != nil && len(*op.Security) == 1 && len((*op.Security)[0]) == 1 && (*op.Security)[0]["operatorToken"] != nil
			if operatorOnly != rt.operator {
				t.Errorf("operation security says operator token only = %v; the table says operator = %v", operatorOnly, rt.operator)
			}

			// Statuses every operation of a kind gives. An operator route
			// never answers 401: whoever else calls it gets 403.
			statuses := []string{"500"}
			switch {
			case rt.operator:
				statuses = append(statuses, "403", "503")
				if op.Responses.Value("401") != nil {
					t.Errorf("an operator route documents 401")
				}
			case !rt.public:
				statuses = append(statuses, "401", "503")
			}
			if rt.roles != nil {
				statuses = append(statuses, "403")
			}
			method, _, _ := strings.Cut(rt.pattern, " ")
			if method != http.MethodGet {
				statuses = append(statuses, "403")
			}
			if op.RequestBody != nil {
				statuses = append(statuses, "400", "413", "415")
			}
			if strings.Contains(rt.pattern, "{") {
				statuses = append(statuses, "400")
			}
			for _, code := range statuses {
				if op.Responses.Value(code) == nil {
					t.Errorf("no %s response", code)
				}
			}
			// Every unsafe operation documents the cross-origin refusal.
			if method != http.MethodGet {
				if r := op.Responses.Value("403"); r == nil || r.Value.Description == nil || !strings.Contains(*r.Value.Description, "cross_origin") {
					t.Errorf("403 does not document the cross-origin refusal")
				}
			}

			// Personal data: the reason header is required, the others optional.
			personal := strings.Contains(op.Description, "DPA 2018 s.62")
			reason := op.Parameters.GetByInAndName("header", HeaderReason)
			if personal != (reason != nil) {
				t.Errorf("description mentions s.62: %v; has %s: %v", personal, HeaderReason, reason != nil)
			}
			if reason != nil {
				// The log takes a justification only to show personal payloads.
				if !reason.Required && rt.pattern != "GET /api/v1/log" {
					t.Errorf("%s is not required", HeaderReason)
				}
				for _, h := range []string{HeaderJustification, HeaderIncident} {
					if p := op.Parameters.GetByInAndName("header", h); p == nil || p.Required {
						t.Errorf("%s missing or required", h)
					}
				}
				if op.Responses.Value("400") == nil {
					t.Errorf("no 400 for a missing justification")
				}
			}
		})
	}
}

// TestOpenAPIJustificationMatches reads every GET route without a
// justification as a user holding every staff role: the document requires
// Bluelamp-Reason on exactly the routes the server refuses with
// justification_required.
func TestOpenAPIJustificationMatches(t *testing.T) {
	t.Parallel()
	e := oaNewEnv(t)
	ops := oaOperations(oaDoc(t))
	for _, rt := range e.srv.table() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if method != http.MethodGet || isStream(path) || ops[rt.pattern] == nil {
			continue // the stream takes no justification and does not end
		}
		path = strings.ReplaceAll(path, "{id}", fmt.Sprint(e.admin.ID))
		res := e.do(t, e.staff, method, path, "")
		var p Problem
		_ = json.Unmarshal(res.body, &p)
		refused := res.status == http.StatusBadRequest && p.Code == "justification_required"
		reason := ops[rt.pattern].Parameters.GetByInAndName("header", HeaderReason)
		if documented := reason != nil && reason.Required; documented != refused {
			t.Errorf("%s: the server refuses it without a justification: %v; the document requires %s: %v", rt.pattern, refused, HeaderReason, documented)
		}
	}
}

// oaJSONFields returns the JSON member names of a Go type as encoding/json
// writes them, each with whether it is omitempty.
func oaJSONFields(typ reflect.Type) map[string]bool {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	out := map[string]bool{}
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			maps.Copy(out, oaJSONFields(f.Type))
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = slices.Contains(strings.Split(opts, ","), "omitempty")
	}
	return out
}

// TestOpenAPISchemasMatchGo checks that each schema lists exactly the JSON
// members of the Go type it documents, and, for what the server writes,
// that the members encoding/json always writes are the required ones.
func TestOpenAPISchemasMatchGo(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	sessionInfo, _ := reflect.TypeFor[meResponse]().FieldByName("Session")
	tests := []struct {
		schema  string
		typ     reflect.Type
		written bool // written by the server: check required against omitempty
	}{
		{"Problem", reflect.TypeFor[Problem](), true},
		{"User", reflect.TypeFor[bluelamp.User](), true},
		{"Force", reflect.TypeFor[bluelamp.Force](), true},
		{"Station", reflect.TypeFor[bluelamp.Station](), true},
		{"Unit", reflect.TypeFor[bluelamp.Unit](), true},
		{"Officer", reflect.TypeFor[bluelamp.Officer](), true},
		{"Token", reflect.TypeFor[bluelamp.Token](), true},
		{"TokenCreated", reflect.TypeFor[tokenCreateResponse](), true},
		{"SessionCreated", reflect.TypeFor[sessionResponse](), true},
		{"Me", reflect.TypeFor[meResponse](), true},
		{"SessionInfo", sessionInfo.Type, true},
		{"ReasonCodeInfo", reflect.TypeFor[bluelamp.ReasonCodeInfo](), true},
		{"Justification", reflect.TypeFor[bluelamp.Justification](), false}, // text is required by reason, not by encoding
		{"Event", reflect.TypeFor[bluelamp.Event](), true},
		{"LogPage", reflect.TypeFor[logPage](), true},
		{"AuditRecord", reflect.TypeFor[bluelamp.AuditRecord](), true},
		{"ChainReport", reflect.TypeFor[bluelamp.ChainReport](), true},
		{"ChainProblem", reflect.TypeFor[bluelamp.ChainProblem](), true},
		{"SignInRequest", reflect.TypeFor[signInRequest](), false},
		{"ChangePasswordRequest", reflect.TypeFor[changePasswordRequest](), false},
		{"SetPasswordRequest", reflect.TypeFor[setPasswordRequest](), false},
		{"UserCreateRequest", reflect.TypeFor[userCreateRequest](), false},
		{"TokenCreateRequest", reflect.TypeFor[tokenCreateRequest](), false},
		{"LogNoteRequest", reflect.TypeFor[logNoteRequest](), false},

		// Command and control. A schema that requests use too lists as
		// required only what the server refuses when absent, so it is
		// checked as not written.
		{"Incident", reflect.TypeFor[bluelamp.Incident](), true},
		{"Location", reflect.TypeFor[bluelamp.Location](), true},
		{"Position", reflect.TypeFor[bluelamp.Position](), true},
		{"Contact", reflect.TypeFor[bluelamp.Contact](), true},
		{"ContactChecks", reflect.TypeFor[bluelamp.ContactChecks](), true},
		{"ContactCreated", reflect.TypeFor[contactCreateResponse](), true},
		{"Caller", reflect.TypeFor[bluelamp.Caller](), false},
		{"THRIVE", reflect.TypeFor[bluelamp.THRIVE](), true},
		{"Threat", reflect.TypeFor[bluelamp.Threat](), true},
		{"Harm", reflect.TypeFor[bluelamp.Harm](), true},
		{"Risk", reflect.TypeFor[bluelamp.Risk](), true},
		{"Investigation", reflect.TypeFor[bluelamp.Investigation](), false},
		{"Vulnerability", reflect.TypeFor[bluelamp.Vulnerability](), false},
		{"Engagement", reflect.TypeFor[bluelamp.Engagement](), false},
		{"MajorIncident", reflect.TypeFor[bluelamp.MajorIncident](), true},
		{"Closing", reflect.TypeFor[bluelamp.Closing](), false},
		{"Clock", reflect.TypeFor[bluelamp.Clock](), true},
		{"Assignment", reflect.TypeFor[bluelamp.Assignment](), true},
		{"LogEntry", reflect.TypeFor[bluelamp.LogEntry](), true},
		{"METHANE", reflect.TypeFor[bluelamp.METHANE](), true},
		{"Casualties", reflect.TypeFor[bluelamp.Casualties](), false},
		{"MajorIncidentView", reflect.TypeFor[bluelamp.MajorIncidentView](), true},
		{"DuplicateCandidate", reflect.TypeFor[bluelamp.DuplicateCandidate](), true},
		{"UnitSkill", reflect.TypeFor[bluelamp.UnitSkill](), true},
		{"Recommendation", reflect.TypeFor[bluelamp.Recommendation](), true},
		{"GradeSetting", reflect.TypeFor[bluelamp.GradeSetting](), false},
		{"StatusCode", reflect.TypeFor[bluelamp.StatusCode](), true},
		{"SkillInfo", reflect.TypeFor[bluelamp.SkillInfo](), true},
		{"Area", reflect.TypeFor[bluelamp.Area](), false},
		{"UrbanArea", reflect.TypeFor[bluelamp.UrbanArea](), false},
		{"ForceSettings", reflect.TypeFor[bluelamp.ForceSettings](), false},
		{"CategoryInfo", reflect.TypeFor[bluelamp.CategoryInfo](), true},
		{"QualifierInfo", reflect.TypeFor[bluelamp.QualifierInfo](), true},
		{"ResultInfo", reflect.TypeFor[bluelamp.ResultInfo](), true},
		{"ChannelInfo", reflect.TypeFor[bluelamp.ChannelInfo](), true},
		{"UnitStateInfo", reflect.TypeFor[unitStateInfo](), true},
		{"Codes", reflect.TypeFor[codesResponse](), true},
		{"Change", reflect.TypeFor[bluelamp.Change](), true},
		{"LocationInput", reflect.TypeFor[locationRequest](), false},
		{"IncidentInput", reflect.TypeFor[incidentRequest](), false},
		{"IncidentCreateRequest", reflect.TypeFor[incidentCreateRequest](), false},
		{"THRIVEInput", reflect.TypeFor[thriveRequest](), false},
		{"ContactCreateRequest", reflect.TypeFor[contactCreateRequest](), false},
		{"LogEntryRequest", reflect.TypeFor[logEntryRequest](), false},
		{"GradeRequest", reflect.TypeFor[gradeRequest](), false},
		{"MajorDeclareRequest", reflect.TypeFor[majorDeclareRequest](), false},
		{"METHANEInput", reflect.TypeFor[methaneRequest](), false},
		{"LinkRequest", reflect.TypeFor[linkRequest](), false},
		{"AssignRequest", reflect.TypeFor[assignRequest](), false},
		{"StandDownRequest", reflect.TypeFor[standDownRequest](), false},
		{"UnitUpdateRequest", reflect.TypeFor[unitUpdateRequest](), false},
		{"UnitStatusRequest", reflect.TypeFor[unitStatusRequest](), false},

		// Provisioning: the operator's forces, and stations and units.
		{"ForceCreateRequest", reflect.TypeFor[forceCreateRequest](), false},
		{"ForceAdminInput", reflect.TypeFor[forceAdminRequest](), false},
		{"ForceSettingsInput", reflect.TypeFor[bluelamp.ForceSettings](), false},
		{"ForceCreated", reflect.TypeFor[forceCreateResponse](), true},
		{"StationCreateRequest", reflect.TypeFor[stationCreateRequest](), false},
		{"UnitCreateRequest", reflect.TypeFor[unitCreateRequest](), false},
		{"UnitImportRequest", reflect.TypeFor[unitImportRequest](), false},
		{"UnitRowError", reflect.TypeFor[bluelamp.UnitRowError](), true},
		{"UnitImportProblem", reflect.TypeFor[unitImportProblem](), true},
	}
	for _, tc := range tests {
		t.Run(tc.schema, func(t *testing.T) {
			checkSchemaMatchesType(t, doc, tc.schema, tc.typ, tc.written)
		})
	}
	// The reason header takes every reason code in any letter case, and
	// nothing else.
	reason := doc.Components.Parameters["Reason"].Value.Schema.Value
	for _, c := range bluelamp.DefaultReasonCodes {
		for _, v := range []string{string(c.Code), strings.ToLower(string(c.Code)), " " + strings.ToLower(string(c.Code[:1])) + string(c.Code[1:])} {
			if err := reason.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("%s refuses reason %q: %v", HeaderReason, v, err)
			}
		}
	}
	for _, v := range []string{"", "NOT-A-CODE", "ADMINS", "AD MIN"} {
		if reason.VisitJSON(v, openapi3.EnableJSONSchema2020()) == nil {
			t.Errorf("%s takes reason %q", HeaderReason, v)
		}
	}

	// The enumerations follow the Go lists.
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	var roles, reasons, actions []string
	for _, r := range bluelamp.Roles {
		roles = append(roles, string(r))
	}
	for _, r := range bluelamp.DefaultReasonCodes {
		reasons = append(reasons, string(r.Code))
	}
	for _, a := range bluelamp.AuditActions {
		actions = append(actions, string(a))
	}
	codes := func(n int, code func(i int) string) []string {
		out := make([]string, n)
		for i := range n {
			out[i] = code(i)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"Role", roles}, {"ReasonCode", reasons}, {"AuditAction", actions},
		{"Grade", codes(len(bluelamp.Grades), func(i int) string { return string(bluelamp.Grades[i]) })},
		{"Channel", codes(len(bluelamp.Channels), func(i int) string { return string(bluelamp.Channels[i].Code) })},
		{"Category", codes(len(bluelamp.Categories), func(i int) string { return string(bluelamp.Categories[i].Code) })},
		{"Qualifier", codes(len(bluelamp.Qualifiers), func(i int) string { return string(bluelamp.Qualifiers[i].Code) })},
		{"Result", codes(len(bluelamp.Results), func(i int) string { return string(bluelamp.Results[i].Code) })},
		{"UnitState", codes(len(bluelamp.UnitStates), func(i int) string { return string(bluelamp.UnitStates[i]) })},
		{"HarmType", bluelamp.HarmTypes},
		{"VulnerabilityFactor", bluelamp.VulnerabilityFactors},
	} {
		// As sets: the order of bluelamp.Roles is the UI's, not the API's.
		if diff := cmp.Diff(slices.Sorted(slices.Values(tc.want)), slices.Sorted(slices.Values(enum(tc.name)))); diff != "" {
			t.Errorf("%s enum differs (-Go +schema):\n%s", tc.name, diff)
		}
	}
}

// TestOpenAPIServed checks that GET /api/openapi.json serves the document.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := oaNewEnv(t)
	res := e.do(t, e.anon, "GET", "/api/openapi.json", "")
	if res.status != http.StatusOK || !bytes.Equal(res.body, OpenAPIDocument()) {
		t.Fatalf("GET /api/openapi.json: %d, %d bytes; want the %d-byte document", res.status, len(res.body), len(OpenAPIDocument()))
	}
}

// oaCheck validates one exchange against the OpenAPI document and fails t
// (without stopping it) on any mismatch. api_test.go calls it on every
// response it gets.
func oaCheck(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if err := oaValidate(req, status, header, body); err != nil {
		t.Errorf("%s %s → %d does not match openapi.json: %v\nresponse body: %.2000s", req.Method, req.URL.RequestURI(), status, err, body)
	}
}

// oaValidate validates one exchange against the OpenAPI document:
//
//   - a path the document lacks must get 404 no_route, and a method it
//     lacks on a path 405 method_not_allowed with Allow, each as documented
//     in components/responses;
//   - a request the document says is invalid (a bad parameter or body, no
//     credentials) must not succeed;
//   - the status, headers and content type must be documented for the
//     operation, and a JSON or problem+json body must match its schema;
//     other media types (the event stream, metrics, the plain-text
//     cross-origin refusal) are checked for being documented, and an event
//     stream frame by frame.
//
// The request's body is read from GetBody when set, otherwise from Body,
// which is put back.
func oaValidate(req *http.Request, status int, header http.Header, body []byte) error {
	spec, err := oaLoad()
	if err != nil {
		return err
	}
	ctx := context.Background()
	reqBody, err := oaRequestBody(req)
	if err != nil {
		return err
	}
	r := req.Clone(ctx)
	r.Body, r.ContentLength = http.NoBody, 0
	if len(reqBody) > 0 {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(reqBody)), int64(len(reqBody))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(reqBody)), nil }
	}
	unclean := false
	if p := r.URL.EscapedPath(); oaCleanPath(p) != p {
		// The mux answers an unclean path for a route's clean one: it
		// authenticates and authorises as that route, then redirects.
		unclean = true
		r.URL.RawPath = oaCleanPath(p)
		r.URL.Path, _ = url.PathUnescape(r.URL.RawPath)
	}
	head := r.Method == http.MethodHead
	if head {
		r.Method = http.MethodGet // the mux serves HEAD with the GET route
	}
	if status >= 300 && status < 400 {
		if !unclean {
			return fmt.Errorf("redirect %d from a clean path", status)
		}
		return nil // the mux's redirect to the clean path
	}
	if status == http.StatusForbidden && oaMediaType(header) == "text/plain" && !oaCrossOrigin(req) {
		return errors.New("a plain-text 403 for a request that is not cross-origin")
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    oaAuthenticate,
		IncludeResponseStatus: true,
		MultiError:            true,
	}

	route, params, err := spec.router.FindRoute(r)
	var unrouted string
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		unrouted = "NoRoute"
	case errors.Is(err, routers.ErrMethodNotAllowed):
		unrouted = "MethodNotAllowed"
	case err != nil:
		return fmt.Errorf("find route: %w", err)
	}
	if unrouted != "" {
		if oaCrossOrigin(req) && status == http.StatusForbidden && oaMediaType(header) == "text/plain" {
			return nil // refused before routing, as the document's introduction says
		}
		resp := spec.doc.Components.Responses[unrouted]
		want := http.StatusNotFound
		if unrouted == "MethodNotAllowed" {
			want = http.StatusMethodNotAllowed
		}
		if status != want {
			return fmt.Errorf("%s %s is not in the document, so the answer must be %d, not %d", r.Method, r.URL.Path, want, status)
		}
		op := openapi3.NewOperation()
		op.Responses = openapi3.NewResponses(openapi3.WithStatus(want, resp))
		route = &routers.Route{Spec: spec.doc, Path: r.URL.Path, Method: r.Method, Operation: op}
	}

	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u // as r.PathValue has it
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: opts}
	if unrouted == "" {
		if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil && status < 400 {
			return fmt.Errorf("the document says the request is invalid, but the server answered %d: %w", status, reqErr)
		}
	}

	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	mt := oaMediaType(header)
	if head || (mt != "application/json" && mt != "application/problem+json") {
		// Only the JSON bodies have schemas to check; the rest must at least
		// be documented.
		ref := route.Operation.Responses.Status(status)
		if ref == nil {
			return fmt.Errorf("status %d is not documented", status)
		}
		if len(body) > 0 || len(ref.Value.Content) > 0 {
			if ref.Value.Content.Get(header.Get("Content-Type")) == nil {
				return fmt.Errorf("status %d: content type %q is not documented", status, header.Get("Content-Type"))
			}
		}
		noBody := *opts
		noBody.ExcludeResponseBody = true
		out.Options = &noBody
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			return err
		}
		if mt == "text/event-stream" && !head {
			return oaCheckEventStream(spec.doc, body)
		}
		return nil
	}
	out.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, out)
}

func oaRequestBody(req *http.Request) ([]byte, error) {
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("request body: %w", err)
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("request body: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

// oaCleanPath cleans a path as http.ServeMux does before routing.
func oaCleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

func oaMediaType(h http.Header) string {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt
}

// oaCrossOrigin reports whether http.CrossOriginProtection refuses req.
func oaCrossOrigin(req *http.Request) bool {
	return http.NewCrossOriginProtection().Check(req) != nil
}

// oaAuthenticate says whether a request carries the credential a security
// scheme names; whether the credential is good is the server's business.
func oaAuthenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	s := in.SecurityScheme
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(secret) != "" {
			return nil
		}
	case s.Type == "apiKey" && s.In == "cookie":
		if c, err := r.Cookie(s.Name); err == nil && c.Value != "" {
			return nil
		}
	}
	return in.NewError(nil)
}

// oaCheckEventStream checks Server-Sent Events frames as the document
// describes them: a ready frame first, then event frames whose id is the
// event's sequence number, keep-alive comments and error frames. A last
// frame cut short by the client is ignored.
func oaCheckEventStream(doc *openapi3.T, body []byte) error {
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	visit := func(name string, data string) error {
		var v any
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return fmt.Errorf("%s data %q: %w", name, data, err)
		}
		if err := schema(name).VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
			return fmt.Errorf("%s data %s: %w", name, data, err)
		}
		return nil
	}
	frames := strings.Split(string(body), "\n\n")
	frames = frames[:len(frames)-1] // the text after the last blank line is incomplete
	for i, frame := range frames {
		fields := map[string]string{}
		sc := bufio.NewScanner(strings.NewReader(frame))
		comment := false
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, ":") {
				comment = true
				continue
			}
			k, v, _ := strings.Cut(line, ":")
			fields[k] = strings.TrimPrefix(v, " ")
		}
		switch {
		case i == 0:
			if fields["event"] != "ready" || fields["id"] == "" {
				return fmt.Errorf("first frame %q is not a ready frame with an id", frame)
			}
			if err := visit("StreamReady", fields["data"]); err != nil {
				return err
			}
		case comment && len(fields) == 0:
		case fields["event"] == "error":
			if err := visit("StreamError", fields["data"]); err != nil {
				return err
			}
		case fields["event"] == "" && fields["id"] != "":
			if err := visit("Event", fields["data"]); err != nil {
				return err
			}
			var e struct{ Seq int64 }
			_ = json.Unmarshal([]byte(fields["data"]), &e)
			if strconv.FormatInt(e.Seq, 10) != fields["id"] {
				return fmt.Errorf("frame id %s is not its event's seq %d", fields["id"], e.Seq)
			}
		default:
			return fmt.Errorf("undocumented frame %q", frame)
		}
	}
	return nil
}

// oaEnv is a real API over a real SQLite store, for these tests.
type oaEnv struct {
	store *sqlstore.Store
	srv   *Server
	ts    *httptest.Server
	admin *bluelamp.User
	anon  *http.Client
	staff *http.Client // admin, signed in
}

const oaPassword = "a-long-password"

var oaHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(oaPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// oaNewStore opens a migrated store (a SQLite file path or a PostgreSQL
// URL) with force "oa" and its admin, who holds every role but
// partner_agency.
func oaNewStore(tb testing.TB, dsn string) (*sqlstore.Store, *bluelamp.User) {
	tb.Helper()
	s := sqlstore.New(dsn)
	s.Migrate = sqlstore.MigrateIfEmpty
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if err := s.CreateForce(bluelamp.SystemContext(ctx, "", "test"), &bluelamp.Force{ID: "oa", Name: "OpenAPI Constabulary"}); err != nil {
		tb.Fatal(err)
	}
	admin := &bluelamp.User{Username: "admin", DisplayName: "Admin", Email: "admin@oa.example",
		Roles: slices.DeleteFunc(slices.Clone(bluelamp.Roles), func(r bluelamp.Role) bool { return r == bluelamp.RolePartnerAgency })}
	if err := s.CreateUser(bluelamp.SystemContext(ctx, "oa", "test"), admin, oaHash()); err != nil {
		tb.Fatal(err)
	}
	return s, admin
}

func oaNewEnv(t *testing.T) *oaEnv {
	t.Helper()
	s, admin := oaNewStore(t, filepath.Join(t.TempDir(), "oa.db"))
	srv := &Server{Store: s, Auth: auth.New(s), Version: "test", Logger: slog.New(slog.DiscardHandler), Heartbeat: time.Hour}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &oaEnv{store: s, srv: srv, ts: ts, admin: admin, anon: &http.Client{}}
	jar, _ := cookiejar.New(nil)
	e.staff = &http.Client{Jar: jar}
	if res := e.do(t, e.staff, "POST", "/api/v1/session", `{"username":"admin","password":"`+oaPassword+`"}`); res.status != http.StatusOK {
		t.Fatalf("sign in: %d %s", res.status, res.body)
	}
	return e
}

type oaResponse struct {
	status int
	header http.Header
	body   []byte
	err    error // from oaValidate
}

// exchange sends a request (body: raw JSON, sent as application/json
// unless headers say otherwise) with header pairs, and validates it.
func (e *oaEnv) exchange(t *testing.T, c *http.Client, method, path, body string, headers ...string) oaResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if b, ok := c.Transport.(oaBearer); ok {
		req.Header.Set("Authorization", "Bearer "+b.secret)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return oaResponse{status: res.StatusCode, header: res.Header, body: b, err: oaValidate(req, res.StatusCode, res.Header, b)}
}

// do is exchange that fails t when the exchange does not match the document.
func (e *oaEnv) do(t *testing.T, c *http.Client, method, path, body string, headers ...string) oaResponse {
	t.Helper()
	res := e.exchange(t, c, method, path, body, headers...)
	if res.err != nil {
		t.Errorf("%s %s → %d does not match openapi.json: %v\n%s", method, path, res.status, res.err, res.body)
	}
	return res
}

func (e *oaEnv) bearer(t *testing.T, user bluelamp.UserID) *http.Client {
	t.Helper()
	tk, secret := auth.NewToken(user, "oa test", nil)
	if err := e.store.CreateToken(bluelamp.SystemContext(t.Context(), "oa", "test"), tk); err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: oaBearer{secret}}
}

// oaBearer marks a client whose requests exchange sends with a token.
type oaBearer struct{ secret string }

func (b oaBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	return http.DefaultTransport.RoundTrip(r)
}

// oaStreamer streams the store's events once, then fails as a lost bus would.
type oaStreamer struct{ store bluelamp.Store }

func (s oaStreamer) StreamBatches(ctx context.Context, actor *bluelamp.Actor, after int64, send func(*bluelamp.Event) error, idle func() error) error {
	events, err := s.store.FindEvents(bluelamp.NewContext(ctx, actor), bluelamp.EventFilter{After: after})
	if err != nil {
		return err
	}
	for _, ev := range events {
		if ev.VisibleTo(actor) {
			if err := send(ev); err != nil {
				return err
			}
		}
	}
	if err := idle(); err != nil {
		return err
	}
	return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "bus_lost", Message: "the bus connection was lost"}
}

// TestOpenAPIResponsesMatch calls every operation for its success and its
// typical failures through the real server, and checks each exchange against
// the document.
func TestOpenAPIResponsesMatch(t *testing.T) {
	t.Parallel()
	e := oaNewEnv(t)
	ctx := bluelamp.SystemContext(t.Context(), "oa", "test")
	st := &bluelamp.Station{Code: "KX", Name: "King's Cross", Lat: 51.53, Lon: -0.12}
	if err := e.store.CreateStation(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateUnit(ctx, &bluelamp.Unit{CallSign: "KX11", Type: "response car", StationID: st.ID}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateOfficer(ctx, &bluelamp.Officer{CollarNumber: "PC123", Name: "Pat Constable", Rank: "Police Constable", StationID: st.ID}); err != nil {
		t.Fatal(err)
	}
	why := []string{HeaderReason, "admin", HeaderJustification, "checking the API document"}
	a, anon := e.staff, e.anon
	id := fmt.Sprint(e.admin.ID)

	type call struct {
		client       *http.Client
		method, path string
		body         string
		headers      []string
		status       int
	}
	calls := []call{
		{anon, "GET", "/healthz", "", nil, 200},
		{anon, "GET", "/readyz", "", nil, 200},
		{anon, "GET", "/metrics", "", nil, 404},
		{anon, "GET", "/api/openapi.json", "", nil, 200},
		{anon, "POST", "/api/v1/session", `{"username":"admin","password":"wrong-password!"}`, nil, 401},
		{anon, "POST", "/api/v1/session", `{"username":"admin"}`, nil, 400},
		{anon, "POST", "/api/v1/session", `{"username":"admin","password":"x"}`, []string{"Content-Type", "text/plain"}, 415},
		{anon, "POST", "/api/v1/session", `{"username":"admin","password":"` + strings.Repeat("x", MaxBody) + `"}`, nil, 413},
		{anon, "GET", "/api/v1/me", "", nil, 401},
		{anon, "GET", "/api/v1/me", "", []string{"Authorization", "Bearer blt_nope"}, 401},
		{a, "GET", "/api/v1/me", "", nil, 200},
		{a, "GET", "/api/v1/force", "", nil, 200},
		{a, "GET", "/api/v1/reason-codes", "", nil, 200},
		{a, "GET", "/api/v1/stations", "", nil, 200},
		{a, "GET", "/api/v1/units", "", nil, 200},
		{a, "GET", "/api/v1/officers", "", why, 200},
		{a, "GET", "/api/v1/officers", "", nil, 400},
		{a, "GET", "/api/v1/users?role=force_admin&disabled=false&offset=0&limit=10", "", why, 200},
		{a, "GET", "/api/v1/users?limit=0", "", why, 400},
		{a, "GET", "/api/v1/users/" + id, "", why, 200},
		{a, "GET", "/api/v1/users/999999", "", why, 404},
		{a, "GET", "/api/v1/users/abc", "", why, 400},
		{a, "POST", "/api/v1/users", `{"username":"Pat","display_name":"Pat","email":"pat@oa.example","collar_number":"PC123","roles":["response_officer"],"password":"` + oaPassword + `"}`, nil, 201},
		{a, "POST", "/api/v1/users", `{"username":"oidc-only","display_name":"O"}`, nil, 201},
		{a, "POST", "/api/v1/users", `{"username":"pat","display_name":"Pat again"}`, nil, 409},
		{a, "POST", "/api/v1/users", `{"username":"x y","display_name":""}`, nil, 400},
		{a, "POST", "/api/v1/users", `{"username":"zed","display_name":"Z","is_admin":true}`, nil, 400},
		{a, "POST", "/api/v1/users", "", nil, 415},
		{a, "POST", "/api/v1/users/" + id + "/disable", "", nil, 400},
		{a, "POST", "/api/v1/users/999999/enable", "", nil, 404},
		{a, "PUT", "/api/v1/users/" + id + "/roles/partner_agency", "", nil, 204},
		{a, "DELETE", "/api/v1/users/" + id + "/roles/partner_agency", "", nil, 204},
		{a, "DELETE", "/api/v1/users/" + id + "/roles/force_admin", "", nil, 400},
		{a, "PUT", "/api/v1/users/" + id + "/roles/chief_constable", "", nil, 400},
		{a, "PUT", "/api/v1/users/999999/password", `{"password":"` + oaPassword + `"}`, nil, 404},
		{a, "PUT", "/api/v1/users/" + id + "/password", `{"password":"short"}`, nil, 400},
		{a, "PUT", "/api/v1/me/password", `{"current_password":"wrong-password!","new_password":"a-brand-new-password"}`, nil, 400},
		{a, "GET", "/api/v1/tokens", "", nil, 200},
		{a, "POST", "/api/v1/tokens", `{"user_id":` + id + `,"name":"CAD link","expires_at":"2099-01-01T00:00:00Z"}`, nil, 201},
		{a, "POST", "/api/v1/tokens", `{"user_id":999999,"name":"nobody"}`, nil, 404},
		{a, "POST", "/api/v1/tokens", `{"user_id":` + id + `,"name":"   "}`, nil, 400},
		{a, "DELETE", "/api/v1/tokens/tok_missing", "", nil, 404},
		{a, "DELETE", "/api/v1/tokens/nope", "", nil, 400},
		{a, "POST", "/api/v1/log/notes", `{"text":"a note","subject":"unit/1","classification":"OFFICIAL-SENSITIVE"}`, nil, 201},
		{a, "POST", "/api/v1/log/notes", `{"text":"  "}`, nil, 400},
		{a, "GET", "/api/v1/log?after=0&limit=50", "", nil, 200},
		{a, "GET", "/api/v1/log?evil=1", "", nil, 400},
		{a, "GET", "/api/v1/audit?action=consultation&user=" + id + "&from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z&limit=5", "", why, 200},
		{a, "GET", "/api/v1/audit?from=yesterday", "", why, 400},
		{a, "GET", "/api/v1/verify", "", nil, 200},
		{a, "GET", "/api/v1/events", "", nil, 503},
		{a, "GET", "/api/v1/incidents", "", nil, 200},
		{a, "GET", "/api/v1/nowhere", "", nil, 404},
		{anon, "GET", "/nowhere", "", nil, 404},
		{a, "PATCH", "/api/v1/users", "", nil, 405},
		{a, "POST", "/api/v1/log/notes", `{"text":"from elsewhere"}`, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{a, "POST", "/api/v1/nowhere", `{}`, []string{"Origin", "https://evil.example"}, 404},
		{a, "HEAD", "/api/v1/me", "", nil, 200},
	}
	for _, c := range calls {
		if res := e.do(t, c.client, c.method, c.path, c.body, c.headers...); res.status != c.status {
			t.Errorf("%s %s: got %d, want %d: %s", c.method, c.path, res.status, c.status, res.body)
		}
	}

	// A token caller: me via token, no session to end, no own password.
	tok := e.bearer(t, e.admin.ID)
	for _, c := range []call{
		{tok, "GET", "/api/v1/me", "", nil, 200},
		{tok, "DELETE", "/api/v1/session", "", nil, 400},
		{tok, "PUT", "/api/v1/me/password", `{"current_password":"` + oaPassword + `","new_password":"another-long-password"}`, nil, 403},
	} {
		if res := e.do(t, c.client, c.method, c.path, c.body, c.headers...); res.status != c.status {
			t.Errorf("token %s %s: got %d, want %d: %s", c.method, c.path, res.status, c.status, res.body)
		}
	}

	// A role the table refuses.
	partner := &bluelamp.User{Username: "partner", DisplayName: "Partner", Roles: []bluelamp.Role{bluelamp.RolePartnerAgency}}
	if err := e.store.CreateUser(ctx, partner, ""); err != nil {
		t.Fatal(err)
	}
	p := e.bearer(t, partner.ID)
	for _, path := range []string{"/api/v1/stations", "/api/v1/verify"} {
		if res := e.do(t, p, "GET", path, ""); res.status != http.StatusForbidden {
			t.Errorf("partner GET %s: %d", path, res.status)
		}
	}
	if res := e.do(t, p, "POST", "/api/v1/log/notes", `{"text":"x"}`); res.status != http.StatusForbidden {
		t.Errorf("partner note: %d", res.status)
	}

	// Lock-out answers 423.
	locked := &bluelamp.User{Username: "lou", DisplayName: "Lou"}
	if err := e.store.CreateUser(ctx, locked, oaHash()); err != nil {
		t.Fatal(err)
	}
	var res oaResponse
	for range 5 {
		res = e.do(t, anon, "POST", "/api/v1/session", `{"username":"lou","password":"not-the-password"}`)
	}
	if res.status != http.StatusLocked {
		t.Errorf("5th failure: %d %s", res.status, res.body)
	}

	// The event stream, with a streamer that sends the log and then fails.
	e.srv.Stream = oaStreamer{e.store}
	res = e.do(t, a, "GET", "/api/v1/events?after=0", "")
	if res.status != http.StatusOK || !bytes.Contains(res.body, []byte("event: error\ndata: {\"code\":\"bus_lost\"}")) {
		t.Errorf("events: %d %s", res.status, res.body)
	}
	if res := e.do(t, a, "GET", "/api/v1/events", "", "Last-Event-ID", "12abc"); res.status != http.StatusBadRequest {
		t.Errorf("bad Last-Event-ID: %d", res.status)
	}

	// Readiness failing, and metrics enabled.
	e.srv.Ready = func(context.Context) error { return errors.New("database down") }
	e.srv.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		fmt.Fprintln(w, "# TYPE up gauge\nup 1")
	})
	if res := e.do(t, anon, "GET", "/readyz", ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz: %d", res.status)
	}
	if res := e.do(t, anon, "GET", "/metrics", ""); res.status != http.StatusOK {
		t.Errorf("metrics: %d", res.status)
	}

	// Changing one's own password and signing out end the session.
	jar, _ := cookiejar.New(nil)
	pat := &http.Client{Jar: jar}
	if res := e.do(t, pat, "POST", "/api/v1/session", `{"username":"PAT","password":"`+oaPassword+`"}`); res.status != http.StatusOK {
		t.Fatalf("pat sign in: %d %s", res.status, res.body)
	}
	if res := e.do(t, pat, "PUT", "/api/v1/me/password", `{"current_password":"`+oaPassword+`","new_password":"a-brand-new-password"}`); res.status != http.StatusNoContent {
		t.Errorf("change own password: %d %s", res.status, res.body)
	}
	if res := e.do(t, pat, "POST", "/api/v1/session", `{"username":"pat","password":"a-brand-new-password"}`); res.status != http.StatusOK {
		t.Fatalf("pat sign in again: %d %s", res.status, res.body)
	}
	if res := e.do(t, pat, "DELETE", "/api/v1/session", ""); res.status != http.StatusNoContent {
		t.Errorf("sign out: %d %s", res.status, res.body)
	}

	// Admin changes to another user, then disabling them.
	var created bluelamp.User
	res = e.do(t, a, "GET", "/api/v1/users?username=pat", "", why...)
	var page struct{ Users []bluelamp.User }
	if err := json.Unmarshal(res.body, &page); err != nil || len(page.Users) != 1 {
		t.Fatalf("find pat: %v %s", err, res.body)
	}
	created = page.Users[0]
	pid := fmt.Sprint(created.ID)
	for _, c := range []call{
		{a, "PUT", "/api/v1/users/" + pid + "/password", `{"password":"yet-another-password"}`, nil, 204},
		{a, "PUT", "/api/v1/users/" + pid + "/roles/analyst", "", nil, 204},
		{a, "DELETE", "/api/v1/users/" + pid + "/roles/analyst", "", nil, 204},
		{a, "POST", "/api/v1/users/" + pid + "/disable", "", nil, 204},
		{a, "POST", "/api/v1/users/" + pid + "/enable", "", nil, 204},
		{a, "DELETE", "/api/v1/session", "", nil, 204},
		{a, "GET", "/api/v1/me", "", nil, 401},
	} {
		if res := e.do(t, c.client, c.method, c.path, c.body, c.headers...); res.status != c.status {
			t.Errorf("%s %s: got %d, want %d: %s", c.method, c.path, res.status, c.status, res.body)
		}
	}
}

// TestOACheckFindsMismatches proves oaValidate fails when an exchange does
// not match the document, so its silence elsewhere means something.
func TestOACheckFindsMismatches(t *testing.T) {
	t.Parallel()
	e := oaNewEnv(t)
	req := func(method, path, body string, headers ...string) *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := httptest.NewRequest(method, e.ts.URL+path, rd)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		return r
	}
	hdr := func(pairs ...string) http.Header {
		h := http.Header{"X-Request-Id": {"abc123"}}
		for i := 0; i+1 < len(pairs); i += 2 {
			h.Set(pairs[i], pairs[i+1])
		}
		return h
	}
	jsonH := hdr("Content-Type", "application/json")
	problemH := hdr("Content-Type", "application/problem+json")
	cookie := []string{"Cookie", "bluelamp_session=bls_x"}
	problem := func(status int, code string) string {
		return fmt.Sprintf(`{"type":"urn:bluelamp:problem:%s","title":"%s","status":%d,"detail":"d","code":"%s","request_id":"abc123"}`,
			code, http.StatusText(status), status, code)
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
	}{
		{"UndocumentedField", req("GET", "/healthz", ""), 200, jsonH, `{"status":"ok","version":"1","uptime":5}`},
		{"MissingField", req("GET", "/healthz", ""), 200, jsonH, `{"status":"ok"}`},
		{"WrongType", req("GET", "/api/v1/force", "", cookie...), 200, jsonH, `{"id":"oa","name":7}`},
		{"UndocumentedStatus", req("GET", "/healthz", ""), 418, problemH, problem(418, "teapot")},
		{"UndocumentedContentType", req("GET", "/healthz", ""), 200, hdr("Content-Type", "text/html"), `<p>ok</p>`},
		{"NoRequestID", req("GET", "/healthz", ""), 200, http.Header{"Content-Type": {"application/json"}}, `{"status":"ok","version":""}`},
		{"ProblemUndocumentedField", req("GET", "/api/v1/me", ""), 401, hdr("Content-Type", "application/problem+json", "WWW-Authenticate", `Bearer realm="bluelamp"`),
			`{"type":"urn:bluelamp:problem:x","title":"t","status":401,"detail":"d","code":"x","stack":"main.go:1"}`},
		{"ProblemWrongStatus", req("GET", "/api/v1/me", ""), 401, hdr("Content-Type", "application/problem+json", "WWW-Authenticate", `Bearer realm="bluelamp"`), problem(400, "x")},
		{"ProblemAsJSON", req("GET", "/api/v1/users/1", "", cookie...), 404, jsonH, problem(404, "not_found")},
		{"NoWWWAuthenticate", req("GET", "/api/v1/me", ""), 401, problemH, problem(401, "sign_in_required")},
		{"InvalidRequestSucceeded", req("POST", "/api/v1/users", "", cookie...), 201, jsonH,
			`{"id":2,"force":"oa","username":"x","display_name":"X","roles":[],"disabled":false,"created_at":"2026-01-01T00:00:00Z"}`},
		{"NoCredentialsSucceeded", req("GET", "/api/v1/force", ""), 200, jsonH, `{"id":"oa","name":"F"}`},
		{"NoJustificationSucceeded", req("GET", "/api/v1/officers", "", cookie...), 200, jsonH, `{"officers":[]}`},
		{"UnknownPathSucceeded", req("GET", "/api/v1/nowhere", "", cookie...), 200, jsonH, `{}`},
		{"UnknownPathWrongCode", req("GET", "/api/v1/nowhere", "", cookie...), 404, problemH, problem(404, "not_found")},
		{"MethodNotAllowedNoAllow", req("PATCH", "/api/v1/users", "", cookie...), 405, problemH, problem(405, "method_not_allowed")},
		{"StreamWithoutReady", req("GET", "/api/v1/events", "", cookie...), 200, hdr("Content-Type", "text/event-stream"), "id: 1\ndata: {}\n\n"},
		{"StreamBadEvent", req("GET", "/api/v1/events", "", cookie...), 200, hdr("Content-Type", "text/event-stream"),
			"id: 0\nevent: ready\ndata: {\"head\":0}\n\nid: 1\ndata: {\"seq\":1}\n\n"},
		{"PlainText403NotCrossOrigin", req("POST", "/api/v1/log/notes", `{"text":"a"}`, cookie...), 403, hdr("Content-Type", "text/plain; charset=utf-8"), "no"},
		{"RedirectFromCleanPath", req("GET", "/api/v1/me", "", cookie...), 307, hdr("Location", "/elsewhere"), ""},
		{"MeSessionWithoutSession", req("GET", "/api/v1/me", "", cookie...), 200, jsonH,
			`{"user":{"id":1,"force":"oa","username":"admin","display_name":"A","roles":[],"disabled":false,"created_at":"2026-01-01T00:00:00Z"},"via":"session"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := oaValidate(tc.req, tc.status, tc.header, []byte(tc.body))
			if err == nil {
				t.Fatal("oaValidate found no mismatch")
			}
			t.Logf("found: %v", err)
		})
	}

	// The real server's answer to the same requests passes.
	if res := e.do(t, e.anon, "GET", "/healthz", ""); res.status != http.StatusOK {
		t.Errorf("healthz: %d", res.status)
	}
	if res := e.do(t, e.anon, "POST", "/api/v1/session", `{"username":"admin","password":"not-the-password"}`); res.status != http.StatusUnauthorized {
		t.Errorf("bad sign-in: %d", res.status)
	}
	if res := e.do(t, e.staff, "GET", "/api/v1/users/999", "", HeaderReason, "INCIDENT"); res.status != http.StatusNotFound {
		t.Errorf("missing user: %d", res.status)
	}
}

// checkSchemaMatchesType checks a request or response schema against its Go
// type: no other members, the same members, and (for what the server
// writes) required exactly the members always written; for what it reads,
// required only names members.
func checkSchemaMatchesType(t *testing.T, doc *openapi3.T, schema string, typ reflect.Type, written bool) {
	t.Helper()
	ref := doc.Components.Schemas[schema]
	if ref == nil {
		t.Fatalf("no schema %s", schema)
	}
	s := ref.Value
	if ap := s.AdditionalProperties.Has; ap == nil || *ap {
		t.Errorf("additionalProperties is not false")
	}
	fields := oaJSONFields(typ)
	if diff := cmp.Diff(slices.Sorted(maps.Keys(fields)), slices.Sorted(maps.Keys(s.Properties))); diff != "" {
		t.Errorf("properties differ from the Go type's JSON members (-Go +schema):\n%s", diff)
	}
	if !written {
		for _, r := range s.Required {
			if _, ok := fields[r]; !ok {
				t.Errorf("required %q is not a member", r)
			}
		}
		return
	}
	var always []string
	for name, omitempty := range fields {
		if !omitempty {
			always = append(always, name)
		}
	}
	slices.Sort(always)
	if diff := cmp.Diff(always, slices.Sorted(slices.Values(s.Required))); diff != "" {
		t.Errorf("required differs from the members always written (-Go +schema):\n%s", diff)
	}
}
