package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
)

func (s *Server) handleTokenList(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Store.FindTokens(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNilSlice(ts)})
}

type tokenCreateRequest struct {
	UserID    bluelamp.UserID `json:"user_id"`
	Name      string          `json:"name"`
	ExpiresAt *time.Time      `json:"expires_at"`
}

type tokenCreateResponse struct {
	*bluelamp.Token
	Secret string `json:"secret"` // shown once; bluelamp keeps only its hash
}

func (s *Server) handleTokenCreate(w http.ResponseWriter, r *http.Request) error {
	var req tokenCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.UserID <= 0 {
		return bluelamp.InvalidFields(map[string]string{"user_id": "is required"})
	}
	tk, secret := auth.NewToken(req.UserID, strings.TrimSpace(req.Name), req.ExpiresAt)
	if err := s.Store.CreateToken(r.Context(), tk); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenCreateResponse{Token: tk, Secret: secret})
}

func (s *Server) handleTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if !strings.HasPrefix(id, "tok_") || len(id) > 64 {
		return bluelamp.InvalidFields(map[string]string{"id": "must be a token id (tok_…)"})
	}
	if err := s.Store.RevokeToken(r.Context(), bluelamp.TokenID(id)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
