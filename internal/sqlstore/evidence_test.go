package sqlstore

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
)

// goldenEvidence runs every exhibit and referral method, with each filter,
// so their SQL is golden too.
func goldenEvidence(t *testing.T, s *Store, j bluelamp.Justification) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fc := bluelamp.SystemContext(t.Context(), "golden", "golden")
	dep := bluelamp.SystemContext(t.Context(), "", "golden")
	pc := &bluelamp.User{Username: "golden.exhibits", DisplayName: "Golden Constable", CollarNumber: "G7", Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	must(s.CreateUser(fc, pc, ""))
	liaison := &bluelamp.User{Username: "golden.liaison", DisplayName: "Golden MASH", Roles: []bluelamp.Role{bluelamp.RolePartnerAgency}}
	must(s.CreateUser(fc, liaison, ""))
	as := func(u *bluelamp.User) *bluelamp.Actor {
		return &bluelamp.Actor{Kind: bluelamp.ActorUser, UserID: u.ID, Username: u.Username, ForceID: "golden", Roles: u.Roles}
	}
	officer, partner := bluelamp.NewContext(t.Context(), as(pc)), bluelamp.NewContext(t.Context(), as(liaison))
	inc := &bluelamp.Incident{Category: "CRIME_VIOLENCE", Grade: bluelamp.GradePriority, Summary: "evidence", Channel: bluelamp.ChannelOfficer,
		Location: bluelamp.Location{Address: "1 High St"}}
	must(s.CreateIncident(fc, inc))

	sum := sha256.Sum256([]byte("golden"))
	e := &bluelamp.Exhibit{Origin: bluelamp.ExhibitSeized, Description: "d", SeizedFrom: "s", Position: &bluelamp.Position{Lat: 51, Lon: -1},
		IncidentID: inc.ID, SHA256: sum[:], Size: 6, ContentType: "text/plain", Filename: "g.txt"}
	must(s.CreateExhibit(officer, e))
	_, err := s.FindExhibitByID(officer, e.ID, j)
	must(err)
	_, _, err = s.FindExhibits(officer, bluelamp.ExhibitFilter{}, j)
	must(err)
	_, _, err = s.FindExhibits(officer, bluelamp.ExhibitFilter{IncidentID: &inc.ID, ProducedBy: new("EV1"), Offset: 5, Limit: 5}, j)
	must(err)
	_, err = s.RecordCustody(officer, e.ID, &bluelamp.CustodyEntry{Action: bluelamp.CustodyHandedOver, Recipient: "lab"})
	must(err)
	_, err = s.ViewExhibitContent(officer, e.ID, j)
	must(err)
	must(s.RecordExhibitIntegrityFailure(officer, e.ID, sum[:]))

	p := &bluelamp.Partner{Name: "Golden MASH", Accepts: []bluelamp.ReferralType{bluelamp.ReferralChildAtRisk}, Email: "mash@golden.example",
		WebhookURL: "https://mash.golden.example/", UserIDs: []bluelamp.UserID{liaison.ID}}
	must(s.CreatePartner(fc, p))
	_, err = s.FindPartners(officer)
	must(err)
	r := &bluelamp.Referral{Type: bluelamp.ReferralChildAtRisk, PartnerID: p.ID, IncidentID: inc.ID, Consent: bluelamp.Consent{Status: bluelamp.ConsentGiven},
		Fields: map[string]string{"subject_name": "n", "subject_address": "a", "concern": "c", "officer_risk_view": "HIGH"}}
	must(s.CreateReferral(officer, r))
	_, err = s.FindReferralByID(officer, r.ID, j)
	must(err)
	_, _, err = s.FindReferrals(officer, bluelamp.ReferralFilter{}, j)
	must(err)
	_, _, err = s.FindReferrals(officer, bluelamp.ReferralFilter{IncidentID: &inc.ID, ReferrerID: &pc.ID, Offset: 5, Limit: 5}, j)
	must(err)
	_, err = s.AcknowledgeReferral(partner, r.ID, &bluelamp.ReferralAck{RAG: bluelamp.RAGGreen})
	must(err)
	jobs, err := s.ClaimDeliveries(dep, 10, time.Minute)
	must(err)
	for i, job := range jobs {
		o := bluelamp.DeliveryOutcome{OK: true, Ack: &bluelamp.ReferralAck{PartnerReference: "G-1"}}
		if i == 0 {
			o = bluelamp.DeliveryOutcome{Error: "refused", Retry: new(time.Now().Add(time.Hour))}
		}
		must(s.RecordDelivery(bluelamp.SystemContext(t.Context(), job.ForceID, "golden"), job, o))
	}
}
