package eido

import (
	"testing"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// lostIncidentFields are the Incident fields an Export–Import round trip
// does not carry, each with why.
var lostIncidentFields = cmpopts.IgnoreFields(bluelamp.Incident{},
	// The importing store gives the new incident its own id, force, number
	// and global id; the sender's number and tracking id come back as
	// Imported.SenderIncident and Imported.TrackingID.
	"ID", "ForceID", "Number", "GlobalID",
	// Opening, grading and resourcing are the importing force's to do:
	// CreateIncident stamps its own opening and grading times and starts
	// the new incident open and awaiting units. The sender's re-grading,
	// dispatch and arrival history arrives as log notes, and its status as
	// Imported.Status.
	"OpenedAt", "OpenedBy", "GradedAt", "OriginalGrade", "OriginalGradedAt",
	"Status", "Resourcing", "FirstDispatchedAt", "FirstArrivedAt", "Breaches",
	// A major incident is declared, and an incident closed, by separate
	// store calls: Imported.Major and Imported.Closing carry them.
	"Major", "ClosedAt", "ClosedBy", "Closing",
	// A link names the major incident by the sender's internal id, which
	// means nothing to the receiver; EIDO links need that incident's
	// tracking id, which the incident does not carry.
	"MajorLinkID",
	// Clocks are computed when read; THRIVE is a risk assessment EIDO 1.0
	// has no place for (and it names vulnerable people, so it stays home);
	// units are the sender's (Imported.Resources); contact references name
	// the sender's contacts, whose callers are personal data not exported.
	"Clocks", "THRIVE", "Assignments", "Contacts",
)

// lostLogFields are the LogEntry fields EIDO notes do not carry: notes
// have a time, an author and text, but no kind, store ids or link to a
// corrected entry (a correction's text says what it corrects).
var lostLogFields = cmpopts.IgnoreFields(bluelamp.LogEntry{}, "ID", "IncidentID", "EventSeq", "Kind", "Corrects")

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		make func() (*bluelamp.Incident, []*bluelamp.LogEntry)
	}{
		{"closed", closedIncident},
		{"open", openIncident},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inc, log := tc.make()
			doc, err := Export(inc, log, nil, wessex)
			if err != nil {
				t.Fatal(err)
			}
			im, err := Decode(doc)
			if err != nil {
				t.Fatalf("Decode(Export) = %v %v", err, fieldsOf(err))
			}
			if diff := cmp.Diff(inc, im.Incident, lostIncidentFields); diff != "" {
				t.Errorf("incident (-exported +imported):\n%s", diff)
			}
			if got := im.Log[0]; got.Kind != bluelamp.LogImported || got.Actor != wessex.Domain {
				t.Errorf("first log line = %+v, want the provenance line", got)
			}
			if diff := cmp.Diff(log, im.Log[1:], lostLogFields, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("log (-exported +imported):\n%s", diff)
			}
			want := Imported{
				TrackingID: TrackingID(inc.GlobalID, wessex.Domain), SenderIncident: inc.Number,
				Agency: wessex.Domain, AgencyName: wessex.Name, IncidentType: incidentTypes[inc.Category],
				Status: incidentStatuses(inc), Closed: inc.Status == bluelamp.IncidentClosed,
				Closing: inc.Closing, Major: inc.Major,
			}
			if diff := cmp.Diff(want, *im, cmpopts.IgnoreFields(Imported{}, "Incident", "Log", "Updated", "Resources")); diff != "" {
				t.Errorf("imported (-want +got):\n%s", diff)
			}
			if err := im.Incident.Validate(nil); err != nil {
				t.Errorf("imported incident is not ready for CreateIncident: %v %v", err, fieldsOf(err))
			}
		})
	}
}

// TestRoundTripResources checks units come back as the sender's resources,
// once each with their latest state.
func TestRoundTripResources(t *testing.T) {
	t.Parallel()
	inc, log := closedIncident()
	inc.Status, inc.Resourcing, inc.Closing, inc.ClosedAt = bluelamp.IncidentOpen, bluelamp.ResourcingAtScene, nil, nil
	inc.Assignments[2].State, inc.Assignments[2].EndedAt = bluelamp.AssignmentAtScene, nil
	doc, err := Export(inc, log, nil, wessex)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := []Resource{
		{ID: "unit3@wessex.police.uk", CallSign: "RY21", Type: "PatrolUnit", PrimaryStatus: "NotAvailable",
			SecondaryStatus: []string{"OnScene"}, InternalStatus: []string{"AT_SCENE", "6"}},
		{ID: "unit5@wessex.police.uk", CallSign: "ARV 61", Type: "PatrolUnit", PrimaryStatus: "Available",
			SecondaryStatus: []string{"Cleared"}, InternalStatus: []string{"CLEARED"}},
	}
	if diff := cmp.Diff(want, im.Resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Active", "ResourcesOnscene"}, im.Status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
	if im.Closed || im.Closing != nil {
		t.Errorf("open incident imported as closed: %+v", im.Closing)
	}
}
