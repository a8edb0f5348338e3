package eido

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/google/go-cmp/cmp"
)

// TestImportSamples opens NENA's call-transfer sample, which has no
// incident component and a civic routing location, as an incident.
func TestImportSamples(t *testing.T) {
	t.Parallel()
	for name, doc := range samples(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			im, err := Decode(doc)
			if err != nil {
				t.Fatalf("Decode = %v %v", err, fieldsOf(err))
			}
			inc := im.Incident
			if err := inc.Validate(nil); err != nil {
				t.Fatalf("imported incident is not ready for CreateIncident: %v %v", err, fieldsOf(err))
			}
			if got, want := im.TrackingID, "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"; got != want {
				t.Errorf("TrackingID = %q, want %q", got, want)
			}
			if got, want := im.Agency, "state.pa.us"; got != want {
				t.Errorf("Agency = %q, want %q", got, want)
			}
			if got, want := inc.Location.Address, "42 W Cellular Street, Wilmington, DE, US"; got != want {
				t.Errorf("address = %q, want %q", got, want)
			}
			if got, want := inc.ReceivedAt, time.Date(2021, 4, 30, 18, 40, 0, 0, time.UTC); !got.Equal(want) {
				t.Errorf("ReceivedAt = %v, want %v", got, want)
			}
			if inc.Channel != bluelamp.ChannelPartner || inc.Category != "OTHER_ADMIN" || inc.Grade != bluelamp.GradePriority {
				t.Errorf("channel, category, grade = %s, %s, %s; want PARTNER_REFERRAL, OTHER_ADMIN, PRIORITY", inc.Channel, inc.Category, inc.Grade)
			}
			if len(im.Log) != 1 || !strings.Contains(im.Log[0].Text, im.TrackingID) || !strings.Contains(im.Log[0].Text, "graded PRIORITY for review") {
				t.Errorf("log = %+v, want one provenance line naming the tracking id and the grading", im.Log)
			}
		})
	}
}

// minimal is a valid EIDO from another system with one incident and one
// note; edit applies a change to it as JSON before it is read.
func minimal(t *testing.T, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(`{
		"$id": "urn:emergency:uid:incidentid:abc123def4:psap.example.org",
		"lastUpdateTimeStamp": "2026-11-27T10:05:00+01:00",
		"updatedByAgencyReference": {"$ref": "psap.example.org"},
		"eidoVersion": "1.0",
		"issuingElementIdentification": "cad.psap.example.org",
		"agencyComponent": [{"$id": "psap.example.org", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
			"updatedByAgencyReference": {"$ref": "psap.example.org"},
			"agencyJcard": "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Example PSAP\"]]]",
			"agencyRoleDescriptionRegistryText": ["TransferredTo"], "agencyType": ["psap"]}],
		"agentComponent": [{"$id": "ann@psap.example.org", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
			"updatedByAgencyReference": {"$ref": "psap.example.org"},
			"agentRoleRegistryText": ["Call Taking"], "agencyReference": {"$ref": "psap.example.org"}}],
		"incidentComponent": {"$id": "urn:emergency:uid:eidodatacomponent:i1:psap.example.org", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
			"updatedByAgencyReference": {"$ref": "psap.example.org"},
			"incidentTypeCommonRegistryText": "FSTRU", "incidentTypeInternalText": "Structure fire",
			"incidentCommonPriorityNumber": 9, "internalIncidentId": "F-2026-118",
			"locationReference": [{"$ref": "loc1"}]},
		"locationComponent": [{"$id": "loc1", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
			"updatedByAgencyReference": {"$ref": "psap.example.org"}, "locationTypeDescriptionRegistryText": "CurrentIncident",
			"locationByValue": "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gml=\"http://www.opengis.net/gml\"><tuple id=\"t\"><status><gml:Point><gml:pos>50.7 -1.9</gml:pos></gml:Point></status></tuple></presence>"}],
		"notesComponent": [{"$id": "n1", "lastUpdateTimeStamp": "2026-11-27T10:02:00Z",
			"updatedByAgencyReference": {"$ref": "psap.example.org"}, "agentReference": {"$ref": "ann@psap.example.org"},
			"notesActionComments": "<p>Smoke showing from <b>first floor</b>; occupants &amp; dog out.</p>"}]
	}`), &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func incidentOf(doc map[string]any) map[string]any { return doc["incidentComponent"].(map[string]any) }

func TestImportForeign(t *testing.T) {
	t.Parallel()
	im, err := Decode(minimal(t, nil))
	if err != nil {
		t.Fatalf("Decode = %v %v", err, fieldsOf(err))
	}
	want := &bluelamp.Incident{
		Channel: bluelamp.ChannelPartner, Category: "FIRE", Qualifiers: []bluelamp.Qualifier{},
		Classification: bluelamp.ClassOfficial, Summary: "Structure fire: Smoke showing from first floor; occupants & dog out.",
		Location: bluelamp.Location{Position: &bluelamp.Position{Lat: 50.7, Lon: -1.9}},
		Grade:    bluelamp.GradeImmediate, RequiredSkills: []bluelamp.Skill{},
	}
	if diff := cmp.Diff(want, im.Incident); diff != "" {
		t.Errorf("incident (-want +got):\n%s", diff)
	}
	wantLog := []*bluelamp.LogEntry{
		{Time: time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC), Actor: "psap.example.org", Kind: bluelamp.LogImported,
			Text: "Imported from EIDO urn:emergency:uid:incidentid:abc123def4:psap.example.org sent by Example PSAP (psap.example.org), their incident F-2026-118; type FSTRU; priority 9"},
		{Time: time.Date(2026, 11, 27, 10, 2, 0, 0, time.UTC), Actor: "ann@psap.example.org", Kind: bluelamp.LogNote,
			Text: "Smoke showing from first floor; occupants & dog out."},
	}
	if diff := cmp.Diff(wantLog, im.Log); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	if got, want := NoteText(im.Log[1]), "[EIDO note 2026-11-27 10:02:00Z, ann@psap.example.org] Smoke showing from first floor; occupants & dog out."; got != want {
		t.Errorf("NoteText = %q, want %q", got, want)
	}
}

func TestImportCategories(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		internal string
		common   string
		want     bluelamp.Category
		summary  string
	}{
		{"OurCode", "MISSING_PERSON", "PERMISS", "MISSING_PERSON", "Structure fire: "},
		{"ForeignCodeIgnored", "FIRE1", "FSTRU", "FIRE", "Structure fire: "},
		{"Registry", "", "PERMISS", "MISSING_PERSON", "Structure fire: "},
		{"Unmapped", "", "PANDEMIC", "OTHER_ADMIN", "EIDO incident type PANDEMIC Structure fire: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			im, err := Decode(minimal(t, func(doc map[string]any) {
				incidentOf(doc)["incidentTypeInternalCode"] = tc.internal
				incidentOf(doc)["incidentTypeCommonRegistryText"] = tc.common
			}))
			if err != nil {
				t.Fatal(err)
			}
			if im.Incident.Category != tc.want || !strings.HasPrefix(im.Incident.Summary, tc.summary) {
				t.Errorf("category, summary = %s, %q; want %s, %q…", im.Incident.Category, im.Incident.Summary, tc.want, tc.summary)
			}
		})
	}
}

func TestImportGrades(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		internal string
		common   any
		want     bluelamp.Grade
	}{
		{"STANDARD", 10, bluelamp.GradeStandard},
		{"P1", 10, bluelamp.GradeImmediate},
		{"", 7, bluelamp.GradePriority},
		{"", 5, bluelamp.GradeStandard},
		{"", 2, bluelamp.GradeScheduled},
		{"", 0, bluelamp.GradeResolvedWithoutDeployment},
		{"", -40, bluelamp.GradeResolvedWithoutDeployment},
		{"", 1e30, bluelamp.GradeImmediate},
		{"", json.Number("1e400"), bluelamp.GradeImmediate},
		{"", json.Number("-1e400"), bluelamp.GradeResolvedWithoutDeployment},
		{"", nil, bluelamp.GradePriority},
	} {
		im, err := Decode(minimal(t, func(doc map[string]any) {
			incidentOf(doc)["incidentPriorityInternalText"] = tc.internal
			if tc.common == nil {
				delete(incidentOf(doc), "incidentCommonPriorityNumber")
			} else {
				incidentOf(doc)["incidentCommonPriorityNumber"] = tc.common
			}
		}))
		if err != nil {
			t.Fatalf("%q %v: %v %v", tc.internal, tc.common, err, fieldsOf(err))
		}
		if im.Incident.Grade != tc.want {
			t.Errorf("%q %v: grade %s, want %s", tc.internal, tc.common, im.Incident.Grade, tc.want)
		}
	}
}

// TestImportBad checks every way a document can fail names the place.
func TestImportBad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(doc map[string]any)
		fields map[string]string
	}{{
		name:   "ErrSchema",
		edit:   func(doc map[string]any) { delete(incidentOf(doc), "incidentTypeCommonRegistryText") },
		fields: map[string]string{"/incidentComponent/incidentTypeCommonRegistryText": "is required"},
	}, {
		name: "ErrSchemaSeveral",
		edit: func(doc map[string]any) {
			doc["eidoVersion"] = "1.1"
			incidentOf(doc)["incidentCommonPriorityNumber"] = "high"
		},
		fields: map[string]string{"/eidoVersion": "must be one of 1.0", "/incidentComponent/incidentCommonPriorityNumber": "must be integer, not string"},
	}, {
		name:   "ErrReferenceNotObject",
		edit:   func(doc map[string]any) { doc["updatedByAgencyReference"] = "psap.example.org" },
		fields: map[string]string{"/updatedByAgencyReference": "must be object, not string"},
	}, {
		name:   "ErrNoLocation",
		edit:   func(doc map[string]any) { delete(doc, "locationComponent") },
		fields: map[string]string{"/locationComponent": "no location has an address or a position, and an incident needs one (locations by reference are not fetched)"},
	}, {
		name: "ErrBadPosition",
		edit: func(doc map[string]any) {
			l := doc["locationComponent"].([]any)[0].(map[string]any)
			l["locationByValue"] = strings.Replace(l["locationByValue"].(string), "50.7 -1.9", "95.1 -1.9", 1)
		},
		fields: map[string]string{"/locationComponent/0/locationByValue": "gml:pos is not a WGS84 latitude (±90) and longitude (±180)"},
	}, {
		name: "ErrBadXML",
		edit: func(doc map[string]any) {
			doc["locationComponent"].([]any)[0].(map[string]any)["locationByValue"] = "<presence><unclosed></presence>"
		},
		fields: map[string]string{"/locationComponent/0/locationByValue": "PIDF-LO is not well-formed XML"},
	}, {
		name: "ErrCallTime",
		edit: func(doc map[string]any) {
			doc["callComponent"] = []any{map[string]any{"$id": "c1", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
				"updatedByAgencyReference": map[string]any{"$ref": "psap.example.org"}, "standardPrimaryCallType": "emergency",
				"direction": "incoming", "callStartTimestamp": "27/11/2026 10:00", "callStateRegistryText": "callEnd"}}
		},
		fields: map[string]string{"/callComponent/0/callStartTimestamp": "must be an RFC 3339 date-time with a zone"},
	}, {
		name:   "ErrDocumentTime",
		edit:   func(doc map[string]any) { doc["lastUpdateTimeStamp"] = "yesterday" },
		fields: map[string]string{"/lastUpdateTimeStamp": "must be an RFC 3339 date-time with a zone"},
	}, {
		name: "ErrNoteTime",
		edit: func(doc map[string]any) {
			doc["notesComponent"].([]any)[0].(map[string]any)["lastUpdateTimeStamp"] = "2026-11-27T10:02:00"
		},
		fields: map[string]string{"/notesComponent/0/lastUpdateTimeStamp": "must be an RFC 3339 date-time with a zone"},
	}, {
		name: "ErrDetailsQuoting",
		edit: func(doc map[string]any) {
			doc["notesComponent"] = append(doc["notesComponent"].([]any), detailsNote("grid-ref: SU 1 2"))
		},
		fields: map[string]string{"/notesComponent/1/notesActionComments": "details note: grid-ref is not a quoted string"},
	}, {
		name: "ErrDetailsUnknownQualifier",
		edit: func(doc map[string]any) {
			doc["notesComponent"] = append(doc["notesComponent"].([]any), detailsNote("qualifiers: FIREARMS ZOMBIES"))
		},
		fields: map[string]string{"/notesComponent/1/notesActionComments": "qualifiers: unknown or repeated qualifier"},
	}, {
		name: "ErrDetailsClassification",
		edit: func(doc map[string]any) {
			doc["notesComponent"] = append(doc["notesComponent"].([]any), detailsNote("classification: SECRET"))
		},
		fields: map[string]string{"/notesComponent/1/notesActionComments": "classification: must be OFFICIAL or OFFICIAL-SENSITIVE"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inc, log, err := Import(minimal(t, tc.edit))
			e, ok := errors.AsType[*bluelamp.Error](err)
			if !ok || e.Kind != bluelamp.KindInvalid || e.Code != errInvalid {
				t.Fatalf("Import = %v, want KindInvalid %s", err, errInvalid)
			}
			if inc != nil || log != nil {
				t.Errorf("Import returned an incident with its error")
			}
			if diff := cmp.Diff(tc.fields, e.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func detailsNote(line string) map[string]any {
	return map[string]any{"$id": "urn:emergency:uid:eidodatacomponent:bldetails0123abcd:psap.example.org", "lastUpdateTimeStamp": "2026-11-27T10:00:00Z",
		"updatedByAgencyReference": map[string]any{"$ref": "psap.example.org"}, "notesActionComments": detailsHeader + "<br>" + line}
}

// TestImportCaseVariants checks a member spelt like a known one in another
// case, which the schema does not check, is not read in its place.
func TestImportCaseVariants(t *testing.T) {
	t.Parallel()
	im, err := Decode(minimal(t, func(doc map[string]any) {
		doc["IncidentComponent"] = "not checked by the schema"
		incidentOf(doc)["incidentTypeCommonregistryText"] = "HOMICIDE"
	}))
	if err != nil {
		t.Fatalf("Decode = %v %v", err, fieldsOf(err))
	}
	if got, want := im.Incident.Category, bluelamp.Category("FIRE"); got != want {
		t.Errorf("category = %s, want %s", got, want)
	}
}

func TestImportLongNote(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("Ä long note. ", 700)
	_, log, err := Import(minimal(t, func(doc map[string]any) {
		doc["notesComponent"].([]any)[0].(map[string]any)["notesActionComments"] = text
	}))
	if err != nil {
		t.Fatal(err)
	}
	var joined strings.Builder
	for _, e := range log[1:] {
		if err := bluelamp.ValidLogText(NoteText(e)); err != nil {
			t.Errorf("entry of %d bytes cannot be logged: %v", len(e.Text), err)
		}
		joined.WriteString(e.Text)
	}
	if len(log) != 4 || joined.String() != strings.TrimSpace(text) {
		t.Errorf("split into %d entries, joined %d bytes; want 3 entries of the %d-byte note", len(log)-1, joined.Len(), len(text))
	}
}

func TestNoteText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a<br>b<BR/>c", "a\nb\nc"},
		{"<p>one</p><p>two</p>", "one\n\ntwo"},
		{"x &lt; y &amp;&amp; <i>z</i> &#x263A;", "x < y && z ☺"},
		{"a < b and c > d", "a < b and c > d"},
		{"<!-- hidden -->shown<script>alert(1)</script><style>p{}</style> end", "shown end"},
		{"<b unclosed", ""},
		{"tail <", "tail <"},
		{noteHTML("line 1\nline <2> & \"3\""), "line 1\nline <2> & \"3\""},
	} {
		if got := noteText(tc.in); got != tc.want {
			t.Errorf("noteText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
