package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// newPartner returns an unsaved partner accepting types by email and
// webhook.
func newPartner(name string, types ...bluelamp.ReferralType) *bluelamp.Partner {
	return &bluelamp.Partner{Name: name, Accepts: types, Email: "mash@wessex.example",
		WebhookURL: "https://mash.wessex.example/referrals", Secret: "0123456789abcdef0123456789abcdef"}
}

func (f *fixture) mustCreatePartner(ctx context.Context, p *bluelamp.Partner) *bluelamp.Partner {
	f.t.Helper()
	ok(f.t, f.Store.CreatePartner(ctx, p))
	return p
}

// newReferral returns an unsaved domestic abuse referral to partner.
func newReferral(partner bluelamp.PartnerID, inc bluelamp.IncidentID) *bluelamp.Referral {
	return &bluelamp.Referral{Type: bluelamp.ReferralDomesticAbuse, PartnerID: partner, IncidentID: inc,
		Consent: bluelamp.Consent{Status: bluelamp.ConsentGiven},
		Fields: map[string]string{"subject_name": "Bathsheba Everdene", "subject_address": "Weatherbury Farm", "dash_risk": "HIGH",
			"dash_score": "15", "children_present": "no", "concern": "repeat incidents, threats to kill", "officer_risk_view": "HIGH"}}
}

func (f *fixture) mustCreateReferral(ctx context.Context, r *bluelamp.Referral) *bluelamp.Referral {
	f.t.Helper()
	ok(f.t, f.Store.CreateReferral(ctx, r))
	return r
}

// referralForce is an evidence force with a MASH partner and a partner
// user who acts for it.
type referralForce struct {
	*evidenceForce
	mash      *bluelamp.Partner
	liaison   *bluelamp.User // acts for the MASH
	liaisonCx context.Context
}

func (f *fixture) referralForce(id bluelamp.ForceID) *referralForce {
	f.t.Helper()
	rf := &referralForce{evidenceForce: f.evidenceForce(id)}
	rf.liaison = f.mustCreateUser(id, "liaison", bluelamp.RolePartnerAgency)
	rf.liaisonCx = f.as(rf.liaison)
	p := newPartner("Wessex MASH", bluelamp.ReferralChildAtRisk, bluelamp.ReferralDomesticAbuse)
	p.UserIDs = []bluelamp.UserID{rf.liaison.ID}
	rf.mash = f.mustCreatePartner(f.as(rf.admin), p)
	return rf
}

func testCreatePartner(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		before := f.head(a.id)
		p := &bluelamp.Partner{Name: "  Wessex Children's Services ", Accepts: []bluelamp.ReferralType{bluelamp.ReferralChildAtRisk},
			WebhookURL: "http://127.0.0.1:9/hook"}
		f.mustCreatePartner(f.as(a.admin), p)
		if p.ID == 0 || p.Name != "Wessex Children's Services" || p.ForceID != a.id || !p.CreatedAt.Equal(start) || len(p.Secret) != 64 {
			t.Fatalf("created partner = %+v", p)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventPartnerCreated)
		var payload map[string]any
		ok(t, json.Unmarshal(events[0].Payload, &payload))
		if _, leaked := payload["secret"]; leaked || payload["name"] != p.Name {
			t.Fatalf("partner.created payload = %v", payload)
		}
		for _, v := range payload {
			if v == p.Secret {
				t.Fatalf("partner.created carries the secret: %v", payload)
			}
		}
		email := f.mustCreatePartner(a.ctx, &bluelamp.Partner{Name: "Adult Social Care", Accepts: []bluelamp.ReferralType{bluelamp.ReferralAdultAtRisk},
			Email: "asc@wessex.example"})
		got, err := f.Store.FindPartners(a.oakCtx)
		ok(t, err)
		want := []*bluelamp.Partner{email, p}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(bluelamp.Partner{}, "Secret")); diff != "" {
			t.Fatalf("FindPartners (-want +got):\n%s", diff)
		}
		for _, g := range got {
			if g.Secret != "" {
				t.Fatalf("FindPartners shows %s's secret", g.Name)
			}
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		heads := f.heads(a.id)
		for _, tc := range []struct {
			name   string
			p      bluelamp.Partner
			fields []string
		}{
			{"Empty", bluelamp.Partner{}, []string{"name", "accepts", "email"}},
			{"UnknownType", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"GOSSIP"}, Email: "a@b.example"}, []string{"accepts"}},
			{"TypeTwice", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH", "MENTAL_HEALTH"}, Email: "a@b.example"}, []string{"accepts"}},
			{"BadEmail", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, Email: "Bob <bob@b.example>"}, []string{"email"}},
			{"PlainHTTP", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, WebhookURL: "http://mash.example/hook"}, []string{"webhook_url"}},
			{"Credentials", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, WebhookURL: "https://u:p@mash.example/hook"}, []string{"webhook_url"}},
			{"ShortSecret", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, WebhookURL: "https://mash.example/", Secret: "short"}, []string{"webhook_secret"}},
			{"SecretWithoutWebhook", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, Email: "a@b.example", Secret: "0123456789abcdef0123456789abcdef"}, []string{"webhook_secret"}},
			{"BadUserID", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, Email: "a@b.example", UserIDs: []bluelamp.UserID{0}}, []string{"user_ids"}},
			{"UserNotPartner", bluelamp.Partner{Name: "x", Accepts: []bluelamp.ReferralType{"MENTAL_HEALTH"}, Email: "a@b.example", UserIDs: []bluelamp.UserID{a.oak.ID}}, []string{"user_ids"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := tc.p
				wantFields(t, f.Store.CreatePartner(a.ctx, &p), tc.fields...)
			})
		}
		f.wantUnmoved(heads...)
	})
	t.Run("ErrConflict", func(t *testing.T) {
		f := setup(t, open)
		a := f.evidenceForce("alpha")
		f.mustCreatePartner(a.ctx, newPartner("Wessex MASH", bluelamp.ReferralChildAtRisk))
		heads := f.heads(a.id)
		f.refused(f.Store.CreatePartner(a.ctx, newPartner("Wessex MASH", bluelamp.ReferralAdultAtRisk)), bluelamp.KindConflict, heads...)
		b := f.evidenceForce("bravo")
		f.mustCreatePartner(b.ctx, newPartner("Wessex MASH", bluelamp.ReferralChildAtRisk))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		b := f.referralForce("bravo")
		heads := f.heads(a.id, b.id)
		p := newPartner("Cross-border", bluelamp.ReferralChildAtRisk)
		p.UserIDs = []bluelamp.UserID{b.liaison.ID}
		err := f.Store.CreatePartner(a.ctx, p)
		f.refused(err, bluelamp.KindInvalid, heads...)
		wantFields(t, err, "user_ids")
		got, err := f.Store.FindPartners(b.ctx)
		ok(t, err)
		if len(got) != 1 || got[0].ID != b.mash.ID {
			t.Fatalf("bravo's partners = %+v", got)
		}
		wantNoActor(t, f.Store.CreatePartner(t.Context(), newPartner("x", bluelamp.ReferralChildAtRisk)))
		_, err = f.Store.FindPartners(f.deployment())
		wantKind(t, err, bluelamp.KindForbidden)
	})
}

func testCreateReferral(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		before, mark := f.head(a.id), f.auditMark(a.id)
		r := newReferral(a.mash.ID, a.incident.ID)
		r.Fields["concern"] = "  repeat incidents, threats to kill  "
		r.Fields["marac"] = ""
		f.mustCreateReferral(a.oakCtx, r)
		next := start
		want := &bluelamp.Referral{ID: r.ID, ForceID: a.id, Reference: "R-04MAR30-0001", Type: bluelamp.ReferralDomesticAbuse,
			PartnerID: a.mash.ID, Partner: "Wessex MASH", IncidentID: a.incident.ID, Incident: a.incident.Number,
			Consent: bluelamp.Consent{Status: bluelamp.ConsentGiven},
			Fields: map[string]string{"subject_name": "Bathsheba Everdene", "subject_address": "Weatherbury Farm", "dash_risk": "HIGH",
				"dash_score": "15", "children_present": "no", "concern": "repeat incidents, threats to kill", "officer_risk_view": "HIGH"},
			ReferredBy: "1041", ReferrerID: a.oak.ID, CreatedAt: start, Status: bluelamp.DeliveryPending,
			Deliveries: []*bluelamp.Delivery{
				{ID: r.Deliveries[0].ID, Method: bluelamp.DeliverByEmail, Target: "mash@wessex.example", Status: bluelamp.DeliveryPending, NextAttemptAt: &next},
				{ID: r.Deliveries[1].ID, Method: bluelamp.DeliverByWebhook, Target: "https://mash.wessex.example/referrals", Status: bluelamp.DeliveryPending, NextAttemptAt: &next},
			}}
		if diff := cmp.Diff(want, r, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("created referral (-want +got):\n%s", diff)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventReferralCreated)
		if e := events[0]; e.Subject != ref("referral", r.ID) || e.Classification != bluelamp.ClassOfficialSensitive || !e.Type.Info().Personal {
			t.Errorf("referral.created = %+v", e)
		}
		var payload bluelamp.Referral
		ok(t, json.Unmarshal(events[0].Payload, &payload))
		if diff := cmp.Diff(want, &payload, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("referral.created payload (-want +got):\n%s", diff)
		}
		f.wantAudit(a.id, mark, a.oakCtx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("referral", r.ID)},
			j: &bluelamp.Justification{Reason: "SAFEGUARDING", Text: "safeguarding referral R-04MAR30-0001 to Wessex MASH", IncidentRef: a.incident.Number}})
		got, err := f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("FindReferralByID (-want +got):\n%s", diff)
		}
		f.wantVerified()
	})
	t.Run("OKWithoutConsent", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		r := newReferral(a.mash.ID, 0)
		r.Type = bluelamp.ReferralChildAtRisk
		r.Fields = map[string]string{"subject_name": "Liddy", "subject_address": "Weatherbury Farm", "concern": "left alone for days",
			"officer_risk_view": "MEDIUM", "subject_dob": "2020-02-29"}
		r.Consent = bluelamp.Consent{Status: bluelamp.ConsentNotSought, OverrideReason: "seeking consent would put the child at greater risk"}
		f.mustCreateReferral(a.dayCtx, r)
		if r.Reference != "R-04MAR30-0001" || r.ReferredBy != "5012" || r.Incident != "" {
			t.Errorf("referral = %+v", r)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		heads := f.heads(a.id)
		for _, tc := range []struct {
			name   string
			change func(r *bluelamp.Referral)
			fields []string
		}{
			{"UnknownType", func(r *bluelamp.Referral) { r.Type = "GOSSIP" }, []string{"type"}},
			{"NoPartner", func(r *bluelamp.Referral) { r.PartnerID = 0 }, []string{"partner_id"}},
			{"FieldNotListed", func(r *bluelamp.Referral) { r.Fields["shoe_size"] = "9" }, []string{"fields.shoe_size"}},
			{"FieldOfAnotherType", func(r *bluelamp.Referral) { r.Fields["school"] = "Weatherbury Primary" }, []string{"fields.school"}},
			{"MissingRequired", func(r *bluelamp.Referral) { delete(r.Fields, "dash_risk"); r.Fields["children_present"] = " " },
				[]string{"fields.dash_risk", "fields.children_present"}},
			{"BadValues", func(r *bluelamp.Referral) {
				r.Fields["dash_risk"], r.Fields["dash_score"], r.Fields["subject_dob"], r.Fields["marac"] = "SEVERE", "28", "2099-01-01", "maybe"
			}, []string{"fields.dash_risk", "fields.dash_score", "fields.subject_dob", "fields.marac"}},
			{"NoConsentReason", func(r *bluelamp.Referral) { r.Consent = bluelamp.Consent{Status: bluelamp.ConsentRefused} }, []string{"consent.override_reason"}},
			{"ReasonWithConsent", func(r *bluelamp.Referral) { r.Consent.OverrideReason = "x" }, []string{"consent.override_reason"}},
			{"NoConsentStatus", func(r *bluelamp.Referral) { r.Consent = bluelamp.Consent{} }, []string{"consent.status"}},
			{"UnknownPartner", func(r *bluelamp.Referral) { r.PartnerID = 999 }, []string{"partner_id"}},
			{"PartnerRefusesType", func(r *bluelamp.Referral) {
				r.Type = bluelamp.ReferralMentalHealth
				r.Fields = map[string]string{"subject_name": "x", "subject_address": "y", "presentation": "z", "concern": "c", "officer_risk_view": "HIGH"}
			}, []string{"partner_id"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := newReferral(a.mash.ID, 0)
				tc.change(r)
				err := f.Store.CreateReferral(a.oakCtx, r)
				wantFields(t, err, tc.fields...)
				if tc.name == "PartnerRefusesType" {
					if e := err.(*bluelamp.Error); e.Fields["partner_id"] != "Wessex MASH does not accept MENTAL_HEALTH referrals; it accepts CHILD_AT_RISK, DOMESTIC_ABUSE" {
						t.Errorf("partner_id: %q", e.Fields["partner_id"])
					}
				}
			})
		}
		f.wantUnmoved(heads...)
	})
	t.Run("ErrNotAnOfficer", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		heads := f.heads(a.id)
		f.refused(f.Store.CreateReferral(a.clerkCtx, newReferral(a.mash.ID, 0)), bluelamp.KindForbidden, heads...)
		f.refused(f.Store.CreateReferral(a.systemCtx, newReferral(a.mash.ID, 0)), bluelamp.KindForbidden, heads...)
		wantNoActor(t, f.Store.CreateReferral(t.Context(), newReferral(a.mash.ID, 0)))
	})
	t.Run("ErrOtherForce", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		b := f.referralForce("bravo")
		heads := f.heads(a.id, b.id)
		err := f.Store.CreateReferral(a.oakCtx, newReferral(b.mash.ID, 0))
		f.refused(err, bluelamp.KindInvalid, heads...)
		wantFields(t, err, "partner_id")
		f.refused(f.Store.CreateReferral(a.oakCtx, newReferral(a.mash.ID, b.incident.ID)), bluelamp.KindNotFound, heads...)
		r := f.mustCreateReferral(b.oakCtx, newReferral(b.mash.ID, 0))
		heads = f.heads(a.id, b.id)
		_, err = f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.AcknowledgeReferral(a.liaisonCx, r.ID, &bluelamp.ReferralAck{RAG: bluelamp.RAGRed})
		f.refused(err, bluelamp.KindNotFound, heads...)
		list, total, err := f.Store.FindReferrals(a.oakCtx, bluelamp.ReferralFilter{}, consult)
		ok(t, err)
		if len(list) != 0 || total != 0 {
			t.Errorf("alpha lists %d of bravo's referrals", total)
		}
	})
}

func testFindReferrals(t *testing.T, open Opener) {
	f := setup(t, open)
	a := f.referralForce("alpha")
	r1 := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, a.incident.ID))
	r2 := f.mustCreateReferral(a.dayCtx, newReferral(a.mash.ID, 0))
	r3 := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
	mark := f.auditMark(a.id)
	got, total, err := f.Store.FindReferrals(a.oakCtx, bluelamp.ReferralFilter{ReferrerID: &a.oak.ID}, consult)
	ok(t, err)
	if total != 2 || len(got) != 2 || got[0].ID != r3.ID || got[1].ID != r1.ID || len(got[0].Deliveries) != 2 || got[0].Status != bluelamp.DeliveryPending {
		t.Fatalf("Oak's referrals = %d: %+v", total, got)
	}
	f.wantAudit(a.id, mark, a.oakCtx, auditWant{action: bluelamp.AuditConsultation, subjects: []string{ref("referral", r3.ID), ref("referral", r1.ID)}, j: &consult})
	got, total, err = f.Store.FindReferrals(a.oakCtx, bluelamp.ReferralFilter{IncidentID: &a.incident.ID}, consult)
	ok(t, err)
	if total != 1 || got[0].ID != r1.ID {
		t.Fatalf("the incident's referrals = %d: %+v", total, got)
	}
	got, total, err = f.Store.FindReferrals(a.oakCtx, bluelamp.ReferralFilter{Offset: 1, Limit: 1}, consult)
	ok(t, err)
	if total != 3 || len(got) != 1 || got[0].ID != r2.ID {
		t.Fatalf("page 2 = %d of %d", len(got), total)
	}
	mark = f.auditMark(a.id)
	_, _, err = f.Store.FindReferrals(a.oakCtx, bluelamp.ReferralFilter{}, bluelamp.Justification{})
	wantKind(t, err, bluelamp.KindInvalid)
	_, err = f.Store.FindReferralByID(a.oakCtx, r1.ID, bluelamp.Justification{})
	wantKind(t, err, bluelamp.KindInvalid)
	f.wantNoAudit(a.id, mark)
}

// claimDeliveries claims every due delivery as the deployment's deliverer would.
func (f *fixture) claimDeliveries(lease time.Duration) []*bluelamp.DeliveryJob {
	f.t.Helper()
	jobs, err := f.Store.ClaimDeliveries(f.deployment(), 100, lease)
	ok(f.t, err)
	return jobs
}

func testDeliveries(t *testing.T, open Opener) {
	t.Run("OKRetryThenDeliver", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		b := f.referralForce("bravo")
		r := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, a.incident.ID))
		rb := f.mustCreateReferral(b.oakCtx, newReferral(b.mash.ID, 0))
		jobs := f.claimDeliveries(time.Minute)
		if len(jobs) != 4 {
			t.Fatalf("claimed %d deliveries, want 4 (two forces, two methods each)", len(jobs))
		}
		var hook *bluelamp.DeliveryJob
		for _, j := range jobs {
			if j.ForceID == a.id && j.Method == bluelamp.DeliverByWebhook {
				hook = j
			}
			if j.Claim == "" || j.Attempts != 0 || j.Secret != "0123456789abcdef0123456789abcdef" || j.Referral == nil ||
				(j.ForceID == a.id) != (j.Referral.ID == r.ID && j.Referral.Reference == r.Reference) || j.ForceID == b.id && j.Referral.ID != rb.ID {
				t.Fatalf("job = %+v", j)
			}
		}
		if got := hook.Referral; got.Fields["dash_risk"] != "HIGH" || got.Incident != a.incident.Number || got.Partner != "Wessex MASH" {
			t.Fatalf("job's referral = %+v", got)
		}
		if again := f.claimDeliveries(time.Minute); len(again) != 0 {
			t.Fatalf("claimed %d deliveries again while leased", len(again))
		}
		sys := f.system(a.id)
		before, mark := f.head(a.id), f.auditMark(a.id)
		retry := start.Add(30 * time.Second)
		ok(t, f.Store.RecordDelivery(sys, hook, bluelamp.DeliveryOutcome{Error: "HTTP 503 Service Unavailable\nbody", Retry: &retry}))
		events := f.wantEvents(a.id, before, bluelamp.EventReferralDeliveryAttempted)
		var attempted map[string]any
		ok(t, json.Unmarshal(events[0].Payload, &attempted))
		if attempted["status"] != "RETRYING" || attempted["attempt"] != 1.0 || attempted["error"] != "HTTP 503 Service Unavailable body" || events[0].Type.Info().Personal {
			t.Fatalf("attempt payload = %v", attempted)
		}
		f.wantNoAudit(a.id, mark)
		got, err := f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		d := got.Deliveries[1]
		if d.Method != bluelamp.DeliverByWebhook || d.Status != bluelamp.DeliveryRetrying || d.NextAttemptAt == nil || !d.NextAttemptAt.Equal(retry) ||
			len(d.Attempts) != 1 || d.Attempts[0].OK || d.Attempts[0].N != 1 || !d.Attempts[0].At.Equal(start) || got.Status != bluelamp.DeliveryRetrying {
			t.Fatalf("webhook delivery after a failure = %+v (%d attempts)", d, len(d.Attempts))
		}
		if err := f.Store.RecordDelivery(sys, hook, bluelamp.DeliveryOutcome{OK: true}); bluelamp.KindOf(err) != bluelamp.KindConflict {
			t.Fatalf("recording a finished claim again: %v", err)
		}
		if due := f.claimDeliveries(time.Minute); len(due) != 0 {
			t.Fatalf("claimed %d before the retry was due", len(due))
		}
		f.clock.Advance(31 * time.Second)
		due := f.claimDeliveries(time.Minute)
		if len(due) != 1 || due[0].ID != hook.ID || due[0].Attempts != 1 || due[0].Claim == hook.Claim {
			t.Fatalf("due after the backoff = %+v", due)
		}
		before, mark = f.head(a.id), f.auditMark(a.id)
		ok(t, f.Store.RecordDelivery(sys, due[0], bluelamp.DeliveryOutcome{OK: true,
			Ack: &bluelamp.ReferralAck{PartnerReference: "MASH-77", RAG: bluelamp.RAGAmber}}))
		f.wantEvents(a.id, before, bluelamp.EventReferralDeliveryAttempted, bluelamp.EventReferralAcknowledged)
		recs := f.auditAfter(a.id, mark)
		if len(recs) != 1 {
			t.Fatalf("%d audit records for a delivery, want one disclosure: %s", len(recs), describeAudit(recs))
		}
		rec := recs[0]
		if rec.Action != bluelamp.AuditDisclosure || rec.Actor != "storetest" || rec.ActorKind != bluelamp.ActorSystem || !rec.Time.Equal(f.clock.Now()) ||
			!slices.Equal(rec.Subjects, []string{ref("referral", r.ID)}) || rec.What != "referral.deliver" {
			t.Fatalf("disclosure record = %+v", rec)
		}
		if rec.Recipient != "partner/"+strconv.FormatInt(int64(a.mash.ID), 10)+" Wessex MASH" || rec.Justification.Reason != "SAFEGUARDING" ||
			rec.Justification.IncidentRef != a.incident.Number {
			t.Fatalf("disclosure record = %+v", rec)
		}
		got, err = f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		d = got.Deliveries[1]
		if d.Status != bluelamp.DeliveryDelivered || d.NextAttemptAt != nil || d.DeliveredAt == nil || !d.DeliveredAt.Equal(f.clock.Now()) ||
			len(d.Attempts) != 2 || !d.Attempts[1].OK || d.Attempts[1].N != 2 {
			t.Fatalf("webhook delivery = %+v", d)
		}
		ack := &bluelamp.ReferralAck{At: f.clock.Now(), By: "Wessex MASH", Via: "webhook", PartnerReference: "MASH-77", RAG: bluelamp.RAGAmber}
		if diff := cmp.Diff(ack, got.Acknowledgement); diff != "" {
			t.Fatalf("acknowledgement (-want +got):\n%s", diff)
		}
		if got.Status != bluelamp.DeliveryPending {
			t.Fatalf("status with email still claimed = %s", got.Status)
		}
		f.wantVerified()
	})
	t.Run("OKGiveUp", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		r := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
		for _, j := range f.claimDeliveries(time.Minute) {
			ok(t, f.Store.RecordDelivery(f.system(a.id), j, bluelamp.DeliveryOutcome{Error: "connection refused"}))
		}
		got, err := f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		if got.Status != bluelamp.DeliveryFailed || got.Deliveries[0].Status != bluelamp.DeliveryFailed || got.Deliveries[0].NextAttemptAt != nil {
			t.Fatalf("referral after giving up = %+v", got)
		}
		f.clock.Advance(24 * time.Hour)
		if due := f.claimDeliveries(time.Minute); len(due) != 0 {
			t.Fatalf("a failed delivery was claimed again")
		}
	})
	t.Run("OKLeaseRunsOut", func(t *testing.T) {
		// A node that dies mid-send leaves its claim; when the lease runs
		// out the delivery is due again and the dead claim is refused.
		f := setup(t, open)
		a := f.referralForce("alpha")
		f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
		first := f.claimDeliveries(time.Minute)
		f.clock.Advance(61 * time.Second)
		second := f.claimDeliveries(time.Minute)
		if len(first) != 2 || len(second) != 2 {
			t.Fatalf("claimed %d then %d", len(first), len(second))
		}
		err := f.Store.RecordDelivery(f.system(a.id), first[0], bluelamp.DeliveryOutcome{OK: true})
		wantKind(t, err, bluelamp.KindConflict)
		wantCode(t, err, "claim_lost")
		ok(t, f.Store.RecordDelivery(f.system(a.id), second[0], bluelamp.DeliveryOutcome{OK: true}))
	})
	t.Run("OKSurvivesRestart", func(t *testing.T) {
		f := setup(t, open)
		if f.Node == nil {
			t.Skip("the engine cannot be opened twice")
		}
		a := f.referralForce("alpha")
		r := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
		other := f.Node(t)
		jobs, err := other.ClaimDeliveries(f.deployment(), 10, time.Minute)
		ok(t, err)
		if len(jobs) != 2 || jobs[0].Referral.ID != r.ID {
			t.Fatalf("another node claimed %+v", jobs)
		}
		if again, err := f.Store.ClaimDeliveries(f.deployment(), 10, time.Minute); err != nil || len(again) != 0 {
			t.Fatalf("the first node claimed %d leased deliveries: %v", len(again), err)
		}
		for _, j := range jobs {
			ok(t, other.RecordDelivery(f.system(a.id), j, bluelamp.DeliveryOutcome{OK: true}))
		}
		got, err := f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		if got.Status != bluelamp.DeliveryDelivered {
			t.Fatalf("status = %s", got.Status)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		b := f.referralForce("bravo")
		f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
		_, err := f.Store.ClaimDeliveries(f.system(a.id), 10, time.Minute)
		wantKind(t, err, bluelamp.KindForbidden)
		_, err = f.Store.ClaimDeliveries(t.Context(), 10, time.Minute)
		wantNoActor(t, err)
		jobs := f.claimDeliveries(time.Minute)
		heads := f.heads(a.id, b.id)
		f.refused(f.Store.RecordDelivery(f.system(b.id), jobs[0], bluelamp.DeliveryOutcome{OK: true}), bluelamp.KindNotFound, heads...)
		wantNoActor(t, f.Store.RecordDelivery(t.Context(), jobs[0], bluelamp.DeliveryOutcome{OK: true}))
		err = f.Store.RecordDelivery(f.system(a.id), jobs[0], bluelamp.DeliveryOutcome{OK: true, Ack: &bluelamp.ReferralAck{RAG: "PURPLE"}})
		f.refused(err, bluelamp.KindInvalid, heads...)
	})
}

func testAcknowledgeReferral(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		r := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, a.incident.ID))
		f.clock.Advance(time.Hour)
		before, mark := f.head(a.id), f.auditMark(a.id)
		got, err := f.Store.AcknowledgeReferral(a.liaisonCx, r.ID, &bluelamp.ReferralAck{PartnerReference: " MASH-1 ", RAG: bluelamp.RAGRed,
			Outcome: "strategy discussion held; child protection enquiry opened"})
		ok(t, err)
		want := &bluelamp.ReferralAck{At: f.clock.Now(), By: a.liaison.Username, Via: "api", PartnerReference: "MASH-1", RAG: bluelamp.RAGRed,
			Outcome: "strategy discussion held; child protection enquiry opened"}
		if diff := cmp.Diff(want, got.Acknowledgement); diff != "" {
			t.Fatalf("acknowledgement (-want +got):\n%s", diff)
		}
		events := f.wantEvents(a.id, before, bluelamp.EventReferralAcknowledged)
		if !events[0].Type.Info().Personal || events[0].Subject != ref("referral", r.ID) {
			t.Errorf("event %+v", events[0])
		}
		f.wantAudit(a.id, mark, a.liaisonCx, auditWant{action: bluelamp.AuditCollection, subjects: []string{ref("referral", r.ID)}})
		found, err := f.Store.FindReferralByID(a.oakCtx, r.ID, consult)
		ok(t, err)
		if diff := cmp.Diff(want, found.Acknowledgement); diff != "" {
			t.Fatalf("found acknowledgement (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrNotTheirs", func(t *testing.T) {
		f := setup(t, open)
		a := f.referralForce("alpha")
		r := f.mustCreateReferral(a.oakCtx, newReferral(a.mash.ID, 0))
		other := f.mustCreateUser(a.id, "other-partner", bluelamp.RolePartnerAgency)
		p := newPartner("Wessex Women's Aid", bluelamp.ReferralDomesticAbuse)
		p.UserIDs = []bluelamp.UserID{other.ID}
		f.mustCreatePartner(a.ctx, p)
		heads := f.heads(a.id)
		for _, ctx := range []context.Context{f.as(other), a.oakCtx, a.systemCtx} {
			_, err := f.Store.AcknowledgeReferral(ctx, r.ID, &bluelamp.ReferralAck{RAG: bluelamp.RAGGreen})
			f.refused(err, bluelamp.KindNotFound, heads...)
		}
		_, err := f.Store.AcknowledgeReferral(a.liaisonCx, r.ID+100, &bluelamp.ReferralAck{})
		f.refused(err, bluelamp.KindNotFound, heads...)
		_, err = f.Store.AcknowledgeReferral(a.liaisonCx, r.ID, &bluelamp.ReferralAck{RAG: "BLUE", PartnerReference: string(make([]byte, 101))})
		wantFields(t, err, "rag", "partner_reference")
		_, err = f.Store.AcknowledgeReferral(t.Context(), r.ID, &bluelamp.ReferralAck{})
		wantNoActor(t, err)
		f.wantUnmoved(heads...)
	})
}
