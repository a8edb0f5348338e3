package httpapi

import (
	"net/http"

	"github.com/bluelamp/bluelamp"
)

func (s *Server) handleForce(w http.ResponseWriter, r *http.Request) error {
	f, err := s.Store.FindForceByID(r.Context(), bluelamp.ActorFrom(r.Context()).ForceID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, f)
}

func (s *Server) handleReasonCodes(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"reason_codes": bluelamp.DefaultReasonCodes})
}

func (s *Server) handleStations(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Store.FindStations(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"stations": nonNilSlice(st)})
}

// handleOfficers lists officers: personal data, so it needs a justification.
func (s *Server) handleOfficers(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	os, err := s.Store.FindOfficers(r.Context(), j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"officers": nonNilSlice(os)})
}

// nonNilSlice makes an empty list encode as [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
