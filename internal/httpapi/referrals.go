package httpapi

import (
	"net/http"
	"strconv"

	"github.com/bluelamp/bluelamp"
)

func (s *Server) handleReferralTypes(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"referral_types": bluelamp.ReferralTypes})
}

func (s *Server) handlePartnerList(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.Store.FindPartners(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"partners": nonNilSlice(ps)})
}

// partnerRequest is a partner organisation as a force admin configures it.
type partnerRequest struct {
	Name          string                  `json:"name"`
	Accepts       []bluelamp.ReferralType `json:"accepts"`
	Email         string                  `json:"email"`
	WebhookURL    string                  `json:"webhook_url"`
	WebhookSecret string                  `json:"webhook_secret"`
	UserIDs       []bluelamp.UserID       `json:"user_ids"`
}

// partnerCreated is the one answer that shows a partner's webhook secret.
type partnerCreated struct {
	Partner       *bluelamp.Partner `json:"partner"`
	WebhookSecret string            `json:"webhook_secret,omitempty"`
}

func (s *Server) handlePartnerCreate(w http.ResponseWriter, r *http.Request) error {
	var req partnerRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	p := &bluelamp.Partner{Name: req.Name, Accepts: req.Accepts, Email: req.Email, WebhookURL: req.WebhookURL,
		Secret: req.WebhookSecret, UserIDs: req.UserIDs}
	if err := s.Store.CreatePartner(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, partnerCreated{Partner: p, WebhookSecret: p.Secret})
}

// referralRequest is a safeguarding referral as an officer makes it.
type referralRequest struct {
	Type       bluelamp.ReferralType `json:"type"`
	PartnerID  bluelamp.PartnerID    `json:"partner_id"`
	IncidentID *bluelamp.IncidentID  `json:"incident_id"`
	Consent    bluelamp.Consent      `json:"consent"`
	Fields     map[string]string     `json:"fields"`
}

func (s *Server) handleReferralCreate(w http.ResponseWriter, r *http.Request) error {
	var req referralRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ref := &bluelamp.Referral{Type: req.Type, PartnerID: req.PartnerID, Consent: req.Consent, Fields: req.Fields}
	if req.IncidentID != nil {
		if *req.IncidentID <= 0 {
			return bluelamp.InvalidFields(map[string]string{"incident_id": "must be an incident id"})
		}
		ref.IncidentID = *req.IncidentID
	}
	if ref.Fields == nil {
		ref.Fields = map[string]string{}
	}
	if err := s.Store.CreateReferral(r.Context(), ref); err != nil {
		return err
	}
	if s.Evidence.Notify != nil {
		s.Evidence.Notify()
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"referral": ref})
}

func (s *Server) handleReferralList(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f bluelamp.ReferralFilter
	if v := q.Get("incident_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return bluelamp.InvalidFields(map[string]string{"incident_id": "must be an incident id"})
		}
		f.IncidentID = new(bluelamp.IncidentID(id))
	}
	switch q.Get("mine") {
	case "", "false":
	case "true":
		f.ReferrerID = new(bluelamp.ActorFrom(r.Context()).UserID)
	default:
		return bluelamp.InvalidFields(map[string]string{"mine": "must be true or false"})
	}
	if f.Offset, err = queryInt(q, "offset", 0, 0, 1<<30); err != nil {
		return err
	}
	if f.Limit, err = queryInt(q, "limit", 100, 1, 1000); err != nil {
		return err
	}
	rs, total, err := s.Store.FindReferrals(r.Context(), f, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"referrals": nonNilSlice(rs), "total": total})
}

func (s *Server) handleReferralGet(w http.ResponseWriter, r *http.Request) error {
	j, err := justification(r)
	if err != nil {
		return err
	}
	id, err := pathID[bluelamp.ReferralID](r, "id")
	if err != nil {
		return err
	}
	ref, err := s.Store.FindReferralByID(r.Context(), id, j)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"referral": ref})
}

// ackRequest is a partner's acknowledgement of a referral.
type ackRequest struct {
	PartnerReference string             `json:"partner_reference"`
	RAG              bluelamp.RAGRating `json:"rag"`
	Outcome          string             `json:"outcome"`
}

// handleReferralAck records a partner's acknowledgement. It answers with
// the acknowledgement alone: reading the referral back is not part of it.
func (s *Server) handleReferralAck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[bluelamp.ReferralID](r, "id")
	if err != nil {
		return err
	}
	var req ackRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ref, err := s.Store.AcknowledgeReferral(r.Context(), id, &bluelamp.ReferralAck{PartnerReference: req.PartnerReference, RAG: req.RAG, Outcome: req.Outcome})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reference": ref.Reference, "acknowledgement": ref.Acknowledgement})
}
