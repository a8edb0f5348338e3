package httpapi

import (
	"errors"
	"maps"
	"net/http"
	"strings"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

// forceCreateRequest provisions a force: the force, its settings and its
// first user, its force admin.
type forceCreateRequest struct {
	ID   bluelamp.ForceID `json:"id"`
	Name string           `json:"name"`
	// Settings are laid over DefaultForceSettings: each member given
	// replaces the default's.
	Settings *bluelamp.ForceSettings `json:"settings"`
	Admin    forceAdminRequest       `json:"admin"`
}

// forceAdminRequest is a new force's first user.
type forceAdminRequest struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// forceCreateResponse is the force provisioned and its admin.
type forceCreateResponse struct {
	Force *bluelamp.Force `json:"force"`
	Admin *bluelamp.User  `json:"admin"`
}

// handleForceCreate provisions a force for the deployment's operator:
// every field is checked before anything is written, and then the force,
// its settings and its admin are created together or not at all.
func (s *Server) handleForceCreate(w http.ResponseWriter, r *http.Request) error {
	req := forceCreateRequest{Settings: bluelamp.DefaultForceSettings()}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Settings != nil {
		listsNotNull(req.Settings)
	}
	p := &bluelamp.ForceProvision{
		Force:    bluelamp.Force{ID: req.ID, Name: req.Name},
		Settings: req.Settings,
		Admin:    bluelamp.User{Username: strings.ToLower(req.Admin.Username), DisplayName: req.Admin.Name, Roles: []bluelamp.Role{bluelamp.RoleForceAdmin}},
	}
	fields := map[string]string{}
	if e, ok := errors.AsType[*bluelamp.Error](p.Validate()); ok {
		maps.Copy(fields, e.Fields)
	}
	if e, ok := errors.AsType[*bluelamp.Error](auth.CheckPassword(req.Admin.Password)); ok {
		fields["admin.password"] = e.Fields["password"]
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	var err error
	if p.PasswordHash, err = auth.HashPassword(req.Admin.Password); err != nil {
		return err
	}
	if err := s.Store.ProvisionForce(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, forceCreateResponse{Force: &p.Force, Admin: &p.Admin})
}

// handleForceList lists every force of the deployment, for its operator.
func (s *Server) handleForceList(w http.ResponseWriter, r *http.Request) error {
	forces, err := s.Store.FindForces(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"forces": nonNilSlice(forces)})
}

// stationCreateRequest is a new station; its position is required.
type stationCreateRequest struct {
	Code string   `json:"code"`
	Name string   `json:"name"`
	Lat  *float64 `json:"lat"`
	Lon  *float64 `json:"lon"`
}

// handleStationCreate adds a station to the caller's force.
func (s *Server) handleStationCreate(w http.ResponseWriter, r *http.Request) error {
	var req stationCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	st := &bluelamp.Station{Code: req.Code, Name: req.Name}
	if req.Lat != nil && req.Lon != nil {
		st.Lat, st.Lon = *req.Lat, *req.Lon
	}
	fields := map[string]string{}
	if e, ok := errors.AsType[*bluelamp.Error](st.Validate()); ok {
		maps.Copy(fields, e.Fields)
	}
	// Absent is not 0: a station off the coast of Africa helps no one.
	for name, v := range map[string]*float64{"lat": req.Lat, "lon": req.Lon} {
		if v == nil {
			fields[name] = "is required"
		}
	}
	if len(fields) > 0 {
		return bluelamp.InvalidFields(fields)
	}
	if err := s.Store.CreateStation(r.Context(), st); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, st)
}
