package httpapi

import (
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

type signInRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type sessionResponse struct {
	User      *bluelamp.User `json:"user"`
	SessionID string         `json:"session_id"`
	ExpiresAt time.Time      `json:"expires_at"`
}

// handleSignIn checks a password and sets the session cookie.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	var req signInRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return bluelamp.InvalidFields(map[string]string{"username": "and password are required"})
	}
	secret, sess, err := s.Auth.SignIn(r.Context(), req.Username, req.Password)
	if err != nil {
		return err
	}
	s.Auth.SetSessionCookie(w, secret, sess.ExpiresAt)
	actor := &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: sess.UserID, ForceID: sess.ForceID, SessionID: sess.ID}
	u, err := s.Store.FindSelf(bluelamp.NewContext(r.Context(), actor))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sessionResponse{User: u, SessionID: sess.ID, ExpiresAt: sess.ExpiresAt})
}

// handleSignOut ends the caller's session and clears the cookie.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	sess := sessionFrom(r.Context())
	if sess == nil {
		return bluelamp.Errorf(bluelamp.KindInvalid, "API tokens have no session to end; revoke the token instead")
	}
	if err := s.Store.EndSession(r.Context(), sess.ID); err != nil {
		return err
	}
	s.Auth.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meResponse struct {
	User    *bluelamp.User `json:"user"`
	Via     string         `json:"via"` // "session" or "token"
	Session *struct {
		ID        string    `json:"id"`
		Method    string    `json:"method"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"session,omitempty"`
}

// handleMe returns the caller's own user record.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Store.FindSelf(r.Context())
	if err != nil {
		return err
	}
	resp := meResponse{User: u, Via: "token"}
	if sess := sessionFrom(r.Context()); sess != nil {
		resp.Via = "session"
		resp.Session = &struct {
			ID        string    `json:"id"`
			Method    string    `json:"method"`
			ExpiresAt time.Time `json:"expires_at"`
		}{sess.ID, sess.Method, sess.ExpiresAt}
	}
	return writeJSON(w, http.StatusOK, resp)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// handleChangeOwnPassword changes the caller's password after checking the
// current one; every session of the user ends, this one included.
func (s *Server) handleChangeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	var req changePasswordRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	actor := bluelamp.ActorFrom(r.Context())
	if err := s.Auth.CheckOwnPassword(r.Context(), actor, req.CurrentPassword); err != nil {
		return err
	}
	hash, err := auth.HashPassword(req.NewPassword)
	if err != nil {
		return err
	}
	if err := s.Store.SetUserPassword(r.Context(), actor.UserID, hash); err != nil {
		return err
	}
	s.Auth.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
