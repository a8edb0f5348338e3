package httpapi

import (
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

// contactCreateRequest is one call or message from the public, linked to
// an open incident (incident_id) or opening a new one (incident).
type contactCreateRequest struct {
	Channel    bluelamp.Channel     `json:"channel"`
	ReceivedAt *time.Time           `json:"received_at"` // when the call came in; now if absent
	Caller     bluelamp.Caller      `json:"caller"`
	Location   locationRequest      `json:"location"`
	Account    string               `json:"account"`
	IncidentID *bluelamp.IncidentID `json:"incident_id"`
	Incident   *incidentRequest     `json:"incident"`
}

// contactCreateResponse is what the call handler sees once the contact is
// recorded: its reference, the incident with its clocks, and incidents
// that may be the same one.
type contactCreateResponse struct {
	Contact    *bluelamp.Contact              `json:"contact"`
	Incident   *bluelamp.Incident             `json:"incident"`
	Duplicates []*bluelamp.DuplicateCandidate `json:"duplicates"`
}

func (s *Server) handleContactCreate(w http.ResponseWriter, r *http.Request) error {
	var req contactCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	c := &bluelamp.Contact{Channel: req.Channel, Caller: req.Caller, Location: req.Location.location("location.", fields), Account: req.Account}
	if req.ReceivedAt != nil {
		c.ReceivedAt = *req.ReceivedAt
	}
	var open *bluelamp.Incident
	switch {
	case req.IncidentID != nil && req.Incident != nil:
		fields["incident_id"] = "give incident_id to link an open incident or incident to open a new one, not both"
	case req.IncidentID != nil && *req.IncidentID <= 0:
		fields["incident_id"] = "must be an incident id"
	case req.IncidentID != nil:
		c.IncidentID = *req.IncidentID
	case req.Incident != nil:
		open = req.Incident.incident("incident.", fields)
	default:
		fields["incident"] = "give incident_id to link an open incident or incident to open a new one"
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	if err := s.Store.CreateContact(r.Context(), c, open); err != nil {
		return err
	}
	inc, err := s.Store.FindIncidentByID(r.Context(), c.IncidentID)
	if err != nil {
		return err
	}
	resp := contactCreateResponse{Contact: c, Incident: inc, Duplicates: []*bluelamp.DuplicateCandidate{}}
	if open != nil {
		ds, err := s.Store.FindDuplicates(r.Context(), inc)
		if err != nil {
			return err
		}
		resp.Duplicates = nonNilSlice(ds)
	}
	if err := s.withClocks(r.Context(), inc); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, resp)
}

// handleIncidentContacts lists an incident's contacts: callers' details
// are personal data, so it needs a justification and is audited.
func (s *Server) handleIncidentContacts(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	cs, err := s.Store.FindContacts(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"contacts": nonNilSlice(cs)})
}
