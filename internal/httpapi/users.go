package httpapi

import (
	"net/http"
	"strings"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

func (s *Server) handleUserList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	j, err := justification(r)
	if err != nil {
		return err
	}
	var f bluelamp.UserFilter
	if v := q.Get("username"); v != "" {
		f.Username = &v
	}
	if v := q.Get("role"); v != "" {
		role := bluelamp.Role(v)
		if !role.Valid() {
			return bluelamp.InvalidFields(map[string]string{"role": "unknown role " + v})
		}
		f.Role = &role
	}
	switch q.Get("disabled") {
	case "":
	case "true":
		f.Disabled = new(true)
	case "false":
		f.Disabled = new(false)
	default:
		return bluelamp.InvalidFields(map[string]string{"disabled": "must be true or false"})
	}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 1000); err != nil {
		return err
	}
	users, total, err := s.Store.FindUsers(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": nonNilSlice(users), "total": total})
}

type userCreateRequest struct {
	Username     string          `json:"username"`
	DisplayName  string          `json:"display_name"`
	Email        string          `json:"email"`
	CollarNumber string          `json:"collar_number"`
	Roles        []bluelamp.Role `json:"roles"`
	Password     string          `json:"password"` // empty for a user who signs in only through OIDC
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) error {
	var req userCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u := &bluelamp.User{Username: strings.ToLower(req.Username), DisplayName: req.DisplayName, Email: strings.ToLower(req.Email),
		CollarNumber: req.CollarNumber, Roles: req.Roles}
	if err := u.Validate(); err != nil {
		return err
	}
	var hash string
	if req.Password != "" {
		var err error
		if hash, err = auth.HashPassword(req.Password); err != nil {
			return err
		}
	}
	if err := s.Store.CreateUser(r.Context(), u, hash); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) handleUserGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.UserID](r, "id")
	if err != nil {
		return err
	}
	j, err := justification(r)
	if err != nil {
		return err
	}
	u, err := s.Store.FindUserByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// userChange runs a change on the user in the path and answers 204.
func (s *Server) userChange(w http.ResponseWriter, r *http.Request, change func(id bluelamp.UserID) error) error {
	id, err := pathID[bluelamp.UserID](r, "id")
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleUserDisable(w http.ResponseWriter, r *http.Request) error {
	return s.userChange(w, r, func(id bluelamp.UserID) error {
		if id == bluelamp.ActorFrom(r.Context()).UserID {
			return bluelamp.Errorf(bluelamp.KindInvalid, "you cannot disable your own account")
		}
		return s.Store.DisableUser(r.Context(), id)
	})
}

func (s *Server) handleUserEnable(w http.ResponseWriter, r *http.Request) error {
	return s.userChange(w, r, func(id bluelamp.UserID) error { return s.Store.EnableUser(r.Context(), id) })
}

type setPasswordRequest struct {
	Password string `json:"password"`
}

func (s *Server) handleUserPassword(w http.ResponseWriter, r *http.Request) error {
	var req setPasswordRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		return err
	}
	return s.userChange(w, r, func(id bluelamp.UserID) error { return s.Store.SetUserPassword(r.Context(), id, hash) })
}

func pathRole(r *http.Request) (bluelamp.Role, error) {
	role := bluelamp.Role(r.PathValue("role"))
	if !role.Valid() {
		return "", bluelamp.InvalidFields(map[string]string{"role": "unknown role " + string(role)})
	}
	return role, nil
}

func (s *Server) handleRoleGrant(w http.ResponseWriter, r *http.Request) error {
	role, err := pathRole(r)
	if err != nil {
		return err
	}
	return s.userChange(w, r, func(id bluelamp.UserID) error { return s.Store.GrantRole(r.Context(), id, role) })
}

func (s *Server) handleRoleRevoke(w http.ResponseWriter, r *http.Request) error {
	role, err := pathRole(r)
	if err != nil {
		return err
	}
	return s.userChange(w, r, func(id bluelamp.UserID) error {
		if id == bluelamp.ActorFrom(r.Context()).UserID && role == bluelamp.RoleForceAdmin {
			return bluelamp.Errorf(bluelamp.KindInvalid, "you cannot remove your own force admin role; ask another force admin")
		}
		return s.Store.RevokeRole(r.Context(), id, role)
	})
}
