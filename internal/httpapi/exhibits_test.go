package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bluelamp/bluelamp"
	"github.com/bluelamp/bluelamp/internal/auth"
	"github.com/bluelamp/bluelamp/internal/exhibit"
	"github.com/bluelamp/bluelamp/internal/sqlstore"
	"github.com/google/go-cmp/cmp"
)

// evidenceEnv is a real API over a real SQLite store with exhibit files in
// a temp directory (a small size limit, to test it) and two forces, each
// with an officer, a controller, an admin and an incident.
type evidenceEnv struct {
	*apiEnv
	files    *exhibit.Files
	notified atomic.Int64
	oak      *client // response officer 1041, alpha
	day      *client // neighbourhood officer 5012, alpha
	ctl      *client // controller, alpha (no collar number)
	admin    *client // force admin, alpha
	bravo    *client // response officer, bravo
	incident bluelamp.IncidentID
	other    bluelamp.IncidentID // bravo's
}

const testExhibitLimit = 64 << 10

func newEvidenceEnv(t *testing.T) *evidenceEnv {
	t.Helper()
	s := sqlstore.New(filepath.Join(t.TempDir(), "api.db"))
	s.Migrate = sqlstore.MigrateIfEmpty
	s.Logger = slog.New(slog.DiscardHandler)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	files := exhibit.New(filepath.Join(t.TempDir(), "exhibits"))
	files.MaxBytes, files.Logger = testExhibitLimit, slog.New(slog.DiscardHandler)
	if err := files.Open(); err != nil {
		t.Fatal(err)
	}
	e := &evidenceEnv{apiEnv: &apiEnv{t: t, store: s}, files: files}
	e.srv = &Server{Store: s, Auth: auth.New(s), Version: "test", Logger: slog.New(slog.DiscardHandler),
		Evidence: Evidence{Files: files, Notify: func() { e.notified.Add(1) }}}
	e.ts = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	for _, f := range []bluelamp.ForceID{"alpha", "bravo"} {
		e.mustCreateForce(f)
	}
	e.mustCreateOfficer("alpha", "oak", "Gabriel Oak", "1041", bluelamp.RoleResponseOfficer)
	e.mustCreateOfficer("alpha", "day", "Fancy Day", "5012", bluelamp.RoleNeighbourhoodOfficer)
	e.mustCreateOfficer("bravo", "troy", "Frank Troy", "9001", bluelamp.RoleResponseOfficer)
	e.mustCreateUser("alpha", "ctl", bluelamp.RoleController, bluelamp.RoleCallHandler)
	e.mustCreateUser("alpha", "adm", bluelamp.RoleForceAdmin)
	e.oak, e.day, e.ctl, e.admin, e.bravo = e.signIn("oak"), e.signIn("day"), e.signIn("ctl"), e.signIn("adm"), e.signIn("troy")
	for _, x := range []struct {
		force bluelamp.ForceID
		id    *bluelamp.IncidentID
	}{{"alpha", &e.incident}, {"bravo", &e.other}} {
		inc := &bluelamp.Incident{Channel: bluelamp.ChannelEmergency, Category: "CRIME_VIOLENCE", Grade: bluelamp.GradeImmediate,
			Summary: "assault", Location: bluelamp.Location{Address: "1 High Street"}}
		if err := s.CreateIncident(bluelamp.SystemContext(t.Context(), x.force, "test"), inc); err != nil {
			t.Fatal(err)
		}
		*x.id = inc.ID
	}
	return e
}

func (e *evidenceEnv) mustCreateOfficer(force bluelamp.ForceID, username, name, collar string, roles ...bluelamp.Role) *bluelamp.User {
	e.t.Helper()
	u := &bluelamp.User{Username: username, DisplayName: name, CollarNumber: collar, Roles: roles}
	if err := e.store.CreateUser(bluelamp.SystemContext(e.t.Context(), force, "test"), u, testHash()); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// part is one part of a multipart body.
type part struct {
	name, filename, ctype string
	body                  []byte
}

// multipartBody encodes parts in order and returns the body and its
// Content-Type.
func multipartBody(t *testing.T, parts ...part) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.ctype != "" {
			h.Set("Content-Type", p.ctype)
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.body)
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func metadata(t *testing.T, v any) part {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return part{name: "metadata", ctype: "application/json", body: b}
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "exhibit", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload posts parts as an exhibit, with extra header pairs.
func (c *client) upload(t *testing.T, parts []part, headers ...string) response {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	return c.do("POST", "/api/v1/exhibits", body, append([]string{"Content-Type", ct}, headers...)...)
}

func goodMetadata(inc bluelamp.IncidentID) map[string]any {
	m := map[string]any{"origin": "SEIZED", "description": "photo of the injury to the victim's arm", "seized_from": "outside the Buck's Head",
		"position": map[string]float64{"lat": 51.5, "lon": -2.1}}
	if inc != 0 {
		m["incident_id"] = inc
	}
	return m
}

func (e *evidenceEnv) mustUpload(c *client, name, ctype string, data []byte, inc bluelamp.IncidentID) *bluelamp.Exhibit {
	e.t.Helper()
	res := c.upload(e.t, []part{metadata(e.t, goodMetadata(inc)), {name: "file", filename: name, ctype: ctype, body: data}})
	if res.status != http.StatusCreated {
		e.t.Fatalf("upload %s: %d %s", name, res.status, res.body)
	}
	var out struct{ Exhibit *bluelamp.Exhibit }
	res.decode(e.t, &out)
	return out.Exhibit
}

var investigating = []string{HeaderReason, "INVESTIGATION"}

// storedFiles lists the exhibit directory's files, uploads in progress included.
func (e *evidenceEnv) storedFiles() []string {
	e.t.Helper()
	var out []string
	filepath.WalkDir(e.files.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestExhibitUploadAndDownload(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	jpeg := testdata(t, "photo.jpg")
	ex := e.mustUpload(e.oak, "IMG_0042.JPG", "image/jpeg", jpeg, e.incident)
	sum := sha256.Sum256(jpeg)
	if ex.Reference != "GO/1" || !bytes.Equal(ex.SHA256, sum[:]) || ex.Size != int64(len(jpeg)) || ex.ContentType != "image/jpeg" ||
		ex.Filename != "IMG_0042.JPG" || ex.ProducedBy != "1041" || ex.IncidentID != e.incident || len(ex.Custody) != 1 {
		t.Fatalf("created exhibit = %+v", ex)
	}
	// A WebP from another officer, a PDF, a text statement.
	if got := e.mustUpload(e.day, "shop.webp", "image/webp", testdata(t, "image.webp"), 0); got.Reference != "FD/1" {
		t.Errorf("reference %s", got.Reference)
	}
	e.mustUpload(e.oak, "statement.txt", "text/plain; charset=utf-8", testdata(t, "note.txt"), e.incident)
	e.mustUpload(e.oak, "", "", testdata(t, "iphone.heic"), e.incident)

	path := fmt.Sprintf("/api/v1/exhibits/%d", ex.ID)
	res := e.ctl.do("GET", path, nil, investigating...)
	var got struct{ Exhibit *bluelamp.Exhibit }
	res.decode(t, &got)
	if res.status != http.StatusOK || got.Exhibit.Reference != "GO/1" || len(got.Exhibit.Custody) != 1 || got.Exhibit.Custody[0].Action != bluelamp.CustodySeized {
		t.Fatalf("GET exhibit: %d %s", res.status, res.body)
	}
	res = e.ctl.do("GET", path+"/content", nil, investigating...)
	if res.status != http.StatusOK || !bytes.Equal(res.body, jpeg) || res.header.Get("Content-Type") != "image/jpeg" ||
		res.header.Get("Repr-Digest") != "sha-256=:"+base64.StdEncoding.EncodeToString(sum[:])+":" ||
		res.header.Get("Content-Disposition") != `attachment; filename="GO-1 IMG_0042.JPG"; filename*=UTF-8''GO-1%20IMG_0042.JPG` {
		t.Fatalf("GET content: %d %v", res.status, res.header)
	}
	res = e.ctl.do("GET", path+"/content", nil, append([]string{"Range", "bytes=0-9"}, investigating...)...)
	if res.status != http.StatusPartialContent || !bytes.Equal(res.body, jpeg[:10]) {
		t.Fatalf("GET a range: %d %d bytes", res.status, len(res.body))
	}

	// Every look is in the audit trail, the viewing of the file by name.
	records, _, err := e.store.FindAuditRecords(bluelamp.SystemContext(t.Context(), "alpha", "test"),
		bluelamp.AuditFilter{Subject: new(fmt.Sprintf("exhibit/%d", ex.ID))}, bluelamp.Justification{Reason: "AUDIT", Text: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var whats []string
	for _, r := range records {
		whats = append(whats, r.What+" "+string(r.Action))
	}
	want := []string{"exhibit.view_content consultation", "exhibit.view_content consultation", "exhibit.find consultation", "exhibit.create collection"}
	if diff := cmp.Diff(want, whats); diff != "" {
		t.Errorf("audit records, newest first (-want +got):\n%s", diff)
	}

	// Lists per incident and per officer.
	var list struct {
		Exhibits []*bluelamp.Exhibit
		Total    int
	}
	res = e.ctl.do("GET", fmt.Sprintf("/api/v1/exhibits?incident_id=%d", e.incident), nil, investigating...)
	res.decode(t, &list)
	if res.status != http.StatusOK || list.Total != 3 {
		t.Fatalf("the incident's exhibits: %d %s", res.status, res.body)
	}
	res = e.oak.do("GET", "/api/v1/exhibits?produced_by=5012&limit=5", nil, investigating...)
	res.decode(t, &list)
	if list.Total != 1 || list.Exhibits[0].Reference != "FD/1" {
		t.Fatalf("Fancy Day's exhibits: %s", res.body)
	}
	wantProblem(t, e.ctl.do("GET", "/api/v1/exhibits", nil), http.StatusBadRequest, "justification_required", "")
	wantProblem(t, e.ctl.do("GET", "/api/v1/exhibits?incident_id=x", nil, investigating...), http.StatusBadRequest, "invalid_fields", "incident_id")
	wantProblem(t, e.ctl.do("GET", path+"/content", nil), http.StatusBadRequest, "justification_required", "")

	// Another force sees nothing.
	wantProblem(t, e.bravo.do("GET", path, nil, investigating...), http.StatusNotFound, "not_found", "")
	wantProblem(t, e.bravo.do("GET", path+"/content", nil, investigating...), http.StatusNotFound, "not_found", "")
	res = e.bravo.do("GET", "/api/v1/exhibits", nil, investigating...)
	res.decode(t, &list)
	if list.Total != 0 {
		t.Fatalf("bravo lists alpha's exhibits: %s", res.body)
	}
	// An admin is not among the readers; a partner is refused too.
	wantProblem(t, e.admin.do("GET", path, nil, investigating...), http.StatusForbidden, "role_required", "")
}

func TestExhibitUploadRefused(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	jpeg := testdata(t, "photo.jpg")
	meta := metadata(t, goodMetadata(e.incident))
	file := part{name: "file", filename: "photo.jpg", ctype: "image/jpeg", body: jpeg}
	big := append(append([]byte{}, jpeg...), bytes.Repeat([]byte{0x5a}, testExhibitLimit)...)
	tests := []struct {
		name   string
		client *client
		parts  []part
		status int
		code   string
		field  string
		says   []string
	}{
		{"FileFirst", e.oak, []part{file, meta}, 400, "bad_upload", "", []string{"metadata"}},
		{"NoFile", e.oak, []part{meta}, 400, "bad_upload", "", []string{"file"}},
		{"NoParts", e.oak, nil, 400, "bad_upload", "", nil},
		{"ExtraPart", e.oak, []part{meta, file, {name: "note", body: []byte("x")}}, 400, "bad_upload", "", nil},
		{"WrongPartName", e.oak, []part{meta, {name: "photo", body: jpeg}}, 400, "bad_upload", "", nil},
		{"MetadataMissingFields", e.oak, []part{metadata(t, map[string]any{}), file}, 400, "invalid_fields", "description", nil},
		{"MetadataUnknownField", e.oak, []part{metadata(t, map[string]any{"origin": "SEIZED", "colour": "red"}), file}, 400, "unknown_field", "colour", nil},
		{"MetadataNotJSON", e.oak, []part{{name: "metadata", ctype: "application/json", body: []byte("{origin")}, file}, 400, "bad_json", "", nil},
		{"MetadataAsXML", e.oak, []part{{name: "metadata", ctype: "application/xml", body: []byte("<x/>")}, file}, 415, "unsupported_media_type", "", nil},
		{"MetadataTooBig", e.oak, []part{{name: "metadata", ctype: "application/json", body: bytes.Repeat([]byte(" "), MaxBody+1)}, file}, 413, "body_too_large", "", nil},
		{"BadOrigin", e.oak, []part{metadata(t, map[string]any{"origin": "FOUND", "description": "d", "seized_from": "s"}), file}, 400, "invalid_fields", "origin", nil},
		{"TooOld", e.oak, []part{metadata(t, map[string]any{"origin": "SEIZED", "description": "d", "seized_from": "s", "seized_at": time.Now().Add(-100 * time.Hour)}), file}, 400, "invalid_fields", "seized_at", nil},
		{"BadIncident", e.oak, []part{metadata(t, map[string]any{"origin": "SEIZED", "description": "d", "seized_from": "s", "incident_id": 0}), file}, 400, "invalid_fields", "incident_id", nil},
		{"OtherForcesIncident", e.oak, []part{metadata(t, goodMetadata(e.other)), file}, 404, "not_found", "incident_id", nil},
		{"DeclaredTypeLies", e.oak, []part{meta, {name: "file", filename: "photo.jpg", ctype: "application/pdf", body: jpeg}}, 415, "unsupported_media_type", "file",
			[]string{`sent as "application/pdf"`, "JPEG image (image/jpeg)"}},
		{"ExtensionLies", e.oak, []part{meta, {name: "file", filename: "invoice.pdf", ctype: "image/jpeg", body: jpeg}}, 415, "unsupported_media_type", "file",
			[]string{`named "*.pdf"`, "JPEG image (image/jpeg)"}},
		{"Executable", e.oak, []part{meta, {name: "file", filename: "photo.jpg", ctype: "image/jpeg", body: testdata(t, "program.exe")}}, 415, "unsupported_media_type", "file",
			[]string{"Windows program"}},
		{"Empty", e.oak, []part{meta, {name: "file", filename: "photo.jpg", ctype: "image/jpeg"}}, 400, "invalid_fields", "file", nil},
		{"OverTheLimit", e.oak, []part{meta, {name: "file", filename: "photo.jpg", ctype: "image/jpeg", body: big}}, 413, "exhibit_too_large", "",
			[]string{"over the 64 KiB limit"}},
		{"Controller", e.ctl, []part{meta, file}, 403, "role_required", "", nil},
		{"Admin", e.admin, []part{meta, file}, 403, "role_required", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.client.upload(t, tc.parts)
			p := wantProblem(t, res, tc.status, tc.code, tc.field)
			for _, s := range tc.says {
				if !strings.Contains(p.Detail, s) {
					t.Errorf("detail %q does not say %q", p.Detail, s)
				}
			}
		})
	}
	// A supervisor without a collar number may not produce exhibits either.
	e.mustCreateUser("alpha", "sup", bluelamp.RoleSupervisor)
	wantProblem(t, e.signIn("sup").upload(t, []part{meta, file}), http.StatusForbidden, "collar_number_required", "")

	// The body itself: not multipart, cut short, no boundary.
	wantProblem(t, e.oak.do("POST", "/api/v1/exhibits", goodMetadata(e.incident)), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	body, ct := multipartBody(t, meta, file)
	wantProblem(t, e.oak.do("POST", "/api/v1/exhibits", body[:len(body)-40], "Content-Type", ct), http.StatusBadRequest, "bad_upload", "")
	wantProblem(t, e.oak.do("POST", "/api/v1/exhibits", body, "Content-Type", "multipart/form-data"), http.StatusBadRequest, "bad_upload", "")

	// Nothing refused was kept, not even in part.
	if got := e.storedFiles(); len(got) != 0 {
		t.Fatalf("files kept after refusals: %v", got)
	}
	var list struct{ Total int }
	e.oak.do("GET", "/api/v1/exhibits", nil, investigating...).decode(t, &list)
	if list.Total != 0 {
		t.Fatalf("%d exhibits recorded by refused uploads", list.Total)
	}
}

// TestExhibitUploadOnce sends one upload three times with one
// Idempotency-Key, as a phone replaying its queue would: one exhibit.
func TestExhibitUploadOnce(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	parts := []part{metadata(t, goodMetadata(e.incident)), {name: "file", filename: "photo.jpg", ctype: "image/jpeg", body: testdata(t, "photo.jpg")}}
	body, ct := multipartBody(t, parts...)
	var refs []string
	for range 3 {
		res := e.oak.do("POST", "/api/v1/exhibits", body, "Content-Type", ct, "Idempotency-Key", "exhibit-0001-photo")
		var out struct{ Exhibit bluelamp.Exhibit }
		res.decode(t, &out)
		if res.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		refs = append(refs, out.Exhibit.Reference)
	}
	if diff := cmp.Diff([]string{"GO/1", "GO/1", "GO/1"}, refs); diff != "" {
		t.Errorf("references (-want +got):\n%s", diff)
	}
	var list struct{ Total int }
	e.oak.do("GET", "/api/v1/exhibits", nil, investigating...).decode(t, &list)
	if list.Total != 1 {
		t.Fatalf("%d exhibits from one upload sent three times", list.Total)
	}
}

func TestExhibitIntegrityFailure(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	data := testdata(t, "doc.pdf")
	ex := e.mustUpload(e.oak, "doc.pdf", "application/pdf", data, e.incident)
	stored := e.storedFiles()
	if len(stored) != 1 {
		t.Fatalf("stored %v", stored)
	}
	if err := os.Chmod(stored[0], 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stored[0], append(data, "%% changed"...), 0o640); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/exhibits/%d/content", ex.ID)
	res := e.ctl.do("GET", path, nil, investigating...)
	p := wantProblem(t, res, http.StatusServiceUnavailable, "integrity_failure", "")
	if !strings.Contains(p.Detail, "no longer matches the SHA-256") || bytes.Contains(res.body, data[:8]) {
		t.Fatalf("integrity problem: %s", res.body)
	}
	if err := os.Remove(stored[0]); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.ctl.do("GET", path, nil, investigating...), http.StatusServiceUnavailable, "integrity_failure", "")

	events, err := e.store.FindEvents(bluelamp.SystemContext(t.Context(), "alpha", "test"), bluelamp.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var failures []bluelamp.ExhibitIntegrityFailure
	for _, ev := range events {
		if ev.Type == bluelamp.EventExhibitIntegrityFailed {
			var f bluelamp.ExhibitIntegrityFailure
			json.Unmarshal(ev.Payload, &f)
			failures = append(failures, f)
		}
	}
	changed := sha256.Sum256(append(data, "%% changed"...))
	if len(failures) != 2 || !bytes.Equal(failures[0].Got, changed[:]) || len(failures[1].Got) != 0 || !bytes.Equal(failures[0].Want, ex.SHA256) {
		t.Fatalf("integrity events = %+v", failures)
	}
}

func TestExhibitCustody(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	ex := e.mustUpload(e.oak, "photo.jpg", "image/jpeg", testdata(t, "photo.jpg"), e.incident)
	path := fmt.Sprintf("/api/v1/exhibits/%d/custody", ex.ID)
	res := e.day.do("POST", path, map[string]any{"action": "RECEIVED_INTO_STORE", "location": "Casterbridge property store"})
	var out struct{ Exhibit bluelamp.Exhibit }
	res.decode(t, &out)
	if res.status != http.StatusCreated || out.Exhibit.State != bluelamp.ExhibitInStore || len(out.Exhibit.Custody) != 2 ||
		out.Exhibit.Custody[1].ByCollar != "5012" {
		t.Fatalf("received into store: %d %s", res.status, res.body)
	}
	wantProblem(t, e.day.do("POST", path, map[string]any{"action": "RECEIVED_INTO_STORE", "location": "again"}), http.StatusConflict, "already_in_store", "")
	wantProblem(t, e.day.do("POST", path, map[string]any{"action": "HANDED_OVER"}), http.StatusBadRequest, "invalid_fields", "recipient")
	wantProblem(t, e.day.do("POST", path, map[string]any{"action": "LOST"}), http.StatusBadRequest, "invalid_fields", "action")
	wantProblem(t, e.day.do("POST", path, map[string]any{"action": "MOVED", "location": "x", "at": time.Now().Add(-80 * time.Hour)}), http.StatusBadRequest, "invalid_fields", "at")
	wantProblem(t, e.day.do("POST", path, map[string]any{"action": "MOVED", "whereabouts": "x"}), http.StatusBadRequest, "unknown_field", "whereabouts")
	wantProblem(t, e.day.do("POST", path, `{"action":`), http.StatusBadRequest, "bad_json", "")
	wantProblem(t, e.day.do("POST", path, `{"action":"MOVED","location":"x"}`, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type", "")
	wantProblem(t, e.day.do("POST", path, `{"action":"MOVED","notes":"`+strings.Repeat("x", MaxBody)+`"}`), http.StatusRequestEntityTooLarge, "body_too_large", "")
	wantProblem(t, e.day.do("POST", "/api/v1/exhibits/nope/custody", map[string]any{"action": "MOVED", "location": "x"}), http.StatusBadRequest, "invalid_fields", "id")
	wantProblem(t, e.bravo.do("POST", path, map[string]any{"action": "MOVED", "location": "x"}), http.StatusNotFound, "not_found", "")
	wantProblem(t, e.ctl.do("POST", path, map[string]any{"action": "MOVED", "location": "x"}), http.StatusForbidden, "role_required", "")
	res = e.oak.do("POST", path, map[string]any{"action": "DESTROYED", "notes": "court order 12/30; incinerated"})
	if res.status != http.StatusCreated {
		t.Fatalf("destroyed: %d %s", res.status, res.body)
	}
	wantProblem(t, e.oak.do("POST", path, map[string]any{"action": "MOVED", "location": "x"}), http.StatusConflict, "custody_ended", "")
}

func TestExhibitsUnconfigured(t *testing.T) {
	t.Parallel()
	e := newEvidenceEnv(t)
	ex := e.mustUpload(e.oak, "photo.jpg", "image/jpeg", testdata(t, "photo.jpg"), 0)
	e.srv.Evidence.Files = nil
	wantProblem(t, e.oak.upload(t, []part{metadata(t, goodMetadata(0)), {name: "file", body: testdata(t, "photo.jpg")}}),
		http.StatusServiceUnavailable, "exhibits_unavailable", "")
	wantProblem(t, e.oak.do("GET", fmt.Sprintf("/api/v1/exhibits/%d/content", ex.ID), nil, investigating...),
		http.StatusServiceUnavailable, "exhibits_unavailable", "")
}

// TestOpenAPIEvidenceSchemasMatchGo checks, as TestOpenAPISchemasMatchGo
// does for the rest, that each evidence schema lists exactly the JSON
// members of its Go type and, for what the server writes, that the
// members always written are the required ones.
func TestOpenAPIEvidenceSchemasMatchGo(t *testing.T) {
	t.Parallel()
	doc := oaDoc(t)
	for _, tc := range []struct {
		schema  string
		typ     reflect.Type
		written bool
	}{
		{"Exhibit", reflect.TypeFor[bluelamp.Exhibit](), true},
		{"CustodyEntry", reflect.TypeFor[bluelamp.CustodyEntry](), true},
		{"ExhibitMetadata", reflect.TypeFor[exhibitRequest](), false},
		{"CustodyRequest", reflect.TypeFor[custodyRequest](), false},
		{"Partner", reflect.TypeFor[bluelamp.Partner](), true},
		{"PartnerRequest", reflect.TypeFor[partnerRequest](), false},
		{"PartnerCreated", reflect.TypeFor[partnerCreated](), true},
		{"ReferralTypeInfo", reflect.TypeFor[bluelamp.ReferralTypeInfo](), true},
		{"ReferralField", reflect.TypeFor[bluelamp.ReferralField](), true},
		{"Consent", reflect.TypeFor[bluelamp.Consent](), true},
		{"Referral", reflect.TypeFor[bluelamp.Referral](), true},
		{"Delivery", reflect.TypeFor[bluelamp.Delivery](), true},
		{"DeliveryAttempt", reflect.TypeFor[bluelamp.DeliveryAttempt](), true},
		{"ReferralAck", reflect.TypeFor[bluelamp.ReferralAck](), true},
		{"ReferralRequest", reflect.TypeFor[referralRequest](), false},
		{"AckRequest", reflect.TypeFor[ackRequest](), false},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			checkSchemaMatchesType(t, doc, tc.schema, tc.typ, tc.written)
		})
	}
	enum := func(name string) []string {
		var out []string
		for _, v := range doc.Components.Schemas[name].Value.Enum {
			out = append(out, v.(string))
		}
		slices.Sort(out)
		return out
	}
	var types, actions, kinds []string
	for _, ti := range bluelamp.ReferralTypes {
		types = append(types, string(ti.Code))
	}
	for _, a := range append([]bluelamp.CustodyAction{bluelamp.CustodySeized, bluelamp.CustodyProduced}, bluelamp.CustodyActions...) {
		actions = append(actions, string(a))
	}
	for _, k := range exhibit.Kinds {
		kinds = append(kinds, k.MIME)
	}
	for name, want := range map[string][]string{"ReferralType": types, "CustodyAction": actions} {
		if diff := cmp.Diff(slices.Sorted(slices.Values(want)), enum(name)); diff != "" {
			t.Errorf("%s enum differs (-Go +schema):\n%s", name, diff)
		}
	}
	var ct []string
	for _, v := range doc.Components.Schemas["Exhibit"].Value.Properties["content_type"].Value.Enum {
		ct = append(ct, v.(string))
	}
	if diff := cmp.Diff(slices.Sorted(slices.Values(kinds)), slices.Sorted(slices.Values(ct))); diff != "" {
		t.Errorf("Exhibit content_type enum differs from exhibit.Kinds (-Go +schema):\n%s", diff)
	}
}

// FuzzExhibitUpload posts any body as a multipart exhibit upload through
// the real server: whatever arrives gets a 4xx (or a 201), never a 500,
// and nothing refused is kept.
func FuzzExhibitUpload(f *testing.F) {
	jpeg, err := os.ReadFile(filepath.Join("..", "exhibit", "testdata", "photo.jpg"))
	if err != nil {
		f.Fatal(err)
	}
	seed := func(parts ...part) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.SetBoundary("fuzzboundary")
		for _, p := range parts {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename))
			if p.ctype != "" {
				h.Set("Content-Type", p.ctype)
			}
			pw, _ := w.CreatePart(h)
			pw.Write(p.body)
		}
		w.Close()
		f.Add(b.Bytes())
	}
	meta := []byte(`{"origin":"SEIZED","description":"d","seized_from":"s"}`)
	seed(part{name: "metadata", ctype: "application/json", body: meta}, part{name: "file", filename: "a.jpg", ctype: "image/jpeg", body: jpeg})
	seed(part{name: "file", filename: "a.jpg", body: jpeg}, part{name: "metadata", body: meta})
	seed(part{name: "metadata", ctype: "application/json", body: []byte(`{"origin":7}`)})
	seed(part{name: "metadata", ctype: "application/json", body: meta}, part{name: "file", filename: "a.txt", ctype: "text/plain", body: []byte("caf\xc3")})
	f.Add([]byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{}"))
	f.Add([]byte(""))

	s := sqlstore.New(filepath.Join(f.TempDir(), "fuzz.db"))
	s.Migrate, s.Logger = sqlstore.MigrateIfEmpty, slog.New(slog.DiscardHandler)
	if err := s.Open(); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	files := exhibit.New(filepath.Join(f.TempDir(), "exhibits"))
	files.MaxBytes, files.Logger = testExhibitLimit, slog.New(slog.DiscardHandler)
	if err := files.Open(); err != nil {
		f.Fatal(err)
	}
	srv := &Server{Store: s, Auth: auth.New(s), Logger: slog.New(slog.DiscardHandler), Evidence: Evidence{Files: files}}
	h := srv.Handler()
	ctx := bluelamp.SystemContext(f.Context(), "", "fuzz")
	if err := s.CreateForce(ctx, &bluelamp.Force{ID: "fuzz", Name: "Fuzz"}); err != nil {
		f.Fatal(err)
	}
	u := &bluelamp.User{Username: "officer", DisplayName: "Fuzz Officer", CollarNumber: "1", Roles: []bluelamp.Role{bluelamp.RoleResponseOfficer}}
	if err := s.CreateUser(bluelamp.SystemContext(f.Context(), "fuzz", "fuzz"), u, ""); err != nil {
		f.Fatal(err)
	}
	tk, secret := auth.NewToken(u.ID, "fuzz", nil)
	if err := s.CreateToken(bluelamp.SystemContext(f.Context(), "fuzz", "fuzz"), tk); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/exhibits", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=fuzzboundary")
		req.Header.Set("Authorization", "Bearer "+secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != http.StatusCreated {
			entries, _ := os.ReadDir(filepath.Join(files.Dir, "uploads"))
			if len(entries) != 0 {
				t.Fatalf("a refused upload (%d) left %d files", rec.Code, len(entries))
			}
		}
	})
}
