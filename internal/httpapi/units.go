package httpapi

import (
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

func (s *Server) handleUnits(w http.ResponseWriter, r *http.Request) error {
	us, err := s.Store.FindUnits(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"units": nonNilSlice(us)})
}

// answerUnit runs do on the unit in the path (a read or a change) and
// answers with the unit it returns.
func (s *Server) answerUnit(w http.ResponseWriter, r *http.Request, do func(id bluelamp.UnitID) (*bluelamp.Unit, error)) error {
	id, err := pathID[bluelamp.UnitID](r, "id")
	if err != nil {
		return err
	}
	u, err := do(id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) handleUnitGet(w http.ResponseWriter, r *http.Request) error {
	return s.answerUnit(w, r, func(id bluelamp.UnitID) (*bluelamp.Unit, error) { return s.Store.FindUnitByID(r.Context(), id) })
}

// unitUpdateRequest changes a unit's shift details; absent fields stay.
type unitUpdateRequest struct {
	CallSign *string               `json:"call_sign"`
	Crew     *[]string             `json:"crew"`
	Skills   *[]bluelamp.UnitSkill `json:"skills"`
	DeviceID *string               `json:"device_id"`
}

func (s *Server) handleUnitUpdate(w http.ResponseWriter, r *http.Request) error {
	var req unitUpdateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerUnit(w, r, func(id bluelamp.UnitID) (*bluelamp.Unit, error) {
		return s.Store.UpdateUnit(r.Context(), id, bluelamp.UnitUpdate{CallSign: req.CallSign, Crew: req.Crew, Skills: req.Skills, DeviceID: req.DeviceID})
	})
}

type unitStatusRequest struct {
	Code string `json:"code"` // a radio status code from the force's table
	// TakenAt is when a phone that had no signal took the status; it
	// times the unit's arrival, and the log shows it beside the time it came.
	TakenAt *time.Time `json:"taken_at"`
}

// handleUnitStatus records a radio status code: a change of state, or a
// message such as "call back" logged on the unit's job.
func (s *Server) handleUnitStatus(w http.ResponseWriter, r *http.Request) error {
	var req unitStatusRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.answerUnit(w, r, func(id bluelamp.UnitID) (*bluelamp.Unit, error) {
		if err := s.checkOwnUnit(r.Context(), id); err != nil {
			return nil, err
		}
		return s.Store.SetUnitStatus(withTakenAt(r.Context(), req.TakenAt), id, req.Code)
	})
}

func (s *Server) handleUnitPosition(w http.ResponseWriter, r *http.Request) error {
	var req positionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	p := req.position("", fields)
	if p == nil {
		return bluelamp.InvalidFields(fields)
	}
	return s.answerUnit(w, r, func(id bluelamp.UnitID) (*bluelamp.Unit, error) {
		if err := s.checkOwnUnit(r.Context(), id); err != nil {
			return nil, err
		}
		return s.Store.SetUnitPosition(r.Context(), id, *p)
	})
}
