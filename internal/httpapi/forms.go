package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// Officers' forms (issue 4): stop and search, crime reports, the pocket
// notebook and use of force. Each form is validated field by field, here
// for the request's shape and in the domain for its rules, so one answer
// names every fault.

// withFields merges the faults found decoding a request (a grid reference,
// say) with a domain validation error, so the caller hears of all at once.
func withFields(err error, fields map[string]string) error {
	if err == nil && len(fields) == 0 {
		return nil
	}
	e, ok := errors.AsType[*bluelamp.Error](err)
	if err != nil && (!ok || e.Kind != bluelamp.KindInvalid) {
		return err
	}
	all := maps.Clone(fields)
	if e != nil {
		maps.Copy(all, e.Fields)
	}
	return bluelamp.InvalidFields(all)
}

// decodeForm decodes a form request. The requests embed the domain's
// field groups, and encoding/json names a fault inside an embedded struct
// by the Go type's name ("StopSearchDetails.made_at_the_time"); the caller
// knows only the JSON members, so those names are dropped.
func decodeForm(r *http.Request, v any) error {
	err := decodeJSON(r, v)
	if e, ok := errors.AsType[*bluelamp.Error](err); ok && len(e.Fields) > 0 {
		fields := make(map[string]string, len(e.Fields))
		for k, msg := range e.Fields {
			parts := strings.Split(k, ".")
			for len(parts) > 1 && parts[0] != "" && parts[0][0] >= 'A' && parts[0][0] <= 'Z' {
				parts = parts[1:]
			}
			fields[strings.Join(parts, ".")] = msg
		}
		e.Fields = fields
	}
	return err
}

// formsList is a page of form summaries.
type formsList struct {
	Forms []*bluelamp.FormSummary `json:"forms"`
	Total int                     `json:"total"`
}

var formListQuery = []string{"officer", "incident_id", "offset", "limit"}

// formFilter reads a list's query: officer (a collar number), incident_id,
// offset and limit. With neither officer nor incident_id it lists the
// caller's own forms: "my recent forms".
func formFilter(r *http.Request, kind *bluelamp.FormKind) (bluelamp.FormFilter, error) {
	q := r.URL.Query()
	f := bluelamp.FormFilter{Kind: kind}
	if v := q.Get("kind"); v != "" {
		k := bluelamp.FormKind(v)
		if !k.Valid() {
			return f, bluelamp.InvalidFields(map[string]string{"kind": "must be one of STOP_SEARCH, CRIME_REPORT, NOTEBOOK_ENTRY, USE_OF_FORCE"})
		}
		f.Kind = &k
	}
	if v := q.Get("officer"); v != "" {
		c, err := collarNumber(v, "officer")
		if err != nil {
			return f, err
		}
		f.Collar = &c
	}
	if v := q.Get("incident_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, bluelamp.InvalidFields(map[string]string{"incident_id": "must be a positive whole number"})
		}
		f.IncidentID = new(bluelamp.IncidentID(n))
	}
	if f.Collar == nil && f.IncidentID == nil {
		f.OfficerID = new(bluelamp.ActorFrom(r.Context()).UserID)
	}
	var err error
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return f, err
	}
	if f.Limit, err = queryInt(q, "limit", 50, 1, 500); err != nil {
		return f, err
	}
	return f, nil
}

// handleFormList returns a handler listing forms of kind (nil for every
// kind, which then takes a kind parameter).
func (s *Server) handleFormList(kind bluelamp.FormKind) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		var k *bluelamp.FormKind
		if kind != "" {
			k = &kind
		}
		f, err := formFilter(r, k)
		if err != nil {
			return err
		}
		forms, total, err := s.Store.FindForms(r.Context(), f)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, formsList{Forms: nonNilSlice(forms), Total: total})
	}
}

// handleIncidentForms lists every form linked to an incident, newest first.
func (s *Server) handleIncidentForms(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := bluelamp.FormFilter{IncidentID: &id}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 500); err != nil {
		return err
	}
	forms, total, err := s.Store.FindForms(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, formsList{Forms: nonNilSlice(forms), Total: total})
}

var collarPathPattern = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)

// collarNumber reads a collar number from a parameter, in any case.
func collarNumber(v, name string) (string, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if !collarPathPattern.MatchString(v) {
		return "", bluelamp.InvalidFields(map[string]string{name: "must be a collar number: 1 to 10 letters and digits"})
	}
	return v, nil
}

// Stop and search.

type stopSearchRequest struct {
	bluelamp.FormHeader
	bluelamp.StopSearchDetails
	Location         *locationRequest `json:"location"`
	DetainedLocation *locationRequest `json:"detained_location"`
}

// stopSearchCreated is the recorded search and the receipt to give the
// person searched.
type stopSearchCreated struct {
	StopSearch *bluelamp.StopSearch        `json:"stop_search"`
	Receipt    *bluelamp.StopSearchReceipt `json:"receipt"`
}

func (s *Server) handleStopSearchCreate(w http.ResponseWriter, r *http.Request) error {
	var req stopSearchRequest
	if err := decodeForm(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	ss := &bluelamp.StopSearch{FormHeader: req.FormHeader, StopSearchDetails: req.StopSearchDetails, Location: req.Location.location("location.", fields)}
	if req.DetainedLocation != nil {
		ss.DetainedLocation = new(req.DetainedLocation.location("detained_location.", fields))
	}
	if err := withFields(ss.Validate(s.Now().UTC()), fields); err != nil {
		return err
	}
	if err := s.Store.CreateStopSearch(r.Context(), ss); err != nil {
		return err
	}
	force, err := s.Store.FindForceByID(r.Context(), ss.ForceID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, stopSearchCreated{StopSearch: ss, Receipt: ss.Receipt(force)})
}

func (s *Server) handleStopSearchGet(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.FormID](r, "id")
	if err != nil {
		return err
	}
	ss, err := s.Store.FindStopSearchByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ss)
}

// publicReference reads the path's stop-search reference as a person may
// have typed it. The public routes act as bluelamp's public service, which
// finds a receipt by its reference alone.
func publicReference(r *http.Request) (string, error) {
	ref, ok := bluelamp.ParseStopSearchReference(r.PathValue("reference"))
	if !ok {
		return "", bluelamp.InvalidFields(map[string]string{"reference": "must be a stop and search reference such as SS-7K3M-9QXD-2HFA"})
	}
	return ref, nil
}

func (s *Server) handleStopSearchReceipt(w http.ResponseWriter, r *http.Request) error {
	ref, err := publicReference(r)
	if err != nil {
		return err
	}
	receipt, err := s.Store.FindStopSearchReceipt(bluelamp.SystemContext(r.Context(), "", "public"), ref)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, receipt)
}

// recordRequest is the person searched asking for the full record.
type recordRequest struct {
	Name          string `json:"name"`
	Email         string `json:"email"`
	PostalAddress string `json:"postal_address"`
}

// recordRequested acknowledges a request for a stop-search record.
type recordRequested struct {
	Reference   string    `json:"reference"`
	RequestedAt time.Time `json:"requested_at"`
	Message     string    `json:"message"`
}

func (s *Server) handleStopSearchRecordRequest(w http.ResponseWriter, r *http.Request) error {
	ref, err := publicReference(r)
	if err != nil {
		return err
	}
	var req recordRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	rr := &bluelamp.StopSearchRecordRequest{Name: req.Name, Email: req.Email, PostalAddress: req.PostalAddress}
	if err := s.Store.RequestStopSearchRecord(bluelamp.SystemContext(r.Context(), "", "public"), ref, rr); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, recordRequested{Reference: ref, RequestedAt: rr.RequestedAt,
		Message: "Your request is recorded. The force will send the record of search " + ref + " to the address you gave."})
}

// Crime reports.

type crimeReportRequest struct {
	bluelamp.FormHeader
	bluelamp.CrimeReportDetails
	Location *locationRequest `json:"location"`
}

func (s *Server) handleCrimeReportCreate(w http.ResponseWriter, r *http.Request) error {
	var req crimeReportRequest
	if err := decodeForm(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	c := &bluelamp.CrimeReport{FormHeader: req.FormHeader, CrimeReportDetails: req.CrimeReportDetails, Location: req.Location.location("location.", fields)}
	if c.Flags == nil {
		c.Flags = []bluelamp.CrimeFlag{}
	}
	if c.Suspects == nil {
		c.Suspects = []bluelamp.PersonDetails{}
	}
	if err := withFields(c.Validate(s.Now().UTC()), fields); err != nil {
		return err
	}
	if err := s.Store.CreateCrimeReport(r.Context(), c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) handleCrimeReportGet(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.FormID](r, "id")
	if err != nil {
		return err
	}
	c, err := s.Store.FindCrimeReportByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// awaitingDecision is a crime report awaiting its recording decision, with
// the time left until it is due (negative once overdue).
type awaitingDecision struct {
	*bluelamp.FormSummary
	RemainingSeconds int64 `json:"remaining_seconds"`
	Overdue          bool  `json:"overdue"`
}

func (s *Server) handleCrimeAwaitingDecision(w http.ResponseWriter, r *http.Request) error {
	forms, err := s.Store.FindCrimeReportsAwaitingDecision(r.Context())
	if err != nil {
		return err
	}
	now := s.Now()
	out := make([]awaitingDecision, len(forms))
	for i, f := range forms {
		left := f.DecisionDue.Sub(now)
		out[i] = awaitingDecision{FormSummary: f, RemainingSeconds: int64(left / time.Second), Overdue: left < 0}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reports": out, "now": now.UTC()})
}

type crimeDecisionRequest struct {
	Decision      bluelamp.CrimeDecisionKind `json:"decision"`
	Offence       bluelamp.Offence           `json:"offence"`
	Reason        string                     `json:"reason"`
	TransferredTo string                     `json:"transferred_to"`
}

func (s *Server) handleCrimeDecision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.FormID](r, "id")
	if err != nil {
		return err
	}
	var req crimeDecisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d := &bluelamp.CrimeDecision{Decision: req.Decision, Offence: req.Offence, Reason: req.Reason, TransferredTo: req.TransferredTo}
	if err := s.Store.DecideCrimeReport(r.Context(), id, d); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

type crimeOutcomeRequest struct {
	Type int    `json:"type"`
	Note string `json:"note"`
}

func (s *Server) handleCrimeOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.FormID](r, "id")
	if err != nil {
		return err
	}
	var req crimeOutcomeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	o := &bluelamp.CrimeOutcome{Type: req.Type, Note: req.Note}
	if err := s.Store.RecordCrimeOutcome(r.Context(), id, o); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

// Use of force.

type useOfForceRequest struct {
	bluelamp.FormHeader
	bluelamp.UseOfForceDetails
	Location *locationRequest `json:"location"`
}

func (s *Server) handleUseOfForceCreate(w http.ResponseWriter, r *http.Request) error {
	var req useOfForceRequest
	if err := decodeForm(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	u := &bluelamp.UseOfForce{FormHeader: req.FormHeader, UseOfForceDetails: req.UseOfForceDetails, Location: req.Location.location("location.", fields)}
	if u.ImpactFactors == nil {
		u.ImpactFactors = []string{}
	}
	if err := withFields(u.Validate(s.Now().UTC()), fields); err != nil {
		return err
	}
	if err := s.Store.CreateUseOfForce(r.Context(), u); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) handleUseOfForceGet(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.FormID](r, "id")
	if err != nil {
		return err
	}
	u, err := s.Store.FindUseOfForceByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// The pocket notebook.

type notebookEntryRequest struct {
	bluelamp.FormHeader
	Text     string `json:"text"`
	Corrects int64  `json:"corrects"`
}

func (s *Server) handleNotebookAdd(w http.ResponseWriter, r *http.Request) error {
	var req notebookEntryRequest
	if err := decodeForm(r, &req); err != nil {
		return err
	}
	e := &bluelamp.NotebookEntry{FormHeader: req.FormHeader, Text: req.Text, Corrects: req.Corrects}
	if err := s.Store.CreateNotebookEntry(r.Context(), e); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

// notebookRange reads from and to (entry numbers) and, for lists, limit.
func notebookRange(q url.Values, withLimit bool) (bluelamp.NotebookFilter, error) {
	var f bluelamp.NotebookFilter
	from, err := queryInt(q, "from", 0, 1, 1<<30)
	if err != nil {
		return f, err
	}
	to, err := queryInt(q, "to", 0, 1, 1<<30)
	if err != nil {
		return f, err
	}
	if to != 0 && to < from {
		return f, bluelamp.InvalidFields(map[string]string{"to": "must not be before from"})
	}
	f.From, f.To = int64(from), int64(to)
	if withLimit {
		if f.Limit, err = queryInt(q, "limit", 100, 1, 1000); err != nil {
			return f, err
		}
	}
	return f, nil
}

// handleNotebook lists the signed-in officer's own entries, newest first.
// Reading one's own notebook needs no justification; it is audited.
func (s *Server) handleNotebook(w http.ResponseWriter, r *http.Request) error {
	f, err := notebookRange(r.URL.Query(), true)
	if err != nil {
		return err
	}
	n, err := s.Store.FindNotebook(r.Context(), f, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// entryNumber reads the path's entry number.
func entryNumber(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		return 0, bluelamp.InvalidFields(map[string]string{"number": "must be an entry number: a positive whole number"})
	}
	return n, nil
}

// handleNotebookEntry returns one of the officer's own entries, with its
// corrections and reviews.
func (s *Server) handleNotebookEntry(w http.ResponseWriter, r *http.Request) error {
	n, err := entryNumber(r)
	if err != nil {
		return err
	}
	nb, err := s.Store.FindNotebook(r.Context(), bluelamp.NotebookFilter{From: n, To: n, Limit: 1}, nil)
	if err != nil {
		return err
	}
	if len(nb.Entries) == 0 {
		return &bluelamp.Error{Kind: bluelamp.KindNotFound, Message: "your notebook has no entry " + strconv.FormatInt(n, 10),
			Fields: map[string]string{"number": "no such entry"}}
	}
	return writeJSON(w, http.StatusOK, nb)
}

// handleNotebookChange answers every attempt to edit or delete an entry:
// the pocket notebook is never changed (DOMAIN 4.2).
func (s *Server) handleNotebookChange(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Allow", "GET")
	return &bluelamp.Error{Kind: bluelamp.KindInvalid, Code: codeMethodNotAllowed,
		Message: "notebook entries cannot be changed or deleted, only corrected: POST /api/v1/notebook a new entry with corrects set to the entry's number"}
}

type notebookReviewRequest struct {
	CollarNumber string `json:"collar_number"`
	To           int64  `json:"to"`
	Comment      string `json:"comment"`
}

// handleNotebookReview records a supervisor's review of entries number to
// to (or just number) of the officer with collar_number.
func (s *Server) handleNotebookReview(w http.ResponseWriter, r *http.Request) error {
	n, err := entryNumber(r)
	if err != nil {
		return err
	}
	var req notebookReviewRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	rv := &bluelamp.NotebookReview{CollarNumber: strings.ToUpper(strings.TrimSpace(req.CollarNumber)), From: n, To: req.To, Comment: req.Comment}
	if err := s.Store.ReviewNotebook(r.Context(), rv); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rv)
}

// handleOfficerNotebook reads another officer's notebook, by collar number,
// with a justification.
func (s *Server) handleOfficerNotebook(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	collar, err := collarNumber(r.PathValue("collar"), "collar")
	if err != nil {
		return err
	}
	f, err := notebookRange(r.URL.Query(), true)
	if err != nil {
		return err
	}
	f.Collar = &collar
	n, err := s.Store.FindNotebook(r.Context(), f, &j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, n)
}

// Codes.

// outcomeTypeInfo is one Home Office outcome type.
type outcomeTypeInfo struct {
	Type  int    `json:"type"`
	Label string `json:"label"`
}

// formCodes is every code the forms take, for the officer app's pickers.
type formCodes struct {
	SearchTypes               []bluelamp.SearchType        `json:"search_types"`
	SelfDefinedEthnicities    []bluelamp.CodeInfo          `json:"self_defined_ethnicities"`
	OfficerDefinedEthnicities []bluelamp.CodeInfo          `json:"officer_defined_ethnicities"`
	Genders                   []string                     `json:"genders"`
	AgeRanges                 []string                     `json:"age_ranges"`
	Legislation               []bluelamp.LegislationInfo   `json:"legislation"`
	ObjectsOfSearch           []string                     `json:"objects_of_search"`
	SearchOutcomes            []bluelamp.SearchOutcome     `json:"search_outcomes"`
	Offences                  []bluelamp.OffenceInfo       `json:"offences"`
	CrimeFlags                []bluelamp.CrimeFlag         `json:"crime_flags"`
	HateStrands               []string                     `json:"hate_strands"`
	CrimeDecisions            []bluelamp.CrimeDecisionKind `json:"crime_decisions"`
	OutcomeTypes              []outcomeTypeInfo            `json:"outcome_types"`
	UseOfForceLocationTypes   []bluelamp.CodeInfo          `json:"use_of_force_location_types"`
	BodyWornVideo             []bluelamp.CodeInfo          `json:"body_worn_video"`
	UseOfForceAgeBands        []bluelamp.CodeInfo          `json:"use_of_force_age_bands"`
	UseOfForceGenders         []bluelamp.CodeInfo          `json:"use_of_force_genders"`
	Tactics                   []bluelamp.CodeInfo          `json:"tactics"`
	ImpactFactors             []bluelamp.CodeInfo          `json:"impact_factors"`
	UseOfForceReasons         []bluelamp.CodeInfo          `json:"use_of_force_reasons"`
	UseOfForceOutcomes        []bluelamp.CodeInfo          `json:"use_of_force_outcomes"`
	InjuryLevels              []bluelamp.CodeInfo          `json:"injury_levels"`
	MaxClockSkewSeconds       int                          `json:"max_clock_skew_seconds"`
	MaxFormAgeDays            int                          `json:"max_form_age_days"`
}

func (s *Server) handleFormCodes(w http.ResponseWriter, r *http.Request) error {
	outcomes := make([]outcomeTypeInfo, 0, len(bluelamp.OutcomeTypes)-1)
	for i, label := range bluelamp.OutcomeTypes[1:] {
		outcomes = append(outcomes, outcomeTypeInfo{Type: i + 1, Label: label})
	}
	return writeJSON(w, http.StatusOK, formCodes{
		SearchTypes: bluelamp.SearchTypes, SelfDefinedEthnicities: bluelamp.SelfDefinedEthnicities,
		OfficerDefinedEthnicities: bluelamp.OfficerDefinedEthnicities, Genders: bluelamp.Genders, AgeRanges: bluelamp.AgeRanges,
		Legislation: bluelamp.Legislations, ObjectsOfSearch: bluelamp.ObjectsOfSearch, SearchOutcomes: bluelamp.SearchOutcomes,
		Offences: bluelamp.Offences, CrimeFlags: bluelamp.CrimeFlags, HateStrands: bluelamp.HateStrands,
		CrimeDecisions: bluelamp.CrimeDecisionKinds, OutcomeTypes: outcomes,
		UseOfForceLocationTypes: bluelamp.UseOfForceLocationTypes, BodyWornVideo: bluelamp.BodyWornVideoStates,
		UseOfForceAgeBands: bluelamp.UseOfForceAgeBands, UseOfForceGenders: bluelamp.UseOfForceGenders, Tactics: bluelamp.Tactics,
		ImpactFactors: bluelamp.ImpactFactors, UseOfForceReasons: bluelamp.UseOfForceReasons, UseOfForceOutcomes: bluelamp.UseOfForceOutcomes,
		InjuryLevels: bluelamp.InjuryLevels, MaxClockSkewSeconds: int(bluelamp.MaxClockSkew / time.Second),
		MaxFormAgeDays: int(bluelamp.MaxFormAge / (24 * time.Hour)),
	})
}
