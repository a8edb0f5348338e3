package httpapi

import (
	"net/http"

	"github.com/bluelamp/bluelamp"
)

type majorDeclareRequest struct {
	Name   string `json:"name"` // e.g. "Operation Egdon"
	Reason string `json:"reason"`
}

// handleMajorDeclare declares the incident in the path a major incident
// (JESIP, DOMAIN 3.6).
func (s *Server) handleMajorDeclare(w http.ResponseWriter, r *http.Request) error {
	var req majorDeclareRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerIncident(w, r, http.StatusOK, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.DeclareMajorIncident(r.Context(), id, &bluelamp.MajorIncident{Name: req.Name, Reason: req.Reason})
	})
}

// handleMajorView returns a major incident with everything under it, each
// incident with its clocks.
func (s *Server) handleMajorView(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	v, err := s.Store.FindMajorIncident(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.withClocks(r.Context(), append([]*bluelamp.Incident{v.Incident}, v.Linked...)...); err != nil {
		return err
	}
	v.Linked, v.METHANE, v.Units = nonNilSlice(v.Linked), nonNilSlice(v.METHANE), nonNilSlice(v.Units)
	return writeJSON(w, http.StatusOK, v)
}

// methaneRequest is an M/ETHANE report as given from the scene; the store
// numbers and attributes it.
type methaneRequest struct {
	MajorIncident     bool                `json:"major_incident"`
	ExactLocation     string              `json:"exact_location"`
	TypeOfIncident    string              `json:"type_of_incident"`
	Hazards           string              `json:"hazards"`
	Access            string              `json:"access"`
	Casualties        bluelamp.Casualties `json:"casualties"`
	EmergencyServices string              `json:"emergency_services"`
}

func (s *Server) handleMETHANE(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	var req methaneRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	m := &bluelamp.METHANE{MajorIncident: req.MajorIncident, ExactLocation: req.ExactLocation, TypeOfIncident: req.TypeOfIncident,
		Hazards: req.Hazards, Access: req.Access, Casualties: req.Casualties, EmergencyServices: req.EmergencyServices}
	if err := s.Store.ReportMETHANE(r.Context(), id, m); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

type linkRequest struct {
	MajorID bluelamp.IncidentID `json:"major_id"`
}

// handleLink links the incident in the path to a declared major incident.
func (s *Server) handleLink(w http.ResponseWriter, r *http.Request) error {
	var req linkRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.MajorID <= 0 {
		return bluelamp.InvalidFields(map[string]string{"major_id": "is required: the id of a declared major incident"})
	}
	return s.answerIncident(w, r, http.StatusOK, func(id bluelamp.IncidentID) (*bluelamp.Incident, error) {
		return s.Store.LinkIncident(r.Context(), id, req.MajorID)
	})
}
