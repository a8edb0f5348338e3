package bluelamp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReferralTypesWellFormed(t *testing.T) {
	t.Parallel()
	for _, ti := range ReferralTypes {
		names := map[string]bool{}
		if ti.Label == "" || ti.Gateway == "" {
			t.Errorf("%s has no label or gateway", ti.Code)
		}
		for _, f := range ti.Fields {
			if names[f.Name] {
				t.Errorf("%s lists %s twice", ti.Code, f.Name)
			}
			names[f.Name] = true
			if f.Label == "" || (f.Kind == FieldChoice) != (len(f.Choices) > 0) || (f.Kind == FieldNumber) != (f.Max > 0) {
				t.Errorf("%s field %s is malformed: %+v", ti.Code, f.Name, f)
			}
		}
		for _, must := range []string{"subject_name", "concern", "officer_risk_view"} {
			if !names[must] {
				t.Errorf("%s does not carry %s", ti.Code, must)
			}
		}
	}
	da, _ := ReferralDomesticAbuse.Info()
	i := slices.IndexFunc(da.Fields, func(f ReferralField) bool { return f.Name == "dash_risk" })
	if i < 0 || !da.Fields[i].Required {
		t.Error("a domestic abuse referral must carry the DASH risk level")
	}
}

func TestReferralValidate(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 3, 4, 9, 30, 0, 0, time.UTC)
	valid := func() *Referral {
		return &Referral{Type: ReferralMissingPerson, PartnerID: 1, Consent: Consent{Status: ConsentGiven},
			Fields: map[string]string{"subject_name": "Fanny Robin", "subject_address": "Casterbridge Union", "missing_since": "2030-03-03T22:00:00Z",
				"last_seen": "Weatherbury road", "missing_risk": "HIGH", "concern": "pregnant, no money", "officer_risk_view": "HIGH", "returned_at": "  "}}
	}
	r := valid()
	if err := r.Validate(now); err != nil {
		t.Fatal(err)
	}
	if _, kept := r.Fields["returned_at"]; kept {
		t.Error("a blank optional field is kept")
	}
	for _, tc := range []struct {
		name   string
		change func(*Referral)
		want   []string
	}{
		{"NothingGiven", func(r *Referral) { *r = Referral{} }, []string{"consent.status", "partner_id", "type"}},
		{"UnlistedField", func(r *Referral) { r.Fields["ethnicity"] = "x" }, []string{"fields.ethnicity"}},
		{"UnlistedHostileName", func(r *Referral) { r.Fields[strings.Repeat("\x00", 50)] = "x" }, []string{`fields."\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"`}},
		{"Required", func(r *Referral) { delete(r.Fields, "missing_since"); r.Fields["last_seen"] = "" }, []string{"fields.last_seen", "fields.missing_since"}},
		{"Future", func(r *Referral) {
			r.Fields["missing_since"] = "2030-03-05T00:00:00Z"
			r.Fields["subject_dob"] = "2031-01-01"
		},
			[]string{"fields.missing_since", "fields.subject_dob"}},
		{"Malformed", func(r *Referral) { r.Fields["missing_since"] = "last night"; r.Fields["subject_dob"] = "4/3/2010" },
			[]string{"fields.missing_since", "fields.subject_dob"}},
		{"Choice", func(r *Referral) { r.Fields["missing_risk"] = "high" }, []string{"fields.missing_risk"}},
		{"ControlCharacters", func(r *Referral) { r.Fields["concern"] = "a\x1bb" }, []string{"fields.concern"}},
		{"TooLong", func(r *Referral) { r.Fields["concern"] = strings.Repeat("x", 4001) }, []string{"fields.concern"}},
		{"RefusedNoReason", func(r *Referral) { r.Consent.Status = ConsentRefused }, []string{"consent.override_reason"}},
		{"GivenWithReason", func(r *Referral) { r.Consent.OverrideReason = "x" }, []string{"consent.override_reason"}},
		{"NegativeIncident", func(r *Referral) { r.IncidentID = -4 }, []string{"incident_id"}},
	} {
		r := valid()
		tc.change(r)
		if got := fieldsOf(t, r.Validate(now)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPartnerValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		want string
	}{
		{"https://mash.example/hook", ""}, {"http://127.0.0.1:8080/hook", ""}, {"http://localhost/x", ""}, {"http://[::1]:9/x", ""},
		{"http://mash.example/hook", "must use https://"}, {"ftp://mash.example/", "absolute https://"}, {"/relative", "absolute https://"},
		{"https://user:pw@mash.example/", "without credentials"}, {"https://mash.example/#frag", "without credentials or fragment"},
	} {
		if got := checkWebhookURL(tc.url); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("checkWebhookURL(%q) = %q, want %q", tc.url, got, tc.want)
		}
	}
}

func TestSummaryStatus(t *testing.T) {
	t.Parallel()
	d := func(ss ...DeliveryStatus) []*Delivery {
		var out []*Delivery
		for _, s := range ss {
			out = append(out, &Delivery{Status: s})
		}
		return out
	}
	for _, tc := range []struct {
		ds   []*Delivery
		want DeliveryStatus
	}{
		{d(), DeliveryPending},
		{d(DeliveryDelivered, DeliveryDelivered), DeliveryDelivered},
		{d(DeliveryDelivered, DeliveryPending), DeliveryPending},
		{d(DeliveryDelivered, DeliveryRetrying), DeliveryRetrying},
		{d(DeliveryDelivered, DeliveryFailed), DeliveryFailed},
		{d(DeliveryRetrying, DeliveryFailed), DeliveryFailed},
	} {
		if got := SummaryStatus(tc.ds); got != tc.want {
			t.Errorf("SummaryStatus(%v) = %s, want %s", tc.ds, got, tc.want)
		}
	}
	if got := ReferralReference(3, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)); got != "R-27NOV26-0003" {
		t.Errorf("ReferralReference = %q", got)
	}
}
