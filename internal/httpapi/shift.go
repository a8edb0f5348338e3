package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

// bookOnRequest books the signed-in officer on to a unit for the shift.
type bookOnRequest struct {
	UnitID   bluelamp.UnitID       `json:"unit_id"`
	CallSign *string               `json:"call_sign"`
	Crew     *[]string             `json:"crew"`
	Skills   *[]bluelamp.UnitSkill `json:"skills"`
}

func (s *Server) handleBookOn(w http.ResponseWriter, r *http.Request) error {
	var req bookOnRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.UnitID <= 0 {
		return bluelamp.InvalidFields(map[string]string{"unit_id": "is required: the unit you are booking on to"})
	}
	u, err := s.Store.BookOn(r.Context(), req.UnitID, bluelamp.UnitUpdate{CallSign: req.CallSign, Crew: req.Crew, Skills: req.Skills})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) handleBookOff(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Store.BookOff(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// myUnitResponse is what an officer's phone shows first: their unit and,
// when it has a job, the incident with its latest THRIVE and its log.
type myUnitResponse struct {
	Unit     *bluelamp.Unit       `json:"unit"`
	Incident *bluelamp.Incident   `json:"incident,omitempty"`
	Log      []*bluelamp.LogEntry `json:"log,omitempty"`
}

func (s *Server) handleMyUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Store.FindBooking(r.Context())
	if err != nil {
		return err
	}
	resp := myUnitResponse{Unit: u}
	if u.IncidentID != 0 {
		if resp.Incident, err = s.Store.FindIncidentByID(r.Context(), u.IncidentID); err != nil {
			return err
		}
		if resp.Log, err = s.Store.FindIncidentLog(r.Context(), u.IncidentID); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, resp)
}

// controlRoom are the roles that act on any unit and any incident; an
// officer without one acts only on the unit they are booked on to and its job.
var controlRoom = []bluelamp.Role{bluelamp.RoleCallHandler, bluelamp.RoleController, bluelamp.RoleSupervisor, bluelamp.RoleForceAdmin}

// checkOwnUnit refuses an officer acting on a unit they are not booked on to.
func (s *Server) checkOwnUnit(ctx context.Context, id bluelamp.UnitID) error {
	a := bluelamp.ActorFrom(ctx)
	if a == nil || a.Kind != bluelamp.ActorUser || a.HasRole(controlRoom...) {
		return nil
	}
	u, err := s.Store.FindBooking(ctx)
	if err != nil || u.ID != id {
		return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "not_your_unit",
			Message: "you can change only the unit you are booked on to; book on to it first"}
	}
	return nil
}

// checkOwnJob refuses an officer writing to an incident their unit is not
// assigned to.
func (s *Server) checkOwnJob(ctx context.Context, id bluelamp.IncidentID) error {
	a := bluelamp.ActorFrom(ctx)
	if a == nil || a.Kind != bluelamp.ActorUser || a.HasRole(controlRoom...) {
		return nil
	}
	u, err := s.Store.FindBooking(ctx)
	if err != nil {
		return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "not_your_job", Message: "book on to a unit before updating an incident"}
	}
	inc, err := s.Store.FindIncidentByID(ctx, id)
	if err != nil {
		return err
	}
	for _, as := range inc.Assignments {
		if as.UnitID == u.ID {
			return nil
		}
	}
	return &bluelamp.Error{Kind: bluelamp.KindForbidden, Code: "not_your_job",
		Message: "your unit " + u.CallSign + " is not assigned to incident " + inc.Number + "; ask the controller to assign you"}
}

// withTakenAt carries a device's time for an action, when it sent one.
func withTakenAt(ctx context.Context, at *time.Time) context.Context {
	if at == nil {
		return ctx
	}
	return bluelamp.WithTakenAt(ctx, *at)
}

// withUnit returns a copy of an officer's actor naming the unit they are
// booked on to, so the events about it reach them (Event.VisibleTo); other
// actors are returned as they are. A stream looks once, at its start: the
// officer's app reconnects when they book on to another unit.
func (s *Server) withUnit(ctx context.Context, a *bluelamp.Actor) *bluelamp.Actor {
	if a == nil || a.Kind != bluelamp.ActorUser || a.HasRole(controlRoom...) {
		return a
	}
	u, err := s.Store.FindBooking(ctx)
	if err != nil {
		return a
	}
	cp := *a
	cp.Unit = u.ID
	return &cp
}
