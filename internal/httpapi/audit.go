package httpapi

import (
	"net/http"
	"strconv"

	"github.com/bluelamp/bluelamp"
)

// handleAudit lets an auditor query the s.62 audit trail by user, by data
// subject and by time. The query is itself audited.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	j, err := justification(r)
	if err != nil {
		return err
	}
	var f bluelamp.AuditFilter
	if v := q.Get("user"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return bluelamp.InvalidFields(map[string]string{"user": "must be a user id"})
		}
		f.ActorID = new(bluelamp.UserID(n))
	}
	if v := q.Get("subject"); v != "" {
		if len(v) > 200 {
			return bluelamp.InvalidFields(map[string]string{"subject": "must be at most 200 characters"})
		}
		f.Subject = &v
	}
	if v := q.Get("action"); v != "" {
		a := bluelamp.AuditAction(v)
		if !a.Valid() {
			return bluelamp.InvalidFields(map[string]string{"action": "must be one of collection, alteration, consultation, disclosure, combination, erasure"})
		}
		f.Action = &a
	}
	if f.From, err = queryTime(q, "from"); err != nil {
		return err
	}
	if f.To, err = queryTime(q, "to"); err != nil {
		return err
	}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 1000); err != nil {
		return err
	}
	records, total, err := s.Store.FindAuditRecords(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"records": nonNilSlice(records), "total": total})
}

// handleVerify checks the caller's force's event log and audit trail.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	reports, err := s.Store.VerifyChains(r.Context())
	if err != nil {
		return err
	}
	ok := true
	for _, rep := range reports {
		ok = ok && rep.OK()
	}
	return writeJSON(w, http.StatusOK, map[string]any{"ok": ok, "chains": reports})
}
