package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/referral"
)

// referralEnv is an evidence env with a webhook receiver that checks the
// signature and a partner user.
type referralEnv struct {
	*evidenceEnv
	hook     *httptest.Server
	received atomic.Int64
	secret   string
	liaison  *client // partner_agency, acts for the MASH
	stranger *client // partner_agency, acts for no partner
	mash     *bluelamp.Partner
}

func newReferralEnv(t *testing.T) *referralEnv {
	t.Helper()
	e := &referralEnv{evidenceEnv: newEvidenceEnv(t)}
	e.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := referral.Verify([]byte(e.secret), r.Header, body, time.Now(), time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		e.received.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"partner_reference":"MASH-7"}`)
	}))
	t.Cleanup(e.hook.Close)
	liaison := e.mustCreateUser("alpha", "liaison", bluelamp.RolePartnerAgency)
	e.mustCreateUser("alpha", "stranger", bluelamp.RolePartnerAgency)
	e.liaison, e.stranger = e.signIn("liaison"), e.signIn("stranger")
	res := e.admin.do("POST", "/api/v1/partners", map[string]any{"name": "Wessex MASH", "accepts": []string{"DOMESTIC_ABUSE", "CHILD_AT_RISK"},
		"email": "mash@wessex.example", "webhook_url": e.hook.URL + "/referrals", "user_ids": []bluelamp.UserID{liaison.ID}})
	var created partnerCreated
	res.decode(t, &created)
	if res.status != http.StatusCreated || len(created.WebhookSecret) != 64 || created.Partner.ID == 0 {
		t.Fatalf("create partner: %d %s", res.status, res.body)
	}
	e.secret, e.mash = created.WebhookSecret, created.Partner
	return e
}

func referralBody(partner bluelamp.PartnerID, inc bluelamp.IncidentID) map[string]any {
	b := map[string]any{"type": "DOMESTIC_ABUSE", "partner_id": partner,
		"consent": map[string]any{"status": "NOT_SOUGHT", "override_reason": "asking would alert the person causing harm"},
		"fields": map[string]string{"subject_name": "Bathsheba Everdene", "subject_address": "Weatherbury Farm", "dash_risk": "HIGH",
			"children_present": "no", "concern": "threats to kill", "officer_risk_view": "HIGH"}}
	if inc != 0 {
		b["incident_id"] = inc
	}
	return b
}

func (e *referralEnv) mustRefer(c *client, body map[string]any) *bluelamp.Referral {
	e.t.Helper()
	res := c.do("POST", "/api/v1/referrals", body)
	var out struct{ Referral *bluelamp.Referral }
	res.decode(e.t, &out)
	if res.status != http.StatusCreated {
		e.t.Fatalf("refer: %d %s", res.status, res.body)
	}
	return out.Referral
}

func TestReferralFlow(t *testing.T) {
	t.Parallel()
	e := newReferralEnv(t)
	r := e.mustRefer(e.oak, referralBody(e.mash.ID, e.incident))
	if r.Status != bluelamp.DeliveryPending || len(r.Deliveries) != 2 || r.ReferredBy != "1041" || r.Partner != "Wessex MASH" || e.notified.Load() != 1 {
		t.Fatalf("referral = %+v, deliverer woken %d times", r, e.notified.Load())
	}

	// The deliverer sends it: the webhook takes it; email has no server here.
	d := referral.NewDeliverer(e.store)
	d.Logger = slog.New(slog.DiscardHandler)
	if _, err := d.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if e.received.Load() != 1 {
		t.Fatalf("the webhook received %d deliveries", e.received.Load())
	}
	path := fmt.Sprintf("/api/v1/referrals/%d", r.ID)
	res := e.oak.do("GET", path, nil, HeaderReason, "SAFEGUARDING")
	var got struct{ Referral bluelamp.Referral }
	res.decode(t, &got)
	email, hook := got.Referral.Deliveries[0], got.Referral.Deliveries[1]
	if res.status != http.StatusOK || hook.Method != bluelamp.DeliverByWebhook || hook.Status != bluelamp.DeliveryDelivered || len(hook.Attempts) != 1 ||
		email.Status != bluelamp.DeliveryRetrying || email.Attempts[0].Error != "no SMTP server is configured (--smtp-addr)" ||
		got.Referral.Status != bluelamp.DeliveryRetrying || got.Referral.Acknowledgement.PartnerReference != "MASH-7" {
		t.Fatalf("GET referral: %d %s", res.status, res.body)
	}
	wantProblem(t, e.oak.do("GET", path, nil), http.StatusBadRequest, "justification_required", "")
	wantProblem(t, e.bravo.do("GET", path, nil, HeaderReason, "SAFEGUARDING"), http.StatusNotFound, "not_found", "")
	wantProblem(t, e.ctl.do("GET", path, nil, HeaderReason, "SAFEGUARDING"), http.StatusForbidden, "role_required", "")

	// The partner acknowledges with a RAG rating and outcome; the answer
	// is the acknowledgement, never the referral's details.
	ackPath := path + "/acknowledgement"
	res = e.liaison.do("POST", ackPath, map[string]any{"partner_reference": "MASH-7", "rag": "RED", "outcome": "MARAC referral made"})
	if res.status != http.StatusOK || strings.Contains(string(res.body), "Bathsheba") {
		t.Fatalf("acknowledge: %d %s", res.status, res.body)
	}
	var ack struct{ Acknowledgement bluelamp.ReferralAck }
	res.decode(t, &ack)
	if ack.Acknowledgement.RAG != bluelamp.RAGRed || ack.Acknowledgement.Via != "api" || ack.Acknowledgement.By != "liaison" {
		t.Fatalf("acknowledgement = %+v", ack.Acknowledgement)
	}
	wantProblem(t, e.stranger.do("POST", ackPath, map[string]any{"rag": "GREEN"}), http.StatusNotFound, "not_found", "")
	wantProblem(t, e.oak.do("POST", ackPath, map[string]any{"rag": "GREEN"}), http.StatusForbidden, "role_required", "")
	wantProblem(t, e.liaison.do("POST", ackPath, map[string]any{"rag": "PURPLE"}), http.StatusBadRequest, "invalid_fields", "rag")
	wantProblem(t, e.liaison.do("POST", ackPath, map[string]any{"reference": "x"}), http.StatusBadRequest, "unknown_field", "reference")
	wantProblem(t, e.liaison.do("POST", "/api/v1/referrals/0/acknowledgement", map[string]any{}), http.StatusBadRequest, "invalid_fields", "id")
	wantProblem(t, e.liaison.do("GET", path, nil, HeaderReason, "SAFEGUARDING"), http.StatusForbidden, "role_required", "")

	// Lists: mine, per incident.
	e.mustRefer(e.day, referralBody(e.mash.ID, 0))
	var list struct {
		Referrals []*bluelamp.Referral
		Total     int
	}
	e.oak.do("GET", "/api/v1/referrals?mine=true", nil, HeaderReason, "SAFEGUARDING").decode(t, &list)
	if list.Total != 1 || list.Referrals[0].ID != r.ID {
		t.Fatalf("mine = %+v", list)
	}
	e.oak.do("GET", fmt.Sprintf("/api/v1/referrals?incident_id=%d", e.incident), nil, HeaderReason, "SAFEGUARDING").decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("the incident's = %+v", list)
	}
	e.oak.do("GET", "/api/v1/referrals?limit=1&offset=1", nil, HeaderReason, "SAFEGUARDING").decode(t, &list)
	if list.Total != 2 || len(list.Referrals) != 1 {
		t.Fatalf("page 2 = %+v", list)
	}
	wantProblem(t, e.oak.do("GET", "/api/v1/referrals?mine=maybe", nil, HeaderReason, "SAFEGUARDING"), http.StatusBadRequest, "invalid_fields", "mine")
	wantProblem(t, e.oak.do("GET", "/api/v1/referrals?who=me", nil, HeaderReason, "SAFEGUARDING"), http.StatusBadRequest, "invalid_fields", "who")
}

func TestReferralRefused(t *testing.T) {
	t.Parallel()
	e := newReferralEnv(t)
	with := func(change func(b map[string]any)) map[string]any {
		b := referralBody(e.mash.ID, e.incident)
		change(b)
		return b
	}
	fields := func(b map[string]any) map[string]string { return b["fields"].(map[string]string) }
	other := e.mustCreateOtherPartner(t)
	for _, tc := range []struct {
		name   string
		c      *client
		body   any
		status int
		code   string
		field  string
	}{
		{"FieldNotListed", e.oak, with(func(b map[string]any) { fields(b)["ethnicity"] = "W1" }), 400, "invalid_fields", "fields.ethnicity"},
		{"RequiredMissing", e.oak, with(func(b map[string]any) { delete(fields(b), "dash_risk") }), 400, "invalid_fields", "fields.dash_risk"},
		{"NoFields", e.oak, with(func(b map[string]any) { delete(b, "fields") }), 400, "invalid_fields", "fields.subject_name"},
		{"FieldNotText", e.oak, with(func(b map[string]any) { b["fields"] = map[string]any{"dash_score": 12} }), 400, "invalid_fields", ""},
		{"UnknownPartner", e.oak, with(func(b map[string]any) { b["partner_id"] = 999 }), 400, "invalid_fields", "partner_id"},
		{"PartnerRefusesType", e.oak, with(func(b map[string]any) { b["partner_id"] = other.ID }), 400, "invalid_fields", "partner_id"},
		{"UnknownType", e.oak, with(func(b map[string]any) { b["type"] = "GOSSIP" }), 400, "invalid_fields", "type"},
		{"NoConsentReason", e.oak, with(func(b map[string]any) { b["consent"] = map[string]any{"status": "REFUSED"} }), 400, "invalid_fields", "consent.override_reason"},
		{"OtherForcesIncident", e.oak, with(func(b map[string]any) { b["incident_id"] = e.other }), 404, "not_found", "incident_id"},
		{"BadIncident", e.oak, with(func(b map[string]any) { b["incident_id"] = -1 }), 400, "invalid_fields", "incident_id"},
		{"ExtraMember", e.oak, with(func(b map[string]any) { b["urgent"] = true }), 400, "unknown_field", "urgent"},
		{"Malformed", e.oak, `{"type":"DOMESTIC_ABUSE",`, 400, "bad_json", ""},
		{"Null", e.oak, `null`, 400, "bad_json", ""},
		{"TooLarge", e.oak, `{"type":"` + strings.Repeat("x", MaxBody) + `"}`, 413, "body_too_large", ""},
		{"Controller", e.ctl, referralBody(e.mash.ID, 0), 403, "role_required", ""},
		{"Partner", e.liaison, referralBody(e.mash.ID, 0), 403, "role_required", ""},
		{"OtherForce", e.bravo, referralBody(e.mash.ID, 0), 400, "invalid_fields", "partner_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, tc.c.do("POST", "/api/v1/referrals", tc.body), tc.status, tc.code, tc.field)
		})
	}
	wantProblem(t, e.oak.do("POST", "/api/v1/referrals", `{}`, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	var list struct{ Total int }
	e.oak.do("GET", "/api/v1/referrals", nil, HeaderReason, "SAFEGUARDING").decode(t, &list)
	if list.Total != 0 || e.notified.Load() != 0 {
		t.Fatalf("%d referrals recorded, deliverer woken %d times, by refused requests", list.Total, e.notified.Load())
	}
}

func (e *referralEnv) mustCreateOtherPartner(t *testing.T) *bluelamp.Partner {
	t.Helper()
	res := e.admin.do("POST", "/api/v1/partners", map[string]any{"name": "Adult Social Care", "accepts": []string{"ADULT_AT_RISK"}, "email": "asc@wessex.example"})
	var created partnerCreated
	res.decode(t, &created)
	if res.status != http.StatusCreated || created.WebhookSecret != "" {
		t.Fatalf("create partner: %d %s", res.status, res.body)
	}
	return created.Partner
}

func TestPartners(t *testing.T) {
	t.Parallel()
	e := newReferralEnv(t)
	res := e.oak.do("GET", "/api/v1/partners", nil)
	if res.status != http.StatusOK || strings.Contains(string(res.body), e.secret) || !strings.Contains(string(res.body), "Wessex MASH") {
		t.Fatalf("GET partners: %d %s", res.status, res.body)
	}
	var list struct{ Partners []*bluelamp.Partner }
	e.bravo.do("GET", "/api/v1/partners", nil).decode(t, &list)
	if len(list.Partners) != 0 {
		t.Fatalf("bravo sees alpha's partners: %+v", list)
	}
	wantProblem(t, e.liaison.do("GET", "/api/v1/partners", nil), http.StatusForbidden, "role_required", "")
	for _, tc := range []struct {
		name   string
		c      *client
		body   any
		status int
		code   string
		field  string
	}{
		{"Taken", e.admin, map[string]any{"name": "Wessex MASH", "accepts": []string{"CHILD_AT_RISK"}, "email": "a@b.example"}, 409, "conflict", ""},
		{"UnknownType", e.admin, map[string]any{"name": "X", "accepts": []string{"GOSSIP"}, "email": "a@b.example"}, 400, "invalid_fields", "accepts"},
		{"NoWayToReach", e.admin, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}}, 400, "invalid_fields", "email"},
		{"PlainHTTP", e.admin, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}, "webhook_url": "http://mash.example/"}, 400, "invalid_fields", "webhook_url"},
		{"ShortSecret", e.admin, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}, "webhook_url": "https://mash.example/", "webhook_secret": "abc"}, 400, "invalid_fields", "webhook_secret"},
		{"NotAPartnerUser", e.admin, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}, "email": "a@b.example", "user_ids": []int{1}}, 400, "invalid_fields", "user_ids"},
		{"ExtraMember", e.admin, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}, "email": "a@b.example", "secret": "x"}, 400, "unknown_field", "secret"},
		{"Officer", e.oak, map[string]any{"name": "X", "accepts": []string{"CHILD_AT_RISK"}, "email": "a@b.example"}, 403, "role_required", ""},
		{"Malformed", e.admin, `[`, 400, "bad_json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, tc.c.do("POST", "/api/v1/partners", tc.body), tc.status, tc.code, tc.field)
		})
	}

	res = e.liaison.do("GET", "/api/v1/referral-types", nil)
	var types struct {
		ReferralTypes []bluelamp.ReferralTypeInfo `json:"referral_types"`
	}
	if err := json.Unmarshal(res.body, &types); err != nil || res.status != http.StatusOK || len(types.ReferralTypes) != len(bluelamp.ReferralTypes) {
		t.Fatalf("GET referral-types: %d %s", res.status, res.body)
	}
}
