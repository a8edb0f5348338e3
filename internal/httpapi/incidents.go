package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
)

// incidentRequest is an incident to open, as a contact or a request gives it.
type incidentRequest struct {
	Category       bluelamp.Category       `json:"category"`
	Qualifiers     []bluelamp.Qualifier    `json:"qualifiers"`
	Grade          bluelamp.Grade          `json:"grade"`
	Summary        string                  `json:"summary"`
	Classification bluelamp.Classification `json:"classification"`
	RequiredSkills []bluelamp.Skill        `json:"required_skills"`
	Location       *locationRequest        `json:"location"`
	THRIVE         *thriveRequest          `json:"thrive"`
}

// incident converts r, recording faults under prefix ("incident."). The
// THRIVE assessment is required: it is what the grade rests on (DOMAIN 2.3).
func (r *incidentRequest) incident(prefix string, fields map[string]string) *bluelamp.Incident {
	inc := &bluelamp.Incident{Category: r.Category, Qualifiers: r.Qualifiers, Grade: r.Grade, Summary: r.Summary,
		Classification: r.Classification, RequiredSkills: r.RequiredSkills, Location: r.Location.location(prefix+"location.", fields)}
	if r.THRIVE == nil {
		fields[prefix+"thrive"] = "is required: the THRIVE assessment the grade rests on"
	} else {
		inc.THRIVE = r.THRIVE.thrive()
	}
	return inc
}

// thriveRequest is a THRIVE assessment as given; the store numbers and
// attributes it.
type thriveRequest struct {
	Threat        bluelamp.Threat        `json:"threat"`
	Harm          bluelamp.Harm          `json:"harm"`
	Risk          bluelamp.Risk          `json:"risk"`
	Investigation bluelamp.Investigation `json:"investigation"`
	Vulnerability bluelamp.Vulnerability `json:"vulnerability"`
	Engagement    bluelamp.Engagement    `json:"engagement"`
	Prevention    string                 `json:"prevention"`
	Intervention  string                 `json:"intervention"`
	Grade         bluelamp.Grade         `json:"grade"`
	Rationale     string                 `json:"rationale"`
}

func (r *thriveRequest) thrive() *bluelamp.THRIVE {
	return &bluelamp.THRIVE{Threat: r.Threat, Harm: r.Harm, Risk: r.Risk, Investigation: r.Investigation, Vulnerability: r.Vulnerability,
		Engagement: r.Engagement, Prevention: r.Prevention, Intervention: r.Intervention, Grade: r.Grade, Rationale: r.Rationale}
}

// incidentCreateRequest opens an incident with no contact (officer
// generated, found on patrol, a partner's referral).
type incidentCreateRequest struct {
	Channel bluelamp.Channel `json:"channel"`
	incidentRequest
}

// withClocks fills the attendance clocks of incs under the force's grades.
// A closed incident's clocks are read at its closing, so one closed before
// any unit arrived does not go on counting down.
func (s *Server) withClocks(ctx context.Context, incs ...*bluelamp.Incident) error {
	fs, err := s.Store.FindForceSettings(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, inc := range incs {
		at := now
		if inc.ClosedAt != nil && inc.ClosedAt.Before(now) {
			at = *inc.ClosedAt
		}
		inc.Clocks = bluelamp.AttendanceClocks(inc, fs.Grade(inc.Grade), at)
	}
	return nil
}

// writeIncident answers with inc and its clocks.
func (s *Server) writeIncident(w http.ResponseWriter, r *http.Request, status int, inc *bluelamp.Incident) error {
	if err := s.withClocks(r.Context(), inc); err != nil {
		return err
	}
	return writeJSON(w, status, inc)
}

func (s *Server) handleIncidentCreate(w http.ResponseWriter, r *http.Request) error {
	var req incidentCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	inc := req.incident("", fields)
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	inc.Channel = req.Channel
	if err := s.Store.CreateIncident(r.Context(), inc); err != nil {
		return err
	}
	inc, err := s.Store.FindIncidentByID(r.Context(), inc.ID)
	if err != nil {
		return err
	}
	return s.writeIncident(w, r, http.StatusCreated, inc)
}

// handleIncidentList is the queue: incidents by grade, then oldest first.
func (s *Server) handleIncidentList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f bluelamp.IncidentFilter
	var err error
	if v := q.Get("status"); v != "" {
		st := bluelamp.IncidentStatus(v)
		if st != bluelamp.IncidentOpen && st != bluelamp.IncidentClosed {
			return bluelamp.InvalidFields(map[string]string{"status": "must be OPEN or CLOSED"})
		}
		f.Status = &st
	}
	if v := q.Get("grade"); v != "" {
		if g := bluelamp.Grade(v); g.Valid() {
			f.Grade = &g
		} else {
			return bluelamp.InvalidFields(map[string]string{"grade": "must be one of " + strings.Join(gradeNames(), ", ")})
		}
	}
	if v := q.Get("major_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return bluelamp.InvalidFields(map[string]string{"major_id": "must be an incident id"})
		}
		f.MajorID = new(bluelamp.IncidentID(n))
	}
	if f.Since, err = queryTime(q, "since"); err != nil {
		return err
	}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 10000); err != nil {
		return err
	}
	incs, total, err := s.Store.FindIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.withClocks(r.Context(), incs...); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"incidents": nonNilSlice(incs), "total": total})
}

func gradeNames() []string {
	out := make([]string, len(bluelamp.Grades))
	for i, g := range bluelamp.Grades {
		out[i] = string(g)
	}
	return out
}

// answerIncident runs do on the incident in the path (a read or a change)
// and answers with the incident it returns, with its clocks.
func (s *Server) answerIncident(w http.ResponseWriter, r *http.Request, status int, do func(id bluelamp.IncidentID) (*bluelamp.Incident, error)) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	inc, err := do(id)
	if err != nil {
		return err
	}
	return s.writeIncident(w, r, status, inc)
}

func (s *Server) handleIncidentGet(w http.ResponseWriter, r *http.Request) error {
	return s.answerIncident(w, r, http.StatusOK, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.FindIncidentByID(r.Context(), id)
	})
}

func (s *Server) handleIncidentLog(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	entries, err := s.Store.FindIncidentLog(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": nonNilSlice(entries)})
}

type logEntryRequest struct {
	Text     string     `json:"text"`
	Corrects *int64     `json:"corrects"` // the entry this one corrects
	TakenAt  *time.Time `json:"taken_at"` // when a phone with no signal wrote it
}

// handleIncidentLogAdd appends a note, or a correction of an earlier
// entry: the log is never edited.
func (s *Server) handleIncidentLogAdd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	var req logEntryRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var corrects int64
	if req.Corrects != nil {
		if corrects = *req.Corrects; corrects <= 0 {
			return bluelamp.InvalidFields(map[string]string{"corrects": "must be the id of an entry in this incident's log"})
		}
	}
	if err := s.checkOwnJob(r.Context(), id); err != nil {
		return err
	}
	e, err := s.Store.AddLogEntry(withTakenAt(r.Context(), req.TakenAt), id, req.Text, corrects)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

func (s *Server) handleAssessments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	ts, err := s.Store.FindAssessments(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"assessments": nonNilSlice(ts)})
}

// handleAssess records a re-THRIVE: a new version, the grade unchanged.
func (s *Server) handleAssess(w http.ResponseWriter, r *http.Request) error {
	var req thriveRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerIncident(w, r, http.StatusCreated, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.AssessIncident(r.Context(), id, req.thrive())
	})
}

type gradeRequest struct {
	Grade  bluelamp.Grade `json:"grade"`
	Reason string         `json:"reason"`
}

func (s *Server) handleGrade(w http.ResponseWriter, r *http.Request) error {
	var req gradeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerIncident(w, r, http.StatusOK, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.GradeIncident(r.Context(), id, req.Grade, req.Reason)
	})
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request) error {
	var req bluelamp.Closing
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerIncident(w, r, http.StatusOK, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.CloseIncident(r.Context(), id, &req)
	})
}

// handleIncidentDuplicates suggests incidents that may be the same as the
// one in the path.
func (s *Server) handleIncidentDuplicates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	inc, err := s.Store.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeDuplicates(w, r, inc)
}

// handleDuplicatePreview suggests incidents that may be the one a call
// handler is still taking: a category and a place, as a position or a grid
// reference.
func (s *Server) handleDuplicatePreview(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fields := map[string]string{}
	inc := &bluelamp.Incident{Category: bluelamp.Category(q.Get("category"))}
	if q.Has("lat") || q.Has("lon") {
		var p positionRequest
		for name, v := range map[string]**float64{"lat": &p.Lat, "lon": &p.Lon} {
			if n, err := strconv.ParseFloat(q.Get(name), 64); err == nil {
				*v = &n
			} else if q.Has(name) {
				fields[name] = "must be a number of degrees"
			}
		}
		if len(fields) > 0 {
			return bluelamp.InvalidFields(fields)
		}
		if q.Has("grid_ref") {
			fields["grid_ref"] = "give lat and lon, or grid_ref, not both"
		}
		inc.Location.Position = p.position("", fields)
	} else {
		inc.Location = (&locationRequest{GridRef: q.Get("grid_ref")}).location("", fields)
	}
	if !inc.Category.Valid() {
		fields["category"] = "must be an NSIR category code from GET /api/v1/codes"
	}
	if inc.Location.Position == nil && len(fields) == 0 {
		fields["lat"] = "give lat and lon, or grid_ref"
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	return s.writeDuplicates(w, r, inc)
}

func (s *Server) writeDuplicates(w http.ResponseWriter, r *http.Request, inc *bluelamp.Incident) error {
	ds, err := s.Store.FindDuplicates(r.Context(), inc)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"duplicates": nonNilSlice(ds)})
}
