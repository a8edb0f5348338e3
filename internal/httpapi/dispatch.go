package httpapi

import (
	"net/http"

	"github.com/bluelamp/bluelamp"
)

// handleRecommendations lists the units the dispatch index recommends for
// the incident in the path, best first.
func (s *Server) handleRecommendations(w http.ResponseWriter, r *http.Request) error {
	if s.Dispatch == nil {
		return &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "recommendations_unavailable", Message: "recommendations are unavailable"}
	}
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r.URL.Query(), "limit", 10, 1, 100)
	if err != nil {
		return err
	}
	inc, err := s.Store.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	recs, err := s.Dispatch.Recommend(r.Context(), inc, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"recommendations": nonNilSlice(recs)})
}

type assignRequest struct {
	UnitID bluelamp.UnitID `json:"unit_id"`
	Divert bool            `json:"divert"` // take a committed unit from a less urgent job
}

// handleAssign sends a unit to the incident in the path. Of two
// controllers sending the same unit at once, one wins and the other gets
// 409 saying where the unit went.
func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	var req assignRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.UnitID <= 0 {
		return bluelamp.InvalidFields(map[string]string{"unit_id": "is required: the id of the unit to send"})
	}
	a, err := s.Store.AssignUnit(r.Context(), id, req.UnitID, req.Divert)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a)
}

type standDownRequest struct {
	Reason string `json:"reason"`
}

// handleStandDown releases a unit from the incident in the path.
func (s *Server) handleStandDown(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.IncidentID](r, "id")
	if err != nil {
		return err
	}
	unit, err := pathID[bluelamp.UnitID](r, "unit_id")
	if err != nil {
		return err
	}
	var req standDownRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.Store.StandDownUnit(r.Context(), id, unit, req.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
