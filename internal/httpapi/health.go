package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/bluelamp/bluelamp"
)

//go:embed openapi.json
var openAPIDoc []byte

// OpenAPIDocument returns the embedded OpenAPI 3.1 document.
func OpenAPIDocument() []byte { return openAPIDoc }

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openAPIDoc)
	return err
}

// handleHealth says the process is alive; it checks nothing else, so an
// orchestrator does not restart a node whose database is briefly away.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

// handleReady says whether this node can serve: the database answers and the
// bus is connected.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			if bluelamp.KindOf(err) != bluelamp.KindUnavailable {
				err = &bluelamp.Error{Kind: bluelamp.KindUnavailable, Code: "not_ready", Message: "not ready", Err: err}
			}
			return err
		}
	}
	out := map[string]string{"status": "ready"}
	// Which engine answers, for load tools and operators comparing runs.
	if e, ok := s.Store.(interface{ Engine() string }); ok {
		out["database"] = e.Engine()
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.Metrics == nil {
		return bluelamp.Errorf(bluelamp.KindNotFound, "metrics are not enabled")
	}
	s.Metrics.ServeHTTP(w, r)
	return nil
}
